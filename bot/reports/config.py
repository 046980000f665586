"""The ``[reports]`` section: forms that the holders of a role answer for their unit once
a day (the secretaries' daily report to the level above), each with its own window,
reminders, escalation and digest. The questions use the check-in's form model."""

from __future__ import annotations

from datetime import time
from enum import StrEnum

from pydantic import Field

from bot.checkins.config import ClockTime
from bot.kit.questions import Identifier, Question, Strict, Text, question_problems


class Answerer(StrEnum):
    """Who answers a report for their unit (values as ``Role`` spells them)."""

    SECRETARY = "secretary"
    COORDINATOR = "coordinator"


class ReportForm(Strict):
    # Stored with each report and carried by its buttons: keep it short and stable.
    id: Identifier
    title: Text
    role: Answerer = Answerer.SECRETARY
    # Which units report, by depth below the top of the tree: 0 the top committee, 1 the
    # units right under it, … Empty: every unit.
    levels: list[int] = Field(default_factory=list)
    # The window in each unit's local time: the holders are reminded at ``opens`` and may
    # answer (and change the answer) until ``due``.
    opens: ClockTime = time(7, 0)
    due: ClockTime = time(10, 0)
    # Further reminders, inside the window, to those whose unit has not reported yet.
    reminders: list[ClockTime] = Field(default_factory=list)
    # When the level above receives its children's reports, compiled (at or after ``due``).
    digest: ClockTime = time(10, 30)
    questions: list[Question] = Field(default_factory=list)


class ReportSettings(Strict):
    forms: list[ReportForm] = Field(default_factory=list)


def report_problems(section: ReportSettings) -> list[str]:
    """Checks across keys, each naming the key at fault."""
    problems: list[str] = []
    seen: set[str] = set()
    for index, form in enumerate(section.forms):
        key = f"reports.forms[{index}]"
        if form.id in seen:
            problems.append(f"{key}.id: {form.id!r} is already used by another form")
        seen.add(form.id)
        if form.due <= form.opens:
            problems.append(f"{key}.due: {form.due:%H:%M} is not after opens {form.opens:%H:%M}")
        for at, moment in enumerate(form.reminders):
            if not form.opens < moment < form.due:
                problems.append(
                    f"{key}.reminders[{at}]: {moment:%H:%M} is outside the window "
                    f"{form.opens:%H:%M}-{form.due:%H:%M} (the opening reminds anyway)"
                )
        if form.digest < form.due:
            problems.append(
                f"{key}.digest: {form.digest:%H:%M} is before due {form.due:%H:%M}; the "
                "digest compiles the reports once nobody can change them"
            )
        if any(level < 0 for level in form.levels):
            problems.append(f"{key}.levels: a level is a depth from the top, 0 or more")
        if not form.questions:
            problems.append(f"{key}.questions: the form needs at least one question")
        ids: set[str] = set()
        for at, question in enumerate(form.questions):
            if question.id in ids:
                problems.append(f"{key}.questions[{at}].id: {question.id!r} is listed twice")
            ids.add(question.id)
            problems += question_problems(f"{key}.questions[{at}]", question)
    return problems
