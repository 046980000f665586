"""The summary's workbook: an XLSX file (units, members with the day's status, answers,
shifts, duty reports, directives and acknowledgements, the day's questions, the leaders'
reports when forms are configured, definitions), and ``/export``'s of a range of days;
the row sheets are in ``bot/summaries/sheets.py``, the charts in ``bot/summaries/charts.py``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from zoneinfo import ZoneInfo

from bot.kit.i18n import Translator, html_to_text
from bot.kit.reach import reached_word
from bot.kit.tables import Cell, Table, xlsx_bytes
from bot.org.reach import Reach
from bot.summaries.figures import figure_cells, figure_heads, reach_cells, reach_heads
from bot.summaries.reports_sheet import leader_report_sheet
from bot.summaries.service import BookParts, Counts, Export, Summary
from bot.summaries.sheets import (
    Answers,
    Reached,
    answer_sheet,
    definition_sheet,
    member_sheet,
    report_sheet,
    shift_sheet,
)
from storage.answers import Asked
from storage.models import Unit
from storage.summaries import DirectiveDay


def workbook(summary: Summary, parts: BookParts, i18n: Translator, language: str) -> bytes:
    """Sheets: units (every unit of the subtree, its own members), members with the day's
    status, check-in answers, shifts, end-of-duty reports, directives with
    acknowledgements, and what each figure means."""

    def t(key: str) -> str:
        return i18n.plain(language, key)

    units, zone = parts.units, summary.zone
    how = partial(reached_word, i18n, language)
    unit_rows: list[list[Cell]] = []
    for unit in sorted(units.values(), key=lambda u: u.path):
        c, reach = parts.per_unit.get(unit.id), parts.reach.get(unit.id)
        if c is not None or reach is not None:  # a unit of the register alone has a row too
            unit_rows.append([unit.code, unit.name, unit.depth, *figure_cells(c or Counts()),
                              *reach_cells(reach or Reach())])  # fmt: skip
    sheets: dict[str, Table] = {
        t("summary-sheet-units"): (
            [t("summary-col-code"), t("summary-col-unit"), t("summary-col-level"),
             *map(t, figure_heads()), *map(t, reach_heads())],
            unit_rows,
        ),
        t("summary-sheet-members"): member_sheet(parts.members, units, zone, t, how),
    }  # fmt: skip
    return _rows_and_more(
        sheets, parts, units, summary.directives, zone, language, t, how, summary.asked
    )


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
    sheets: dict[str, Table] = {
        t("summary-sheet-days"): (
            [t("summary-col-day"), t("summary-col-code"), t("summary-col-unit"),
             *map(t, figure_heads())],
            day_rows,
        ),
    }  # fmt: skip
    how = partial(reached_word, i18n, language)
    return _rows_and_more(sheets, export, names, export.directives, zone, language, t, how)


def _rows_and_more(
    sheets: dict[str, Table],
    rows: BookParts | Export,
    units: dict[int, Unit],
    directives: Sequence[DirectiveDay],
    zone: ZoneInfo,
    language: str,
    t: Callable[[str], str],
    how: Reached,
    asked: Sequence[Asked] = (),
) -> bytes:
    """The workbook of ``sheets``, then the row sheets both workbooks have: answers,
    shifts, end-of-duty reports, directives, the questions ``asked`` (only on a day with
    some: a plain day's workbook keeps its sheets), the leaders' reports (when forms are
    configured) and the definitions last."""
    sheets[t("summary-sheet-answers")] = answer_sheet(
        rows.answers, Answers(rows.questions, language, t), units, zone, how
    )
    sheets[t("summary-sheet-shifts")] = shift_sheet(rows.shifts, units, zone, t)
    sheets[t("summary-sheet-reports")] = report_sheet(
        rows.shifts, Answers(rows.report_questions, language, t), units, zone
    )
    sheets[t("summary-sheet-directives")] = _directive_sheet(directives, t)
    if asked:
        sheets[t("summary-sheet-questions")] = _question_sheet(asked, t)
    if rows.forms:
        sheets[t("summary-sheet-leader-reports")] = leader_report_sheet(
            rows.leader_reports, rows.forms, zone, language, t
        )
    sheets[t("summary-sheet-definitions")] = definition_sheet(t)
    return xlsx_bytes(sheets)


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


def _question_sheet(questions: Sequence[Asked], t: Callable[[str], str]) -> Table:
    """A row per question, unit (one level below the committee, as in the text) and
    answer, "not answered" last: the summary's tallies, every unit."""
    rows: list[list[Cell]] = []
    for asked in questions:
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
