"""The workbook's row sheets, shared by the summary's workbook and ``/export``: members,
check-in answers, shifts, end-of-duty reports, and the definitions of the figures.

Made for filters and pivots: one typed value per cell (numbers as numbers, times as local
spreadsheet datetimes in each row's unit's timezone), statuses as plain words, the
@username in its own column."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.kit.forms import text_in
from bot.kit.questions import CHOICE_KINDS, Kind, Question
from bot.kit.tables import Cell, Table
from bot.kit.zones import unit_zone
from bot.summaries.figures import FIGURES, member_status_key
from storage.exports import AnswerRow, MemberDay, ShiftRow
from storage.models import ShiftStatus, Unit

Words = Callable[[str], str]


def local(moment: datetime | None, unit: Unit | None, zone: ZoneInfo) -> datetime | None:
    """``moment`` on the wall clock of ``unit`` (else ``zone``), without a timezone:
    spreadsheets have none."""
    if moment is None:
        return None
    return moment.astimezone(unit_zone(unit, zone)).replace(tzinfo=None)


def handle(username: str | None) -> str:
    return f"@{username}" if username else ""


def answer_cell(question: Question, value: Any, language: str, t: Words) -> Cell:
    """One answer as a typed cell: a number as a number, choices as their labels."""
    if value is None:
        return None
    if question.kind in CHOICE_KINDS:
        labels = {c.id: text_in(language, c.label) for c in question.choices}
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(c), str(c)) for c in chosen)
    if question.kind is Kind.NUMBER:
        return float(value)
    if question.kind is Kind.LOCATION:
        return f"{value['lat']:.5f}, {value['lon']:.5f}"
    if question.kind is Kind.PHOTO:
        return t("summary-answer-photo")
    return str(value)


def _prompts(questions: Sequence[Question], language: str) -> list[str]:
    return [
        f"{text_in(language, q.prompt)} ({q.unit})" if q.unit else text_in(language, q.prompt)
        for q in questions
    ]


def member_sheet(
    members: Sequence[MemberDay], units: dict[int, Unit], zone: ZoneInfo, t: Words
) -> Table:
    header = [
        t("summary-col-name"), t("summary-col-username"), t("summary-col-unit"),
        t("summary-col-status"), t("summary-col-excused"), t("summary-col-flag"),
        t("summary-col-time"),
    ]  # fmt: skip
    rows: list[list[Cell]] = []
    for m in members:
        unit = units.get(m.unit_id)
        rows.append(
            [
                m.display_name,
                handle(m.username),
                unit.name if unit else "",
                t(member_status_key(m.status)),
                t("summary-yes") if m.status == "excused" else "",
                t("summary-yes") if m.flagged else "",
                local(m.checked_at, unit, zone),
            ]
        )
    return header, rows


def answer_sheet(
    answers: Sequence[AnswerRow],
    questions: Sequence[Question],
    units: dict[int, Unit],
    zone: ZoneInfo,
    language: str,
    t: Words,
) -> Table:
    """One row per check-in, each question's answer in its own column."""
    header = [
        t("summary-col-day"), t("summary-col-name"), t("summary-col-username"),
        t("summary-col-unit"), t("summary-col-time"), t("summary-col-excused"),
        t("summary-col-flag"), *_prompts(questions, language),
    ]  # fmt: skip
    rows: list[list[Cell]] = []
    for a in answers:
        unit = units.get(a.unit_id)
        rows.append(
            [
                a.day,
                a.display_name,
                handle(a.username),
                unit.name if unit else "",
                local(a.updated_at, unit, zone),
                t("summary-yes") if a.excused else "",
                t("summary-yes") if a.flagged else "",
                *(answer_cell(q, a.answers.get(q.id), language, t) for q in questions),
            ]
        )
    return header, rows


# Plain words (no status marks, unlike /roster's) so a filter lists each status once.
_SHIFT_STATUS_KEYS = {
    ShiftStatus.ASSIGNED: "summary-shift-assigned",
    ShiftStatus.CONFIRMED: "summary-shift-confirmed",
    ShiftStatus.OPEN: "summary-shift-open",
    ShiftStatus.STARTED: "summary-shift-started",
    ShiftStatus.COMPLETED: "summary-shift-completed",
    ShiftStatus.NO_SHOW: "summary-shift-no-show",
    ShiftStatus.CANCELLED: "summary-shift-cancelled",
}


def _shift_status(shift: ShiftRow) -> str:
    """The same cases /roster tells apart: an open shift whose start passed is uncovered."""
    if shift.status == ShiftStatus.OPEN and shift.uncovered:
        return "summary-shift-uncovered"
    return _SHIFT_STATUS_KEYS[ShiftStatus(shift.status)]


def shift_sheet(
    shifts: Sequence[ShiftRow], units: dict[int, Unit], zone: ZoneInfo, t: Words
) -> Table:
    """A row per shift as it stands, and one more for the member who declined it, with
    their reason (the shift's row shows who covers it, if anyone)."""
    header = [
        t("summary-col-unit"), t("summary-col-grid"), t("summary-col-grid-name"),
        t("summary-col-name"), t("summary-col-username"), t("summary-col-start"),
        t("summary-col-end"), t("summary-col-status"), t("summary-col-decline-reason"),
    ]  # fmt: skip
    rows: list[list[Cell]] = []
    for s in shifts:
        unit = units.get(s.unit_id)
        where: list[Cell] = [unit.name if unit else "", s.grid_code, s.grid_name]
        when: list[Cell] = [local(s.starts_at, unit, zone), local(s.ends_at, unit, zone)]
        if s.declined_name is not None:
            rows.append(
                [*where, s.declined_name, "", *when, t("summary-shift-declined"),
                 s.decline_reason or ""]
            )  # fmt: skip
        rows.append(
            [*where, s.member_name or "", handle(s.username), *when, t(_shift_status(s)), ""]
        )
    return header, rows


def report_sheet(
    shifts: Sequence[ShiftRow],
    questions: Sequence[Question],
    units: dict[int, Unit],
    zone: ZoneInfo,
    language: str,
    t: Words,
) -> Table:
    """One row per filed end-of-duty report, each question's answer in its own column."""
    header = [
        t("summary-col-unit"), t("summary-col-grid"), t("summary-col-grid-name"),
        t("summary-col-name"), t("summary-col-username"), t("summary-col-start"),
        t("summary-col-end"), *_prompts(questions, language),
    ]  # fmt: skip
    rows: list[list[Cell]] = []
    for s in shifts:
        if s.report is None:
            continue
        unit = units.get(s.unit_id)
        report = s.report
        rows.append(
            [
                unit.name if unit else "",
                s.grid_code,
                s.grid_name,
                s.member_name or "",
                handle(s.username),
                local(s.starts_at, unit, zone),
                local(s.ends_at, unit, zone),
                *(answer_cell(q, report.get(q.id), language, t) for q in questions),
            ]
        )
    return header, rows


def definition_sheet(t: Words) -> Table:
    """What each figure counts, worded once in the catalogues: the text, the chart and the
    sheets all use these figures (``bot/summaries/figures.py``)."""
    return (
        [t("summary-col-figure"), t("summary-col-definition")],
        [[t(figure.name), t(figure.definition)] for figure in FIGURES],
    )
