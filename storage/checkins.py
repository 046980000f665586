"""Check-ins: one row per member per local day, edited in place until the day closes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from storage.db import Database, from_db_time, to_db_time
from storage.dialect import Dialect
from storage.leave import ON_LEAVE
from storage.outbox import Priority, after_surge
from storage.store import Row
from storage.units import line_of, subtree_bounds


class CheckinKind(StrEnum):
    """Check-ins' outbox rows (``outbox.kind``)."""

    REMINDER = "checkin_reminder"
    FLAG = "checkin_flag"  # a flagged answer, to the member's secretaries


# Later than any stored time: "joined before" with no bound.
_NEVER = "9999-12-31T00:00:00.000000Z"


@dataclass(frozen=True, slots=True)
class Missing:
    """A member with no check-in on a day, and their last one before it."""

    member_id: int
    display_name: str
    unit_id: int
    last_day: date | None
    # Known to have blocked the bot (a send was refused): not reachable on Telegram.
    blocked: bool = False


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


def _checkin(row: Row) -> Checkin:
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


@dataclass(frozen=True, slots=True)
class UnitDay:
    """One unit's own members on a day: how many, and what became of them."""

    unit_id: int
    members: int
    checked_in: int
    excused: int  # checked in, with an answer that excuses them
    on_leave: int


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
        figures: Sequence[Sequence[Any]] | None = None,
    ) -> tuple[Checkin, bool]:
        """Insert the day's check-in or replace its answers; (row, whether it was new).

        One statement, which returns the row it stored: read, upsert and read again in a
        transaction were five round trips to the writer's thread. Whether the row is new is
        read first (a point read, no round trip); a member's own updates are handled one
        at a time, so nothing else saves their check-in in between. ``figures``: what the
        check-in adds to the summary's figures (see migration 0023)."""
        stamp = to_db_time(now)
        existed = await self.db.fetchone_inline(
            "SELECT 1 FROM checkins WHERE member_id = ? AND day = ?", (member_id, day.isoformat())
        )  # not the whole row: only whether there is one
        values = [
            member_id,
            unit_id,
            day.isoformat(),
            json.dumps(answers, ensure_ascii=False, sort_keys=True),
            int(excused),
            int(flagged),
            stamp,
            stamp,
        ]
        if figures is not None:
            values.append(json.dumps(figures, ensure_ascii=False))
        rows = await self.db.write_returning(_SAVE if figures is None else _SAVE_FIGURES, values)
        return _checkin(rows[0]), existed is None

    async def get(self, member_id: int, day: date) -> Checkin | None:
        row = await self.db.fetchone_inline(
            "SELECT * FROM checkins WHERE member_id = ? AND day = ?", (member_id, day.isoformat())
        )
        return _checkin(row) if row else None

    async def claim_run(self, timezone: str, day: date, slot: str, now: datetime) -> bool:
        """Record a slot as done (inside the caller's transaction); False if it was."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO checkin_runs (timezone, day, slot, done_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (timezone, day.isoformat(), slot, to_db_time(now)),
            )
            return cursor.rowcount == 1

    async def queue_reminders(
        self, unit_ids: list[int], day: date, priority: Priority, now: datetime
    ) -> int:
        """One reminder row for each active member of these units without a check-in that
        day (inside the caller's transaction)."""
        if not unit_ids:
            return 0
        stamp = to_db_time(now)
        marks = ",".join("?" * len(unit_ids))
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO outbox (kind, chat_id, member_id, priority, payload,"
                " next_attempt_at, created_at)"
                " SELECT ?, m.telegram_id, m.id, ?, ?, ?, ? FROM members m"
                f" WHERE m.unit_id IN ({marks}) AND m.active = 1 AND m.telegram_id IS NOT NULL"
                " AND NOT EXISTS (SELECT 1 FROM checkins c WHERE c.member_id = m.id"
                f" AND c.day = ?) AND NOT {ON_LEAVE}",
                (
                    CheckinKind.REMINDER,
                    priority,
                    json.dumps({"day": day.isoformat()}),
                    stamp,
                    stamp,
                    *unit_ids,
                    day.isoformat(),
                    day.isoformat(),
                    day.isoformat(),
                ),
            )
            await after_surge(self.db, conn, cursor.rowcount)
            return cursor.rowcount

    async def missing(
        self, unit_ids: list[int], day: date, joined_before: datetime | None = None
    ) -> list[Missing]:
        """Active members of these units with no check-in that day, by unit then name;
        with ``joined_before``, only those who had joined by then."""
        if not unit_ids:
            return []
        marks = ",".join("?" * len(unit_ids))
        joined = to_db_time(joined_before) if joined_before else _NEVER
        rows = await self.db.fetchall(
            "SELECT m.id, m.display_name, m.unit_id,"
            " (SELECT MAX(c.day) FROM checkins c WHERE c.member_id = m.id AND c.day < ?) AS last,"
            " m.unreachable_since IS NOT NULL"
            f" FROM members m WHERE m.unit_id IN ({marks}) AND m.active = 1 AND m.joined_at < ?"
            " AND NOT EXISTS (SELECT 1 FROM checkins c WHERE c.member_id = m.id AND c.day = ?)"
            f" AND NOT {ON_LEAVE} ORDER BY m.unit_id, m.display_name",
            (day.isoformat(), *unit_ids, joined, day.isoformat(), day.isoformat(), day.isoformat()),
        )
        return [
            Missing(r[0], r[1], r[2], date.fromisoformat(r[3]) if r[3] else None, bool(r[4]))
            for r in rows
        ]

    async def unit_days(
        self, unit_ids: list[int], day: date, joined_before: datetime | None = None
    ) -> list[UnitDay]:
        """Per unit with members, in one query: active members (with ``joined_before``,
        those who had joined by then), check-ins, excused, on leave (no check-in).

        Read from the counts migration 0012's triggers keep (active members per unit,
        check-ins per day and current unit), less the members who joined after
        ``joined_before`` and their check-ins, with the few leave periods overlapping the
        day: the numbers joining every member to their check-in gives, without doing it."""
        if not unit_ids:
            return []
        joined = to_db_time(joined_before) if joined_before else _NEVER
        rows = await self.db.fetchall(
            _per_unit(self.db.dialect, _numbered(len(unit_ids))),
            (day.isoformat(), joined, *unit_ids),
        )
        return [UnitDay(*r) for r in rows]

    async def rolled_up(
        self, root: str, day: date, joined_before: datetime | None = None
    ) -> dict[str, UnitDay]:
        """``unit_days`` of the subtree at path ``root``, summed per unit one level below it
        (keyed by that unit's path; the root's own members under ``root``) inside SQLite:
        a committee's summary needs its child units' lines, not thousands of units'.
        The ``unit_id`` of each is 0."""
        joined = to_db_time(joined_before) if joined_before else _NEVER
        low, high = subtree_bounds(root)
        inner = _per_unit(self.db.dialect, "SELECT id FROM scope")
        rows = await self.db.fetchall(
            # ?3, ?4: the subtree's range; ?5: where a path's part below the root starts.
            "WITH scope AS (SELECT id, path FROM units WHERE path >= ?3 AND path < ?4)"
            f" SELECT {line_of(self.db.dialect, 's.path', '?3', '?5')} AS line,"
            " SUM(p.members), SUM(p.checked), SUM(p.excused), SUM(p.away)"
            f" FROM ({inner}) AS p JOIN scope s ON s.id = p.unit_id GROUP BY line",
            (day.isoformat(), joined, low, high, len(root)),
        )
        return {r[0]: UnitDay(0, r[1], r[2], r[3], r[4]) for r in rows}

    async def rolled_up_days(
        self, root: str, days: Sequence[tuple[date, datetime]]
    ) -> dict[date, dict[str, UnitDay]]:
        """``rolled_up`` of each of ``days`` (a day, and who had joined by then) in one
        query, not one per day: the members counted now, the check-ins of the days, less
        those who joined after each day with their check-ins, and who was away. The same
        sums ``rolled_up`` makes unit by unit (a unit of late joiners only adds 0s)."""
        if not days:
            return {}
        low, high = subtree_bounds(root)
        values = ", ".join(f"(?{n}, ?{n + 1})" for n in range(7, 7 + 2 * len(days), 2))
        ordered = self.db.dialect.ordered_join
        rows = await self.db.fetchall(
            # ?1 the root, ?2 ?3 its subtree's range, ?4 where a path's part below it
            # starts, ?5 ?6 the first and last day; then each day and its cut-off.
            f"WITH days (day, joined) AS (VALUES {values}),"
            f" scope AS (SELECT id, {line_of(self.db.dialect, 'path', '?1', '?4')} AS line"
            " FROM units WHERE path >= ?2 AND path < ?3)"
            " SELECT 'members', NULL, s.line, SUM(t.members), 0, 0"
            " FROM unit_member_counts t JOIN scope s ON s.id = t.unit_id GROUP BY s.line"
            " UNION ALL SELECT 'checked', n.day, s.line, SUM(n.checked), SUM(n.excused), 0"
            " FROM checkin_counts n JOIN scope s ON s.id = n.unit_id"
            " WHERE n.day >= ?5 AND n.day <= ?6 GROUP BY n.day, s.line"
            " UNION ALL SELECT 'late', d.day, s.line, COUNT(*), COUNT(c.id),"
            " COALESCE(SUM(c.excused), 0) FROM days d"
            # CROSS JOIN keeps SQLite's order (each day, then the few who joined after it,
            # by members_joined; then the few on leave, by leave_days): left to itself it
            # walked every member of the subtree for each day, ten times slower.
            f" {ordered} members m ON m.joined_at >= d.joined AND m.active = 1"
            " JOIN scope s ON s.id = +m.unit_id"
            " LEFT JOIN checkins c ON c.member_id = m.id AND c.day = d.day"
            " GROUP BY d.day, s.line"
            " UNION ALL SELECT 'away', d.day, s.line, COUNT(DISTINCT m.id), 0, 0 FROM days d"
            f" {ordered} leave l ON l.last_day >= d.day AND l.first_day <= d.day"
            " AND l.cancelled_at IS NULL"
            f" {ordered} members m ON m.id = l.member_id AND m.active = 1"
            " AND m.joined_at < d.joined"
            " JOIN scope s ON s.id = m.unit_id"
            " WHERE NOT EXISTS (SELECT 1 FROM checkins c WHERE c.member_id = m.id"
            " AND c.day = d.day) GROUP BY d.day, s.line",
            (
                root,
                low,
                high,
                len(root),
                min(d for d, _ in days).isoformat(),
                max(d for d, _ in days).isoformat(),
                *(v for day, joined in days for v in (day.isoformat(), to_db_time(joined))),
            ),
        )
        members: dict[str, int] = {}
        parts: dict[tuple[str, str], dict[str, tuple[int, int]]] = {}
        for kind, day, line, a, b, c in rows:
            if kind == "members":
                members[line] = a
            elif kind == "late":
                parts.setdefault((day, line), {})[kind] = (a, b)
                parts[(day, line)]["late_excused"] = (c, 0)
            else:
                parts.setdefault((day, line), {})[kind] = (a, b)
        out: dict[date, dict[str, UnitDay]] = {day: {} for day, _ in days}
        for day, _ in days:
            key = day.isoformat()
            for line, count in members.items():
                got = parts.get((key, line), {})
                checked, excused = got.get("checked", (0, 0))
                late_members, late_checked = got.get("late", (0, 0))
                late_excused = got.get("late_excused", (0, 0))[0]
                if count - late_members <= 0:
                    continue  # nobody was a member yet: no line, as rolled_up has none
                out[day][line] = UnitDay(
                    0,
                    count - late_members,
                    checked - late_checked,
                    excused - late_excused,
                    got.get("away", (0, 0))[0],
                )
        return out


_SAVE = (
    "INSERT INTO checkins (member_id, unit_id, day, answers, excused, flagged,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (member_id, day) DO UPDATE SET unit_id = excluded.unit_id,"
    " answers = excluded.answers, excused = excluded.excused,"
    " flagged = excluded.flagged, updated_at = excluded.updated_at RETURNING *"
)
# With what the check-in adds to the summary's figures (the service's saves).
_SAVE_FIGURES = (
    _SAVE.replace("updated_at)", "updated_at, figures)", 1)
    .replace("?)", "?, ?)", 1)
    .replace("RETURNING", ", figures = excluded.figures RETURNING", 1)
)


def _per_unit(dialect: Dialect, wanted: str) -> str:
    """unit_days' statement for the units ``wanted`` (parameters, or a subquery), with ?1
    the day and ?2 the joined-before cut-off; columns unit_id, members, checked, excused,
    away."""
    unit = dialect.unindexed("m.unit_id")
    return (
        f"WITH {_LATE.format(wanted=wanted, unit=unit)}, {_AWAY.format(wanted=wanted, unit=unit)}"
        " SELECT t.unit_id, t.members - COALESCE(late.members, 0) AS members,"
        " COALESCE(n.checked, 0) - COALESCE(late.checked, 0) AS checked,"
        " COALESCE(n.excused, 0) - COALESCE(late.excused, 0) AS excused,"
        " COALESCE(away.members, 0) AS away"
        " FROM unit_member_counts t"
        " LEFT JOIN checkin_counts n ON n.day = ?1 AND n.unit_id = t.unit_id"
        " LEFT JOIN late ON late.unit_id = t.unit_id"
        " LEFT JOIN away ON away.unit_id = t.unit_id"
        f" WHERE t.unit_id IN ({wanted})"
        " AND t.members - COALESCE(late.members, 0) > 0"
    )


# The parts of unit_days (?1 the day, ?2 joined before, {} the units' numbered parameters).
# ``+m.unit_id`` ({unit}) keeps SQLite's planner off members_unit: it would walk every
# member.
# Counted now, but not members yet when the day ended (with their check-ins that day).
_LATE = (
    "late AS (SELECT m.unit_id, COUNT(*) AS members, COUNT(c.id) AS checked,"
    " COALESCE(SUM(c.excused), 0) AS excused FROM members m"
    " LEFT JOIN checkins c ON c.member_id = m.id AND c.day = ?1"
    " WHERE m.joined_at >= ?2 AND m.active = 1 AND {unit} IN ({wanted}) GROUP BY {unit})"
)
# On leave with no check-in: the leave periods overlapping a day are few, whereas asking
# each member whether they are on leave asks all of them.
_AWAY = (
    "away AS (SELECT m.unit_id, COUNT(*) AS members FROM members m WHERE m.id IN ("
    " SELECT l.member_id FROM leave l"
    " WHERE l.last_day >= ?1 AND l.first_day <= ?1 AND l.cancelled_at IS NULL)"
    " AND m.active = 1 AND m.joined_at < ?2 AND {unit} IN ({wanted})"
    " AND NOT EXISTS (SELECT 1 FROM checkins c WHERE c.member_id = m.id AND c.day = ?1)"
    " GROUP BY {unit})"
)


def _numbered(count: int, first: int = 3) -> str:
    """``?3, ?4, …``: parameters numbered after a query's own ?1 and ?2."""
    return ", ".join(f"?{n}" for n in range(first, first + count))
