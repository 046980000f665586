"""The summary's attachments: a chart image (check-in rate per child unit; a 7-day chart
for the weekly summary) and an XLSX workbook (units, members with the day's status,
shifts, directives and acknowledgements).

Charts are drawn with matplotlib's Agg backend (no display). Servers rarely have a CJK
font: names a font on this machine cannot draw are replaced by unit codes, and the chart's
own words are kept to numbers, dates and codes, so it reads the same in either language.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.duty_schedule import status_key
from bot.i18n import Translator, html_to_text
from bot.services.summaries import BookParts, Export, Summary
from bot.tables import Cell, Table, xlsx_bytes
from storage.exports import ShiftRow
from storage.models import ShiftStatus, Unit
from storage.summaries import DirectiveDay

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CHART_UNITS = 25  # bars; the rest are in the workbook
_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
_RED, _GREEN, _GREY = "#d9534f", "#5cb85c", "#999999"
_MEMBER_STATUS_KEYS = {
    "checked_in": "summary-status-checked-in",
    "excused": "summary-status-excused",
    "on_leave": "summary-status-on-leave",
    "missing": "summary-status-missing",
}


@cache
def cjk_font() -> str | None:
    """A font family on this machine that draws Chinese, if any."""
    from matplotlib import font_manager

    for family in _CJK_FAMILIES:
        try:
            font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        return family
    return None


def _label(name: str, code: str) -> str:
    """The unit's name, or its code where the name needs a font this machine lacks."""
    if cjk_font() is None and any(ord(ch) >= 0x2E80 for ch in name):
        return code
    return name


# pyplot keeps global state: one chart at a time, whichever thread draws it.
_PYPLOT = threading.Lock()


@cache
def _pyplot() -> Any:
    """pyplot, imported on the first chart: it takes about 0.4 s, which every start of the
    bot paid (a restart after a crash too) though charts are drawn once an evening."""
    import matplotlib

    matplotlib.use("Agg")  # before pyplot: no display on a server
    from matplotlib import pyplot

    return pyplot


def _png(figure: Figure) -> bytes:
    try:
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        _pyplot().close(figure)


def _figure(rows: int) -> tuple[Figure, Axes]:
    """Phone-shaped: narrow, as tall as the rows need."""
    if cjk_font() is not None:
        _pyplot().rcParams["font.sans-serif"] = [cjk_font(), "DejaVu Sans"]
    figure, axes = _pyplot().subplots(figsize=(6, max(2.8, 0.42 * rows + 1.4)), dpi=150)
    return figure, axes


def day_chart(summary: Summary) -> bytes:
    """Check-in rate per child unit, worst at the top, 80% and above in green."""
    with _PYPLOT:
        return _day_chart(summary)


def _day_chart(summary: Summary) -> bytes:
    lines = [line for line in summary.lines if line.counts.rate is not None][:CHART_UNITS]
    names = [_label(line.unit.name, line.unit.code) for line in lines][::-1]
    rates = [round((line.counts.rate or 0) * 100) for line in lines][::-1]
    figure, axes = _figure(len(lines))
    bars = axes.barh(names, rates, color=[_RED if r < 80 else _GREEN for r in rates])
    axes.bar_label(bars, labels=[f"{r}%" for r in rates], padding=3)
    axes.set_xlim(0, 112)
    axes.set_xlabel("%")
    axes.set_title(f"{summary.committee.code} · {summary.day.isoformat()}")
    if not lines:
        axes.text(50, 0, "—", ha="center", color=_GREY)
    return _png(figure)


def week_chart(week: Sequence[Summary]) -> bytes:
    """The committee's rate per day over the week, and each child unit's, thin."""
    with _PYPLOT:
        return _week_chart(week)


def _week_chart(week: Sequence[Summary]) -> bytes:
    days = [s.day.strftime("%m-%d") for s in week]
    figure, axes = _figure(8)
    children: dict[int, list[float | None]] = {}
    for index, summary in enumerate(week):
        for line in summary.lines:
            series = children.setdefault(line.unit.id, [None] * len(week))
            series[index] = None if line.counts.rate is None else line.counts.rate * 100
    for series in list(children.values())[:CHART_UNITS]:
        axes.plot(days, [float("nan") if v is None else v for v in series], color=_GREY, lw=0.8)
    totals = [float("nan") if s.total.rate is None else s.total.rate * 100 for s in week]
    axes.plot(days, totals, color=_GREEN, lw=2.5, marker="o")
    axes.set_ylim(0, 105)
    axes.set_ylabel("%")
    axes.set_title(f"{week[-1].committee.code} · {week[0].day.isoformat()} – {days[-1]}")
    return _png(figure)


