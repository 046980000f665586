"""What roster checks and views produce: planned shifts, check results, a day's roster and
coverage per unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.duty.reading import Problem
from storage.models import Grid, Member, Shift, Unit


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
