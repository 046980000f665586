"""Grids and the duty roster: importing and managing grids, building shifts (CSV files,
the CLI, ``/assign``), weekly repeats, overlap rules, and a day's coverage per unit.

What happens to a shift once it exists (confirm, decline, cover, start, end, no-show) is
in ``bot/duty/service.py``.

Every way of making shifts (a file from the CLI, a file sent in chat, ``/assign``) goes
through one checker, so the rules cannot drift apart. Problems are reason codes with
details; :func:`describe` turns them into text from the catalogue, for chat (HTML) and
for the CLI (plain English).

The pieces live beside this service: reading files and typed values, and the problems in
words, in ``bot/duty/reading.py``; the grid rules it inherits in ``bot/duty/grids.py``;
what checks and views return in ``bot/duty/plans.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.checkins.service import local_instant
from bot.duty.config import DutySettings
from bot.duty.grids import GridRules
from bot.duty.messages import KIND_CANCELLED, message
from bot.duty.plans import (
    Assignment,
    Cancelled,
    DayRoster,
    GridDay,
    PlannedShift,
    RosterEntry,
    ShiftCheck,
    ShiftImport,
    Span,
    UnitCoverage,
)
from bot.duty.reading import SHIFT_COLUMNS, Problem, RosterError, parse_clock, parse_day, read_csv
from bot.kit.clock import Clock
from bot.kit.typed import parse_whole
from bot.kit.zones import unit_zone
from bot.org.authz import Action, Actor, Authorizer, can
from bot.org.membership import MembershipError, MembershipService
from storage import Storage
from storage.models import Grid, Member, Shift, ShiftStatus, Unit
from storage.shifts import NewShift

MAX_SHIFT = timedelta(hours=24)
# Shifts that cover their grid for the day (an open, no-show or cancelled one does not).
COVERING = (
    ShiftStatus.ASSIGNED,
    ShiftStatus.CONFIRMED,
    ShiftStatus.STARTED,
    ShiftStatus.COMPLETED,
)
CANCELLABLE = (ShiftStatus.ASSIGNED, ShiftStatus.CONFIRMED, ShiftStatus.OPEN)


@dataclass
class _Seen:
    """What one check has looked up already (a file names the same grid many times)."""

    grids: dict[str, Grid] = field(default_factory=dict)
    units: dict[int, Unit] = field(default_factory=dict)
    members: dict[str, Member | Problem] = field(default_factory=dict)


class RosterService(GridRules):
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        authz: Authorizer,
        settings: DutySettings,
        zone: ZoneInfo,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.authz = authz
        self.settings = settings
        self.zone = zone
        self.membership = MembershipService(storage, clock, authz)

    def zone_of(self, unit: Unit | None) -> ZoneInfo:
        """A unit's own timezone, else the organisation's: shift times are local to it."""
        return unit_zone(unit, self.zone)

    def today(self, unit: Unit | None) -> date:
        return self.clock.now().astimezone(self.zone_of(unit)).date()

    # Shifts: checking ---------------------------------------------------------------------

    async def check_file(self, actor: Actor, data: bytes) -> ShiftCheck:
        """Every row of a roster CSV checked against the rules and the stored roster;
        nothing is written."""
        rows, problems = read_csv(data, SHIFT_COLUMNS, 5)
        if not rows:
            return ShiftCheck(0, (), tuple(problems))
        seen = _Seen()
        codes = {cells["grid"] for _, cells in rows if cells.get("grid")}
        seen.grids = await self.storage.grids.by_codes(codes)
        await self._remember_units(seen, [g.unit_id for g in seen.grids.values()])
        plans: list[PlannedShift] = []
        for line, cells in rows:
            found = await self._plan_row(actor, seen, line, cells)
            if isinstance(found, PlannedShift):
                plans.append(found)
            else:
                problems += found
        good, clashes = await self._without_overlaps(plans)
        problems = sorted([*problems, *clashes], key=lambda p: p.line)
        outside = sum(p.reason == "grid_scope" for p in problems)
        if outside:
            await self.authz.refuse(
                actor, Action.MANAGE_ROSTER, f"roster file: {outside} rows outside scope"
            )
        unread = sum(1 for p in problems if p.reason == "extra_fields")
        return ShiftCheck(len(rows) + unread, tuple(good), tuple(problems))

    async def _remember_units(self, seen: _Seen, unit_ids: Iterable[int]) -> None:
        wanted = [i for i in set(unit_ids) if i not in seen.units]
        seen.units.update((u.id, u) for u in await self.storage.units.many(wanted))

    async def _member(self, seen: _Seen, text: str) -> Member | Problem:
        if text not in seen.members:
            try:
                member = await self.membership.find(text)
            except MembershipError:
                seen.members[text] = Problem("ambiguous_member", details={"member": text})
            else:
                seen.members[text] = member or Problem("unknown_member", details={"member": text})
        return seen.members[text]

    async def _plan_row(
        self, actor: Actor, seen: _Seen, line: int, cells: dict[str, str]
    ) -> PlannedShift | list[Problem]:
        missing = [c for c in SHIFT_COLUMNS[:5] if not cells.get(c)]
        if missing:
            return [Problem("missing", line, {"columns": ", ".join(missing)})]
        problems: list[Problem] = []
        grid = seen.grids.get(cells["grid"].upper())
        if grid is None:
            problems.append(Problem("unknown_grid", line, {"code": cells["grid"]}))
        found = await self._member(seen, cells["member"])
        member = found if isinstance(found, Member) else None
        if isinstance(found, Problem):
            problems.append(Problem(found.reason, line, found.details))
        else:
            await self._remember_units(seen, [found.unit_id])
        day = parse_day(cells["date"])
        if day is None:
            problems.append(Problem("bad_date", line, {"value": cells["date"]}))
        start = parse_clock(cells["start"])
        end = parse_clock(cells["end"], end=True)
        for text, value in ((cells["start"], start), (cells["end"], end)):
            if value is None:
                problems.append(Problem("bad_time", line, {"value": text}))
        repeat = self._repeat(cells.get("repeat_weeks", ""))
        if repeat is None:
            problems.append(Problem("bad_repeat", line, {"max": self.settings.max_repeat_weeks}))
        if problems:
            return problems
        assert grid and member and day and start and end and repeat is not None
        return self._plan(actor, seen, line, grid, member, day, start, end, repeat)

    def _repeat(self, text: str) -> int | None:
        if not text.strip():
            return 0
        value = parse_whole(text)
        return value if value is not None and value <= self.settings.max_repeat_weeks else None

    def _plan(
        self,
        actor: Actor,
        seen: _Seen,
        line: int,
        grid: Grid,
        member: Member,
        day: date,
        start: time,
        end: time,
        repeat: int,
    ) -> PlannedShift | list[Problem]:
        """The rules for one shift that need no look at the stored roster."""
        unit = seen.units.get(grid.unit_id)
        home = seen.units.get(member.unit_id)
        details = {"code": grid.code, "name": member.display_name}
        if not grid.active:
            return [Problem("inactive_grid", line, details)]
        if unit is None or not can(actor, Action.MANAGE_ROSTER, unit):
            return [Problem("grid_scope", line, details)]
        if not member.active:
            return [Problem("inactive_member", line, details)]
        if home is None or not unit.contains(home):
            return [Problem("member_outside", line, {**details, "unit": unit.name})]
        if start == end:
            return [Problem("zero_length", line, {"time": f"{start:%H:%M}"})]
        zone = self.zone_of(unit)
        spans = []
        for week in range(repeat + 1):
            local = day + timedelta(weeks=week)
            starts = local_instant(local, start, zone)
            ends = local_instant(local + timedelta(days=int(end <= start)), end, zone)
            if ends - starts > MAX_SHIFT:
                return [Problem("too_long", line)]
            spans.append(Span(starts, ends, local))
        if spans[0].starts_at < self.clock.now():
            return [Problem("past", line, {"day": day, "time": f"{start:%H:%M}"})]
        return PlannedShift(line, grid, unit, member, tuple(spans), zone)

    async def _without_overlaps(
        self, plans: list[PlannedShift]
    ) -> tuple[list[PlannedShift], list[Problem]]:
        """Plans that clash with nobody's live shift, stored or earlier in the same file
        (the earlier good row wins); the others as problems."""
        if not plans:
            return [], []
        spans = [s for plan in plans for s in plan.spans]
        stored = await self.storage.shifts.live_of_members(
            [plan.member.id for plan in plans],
            min(s.starts_at for s in spans),
            max(s.ends_at for s in spans),
        )
        taken: dict[int, list[tuple[datetime, datetime, Shift | int]]] = {}
        for shift in stored:
            assert shift.member_id is not None
            taken.setdefault(shift.member_id, []).append((shift.starts_at, shift.ends_at, shift))
        good: list[PlannedShift] = []
        problems: list[Problem] = []
        for plan in plans:
            mine = taken.setdefault(plan.member.id, [])
            clash = _clash(plan, mine)
            if clash is None:
                good.append(plan)
                mine += [(s.starts_at, s.ends_at, plan.line) for s in plan.spans]
            else:
                problems.append(clash)
        return good, problems

    # Shifts: writing ----------------------------------------------------------------------

    async def import_file(
        self,
        actor: Actor,
        data: bytes,
        name: str,
        *,
        partial: bool = False,
        expect: int | None = None,
    ) -> ShiftImport:
        """Check and store in one transaction, so nothing changes in between. All rows,
        or with ``partial`` the good ones; with ``expect``, only if exactly that many
        rows are still good (what the person agreed to)."""
        async with self.storage.db.transaction():
            check = await self.check_file(actor, data)
            if not check.good or (check.problems and not partial):
                return ShiftImport(check, 0)
            if expect is not None and len(check.good) != expect:
                return ShiftImport(check, 0)
            written = await self._store(check.good, actor)
            await self.authz.audit(
                actor,
                "import_shifts",
                None,
                f"{name}: {written} shifts from {len(check.good)} rows,"
                f" {check.bad_rows} rows skipped",
            )
        return ShiftImport(check, written)

    async def _store(self, plans: Sequence[PlannedShift], actor: Actor) -> int:
        now = self.clock.now()
        created_by = actor.member.id if actor.member else None
        written = 0
        async with self.storage.db.transaction() as conn:
            for plan in plans:
                shifts = [
                    NewShift(
                        plan.grid.id,
                        plan.grid.unit_id,
                        plan.member.id,
                        span.starts_at,
                        span.ends_at,
                        span.day.isoformat(),
                    )
                    for span in plan.spans
                ]
                await self.storage.shifts.add_many(
                    conn, shifts, created_by=created_by, now=now, series=len(shifts) > 1
                )
                written += len(shifts)
        return written

    async def check_assignment(self, actor: Actor, wanted: Assignment) -> PlannedShift:
        """One shift as ``/assign`` would store it, or RosterError with the first problem."""
        grid = await self.storage.grids.get(wanted.grid_id)
        member = await self.storage.members.get(wanted.member_id)
        if grid is None:
            raise RosterError(Problem("unknown_grid", details={"code": str(wanted.grid_id)}))
        if member is None:
            raise RosterError(Problem("unknown_member", details={"member": str(wanted.member_id)}))
        most = self.settings.max_repeat_weeks
        if not 0 <= wanted.repeat <= most:
            raise RosterError(Problem("bad_repeat", details={"max": most}))
        seen = _Seen()
        await self._remember_units(seen, [grid.unit_id, member.unit_id])
        found = self._plan(
            actor, seen, 0, grid, member, wanted.day, wanted.start, wanted.end, wanted.repeat
        )
        if isinstance(found, list):
            raise RosterError(found[0])
        good, clashes = await self._without_overlaps([found])
        if clashes:
            raise RosterError(clashes[0])
        return good[0]

    async def assign(self, actor: Actor, wanted: Assignment) -> PlannedShift:
        """Check again (scope included) and store, in one transaction."""
        async with self.storage.db.transaction():
            plan = await self.check_assignment(actor, wanted)
            await self._store([plan], actor)
            await self.authz.audit(
                actor,
                "assign_shift",
                plan.unit,
                f"grid {plan.grid.code} member {plan.member.id} {wanted.day}"
                f" {wanted.start:%H:%M}-{wanted.end:%H:%M} x{len(plan.spans)}",
            )
        return plan

    async def members_for(self, grid: Grid) -> list[Member]:
        """Active members who may take shifts on the grid: its unit's and those below."""
        unit = await self.storage.units.get(grid.unit_id)
        if unit is None:
            return []
        units = await self.storage.units.subtree(unit)
        return await self.storage.members.in_units([u.id for u in units])

    # Looking --------------------------------------------------------------------------------

    async def coverage(self, unit: Unit, day: date) -> list[UnitCoverage]:
        """Each unit of ``unit``'s subtree (in tree order) on ``day`` (its local date):
        grids, those with no covering shift, and shifts by status. Three queries, however
        large the subtree."""
        units = _tree_order(await self.storage.units.subtree(unit))
        found = await self.coverage_found(unit, day, {u.id: u for u in units})
        return [found.get(each.id) or UnitCoverage(each) for each in units]

    async def coverage_found(
        self, unit: Unit, day: date, units: dict[int, Unit] | None = None
    ) -> dict[int, UnitCoverage]:
        """``coverage`` of the units of ``unit``'s subtree that have grids or shifts on
        ``day``; the others have nothing to count. ``units``: the subtree by id, if the
        caller has it (else those units are read). Two or three queries, and no object
        per unit: a committee's summary sums thousands of units."""
        grids = await self.storage.grids.coverage(unit.path, day.isoformat(), COVERING)
        shifts = await self.storage.shifts.status_counts(
            unit.path, day.isoformat(), self.clock.now()
        )
        found = grids.keys() | shifts.keys()
        if units is None:
            units = {u.id: u for u in await self.storage.units.many(list(found))}
        out = {}
        for unit_id in found & units.keys():
            total, uncovered = grids.get(unit_id, (0, 0))
            counts = shifts.get(unit_id, {})
            unfilled = counts.get("unfilled", 0)
            out[unit_id] = UnitCoverage(
                units[unit_id],
                grids=total,
                uncovered=uncovered,
                assigned=counts.get(ShiftStatus.ASSIGNED, 0),
                confirmed=counts.get(ShiftStatus.CONFIRMED, 0),
                open=counts.get(ShiftStatus.OPEN, 0) - unfilled,
                unfilled=unfilled,
                declined=counts.get("declined", 0),
                started=counts.get(ShiftStatus.STARTED, 0),
                completed=counts.get(ShiftStatus.COMPLETED, 0),
                no_show=counts.get(ShiftStatus.NO_SHOW, 0),
                cancelled=counts.get(ShiftStatus.CANCELLED, 0),
            )
        return out

    async def day_roster(self, actor: Actor, unit: Unit, day: date) -> DayRoster:
        """A unit's subtree on a day: coverage per unit, and every grid with its shifts
        (active grids without one too, since those are the gaps)."""
        await self.authz.check(actor, Action.VIEW_UNIT, unit, f"roster {day}")
        coverage = await self.coverage(unit, day)
        units = {c.unit.id: c.unit for c in coverage}
        shifts = await self.storage.shifts.day_in_subtree(unit.path, day.isoformat())
        grids = {g.id: g for g in await self.storage.grids.in_subtree(unit.path)}
        missing = [s.grid_id for s, _ in shifts if s.grid_id not in grids]
        grids.update((g.id, g) for g in await self.storage.grids.many(missing))
        entries: dict[int, list[RosterEntry]] = {grid_id: [] for grid_id in grids}
        # A grid moved out of the subtree since keeps the unit its shifts were made for.
        grid_units = {g.id: units[g.unit_id] for g in grids.values() if g.unit_id in units}
        for shift, name in shifts:
            entries[shift.grid_id].append(RosterEntry(shift, name))
            grid_units.setdefault(shift.grid_id, units[shift.unit_id])
        place = {u.id: index for index, u in enumerate(units.values())}
        ordered = sorted(grids.values(), key=lambda g: (place[grid_units[g.id].id], g.code))
        days = [GridDay(g, grid_units[g.id], tuple(entries[g.id])) for g in ordered]
        return DayRoster(unit, day, coverage, days)

    async def shift(self, shift_id: int) -> tuple[Shift, Grid, Unit] | None:
        """A shift with its grid and unit; None when any of them is gone."""
        shift = await self.storage.shifts.get(shift_id)
        grid = await self.storage.grids.get(shift.grid_id) if shift else None
        unit = await self.storage.units.get(shift.unit_id) if shift else None
        if shift is None or grid is None or unit is None:
            return None
        return shift, grid, unit

    async def cancel_shift(self, actor: Actor, shift_id: int) -> Cancelled:
        """Cancel a shift not yet started; its member (if any) is told through the outbox
        in the same transaction, worded when sent (``bot/duty/render.py``)."""
        shift = await self.storage.shifts.get(shift_id)
        if shift is None or shift.status not in CANCELLABLE:
            raise RosterError(Problem("unknown_shift"))
        unit = await self.storage.units.get(shift.unit_id)
        await self.authz.check(actor, Action.MANAGE_ROSTER, unit, f"cancel shift {shift_id}")
        grid = await self.storage.grids.get(shift.grid_id)
        member = await self.storage.members.get(shift.member_id) if shift.member_id else None
        assert grid is not None
        now = self.clock.now()
        async with self.storage.db.transaction() as conn:
            if not await self.storage.shifts.cancel(conn, shift_id, now, CANCELLABLE):
                raise RosterError(Problem("unknown_shift"))
            if member is not None and member.telegram_id is not None:
                told = message(
                    KIND_CANCELLED, member.telegram_id, member.id, {"shift": shift_id}, now
                )
                await self.storage.outbox.enqueue_many(conn, [told], now)
            await self.authz.audit(
                actor, "cancel_shift", unit, f"shift {shift_id} grid {grid.code} {shift.day}"
            )
        return Cancelled(shift, grid, member)


