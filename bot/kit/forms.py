"""Answers to a configured form (the daily check-in, the end-of-duty report): what counts
as a valid answer to each kind of question, and the stored form of it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.kit.i18n import Html, Translator, join_html, list_separator
from bot.kit.questions import CHOICE_KINDS, Kind, Question, Text
from bot.kit.typed import parse_decimal


class AnswerError(Exception):
    """An answer that cannot be taken; ``reason`` is catalogue-friendly and ``details``
    carries what the message needs (bounds, length …)."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


def check_answer(question: Question, raw: Any) -> Any:  # noqa: C901 (a branch per kind)
    """The stored form of one answer, or AnswerError saying what is wrong with it.
    ``None`` means skipped, allowed only for optional questions."""
    if raw is None or raw == "" or raw == []:
        if question.required:
            raise AnswerError("required")
        return None
    if question.kind in CHOICE_KINDS:
        chosen = raw if isinstance(raw, list) else [raw]
        known = {c.id for c in question.choices}
        if not chosen or any(c not in known for c in chosen):
            raise AnswerError("unknown_choice")
        if question.kind is Kind.SINGLE_CHOICE:
            if len(chosen) != 1:
                raise AnswerError("unknown_choice")
            return chosen[0]
        return [c.id for c in question.choices if c.id in chosen]  # in form order
    if question.kind is Kind.NUMBER:
        return _number(question, raw)
    if question.kind is Kind.TEXT:
        if not isinstance(raw, str):
            raise AnswerError("expected_text")
        text = raw.strip()
        if not text:
            raise AnswerError("required")
        if len(text) > question.max_length:
            raise AnswerError("too_long", limit=question.max_length, length=len(text))
        return text
    if question.kind is Kind.LOCATION:
        if not (isinstance(raw, dict) and _is_location(raw)):
            raise AnswerError("expected_location")
        return {"lat": float(raw["lat"]), "lon": float(raw["lon"])}
    if not isinstance(raw, str):  # photo: Telegram's file id
        raise AnswerError("expected_photo")
    return raw


def _number(question: Question, raw: Any) -> float:
    bounds = {"min": question.min, "max": question.max, "unit": question.unit or ""}
    if isinstance(raw, bool):
        raise AnswerError("not_a_number", **bounds)
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        parsed = parse_decimal(str(raw))
        if parsed is None:
            raise AnswerError("not_a_number", **bounds)
        value = parsed
    low = question.min if question.min is not None else float("-inf")
    high = question.max if question.max is not None else float("inf")
    if not low <= value <= high:
        raise AnswerError("out_of_range", **bounds)
    return value


def _is_location(raw: dict[str, Any]) -> bool:
    try:
        lat, lon = float(raw["lat"]), float(raw["lon"])
    except (KeyError, TypeError, ValueError):
        return False
    return on_earth(lat, lon)


def on_earth(latitude: float, longitude: float) -> bool:
    """A point that exists (a forged update can carry any numbers)."""
    return -90 <= latitude <= 90 and -180 <= longitude <= 180


def text_in(language: str, text: Text) -> str:
    """A bilingual configured text in the person's language."""
    return text.zh if language == "zh" else text.en


def shown(language: str, question: Question, value: Any) -> str:
    """An stored answer as the person reads it."""
    if value is None:
        return "—"
    if question.kind in CHOICE_KINDS:
        labels = {c.id: text_in(language, c.label) for c in question.choices}
        chosen = [str(c) for c in (value if isinstance(value, list) else [value])]
        return list_separator(language).join(labels.get(c, c) for c in chosen)
    if question.kind is Kind.NUMBER:
        return f"{value:g} {question.unit or ''}".strip()
    if question.kind is Kind.LOCATION:
        return f"📍 {value['lat']:.4f}, {value['lon']:.4f}"
    if question.kind is Kind.PHOTO:
        return "📷"
    return str(value)


def answers_summary(
    i18n: Translator, language: str, questions: Sequence[Question], answers: dict[str, Any]
) -> Html:
    """One line per question, its answer as the person reads it: for the form's own
    confirmation and for the notices that quote it (a flagged check-in)."""
    return join_html(
        "\n",
        [
            i18n.t(
                language,
                "form-summary-line",
                prompt=text_in(language, q.prompt),
                answer=shown(language, q, answers.get(q.id)),
            )
            for q in questions
        ],
    )
