"""The escalation ladder (issue #18): after a directive with a deadline goes out, its
silent recipients are chased step by step, as the organisation configured
(``directives.ladder``; without one, today's two steps: remind at the deadline, the
secretaries' lists ``escalation_grace`` later).

Each step runs once per directive, recorded in ``directive_steps`` in the transaction that
queues its messages (migration 0029). The tick asks the database once per rung, never per
directive. After downtime the tick catches up with the latest step due and records the
earlier ones it overtook as skipped: one late step, not a burst of them. A question's
answers close at its deadline, so its member-facing steps (remind, fallback) due then or
later are skipped too; the secretaries and coordinators still hear of the silent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.config import DirectiveSettings
from bot.directives.config import StepKind
from bot.directives.escalation import Escalation, escalation_lists
from bot.kit.clock import Clock
from bot.org.authz import Authorizer
from storage import Storage
from storage.directives import Directive, UnitTally
from storage.ladder import CHASE_OVER, StepRecord
from storage.models import DirectiveStatus, Member, Role, Unit
from storage.outbox import NewMessage, Priority

# What the fallback channels do with a directive's silent members (bot/fallback/, wired by
# the composition root): queue their messages, inside the step's transaction, and say how
# many.
FallbackStep = Callable[[Directive], Awaitable[int]]
# Steps that reach the members themselves: pointless once a question's answers closed.
_TO_MEMBERS = frozenset({StepKind.REMIND, StepKind.FALLBACK})


@dataclass(frozen=True, slots=True)
class Rung:
    """A step of the ladder: ``after`` from when the directive started sending, or, in the
    default ladder, from its deadline (``from_deadline``)."""

    index: int
    kind: StepKind
    after: timedelta
    from_deadline: bool = False
    below: float = 1.0  # a coordinators step: units under this response rate


def ladder_of(settings: DirectiveSettings) -> tuple[Rung, ...]:
    if settings.ladder is None:
        return (
            Rung(0, StepKind.REMIND, timedelta(0), from_deadline=True),
            Rung(1, StepKind.SECRETARIES, settings.escalation_grace, from_deadline=True),
        )
    return tuple(
        Rung(index, step.step, step.after, below=1.0 if step.below is None else step.below)
        for index, step in enumerate(settings.ladder)
    )


@dataclass(frozen=True, slots=True)
class UnitRate:
    """A unit's (rolled-up) recipients of a directive and how many of them are silent."""

    unit: Unit
    recipients: int
    silent: int

    @property
    def rate(self) -> float:
        return (self.recipients - self.silent) / self.recipients


@dataclass(frozen=True, slots=True)
class CoordinatorList:
    """One coordinator's units (below their committee) under the step's rate, worst first."""

    coordinator: Member
    committee: Unit
    units: list[UnitRate]
    below: float


@dataclass(frozen=True, slots=True)
class ChaseState:
    """What the author's message says of the chase: the steps recorded, the next one."""

    done: list[StepRecord]
    next: tuple[StepKind, datetime] | None


class ChaseWording(Protocol):
    """The schedule's wording of a step's messages (bot/directives/chasing.py)."""

    def secretaries(self, directive: Directive, lists: list[Escalation]) -> list[NewMessage]: ...

    def coordinators(
        self, directive: Directive, lists: list[CoordinatorList]
    ) -> list[NewMessage]: ...


