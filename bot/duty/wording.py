"""The one word for each shift status, used by /roster (the workbook has plain words), and
how a grid is named: the part of duty's wording that other features may use."""

from __future__ import annotations

from storage.models import Grid, ShiftStatus

# How a shift's status reads in /roster.
SHIFT_STATUS_KEYS = {
    ShiftStatus.ASSIGNED: "roster-status-assigned",
    ShiftStatus.CONFIRMED: "roster-status-confirmed",
    ShiftStatus.OPEN: "roster-status-open",
    ShiftStatus.STARTED: "roster-status-started",
    ShiftStatus.COMPLETED: "roster-status-completed",
    ShiftStatus.NO_SHOW: "roster-status-no-show",
    ShiftStatus.CANCELLED: "roster-status-cancelled",
}

# /roster's count of a unit's shifts by state: (catalogue key, field of ``UnitCoverage``, or
# of the summary's ``Duty`` that sums them), in the order it reads them.
COVERAGE_COUNTS = (
    ("roster-count-assigned", "assigned"),
    ("roster-count-confirmed", "confirmed"),
    ("roster-count-open", "open"),
    ("roster-count-uncovered", "unfilled"),
    ("roster-count-started", "started"),
    ("roster-count-completed", "completed"),
    ("roster-count-no-show", "no_show"),
)


def status_key(status: ShiftStatus, *, started: bool) -> str:
    """How a shift's status reads, ``started`` or not yet: an open shift whose start has
    passed no longer needs cover, nobody covered it (the secretaries were told so)."""
    if status is ShiftStatus.OPEN and started:
        return "roster-status-uncovered"
    return SHIFT_STATUS_KEYS[status]


def grid_label(grid: Grid) -> str:
    """``G-12 Elm Street``: the code people plan with, then the name."""
    return f"{grid.code} {grid.name}"
