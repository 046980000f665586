"""What a directive asks its members (issue #16): ✅ alone, or one of a few answers typed
by the author, each perhaps followed by a reason or a number.

Validation returns typed problems, not words: the screen words each in the author's
language (``Problem.message``). A question is stored with its directive as JSON
(``to_json`` / ``from_json``); answers refer to a choice by its index, never its label.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum

from bot.kit.i18n import Translator

MIN_CHOICES = 2
MAX_CHOICES = 6  # one button a row: more than six pushes the directive off a phone's screen
# A button one row wide shows about 30 Latin characters on a phone before Telegram cuts it
# with "…", and the label is repeated in the headcount's line for every unit; 32 lets
# "I need transport to the square" through. (The callback data carries the index, so the
# label's length never touches Telegram's 64-byte limit.)
MAX_LABEL = 32
MAX_PROMPT = 200  # a number question's prompt is a message line, not a button
# What a member may type for a number: a headcount, not an amount (parse_whole's 6 digits).
NUMBER_LIMIT = 999_999


class Reason(StrEnum):
    """Whether a member who picks a choice is asked why."""

    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


@dataclass(frozen=True, slots=True)
class NumberQuestion:
    """Asked after a choice: "How many people can you bring?", a whole number in bounds."""

    prompt: str
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    reason: Reason = Reason.NONE
    number: NumberQuestion | None = None


@dataclass(frozen=True, slots=True)
class Question:
    choices: tuple[Choice, ...]

    def to_json(self) -> str:
        # Reason is a StrEnum: stored as its value.
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Question:
        """A stored question (written by ``to_json`` after validation, so trusted)."""
        data = json.loads(text)
        return cls(
            tuple(
                Choice(
                    c["label"],
                    Reason(c["reason"]),
                    NumberQuestion(**c["number"]) if c["number"] else None,
                )
                for c in data["choices"]
            )
        )


class ProblemKind(StrEnum):
    TOO_FEW = "too_few"
    TOO_MANY = "too_many"
    LABEL_EMPTY = "label_empty"
    LABEL_TOO_LONG = "label_too_long"
    LABEL_DUPLICATE = "label_duplicate"
    PROMPT_EMPTY = "prompt_empty"
    PROMPT_TOO_LONG = "prompt_too_long"
    BOUNDS = "bounds"


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with a question; ``choice`` is the 1-based number of the choice."""

    kind: ProblemKind
    choice: int = 0
    args: dict[str, int | str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The catalogue message that words it, with ``arguments``."""
        return _MESSAGES[self.kind]

    @property
    def arguments(self) -> dict[str, int | str]:
        return {"choice": self.choice, **self.args}


_MESSAGES = {
    ProblemKind.TOO_FEW: "question-too-few",
    ProblemKind.TOO_MANY: "question-too-many",
    ProblemKind.LABEL_EMPTY: "question-label-empty",
    ProblemKind.LABEL_TOO_LONG: "question-label-too-long",
    ProblemKind.LABEL_DUPLICATE: "question-label-duplicate",
    ProblemKind.PROMPT_EMPTY: "question-prompt-empty",
    ProblemKind.PROMPT_TOO_LONG: "question-prompt-too-long",
    ProblemKind.BOUNDS: "question-number-bounds",
}


def normal(label: str) -> str:
    """A label as compared for duplicates: case folded, runs of spaces one space."""
    return " ".join(label.split()).casefold()


def check_label(label: str, taken: list[str], number: int) -> tuple[str, Problem | None]:
    """One typed label, tidied (outer spaces gone, inner runs one space), or its problem;
    ``taken`` are the labels already accepted, ``number`` this one's place (from 1)."""
    tidy = " ".join(label.split())
    if not tidy:
        return tidy, Problem(ProblemKind.LABEL_EMPTY, number)
    if len(tidy) > MAX_LABEL:
        return tidy, Problem(
            ProblemKind.LABEL_TOO_LONG, number, {"length": len(tidy), "limit": MAX_LABEL}
        )
    if normal(tidy) in {normal(t) for t in taken}:
        return tidy, Problem(ProblemKind.LABEL_DUPLICATE, number, {"label": tidy})
    return tidy, None


def check_number(prompt: str, low: int, high: int, number: int) -> Problem | None:
    tidy = prompt.strip()
    if not tidy:
        return Problem(ProblemKind.PROMPT_EMPTY, number)
    if len(tidy) > MAX_PROMPT:
        return Problem(
            ProblemKind.PROMPT_TOO_LONG, number, {"length": len(tidy), "limit": MAX_PROMPT}
        )
    if not (0 <= low <= high <= NUMBER_LIMIT):
        return Problem(ProblemKind.BOUNDS, number, {"low": low, "high": high})
    return None


def validate(choices: list[Choice] | tuple[Choice, ...]) -> tuple[Question | None, list[Problem]]:
    """The question the author composed, tidied, or every problem with it (in order)."""
    problems: list[Problem] = []
    if len(choices) < MIN_CHOICES:
        problems.append(Problem(ProblemKind.TOO_FEW, args={"least": MIN_CHOICES}))
    if len(choices) > MAX_CHOICES:
        problems.append(Problem(ProblemKind.TOO_MANY, args={"most": MAX_CHOICES}))
    kept: list[Choice] = []
    for number, choice in enumerate(choices, start=1):
        label, problem = check_label(choice.label, [c.label for c in kept], number)
        numbered = choice.number
        if problem is None and numbered is not None:
            problem = check_number(numbered.prompt, numbered.low, numbered.high, number)
            numbered = replace(numbered, prompt=numbered.prompt.strip())
        if problem is not None:
            problems.append(problem)
        kept.append(Choice(label, choice.reason, numbered))
    return (None, problems) if problems else (Question(tuple(kept)), [])


def presets(i18n: Translator, language: str) -> tuple[Choice, ...]:
    """The choices offered ready-made, in the author's language: I can come / I need
    transport / I cannot (asked why, which they may leave unsaid)."""
    return (
        Choice(i18n.plain(language, "question-preset-come")),
        Choice(i18n.plain(language, "question-preset-transport")),
        Choice(i18n.plain(language, "question-preset-cannot"), Reason.OPTIONAL),
    )
