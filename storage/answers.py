"""Answers to a directive's question (issue #16, migration 0020): each recipient's current
answer on their ``directive_recipients`` row, every press kept in ``directive_answers``,
and the per-unit counts the headcount rolls up the tree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.db import Database, from_db_time, to_db_time
from storage.directives import DirectiveKind
from storage.models import Unit
from storage.store import Row
from storage.units import line_of, subtree_bounds


@dataclass(frozen=True, slots=True)
class Answer:
    """A recipient's answer: the choice's index, the number and reason given after it."""

    choice: int
    number: int | None
    reason: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Pressed:
    """What recording a press did: ``answer`` is the current one after it; ``changed``
    whether this press changed it."""

    answer: Answer | None
    changed: bool


@dataclass(frozen=True, slots=True)
class ChoiceCount:
    members: int = 0
    number_sum: int = 0


@dataclass(slots=True)
class Tally:
    """One headcount line: the recipients of a unit (and those below it), by answer."""

    recipients: int = 0
    choices: dict[int, ChoiceCount] = field(default_factory=dict)
    unreachable: int = 0  # could not be reached, and so did not answer

    @property
    def answered(self) -> int:
        return sum(c.members for c in self.choices.values())

    @property
    def not_answered(self) -> int:
        """Reached (or not yet) but silent."""
        return self.recipients - self.answered - self.unreachable


@dataclass(frozen=True, slots=True)
class Asked:
    """A question as a summary shows it: its choices' labels as typed, and its tallies per
    unit one level below a root (the root's own members under the root), worst response
    rate first, with their sum."""

    directive_id: int
    text: str
    labels: tuple[str, ...]
    lines: list[tuple[Unit, Tally]]
    total: Tally


@dataclass(frozen=True, slots=True)
class MemberAnswer:
    """One recipient as the drill-down and the export list them: their current answer
    (None: silent), and whether they could not be reached (silent only, as counted)."""

    member_id: int
    name: str
    unit_id: int
    unit_name: str  # where they were asked
    answer: Answer | None
    unreachable: bool


_CURRENT = "answer_choice, answer_number, answer_reason, answered_at"


def _answer(row: Row | Sequence[Any] | None) -> Answer | None:
    if row is None or row[0] is None:
        return None
    number = None if row[1] is None else int(row[1])
    return Answer(int(row[0]), number, row[2] or None, from_db_time(row[3]))


# Where the headcount's lines come from (?1 the directive): recipients per unit from
# migration 0012's directive_counts, current answers per unit and choice (choice -1 marks
# the recipients, -2 the unreachable who did not answer: outbox rows of the directive
# marked so, found through outbox_directive, a few at most).
_PER_UNIT = (
    "SELECT unit_id, -1 AS choice, recipients AS n, 0 AS total FROM directive_counts"
    " WHERE directive_id = ?1"
    " UNION ALL SELECT unit_id, choice, members, number_sum FROM answer_counts"
    " WHERE directive_id = ?1"
    " UNION ALL SELECT r.unit_id, -2, 1, 0 FROM outbox o JOIN directive_recipients r"
    " ON r.directive_id = o.directive_id AND r.member_id = o.member_id"
    " WHERE o.directive_id = ?1 AND o.kind = ?5 AND o.status = 'unreachable'"
    " AND r.answer_choice IS NULL"
)
RECIPIENTS, UNREACHABLE = -1, -2


class AnswerRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self, directive_id: int, member_id: int, choice: int, now: datetime
    ) -> Pressed | None:
        """Make ``choice`` the recipient's answer, as pressed at ``now`` (None: the
        presser is not a recipient).

        One statement, on the loop's own connection when it can be, as ✅ is
        (``DirectiveRepository.acknowledge``): the triggers keep the history and the counts
        in it. The member's own press replaces an answer a secretary recorded for them by
        phone (migration 0031; kept in the history). It changes nothing when the answer is
        already the member's ``choice`` (a double tap) or
        when a later press has landed first (two in flight: the latest by time counts).
        A new choice drops the old one's number and reason; the first answer also
        acknowledges the directive, so reminders pass over whoever answered."""
        stamp = to_db_time(now)
        rows = await self.db.write_returning(
            "UPDATE directive_recipients SET answer_choice = ?, answer_number = NULL,"
            " answer_reason = NULL, answered_at = ?, acked_at = COALESCE(acked_at, ?),"
            " on_behalf_by = NULL WHERE directive_id = ? AND member_id = ?"
            f" AND ({self.db.dialect.differs('answer_choice', '?')} OR on_behalf_by IS NOT NULL)"
            f" AND (answered_at IS NULL OR answered_at <= ?) RETURNING {_CURRENT}",
            (choice, stamp, stamp, directive_id, member_id, choice, stamp),
        )
        if rows:
            return Pressed(_answer(rows[0]), True)
        return await self.current(directive_id, member_id)

    async def current(self, directive_id: int, member_id: int) -> Pressed | None:
        """A recipient's current answer (unchanged by this read), or None for anyone who
        is not a recipient. A point read by the primary key."""
        row = await self.db.fetchone_inline(
            f"SELECT {_CURRENT} FROM directive_recipients WHERE directive_id = ? AND member_id = ?",
            (directive_id, member_id),
        )
        return None if row is None else Pressed(_answer(row), False)

    async def follow_up(
        self,
        directive_id: int,
        member_id: int,
        choice: int,
        now: datetime,
        *,
        number: int | None = None,
        reason: str | None = None,
    ) -> Answer | None:
        """Add the number or the reason asked after ``choice``, if that is still the
        recipient's answer (else None: they changed it meanwhile). One statement."""
        column, value = ("answer_number", number) if reason is None else ("answer_reason", reason)
        rows = await self.db.write_returning(
            f"UPDATE directive_recipients SET {column} = ?, answered_at = ?"
            " WHERE directive_id = ? AND member_id = ? AND answer_choice = ?"
            f" RETURNING {_CURRENT}",
            (value, to_db_time(now), directive_id, member_id, choice),
        )
        return _answer(rows[0]) if rows else None

    async def history(self, directive_id: int, member_id: int) -> list[Answer]:
        """Every press and follow-up of one recipient, oldest first."""
        rows = await self.db.fetchall(
            "SELECT choice, number, reason, at FROM directive_answers"
            " WHERE directive_id = ? AND member_id = ? ORDER BY id",
            (directive_id, member_id),
        )
        return [a for a in map(_answer, rows) if a is not None]

    async def rolled_up(self, directive_id: int, root: str) -> dict[str, Tally]:
        """The directive's recipients in the subtree at path ``root``, by answer, summed
        per unit one level below it (keyed by that unit's path; the root's own under
        ``root``), in one statement grouped by path range as the summaries are
        (``CheckinRepository.rolled_up``): it reads the kept counts, a few rows a unit,
        never every recipient."""
        low, high = subtree_bounds(root)
        rows = await self.db.fetchall(
            # ?2, ?3: the subtree's range; ?4: where a path's part below the root starts.
            f"WITH per AS ({_PER_UNIT})"
            f" SELECT {line_of(self.db.dialect, 'u.path', '?2', '?4')} AS line,"
            " p.choice, SUM(p.n), SUM(p.total)"
            " FROM per p JOIN units u ON u.id = p.unit_id"
            " WHERE u.path >= ?2 AND u.path < ?3 GROUP BY line, p.choice",
            (directive_id, low, high, len(root), DirectiveKind.DIRECTIVE),
        )
        lines: dict[str, Tally] = {}
        for line, choice, members, total in rows:
            tally = lines.setdefault(line, Tally())
            if choice == RECIPIENTS:
                tally.recipients = members
            elif choice == UNREACHABLE:
                tally.unreachable = members
            elif members:
                tally.choices[choice] = ChoiceCount(members, total)
        return lines

    async def changes(self, directive_id: int) -> dict[int, int]:
        """How many times each recipient who answered changed their choice after the
        first, by member id, for an export: the history of this directive only (its index
        leads with the directive)."""
        rows = await self.db.fetchall(
            "WITH h AS (SELECT member_id, choice,"
            " LAG(choice) OVER (PARTITION BY member_id ORDER BY id) AS before"
            " FROM directive_answers WHERE directive_id = ?)"
            " SELECT member_id, COUNT(*) FILTER (WHERE before != choice) FROM h"
            " GROUP BY member_id",
            (directive_id,),
        )
        return {int(member): int(count) for member, count in rows}

    async def members(self, directive_id: int, root: str, *, own: bool) -> list[MemberAnswer]:
        """The recipients at path ``root`` (``own``: of that unit only, else its whole
        subtree) with their current answers, by choice, then the silent, then name; the
        unreachable as ``rolled_up`` counts them (silent and marked so)."""
        low, high = subtree_bounds(root)
        where = "u.path = ?3" if own else "u.path >= ?3 AND u.path < ?4"
        rows = await self.db.fetchall(
            f"SELECT r.member_id, m.display_name, r.unit_id, u.name, {_CURRENT},"
            " o.status = 'unreachable' AND r.answer_choice IS NULL"
            " FROM directive_recipients r JOIN members m ON m.id = r.member_id"
            " JOIN units u ON u.id = r.unit_id"
            " LEFT JOIN outbox o ON o.directive_id = r.directive_id AND o.member_id = r.member_id"
            f" AND o.kind = ?1 WHERE r.directive_id = ?2 AND {where}"
            " ORDER BY r.answer_choice IS NULL, r.answer_choice, m.display_name",
            (DirectiveKind.DIRECTIVE, directive_id, low, *(() if own else (high,))),
        )
        return [MemberAnswer(r[0], r[1], r[2], r[3], _answer(r[4:8]), bool(r[8])) for r in rows]

    async def count(self, directive_id: int) -> int:
        """A plain count of the directive's recipients: the headcount's yardstick."""
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM directive_recipients WHERE directive_id = ?", (directive_id,)
        )
        return int(row[0]) if row else 0
