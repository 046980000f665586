"""Leave periods: a member excused from check-ins (and reminders) for a run of days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from storage.db import Database, to_db_time
from storage.returning import new_id
from storage.store import Row

# The SQL condition "member m is on leave on day ?", for queries that skip them.
ON_LEAVE = (
    "EXISTS (SELECT 1 FROM leave l WHERE l.member_id = m.id AND l.cancelled_at IS NULL"
    " AND l.first_day <= ? AND l.last_day >= ?)"
)


@dataclass(frozen=True, slots=True)
class Leave:
    id: int
    member_id: int
    first_day: date
    last_day: date
    reason: str
    recorded_by: int | None


def _leave(row: Row) -> Leave:
    return Leave(
        id=row["id"],
        member_id=row["member_id"],
        first_day=date.fromisoformat(row["first_day"]),
        last_day=date.fromisoformat(row["last_day"]),
        reason=row["reason"],
        recorded_by=row["recorded_by"],
    )


class LeaveRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        *,
        member_id: int,
        first_day: date,
        last_day: date,
        reason: str,
        recorded_by: int | None,
        now: datetime,
    ) -> Leave:
        async with self.db.transaction() as conn:
            leave_id = await new_id(
                conn,
                "INSERT INTO leave (member_id, first_day, last_day, reason, recorded_by,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    member_id,
                    first_day.isoformat(),
                    last_day.isoformat(),
                    reason,
                    recorded_by,
                    to_db_time(now),
                ),
            )
        found = await self.get(leave_id)
        assert found is not None
        return found

    async def get(self, leave_id: int) -> Leave | None:
        row = await self.db.fetchone_inline(
            "SELECT * FROM leave WHERE id = ? AND cancelled_at IS NULL", (leave_id,)
        )
        return _leave(row) if row else None

    async def upcoming(self, member_id: int, today: date) -> list[Leave]:
        """Leave not yet over (current or future), earliest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM leave WHERE member_id = ? AND cancelled_at IS NULL AND last_day >= ?"
            " ORDER BY first_day",
            (member_id, today.isoformat()),
        )
        return [_leave(r) for r in rows]

    async def cancel(self, leave_id: int, now: datetime) -> bool:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE leave SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL",
                (to_db_time(now), leave_id),
            )
        return cursor.rowcount == 1
