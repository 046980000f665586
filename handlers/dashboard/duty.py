"""The Duty view's answer (``GET /dashboard/api/duty``): ``bot/dashboard/duty.py``'s map
in the person's words, with /roster's own: its coverage line, its status of each shift."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.dashboard.duty import (
    CONFIRMED,
    COVERED,
    GRID_STATES,
    NO_SHOW,
    STARTED,
    UNCOVERED,
    DutyMap,
    MapGrid,
    Pin,
)
from bot.dashboard.tiles import cover
from bot.duty.wording import COVERAGE_COUNTS, grid_label, status_key
from bot.kit.i18n import format_date_iso, format_day
from bot.services import Services
from bot.summaries.service import Duty

# The page's words for this view (the rest come with each grid and shift).
DUTY_LABELS = {
    "title": "dashboard-duty-title",
    "legend": "dashboard-duty-legend",
    "grids": "dashboard-duty-grids",
    "incidents": "dashboard-duty-incidents",
    "no_grids": "dashboard-duty-no-grids",
    "no_map": "dashboard-duty-no-map",
    "no_shifts": "dashboard-duty-no-shifts",
    "tap": "dashboard-duty-tap",
}

# A grid's state, in the legend.
STATE_KEYS = {
    STARTED: "dashboard-duty-started",
    CONFIRMED: "dashboard-duty-confirmed",
    COVERED: "dashboard-duty-covered",
    NO_SHOW: "dashboard-duty-no-show",
    UNCOVERED: "dashboard-duty-uncovered",
}


def duty_answer(services: Services, found: DutyMap, language: str, now: datetime) -> dict[str, Any]:
    i18n = services.i18n
    roster = found.roster
    zone = services.roster.zone_of(roster.unit)
    total = Duty.of(roster.coverage)
    shown = [i18n.plain(language, key, n=getattr(total, name)) for key, name in COVERAGE_COUNTS]
    counts = " · ".join(
        text for text, (_, name) in zip(shown, COVERAGE_COUNTS, strict=True) if getattr(total, name)
    )
    states = found.states()

    def grid(entry: MapGrid) -> dict[str, Any]:
        day = entry.day
        unit_zone = services.roster.zone_of(day.unit)
        return {
            "id": day.grid.id,
            "code": day.grid.code,
            "label": grid_label(day.grid),
            "unit": day.unit.name,
            "state": entry.state,
            "x": round(entry.at.x, 1) if entry.at else None,
            "y": round(entry.at.y, 1) if entry.at else None,
            "r": round(entry.radius, 1),
            "shifts": [
                {
                    "time": f"{e.shift.starts_at.astimezone(unit_zone):%H:%M}"
                    f"–{e.shift.ends_at.astimezone(unit_zone):%H:%M}",
                    "name": e.member_name or "—",
                    "status": e.shift.status.value,
                    "word": i18n.plain(
                        language, status_key(e.shift.status, started=e.shift.starts_at <= now)
                    ),
                }
                for e in day.entries
            ],
        }

    def pin(entry: Pin) -> dict[str, Any]:
        incident = entry.incident
        names = {e.shift.id: e.member_name for e in entry.grid.entries} if entry.grid else {}
        return {
            "x": round(entry.at.x, 1) if entry.at else None,
            "y": round(entry.at.y, 1) if entry.at else None,
            "time": f"{incident.at.astimezone(zone):%H:%M}",
            "grid": grid_label(entry.grid.grid) if entry.grid else "",
            "name": names.get(incident.shift_id) or "—",
            "text": incident.text or "",
        }

    local = now.astimezone(zone)
    settings = services.settings.dashboard
    tiles = []
    if settings.tiles and found.box and found.origin:
        tiles = cover(settings.tiles, found.box, found.origin, found.metres)
    return {
        "texts": {name: i18n.plain(language, key) for name, key in DUTY_LABELS.items()},
        "unit": {"id": roster.unit.id, "name": roster.unit.name},
        "day": format_date_iso(roster.day),
        "heading": i18n.plain(
            language, "dashboard-duty-heading", day=format_day(roster.day, language)
        ),
        "updated": i18n.plain(language, "dashboard-updated", time=f"{local:%H:%M:%S}"),
        # The numbers of /roster's coverage line and of the summary's duty line.
        "total": {
            "grids": total.grids,
            "uncovered": total.uncovered,
            **{name: getattr(total, name) for _, name in COVERAGE_COUNTS},
            "line": i18n.plain(
                language,
                "roster-coverage",
                unit=roster.unit.name,
                grids=total.grids,
                uncovered=total.uncovered,
                counts=counts or i18n.plain(language, "roster-count-none"),
            ),
        },
        "legend": [
            {
                "state": state,
                "label": i18n.plain(language, STATE_KEYS[state]),
                "count": states[state],
            }
            for state in GRID_STATES
        ],
        "box": list(found.box) if found.box else None,
        "grids": [grid(entry) for entry in found.grids],
        "pins": [pin(entry) for entry in found.pins],
        # Drawn under the grids when a tile server is configured; empty otherwise.
        "tiles": [{"url": t.url, "x": t.x, "y": t.y, "w": t.width, "h": t.height} for t in tiles],
        "attribution": settings.tiles_attribution if tiles else "",
    }
