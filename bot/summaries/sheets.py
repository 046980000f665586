"""The workbook's row sheets, shared by the summary's workbook and ``/export``: members,
check-in answers, shifts, end-of-duty reports, and the definitions of the figures.

Made for filters and pivots: one typed value per cell (numbers as numbers, times as local
spreadsheet datetimes in each row's unit's timezone), statuses as plain words, the
@username in its own column."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.kit.forms import shown, text_in
from bot.kit.questions import CHOICE_KINDS, Kind, Question
from bot.kit.tables import Cell, Table
from bot.kit.zones import unit_zone
from bot.summaries.figures import FIGURES, REACH_FIGURES, member_status_key
from bot.summaries.service import ANSWER_ROWS
from storage.exports import AnswerRow, MemberDay, ShiftRow
from storage.models import ShiftStatus, Unit
from storage.reach import How, MemberReach

Words = Callable[[str], str]
# How a check-in was made, when not by the member in chat: "phone (on behalf by Sue)", "not
# reached: no answer" (``bot.kit.reach.reached_word`` in the reader's language).
Reached = Callable[[MemberReach | None], str]


def local(moment: datetime | None, unit: Unit | None, zone: ZoneInfo) -> datetime | None:
    """``moment`` on the wall clock of ``unit`` (else ``zone``), without a timezone:
    spreadsheets have none."""
    if moment is None:
        return None
    return moment.astimezone(unit_zone(unit, zone)).replace(tzinfo=None)


def handle(username: str | None) -> str:
    return f"@{username}" if username else ""


def answer_cell(question: Question, value: Any, language: str, t: Words) -> Cell:
    """One answer as a typed cell: a number as a number, choices as their labels. An
    answer stored under an older form (another kind then) is shown as it was stored."""
    if value is None:
        return None
    if question.kind in CHOICE_KINDS:
        return shown(language, question, value)
    if question.kind is Kind.NUMBER and isinstance(value, int | float):
        return float(value)
    if question.kind is Kind.LOCATION and isinstance(value, dict):
        return f"{value.get('lat', 0):.5f}, {value.get('lon', 0):.5f}"
    if question.kind is Kind.PHOTO:
        return t("summary-answer-photo")
    return str(value)


@dataclass(frozen=True, slots=True)
class Answers:
    """A form's questions as columns, in the reader's language: one per question."""

    questions: Sequence[Question]
    language: str
    t: Words

    def header(self) -> list[str]:
        return [
            f"{text_in(self.language, q.prompt)} ({q.unit})"
            if q.unit
            else text_in(self.language, q.prompt)
            for q in self.questions
        ]

    def cells(self, answers: dict[str, Any]) -> list[Cell]:
        return [answer_cell(q, answers.get(q.id), self.language, self.t) for q in self.questions]


# Who and how a check-in went, on the members' and the answers' sheets alike.
_WHO_HEADS = ("summary-col-name", "summary-col-username", "summary-col-unit")
_MARK_HEADS = ("summary-col-time", "summary-col-excused", "summary-col-flag", "summary-col-phone")


def _who(name: str, username: str | None, unit: Unit | None) -> list[Cell]:
    return [name, handle(username), unit.name if unit else ""]


def _marks(
    at: datetime | None, unit: Unit | None, zone: ZoneInfo, excused: bool, flagged: bool,
    t: Words, phone: str,
) -> list[Cell]:  # fmt: skip
    """When the check-in was last saved (local), whether it excuses or flags, and what a
    secretary recorded by phone."""
    return [local(at, unit, zone), t("summary-yes") if excused else "",
            t("summary-yes") if flagged else "", phone]  # fmt: skip


def _phone(by: str | None, unreached: str | None) -> MemberReach | None:
    """Checked in by phone on behalf of ``by``, or missing and not reached (why)."""
    if by is not None:
        return MemberReach(How.PHONE, by=by)
    if unreached is not None:
        return MemberReach(How.UNREACHED, note=unreached)
    return None


def member_sheet(
    members: Sequence[MemberDay], units: dict[int, Unit], zone: ZoneInfo, t: Words, how: Reached
) -> Table:
    header = [*map(t, _WHO_HEADS), t("summary-col-status"), *map(t, _MARK_HEADS)]
    rows: list[list[Cell]] = []
    for m in members:
        unit = units.get(m.unit_id)
        excused = m.status == "excused"
        phone = how(_phone(m.by_phone, m.unreached))
        rows.append(
            [*_who(m.display_name, m.username, unit), t(member_status_key(m.status)),
             *_marks(m.checked_at, unit, zone, excused, m.flagged, t, phone)]
        )  # fmt: skip
    return header, rows


def answer_sheet(
    answers: Sequence[AnswerRow],
    form: Answers,
    units: dict[int, Unit],
    zone: ZoneInfo,
    how: Reached,
) -> Table:
    """One row per check-in, each question's answer in its own column."""
    t = form.t
    header = [t("summary-col-day"), *map(t, _WHO_HEADS), *map(t, _MARK_HEADS), *form.header()]
    rows: list[list[Cell]] = []
    for a in answers[:ANSWER_ROWS]:
        unit = units.get(a.unit_id)
        phone = how(_phone(a.by_phone, None))
        rows.append(
            [a.day, *_who(a.display_name, a.username, unit),
             *_marks(a.updated_at, unit, zone, a.excused, a.flagged, t, phone),
             *form.cells(a.answers)]
        )  # fmt: skip
    if len(answers) > ANSWER_ROWS:  # the last row says so rather than leave it unsaid
        rows.append([None, t("summary-answers-cut")])
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


