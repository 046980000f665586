"""What each figure of a summary counts, defined once: the text, the chart, the units'
and members' sheets and the Definitions sheet all follow these words.

"Checked in" counts every member who sent the day's check-in, those whose answer excuses
them (sick, leave) included; "excused by check-in" is a part of it, never added to it.
The numbers themselves are ``Counts`` (``bot/summaries/service.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.org.reach import Reach
from bot.summaries.service import Counts

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Figure(Generic[T]):
    name: str  # catalogue key of its column header
    definition: str  # catalogue key of what it counts
    of: Callable[[T], int | float | None]


def _rate(counts: Counts) -> float | None:
    return None if counts.rate is None else round(counts.rate * 100, 1)


# In the order of the sheets' columns (units, days) and of the Definitions sheet.
FIGURES: tuple[Figure[Counts], ...] = (
    Figure("summary-col-members", "summary-def-members", lambda c: c.members),
    Figure("summary-col-checked", "summary-def-checked", lambda c: c.checked_in),
    Figure("summary-col-excused", "summary-def-excused", lambda c: c.excused),
    Figure("summary-col-leave", "summary-def-leave", lambda c: c.on_leave),
    Figure("summary-col-missing", "summary-def-missing", lambda c: c.missing),
    Figure("summary-col-rate", "summary-def-rate", _rate),
)


# The units sheet's reach columns (issue #18), after the check-in figures, in this order.
REACH_FIGURES: tuple[Figure[Reach], ...] = (
    Figure("summary-col-expected", "summary-def-expected", lambda r: r.expected),
    Figure("summary-col-joined", "summary-def-joined", lambda r: r.joined),
    Figure("summary-col-telegram", "summary-def-telegram", lambda r: r.telegram),
    Figure("summary-col-fallback-only", "summary-def-fallback-only", lambda r: r.fallback),
    Figure("summary-col-unreachable", "summary-def-unreachable", lambda r: r.unreachable),
)


def reach_heads() -> list[str]:
    return [figure.name for figure in REACH_FIGURES]


def reach_cells(reach: Reach) -> list[int | float | None]:
    return [figure.of(reach) for figure in REACH_FIGURES]


def figure_heads() -> list[str]:
    return [figure.name for figure in FIGURES]


def figure_cells(counts: Counts) -> list[int | float | None]:
    return [figure.of(counts) for figure in FIGURES]


# A member's status on the members' sheet: an excused check-in is a check-in (the
# "excused" column says which), so filtering "checked in" gives the text's number.
_MEMBER_STATUS_KEYS = {
    "checked_in": "summary-status-checked-in",
    "excused": "summary-status-checked-in",
    "on_leave": "summary-status-on-leave",
    "missing": "summary-status-missing",
}


def member_status_key(status: str) -> str:
    return _MEMBER_STATUS_KEYS[status]
