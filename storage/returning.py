"""The id of a row just inserted, the same way on every store: ``INSERT … RETURNING id``
(a cursor's ``lastrowid`` is SQLite's alone)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storage.store import Connection


async def new_id(conn: Connection, sql: str, params: Sequence[Any]) -> int:
    """Run ``sql``, an INSERT of one row ending in ``RETURNING id``, in the caller's
    transaction; return that id."""
    rows = await conn.execute_fetchall(sql, params)
    return int(next(iter(rows))[0])
