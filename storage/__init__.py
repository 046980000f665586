"""Storage: SQLite through aiosqlite. Knows nothing of Telegram."""

from storage.db import Database, SchemaTooNewError
from storage.repository import Storage

__all__ = ["Database", "SchemaTooNewError", "Storage"]
