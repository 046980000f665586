"""Check-ins: one row per member per local day, edited in place until the day closes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiosqlite

from storage.db import Database, from_db_time, to_db_time


@dataclass(frozen=True, slots=True)
class Checkin:
    id: int
    member_id: int
    unit_id: int
    day: date
    answers: dict[str, Any]
    excused: bool
    flagged: bool
    created_at: datetime
    updated_at: datetime


def _checkin(row: aiosqlite.Row) -> Checkin:
    return Checkin(
        id=row["id"],
        member_id=row["member_id"],
        unit_id=row["unit_id"],
        day=date.fromisoformat(row["day"]),
        answers=json.loads(row["answers"]),
        excused=bool(row["excused"]),
        flagged=bool(row["flagged"]),
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


class CheckinRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(
        self,
        *,
        member_id: int,
        unit_id: int,
        day: date,
        answers: dict[str, Any],
        excused: bool,
        flagged: bool,
        now: datetime,
    ) -> tuple[Checkin, bool]:
        """Insert the day's check-in or replace its answers; (row, whether it was new)."""
        stamp = to_db_time(now)
        async with self.db.transaction() as conn:
            existed = await self.get(member_id, day) is not None
            await conn.execute(
                "INSERT INTO checkins (member_id, unit_id, day, answers, excused, flagged,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (member_id, day) DO UPDATE SET unit_id = excluded.unit_id,"
                " answers = excluded.answers, excused = excluded.excused,"
                " flagged = excluded.flagged, updated_at = excluded.updated_at",
                (
                    member_id,
                    unit_id,
                    day.isoformat(),
                    json.dumps(answers, ensure_ascii=False, sort_keys=True),
                    int(excused),
                    int(flagged),
                    stamp,
                    stamp,
                ),
            )
            saved = await self.get(member_id, day)
        assert saved is not None
        return saved, not existed

    async def get(self, member_id: int, day: date) -> Checkin | None:
        row = await self.db.fetchone(
            "SELECT * FROM checkins WHERE member_id = ? AND day = ?", (member_id, day.isoformat())
        )
        return _checkin(row) if row else None
