"""The dashboard's directive view and its "Remind now" (issue #19, second slice).

One directive or question as the person may see it, at one unit: its delivery and its
answers, the unit's own members and each unit one level below it on a line (summed over
that unit's subtree), worst response first, and the unit's own silent members by name;
a line opens the same view at its unit. Every number comes from the chat's services:
``DirectiveService.view`` (the ``/directives`` detail: its scope check, default deny,
refusals audited) and, for a question, ``AnswerService.headcount`` (the chat's headcount
at that unit, with its own check). "Remind now" is ``DirectiveService.remind_now``, the
chat button's call, for the silent members under the unit shown. The unit's own register
entries who are not recipients (never joined) are listed with how the fallback reached
them, as the chat's detail lists them (``ReachRepository.entries``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.directives.answers import AnswerService, Headcount, answers_closed
from bot.directives.drafting import DirectiveError
from bot.directives.service import DirectiveService, DirectiveView, Totals
from bot.kit.clock import Clock
from bot.org.authz import Action, Actor, Authorizer, can
from storage import Storage
from storage.answers import Tally
from storage.directives import Directive, Straggler, UnitTally
from storage.models import DirectiveStatus, Role, Unit
from storage.reach import EntryReach

# Silent members listed by name at most (the rest are counted), as the Today view's missing.
SILENT_SHOWN = 200


class Refusal(StrEnum):
    """Why a directive cannot be shown or reminded, for the page to say."""

    UNKNOWN = "unknown"  # no such directive or unit
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"  # a question whose answers closed
    NOT_NOW = "not_now"  # asks nothing, or not sent yet


class BoardError(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal)
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class BoardLine:
    """The unit's own members (``own``) or a unit below it, with everything under it."""

    unit: Unit
    totals: Totals
    answers: Tally | None  # a question's headcount line
    own: bool


@dataclass(frozen=True, slots=True)
class Board:
    view: DirectiveView  # the chat's detail, within the person's scope
    unit: Unit  # the unit shown
    totals: Totals  # under it
    headcount: Headcount | None  # a question's, under it
    lines: list[BoardLine]  # worst response rate first, as the chat's detail orders units
    silent: list[Straggler]  # the unit's own silent members, by name
    silent_more: int  # beyond those listed
    entries: list[EntryReach]  # the unit's own register entries not on Telegram, by name
    entries_more: int  # beyond those listed
    path: list[Unit]  # the units above it the person may open, top first
    closed: bool  # a question's answers closed
    can_remind: bool  # "Remind now" would remind someone under it


def done(directive: Directive, totals: Totals) -> int:
    """What a line is ranked by: acknowledged (a question: answered) if it asks, else sent."""
    return totals.acked if directive.ack_required else totals.sent


def _under(tallies: list[tuple[Unit, UnitTally]], unit: Unit, own: bool) -> Totals:
    """The unit's own members' (``own``), or everyone's in it and below."""
    return Totals.of([t for u, t in tallies if (u.id == unit.id if own else unit.contains(u))])


class DirectiveBoard:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        authz: Authorizer,
        directives: DirectiveService,
        answers: AnswerService,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.authz = authz
        self.directives = directives
        self.answers = answers

    async def recent(self, actor: Actor) -> list[tuple[Directive, Totals]]:
        """The chat's ``/directives`` list: the newest in the person's scope."""
        return await self.directives.recent(actor)

    async def _view(self, actor: Actor, directive_id: int) -> DirectiveView:
        try:
            return await self.directives.view(actor, directive_id)
        except DirectiveError:
            raise BoardError(Refusal.UNKNOWN) from None

    async def _unit(self, actor: Actor, view: DirectiveView, unit_id: int | None) -> Unit:
        """The unit asked for (checked as the Today view checks it), else where the person
        sees it from: the unit it is from, or their own unit below that."""
        if unit_id is not None:
            unit = await self.storage.units.get(unit_id)
            if unit is None:
                raise BoardError(Refusal.UNKNOWN)
            await self.authz.check(actor, Action.VIEW_UNIT, unit, f"directive {view.directive.id}")
            return unit
        origin = view.from_unit
        if can(actor, Action.VIEW_UNIT, origin):
            return origin
        reached = [u for u, _ in view.units]
        for scope in actor.scopes(Role.SECRETARY, Role.COORDINATOR):
            if origin.contains(scope) and any(scope.contains(u) for u in reached):
                return scope
        return origin  # the author's own directive, outside any scope of theirs now

    async def board(self, actor: Actor, directive_id: int, unit_id: int | None = None) -> Board:
        """The directive at ``unit_id`` (by default where the person sees it from). Raises
        ``PermissionDeniedError`` out of scope and ``BoardError`` for an unknown one."""
        view = await self._view(actor, directive_id)
        directive = view.directive
        unit = await self._unit(actor, view, unit_id)
        headcount = None
        if directive.question is not None:
            headcount = await self.answers.headcount(actor, directive_id, unit.id)
        below = [(u, t) for u, t in view.units if unit.contains(u)]
        answered = {u.id: t for u, t in headcount.lines} if headcount else {}
        parts = [(unit, True), *[(c, False) for c in await self.storage.units.children(unit.id)]]
        lines = [
            BoardLine(part, _under(below, part, own), answered.get(part.id), own)
            for part, own in parts
        ]
        lines = [x for x in lines if x.totals.recipients]
        lines.sort(key=lambda x: (done(directive, x.totals) / x.totals.recipients, x.unit.name))
        silent = [s for s, u in view.stragglers if u.id == unit.id]
        entries = [
            e
            for e in await self.storage.reach.entries(directive_id, [unit.path])
            if e.unit.id == unit.id
        ]
        closed = answers_closed(directive, self.clock.now())
        reachable = any(not s.unreachable and unit.contains(u) for s, u in view.stragglers)
        path = [
            u for u in await self.storage.units.ancestors(unit) if can(actor, Action.VIEW_UNIT, u)
        ]
        return Board(
            view=view,
            unit=unit,
            totals=Totals.of([t for _, t in below]),
            headcount=headcount,
            lines=lines,
            silent=silent[:SILENT_SHOWN],
            silent_more=max(0, len(silent) - SILENT_SHOWN),
            entries=entries[:SILENT_SHOWN],
            entries_more=max(0, len(entries) - SILENT_SHOWN),
            path=path,
            closed=closed,
            can_remind=view.can_remind and reachable and can(actor, Action.SEND_DIRECTIVE, unit),
        )

    async def remind(self, actor: Actor, directive_id: int, unit_id: int) -> int:
        """The chat's "Remind now" for the silent under ``unit_id``: how many were
        reminded (0 when reminders are already on their way: its own idempotence).
        Raises ``PermissionDeniedError`` (audited) where the person may not send, and
        ``BoardError`` saying why when the directive cannot be reminded now."""
        unit = await self.storage.units.get(unit_id)
        if unit is None:
            raise BoardError(Refusal.UNKNOWN)
        try:
            return await self.directives.remind_now(actor, directive_id, unit)
        except DirectiveError:
            directive = await self.storage.directives.get(directive_id)
            if directive is None:
                raise BoardError(Refusal.UNKNOWN) from None
            if directive.status is DirectiveStatus.CANCELLED:
                raise BoardError(Refusal.WITHDRAWN) from None
            if answers_closed(directive, self.clock.now()):
                raise BoardError(Refusal.CLOSED) from None
            raise BoardError(Refusal.NOT_NOW) from None
