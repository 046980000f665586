"""How a question reads to a member: its buttons (a choice by index, never by label), the
line that shows their answer under the directive and the one button to change it
(issue #16)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.directives.answers import question_of
from bot.directives.buttons import AnswerChoice, ChangeAnswer
from bot.directives.questions import Question
from bot.kit.i18n import Html, Translator
from storage.answers import Answer
from storage.directives import Directive
from storage.models import DirectiveStatus


def answer_buttons(directive: Directive, chosen: int | None = None) -> list[list[tuple[str, str]]]:
    """One button a row, labelled as the author typed it; the current answer marked."""
    question = question_of(directive)
    if question is None or directive.status is DirectiveStatus.CANCELLED:
        return []
    return [
        [
            (
                ("● " if index == chosen else "") + choice.label,
                AnswerChoice(directive.id, index).pack(),
            )
        ]
        for index, choice in enumerate(question.choices)
    ]


def answered_buttons(
    i18n: Translator,
    language: str,
    directive: Directive,
    answer: Answer | None,
    *,
    choosing: bool = False,
) -> list[list[tuple[str, str]]]:
    """Under an answer, one "✏️ Change" button: a small edit for the press (issue #16). The
    choices (the current one marked) when there is no answer yet or while ``choosing``."""
    if answer is None or choosing:
        return answer_buttons(directive, answer.choice if answer else None)
    if question_of(directive) is None or directive.status is DirectiveStatus.CANCELLED:
        return []
    return [[(i18n.t(language, "answer-change"), ChangeAnswer(directive.id).pack())]]


def answered_line(
    i18n: Translator, language: str, question: Question, answer: Answer, zone: ZoneInfo
) -> Html:
    """ "✅ You answered: I can come (3) · 06:12", the reason under it if given."""
    choice = question.choices[answer.choice]
    at = answer.at.astimezone(zone).strftime("%H:%M")
    if answer.number is not None:
        line = i18n.t(
            language, "answer-line-number", choice=choice.label, number=answer.number, time=at
        )
    else:
        line = i18n.t(language, "answer-line", choice=choice.label, time=at)
    if answer.reason:
        line = i18n.t(language, "answer-line-reason", line=line, reason=answer.reason)
    return line


def closing(directive: Directive, zone: ZoneInfo) -> str:
    """When a question's answers close (its deadline), in the member's local time."""
    deadline = directive.ack_deadline
    return deadline.astimezone(zone).strftime("%H:%M") if deadline else ""


def answered_text(
    i18n: Translator,
    language: str,
    body: str,
    directive: Directive,
    answer: Answer | None,
    zone: ZoneInfo,
    *,
    closed: bool,
) -> str:
    """The directive as the member sees it (``body``, from ``directive_text``), with their
    answer under it, and a line saying when answers closed once they have."""
    question = question_of(directive)
    parts = [body]
    if question is not None and answer is not None:
        parts.append(answered_line(i18n, language, question, answer, zone))
    if closed and directive.ack_deadline is not None:
        parts.append(i18n.t(language, "answer-closed-line", time=closing(directive, zone)))
    return "\n\n".join(parts)
