"""Storage: SQLite through aiosqlite (the default), or PostgreSQL through asyncpg.

The repositories know nothing of Telegram (a contract in ``pyproject.toml`` checks it):
``storage.chat_state`` keeps conversation, user and chat state as JSON text, and
``app/persistence.py`` is the adapter that lets PTB keep its state there.
"""

from storage.db import Database, SchemaTooNewError, SqliteDatabase
from storage.postgres import PostgresDatabase, StoreUnavailableError
from storage.repository import STORE_ERRORS, Storage

__all__ = [
    "STORE_ERRORS",
    "Database",
    "PostgresDatabase",
    "SchemaTooNewError",
    "SqliteDatabase",
    "Storage",
    "StoreUnavailableError",
]
