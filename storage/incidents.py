"""Incidents reported on duty: sent to the secretary at once and kept for the summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, from_db_time, to_db_time
from storage.returning import new_id
from storage.store import Connection, Row
from storage.units import subtree_bounds


@dataclass(frozen=True, slots=True)
class Incident:
    id: int
    shift_id: int
    member_id: int
    unit_id: int
    day: str
    at: datetime
    text: str | None
    photo_file_id: str | None
    lat: float | None
    lon: float | None


_COLUMNS = "id, shift_id, member_id, unit_id, day, at, text, photo_file_id, lat, lon"


def _incident(row: Row) -> Incident:
    return Incident(
        id=row["id"],
        shift_id=row["shift_id"],
        member_id=row["member_id"],
        unit_id=row["unit_id"],
        day=row["day"],
        at=from_db_time(row["at"]),
        text=row["text"],
        photo_file_id=row["photo_file_id"],
        lat=row["lat"],
        lon=row["lon"],
    )


class IncidentRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        conn: Connection,
        *,
        shift_id: int,
        member_id: int,
        unit_id: int,
        day: str,
        now: datetime,
        text: str | None,
        photo_file_id: str | None,
        lat: float | None,
        lon: float | None,
    ) -> int:
        return await new_id(
            conn,
            "INSERT INTO incidents (shift_id, member_id, unit_id, day, at, text, photo_file_id,"
            " lat, lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (shift_id, member_id, unit_id, day, to_db_time(now), text, photo_file_id, lat, lon),
        )

    async def get(self, incident_id: int) -> Incident | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM incidents WHERE id = ?", (incident_id,)
        )
        return _incident(row) if row else None

    async def of_shift(self, shift_id: int) -> list[Incident]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM incidents WHERE shift_id = ? ORDER BY at, id", (shift_id,)
        )
        return [_incident(r) for r in rows]

    async def of_subtree_day(self, root: str, day: str) -> list[Incident]:
        """Incidents of ``day`` in grids of the subtree at path ``root``, oldest first (those
        at the same time as recorded: the same order on both stores)."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM incidents WHERE day = ?"
            " AND unit_id IN (SELECT id FROM units WHERE path >= ? AND path < ?) ORDER BY at, id",
            (day, *subtree_bounds(root)),
        )
        return [_incident(r) for r in rows]
