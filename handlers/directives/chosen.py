"""Using a question's answers (issue #16) from ``/directives``: the answer columns of the
export, and the buttons that message those who chose one answer (a follow-up directive)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.directives import buttons as b
from bot.directives.answers import ExportRow, question_of
from bot.kit.tables import Cell
from handlers.kit.common import Reply
from storage.directives import Directive
from storage.models import Unit

ANSWER_COLUMNS = (
    "export-choice",
    "export-number",
    "export-reason",
    "export-answered",
    "export-changes",
)


def answer_columns(
    reply: Reply, directive: Directive, local: Callable[[datetime | None], str | datetime | None]
) -> tuple[list[str], Callable[[ExportRow], list[Cell]]]:
    """The header and cells an export adds for a question (none for ✅ only): the choice
    as the author typed it, or "not answered" so the silent are listed too."""
    question = question_of(directive)
    if question is None:
        return [], lambda row: []
    silent = reply.label("export-not-answered")

    def cells(row: ExportRow) -> list[Cell]:
        answer = row.answer
        if answer is None:
            return [silent, None, None, None, None]
        label = question.choices[answer.choice].label
        return [label, answer.number, answer.reason, local(answer.at), row.changes]

    return [reply.label(column) for column in ANSWER_COLUMNS], cells


def follow_up_rows(
    reply: Reply, directive: Directive, unit: Unit, *, drilled: bool
) -> list[list[tuple[str, str]]]:
    """A button per choice: message those who chose it in ``unit`` and below (named on
    the button when ``drilled`` down to it), starting a follow-up directive."""
    question = question_of(directive)
    if question is None or directive.status not in ("sending", "sent"):
        return []
    key = "watch-follow-up-in" if drilled else "watch-follow-up"
    return [
        [
            (
                reply.label(key, choice=choice.label, unit=unit.name),
                b.MessageChosen(directive.id, index, unit.id).pack(),
            )
        ]
        for index, choice in enumerate(question.choices)
    ]
