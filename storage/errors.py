"""The drivers' exceptions the code above the driver may catch, one tuple per kind, so
no repository or service names a driver (``except INTEGRITY_ERRORS:``)."""

from __future__ import annotations

import sqlite3

# A constraint refused a write (UNIQUE, FOREIGN KEY, CHECK, NOT NULL).
INTEGRITY_ERRORS: tuple[type[BaseException], ...] = (sqlite3.IntegrityError,)
# Anything the database answered with an error (the CLI words it as one line).
DATABASE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error,)
