"""Storage: SQLite through aiosqlite.

The repositories know nothing of Telegram; ``storage.persistence`` is the one adapter that
lets PTB keep its conversation state in the same database.
"""

from storage.db import Database, SchemaTooNewError
from storage.repository import Storage

__all__ = ["Database", "SchemaTooNewError", "Storage"]