# The columns a shift's row starts with, on the shifts and the duty reports sheets.
_SHIFT_HEADS = (
    "summary-col-unit", "summary-col-grid", "summary-col-grid-name", "summary-col-name",
    "summary-col-username", "summary-col-start", "summary-col-end",
)  # fmt: skip


def _shift_cells(s: ShiftRow, name: str, username: str | None, units: dict[int, Unit],
                 zone: ZoneInfo) -> list[Cell]:  # fmt: skip
    """Where and when a shift is, with ``name`` as who the row is about."""
    unit = units.get(s.unit_id)
    return [
        unit.name if unit else "", s.grid_code, s.grid_name, name, handle(username),
        local(s.starts_at, unit, zone), local(s.ends_at, unit, zone),
    ]  # fmt: skip


def shift_sheet(
    shifts: Sequence[ShiftRow], units: dict[int, Unit], zone: ZoneInfo, t: Words
) -> Table:
    """A row per shift as it stands, and one more for the member who declined it, with
    their reason (the shift's row shows who covers it, if anyone)."""
    header = [*map(t, _SHIFT_HEADS), t("summary-col-status"), t("summary-col-decline-reason")]
    rows: list[list[Cell]] = []
    for s in shifts:
        if s.declined_name is not None:
            declined = _shift_cells(s, s.declined_name, None, units, zone)
            rows.append([*declined, t("summary-shift-declined"), s.decline_reason or ""])
        held = _shift_cells(s, s.member_name or "", s.username, units, zone)
        rows.append([*held, t(_shift_status(s)), ""])
    return header, rows


def report_sheet(
    shifts: Sequence[ShiftRow], form: Answers, units: dict[int, Unit], zone: ZoneInfo
) -> Table:
    """One row per filed end-of-duty report, each question's answer in its own column."""
    rows: list[list[Cell]] = [
        [*_shift_cells(s, s.member_name or "", s.username, units, zone), *form.cells(s.report)]
        for s in shifts
        if s.report is not None
    ]
    return [*map(form.t, _SHIFT_HEADS), *form.header()], rows


def definition_sheet(t: Words) -> Table:
    """What each figure counts, worded once in the catalogues: the text, the chart and the
    sheets all use these figures (``bot/summaries/figures.py``)."""
    return (
        [t("summary-col-figure"), t("summary-col-definition")],
        [[t(f.name), t(f.definition)] for f in FIGURES]
        + [[t(f.name), t(f.definition)] for f in REACH_FIGURES],
    )
