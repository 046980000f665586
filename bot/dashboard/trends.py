"""The dashboard's Trends view: the last 30 days of a unit's check-in rate and of each
reported figure, per line of its summary (its own members, then each child unit).

Each day's numbers are what the summary of that day compiled now would show (the same
sums, ``CheckinRepository.rolled_up`` and ``FigureRepository.rolled_up``), read for all
the days in one query each rather than one summary per day. The figures are the summary's
parts (``bot/summaries/reported.py``): a threshold's flagged count, the report's count,
sum, mean or maximum, a count per choice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.kit.questions import CHOICE_KINDS, Choice, Kind, Question, Report
from bot.org.authz import Action, Actor, Authorizer
from bot.summaries.service import Counts, SummaryService
from storage import Storage
from storage.figures import Figure, Figures, summed
from storage.models import Unit

TREND_DAYS = 30
_NONE = Figure()


@dataclass(frozen=True, slots=True)
class Part:
    """One plotted number of a reported question: ``kind`` is ``above``/``below`` (its
    threshold's flagged answers), ``report`` (its report) or ``choice`` (one choice's
    count)."""

    key: str  # the question's, as its figures are stored
    question: Question
    kind: str
    choice: Choice | None = None

    def value(self, figures: Figures) -> float | None:
        question = self.question
        if self.kind == "choice":
            assert self.choice is not None
            return figures.get((self.key, self.choice.id), _NONE).answers
        figure = figures.get((self.key, ""), _NONE)
        if self.kind in ("above", "below"):
            return figure.flagged
        report = question.report
        if report is Report.COUNT or question.kind is not Kind.NUMBER:
            return figure.answers
        if report is Report.SUM:
            return figure.total
        if not figure.answers:
            return None  # no mean or maximum of nothing: a gap, not a 0
        return figure.total / figure.answers if report is Report.MEAN else figure.top


def parts(questions: Iterable[tuple[str, Question]]) -> list[Part]:
    """The summary's figure parts of these questions (by stored key), in its order
    (``FigureText._parts`` in ``bot/summaries/reported.py``)."""
    found: list[Part] = []
    for key, question in questions:
        if question.kind in CHOICE_KINDS:
            if question.report is not None:
                found += [Part(key, question, "choice", c) for c in question.choices]
            continue
        if question.flag_above is not None:
            found.append(Part(key, question, "above"))
        if question.flag_below is not None:
            found.append(Part(key, question, "below"))
        if question.report is not None:
            found.append(Part(key, question, "report"))
    return found


@dataclass(frozen=True, slots=True)
class TrendLine:
    """A line of the summary (``own``: the unit's own members) over the days."""

    unit: Unit
    own: bool
    counts: list[Counts]  # per day, oldest first
    figures: list[Figures]


@dataclass(frozen=True, slots=True)
class Trends:
    unit: Unit
    days: list[date]  # oldest first, today last
    off: list[bool]  # per day: a day off, when the summary shows no check-in rate
    total: TrendLine  # the whole unit
    lines: list[TrendLine]  # its own members (when it has any), then children by name
    parts: list[Part]


class TrendService:
    def __init__(self, storage: Storage, authz: Authorizer, summaries: SummaryService) -> None:
        self.storage = storage
        self.authz = authz
        self.summaries = summaries

    async def last_days(self, actor: Actor, unit: Unit, days: int = TREND_DAYS) -> Trends:
        """The unit's last ``days`` days up to today (its local date); raises
        ``PermissionDeniedError`` (audited) as ``/summary`` does."""
        await self.authz.check(actor, Action.VIEW_UNIT, unit, "dashboard trends")
        summaries = self.summaries
        last = summaries.today(unit)
        span = [last - timedelta(days=n) for n in range(days - 1, -1, -1)]
        checkins = summaries.checkins
        counted = await self.storage.checkins.rolled_up_days(
            unit.path, [(day, checkins.day_end(day)) for day in span]
        )
        figured = await self.storage.figures.rolled_up_days(unit.path, span[0], last)
        questions = [(entry.key, entry.question) for entry in summaries.reported()]

        def line(of: Unit, path: str | None, own: bool = False) -> TrendLine:
            def counts(day: date) -> Counts:
                lines = counted.get(day, {})
                if path is None:
                    return Counts.of(list(lines.values()))
                return Counts.one(lines.get(path))

            def figures(day: date) -> Figures:
                lines = figured.get(day, {})
                return summed(list(lines.values())) if path is None else lines.get(path, {})

            return TrendLine(of, own, [counts(d) for d in span], [figures(d) for d in span])

        lines = []
        own = line(unit, unit.path, own=True)
        if any(c.members for c in own.counts):
            lines.append(own)
        for child in await self.storage.units.children(unit.id):
            lines.append(line(child, child.path))
        off = [checkins.day_off(day) for day in span]
        return Trends(unit, span, off, line(unit, None), lines, parts(questions))
