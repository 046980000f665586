"""The ``[duty]`` section: when a shift's member is asked, reminded and chased, and the
short report filed at the end of duty (questions like the check-in form's)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from bot.kit.durations import Duration
from bot.kit.questions import Kind, Question, Strict, Text, question_problems

# "Start duty" works from this long before the shift's start until its end.
START_EARLY = timedelta(minutes=15)
# Kinds an end-of-duty report may ask: the report is short and typed, not a survey.
REPORT_KINDS = (Kind.NUMBER, Kind.TEXT, Kind.SINGLE_CHOICE)


def _default_report() -> list[Question]:
    return [
        Question(
            id="visits",
            kind=Kind.NUMBER,
            prompt=Text(en="How many households did you visit?", zh="走访了多少户？"),
            min=0,
            max=10_000,
        ),
        Question(
            id="notes",
            kind=Kind.TEXT,
            prompt=Text(en="Anything to report?", zh="有什么需要报告的？"),
            required=False,
        ),
    ]


class DutySettings(Strict):
    # The member is asked to confirm this long before the shift starts.
    confirm_before: Duration = timedelta(hours=12)
    # One reminder this long after the request, if still unconfirmed (and before cut-off).
    remind_after: Duration = timedelta(hours=2)
    # Still unconfirmed this long before the start: the secretary is alerted and the
    # shift is offered to the unit's other members.
    cutoff_before: Duration = timedelta(hours=2)
    # Not started by start + this: a no-show, and the secretary is alerted.
    no_show_grace: Duration = timedelta(minutes=30)
    # Ask for the member's location when they start duty (they may skip it).
    ask_location: bool = True
    # Weekly repeats allowed for one shift (in CSV, CLI and /assign).
    max_repeat_weeks: int = Field(default=12, ge=1, le=52)
    # The end-of-duty report.
    report: list[Question] = Field(default_factory=_default_report)


def duty_problems(duty: DutySettings) -> list[str]:
    """Checks across keys, each naming the key at fault."""
    problems: list[str] = []
    if duty.cutoff_before >= duty.confirm_before:
        problems.append("duty.cutoff_before: must be shorter than duty.confirm_before")
    if duty.remind_after >= duty.confirm_before - duty.cutoff_before:
        problems.append(
            "duty.remind_after: the reminder would come after the cut-off "
            "(make it shorter than confirm_before - cutoff_before)"
        )
    seen: set[str] = set()
    for index, question in enumerate(duty.report):
        key = f"duty.report[{index}]"
        if question.kind not in REPORT_KINDS:
            kinds = ", ".join(REPORT_KINDS)
            problems.append(f"{key}.kind: {question.kind} is not allowed here ({kinds})")
        if question.id in seen:
            problems.append(f"{key}.id: {question.id!r} is listed twice")
        seen.add(question.id)
        problems += question_problems(key, question)
    return problems
