"""The summary's workbook: an XLSX file (units, members with the day's status, shifts,
directives and acknowledgements), and ``/export``'s of a range of days. The charts are in
``bot/summaries/charts.py``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.duty.wording import status_key
from bot.kit.i18n import Translator, html_to_text
from bot.kit.tables import Cell, Table, xlsx_bytes
from bot.summaries.service import BookParts, Export, Summary
from storage.exports import ShiftRow
from storage.models import ShiftStatus, Unit
from storage.summaries import DirectiveDay

_MEMBER_STATUS_KEYS = {
    "checked_in": "summary-status-checked-in",
    "excused": "summary-status-excused",
    "on_leave": "summary-status-on-leave",
    "missing": "summary-status-missing",
}


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
            # Only on a day with questions: a plain day's workbook stays as it was.
            **({t("summary-sheet-questions"): _question_sheet(summary, t)}
               if summary.questions else {}),
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


def _question_sheet(summary: Summary, t: Callable[[str], str]) -> Table:
    """A row per question, unit (one level below the committee, as in the text) and
    answer, "not answered" last: the summary's tallies, every unit."""
    rows: list[list[Cell]] = []
    for asked in summary.questions:
        for unit, tally in asked.lines:
            where: list[Cell] = [asked.directive_id, html_to_text(asked.text)[:200], unit.code,
                                 unit.name]  # fmt: skip
            for index, label in enumerate(asked.labels):
                count = tally.choices.get(index)
                members, brought = (count.members, count.number_sum) if count else (0, 0)
                rows.append([*where, label, members, brought or None])
            rows.append([*where, t("summary-question-not-answered"), tally.not_answered, None])
    header = [
        t("summary-col-id"), t("summary-col-text"), t("summary-col-code"), t("summary-col-unit"),
        t("summary-col-answer"), t("summary-col-members"), t("summary-col-number-sum"),
    ]  # fmt: skip
    return header, rows


def _local(moment: datetime, zone: ZoneInfo | None) -> str:
    return (moment.astimezone(zone) if zone else moment).strftime("%Y-%m-%d %H:%M")
