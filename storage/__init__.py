"""Storage: SQLite through aiosqlite.

The repositories know nothing of Telegram (a contract in ``pyproject.toml`` checks it):
``storage.chat_state`` keeps conversation, user and chat state as JSON text, and
``app/persistence.py`` is the adapter that lets PTB keep its state there.
"""

from storage.db import Database, SchemaTooNewError
from storage.repository import Storage

__all__ = ["Database", "SchemaTooNewError", "Storage"]