class Ladder:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        authz: Authorizer,
        settings: DirectiveSettings,
        fallback: FallbackStep | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.authz = authz
        self.rungs = ladder_of(settings)
        self.lead = settings.question_reminder_lead
        self.urgent_factor = settings.urgent_factor
        self.fallback = fallback

    def has(self, kind: StepKind) -> bool:
        return any(rung.kind is kind for rung in self.rungs)

    def due_at(self, rung: Rung, directive: Directive) -> datetime:
        """When ``rung`` falls due for ``directive`` (an urgent one's ladder is faster)."""
        after = rung.after * (self.urgent_factor if directive.paid else 1)
        deadline = directive.ack_deadline
        if not rung.from_deadline or deadline is None:
            return directive.send_at + after
        if rung.kind is StepKind.REMIND and directive.question is not None:
            return self.question_reminder(directive, deadline)
        return deadline + after

    def question_reminder(self, directive: Directive, deadline: datetime) -> datetime:
        """``question_reminder_lead`` before the answers close, or halfway there when it
        was sent less than twice the lead before: a reminder one can still answer."""
        return deadline - min(self.lead, (deadline - directive.send_at) / 2)

    def _skips(self, rung: Rung, directive: Directive, at: datetime) -> bool:
        """A step that cannot help at ``at``: to the members of a question whose answers
        have closed by then (or with no fallback channel wired)."""
        deadline = directive.ack_deadline
        closed = directive.question is not None and deadline is not None and at >= deadline
        return (closed and rung.kind in _TO_MEMBERS) or (
            rung.kind is StepKind.FALLBACK and self.fallback is None
        )

    async def run_due(self, wording: ChaseWording) -> tuple[int, list[int]]:
        """Every step due now, each directive's latest first: (messages queued, the
        directives that climbed, whose author's message shows it)."""
        now = self.clock.now()
        queued, climbed = 0, []
        for rung in reversed(self.rungs):
            for directive in await self._candidates(rung, now):
                if directive.id in climbed or self.due_at(rung, directive) > now:
                    continue
                done = await self._climb(directive, rung, now, wording)
                if done is not None:
                    queued += done
                    climbed.append(directive.id)
        return queued, climbed

    async def _candidates(self, rung: Rung, now: datetime) -> list[Directive]:
        """One query a rung: at least those due (``due_at`` decides exactly)."""
        urgent = rung.after * self.urgent_factor
        if not rung.from_deadline:
            return await self.storage.ladder.due(
                rung.index, "send_at", now - rung.after, now - urgent
            )
        # A question's reminder goes up to ``lead`` before its deadline.
        early = self.lead if rung.kind is StepKind.REMIND else timedelta(0)
        before = now - rung.after + early
        return await self.storage.ladder.due(
            rung.index, "ack_deadline", before, now - urgent + early
        )

    async def _climb(
        self, directive: Directive, rung: Rung, now: datetime, wording: ChaseWording
    ) -> int | None:
        """Run ``rung`` for ``directive`` (or skip it), recording it and the rungs it
        overtook, with its messages, in one transaction; None when another tick did."""
        due = self.due_at(rung, directive)
        skipped = self._skips(rung, directive, now)  # late, it may come after the close
        steps = [
            (r.index, r.kind.value, self.due_at(r, directive), True)
            for r in self.rungs[: rung.index]
        ]
        steps.append((rung.index, rung.kind.value, due, skipped))
        after = rung.index + 1 if rung.index + 1 < len(self.rungs) else CHASE_OVER
        storage = self.storage
        async with storage.db.transaction() as conn:
            if not await storage.ladder.claim(conn, directive.id, rung.index, after, steps, now):
                return None
            count = 0 if skipped else await self._step(directive, rung, now, wording)
            await storage.ladder.counted(conn, directive.id, rung.index, count)
            await storage.audit.add(
                at=now,
                actor_telegram_id=None,
                action="directive_step",
                outcome="ok",
                unit_id=directive.from_unit_id,
                detail=f"directive {directive.id}: {rung.kind.value} (step {rung.index + 1}), "
                + ("skipped" if skipped else f"{count} messages"),
            )
        return count

    async def _step(
        self, directive: Directive, rung: Rung, now: datetime, wording: ChaseWording
    ) -> int:
        storage = self.storage
        if rung.kind is StepKind.REMIND:
            return await storage.directives.queue_reminders(
                directive.id, now, priority=Priority.REMINDER
            )
        if rung.kind is StepKind.FALLBACK:
            assert self.fallback is not None  # else skipped
            return await self.fallback(directive)
        if rung.kind is StepKind.SECRETARIES:
            lists = await escalation_lists(storage, self.authz, directive)
            messages = wording.secretaries(directive, lists)
        else:
            messages = wording.coordinators(
                directive, await self.coordinator_lists(directive, rung.below)
            )
        async with storage.db.transaction() as conn:
            await storage.outbox.enqueue_many(conn, messages, now)
        return len(messages)

    async def coordinator_lists(self, directive: Directive, below: float) -> list[CoordinatorList]:
        """For the nearest coordinators above each unit that received it: the units one
        level below their committee (and its own members), rolled up, whose response rate
        is under ``below``, worst first. Counts only: no names."""
        tallies = await self.storage.directives.tallies(directive.id)
        units = {u.id: u for u in await self.storage.units.many([t.unit_id for t in tallies])}
        committees: dict[int, tuple[Unit, list[Member]]] = {}
        for tally in tallies:
            found = await self.authz.nearest(units[tally.unit_id], Role.COORDINATOR)
            if found is not None:
                committees.setdefault(found[0].id, found)
        lists = []
        for committee, coordinators in committees.values():
            rates = await self._rates(committee, tallies, units)
            low = sorted((r for r in rates if r.rate < below), key=lambda r: (r.rate, r.unit.name))
            if low:
                lists += [CoordinatorList(c, committee, low, below) for c in coordinators]
        return lists

    async def _rates(
        self, committee: Unit, tallies: list[UnitTally], units: dict[int, Unit]
    ) -> list[UnitRate]:
        """The recipients under ``committee`` rolled up to its children (its own members
        on a line of their own)."""
        children = {u.id: u for u in await self.storage.units.children(committee.id)}
        depth = len(committee.path.strip("/").split("/"))
        sums: dict[int, list[int]] = {}
        for tally in tallies:
            parts = units[tally.unit_id].path.strip("/").split("/")
            if not units[tally.unit_id].path.startswith(committee.path):
                continue
            line = int(parts[depth]) if len(parts) > depth else committee.id
            total = sums.setdefault(line, [0, 0])
            total[0] += tally.recipients
            total[1] += tally.recipients - tally.acked
        shown = {committee.id: committee, **children}
        return [UnitRate(shown[u], n, silent) for u, (n, silent) in sums.items() if u in shown]

    async def state(self, directive: Directive) -> ChaseState | None:
        """The chase as the author's message shows it; None for a directive not chased
        (no deadline, or withdrawn)."""
        if not directive.ack_required or directive.ack_deadline is None:
            return None
        if directive.status is DirectiveStatus.CANCELLED:
            return None
        done = await self.storage.ladder.steps(directive.id)
        following = len(done) and done[-1].rung + 1
        upcoming = [
            r
            for r in self.rungs[following:]
            if not self._skips(r, directive, self.due_at(r, directive))
        ]
        nxt = (upcoming[0].kind, self.due_at(upcoming[0], directive)) if upcoming else None
        return ChaseState(done, nxt)
