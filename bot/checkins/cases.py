"""Flags are cases: each flagged answer of a check-in is a case the member's secretaries
follow up. Someone in scope marks it handled (with an optional note) or passes it up the
ladder: the unit's secretaries, then its coordinators, then the secretaries and the
coordinators of each unit above, skipping rungs nobody holds. A case not handled within
``checkin.flag_escalate_after`` climbs one rung by itself; at the top (the root's
coordinators) it stays. Every change is audited, and its notices are queued in the same
transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.kit.clock import Clock
from bot.kit.questions import Question
from bot.org.authz import Action, Actor, Authorizer
from storage import Storage
from storage.cases import Case, CaseState, Rung
from storage.checkins import CheckinKind
from storage.models import Member, Role, Unit
from storage.outbox import NewMessage, Priority
from storage.store import Connection

OLD = timedelta(hours=24)  # "older than 24 h" in the summary
_RUNG_ROLES = (Role.SECRETARY, Role.COORDINATOR)  # on one unit, who comes first


class CaseVerdict(StrEnum):
    DONE = "done"
    UNKNOWN = "unknown"  # no such case (forged data)
    NOT_ALLOWED = "not_allowed"  # outside the presser's scope
    HANDLED = "handled"  # someone handled it already
    WITHDRAWN = "withdrawn"  # the member took the answer back
    TOP = "top"  # nobody above: it stays where it is


CLOSED = (CaseVerdict.HANDLED, CaseVerdict.WITHDRAWN)


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    verdict: CaseVerdict
    case: Case | None = None
    holders: tuple[Member, ...] = ()  # who holds it now (escalated), or who handled it
    unit: Unit | None = None  # the case's unit (escalated: the rung's)
    member: Member | None = None  # whose answer it is


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case as ``/flags`` shows it: whose, where, and the check-in's answers."""

    case: Case
    member: Member | None
    unit: Unit | None
    answers: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Step:
    """One rung of a case's ladder and its holders (with a Telegram chat)."""

    rung: Rung
    unit: Unit
    holders: tuple[Member, ...]


def flagged_questions(questions: Sequence[Question], answers: dict[str, Any]) -> list[str]:
    """The ids of the questions whose answer flags a problem (a flagged choice, or a number
    past a threshold): one case each."""
    return [q.id for q in questions if q.flags(answers.get(q.id))]


