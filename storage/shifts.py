"""Shifts: one member on one grid for a span of time, and everything that happened to it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, from_db_time, to_db_time
from storage.leave import ON_LEAVE
from storage.models import Shift, ShiftStatus
from storage.returning import new_id
from storage.store import Connection, Row
from storage.units import subtree_bounds

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

# --- duty (bot/duty/service.py): the schedule's step columns, and SQL the rules share.
_STEPS = (
    "confirm_asked_at",
    "reminded_at",
    "cutoff_at",
    "cover_opened_at",
    "start_prompted_at",
    "no_show_at",
    "uncovered_at",
    "end_prompted_at",
)
# A shift opened for cover keeps who had it, and has no member until someone takes it.
_OPENED = "status = 'open', declined_member_id = member_id, member_id = NULL"
# The leave condition on each shift's own (local) day rather than one given day.
_ON_LEAVE_THAT_DAY = ON_LEAVE.replace("?", "s.day")


def _free(member: str, shift: str) -> str:
    """SQL: ``member`` (a column or ?) has no live shift overlapping the row ``shift``."""
    live = ", ".join(f"'{status}'" for status in LIVE)
    return (
        f"NOT EXISTS (SELECT 1 FROM shifts o WHERE o.member_id = {member}"
        f" AND o.status IN ({live}) AND o.starts_at < {shift}.ends_at"
        f" AND o.ends_at > {shift}.starts_at)"
    )


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def _time(text: str | None) -> datetime | None:
    return from_db_time(text) if text else None


def shift_of(row: Row) -> Shift:
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
        row = await self.db.fetchone_inline(
            f"SELECT {COLUMNS} FROM shifts WHERE id = ?", (shift_id,)
        )
        return shift_of(row) if row else None

    async def add_many(
        self,
        conn: Connection,
        shifts: Sequence[NewShift],
        *,
        created_by: int | None,
        now: datetime,
        series: bool = False,
    ) -> list[int]:
        """Insert in order; with ``series`` every row points at the first one's id."""
        ids: list[int] = []
        for shift in shifts:
            shift_id = await new_id(
                conn,
                "INSERT INTO shifts (grid_id, unit_id, member_id, starts_at, ends_at, day,"
                " series_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " RETURNING id",
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
            ids.append(shift_id)
        if series and ids:
            await conn.execute("UPDATE shifts SET series_id = ? WHERE id = ?", (ids[0], ids[0]))
        return ids

    # --- duty (bot/duty/service.py) -----------------------------------------------------

    async def due(
        self,
        step: str,
        statuses: Sequence[ShiftStatus],
        *,
        limit: int,
        starts_after: datetime | None = None,
        starts_by: datetime | None = None,
        ends_by: datetime | None = None,
        asked_by: datetime | None = None,
    ) -> list[Shift]:
        """Shifts in ``statuses`` whose ``step`` column is still empty, within the bounds
        (start after / at or before, end at or before, asked at or before), earliest
        first: one schedule step's work."""
        assert step in _STEPS, step
        where = [f"{step} IS NULL", f"status IN ({', '.join('?' for _ in statuses)})"]
        params: list[object] = [*statuses]
        for sql, bound in (
            ("starts_at > ?", starts_after),
            ("starts_at <= ?", starts_by),
            ("ends_at <= ?", ends_by),
            ("confirm_asked_at <= ?", asked_by),
        ):
            if bound is not None:
                where.append(sql)
                params.append(to_db_time(bound))
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM shifts WHERE {' AND '.join(where)}"
            " ORDER BY starts_at, id LIMIT ?",
            (*params, limit),
        )
        return [shift_of(r) for r in rows]

    async def mark(
        self,
        conn: Connection,
        ids: Sequence[int],
        now: datetime,
        *steps: str,
        status: ShiftStatus | None = None,
    ) -> None:
        """Record ``steps`` as taken now (each only once), optionally with a new status."""
        if not ids:
            return
        assert steps and all(step in _STEPS for step in steps), steps
        sets = [f"{step} = COALESCE({step}, ?)" for step in steps]
        params: list[object] = [to_db_time(now)] * len(steps)
        if status is not None:
            sets.append("status = ?")
            params.append(status)
        await conn.execute(
            f"UPDATE shifts SET {', '.join(sets)} WHERE id IN ({_marks(ids)})", (*params, *ids)
        )

    async def confirm(self, conn: Connection, shift_id: int, member_id: int, now: datetime) -> bool:
        """The member confirms their assigned shift; True only for the press that did."""
        cursor = await conn.execute(
            "UPDATE shifts SET status = 'confirmed', confirmed_at = ?"
            " WHERE id = ? AND member_id = ? AND status = 'assigned'",
            (to_db_time(now), shift_id, member_id),
        )
        return cursor.rowcount == 1

    async def decline(
        self,
        conn: Connection,
        shift_id: int,
        member_id: int,
        reason: str,
        now: datetime,
    ) -> bool:
        """The member gives up a shift that has not started: it is open for cover."""
        stamp = to_db_time(now)
        cursor = await conn.execute(
            f"UPDATE shifts SET {_OPENED}, declined_at = ?, decline_reason = ?,"
            " cover_opened_at = ? WHERE id = ? AND member_id = ?"
            " AND status IN ('assigned', 'confirmed') AND starts_at > ?",
            (stamp, reason, stamp, shift_id, member_id, stamp),
        )
        return cursor.rowcount == 1

    async def open_unconfirmed(self, conn: Connection, ids: Sequence[int], now: datetime) -> None:
        """At the cut-off: still unconfirmed shifts are opened for cover."""
        if not ids:
            return
        stamp = to_db_time(now)
        await conn.execute(
            f"UPDATE shifts SET {_OPENED}, cutoff_at = ?, cover_opened_at = ?"
            f" WHERE id IN ({_marks(ids)}) AND status = 'assigned'",
            (stamp, stamp, *ids),
        )

    async def release(self, conn: Connection, member_id: int, now: datetime) -> int:
        """A member leaves their unit: their shifts not yet started are opened, to be
        announced by the schedule (``cover_opened_at`` empty until then)."""
        cursor = await conn.execute(
            f"UPDATE shifts SET {_OPENED}, cover_opened_at = NULL WHERE member_id = ?"
            " AND status IN ('assigned', 'confirmed') AND starts_at > ?",
            (member_id, to_db_time(now)),
        )
        return cursor.rowcount

    async def cover(
        self,
        conn: Connection,
        shift_id: int,
        member_id: int,
        unit_id: int,
        now: datetime,
    ) -> bool:
        """The member takes an open shift of their unit before it starts, if free then.
        One statement: of two presses at the same moment exactly one matches."""
        stamp = to_db_time(now)
        cursor = await conn.execute(
            "UPDATE shifts SET status = 'confirmed', member_id = ?, confirmed_at = ?,"
            " covered_at = ? WHERE id = ? AND status = 'open' AND unit_id = ?"
            f" AND starts_at > ? AND {_free('?', 'shifts')}",
            (member_id, stamp, stamp, shift_id, unit_id, stamp, member_id),
        )
        return cursor.rowcount == 1

    async def cover_candidates(self, shift_ids: Sequence[int]) -> list[tuple[int, int, int]]:
        """(shift id, member id, telegram id) for each open shift's possible cover: the
        unit's active members, not the one who gave it up, free then and not on leave."""
        if not shift_ids:
            return []
        rows = await self.db.fetchall(
            "SELECT s.id AS shift_id, m.id AS member_id, m.telegram_id FROM shifts s"
            " JOIN members m ON m.unit_id = s.unit_id AND m.active = 1"
            f" WHERE s.id IN ({_marks(shift_ids)}) AND m.telegram_id IS NOT NULL"
            f" AND {self.db.dialect.differs('m.id', 's.declined_member_id')}"
            f" AND {_free('m.id', 's')}"
            f" AND NOT {_ON_LEAVE_THAT_DAY} ORDER BY s.id, m.display_name",
            shift_ids,
        )
        return [(r["shift_id"], r["member_id"], r["telegram_id"]) for r in rows]

    async def add_offers(
        self, conn: Connection, offers: Sequence[tuple[int, int]], now: datetime
    ) -> None:
        """Remember who was offered which shift: (shift id, member id)."""
        await conn.executemany(
            "INSERT INTO cover_offers (shift_id, member_id, offered_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [(shift_id, member_id, to_db_time(now)) for shift_id, member_id in offers],
        )

    async def member_chats(self, shift_ids: Sequence[int]) -> dict[int, int]:
        """Shift id -> the Telegram id of its member (members who have one)."""
        if not shift_ids:
            return {}
        rows = await self.db.fetchall(
            "SELECT s.id, m.telegram_id FROM shifts s JOIN members m ON m.id = s.member_id"
            f" WHERE s.id IN ({_marks(shift_ids)}) AND m.telegram_id IS NOT NULL",
            shift_ids,
        )
        return {r["id"]: r["telegram_id"] for r in rows}

    async def offered(self, shift_id: int) -> list[tuple[int, int]]:
        """(member id, telegram id) of the members offered ``shift_id``."""
        rows = await self.db.fetchall(
            "SELECT m.id, m.telegram_id FROM cover_offers c JOIN members m ON m.id = c.member_id"
            " WHERE c.shift_id = ? AND m.telegram_id IS NOT NULL ORDER BY m.id",
            (shift_id,),
        )
        return [(r["id"], r["telegram_id"]) for r in rows]

    async def of_member(
        self,
        member_id: int,
        statuses: Sequence[ShiftStatus],
        *,
        ends_after: datetime,
        starts_before: datetime,
        limit: int,
    ) -> list[Shift]:
        """The member's shifts not over yet that start before ``starts_before``."""
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM shifts WHERE member_id = ?"
            f" AND status IN ({_marks(statuses)}) AND ends_at > ? AND starts_at < ?"
            " ORDER BY starts_at, id LIMIT ?",
            (member_id, *statuses, to_db_time(ends_after), to_db_time(starts_before), limit),
        )
        return [shift_of(r) for r in rows]

    async def open_for(
        self, member_id: int, unit_id: int, *, now: datetime, starts_before: datetime, limit: int
    ) -> list[Shift]:
        """Open shifts of the unit, not yet started, that the member is free to take."""
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM shifts WHERE unit_id = ? AND status = 'open'"
            " AND starts_at > ? AND starts_at < ?"
            f" AND {self.db.dialect.differs('declined_member_id', '?')}"
            f" AND {_free('?', 'shifts')} ORDER BY starts_at, id LIMIT ?",
            (unit_id, to_db_time(now), to_db_time(starts_before), member_id, member_id, limit),
        )
        return [shift_of(r) for r in rows]

    # --- on duty (bot/duty/on_duty.py) ------------------------------------------------

    async def mark_started(
        self,
        conn: Connection,
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
        conn: Connection,
        shift_id: int,
        member_id: int,
        *,
        now: datetime,
        report: dict[str, object],
        figures: Sequence[Sequence[object]] = (),
    ) -> bool:
        """End duty once, with the report and what it adds to the summary's figures
        (migration 0023); True only for the call that ended it."""
        cursor = await conn.execute(
            "UPDATE shifts SET status = 'completed', ended_at = ?, report = ?, figures = ?"
            " WHERE id = ? AND member_id = ? AND status = 'started'",
            (
                to_db_time(now),
                json.dumps(report, ensure_ascii=False),
                json.dumps(figures, ensure_ascii=False),
                shift_id,
                member_id,
            ),
        )
        return cursor.rowcount == 1

    # --- roster (bot/duty/roster.py) ---------------------------------------------------

    async def live_of_members(
        self, member_ids: Sequence[int], starts_at: datetime, ends_at: datetime
    ) -> list[Shift]:
        """Live shifts of any of these members sharing time with [starts_at, ends_at):
        one query per 500 members, for checking a whole roster file at once."""
        ids = sorted(set(member_ids))
        marks = ", ".join("?" for _ in LIVE)
        found: list[Shift] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = await self.db.fetchall(
                f"SELECT {COLUMNS} FROM shifts WHERE member_id IN ({','.join('?' * len(chunk))})"
                f" AND status IN ({marks}) AND starts_at < ? AND ends_at > ? ORDER BY starts_at",
                (*chunk, *LIVE, to_db_time(ends_at), to_db_time(starts_at)),
            )
            found += [shift_of(r) for r in rows]
        return found

    async def day_in_subtree(self, path: str, day: str) -> list[tuple[Shift, str | None]]:
        """Shifts of a unit's subtree that start on the local ``day``, with the member's
        name (None while open), in start order."""
        columns = ", ".join(f"s.{c.strip()}" for c in COLUMNS.split(","))
        rows = await self.db.fetchall(
            f"SELECT {columns}, m.display_name AS member_name FROM shifts s"
            " JOIN units u ON u.id = s.unit_id LEFT JOIN members m ON m.id = s.member_id"
            " WHERE u.path >= ? AND u.path < ? AND s.day = ? ORDER BY s.starts_at, s.id",
            (*subtree_bounds(path), day),
        )
        return [(shift_of(r), r["member_name"]) for r in rows]

    async def status_counts(self, path: str, day: str, now: datetime) -> dict[int, dict[str, int]]:
        """Per unit of the subtree: how many of the ``day``'s shifts are in each status,
        (as ``declined``) how many were declined whatever became of them, and (as
        ``unfilled``) how many of the open ones started by ``now`` with nobody on them."""
        rows = await self.db.fetchall(
            "SELECT s.unit_id, s.status, COUNT(*) AS n,"
            " SUM(CASE WHEN s.declined_at IS NULL THEN 0 ELSE 1 END) AS declined,"
            " SUM(CASE WHEN s.status = 'open' AND s.starts_at <= ? THEN 1 ELSE 0 END)"
            " AS unfilled FROM shifts s JOIN units u ON u.id = s.unit_id"
            " WHERE u.path >= ? AND u.path < ? AND s.day = ? GROUP BY s.unit_id, s.status",
            (to_db_time(now), *subtree_bounds(path), day),
        )
        counts: dict[int, dict[str, int]] = {}
        for row in rows:
            unit = counts.setdefault(row["unit_id"], {"declined": 0, "unfilled": 0})
            unit[row["status"]] = row["n"]
            unit["declined"] += row["declined"]
            unit["unfilled"] += row["unfilled"]
        return counts

    async def upcoming_of_grid(self, grid_id: int, now: datetime) -> int:
        """Live shifts of the grid that have not ended yet."""
        marks = ", ".join("?" for _ in LIVE)
        row = await self.db.fetchone(
            f"SELECT COUNT(*) AS n FROM shifts WHERE grid_id = ? AND status IN ({marks})"
            " AND ends_at > ?",
            (grid_id, *LIVE, to_db_time(now)),
        )
        return int(row["n"]) if row else 0

    async def cancel(
        self, conn: Connection, shift_id: int, now: datetime, statuses: Sequence[str]
    ) -> bool:
        """Cancel once, from one of ``statuses``; True only for the call that did it."""
        marks = ", ".join("?" for _ in statuses)
        cursor = await conn.execute(
            f"UPDATE shifts SET status = 'cancelled', cancelled_at = ? WHERE id = ?"
            f" AND status IN ({marks})",
            (to_db_time(now), shift_id, *statuses),
        )
        return cursor.rowcount == 1
