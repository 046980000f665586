"""What a filled form (a check-in, an end-of-duty report) contributes to the summary's
figures (issue #17): one row per reported or flag-able question answered, per choice
chosen for choice questions, worked out at save with the form then in force, so a day's
aggregates use that day's form and outlive the answers' retention (the triggers of
migration 0023 sum them per unit and day)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.kit.forms import shown, text_in
from bot.kit.i18n import Html, Translator
from bot.kit.questions import CHOICE_KINDS, Kind, Question

# (question key, choice id or "", number or None, 1 if this answer flags a problem)
Figure = tuple[str, str, float | None, int]
# End-of-duty report questions' keys: "duty.visits" (a question id has no '.', so they
# never meet the check-in's).
DUTY = "duty."


def figures_of(
    questions: Sequence[Question], answers: dict[str, Any], prefix: str = ""
) -> list[Figure]:
    rows: list[Figure] = []
    for question in questions:
        value = answers.get(question.id)
        if value is None or not question.figured:
            continue
        key = prefix + question.id
        if question.kind in CHOICE_KINDS:
            chosen = set(value if isinstance(value, list) else [value])
            rows += [(key, c.id, None, int(c.flag)) for c in question.choices if c.id in chosen]
        elif question.kind is Kind.NUMBER:
            rows.append((key, "", float(value), int(question.flags(value))))
        else:
            rows.append((key, "", None, 0))
    return rows


def thresholds_passed(
    i18n: Translator, language: str, questions: Sequence[Question], answers: dict[str, Any]
) -> list[Html]:
    """For a flag's notice: each number at or past its threshold, and which (both bounds
    count: 37.3 flags "37.3 or more")."""
    lines = []
    for question in questions:
        value = answers.get(question.id)
        if question.kind is not Kind.NUMBER or value is None or not question.flags(value):
            continue
        high, low = question.flag_above, question.flag_below
        above = high is not None and float(value) >= high
        limit = high if above else low
        lines.append(
            i18n.t(
                language,
                "checkin-flag-above" if above else "checkin-flag-below",
                label=text_in(language, question.label or question.prompt),
                value=shown(language, question, value),
                limit=shown(language, question, limit),
            )
        )
    return lines
