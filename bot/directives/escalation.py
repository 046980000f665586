"""Past a directive's deadline and grace: each secretary's list of their own units'
members who did not acknowledge (the nearest secretaries of each unit hear of it)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.org.authz import Authorizer
from storage import Storage
from storage.directives import Directive, Straggler
from storage.models import Member, Unit


@dataclass(frozen=True, slots=True)
class Escalation:
    """One secretary's list: their own units' members who did not acknowledge."""

    secretary: Member
    groups: list[tuple[Unit, list[Straggler]]]


async def escalation_lists(
    storage: Storage, authz: Authorizer, directive: Directive
) -> list[Escalation]:
    """One :class:`Escalation` per secretary to tell, their units in tree order."""
    stragglers = await storage.directives.stragglers(directive.id)
    units = {u.id: u for u in await storage.units.many(sorted({s.unit_id for s in stragglers}))}
    lists: dict[int, tuple[Member, dict[int, list[Straggler]]]] = {}
    for unit_id, members in _group(stragglers).items():
        unit = units.get(unit_id)
        secretary = await authz.nearest_secretaries(unit) if unit else []
        for member in secretary:
            _, groups = lists.setdefault(member.id, (member, {}))
            groups[unit_id] = members
    return [
        Escalation(
            member,
            [
                (units[u], s)
                for u, s in sorted(groups.items(), key=lambda item: units[item[0]].path)
            ],
        )
        for member, groups in lists.values()
    ]


def _group(stragglers: list[Straggler]) -> dict[int, list[Straggler]]:
    groups: dict[int, list[Straggler]] = {}
    for straggler in stragglers:
        groups.setdefault(straggler.unit_id, []).append(straggler)
    return groups
