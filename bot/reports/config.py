"""The ``[reports]`` section: forms that the holders of a role answer for their unit once
a day (the secretaries' daily report to the level above), each with its own window,
reminders, escalation and digest. The questions use the check-in's form model."""

from __future__ import annotations

from datetime import time

from pydantic import Field, field_validator

from bot.kit.daily import ClockTime, DailyForm, FormRole
from bot.kit.questions import Strict, Text, question_problems


class ReportForm(DailyForm):
    """A daily form for a unit's leaders (``bot/kit/daily.py``): the holders of ``role``
    answer it once a day for their unit, reminded at ``opens`` and each of ``reminders``
    while it has not reported; after ``due`` the units that did not are listed to the
    level above. ``levels``: empty, every unit."""

    title: Text
    role: FormRole = FormRole.SECRETARY
    opens: ClockTime = time(7, 0)
    due: ClockTime = time(10, 0)
    # When the level above receives its children's reports, compiled (at or after ``due``).
    digest: ClockTime = time(10, 30)

    @field_validator("role", mode="before")
    @classmethod
    def _a_leader(cls, role: object) -> object:
        if role not in (FormRole.SECRETARY, FormRole.COORDINATOR):
            raise ValueError(f"{role!r} is not a unit leader's role (secretary or coordinator);"
                             " the members' daily form is [checkin]")  # fmt: skip
        return role


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
