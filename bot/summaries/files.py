"""The summary's workbook: an XLSX file (units, members with the day's status, answers,
shifts, duty reports, directives and acknowledgements, definitions), and ``/export``'s of
a range of days; the row sheets are in ``bot/summaries/sheets.py``, the charts in
``bot/summaries/charts.py``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.kit.i18n import Translator, html_to_text
from bot.kit.tables import Cell, Table, xlsx_bytes
from bot.summaries.figures import figure_cells, figure_heads
from bot.summaries.service import BookParts, Export, Summary
from bot.summaries.sheets import (
    Answers,
    answer_sheet,
    definition_sheet,
    member_sheet,
    report_sheet,
    shift_sheet,
)
from storage.summaries import DirectiveDay


def workbook(summary: Summary, parts: BookParts, i18n: Translator, language: str) -> bytes:
    """Sheets: units (every unit of the subtree, its own members), members with the day's
    status, check-in answers, shifts, end-of-duty reports, directives with
    acknowledgements, and what each figure means."""

    def t(key: str) -> str:
        return i18n.plain(language, key)

    units, zone = parts.units, summary.zone
    unit_rows: list[list[Cell]] = []
    for unit in sorted(units.values(), key=lambda u: u.path):
        c = parts.per_unit.get(unit.id)
        if c is not None:
            unit_rows.append([unit.code, unit.name, unit.depth, *figure_cells(c)])
    return xlsx_bytes(
        {
            t("summary-sheet-units"): (
                [t("summary-col-code"), t("summary-col-unit"), t("summary-col-level"),
                 *map(t, figure_heads())],
                unit_rows,
            ),
            t("summary-sheet-members"): member_sheet(parts.members, units, zone, t),
            t("summary-sheet-answers"): answer_sheet(
                parts.answers, Answers(parts.questions, language, t), units, zone
            ),
            t("summary-sheet-shifts"): shift_sheet(parts.shifts, units, zone, t),
            t("summary-sheet-reports"): report_sheet(
                parts.shifts, Answers(parts.report_questions, language, t), units, zone
            ),
            t("summary-sheet-directives"): _directive_sheet(summary.directives, t),
            t("summary-sheet-definitions"): definition_sheet(t),
        }
    )  # fmt: skip


def export_workbook(export: Export, i18n: Translator, language: str) -> bytes:
    """Sheets: every unit's own members per day (a row per unit and day), the check-in
    answers, shifts, end-of-duty reports, directives with acknowledgements, and what each
    figure means, for ``/export``."""

    def t(key: str) -> str:
        return i18n.plain(language, key)

    names = {u.id: u for u in export.units}
    zone = export.zone
    day_rows: list[list[Cell]] = []
    for day, counts in export.days:
        for unit in export.units:
            c = counts.get(unit.id)
            if c is not None:
                day_rows.append([day, unit.code, unit.name, *figure_cells(c)])
    return xlsx_bytes(
        {
            t("summary-sheet-days"): (
                [t("summary-col-day"), t("summary-col-code"), t("summary-col-unit"),
                 *map(t, figure_heads())],
                day_rows,
            ),
            t("summary-sheet-answers"): answer_sheet(
                export.answers, Answers(export.questions, language, t), names, zone
            ),
            t("summary-sheet-shifts"): shift_sheet(export.shifts, names, zone, t),
            t("summary-sheet-reports"): report_sheet(
                export.shifts, Answers(export.report_questions, language, t), names, zone
            ),
            t("summary-sheet-directives"): _directive_sheet(export.directives, t),
            t("summary-sheet-definitions"): definition_sheet(t),
        }
    )  # fmt: skip


def _directive_sheet(directives: Sequence[DirectiveDay], t: Callable[[str], str]) -> Table:
    yes = t("summary-yes")
    rows: list[list[Cell]] = [
        [d.directive_id, html_to_text(d.text)[:200], yes if d.ack_required else "",
         d.recipients, d.sent, d.acked if d.ack_required else None]
        for d in directives
    ]  # fmt: skip
    header = [
        t("summary-col-id"), t("summary-col-text"), t("summary-col-ack-required"),
        t("summary-col-recipients"), t("summary-col-sent"), t("summary-col-acked"),
    ]  # fmt: skip
    return header, rows
