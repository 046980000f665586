"""Grids: the streets, communities or villages a unit keeps on duty."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.db import Database, to_db_time
from storage.models import Grid

COLUMNS = "id, unit_id, code, name, lat, lon, radius_m, active"


def grid_of(row: aiosqlite.Row) -> Grid:
    return Grid(
        id=row["id"],
        unit_id=row["unit_id"],
        code=row["code"],
        name=row["name"],
        lat=row["lat"],
        lon=row["lon"],
        radius_m=row["radius_m"],
        active=bool(row["active"]),
    )


class GridRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, grid_id: int) -> Grid | None:
        row = await self.db.fetchone(f"SELECT {COLUMNS} FROM grids WHERE id = ?", (grid_id,))
        return grid_of(row) if row else None

    async def by_code(self, code: str) -> Grid | None:
        row = await self.db.fetchone(
            f"SELECT {COLUMNS} FROM grids WHERE code = ? COLLATE NOCASE", (code,)
        )
        return grid_of(row) if row else None

    async def of_unit(self, unit_id: int, *, active_only: bool = True) -> list[Grid]:
        where = " AND active = 1" if active_only else ""
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM grids WHERE unit_id = ?{where} ORDER BY code", (unit_id,)
        )
        return [grid_of(r) for r in rows]

    async def add(
        self,
        conn: aiosqlite.Connection,
        *,
        unit_id: int,
        code: str,
        name: str,
        lat: float | None,
        lon: float | None,
        radius_m: int | None,
        now: datetime,
    ) -> int:
        cursor = await conn.execute(
            "INSERT INTO grids (unit_id, code, name, lat, lon, radius_m, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (unit_id, code, name, lat, lon, radius_m, to_db_time(now), to_db_time(now)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid
