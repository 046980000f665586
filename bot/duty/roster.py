"""Grids and the duty roster: importing and managing grids, building shifts (CSV files,
the CLI, ``/assign``), weekly repeats, overlap rules, and a day's coverage per unit.

What happens to a shift once it exists (confirm, decline, cover, start, end, no-show) is
in ``bot/duty/service.py``.

Every way of making shifts (a file from the CLI, a file sent in chat, ``/assign``) goes
through one checker, so the rules cannot drift apart. Problems are reason codes with
details; :func:`describe` turns them into text from the catalogue, for chat (HTML) and
for the CLI (plain English).
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.checkins.service import local_instant
from bot.duty.config import DutySettings
from bot.kit.clock import Clock
from bot.kit.days import plausible
from bot.kit.i18n import Translator, format_day
from bot.kit.typed import parse_decimal, parse_whole, typed
from bot.kit.zones import unit_zone
from bot.org.authz import Action, Actor, Authorizer, can
from bot.org.membership import MembershipError, MembershipService
from bot.org.service import CODE_PATTERN, MAX_NAME
from storage import Storage
from storage.grids import GridSpec
from storage.models import Grid, Member, Shift, ShiftStatus, Unit
from storage.outbox import NewMessage
from storage.shifts import NewShift

MAX_FILE_BYTES = 1_000_000
MAX_FILE_TEXT = "1 MB"
MAX_ROWS = 5_000
MAX_SHIFT = timedelta(hours=24)
# A grid is a street, a community or a village, not a province.
MAX_RADIUS_M = 50_000
SHIFT_COLUMNS = ("grid", "member", "date", "start", "end", "repeat_weeks")
GRID_COLUMNS = ("code", "name", "unit", "lat", "lon", "radius_m")
# Shifts that cover their grid for the day (an open, no-show or cancelled one does not).
COVERING = (
    ShiftStatus.ASSIGNED,
    ShiftStatus.CONFIRMED,
    ShiftStatus.STARTED,
    ShiftStatus.COMPLETED,
)
CANCELLABLE = (ShiftStatus.ASSIGNED, ShiftStatus.CONFIRMED, ShiftStatus.OPEN)

_CLOCK = re.compile(r"^\s*(\d{1,2})[:：.](\d{2})\s*$")
# Excel writes dates its own way (2026/12/1 in Chinese locales).
_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*$")
_SPAN = re.compile(r"\s*[-–—~～至到]\s*")

# Reason → catalogue message. Every problem a check can find is listed here.
PROBLEM_KEYS = {
    # the file as a whole
    "too_big": "roster-problem-too-big",
    "not_text": "roster-problem-not-text",
    "not_csv": "roster-problem-not-csv",
    "bad_csv": "roster-problem-bad-csv",
    "bad_toml": "roster-problem-bad-toml",
    "too_many_rows": "roster-problem-too-many-rows",
    "no_rows": "roster-problem-no-rows",
    "bad_header": "roster-problem-bad-header",
    "unknown_columns": "roster-problem-unknown-columns",
    "extra_fields": "roster-problem-extra-fields",
    "missing": "roster-problem-missing",
    # grids
    "bad_code": "roster-problem-bad-code",
    "code_taken": "roster-problem-code-taken",
    "duplicate_code": "roster-problem-duplicate-code",
    "name_too_long": "roster-problem-name-too-long",
    "unknown_unit": "roster-problem-unknown-unit",
    "unit_scope": "roster-problem-unit-scope",
    "bad_lat": "roster-problem-bad-lat",
    "bad_lon": "roster-problem-bad-lon",
    "half_centre": "roster-problem-half-centre",
    "bad_radius": "roster-problem-bad-radius",
    "radius_without_centre": "roster-problem-radius-without-centre",
    # shifts
    "unknown_grid": "roster-problem-unknown-grid",
    "inactive_grid": "roster-problem-inactive-grid",
    "grid_scope": "roster-problem-grid-scope",
    "unknown_member": "roster-problem-unknown-member",
    "ambiguous_member": "roster-problem-ambiguous-member",
    "inactive_member": "roster-problem-inactive-member",
    "member_outside": "roster-problem-member-outside",
    "bad_date": "roster-problem-bad-date",
    "bad_time": "roster-problem-bad-time",
    "zero_length": "roster-problem-zero-length",
    "too_long": "roster-problem-too-long",
    "past": "roster-problem-past",
    "bad_repeat": "roster-problem-bad-repeat",
    "overlap_file": "roster-problem-overlap-file",
    "overlap_existing": "roster-problem-overlap-existing",
    "already_there": "roster-problem-already-there",
    # single actions
    "unknown_shift": "roster-problem-unknown-shift",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong, at a line of a file (0: the file as a whole, or no file)."""

    reason: str
    line: int = 0
    details: dict[str, Any] = field(default_factory=dict)


