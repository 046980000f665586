"""Grids: the streets, communities or villages a unit keeps on duty."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database, to_db_time
from storage.models import Grid
from storage.returning import new_id
from storage.store import Connection, Row
from storage.units import subtree_bounds

COLUMNS = "id, unit_id, code, name, lat, lon, radius_m, active"


def grid_of(row: Row) -> Grid:
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
        row = await self.db.fetchone_inline(f"SELECT {COLUMNS} FROM grids WHERE id = ?", (grid_id,))
        return grid_of(row) if row else None

    async def by_code(self, code: str) -> Grid | None:
        row = await self.db.fetchone(
            f"SELECT {COLUMNS} FROM grids WHERE {self.db.dialect.equals_nocase('code')}",
            (code,),
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
        conn: Connection,
        *,
        unit_id: int,
        code: str,
        name: str,
        lat: float | None,
        lon: float | None,
        radius_m: int | None,
        now: datetime,
    ) -> int:
        return await new_id(
            conn,
            "INSERT INTO grids (unit_id, code, name, lat, lon, radius_m, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (unit_id, code, name, lat, lon, radius_m, to_db_time(now), to_db_time(now)),
        )

    # --- roster (bot/duty/roster.py) -------------------------------------------------

    async def many(self, grid_ids: Sequence[int]) -> list[Grid]:
        found: list[Grid] = []
        for chunk in _chunks(list(grid_ids)):
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                f"SELECT {COLUMNS} FROM grids WHERE id IN ({marks})", chunk
            )
            found += [grid_of(r) for r in rows]
        return found

    async def by_codes(self, codes: Iterable[str]) -> dict[str, Grid]:
        """Grids by upper-cased code (codes are unique without regard to case)."""
        found: dict[str, Grid] = {}
        for chunk in _chunks(sorted({c.upper() for c in codes})):
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                f"SELECT {COLUMNS} FROM grids WHERE UPPER(code) IN ({marks})", chunk
            )
            found.update((r["code"].upper(), grid_of(r)) for r in rows)
        return found

    async def in_subtree(self, path: str) -> list[Grid]:
        """Active grids of a unit and the units below it, by unit then code."""
        rows = await self.db.fetchall(
            f"SELECT {_QUALIFIED} FROM grids g JOIN units u ON u.id = g.unit_id"
            " WHERE g.active = 1 AND u.path >= ? AND u.path < ? ORDER BY u.path, g.code",
            subtree_bounds(path),
        )
        return [grid_of(r) for r in rows]

    async def insert(self, conn: Connection, spec: GridSpec, now: datetime) -> int:
        return await self.add(
            conn,
            unit_id=spec.unit_id,
            code=spec.code,
            name=spec.name,
            lat=spec.lat,
            lon=spec.lon,
            radius_m=spec.radius_m,
            now=now,
        )

    async def update(self, conn: Connection, grid_id: int, spec: GridSpec, now: datetime) -> None:
        """Name, unit and centre as given; a grid named again is active again."""
        await conn.execute(
            "UPDATE grids SET unit_id = ?, name = ?, lat = ?, lon = ?, radius_m = ?, active = 1,"
            " updated_at = ? WHERE id = ?",
            (spec.unit_id, spec.name, spec.lat, spec.lon, spec.radius_m, to_db_time(now), grid_id),
        )

    async def deactivate(self, conn: Connection, grid_id: int, now: datetime) -> bool:
        """True only for the call that deactivated it."""
        cursor = await conn.execute(
            "UPDATE grids SET active = 0, updated_at = ? WHERE id = ? AND active = 1",
            (to_db_time(now), grid_id),
        )
        return cursor.rowcount == 1

    async def coverage(self, path: str, day: str, covering: Sequence[str]) -> dict[int, Counts]:
        """Per unit of the subtree: (active grids, those with no ``covering`` shift on
        ``day``), in one query."""
        marks = ",".join("?" * len(covering))
        rows = await self.db.fetchall(
            "SELECT g.unit_id, COUNT(*) AS grids, SUM(CASE WHEN EXISTS (SELECT 1 FROM shifts s"
            f" WHERE s.grid_id = g.id AND s.day = ? AND s.status IN ({marks})) THEN 0 ELSE 1"
            " END) AS uncovered FROM grids g JOIN units u ON u.id = g.unit_id"
            " WHERE g.active = 1 AND u.path >= ? AND u.path < ? GROUP BY g.unit_id",
            (day, *covering, *subtree_bounds(path)),
        )
        return {r["unit_id"]: (r["grids"], r["uncovered"]) for r in rows}


Counts = tuple[int, int]
_QUALIFIED = ", ".join(f"g.{c.strip()}" for c in COLUMNS.split(","))
# SQLite allows 999 bound parameters in older builds: stay well below.
_CHUNK = 500


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


@dataclass(frozen=True, slots=True)
class GridSpec:
    """A grid as an import file or a secretary describes it."""

    code: str
    name: str
    unit_id: int
    lat: float | None = None
    lon: float | None = None
    radius_m: int | None = None
