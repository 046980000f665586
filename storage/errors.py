"""The driver errors the code above the drivers may catch, whichever store is in use."""

from __future__ import annotations

import sqlite3

import asyncpg

# A UNIQUE, foreign key, NOT NULL or CHECK constraint refused the write.
INTEGRITY_ERRORS: tuple[type[BaseException], ...] = (
    sqlite3.IntegrityError,
    asyncpg.IntegrityConstraintViolationError,
)
