"""The ``[checkin]`` section: the daily form, its window, reminders and days off.

The form is configuration so each organisation asks only what it needs. Every question and
choice has a short id (stored with answers and used in buttons' callback data, so it must
stay small and stable) and its text in both languages.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from pydantic import Field

from bot.kit.daily import WEEKDAYS, ClockTime, DailyForm, FormRole, Weekday
from bot.kit.durations import Duration
from bot.kit.questions import (
    Choice,
    Identifier,
    Kind,
    Question,
    Strict,
    Text,
    question_problems,
)


class LeaveReason(Strict):
    id: Identifier
    label: Text


def _default_questions() -> list[Question]:
    return [
        Question(
            id="status",
            kind=Kind.SINGLE_CHOICE,
            prompt=Text(en="Where are you today?", zh="您今天的状态？"),
            choices=[
                Choice(id="post", label=Text(en="At my post", zh="在岗")),
                Choice(id="leave", label=Text(en="On leave", zh="请假"), excused=True),
                Choice(id="sick", label=Text(en="Sick", zh="生病"), excused=True),
                Choice(id="problem", label=Text(en="I need help", zh="需要帮助"), flag=True),
            ],
        )
    ]


def _default_reasons() -> list[LeaveReason]:
    return [
        LeaveReason(id="annual", label=Text(en="Annual leave", zh="年假")),
        LeaveReason(id="sick", label=Text(en="Sick leave", zh="病假")),
        LeaveReason(id="other", label=Text(en="Other", zh="其他")),
    ]


class CheckinSettings(Strict):
    # The window, in each unit's local time: outside it nobody can check in.
    opens: ClockTime = time(6, 0)
    closes: ClockTime = time(22, 0)
    # Reminders to members who have not checked in yet (local times inside the window).
    reminders: list[ClockTime] = Field(default_factory=lambda: [time(9, 0), time(18, 0)])
    # Days without check-in: weekday names, and dated holidays.
    days_off: list[Weekday] = Field(default_factory=lambda: ["sat", "sun"])
    holidays: list[date] = Field(default_factory=list)
    # Dated working days that would be off by ``days_off`` (China's 调休 Saturdays).
    workdays: list[date] = Field(default_factory=list)
    # Send a flagged answer to the secretary at once (else only in the summary).
    flags_at_once: bool = True
    # A flag nobody marked handled this long climbs one rung (the secretaries, then the
    # coordinators, then the level above …), once per rung. Unset: only by hand.
    flag_escalate_after: Duration | None = None
    leave_reasons: list[LeaveReason] = Field(default_factory=_default_reasons)
    questions: list[Question] = Field(default_factory=_default_questions)

    def daily_form(self) -> DailyForm:
        """The section as a daily form (``bot/kit/daily.py``), the record the check-in's
        window and schedule read, as a leaders' report's do theirs: every member answers
        for themselves in their own unit, ``closes`` is its due time."""
        return DailyForm(
            id="checkin",
            role=FormRole.MEMBER,
            opens=self.opens,
            due=self.closes,
            reminders=self.reminders,
            questions=self.questions,
        )


def checkin_problems(form: CheckinSettings) -> list[str]:
    """Checks across keys, each naming the key at fault."""
    problems: list[str] = []
    if form.closes <= form.opens:
        problems.append(
            f"checkin.closes: {form.closes:%H:%M} is not after checkin.opens {form.opens:%H:%M}"
        )
    for index, moment in enumerate(form.reminders):
        if not form.opens <= moment < form.closes:
            problems.append(
                f"checkin.reminders[{index}]: {moment:%H:%M} is outside the window "
                f"{form.opens:%H:%M}-{form.closes:%H:%M}"
            )
    if len(set(form.reminders)) != len(form.reminders):
        problems.append("checkin.reminders: the same time is listed twice")
    if not form.questions:
        problems.append("checkin.questions: the form needs at least one question")
    seen: dict[str, int] = {}
    for index, question in enumerate(form.questions):
        key = f"checkin.questions[{index}]"
        if question.id in seen:
            first = seen[question.id]
            problems.append(f"{key}.id: {question.id!r} is already used by questions[{first}]")
        seen.setdefault(question.id, index)
        problems += question_problems(key, question)
    problems += _workday_problems(form)
    if form.flag_escalate_after is not None and form.flag_escalate_after < timedelta(hours=1):
        problems.append(
            "checkin.flag_escalate_after: less than an hour gives nobody time to answer"
        )
    reasons = [r.id for r in form.leave_reasons]
    if len(set(reasons)) != len(reasons):
        problems.append("checkin.leave_reasons: an id is listed twice")
    return problems


def _workday_problems(form: CheckinSettings) -> list[str]:
    """Refused rather than warned: a workday that is a working day anyway, or a holiday
    too, means the list was typed wrong (a date off by one), and a Saturday without its
    check-ins would go unnoticed."""
    problems: list[str] = []
    for index, day in enumerate(form.workdays):
        key = f"checkin.workdays[{index}]"
        weekday = WEEKDAYS[day.weekday()]
        if day in form.holidays:
            problems.append(f"{key}: {day} is also in checkin.holidays; keep it in one")
        elif weekday not in form.days_off:
            problems.append(
                f"{key}: {day} is a {weekday}, a working day anyway (not in checkin.days_off)"
            )
    if len(set(form.workdays)) != len(form.workdays):
        problems.append("checkin.workdays: a date is listed twice")
    return problems
