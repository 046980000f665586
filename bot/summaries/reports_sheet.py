"""The workbook's Reports sheet: the leaders' daily reports (``bot/reports/``), a row per
unit, form and day, each question's answer in its own typed column; a unit that did not
report is listed too, with the status "missing"."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.kit.forms import text_in
from bot.kit.tables import Cell, Table
from bot.reports.book import ReportRow
from bot.reports.config import ReportForm
from bot.summaries.sheets import Answers, Words, local

_HEADS = (
    "summary-col-day", "summary-col-unit", "summary-col-form", "summary-col-status",
    "summary-col-filed-by", "summary-col-filed-at",
)  # fmt: skip


def leader_report_sheet(
    rows: Sequence[ReportRow], forms: Sequence[ReportForm], zone: ZoneInfo, language: str, t: Words
) -> Table:
    """Each form's questions get columns of their own, side by side (a row fills its
    form's); with several forms, each column's head starts with its form's title."""
    columns: dict[str, tuple[int, Answers]] = {}
    header = list(map(t, _HEADS))
    for form in forms:
        answers = Answers(form.questions, language, t)
        columns[form.id] = (len(header), answers)
        title = text_in(language, form.title)
        header += [f"{title}: {h}" if len(forms) > 1 else h for h in answers.header()]
    table: list[list[Cell]] = []
    for row in rows:
        report = row.report
        cells: list[Cell] = [
            row.day,
            row.unit.name,
            text_in(language, row.form.title),
            t("summary-report-filed" if report else "summary-report-missing"),
            (row.author or "") if report else "",
            local(report.filed_at, row.unit, zone) if report else None,
        ]
        cells += [None] * (len(header) - len(cells))
        if report and row.form.id in columns:
            at, answers = columns[row.form.id]
            filled = answers.cells(report.answers)
            cells[at : at + len(filled)] = filled
        table.append(cells)
    return header, table