def _tree_order(units: list[Unit]) -> list[Unit]:
    """Depth first, children by name, as people read a tree."""
    by_id = {u.id: u for u in units}
    keys: dict[int, tuple[tuple[str, int], ...]] = {}

    def key(unit: Unit) -> tuple[tuple[str, int], ...]:
        if unit.id not in keys:
            parent = by_id.get(unit.parent_id) if unit.parent_id else None
            keys[unit.id] = (key(parent) if parent else ()) + ((unit.name, unit.id),)
        return keys[unit.id]

    return sorted(units, key=key)


def _clash(
    plan: PlannedShift, taken: list[tuple[datetime, datetime, Shift | int]]
) -> Problem | None:
    """The first live shift (stored, or an earlier row's line) that ``plan`` overlaps."""
    for span in plan.spans:
        for starts, ends, other in taken:
            if not (starts < span.ends_at and span.starts_at < ends):
                continue
            details: dict[str, Any] = {"name": plan.member.display_name}
            if isinstance(other, int):
                return Problem("overlap_file", plan.line, {**details, "other": other})
            if (other.grid_id, starts, ends) == (plan.grid.id, span.starts_at, span.ends_at):
                return Problem("already_there", plan.line, {**details, "day": span.day})
            # The other shift told in the clock of the one being planned.
            local_start, local_end = starts.astimezone(plan.zone), ends.astimezone(plan.zone)
            when = f"{local_start:%H:%M}–{local_end:%H:%M}"
            return Problem(
                "overlap_existing", plan.line, {**details, "day": local_start.date(), "time": when}
            )
    return None
