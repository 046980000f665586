"""The summary's figures of reported answers as people read them (issue #17): one line of
parts per committee, child unit or day, e.g. "Fever ≥ 37.3: 3 · Households visited:
1,240". Which parts a question has comes from the form: a threshold's flagged count, its
``report`` (count, sum, mean, max; counts per choice for choices, flagged ones marked)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.kit.figures import DUTY
from bot.kit.forms import text_in
from bot.kit.i18n import Html, Translator, join_html, list_separator
from bot.kit.questions import CHOICE_KINDS, Kind, Question, Report
from storage.figures import Figure, Figures

_NONE = Figure()


@dataclass(frozen=True, slots=True)
class Reported:
    """A question the summary shows figures of, under its stored key."""

    key: str
    question: Question
    per_grid: bool = False  # an end-of-duty report's: its sum is also shown per grid


def reported(checkin: Sequence[Question], duty: Sequence[Question]) -> list[Reported]:
    """The check-in's questions with figures, then the end-of-duty report's."""
    return [Reported(q.id, q) for q in checkin if q.figured] + [
        Reported(DUTY + q.id, q, per_grid=True) for q in duty if q.figured
    ]


def amount(value: float, unit: str | None = None) -> str:
    """1,240 / 36.8 (one decimal at most), with the question's unit."""
    text = f"{round(value):,}" if abs(value - round(value)) < 0.05 else f"{value:,.1f}"
    return f"{text} {unit}" if unit else text


class FigureText:
    def __init__(self, i18n: Translator, language: str, questions: Sequence[Reported]) -> None:
        self.i18n = i18n
        self.language = language
        self.questions = questions

    def t(self, key: str, /, **args: object) -> Html:
        return self.i18n.t(self.language, key, **args)

    def line(self, figures: Figures, grids: int = 0) -> Html:
        """Every reported question's parts, or empty when none was answered; ``grids``:
        how many grids the line has, for the duty report's figures per grid."""
        if not any(f.answers for f in figures.values()):
            return Html("")
        parts: list[str] = []
        for entry in self.questions:
            parts += self._parts(entry, figures, grids if entry.per_grid else 0)
        return join_html(" · ", parts)

    def _parts(self, entry: Reported, figures: Figures, grids: int) -> list[Html]:
        question = entry.question
        label = text_in(self.language, question.label or question.prompt)
        if question.kind in CHOICE_KINDS:
            if question.report is None:  # its flags are listed under Problems already
                return []
            counts = [
                self.t(
                    "summary-figure-choice",
                    label=("🚩 " if c.flag else "") + text_in(self.language, c.label),
                    count=figures.get((entry.key, c.id), _NONE).answers,
                )
                for c in question.choices
            ]
            return [
                self.t(
                    "summary-figure-choices",
                    label=label,
                    choices=join_html(list_separator(self.language), counts),
                )
            ]
        figure = figures.get((entry.key, ""), _NONE)
        parts = []
        thresholds = (
            ("summary-figure-above", question.flag_above),
            ("summary-figure-below", question.flag_below),
        )
        for key, limit in thresholds:
            if limit is not None:
                parts.append(
                    self.t(
                        key,
                        label=label,
                        limit=amount(limit, question.unit),
                        count=figure.flagged,
                    )
                )
        if question.report is not None:
            parts.append(self._report(question, label, figure, grids))
        return parts

    def _report(self, question: Question, label: str, figure: Figure, grids: int) -> Html:
        report, unit = question.report, question.unit
        if report is Report.COUNT or question.kind is not Kind.NUMBER or not figure.answers:
            return self.t("summary-figure-count", label=label, count=figure.answers)
        if report is Report.SUM and grids:
            return self.t(
                "summary-figure-sum-per-grid",
                label=label,
                value=amount(figure.total, unit),
                per=amount(figure.total / grids, unit),
            )
        if report is Report.SUM:
            return self.t("summary-figure-sum", label=label, value=amount(figure.total, unit))
        if report is Report.MEAN:
            mean = amount(figure.total / figure.answers, unit)
            return self.t("summary-figure-mean", label=label, value=mean, count=figure.answers)
        return self.t("summary-figure-max", label=label, value=amount(figure.top or 0.0, unit))
