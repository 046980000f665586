"""How a flag case reads: the flagged check-in for its holders (the notice, and its place
in ``/flags``), and the buttons that handle or escalate it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.checkins.buttons import EscalateFlag, HandleFlag
from bot.kit.figures import thresholds_passed
from bot.kit.forms import answers_summary, shown, text_in
from bot.kit.i18n import Html, Translator, format_day, join_html, mention
from bot.kit.questions import Question
from storage.cases import Case
from storage.models import Member, Unit

Row = list[tuple[str, str]]


def flag_text(
    i18n: Translator,
    language: str,
    member: Member,
    unit: Unit,
    questions: Sequence[Question],
    answers: dict[str, Any],
    escalated: Case | None = None,
) -> Html:
    """The flagged check-in; ``escalated``: the case that climbed to this reader."""
    name = mention(member.telegram_id, member.display_name)
    summary = answers_summary(i18n, language, questions, answers)
    if escalated is None:
        text = i18n.t(language, "checkin-flag-notice", name=name, unit=unit.name, summary=summary)
    else:
        text = i18n.t(
            language,
            "checkin-flag-escalated",
            name=name,
            unit=unit.name,
            level=escalated.level,
            day=format_day(escalated.day, language),
            summary=summary,
        )
    # A number past its threshold says which limit it passed.
    return join_html("\n", [text, *thresholds_passed(i18n, language, questions, answers)])


def case_rows(
    i18n: Translator, language: str, cases: Sequence[Case], questions: Sequence[Question]
) -> list[Row]:
    """Handled / Escalate for each open case; named by question when there are several."""
    open_cases = [c for c in cases if c.handled_at is None]
    prompts = {q.id: text_in(language, q.prompt) for q in questions}

    def label(one: str, which: str, case: Case) -> str:
        if len(open_cases) == 1:
            return i18n.plain(language, one)
        question = prompts.get(case.question, case.question)
        return i18n.plain(language, which, question=question)

    return [
        [
            (
                label("flag-handled-button", "flag-handled-which", case),
                HandleFlag(case.id).pack(),
            ),
            (
                label("flag-escalate-button", "flag-escalate-which", case),
                EscalateFlag(case.id).pack(),
            ),
        ]
        for case in open_cases
    ]


def case_line(
    i18n: Translator,
    language: str,
    number: int,
    case: Case,
    member: Member | None,
    unit: Unit | None,
    questions: Sequence[Question],
    answers: dict[str, Any],
) -> Html:
    """One case in ``/flags``: who, where, when, the flagged answer, how far it climbed."""
    question = next((q for q in questions if q.id == case.question), None)
    answer = shown(language, question, answers.get(case.question)) if question else "—"
    return i18n.t(
        language,
        "flags-line",
        n=number,
        name=mention(member.telegram_id, member.display_name) if member else "—",
        unit=unit.name if unit else "—",
        day=format_day(case.day, language),
        answer=answer,
        level=case.level,
    )


def numbered_rows(i18n: Translator, language: str, number: int, case: Case) -> Row:
    """The case's buttons in ``/flags``, numbered like its line."""

    def label(key: str) -> str:
        return i18n.plain(language, "flags-numbered", n=number, label=i18n.plain(language, key))

    return [
        (label("flag-handled-button"), HandleFlag(case.id).pack()),
        (label("flag-escalate-button"), EscalateFlag(case.id).pack()),
    ]
