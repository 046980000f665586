"""Shifts: one member on one grid for a span of time, and everything that happened to it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, from_db_time, to_db_time
from storage.models import Shift, ShiftStatus

COLUMNS = (
    "id, grid_id, unit_id, member_id, starts_at, ends_at, day, status, series_id, created_by,"
    " confirm_asked_at, reminded_at, confirmed_at, declined_at, decline_reason,"
    " declined_member_id, cover_opened_at, covered_at, start_prompted_at, started_at,"
    " start_lat, start_lon, start_distance_m, end_prompted_at, ended_at, report, no_show_at,"
    " cancelled_at"
)
_TIMES = (
    "confirm_asked_at",
    "reminded_at",
    "confirmed_at",
    "declined_at",
    "cover_opened_at",
    "covered_at",
    "start_prompted_at",
    "started_at",
    "end_prompted_at",
    "ended_at",
    "no_show_at",
    "cancelled_at",
)
# Statuses in which a shift still holds its member's time (for overlap checks).
LIVE = (ShiftStatus.ASSIGNED, ShiftStatus.CONFIRMED, ShiftStatus.STARTED)


def _time(text: str | None) -> datetime | None:
    return from_db_time(text) if text else None


def shift_of(row: aiosqlite.Row) -> Shift:
    return Shift(
        id=row["id"],
        grid_id=row["grid_id"],
        unit_id=row["unit_id"],
        member_id=row["member_id"],
        starts_at=from_db_time(row["starts_at"]),
        ends_at=from_db_time(row["ends_at"]),
        day=row["day"],
        status=ShiftStatus(row["status"]),
        series_id=row["series_id"],
        created_by=row["created_by"],
        decline_reason=row["decline_reason"],
        declined_member_id=row["declined_member_id"],
        start_lat=row["start_lat"],
        start_lon=row["start_lon"],
        start_distance_m=row["start_distance_m"],
        report=json.loads(row["report"]) if row["report"] else None,
        **{name: _time(row[name]) for name in _TIMES},
    )


@dataclass(frozen=True, slots=True)
class NewShift:
    grid_id: int
    unit_id: int
    member_id: int
    starts_at: datetime
    ends_at: datetime
    day: str


class ShiftRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, shift_id: int) -> Shift | None:
        row = await self.db.fetchone(f"SELECT {COLUMNS} FROM shifts WHERE id = ?", (shift_id,))
        return shift_of(row) if row else None

    async def add_many(
        self,
        conn: aiosqlite.Connection,
        shifts: Sequence[NewShift],
        *,
        created_by: int | None,
        now: datetime,
        series: bool = False,
    ) -> list[int]:
        """Insert in order; with ``series`` every row points at the first one's id."""
        ids: list[int] = []
        for shift in shifts:
            cursor = await conn.execute(
                "INSERT INTO shifts (grid_id, unit_id, member_id, starts_at, ends_at, day,"
                " series_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    shift.grid_id,
                    shift.unit_id,
                    shift.member_id,
                    to_db_time(shift.starts_at),
                    to_db_time(shift.ends_at),
                    shift.day,
                    ids[0] if series and ids else None,
                    created_by,
                    to_db_time(now),
                ),
            )
            assert cursor.lastrowid is not None
            ids.append(cursor.lastrowid)
        if series and ids:
            await conn.execute("UPDATE shifts SET series_id = ? WHERE id = ?", (ids[0], ids[0]))
        return ids

    async def overlapping(
        self, member_id: int, starts_at: datetime, ends_at: datetime
    ) -> list[Shift]:
        """The member's live shifts that share any time with [starts_at, ends_at)."""
        marks = ", ".join("?" for _ in LIVE)
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM shifts WHERE member_id = ? AND status IN ({marks})"
            " AND starts_at < ? AND ends_at > ? ORDER BY starts_at",
            (member_id, *LIVE, to_db_time(ends_at), to_db_time(starts_at)),
        )
        return [shift_of(r) for r in rows]

    # --- on duty (bot/services/on_duty.py) ------------------------------------------------

    async def mark_started(
        self,
        conn: aiosqlite.Connection,
        shift_id: int,
        member_id: int,
        *,
        now: datetime,
        lat: float | None,
        lon: float | None,
        distance_m: int | None,
    ) -> bool:
        """Start duty once: True only for the press that started it. A no-show may still
        start late (``no_show_at`` stays as the record that they were late)."""
        cursor = await conn.execute(
            "UPDATE shifts SET status = 'started', started_at = ?, start_lat = ?, start_lon = ?,"
            " start_distance_m = ? WHERE id = ? AND member_id = ?"
            " AND status IN ('assigned', 'confirmed', 'no_show')",
            (to_db_time(now), lat, lon, distance_m, shift_id, member_id),
        )
        return cursor.rowcount == 1

    async def mark_completed(
        self,
        conn: aiosqlite.Connection,
        shift_id: int,
        member_id: int,
        *,
        now: datetime,
        report: dict[str, object],
    ) -> bool:
        """End duty once, with the report; True only for the call that ended it."""
        cursor = await conn.execute(
            "UPDATE shifts SET status = 'completed', ended_at = ?, report = ?"
            " WHERE id = ? AND member_id = ? AND status = 'started'",
            (to_db_time(now), json.dumps(report, ensure_ascii=False), shift_id, member_id),
        )
        return cursor.rowcount == 1
