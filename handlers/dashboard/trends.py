"""The Trends view's answer (``GET /dashboard/api/trends``): ``bot/dashboard/trends.py``'s
days as charts for the page to draw, in the person's words: the check-in rate (0 to 1, a
gap where nobody was expected), then one chart per reported figure, each with the unit's
total and a line per summary line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.dashboard.trends import Part, TrendLine, Trends
from bot.kit.forms import text_in
from bot.kit.i18n import format_date_iso, format_day
from bot.kit.questions import Report
from bot.services import Services

TRENDS_LABELS = {
    "title": "dashboard-trends-title",
    "no_data": "dashboard-trends-no-data",
    "total": "dashboard-trends-total",
}

# A chart's name, by what it counts.
THRESHOLD_KEYS = {"above": "dashboard-trends-above", "below": "dashboard-trends-below"}
REPORT_KEYS = {
    Report.COUNT: "dashboard-trends-count",
    Report.SUM: "dashboard-trends-sum",
    Report.MEAN: "dashboard-trends-mean",
    Report.MAX: "dashboard-trends-max",
}


def _title(services: Services, part: Part, language: str) -> str:
    """The chart's name, as the summary's figure line words the part."""
    question = part.question
    label = text_in(language, question.label or question.prompt)
    i18n = services.i18n
    if part.kind == "choice":
        assert part.choice is not None
        flag = "🚩 " if part.choice.flag else ""
        return f"{label}: {flag}{text_in(language, part.choice.label)}"
    if part.kind in THRESHOLD_KEYS:
        limit = question.flag_above if part.kind == "above" else question.flag_below
        unit = f" {question.unit}" if question.unit else ""
        key = THRESHOLD_KEYS[part.kind]
        return i18n.plain(language, key, label=label, limit=f"{limit or 0:g}{unit}")
    return i18n.plain(language, REPORT_KEYS[question.report or Report.COUNT], label=label)


def trends_answer(
    services: Services, found: Trends, language: str, now: datetime
) -> dict[str, Any]:
    i18n = services.i18n
    total_name = i18n.plain(language, "dashboard-trends-total")

    def name(line: TrendLine) -> str:
        if line.own:
            return i18n.plain(language, "dashboard-own", unit=line.unit.name)
        return line.unit.name

    def rates(line: TrendLine) -> list[float | None]:
        """A gap on a day off, as the summary shows "—" then."""
        return [
            None if c.rate is None or off else round(c.rate, 4)
            for c, off in zip(line.counts, found.off, strict=True)
        ]

    def values(line: TrendLine, part: Part) -> list[float | None]:
        found_values = (part.value(f) for f in line.figures)
        return [None if v is None else round(v, 2) for v in found_values]

    def series(line: TrendLine, data: list[float | None], total: bool = False) -> dict[str, Any]:
        return {"id": line.unit.id, "name": total_name if total else name(line), "total": total,
                "values": data}  # fmt: skip

    charts = [
        {
            "kind": "rate",
            "title": i18n.plain(language, "dashboard-trends-rate"),
            "lines": [series(found.total, rates(found.total), total=True)]
            + [series(line, rates(line)) for line in found.lines],
        }
    ]
    for part in found.parts:
        charts.append(
            {
                "kind": "number",
                "title": _title(services, part, language),
                "unit": part.question.unit or "",
                "lines": [series(found.total, values(found.total, part), total=True)]
                + [series(line, values(line, part)) for line in found.lines],
            }
        )
    zone = services.summaries.zone_of(found.unit)
    local = now.astimezone(zone)
    return {
        "texts": {key: i18n.plain(language, value) for key, value in TRENDS_LABELS.items()},
        "unit": {"id": found.unit.id, "name": found.unit.name},
        "days": [format_date_iso(day) for day in found.days],
        "off": found.off,
        "day_labels": [format_day(day, language) for day in found.days],
        "heading": i18n.plain(
            language,
            "dashboard-trends-heading",
            first=format_day(found.days[0], language),
            last=format_day(found.days[-1], language),
        ),
        "updated": i18n.plain(language, "dashboard-updated", time=f"{local:%H:%M:%S}"),
        "charts": charts,
    }