def workbook(summary: Summary, parts: BookParts, i18n: Translator, language: str) -> bytes:
    """Sheets: units (every unit of the subtree, its own members), members with the day's
    status, shifts, directives with acknowledgements."""

    def t(key: str) -> str:
        return i18n.plain(language, key)

    units, members, shifts = parts.units, parts.members, parts.shifts
    zone = summary.zone
    unit_rows: list[list[Cell]] = []
    for unit in sorted(units.values(), key=lambda u: u.path):
        c = parts.per_unit.get(unit.id)
        if c is None:
            continue
        rate = None if c.rate is None else round(c.rate * 100, 1)
        unit_rows.append(
            [unit.code, unit.name, unit.depth, c.members, c.checked_in, c.excused, c.on_leave,
             c.missing, rate]
        )  # fmt: skip
    member_rows: list[list[Cell]] = [
        [
            m.display_name,
            units[m.unit_id].name if m.unit_id in units else "",
            t(_MEMBER_STATUS_KEYS[m.status]),
            "🚩" if m.flagged else "",
            m.checked_at.astimezone(zone).strftime("%H:%M") if m.checked_at else "",
        ]
        for m in members
    ]
    return xlsx_bytes(
        {
            t("summary-sheet-units"): (
                [t("summary-col-code"), t("summary-col-unit"), t("summary-col-level"),
                 t("summary-col-members"), t("summary-col-checked"), t("summary-col-excused"),
                 t("summary-col-leave"), t("summary-col-missing"), t("summary-col-rate")],
                unit_rows,
            ),
            t("summary-sheet-members"): (
                [t("summary-col-name"), t("summary-col-unit"), t("summary-col-status"),
                 t("summary-col-flag"), t("summary-col-time")],
                member_rows,
            ),
            t("summary-sheet-shifts"): _shift_sheet(shifts, units, t, zone),
            t("summary-sheet-directives"): _directive_sheet(summary.directives, t),
        }
    )  # fmt: skip


def export_workbook(export: Export, i18n: Translator, language: str) -> bytes:
    """Sheets: every unit's own members per day (a row per unit and day), shifts, and
    directives with acknowledgements, for ``/export``."""

    def t(key: str) -> str:
        return i18n.plain(language, key)

    names = {u.id: u for u in export.units}
    day_rows: list[list[Cell]] = []
    for day, counts in export.days:
        for unit in export.units:
            c = counts.get(unit.id)
            if c is None:
                continue
            rate = None if c.rate is None else round(c.rate * 100, 1)
            day_rows.append(
                [day.isoformat(), unit.code, unit.name, c.members, c.checked_in, c.excused,
                 c.on_leave, c.missing, rate]
            )  # fmt: skip
    return xlsx_bytes(
        {
            t("summary-sheet-days"): (
                [t("summary-col-day"), t("summary-col-code"), t("summary-col-unit"),
                 t("summary-col-members"), t("summary-col-checked"), t("summary-col-excused"),
                 t("summary-col-leave"), t("summary-col-missing"), t("summary-col-rate")],
                day_rows,
            ),
            t("summary-sheet-shifts"): _shift_sheet(export.shifts, names, t, None),
            t("summary-sheet-directives"): _directive_sheet(export.directives, t),
        }
    )  # fmt: skip


def _shift_sheet(
    shifts: Sequence[ShiftRow],
    units: dict[int, Unit],
    t: Callable[[str], str],
    zone: ZoneInfo | None,
) -> Table:
    """Times in ``zone``, or each shift's own unit's when None (a range over many units)."""
    rows: list[list[Cell]] = []
    for s in shifts:
        unit = units.get(s.unit_id)
        here = zone or (ZoneInfo(unit.timezone) if unit and unit.timezone else None)
        rows.append(
            [
                unit.name if unit else "",
                s.grid_code,
                s.grid_name,
                s.member_name or "",
                _local(s.starts_at, here),
                _local(s.ends_at, here),
                t(status_key(ShiftStatus(s.status), started=s.uncovered)),  # as /roster says it
                s.decline_reason or ("✓" if s.declined else ""),
            ]
        )
    header = [
        t("summary-col-unit"), t("summary-col-grid"), t("summary-col-grid-name"),
        t("summary-col-name"), t("summary-col-start"), t("summary-col-end"),
        t("summary-col-status"), t("summary-col-declined"),
    ]  # fmt: skip
    return header, rows


def _directive_sheet(directives: Sequence[DirectiveDay], t: Callable[[str], str]) -> Table:
    rows: list[list[Cell]] = [
        [d.directive_id, html_to_text(d.text)[:200], "✓" if d.ack_required else "",
         d.recipients, d.sent, d.acked if d.ack_required else None]
        for d in directives
    ]  # fmt: skip
    header = [
        t("summary-col-id"), t("summary-col-text"), t("summary-col-ack-required"),
        t("summary-col-recipients"), t("summary-col-sent"), t("summary-col-acked"),
    ]  # fmt: skip
    return header, rows


def _local(moment: datetime, zone: ZoneInfo | None) -> str:
    return (moment.astimezone(zone) if zone else moment).strftime("%Y-%m-%d %H:%M")
