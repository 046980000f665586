"""What a directive may ask (issue #16): 2-6 choices with short, distinct labels, a reason
or a number after a choice, presets in both languages, and problems worded in both."""

from __future__ import annotations

import pytest

from bot.directives.questions import (
    MAX_LABEL,
    Choice,
    NumberQuestion,
    Problem,
    ProblemKind,
    Question,
    Reason,
    presets,
    validate,
)
from bot.kit.i18n import Translator

COME = Choice("I can come", number=NumberQuestion("How many can you bring?", 0, 20))


def kinds(choices: list[Choice]) -> list[tuple[ProblemKind, int]]:
    question, problems = validate(choices)
    assert (question is None) == bool(problems)
    return [(p.kind, p.choice) for p in problems]


def test_a_good_question_is_tidied() -> None:
    question, problems = validate(
        [
            Choice("  I can   come "),
            Choice("I cannot", Reason.REQUIRED),
            Choice("Later", number=NumberQuestion(" How many? ", 1, 5)),
        ]
    )
    assert problems == []
    assert question == Question(
        (
            Choice("I can come"),
            Choice("I cannot", Reason.REQUIRED),
            Choice("Later", number=NumberQuestion("How many?", 1, 5)),
        )
    )


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        ([Choice("Yes")], [(ProblemKind.TOO_FEW, 0)]),
        ([Choice(f"C{n}") for n in range(7)], [(ProblemKind.TOO_MANY, 0)]),
        ([Choice("Yes"), Choice("   ")], [(ProblemKind.LABEL_EMPTY, 2)]),
        ([Choice("x" * MAX_LABEL), Choice("y" * (MAX_LABEL + 1))],
         [(ProblemKind.LABEL_TOO_LONG, 2)]),
        # The same after case and spaces are normalised.
        ([Choice("I can come"), Choice(" i  CAN come")], [(ProblemKind.LABEL_DUPLICATE, 2)]),
        ([Choice("Yes"), Choice("No", number=NumberQuestion(" ", 0, 1))],
         [(ProblemKind.PROMPT_EMPTY, 2)]),
        ([Choice("Yes"), Choice("No", number=NumberQuestion("n?", 5, 4))],
         [(ProblemKind.BOUNDS, 2)]),
        ([Choice("Yes"), Choice("No", number=NumberQuestion("n?", -1, 4))],
         [(ProblemKind.BOUNDS, 2)]),
        ([Choice("Yes"), Choice("No", number=NumberQuestion("n" * 201, 0, 4))],
         [(ProblemKind.PROMPT_TOO_LONG, 2)]),
    ],
)  # fmt: skip
def test_bad_questions_are_refused_with_typed_problems(
    choices: list[Choice], expected: list[tuple[ProblemKind, int]]
) -> None:
    assert kinds(choices) == expected


def test_every_problem_is_worded_in_both_languages() -> None:
    i18n = Translator()
    problems = [
        Problem(ProblemKind.TOO_FEW, args={"least": 2}),
        Problem(ProblemKind.TOO_MANY, args={"most": 6}),
        Problem(ProblemKind.LABEL_EMPTY, 2),
        Problem(ProblemKind.LABEL_TOO_LONG, 2, {"length": 40, "limit": MAX_LABEL}),
        Problem(ProblemKind.LABEL_DUPLICATE, 2, {"label": "<b>Yes</b>"}),
        Problem(ProblemKind.PROMPT_EMPTY, 3),
        Problem(ProblemKind.PROMPT_TOO_LONG, 3, {"length": 250, "limit": 200}),
        Problem(ProblemKind.BOUNDS, 3, {"low": 9, "high": 2}),
    ]
    assert {p.kind for p in problems} == set(ProblemKind)
    for problem in problems:
        for language in ("en", "zh"):
            text = i18n.t(language, problem.message, **problem.arguments)
            assert "/cancel" in text and "{" not in text
    duplicate = problems[4]
    assert "&lt;b&gt;Yes&lt;/b&gt;" in i18n.t("en", duplicate.message, **duplicate.arguments)
    assert "第2个选项" in i18n.t("zh", "question-label-empty", choice=2)


def test_presets_in_both_languages_are_a_valid_question() -> None:
    i18n = Translator()
    english, chinese = presets(i18n, "en"), presets(i18n, "zh")
    assert [c.label for c in english] == ["I can come", "I need transport", "I cannot"]
    assert [c.label for c in chinese] == ["我能到", "我需要接送", "我来不了"]
    assert english[2].reason is Reason.OPTIONAL
    for choices in (english, chinese):
        assert validate(choices)[1] == []


def test_a_question_survives_storage() -> None:
    question = Question((COME, Choice("我来不了", Reason.REQUIRED)))
    assert Question.from_json(question.to_json()) == question
    assert "我来不了" in question.to_json()  # stored readable, not \\u-escaped
