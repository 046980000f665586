"""The dashboard's Duty view: a unit's grids on a plain map, each coloured by the state of
tonight's shifts, with the day's incidents as pins.

It is ``/roster``'s day (``RosterService.day_roster``: the same check, default deny,
refusals audited, and the same coverage counts the summary's duty line sums), laid out
for drawing: grid centres projected to metres around their middle, so the page draws
circles of their true radii in one SVG without a tile server."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.duty.plans import DayRoster, GridDay
from bot.duty.roster import RosterService
from bot.org.authz import Actor
from storage import Storage
from storage.incidents import Incident
from storage.models import ShiftStatus, Unit

# A grid's colour, from the most advanced of its shifts of the day. The first three have a
# covering shift (``bot/duty/roster.py``'s COVERING); the last two are the roster's
# "uncovered" grids, a no-show told apart since someone was meant to be there.
STARTED, CONFIRMED, COVERED, NO_SHOW, UNCOVERED = (
    "started",
    "confirmed",
    "covered",
    "no_show",
    "uncovered",
)
GRID_STATES = (UNCOVERED, NO_SHOW, COVERED, CONFIRMED, STARTED)
_BY_STATUS = (
    ({ShiftStatus.STARTED, ShiftStatus.COMPLETED}, STARTED),
    ({ShiftStatus.CONFIRMED}, CONFIRMED),
    ({ShiftStatus.ASSIGNED}, COVERED),
    ({ShiftStatus.NO_SHOW}, NO_SHOW),
)
# Metres per degree of latitude, and of longitude at the equator (WGS 84, rounded): a
# county is small enough for a flat map.
_LAT_M, _LON_M = 110_574.0, 111_320.0
# A grid with a centre but no radius is drawn this share of the map wide, to be seen.
_DOT = 0.015
_MARGIN = 0.06


def grid_state(day: GridDay) -> str:
    statuses = {entry.shift.status for entry in day.entries}
    for wanted, state in _BY_STATUS:
        if statuses & wanted:
            return state
    return UNCOVERED


@dataclass(frozen=True, slots=True)
class Point:
    """A place on the map, in metres east (x) and south (y) of its middle."""

    x: float
    y: float


@dataclass(frozen=True, slots=True)
class MapGrid:
    day: GridDay
    state: str
    at: Point | None  # None: the grid has no centre, so it is listed, not drawn
    radius: float  # metres as drawn (at least a dot)


@dataclass(frozen=True, slots=True)
class Pin:
    incident: Incident
    at: Point | None
    grid: GridDay | None  # the grid of the incident's shift, when it is on this map


@dataclass(frozen=True, slots=True)
class DutyMap:
    roster: DayRoster  # /roster's day: its coverage counts and shifts
    grids: list[MapGrid]  # in /roster's order
    pins: list[Pin]  # the day's incidents, oldest first
    box: tuple[float, float, float, float] | None  # SVG viewBox; None: nothing to draw
    # The projection, for placing map tiles (``bot/dashboard/tiles.py``): the latitude and
    # longitude at 0, 0 and the metres per degree of latitude and of longitude there.
    origin: tuple[float, float] | None = None
    metres: tuple[float, float] = (0.0, 0.0)

    def states(self) -> dict[str, int]:
        """Active grids per state; ``uncovered`` + ``no_show`` is the roster's uncovered."""
        counts = dict.fromkeys(GRID_STATES, 0)
        for grid in self.grids:
            if grid.day.grid.active:
                counts[grid.state] += 1
        return counts


class DutyMaps:
    def __init__(self, storage: Storage, roster: RosterService) -> None:
        self.storage = storage
        self.roster = roster

    async def tonight(self, actor: Actor, unit: Unit) -> DutyMap:
        """The unit's subtree today (its local date, as ``/roster`` opens), drawn; raises
        ``PermissionDeniedError`` (audited) as ``/roster`` does."""
        roster = await self.roster.day_roster(actor, unit, self.roster.today(unit))
        incidents = await self.storage.incidents.of_subtree_day(
            roster.unit.path, roster.day.isoformat()
        )
        return layout(roster, incidents)


def layout(roster: DayRoster, incidents: Sequence[Incident]) -> DutyMap:
    placed = [g.grid for g in roster.grids if g.grid.lat is not None and g.grid.lon is not None]
    spots = [(i.lat, i.lon) for i in incidents if i.lat is not None and i.lon is not None]
    points = [(g.lat or 0.0, g.lon or 0.0) for g in placed] + spots
    if not points:
        grids = [MapGrid(g, grid_state(g), None, 0.0) for g in roster.grids]
        return DutyMap(roster, grids, [Pin(i, None, _grid_of(roster, i)) for i in incidents], None)
    lat0 = (min(p[0] for p in points) + max(p[0] for p in points)) / 2
    lon0 = (min(p[1] for p in points) + max(p[1] for p in points)) / 2
    east = _LON_M * math.cos(math.radians(lat0))

    def project(lat: float | None, lon: float | None) -> Point | None:
        if lat is None or lon is None:
            return None
        return Point((lon - lon0) * east, (lat0 - lat) * _LAT_M)

    centres = {g.grid.id: project(g.grid.lat, g.grid.lon) for g in roster.grids}
    radii = {g.grid.id: float(g.grid.radius_m or 0) for g in roster.grids}
    edges = [
        (p.x - radii[gid], p.y - radii[gid], p.x + radii[gid], p.y + radii[gid])
        for gid, p in centres.items()
        if p is not None
    ] + [(p.x, p.y, p.x, p.y) for p in (project(*s) for s in spots) if p is not None]
    left, top = min(e[0] for e in edges), min(e[1] for e in edges)
    right, bottom = max(e[2] for e in edges), max(e[3] for e in edges)
    size = max(right - left, bottom - top, 200.0)  # a lone dot still gets a map around it
    dot = size * _DOT
    grids = [
        MapGrid(g, grid_state(g), centres[g.grid.id], max(radii[g.grid.id], dot))
        for g in roster.grids
    ]
    margin = size * _MARGIN + dot
    width, height = max(right - left, 200.0), max(bottom - top, 200.0)
    middle_x, middle_y = (left + right) / 2, (top + bottom) / 2
    box = (
        round(middle_x - width / 2 - margin, 1),
        round(middle_y - height / 2 - margin, 1),
        round(width + 2 * margin, 1),
        round(height + 2 * margin, 1),
    )
    pins = [Pin(i, project(i.lat, i.lon), _grid_of(roster, i)) for i in incidents]
    return DutyMap(roster, grids, pins, box, (lat0, lon0), (_LAT_M, east))


def _grid_of(roster: DayRoster, incident: Incident) -> GridDay | None:
    for grid in roster.grids:
        if any(entry.shift.id == incident.shift_id for entry in grid.entries):
            return grid
    return None
