"""The Duty map's layout (``bot/dashboard/duty.py``): a grid's colour from its shifts, and
the grids drawn to scale inside the map's box, a grid without a radius still seen."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.dashboard.duty import grid_state, layout
from bot.duty.plans import DayRoster, GridDay, RosterEntry
from storage.models import Grid, Shift, ShiftStatus, Unit

UNIT = Unit(1, "RIV", "Riverside", None, "/1/", 0, None)
AT = datetime(2026, 12, 1, 10, tzinfo=UTC)


def day(grid_id: int, *statuses: ShiftStatus, at: tuple[float, float] | None = None,
        radius: int | None = None) -> GridDay:  # fmt: skip
    lat, lon = at or (None, None)
    grid = Grid(grid_id, 1, f"G{grid_id}", "Grid", lat, lon, radius, True)
    entries = tuple(
        RosterEntry(
            Shift(10 * grid_id + n, grid_id, 1, None, AT, AT, "2026-12-01", s, None, None), None
        )
        for n, s in enumerate(statuses)
    )
    return GridDay(grid, UNIT, entries)


@pytest.mark.parametrize(
    ("statuses", "state"),
    [
        ((), "uncovered"),
        ((ShiftStatus.OPEN, ShiftStatus.CANCELLED), "uncovered"),
        ((ShiftStatus.NO_SHOW, ShiftStatus.OPEN), "no_show"),
        ((ShiftStatus.NO_SHOW, ShiftStatus.ASSIGNED), "covered"),
        ((ShiftStatus.ASSIGNED, ShiftStatus.CONFIRMED), "confirmed"),
        ((ShiftStatus.CONFIRMED, ShiftStatus.COMPLETED), "started"),
        ((ShiftStatus.STARTED,), "started"),
    ],
)
def test_a_grid_takes_the_colour_of_its_most_advanced_shift(
    statuses: tuple[ShiftStatus, ...], state: str
) -> None:
    assert grid_state(day(1, *statuses)) == state


def test_grids_are_drawn_to_scale_inside_the_box() -> None:
    roster = DayRoster(
        UNIT,
        date(2026, 12, 1),
        [],
        [
            day(1, at=(31.23, 121.47), radius=500),
            day(2, at=(31.24, 121.47), radius=None),  # no radius: a dot, still seen
            day(3),  # no centre: listed, not drawn
        ],
    )
    drawn = layout(roster, [])
    one, two, three = drawn.grids
    assert three.at is None
    assert one.radius == 500.0 and two.radius > 0
    # 0.01° of latitude is about 1.1 km: north is up (a smaller y).
    assert one.at is not None and two.at is not None
    assert two.at.y - one.at.y == pytest.approx(-1105.7, abs=1)
    assert drawn.box is not None
    left, top, width, height = drawn.box
    for grid in (one, two):
        assert grid.at is not None
        assert left < grid.at.x - grid.radius and grid.at.x + grid.radius < left + width
        assert top < grid.at.y - grid.radius and grid.at.y + grid.radius < top + height


def test_nothing_to_draw_without_a_centre() -> None:
    roster = DayRoster(UNIT, date(2026, 12, 1), [], [day(1, ShiftStatus.OPEN)])
    drawn = layout(roster, [])
    assert drawn.box is None and [g.state for g in drawn.grids] == ["uncovered"]
