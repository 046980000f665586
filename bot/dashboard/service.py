"""What the dashboard shows, for whom. Every read names the person (an ``Actor`` from the
validated launch data) and is checked by the chat commands' own authorisation
(``Authorizer.check`` through ``SummaryService.for_viewer``, default deny) on each request,
so a role revoked while the page is open takes effect on its next refresh.

The Today view is the coordinators' summary of the unit for today (the same service and
numbers as ``/summary`` and the daily message), with the day's directives summed per line
by ``SummaryService.directive_lines``. Later views sit beside it, each one method with its
own check: Duty and Trends in modules of their own (``duty.py``, ``trends.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.dashboard.duty import DutyMaps
from bot.dashboard.trends import TrendService
from bot.org.authz import Action, Actor, Authorizer, can
from bot.summaries.service import Counts, SummaryService
from storage import Storage
from storage.checkins import Missing
from storage.models import Role, Unit
from storage.summaries import DirectiveReach

# Names of missing members listed at most (the rest are counted).
MISSING_SHOWN = 200


@dataclass(frozen=True, slots=True)
class TodayLine:
    """One unit below the one shown (or its own members, ``own``): the summary's line."""

    unit: Unit
    counts: Counts
    directives: DirectiveReach
    own: bool


@dataclass(frozen=True, slots=True)
class Today:
    unit: Unit
    day: date
    total: Counts
    directives: DirectiveReach
    lines: list[TodayLine]  # worst check-in rate first, as the summary orders them
    missing: list[Missing]  # the unit's own members without a check-in, by name
    missing_more: int  # beyond those listed
    path: list[Unit]  # the units above it the person may open, top first
    scopes: list[Unit]  # the top units of the person's scope


class DashboardService:
    def __init__(self, storage: Storage, authz: Authorizer, summaries: SummaryService) -> None:
        self.storage = storage
        self.authz = authz
        self.summaries = summaries
        # The Duty and Trends views (issue #19's third slice), each in a module of its own.
        self.duty = DutyMaps(storage, summaries.roster)
        self.trends = TrendService(storage, authz, summaries)

    async def scopes(self, actor: Actor) -> list[Unit]:
        """The top units the person may watch: where they are secretary or coordinator,
        every top unit for an admin; none for anyone else."""
        if actor.is_admin:
            return await self.storage.units.children(None)
        return actor.scopes(Role.SECRETARY, Role.COORDINATOR)

    async def unit_of(self, actor: Actor, unit_id: int | None, scopes: list[Unit]) -> Unit | None:
        """The unit a view asks for, by default the first of the person's ``scopes``; None
        when there is no such unit, or none to show (a refusal, audited). Whether the
        person may see it is each view's own check."""
        if unit_id is not None:
            return await self.storage.units.get(unit_id)
        if not scopes:
            await self.authz.refuse(actor, Action.VIEW_UNIT, "dashboard")
            return None
        return scopes[0]

    async def today(self, actor: Actor, unit_id: int | None = None) -> Today | None:
        """Today at ``unit_id`` (by default the first unit of the person's scope); None
        when there is no such unit, or none to show. A unit out of scope raises
        ``PermissionDeniedError`` (and is audited) as the chat's ``/summary`` does."""
        scopes = await self.scopes(actor)
        unit = await self.unit_of(actor, unit_id, scopes)
        if unit is None:
            return None
        summary = await self.summaries.for_viewer(actor, unit, self.summaries.today(unit))
        reach = await self.summaries.directive_lines(unit, summary.day)
        lines = [
            TodayLine(line.unit, line.counts, reach.get(line.unit.path, DirectiveReach()), line.own)
            for line in summary.lines
        ]
        path = [
            u for u in await self.storage.units.ancestors(unit) if can(actor, Action.VIEW_UNIT, u)
        ]
        return Today(
            unit=unit,
            day=summary.day,
            total=summary.total,
            directives=DirectiveReach.of(summary.directives),
            lines=lines,
            missing=summary.own_missing[:MISSING_SHOWN],
            missing_more=max(0, len(summary.own_missing) - MISSING_SHOWN),
            path=path,
            scopes=scopes,
        )
