"""Answering a directive's question, and the author's headcount (issue #16).

A press records a choice; a choice may then ask for a number or a reason, typed as text.
Every refusal is a typed status the screen words in the member's language. Recording is
the hot path of a mobilisation: like ✅ (``DirectiveService.acknowledge``), two point
reads and one statement a press.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.directives.questions import NUMBER_LIMIT, Choice, Question, Reason
from bot.kit.clock import Clock
from bot.kit.people import require_active
from bot.kit.typed import MAX_REASON as MAX_REASON  # where the screens import it from
from bot.kit.typed import ReasonProblem, parse_whole
from bot.kit.typed import checked_reason as checked_text
from bot.kit.zones import unit_zone
from bot.org.authz import Action, Actor, Authorizer, can
from storage import Storage
from storage.answers import Answer, Asked, ChoiceCount, MemberAnswer, Tally
from storage.directives import Directive, FollowUp, Target
from storage.models import DirectiveStatus, Member, Role, Unit
from storage.reach import MemberReach

# The author's headcount is edited a little past closing: a press landing between the last
# tick and the close still shows.
CATCH_UP = timedelta(minutes=10)


class AnswerStatus(StrEnum):
    RECORDED = "recorded"
    UNCHANGED = "unchanged"  # a double tap, or a later press landed first
    WITHDRAWN = "withdrawn"
    LATE = "late"  # answers closed (see AnswerService.closed)
    NOT_A_QUESTION = "not_a_question"
    NO_SUCH_CHOICE = "no_such_choice"
    NOT_ASKED = "not_asked"  # a number or reason nobody asked for (or for an old choice)
    BAD_NUMBER = "bad_number"
    REASON_EMPTY = "reason_empty"
    REASON_TOO_LONG = "reason_too_long"
    UNKNOWN = "unknown"  # no such directive, or the presser is not its recipient


class Step(StrEnum):
    """What to ask after a choice, if anything."""

    NUMBER = "number"
    REASON = "reason"


@dataclass(frozen=True, slots=True)
class AnswerResult:
    status: AnswerStatus
    directive: Directive | None = None
    answer: Answer | None = None  # the current answer, after this
    choice: Choice | None = None  # the current answer's choice
    next: Step | None = None  # what the member is asked next
    # What the button's handler needs to show the answer under the directive.
    origin: str = ""
    zone: ZoneInfo | None = None
    delivered_message_id: int | None = None

    @property
    def accepted(self) -> bool:
        return self.status in (AnswerStatus.RECORDED, AnswerStatus.UNCHANGED)


def answers_closed(directive: Directive, now: datetime) -> bool:
    """Whether a question's answers are closed at ``now``: from its deadline (issue #16)."""
    deadline = directive.ack_deadline
    return directive.question is not None and deadline is not None and now >= deadline


def question_of(directive: Directive) -> Question | None:
    return _parsed(directive.question) if directive.question else None


# A press reads its directive's question a few times (refusals, buttons, the answer's
# line); the same few questions are pressed thousands of times in a mobilisation, and a
# Question is frozen, so one parse each is shared.
_parsed = lru_cache(maxsize=256)(Question.from_json)


def chosen_answer(directive: Directive, index: int) -> Choice | None:
    """The choice a follow-up is sent to those who chose: of a question not withdrawn."""
    question = question_of(directive)
    if question is None or directive.status is DirectiveStatus.CANCELLED:
        return None
    return question.choices[index] if 0 <= index < len(question.choices) else None


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One recipient in an export: where they were asked, delivery, acknowledgement and,
    for a question, their current answer and how often they changed their choice."""

    unit: Unit
    name: str
    delivery: str | None
    sent: datetime | None
    acked: datetime | None
    answer: Answer | None = None
    changes: int = 0
    reached: MemberReach | None = None  # how (None: not known, as for silent)


@dataclass(frozen=True, slots=True)
class Chosen:
    """Who a follow-up to one answer in ``unit`` would reach, now."""

    follow_up: FollowUp
    choice: Choice
    unit: Unit
    members: int


def next_step(choice: Choice, answer: Answer) -> Step | None:
    """The number first (the figure the headcount sums), then the reason."""
    if choice.number is not None and answer.number is None:
        return Step.NUMBER
    if choice.reason is not Reason.NONE and answer.reason is None:
        return Step.REASON
    return None


def checked_number(choice: Choice, text: str) -> int | None:
    """The number typed after ``choice`` (``１２`` too), or None when it is not a whole
    number within the choice's bounds."""
    number = parse_whole(text)
    bounds = choice.number
    if number is None or bounds is None or not bounds.low <= number <= bounds.high:
        return None
    assert number <= NUMBER_LIMIT
    return number


