"""Row-level listings for the summary workbook and ``/export``: every member's status on a
day, and the day's shifts. Counts live in the check-in, duty and summary repositories."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from storage.db import Database, from_db_time, to_db_time
from storage.leave import ON_LEAVE
from storage.units import subtree_bounds


@dataclass(frozen=True, slots=True)
class MemberDay:
    display_name: str
    unit_id: int
    status: str  # checked_in, excused, on_leave, missing
    flagged: bool
    checked_at: datetime | None
    username: str | None = None
    # Checked in by phone: the secretary who recorded it (migration 0036).
    by_phone: str | None = None
    # Missing, and a secretary could not reach them by phone that day: why (the latest
    # call's; "" once retention or erasure dropped it).
    unreached: str | None = None


@dataclass(frozen=True, slots=True)
class ShiftRow:
    unit_id: int
    grid_code: str
    grid_name: str
    member_name: str | None
    starts_at: datetime
    ends_at: datetime
    status: str
    declined: bool
    decline_reason: str | None
    uncovered: bool = False  # open at its start: reported uncovered, nobody covered it
    # Who declined it (the reason is theirs, not the covering member's), and the
    # end-of-duty report's answers.
    declined_name: str | None = None
    username: str | None = None
    report: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One check-in with who made it: a row of the workbook's answers sheet."""

    day: date
    display_name: str
    username: str | None
    unit_id: int
    answers: dict[str, Any]
    excused: bool
    flagged: bool
    updated_at: datetime
    by_phone: str | None = None  # the secretary who recorded it by phone


# The latest "could not be reached" of member m on the day (its parameter; migration 0036),
# by its index.
_UNREACHED = (
    "(SELECT COALESCE(p.reason, '') FROM checkin_phone p WHERE p.member_id = m.id"
    " AND p.day = ? AND p.outcome = 'unreached' ORDER BY p.id DESC LIMIT 1)"
)


class ExportRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def member_days(self, path: str, day: date, joined_before: datetime) -> list[MemberDay]:
        """Each active member of the subtree who had joined by ``joined_before``, with what
        became of them on ``day`` (the same rules as ``CheckinRepository.unit_days``)."""
        iso = day.isoformat()
        rows = await self.db.fetchall(
            "SELECT m.display_name, m.unit_id, c.id AS checkin, c.excused, c.flagged,"
            f" c.updated_at, {ON_LEAVE} AS leave, m.username, s.display_name AS by_phone,"
            f" CASE WHEN c.id IS NULL THEN {_UNREACHED} END AS unreached"
            " FROM members m JOIN units u ON u.id = m.unit_id"
            " LEFT JOIN checkins c ON c.member_id = m.id AND c.day = ?"
            " LEFT JOIN members s ON s.id = c.on_behalf_by"
            " WHERE u.path >= ? AND u.path < ? AND m.active = 1 AND m.joined_at < ?"
            " ORDER BY u.path, m.display_name",
            (iso, iso, iso, iso, *subtree_bounds(path), to_db_time(joined_before)),
        )
        found = []
        for r in rows:
            if r["checkin"] is not None:
                status = "excused" if r["excused"] else "checked_in"
            else:
                status = "on_leave" if r["leave"] else "missing"
            found.append(
                MemberDay(
                    r["display_name"],
                    r["unit_id"],
                    status,
                    bool(r["flagged"]),
                    from_db_time(r["updated_at"]) if r["updated_at"] else None,
                    r["username"],
                    r["by_phone"],
                    r["unreached"],
                )
            )
        return found

    async def shifts(self, path: str, first: date, last: date) -> list[ShiftRow]:
        """The subtree's shifts on local days ``first``..``last``, cancelled ones left out."""
        rows = await self.db.fetchall(
            "SELECT s.unit_id, g.code, g.name, m.display_name, s.starts_at, s.ends_at, s.status,"
            " s.declined_at IS NOT NULL AS declined, s.decline_reason,"
            " s.status = 'open' AND s.uncovered_at IS NOT NULL AS uncovered,"
            " d.display_name, m.username, s.report"
            " FROM shifts s JOIN units u ON u.id = s.unit_id JOIN grids g ON g.id = s.grid_id"
            " LEFT JOIN members m ON m.id = s.member_id"
            # Only a shift given up by a decline has a decliner: a cut-off or a member who
            # left also moves member_id there, without declined_at.
            " LEFT JOIN members d ON d.id = s.declined_member_id AND s.declined_at IS NOT NULL"
            " WHERE u.path >= ? AND u.path < ? AND s.day >= ? AND s.day <= ?"
            " AND s.status != 'cancelled' ORDER BY s.starts_at, g.code",
            (*subtree_bounds(path), first.isoformat(), last.isoformat()),
        )
        return [
            ShiftRow(
                r[0],
                r[1],
                r[2],
                r[3],
                from_db_time(r[4]),
                from_db_time(r[5]),
                r[6],
                bool(r[7]),
                r[8],
                bool(r[9]),
                r[10],
                r[11],
                json.loads(r[12]) if r[12] else None,
            )
            for r in rows
        ]

    async def answers(self, path: str, first: date, last: date, limit: int) -> list[AnswerRow]:
        """The check-ins of local days ``first``..``last`` by active members of the
        subtree, by day, unit and name; the first ``limit``."""
        rows = await self.db.fetchall(
            "SELECT c.day, m.display_name, m.username, c.unit_id, c.answers, c.excused,"
            " c.flagged, c.updated_at, s.display_name FROM checkins c"
            " JOIN members m ON m.id = c.member_id LEFT JOIN members s ON s.id = c.on_behalf_by"
            " JOIN units u ON u.id = c.unit_id WHERE u.path >= ? AND u.path < ?"
            " AND c.day >= ? AND c.day <= ? AND m.active = 1"
            " ORDER BY c.day, u.path, m.display_name LIMIT ?",
            (*subtree_bounds(path), first.isoformat(), last.isoformat(), limit),
        )
        return [
            AnswerRow(
                date.fromisoformat(r[0]),
                r[1],
                r[2],
                r[3],
                json.loads(r[4]),
                bool(r[5]),
                bool(r[6]),
                from_db_time(r[7]),
                r[8],
            )
            for r in rows
        ]