class RosterError(Exception):
    """One problem that stops an action (``/assign``, adding a grid, a cancel)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.reason)
        self.problem = problem


ECHO_LIMIT = 60


def describe(i18n: Translator, language: str, problem: Problem, *, plain: bool = False) -> str:
    """The problem in words, ``Line 3: …`` when it has a line; HTML unless ``plain``."""
    render = i18n.plain if plain else i18n.t
    args = {
        key: format_day(value, language) if isinstance(value, date) else _echo(value)
        for key, value in problem.details.items()
    }
    text = render(language, PROBLEM_KEYS[problem.reason], **args)
    if problem.line:
        return render(language, "roster-problem-line", line=problem.line, problem=text)
    return text


def _echo(value: object) -> object:
    """What someone typed, quoted back in a refusal: a few words at most, so that pasting
    a book cannot make the answer longer than Telegram takes."""
    if isinstance(value, str) and len(value) > ECHO_LIMIT:
        return value[: ECHO_LIMIT - 1] + "…"
    return value


# Reading files -------------------------------------------------------------------------

Row = tuple[int, dict[str, str]]  # line number, cells by lower-case column name


def decode(data: bytes) -> str | None:
    """UTF-8 (with or without a byte-order mark), else GB18030 (what Chinese Excel saves);
    None for anything else, and for binary files that happen to decode."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if "\x00" in text else text
    return None


def _cell(value: object) -> str:
    return "" if value is None else str(value).strip()


def read_csv(data: bytes, columns: Sequence[str], required: int) -> tuple[list[Row], list[Problem]]:
    """The data rows of a CSV file whose header names ``columns`` (the first ``required``
    of them must be there), or the problems that make it unreadable."""
    if len(data) > MAX_FILE_BYTES:
        return [], [Problem("too_big", details={"limit": MAX_FILE_TEXT})]
    text = decode(data)
    if text is None:
        return [], [Problem("not_text")]
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [_cell(h).lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        return [], [Problem("bad_csv", 1, {"error": str(exc)})]
    wanted = ",".join(columns[:required])
    if any(name not in header for name in columns[:required]):
        return [], [
            Problem("bad_header", 1, {"columns": wanted, "optional": _rest(columns, required)})
        ]
    unknown = [h for h in header if h not in columns]
    if unknown:
        return [], [Problem("unknown_columns", 1, {"columns": ", ".join(unknown)})]
    reader.fieldnames = header
    rows: list[Row] = []
    problems: list[Problem] = []
    try:
        for record in reader:
            if len(rows) >= MAX_ROWS:
                return [], [Problem("too_many_rows", details={"limit": MAX_ROWS})]
            if None in record:
                problems.append(Problem("extra_fields", reader.line_num))
                continue
            cells = {k: _cell(v) for k, v in record.items()}
            if any(cells.values()):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:  # e.g. a quote never closed, so one field runs on and on
        return [], [Problem("bad_csv", reader.line_num, {"error": str(exc)})]
    if not rows and not problems:
        problems.append(Problem("no_rows"))
    return rows, problems


def _rest(columns: Sequence[str], required: int) -> str:
    return ",".join(columns[required:])


def read_grid_toml(data: bytes) -> tuple[list[Row], list[Problem]]:
    """``[[grid]]`` tables; each entry is numbered by the line of its header."""
    if len(data) > MAX_FILE_BYTES:
        return [], [Problem("too_big", details={"limit": MAX_FILE_TEXT})]
    text = decode(data)
    if text is None:
        return [], [Problem("not_text")]
    try:
        entries = tomllib.loads(text).get("grid")
    except tomllib.TOMLDecodeError as exc:
        return [], [Problem("bad_toml", details={"error": str(exc)})]
    if not isinstance(entries, list) or not entries:
        return [], [Problem("no_rows")]
    if len(entries) > MAX_ROWS:
        return [], [Problem("too_many_rows", details={"limit": MAX_ROWS})]
    headers = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[grid]]"]
    rows: list[Row] = []
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        line = headers[index] if len(headers) == len(entries) else 0
        extra = sorted(set(entry) - set(GRID_COLUMNS)) if isinstance(entry, dict) else ["?"]
        if extra:
            problems.append(Problem("unknown_columns", line, {"columns": ", ".join(extra)}))
            continue
        rows.append((line, {k: _cell(v) for k, v in entry.items()}))
    return rows, problems


