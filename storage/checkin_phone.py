"""A check-in recorded by phone (issue #18, migration 0036): a secretary reached a member
who had not checked in and records the check-in on their behalf, or that they could not
reach them; the member is told the next time they write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from storage.db import Database, from_db_time, to_db_time


class PhoneOutcome(StrEnum):
    CHECKED_IN = "checked_in"
    UNREACHED = "unreached"


@dataclass(frozen=True, slots=True)
class PhoneRecord:
    """One record of a day, as ``/members`` shows it: ``current`` is false for a phone
    check-in the member has since replaced with their own."""

    member_id: int
    unit_id: int
    name: str
    outcome: PhoneOutcome
    by: str | None
    reason: str | None
    current: bool


@dataclass(frozen=True, slots=True)
class PhoneTold:
    """A record the member has not been told of yet."""

    id: int
    unit_id: int  # where they were listed: its clock tells the time
    day: date
    outcome: PhoneOutcome
    by: str | None
    at: datetime


class CheckinPhoneRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        member_id: int,
        unit_id: int,
        day: date,
        by_member_id: int | None,
        outcome: PhoneOutcome,
        now: datetime,
        reason: str | None = None,
    ) -> bool:
        """Record a call's outcome while the member has no check-in that day: False, and
        nothing written, when they have one (their own, or this call's recorded by a
        second press). The check-in (counted by migration 0012's triggers) and the record
        in one transaction; the caller may hold it open to audit in it."""
        stamp, iso = to_db_time(now), day.isoformat()
        async with self.db.transaction() as conn:
            if outcome is PhoneOutcome.CHECKED_IN:
                cursor = await conn.execute(
                    "INSERT INTO checkins (member_id, unit_id, day, answers, excused, flagged,"
                    " created_at, updated_at, on_behalf_by) VALUES (?, ?, ?, '{}', 0, 0, ?, ?, ?)"
                    " ON CONFLICT (member_id, day) DO NOTHING",
                    (member_id, unit_id, iso, stamp, stamp, by_member_id),
                )
                if not cursor.rowcount:
                    return False
            else:
                row = await (
                    await conn.execute(
                        "SELECT 1 FROM checkins WHERE member_id = ? AND day = ?", (member_id, iso)
                    )
                ).fetchone()
                if row is not None:
                    return False
            await conn.execute(
                "INSERT INTO checkin_phone (member_id, unit_id, day, by_member_id, outcome,"
                " reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (member_id, unit_id, iso, by_member_id, outcome, reason, stamp),
            )
        return True

    async def of_day(self, unit_ids: list[int], day: date) -> list[PhoneRecord]:
        """The day's records of members listed in these units, oldest first (a few rows,
        by the day's index)."""
        if not unit_ids:
            return []
        marks = ",".join("?" * len(unit_ids))
        rows = await self.db.fetchall(
            "SELECT p.member_id, p.unit_id, m.display_name, p.outcome, s.display_name,"
            " p.reason, p.outcome = 'unreached' OR c.on_behalf_by IS NOT NULL"
            " FROM checkin_phone p JOIN members m ON m.id = p.member_id"
            " LEFT JOIN members s ON s.id = p.by_member_id"
            " LEFT JOIN checkins c ON c.member_id = p.member_id AND c.day = p.day"
            f" WHERE p.day = ? AND p.unit_id IN ({marks}) ORDER BY p.id",
            (day.isoformat(), *unit_ids),
        )
        return [
            PhoneRecord(r[0], r[1], r[2], PhoneOutcome(r[3]), r[4], r[5], bool(r[6])) for r in rows
        ]

    async def recorded_by(self, checkin_id: int) -> str | None:
        """The name of the secretary who recorded this check-in by phone, or None: the
        member's own (or a phone one since replaced by theirs)."""
        row = await self.db.fetchone_inline(
            "SELECT s.display_name FROM checkins c JOIN members s ON s.id = c.on_behalf_by"
            " WHERE c.id = ?",
            (checkin_id,),
        )
        return None if row is None else str(row[0])

    async def untold(self, telegram_id: int) -> list[PhoneTold]:
        """The records about the member ``telegram_id`` not yet told, oldest first."""
        # Asked before every private message, as storage/reach.py's: almost always
        # nobody, so a point read on the loop's own connection answers that.
        any_untold = await self.db.fetchone_inline(
            "SELECT 1 FROM members m JOIN checkin_phone p ON p.member_id = m.id"
            " AND p.told_at IS NULL WHERE m.telegram_id = ? LIMIT 1",
            (telegram_id,),
        )
        if any_untold is None:
            return []
        rows = await self.db.fetchall(
            "SELECT p.id, p.unit_id, p.day, p.outcome, s.display_name, p.at FROM members m"
            " JOIN checkin_phone p ON p.member_id = m.id AND p.told_at IS NULL"
            " LEFT JOIN members s ON s.id = p.by_member_id WHERE m.telegram_id = ? ORDER BY p.id",
            (telegram_id,),
        )
        return [
            PhoneTold(
                r[0], r[1], date.fromisoformat(r[2]), PhoneOutcome(r[3]), r[4], from_db_time(r[5])
            )
            for r in rows
        ]

    async def mark_told(self, ids: list[int], now: datetime) -> None:
        marks = ",".join("?" * len(ids))
        await self.db.write(
            f"UPDATE checkin_phone SET told_at = ? WHERE id IN ({marks}) AND told_at IS NULL",
            (to_db_time(now), *ids),
        )