class CaseService:
    def __init__(self, storage: Storage, clock: Clock, authz: Authorizer) -> None:
        self.storage = storage
        self.clock = clock
        self.authz = authz

    # The ladder ----------------------------------------------------------------

    async def ladder(self, unit_id: int) -> list[Step]:
        """From the member's unit up to the root: each unit's secretaries, then its
        coordinators; rungs nobody (reachable) holds are left out."""
        unit = await self.storage.units.get(unit_id)
        if unit is None:
            return []
        chain = [unit, *reversed(await self.storage.units.ancestors(unit))]
        ids = [u.id for u in chain]
        steps = []
        held = {role: await self.storage.members.holders(ids, role) for role in _RUNG_ROLES}
        for each in chain:
            for role in _RUNG_ROLES:
                holders = tuple(m for u, m in held[role] if u == each.id and m.telegram_id)
                if holders:
                    steps.append(Step(Rung(each.id, role.value), each, holders))
        return steps

    async def first_rung(self, unit_id: int) -> Rung | None:
        """Where a new case starts: the nearest secretaries (those the flag notice
        reaches), else whoever is lowest on the ladder."""
        steps = await self.ladder(unit_id)
        first = next((s for s in steps if s.rung.role == Role.SECRETARY), None)
        first = first or next(iter(steps), None)
        return first.rung if first else None

    async def holding(self, case: Case) -> Step | None:
        """The rung the case is at now, with its holders."""
        steps = await self.ladder(case.unit_id)
        return next((s for s in steps if _same(s.rung, case)), None)

    async def _above(self, case: Case) -> Step | None:
        """The next rung up from where the case is (roles may have changed since: a rung
        nobody holds any more still has its place on the ladder)."""
        rung_unit = await self.storage.units.get(case.rung_unit_id or 0)
        here = _key(rung_unit, case.rung_role or "") if rung_unit else (-(10**6), -1)
        steps = await self.ladder(case.unit_id)
        return next((s for s in steps if _key(s.unit, s.rung.role) > here), None)

    # Opening -------------------------------------------------------------------

    async def open(
        self,
        conn: Connection,
        member: Member,
        checkin_id: int,
        unit_id: int,
        day: date,
        questions: Sequence[str],
        now: datetime,
    ) -> None:
        """A case for each newly flagged answer, and the cases of answers no longer
        flagged withdrawn (inside the check-in's transaction)."""
        withdrawn = await self.storage.cases.withdraw(conn, checkin_id, questions, now)
        for case_id in withdrawn:
            await self._audit(member.telegram_id, "flag_withdrawn", unit_id, f"case {case_id}")
        opened = await self.storage.cases.open(
            conn,
            checkin_id=checkin_id,
            questions=questions,
            member_id=member.id,
            unit_id=unit_id,
            day=day,
            rung=await self.first_rung(unit_id),
            now=now,
        )
        for case_id in opened:
            await self._audit(member.telegram_id, "flag_open", unit_id, f"case {case_id}")

    # Acting ----------------------------------------------------------------------

    async def actionable(self, actor: Actor, case_id: int) -> CaseOutcome:
        """Whether ``actor`` may act on the case now (before a note is asked for)."""
        case = await self.storage.cases.get(case_id)
        if case is None:
            return CaseOutcome(CaseVerdict.UNKNOWN)
        unit = await self.storage.units.get(case.unit_id)
        if not await self.authz.allows(actor, Action.HANDLE_FLAG, unit, f"case {case_id}"):
            return CaseOutcome(CaseVerdict.NOT_ALLOWED, case)
        if case.handled_at is not None:
            return await self._closed(case)
        member = await self.storage.members.get(case.member_id)
        return CaseOutcome(CaseVerdict.DONE, case, unit=unit, member=member)

    async def handle(self, actor: Actor, case_id: int, note: str | None) -> CaseOutcome:
        """Mark it handled; of two at once, the second is told who did."""
        found = await self.actionable(actor, case_id)
        if found.verdict is not CaseVerdict.DONE or found.case is None:
            return found
        by = actor.member.id if actor.member else None  # None: an admin who is no member
        async with self.storage.db.transaction() as conn:
            won = await self.storage.cases.handle(conn, case_id, by, note, self.clock.now())
            if won:
                await self.authz.audit(
                    actor,
                    "flag_handled",
                    found.unit,
                    f"case {case_id}" + (" +note" if note else ""),
                )
        case = await self.storage.cases.get(case_id)
        assert case is not None
        if not won:
            return await self._closed(case)
        return CaseOutcome(CaseVerdict.DONE, case, unit=found.unit, member=found.member)

    async def escalate(self, actor: Actor, case_id: int) -> CaseOutcome:
        """Up one rung by hand; the new holders are told."""
        found = await self.actionable(actor, case_id)
        if found.verdict is not CaseVerdict.DONE or found.case is None:
            return found
        by = actor.member.id if actor.member else None
        return await self._climb(found.case, by, actor.telegram_id)

    async def climb_waiting(self, after: timedelta | None) -> int:
        """The schedule step: each open case that waited ``after`` on its rung climbs one
        (once per rung: climbing restarts its wait). Returns how many climbed."""
        if after is None:
            return 0
        climbed = 0
        for case in await self.storage.cases.waiting(self.clock.now() - after):
            outcome = await self._climb(case, None, None)
            climbed += outcome.verdict is CaseVerdict.DONE
        return climbed

    async def _climb(self, case: Case, by: int | None, telegram_id: int | None) -> CaseOutcome:
        above = await self._above(case)
        now = self.clock.now()
        async with self.storage.db.transaction() as conn:
            moved = await self.storage.cases.escalate(
                conn, case, above.rung if above else None, by, now
            )
            if moved and above is not None:
                await self.storage.outbox.enqueue_many(conn, _notices(case, above, now), now)
                how = "by hand" if by else "waited too long"
                await self._audit(
                    telegram_id,
                    "flag_escalated",
                    case.unit_id,
                    f"case {case.id}: level {case.level + 1} to {above.rung.role}"
                    f" of unit {above.unit.id} ({how})",
                )
        fresh = await self.storage.cases.get(case.id) or case
        if not moved and fresh.handled_at is not None:  # handled or withdrawn meanwhile
            return await self._closed(fresh)
        if above is None:
            here = await self.holding(case)
            return CaseOutcome(
                CaseVerdict.TOP, case, here.holders if here else (), here.unit if here else None
            )
        return CaseOutcome(CaseVerdict.DONE, fresh, above.holders, above.unit)

    async def _closed(self, case: Case) -> CaseOutcome:
        """Closed already: who handled it, or whose answer it was (withdrawn)."""
        unit = await self.storage.units.get(case.unit_id)
        if case.state is CaseState.WITHDRAWN:
            member = await self.storage.members.get(case.member_id)
            return CaseOutcome(CaseVerdict.WITHDRAWN, case, unit=unit, member=member)
        who = await self.storage.members.get(case.handled_by or 0)
        return CaseOutcome(CaseVerdict.HANDLED, case, (who,) if who else (), unit)

    async def _audit(self, telegram_id: int | None, action: str, unit_id: int, detail: str) -> None:
        await self.storage.audit.add(
            at=self.clock.now(),
            actor_telegram_id=telegram_id,
            action=action,
            outcome="ok",
            unit_id=unit_id,
            detail=detail,
        )

    # Looking ---------------------------------------------------------------------

    async def may_follow_up(self, actor: Actor) -> bool:
        """Whether ``actor`` has flags to follow up anywhere (the refusal audited)."""
        if actor.is_admin or actor.scopes(*_RUNG_ROLES):
            return True
        await self.authz.refuse(actor, Action.HANDLE_FLAG, "/flags")
        return False

    async def in_scope(self, actor: Actor) -> list[Case]:
        """Open cases the viewer may act on, oldest first: a secretary's subtree, a
        coordinator's committees, everything for an admin."""
        if actor.is_admin:
            roots = [u.path for u in await self.storage.units.children(None)]
        else:
            roots = [u.path for u in actor.scopes(*_RUNG_ROLES)]
        return await self.storage.cases.open_under(roots)

    async def views(self, cases: Sequence[Case]) -> list[CaseView]:
        """What ``/flags`` shows of each of ``cases`` (a page of them)."""
        views = []
        for case in cases:
            member = await self.storage.members.get(case.member_id)
            checkin = await self.storage.checkins.get(case.member_id, case.day)
            unit = await self.storage.units.get(case.unit_id)
            views.append(CaseView(case, member, unit, checkin.answers if checkin else {}))
        return views

    async def open_flags(self, unit_id: int, now: datetime) -> tuple[int, int]:
        """Cases of the unit's subtree open at ``now``, and how many of them were opened
        more than 24 hours before it (for the summary)."""
        unit = await self.storage.units.get(unit_id)
        if unit is None:
            return 0, 0
        per_unit = await self.storage.cases.open_per_unit(unit.path, now, now - OLD)
        return sum(o for o, _ in per_unit.values()), sum(o for _, o in per_unit.values())

    async def open_flags_per_unit(self, root: str, now: datetime) -> dict[str, tuple[int, int]]:
        """``open_flags`` for each unit path of the subtree at ``root`` (one query)."""
        return await self.storage.cases.open_per_unit(root, now, now - OLD)


def _key(unit: Unit, role: str) -> tuple[int, int]:
    """A rung's place on the ladder: deeper units first, on one unit its secretaries."""
    roles = [r.value for r in _RUNG_ROLES]
    return (-unit.path.count("/"), roles.index(role) if role in roles else -1)


def _same(rung: Rung, case: Case) -> bool:
    return rung.unit_id == case.rung_unit_id and rung.role == case.rung_role


def _notices(case: Case, step: Step, now: datetime) -> list[NewMessage]:
    """The flag, for the rung it climbed to; worded when sent (``CheckinRenderers.flag``),
    and dropped then if it was handled meanwhile."""
    payload = {"member": case.member_id, "day": case.day.isoformat(), "case": case.id}
    return [
        NewMessage(CheckinKind.FLAG, m.telegram_id, m.id, None, Priority.NOTICE, payload, now)
        for m in step.holders
        if m.telegram_id is not None
    ]
