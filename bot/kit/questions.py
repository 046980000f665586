"""The form model: questions a configured form asks (the daily check-in, a duty report),
each with a short id (stored with answers and used in buttons' callback data, so it must
stay small and stable) and its text in both languages."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

_ID = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
MAX_CHOICES = 12  # a keyboard a person can still read on a phone


def _identifier(value: object) -> object:
    if isinstance(value, str) and not _ID.match(value):
        raise ValueError(
            f"{value!r} must be 1-24 lowercase letters, digits or '_', starting with a letter"
        )
    return value


Identifier = Annotated[str, BeforeValidator(_identifier)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """The same words in both catalogue languages."""

    en: str = Field(min_length=1, max_length=200)
    zh: str = Field(min_length=1, max_length=200)


class Kind(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TEXT = "text"
    NUMBER = "number"
    LOCATION = "location"
    PHOTO = "photo"


CHOICE_KINDS = (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE)


class Choice(Strict):
    id: Identifier
    label: Text
    # Choosing it means the member is off duty today (leave, sick …): not missing.
    excused: bool = False
    # Choosing it puts the answer in front of the secretary and in the summary.
    flag: bool = False


class Report(StrEnum):
    """How the summary aggregates a question's answers (per unit, rolled up the tree)."""

    COUNT = "count"  # answers given; for choices, per choice
    SUM = "sum"
    MEAN = "mean"
    MAX = "max"


class Question(Strict):
    id: Identifier
    kind: Kind
    prompt: Text
    required: bool = True
    choices: list[Choice] = Field(default_factory=list)
    min: float | None = None
    max: float | None = None
    unit: str | None = Field(default=None, max_length=16)
    max_length: int = Field(default=500, ge=1, le=3000)
    # A number at or above ``flag_above`` (or at or below ``flag_below``) flags the
    # answer: both bounds count, as in "fever: 37.3 °C or more".
    flag_above: float | None = None
    flag_below: float | None = None
    report: Report | None = None
    # The figure's name in the summary ("Fever", "Households visited"); else the prompt.
    label: Text | None = None

    def flags(self, value: Any) -> bool:
        """Whether a stored answer flags a problem: a flagged choice (any of several) or
        a number past a threshold."""
        if value is None:
            return False
        if self.kind in CHOICE_KINDS:
            chosen = set(value if isinstance(value, list) else [value])
            return any(c.flag for c in self.choices if c.id in chosen)
        if self.kind is not Kind.NUMBER:
            return False
        high, low = self.flag_above, self.flag_below
        return (high is not None and value >= high) or (low is not None and value <= low)

    @property
    def figured(self) -> bool:
        """Whether the summary counts its answers (reported, or able to flag)."""
        return (
            self.report is not None
            or self.flag_above is not None
            or self.flag_below is not None
            or any(c.flag for c in self.choices)
        )


def question_problems(key: str, question: Question) -> list[str]:
    problems = []
    if question.kind in CHOICE_KINDS:
        if not question.choices:
            problems.append(f"{key}.choices: a {question.kind} question needs choices")
        if len(question.choices) > MAX_CHOICES:
            problems.append(f"{key}.choices: more than {MAX_CHOICES} choices")
        ids = [c.id for c in question.choices]
        if len(set(ids)) != len(ids):
            problems.append(f"{key}.choices: a choice id is listed twice")
    elif question.choices:
        problems.append(f"{key}.choices: only choice questions have choices")
    if question.kind is Kind.NUMBER:
        if question.min is not None and question.max is not None and question.min >= question.max:
            problems.append(f"{key}.max: {question.max:g} is not above min {question.min:g}")
        problems += _threshold_problems(key, question)
    elif question.min is not None or question.max is not None or question.unit is not None:
        problems.append(f"{key}: min, max and unit are only for number questions")
    for name in ("flag_above", "flag_below"):
        if question.kind is not Kind.NUMBER and getattr(question, name) is not None:
            problems.append(f"{key}.{name}: only a number question has a threshold")
    if question.report in (Report.SUM, Report.MEAN, Report.MAX) and (
        question.kind is not Kind.NUMBER
    ):
        problems.append(
            f"{key}.report: {question.report.value!r} needs a number question (count works for any)"
        )
    return problems


def _threshold_problems(key: str, question: Question) -> list[str]:
    """A threshold no answer can reach (outside min..max) would never flag."""
    problems = []
    for name in ("flag_above", "flag_below"):
        value = getattr(question, name)
        if value is None:
            continue
        if (question.min is not None and value < question.min) or (
            question.max is not None and value > question.max
        ):
            low = "" if question.min is None else f"{question.min:g}"
            high = "" if question.max is None else f"{question.max:g}"
            problems.append(f"{key}.{name}: {value:g} is outside the answer's bounds {low}..{high}")
    return problems
