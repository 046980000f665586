"""The summary's figures of answers (issue #17, migration 0023): per day, unit, question
and choice, kept by triggers as check-ins are saved, so a committee's figures are read
from a few rows per unit, never from its members' answers (which retention erases)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from storage.db import Database
from storage.units import line_of, subtree_bounds


@dataclass(frozen=True, slots=True)
class Figure:
    """One question's (or one choice's) answers, summed over a set of units."""

    answers: int = 0
    total: float = 0.0
    top: float | None = None
    flagged: int = 0

    def __add__(self, other: Figure) -> Figure:
        tops = [t for t in (self.top, other.top) if t is not None]
        return Figure(
            self.answers + other.answers,
            self.total + other.total,
            max(tops) if tops else None,
            self.flagged + other.flagged,
        )


# (question id, choice id or "") -> its figure
Figures = dict[tuple[str, str], Figure]


class FigureRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def rolled_up(self, root: str, day: date) -> dict[str, Figures]:
        """The day's figures of the subtree at path ``root``, summed per unit one level
        below it (keyed by its path; the root's own under ``root``), as
        ``CheckinRepository.rolled_up`` sums the check-ins: by the day's primary-key
        range, a few rows per unit."""
        return (await self.rolled_up_days(root, day, day)).get(day, {})

    async def rolled_up_days(
        self, root: str, first: date, last: date
    ) -> dict[date, dict[str, Figures]]:
        """``rolled_up`` of each day ``first``..``last`` that has figures, in one query
        (the dashboard's trends)."""
        low, high = subtree_bounds(root)
        rows = await self.db.fetchall(
            # ?2, ?3: the subtree's range; ?4: where a path's part below the root starts.
            f"SELECT f.day, {line_of(self.db.dialect, 'u.path', '?2', '?4')} AS line,"
            " f.question, f.choice, SUM(f.answers), SUM(f.total), MAX(f.top), SUM(f.flagged)"
            " FROM answer_figures f JOIN units u ON u.id = f.unit_id"  # edits leave 0s:
            " WHERE f.day >= ?1 AND f.day <= ?5 AND u.path >= ?2 AND u.path < ?3"
            " GROUP BY f.day, line, f.question, f.choice HAVING SUM(f.answers) > 0",
            (first.isoformat(), low, high, len(root), last.isoformat()),
        )
        days: dict[date, dict[str, Figures]] = {}
        for day, line, question, choice, answers, total, top, flagged in rows:
            lines = days.setdefault(date.fromisoformat(day), {})
            lines.setdefault(line, {})[(question, choice)] = Figure(answers, total, top, flagged)
        return days


def summed(figures: list[Figures]) -> Figures:
    """Several lines' figures as one (a committee's total)."""
    out: Figures = {}
    for line in figures:
        for key, figure in line.items():
            out[key] = out[key] + figure if key in out else figure
    return out
