"""The driver errors the code above the drivers may catch, whichever store is in use."""

from __future__ import annotations

import sqlite3

import asyncpg

# A UNIQUE, foreign key, NOT NULL or CHECK constraint refused the write.
INTEGRITY_ERRORS: tuple[type[BaseException], ...] = (
    sqlite3.IntegrityError,
    asyncpg.IntegrityConstraintViolationError,
)

# The connection went while a statement was on it (the server restarted, a replica was
# promoted, the session was ended): the statement may or may not have run, and the pool
# hands out a new connection next time, so a statement that is safe to repeat can be tried
# again at once. InternalClientError is asyncpg's for a connection the server ended in the
# middle of an operation (MagicStack/asyncpg#1069).
CONNECTION_LOST: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    asyncpg.AdminShutdownError,
    asyncpg.CannotConnectNowError,
)