_REASON_PROBLEMS = {
    ReasonProblem.EMPTY: AnswerStatus.REASON_EMPTY,
    ReasonProblem.TOO_LONG: AnswerStatus.REASON_TOO_LONG,
}


def checked_reason(text: str) -> tuple[str, AnswerStatus | None]:
    """A reason as typed, its spaces folded; with REASON_EMPTY or REASON_TOO_LONG."""
    reason, problem = checked_text(text)
    return reason, None if problem is None else _REASON_PROBLEMS[problem]


@dataclass(frozen=True, slots=True)
class Headcount:
    """A question's answers under ``root``: one line per unit below it (and the root's
    own members), worst response rate first, and the whole."""

    directive: Directive
    question: Question
    root: Unit
    lines: list[tuple[Unit, Tally]]
    total: Tally = field(default_factory=Tally)


class AnswerService:
    def __init__(self, storage: Storage, clock: Clock, authz: Authorizer, zone: ZoneInfo) -> None:
        """``zone``: the organisation's, for members whose unit has none of its own."""
        self.storage = storage
        self.clock = clock
        self.authz = authz
        self.zone = zone

    def closed(self, directive: Directive) -> bool:
        """Whether a question's answers are closed: at its deadline (issue #16). Its
        silent were reminded before it (bot/directives/ladder.py), so that the reminder
        can still be answered."""
        return answers_closed(directive, self.clock.now())

    async def seen(self, result: AnswerResult, telegram_id: int) -> AnswerResult:
        """``result`` with what showing it under the member's directive needs: where it
        is from, the member's local time, the message it was delivered as."""
        directive = result.directive
        member = await self.storage.members.by_telegram_id(telegram_id)
        if directive is None or member is None:
            return result
        origin = await self.storage.units.get(directive.from_unit_id)
        home = await self.storage.units.get(member.unit_id)
        delivered = await self.storage.directives.delivered_message(directive.id, member.id)
        return replace(
            result,
            origin=origin.name if origin else "",
            zone=unit_zone(home, self.zone),
            delivered_message_id=delivered,
        )

    async def _open(
        self, directive_id: int, telegram_id: int
    ) -> tuple[AnswerResult | None, Directive | None, Question | None, Member | None]:
        """The directive, its question and the member, or the refusal: unknown, inactive
        (raised, as for ✅), withdrawn, not a question, or past its deadline."""
        directive = await self.storage.directives.get(directive_id)
        member = await self.storage.members.by_telegram_id(telegram_id)
        if directive is None or member is None:
            return AnswerResult(AnswerStatus.UNKNOWN), None, None, None
        require_active(member)
        question = question_of(directive)
        refusal = None
        if directive.status is DirectiveStatus.CANCELLED:
            refusal = AnswerStatus.WITHDRAWN
        elif question is None:
            refusal = AnswerStatus.NOT_A_QUESTION
        elif self.closed(directive):
            # Refused, with the answer that stands for the message to show (a stranger's
            # press after closing is refused as any stranger's is).
            current = await self.storage.answers.current(directive.id, member.id)
            if current is None:
                return AnswerResult(AnswerStatus.UNKNOWN, directive), None, None, None
            return AnswerResult(AnswerStatus.LATE, directive, current.answer), None, None, None
        if refusal is not None:
            return AnswerResult(refusal, directive), None, None, None
        return None, directive, question, member

    async def answer(self, directive_id: int, telegram_id: int, choice: int) -> AnswerResult:
        """A press of choice number ``choice`` (its index) by the member ``telegram_id``."""
        refused, directive, question, member = await self._open(directive_id, telegram_id)
        if refused is not None:
            return refused
        assert directive is not None and question is not None and member is not None
        if not 0 <= choice < len(question.choices):
            return AnswerResult(AnswerStatus.NO_SUCH_CHOICE, directive)
        pressed = await self.storage.answers.record(
            directive_id, member.id, choice, self.clock.now()
        )
        if pressed is None or pressed.answer is None:
            return AnswerResult(AnswerStatus.UNKNOWN, directive)
        status = AnswerStatus.RECORDED if pressed.changed else AnswerStatus.UNCHANGED
        return self._result(status, directive, question, pressed.answer)

    async def to_change(self, directive_id: int, telegram_id: int) -> AnswerResult:
        """A press of "Change" under the member's answer: their current answer, UNCHANGED,
        for its choices to be shown again (none yet: a crash came before the edit), or
        the refusal a choice's press would get (closed, withdrawn, not a recipient)."""
        refused, directive, question, member = await self._open(directive_id, telegram_id)
        if refused is not None:
            return refused
        assert directive is not None and question is not None and member is not None
        current = await self.storage.answers.current(directive_id, member.id)
        if current is None:
            return AnswerResult(AnswerStatus.UNKNOWN, directive)
        if current.answer is None:
            return AnswerResult(AnswerStatus.UNCHANGED, directive)
        return self._result(AnswerStatus.UNCHANGED, directive, question, current.answer)

    async def give_number(self, directive_id: int, telegram_id: int, text: str) -> AnswerResult:
        """The number asked after the current choice, as typed (``１２`` too); BAD_NUMBER
        (with the choice, for its bounds) when it is not a whole number within them."""
        return await self._follow_up(directive_id, telegram_id, text, Step.NUMBER)

    async def give_reason(self, directive_id: int, telegram_id: int, text: str) -> AnswerResult:
        """The reason asked after the current choice; empty is refused where the author
        made it required (an optional one is skipped by not asking for it)."""
        return await self._follow_up(directive_id, telegram_id, text, Step.REASON)

    async def _follow_up(
        self, directive_id: int, telegram_id: int, text: str, step: Step
    ) -> AnswerResult:
        refused, directive, question, member = await self._open(directive_id, telegram_id)
        if refused is not None:
            return refused
        assert directive is not None and question is not None and member is not None
        current = await self.storage.answers.current(directive_id, member.id)
        if current is None or current.answer is None:
            return AnswerResult(AnswerStatus.NOT_ASKED, directive)
        answer = current.answer
        choice = question.choices[answer.choice]
        number: int | None = None
        reason: str | None = None
        if step is Step.NUMBER:
            if choice.number is None:
                return self._result(AnswerStatus.NOT_ASKED, directive, question, answer)
            number = checked_number(choice, text)
            if number is None:
                return self._result(AnswerStatus.BAD_NUMBER, directive, question, answer)
        else:
            if choice.reason is Reason.NONE:
                return self._result(AnswerStatus.NOT_ASKED, directive, question, answer)
            reason, problem = checked_reason(text)
            if problem is not None:
                return self._result(problem, directive, question, answer)
        stored = await self.storage.answers.follow_up(
            directive_id, member.id, answer.choice, self.clock.now(), number=number, reason=reason
        )
        if stored is None:  # changed to another choice meanwhile
            return AnswerResult(AnswerStatus.NOT_ASKED, directive)
        return self._result(AnswerStatus.RECORDED, directive, question, stored)

    @staticmethod
    def _result(
        status: AnswerStatus, directive: Directive, question: Question, answer: Answer
    ) -> AnswerResult:
        choice = question.choices[answer.choice]
        return AnswerResult(status, directive, answer, choice, next_step(choice, answer))

    # Watching ----------------------------------------------------------------------------

    async def headcount(
        self, actor: Actor, directive_id: int, root_id: int | None = None
    ) -> Headcount | None:
        """The answers under ``root_id`` (default: the unit the directive is from), per
        unit one level below it; None when the directive asks no question. Its author
        sees it from its own unit; anyone else needs to see the root unit."""
        found = await self._asked(directive_id, root_id)
        if found is None:
            return None
        directive, question, root = found
        if not self._authors(actor, directive, root):
            await self.authz.check(actor, Action.VIEW_UNIT, root, f"headcount {directive_id}")
        return await self._rolled_up(directive, question, root)

    async def for_author(self, directive: Directive) -> Headcount | None:
        """The author's live message (the schedule's, with nobody to check): the whole
        headcount under the unit the directive is from."""
        question = question_of(directive)
        if question is None:  # most directives: no read at all
            return None
        root = await self.storage.units.get(directive.from_unit_id)
        return None if root is None else await self._rolled_up(directive, question, root)

    async def watched(self) -> list[Directive]:
        """Questions whose author's message still moves: answers open, or closed within
        the last few minutes (a press just before closing shows on the next tick)."""
        return await self.storage.directives.asking(self.clock.now() - CATCH_UP)

    async def visible(self, actor: Actor, directive: Directive) -> list[Headcount]:
        """The headcounts ``actor`` may see in ``/directives``: under the unit it is from
        for its author and those who see that unit; else under each of their own units
        below it (a branch's secretary sees their branch) that received it."""
        origin = await self.storage.units.get(directive.from_unit_id)
        question = question_of(directive)
        if origin is None or question is None:
            return []
        if self._authors(actor, directive, origin) or can(actor, Action.VIEW_UNIT, origin):
            roots = [origin]
        else:
            scopes = actor.scopes(Role.SECRETARY, Role.COORDINATOR)
            roots = [unit for unit in scopes if origin.contains(unit)]
        counts = [await self._rolled_up(directive, question, root) for root in roots]
        return [count for count in counts if count.total.recipients]

    async def members(
        self, actor: Actor, directive_id: int, unit_id: int, *, own: bool = False
    ) -> tuple[Headcount, list[MemberAnswer]] | None:
        """Who answered what under ``unit_id`` (``own``: its own members only), with the
        headcount it is a line of; refused (PermissionDeniedError) outside the viewer's
        scope, as ``headcount`` is. The drill-down and the export read these."""
        headcount = await self.headcount(actor, directive_id, unit_id)
        if headcount is None:
            return None
        listed = await self.storage.answers.members(directive_id, headcount.root.path, own=own)
        return headcount, listed

    async def for_export(
        self, actor: Actor, directive: Directive
    ) -> dict[int, tuple[Answer | None, int]]:
        """Each recipient's current answer (None: silent) and how many times they changed
        it, by member id, read as the drill-down reads them (``members`` under each root
        the viewer sees), so an export's totals per unit are the headcount's."""
        found: dict[int, tuple[Answer | None, int]] = {}
        counts = await self.visible(actor, directive)
        changes = await self.storage.answers.changes(directive.id) if counts else {}
        for count in counts:
            # ``visible`` checked the scope of each root already: the same read as
            # ``members``, without rolling the headcount up a second time.
            listed = await self.storage.answers.members(directive.id, count.root.path, own=False)
            for person in listed:
                found[person.member_id] = (person.answer, changes.get(person.member_id, 0))
        return found

    @staticmethod
    def _authors(actor: Actor, directive: Directive, root: Unit) -> bool:
        mine = bool(actor.telegram_id) and directive.author_telegram_id == actor.telegram_id
        return mine and root.id == directive.from_unit_id

    async def _asked(
        self, directive_id: int, root_id: int | None
    ) -> tuple[Directive, Question, Unit] | None:
        directive = await self.storage.directives.get(directive_id)
        question = question_of(directive) if directive else None
        if directive is None or question is None:
            return None
        root = await self.storage.units.get(root_id or directive.from_unit_id)
        return None if root is None else (directive, question, root)

    async def _rolled_up(self, directive: Directive, question: Question, root: Unit) -> Headcount:
        lines = await self._lines(directive.id, root)
        return Headcount(directive, question, root, lines, _sum(t for _, t in lines))

    async def _lines(self, directive_id: int, root: Unit) -> list[tuple[Unit, Tally]]:
        tallies = await self.storage.answers.rolled_up(directive_id, root.path)
        units = [root, *await self.storage.units.children(root.id)]
        lines = [(u, tallies[u.path]) for u in units if tallies.get(u.path, Tally()).recipients]
        lines.sort(key=lambda line: (line[1].answered / line[1].recipients, line[0].name))
        return lines

    async def asked(self, root: Unit, directive_ids: Iterable[int]) -> list[Asked]:
        """The questions among ``directive_ids`` with their tallies under ``root``, for a
        summary (whose reader was checked there): the same lines as the headcount."""
        found = []
        for directive_id in directive_ids:
            directive = await self.storage.directives.get(directive_id)
            question = question_of(directive) if directive else None
            if directive is None or question is None:
                continue
            lines = await self._lines(directive_id, root)
            labels = tuple(c.label for c in question.choices)
            total = _sum(t for _, t in lines)
            found.append(Asked(directive_id, directive.text, labels, lines, total))
        return found

    async def chosen(self, actor: Actor, directive_id: int, choice: int, unit_id: int) -> Chosen:
        """Who chose ``choice`` in ``unit_id`` and below (where they were asked), for a
        follow-up: the viewer must be able to send directives there. Raises
        PermissionDeniedError, or LookupError for a withdrawn or unknown question."""
        directive = await self.storage.directives.get(directive_id)
        picked = chosen_answer(directive, choice) if directive else None
        unit = await self.storage.units.get(unit_id)
        if picked is None or unit is None:
            raise LookupError(directive_id)
        await self.authz.check(actor, Action.SEND_DIRECTIVE, unit, f"follow-up {directive_id}")
        follow_up = FollowUp(directive_id, choice)
        members = await self.storage.directives.count_audience(
            [Target(unit.id, subtree=True)], actor.telegram_id or 0, follow_up
        )
        return Chosen(follow_up, picked, unit, members)


def _sum(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.recipients += tally.recipients
        total.unreachable += tally.unreachable
        for index, count in tally.choices.items():
            was = total.choices.get(index, ChoiceCount())
            total.choices[index] = ChoiceCount(
                was.members + count.members, was.number_sum + count.number_sum
            )
    return total