def parse_clock(text: str, *, end: bool = False) -> time | None:
    """``18:00`` (also ``18.00``, ``18：00``); ``24:00`` only as an end (midnight)."""
    match = _CLOCK.match(typed(text))
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if end and (hour, minute) == (24, 0):
        return time(0, 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_span(text: str) -> tuple[time, time] | None:
    """``18:00-22:00`` (also with ``–``, ``~``, ``至`` or ``到``); an end at or before the
    start is the next day's."""
    parts = _SPAN.split(typed(text))
    if len(parts) != 2:
        return None
    start, end = parse_clock(parts[0]), parse_clock(parts[1], end=True)
    return (start, end) if start is not None and end is not None else None


def parse_radius(text: str) -> int | None:
    """Whole metres, 1 to MAX_RADIUS_M (``500`` or ``500 m``)."""
    radius = parse_whole(typed(text).lower().removesuffix("m")) or 0
    return radius if 0 < radius <= MAX_RADIUS_M else None


def parse_day(text: str) -> date | None:
    match = _DATE.match(typed(text))
    if not match:
        return None
    try:
        day = date(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    return day if plausible(day) else None


# Plans and results ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    starts_at: datetime
    ends_at: datetime
    day: date  # local date of the start


@dataclass(frozen=True, slots=True)
class PlannedShift:
    """One good row (or one ``/assign``): a member on a grid, with its weekly repeats."""

    line: int
    grid: Grid
    unit: Unit  # the grid's
    member: Member
    spans: tuple[Span, ...]
    zone: ZoneInfo  # the unit's: the times of the spans are local to it


@dataclass(frozen=True, slots=True)
class ShiftCheck:
    rows: int
    good: tuple[PlannedShift, ...]
    problems: tuple[Problem, ...]

    @property
    def shifts(self) -> int:
        return sum(len(plan.spans) for plan in self.good)

    @property
    def bad_rows(self) -> int:
        return len({p.line for p in self.problems})

    @property
    def readable(self) -> bool:
        """False when the file itself is at fault (encoding, header …): no row was read."""
        return self.rows > 0


@dataclass(frozen=True, slots=True)
class Assignment:
    """One shift as ``/assign`` asks for it: local day and times in the grid's unit."""

    grid_id: int
    member_id: int
    day: date
    start: time
    end: time  # at or before ``start``: the next day
    repeat: int = 0  # weekly repeats after the first


@dataclass(frozen=True, slots=True)
class ShiftImport:
    check: ShiftCheck
    written: int  # shifts stored (0 when nothing was, e.g. problems without ``partial``)


@dataclass(frozen=True, slots=True)
class GridChanges:
    added: tuple[str, ...]
    updated: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.updated)


@dataclass(frozen=True, slots=True)
class UnitCoverage:
    """One unit's own grids and shifts on a day (its subtree is in other entries)."""

    unit: Unit
    grids: int = 0  # active grids
    uncovered: int = 0  # active grids with no assigned/confirmed/started/completed shift
    assigned: int = 0  # waiting for the member to confirm
    confirmed: int = 0
    open: int = 0  # declined or unconfirmed at the cut-off, start ahead: cover needed
    unfilled: int = 0  # open when it started: nobody covered it (no longer "cover needed")
    declined: int = 0  # declined by someone, whatever became of the shift since
    started: int = 0
    completed: int = 0
    no_show: int = 0
    cancelled: int = 0

    @property
    def shifts(self) -> int:
        """Shifts of the day that were not cancelled."""
        return (
            (self.assigned + self.confirmed + self.open + self.started + self.completed)
            + self.unfilled
            + self.no_show
        )


@dataclass(frozen=True, slots=True)
class RosterEntry:
    shift: Shift
    member_name: str | None  # None while open for cover


@dataclass(frozen=True, slots=True)
class GridDay:
    grid: Grid
    unit: Unit
    entries: tuple[RosterEntry, ...]


@dataclass(frozen=True, slots=True)
class DayRoster:
    unit: Unit
    day: date
    coverage: list[UnitCoverage]
    grids: list[GridDay]


@dataclass(frozen=True, slots=True)
class Cancelled:
    shift: Shift
    grid: Grid
    member: Member | None


# A message for the member whose shift was cancelled, made by whoever speaks their language.
CancelNotice = Callable[[Shift, Grid, Member], Awaitable[NewMessage | None]]


@dataclass
class _Seen:
    """What one check has looked up already (a file names the same grid many times)."""

    grids: dict[str, Grid] = field(default_factory=dict)
    units: dict[int, Unit] = field(default_factory=dict)
    members: dict[str, Member | Problem] = field(default_factory=dict)


class RosterService:
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

    # Grids -------------------------------------------------------------------------------

    async def import_grids(self, actor: Actor, data: bytes, name: str) -> GridChanges:
        """A whole grid file (CSV, or TOML by its name), checked before anything is
        written; RosterFileError lists every problem. Grids are matched by code, so a
        second import of the same file changes nothing."""
        if name.lower().endswith(".toml"):
            rows, problems = read_grid_toml(data)
        else:
            rows, problems = read_csv(data, GRID_COLUMNS, 3)
        units = {u.code.upper(): u for u in await self.storage.units.all()}
        existing = await self.storage.grids.by_codes(cells.get("code", "") for _, cells in rows)
        by_id = {u.id: u for u in units.values()}
        specs: list[GridSpec] = []
        seen: dict[str, int] = {}
        for line, cells in rows:
            found = _grid_spec(line, cells, units)
            if isinstance(found, list):
                problems += found
                continue
            key = found.code.upper()
            if key in seen:
                problems.append(
                    Problem("duplicate_code", line, {"code": found.code, "other": seen[key]})
                )
                continue
            seen[key] = line
            before = existing.get(key)
            touched = [by_id[found.unit_id]]
            if before is not None and before.unit_id in by_id:
                touched.append(by_id[before.unit_id])
            if not all(can(actor, Action.MANAGE_ROSTER, unit) for unit in touched):
                problems.append(Problem("unit_scope", line, {"code": found.code}))
                continue
            specs.append(found)
        if problems:
            raise RosterFileError(sorted(problems, key=lambda p: p.line))
        changes = await self._sync_grids(specs, existing)
        if not changes.empty:
            await self.authz.audit(
                actor,
                "import_grids",
                None,
                f"{name}: {len(changes.added)} added, {len(changes.updated)} updated",
            )
        return changes

    async def _sync_grids(self, specs: list[GridSpec], existing: dict[str, Grid]) -> GridChanges:
        now = self.clock.now()
        added: list[str] = []
        updated: list[str] = []
        async with self.storage.db.transaction() as conn:
            for spec in specs:
                before = existing.get(spec.code.upper())
                if before is None:
                    await self.storage.grids.insert(conn, spec, now)
                    added.append(spec.code)
                elif _differs(before, spec):
                    await self.storage.grids.update(conn, before.id, spec, now)
                    updated.append(spec.code)
        return GridChanges(tuple(added), tuple(updated))

    async def grids_of(self, actor: Actor, unit: Unit) -> list[Grid]:
        await self.authz.check(actor, Action.MANAGE_ROSTER, unit, "grids")
        return await self.storage.grids.of_unit(unit.id)

    async def code_problem(self, code: str) -> Problem | None:
        """Why ``code`` cannot name a new grid, if it cannot."""
        if not CODE_PATTERN.match(code):
            return Problem("bad_code", details={"code": code})
        taken = await self.storage.grids.by_code(code)
        if taken is not None and taken.active:
            return Problem("code_taken", details={"code": code})
        return None

    async def add_grid(
        self,
        actor: Actor,
        unit: Unit,
        code: str,
        name: str,
        *,
        lat: float | None = None,
        lon: float | None = None,
        radius_m: int | None = None,
    ) -> Grid:
        """A new grid, or a deactivated one with this code brought back as described."""
        await self.authz.check(actor, Action.MANAGE_ROSTER, unit, f"add grid {code}")
        problem = await self.code_problem(code)
        if problem is None:
            problem = name_problem(name)
        if problem is None and radius_m is not None and not 0 < radius_m <= MAX_RADIUS_M:
            problem = Problem("bad_radius", details={"max": MAX_RADIUS_M})
        if problem is not None:
            raise RosterError(problem)
        spec = GridSpec(
            code, name.strip(), unit.id, lat, lon, radius_m if lat is not None else None
        )
        before = await self.storage.grids.by_code(code)
        if before is not None:
            old_unit = await self.storage.units.get(before.unit_id)
            if old_unit is None or not can(actor, Action.MANAGE_ROSTER, old_unit):
                raise RosterError(Problem("code_taken", details={"code": code}))
        async with self.storage.db.transaction() as conn:
            if before is None:
                grid_id = await self.storage.grids.insert(conn, spec, self.clock.now())
            else:
                grid_id = before.id
                await self.storage.grids.update(conn, grid_id, spec, self.clock.now())
            await self.authz.audit(actor, "grid_add", unit, f"grid {code}")
        grid = await self.storage.grids.get(grid_id)
        assert grid is not None
        return grid

    async def grid_for(self, actor: Actor, grid_id: int) -> tuple[Grid, Unit]:
        """A grid and its unit, if the actor may manage them; RosterError otherwise."""
        grid = await self.storage.grids.get(grid_id)
        unit = await self.storage.units.get(grid.unit_id) if grid else None
        if grid is None or unit is None:
            raise RosterError(Problem("unknown_grid", details={"code": str(grid_id)}))
        await self.authz.check(actor, Action.MANAGE_ROSTER, unit, f"grid {grid.code}")
        return grid, unit

    async def upcoming_shifts(self, grid: Grid) -> int:
        return await self.storage.shifts.upcoming_of_grid(grid.id, self.clock.now())

    async def deactivate_grid(self, actor: Actor, grid_id: int) -> Grid:
        """No new shifts on it; those already on the roster stay (cancel them one by one)."""
        grid, unit = await self.grid_for(actor, grid_id)
        async with self.storage.db.transaction() as conn:
            if not await self.storage.grids.deactivate(conn, grid.id, self.clock.now()):
                raise RosterError(Problem("inactive_grid", details={"code": grid.code}))
            await self.authz.audit(actor, "grid_deactivate", unit, f"grid {grid.code}")
        return grid

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

    async def cancel_shift(self, actor: Actor, shift_id: int, notice: CancelNotice) -> Cancelled:
        """Cancel a shift not yet started; its member (if any) is told through the outbox
        in the same transaction."""
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
            message = await notice(shift, grid, member) if member else None
            if message is not None:
                await self.storage.outbox.enqueue_many(conn, [message], now)
            await self.authz.audit(
                actor, "cancel_shift", unit, f"shift {shift_id} grid {grid.code} {shift.day}"
            )
        return Cancelled(shift, grid, member)


class RosterFileError(Exception):
    """A grid file that cannot be imported; ``problems`` has every fault, with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


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


def name_problem(name: str) -> Problem | None:
    """Why ``name`` cannot name a grid, if it cannot."""
    if not name.strip():
        return Problem("missing", details={"columns": "name"})
    if len(name.strip()) > MAX_NAME:
        return Problem("name_too_long", details={"max": MAX_NAME})
    return None


def _grid_spec(
    line: int, cells: dict[str, str], units: dict[str, Unit]
) -> GridSpec | list[Problem]:
    """One grid row checked on its own (duplicates and scope are checked by the caller)."""
    missing = [c for c in GRID_COLUMNS[:3] if not cells.get(c)]
    if missing:
        return [Problem("missing", line, {"columns": ", ".join(missing)})]
    code, name, unit_code = cells["code"], cells["name"], cells["unit"]
    problems: list[Problem] = []
    if not CODE_PATTERN.match(code):
        problems.append(Problem("bad_code", line, {"code": code}))
    named = name_problem(name)
    if named is not None:
        problems.append(Problem(named.reason, line, named.details))
    unit = units.get(unit_code.upper())
    if unit is None:
        problems.append(Problem("unknown_unit", line, {"unit": unit_code}))
    lat_text, lon_text = cells.get("lat", ""), cells.get("lon", "")
    lat = parse_decimal(lat_text) if lat_text else None
    lon = parse_decimal(lon_text) if lon_text else None
    if lat_text and (lat is None or not -90 <= lat <= 90):
        problems.append(Problem("bad_lat", line, {"value": lat_text}))
    if lon_text and (lon is None or not -180 <= lon <= 180):
        problems.append(Problem("bad_lon", line, {"value": lon_text}))
    if bool(lat_text) != bool(lon_text):
        problems.append(Problem("half_centre", line))
    radius_text = cells.get("radius_m", "")
    radius = parse_radius(radius_text) if radius_text else None
    if radius_text:
        if radius is None:
            problems.append(Problem("bad_radius", line, {"max": MAX_RADIUS_M}))
        elif not lat_text:
            problems.append(Problem("radius_without_centre", line))
    if problems:
        return problems
    assert unit is not None
    return GridSpec(code, name, unit.id, lat, lon, radius)


def _differs(grid: Grid, spec: GridSpec) -> bool:
    return not grid.active or (grid.unit_id, grid.name, grid.lat, grid.lon, grid.radius_m) != (
        spec.unit_id,
        spec.name,
        spec.lat,
        spec.lon,
        spec.radius_m,
    )


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
