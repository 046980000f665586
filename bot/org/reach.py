"""Reach per unit (issue #18): expected · joined · reachable on Telegram · reachable only by
fallback · unreachable, for each unit and rolled up its subtree. Every view (``muster org
show``, ``/members``, the summary's text and its workbook) reads these figures from here,
so they agree; README "Reach per unit" defines them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.org.authz import Action, Actor, Authorizer
from bot.org.register import RegisterLine, RegisterService
from storage import Storage
from storage.models import Role, Unit
from storage.register import Reach

__all__ = ["Reach", "ReachService", "UnitReach", "figures"]


@dataclass(frozen=True, slots=True)
class ReachView:
    """What ``/members`` shows of reach: the viewer's top units with their subtrees'
    figures, every unit of the scope with its own, and, for a secretary, the register
    entries not joined yet under the units they are secretary of (with phone numbers)."""

    roots: list[Unit]
    units: list[Unit]
    reach: UnitReach
    to_call: list[RegisterLine]


@dataclass(frozen=True, slots=True)
class UnitReach:
    """A subtree's figures: each unit's own people (``own``) and, rolled up, those of it
    and everything below it (``total``); units with nobody expected have no entry."""

    own: dict[int, Reach]
    total: dict[int, Reach]

    def own_of(self, unit: Unit) -> Reach:
        return self.own.get(unit.id, Reach())

    def total_of(self, unit: Unit) -> Reach:
        return self.total.get(unit.id, Reach())


def rolled_up(units: Sequence[Unit], own: dict[int, Reach]) -> dict[int, Reach]:
    """Each unit's own figures added to its own and every unit's above it (among
    ``units``): the path names them, so no tree is built."""
    known = {u.id for u in units}
    total: dict[int, Reach] = {}
    for unit in units:
        mine = own.get(unit.id)
        if mine is None:
            continue
        for part in unit.path.strip("/").split("/"):
            above = int(part)
            if above in known:
                total[above] = total.get(above, Reach()) + mine
    return total


class ReachService:
    def __init__(
        self,
        storage: Storage,
        authz: Authorizer,
        register: RegisterService,
        *,
        email: bool,
        phone: bool,
    ) -> None:
        """``email`` / ``phone``: whether a fallback channel that takes that address is
        configured (``[fallback.email]``, ``[fallback.gateway]``)."""
        self.storage = storage
        self.authz = authz
        self.register = register
        self.email = email
        self.phone = phone

    async def of_units(self, units: Sequence[Unit]) -> UnitReach:
        """The figures of ``units`` (whole subtrees: the organisation's or a viewer's
        scope), one statement per top unit among them."""
        ids = {u.id for u in units}
        tops = [u for u in units if not _has_parent_in(u, ids)]
        own: dict[int, Reach] = {}
        for top in tops:
            own.update(
                await self.storage.register.reach(top.path, email=self.email, phone=self.phone)
            )
        return UnitReach(own, rolled_up(units, own))

    async def of_subtree(self, root: Unit) -> UnitReach:
        return await self.of_units(await self.storage.units.subtree(root))

    async def for_viewer(self, actor: Actor) -> ReachView:
        """The figures of the viewer's scope (secretaries' and coordinators', as
        ``/members`` shows check-ins; an admin's: everything). Who has not joined, with
        their phone numbers, only under units the viewer is secretary of: the register's
        own rule (``RegisterService.listing``), so coordinators see counts only."""
        roots = (
            await self.storage.units.children(None)
            if actor.is_admin
            else actor.scopes(Role.SECRETARY, Role.COORDINATOR)
        )
        if not roots:
            await self.authz.check(actor, Action.VIEW_UNIT, None, "reach")
        units = [u for root in roots for u in await self.storage.units.subtree(root)]
        to_call: list[RegisterLine] = []
        for root in actor.scopes(Role.SECRETARY):
            to_call.extend(await self.register.listing(actor, root, not_joined=True))
        return ReachView(roots, units, await self.of_units(units), to_call)

    async def lines(self, committee: Unit) -> dict[str, Reach]:
        """The committee's subtree summed per unit one level below it, keyed by its path
        (the committee's own people under its own path): a summary's lines."""
        return await self.storage.register.reach_lines(
            committee.path, email=self.email, phone=self.phone
        )


def _has_parent_in(unit: Unit, ids: set[int]) -> bool:
    return unit.parent_id is not None and unit.parent_id in ids


def figures(reach: Reach) -> dict[str, int]:
    """The catalogues' arguments of ``reach-figures`` and ``reach-short`` (org.ftl)."""
    return {
        "expected": reach.expected,
        "joined": reach.joined,
        "telegram": reach.telegram,
        "fallback": reach.fallback,
        "unreachable": reach.unreachable,
    }
