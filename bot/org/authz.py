"""Who may do what where. Every privileged path asks ``Authorizer.check``; default deny."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.kit.clock import Clock
from storage import Storage
from storage.models import Member, Role, Unit


class Action(StrEnum):
    VIEW_UNIT = "view_unit"
    INVITE_MEMBER = "invite_member"
    INVITE_SECRETARY = "invite_secretary"
    INVITE_COORDINATOR = "invite_coordinator"
    REVOKE_INVITE = "revoke_invite"
    DECIDE_JOIN = "decide_join"
    MANAGE_ROLES = "manage_roles"
    MOVE_MEMBER = "move_member"
    DEACTIVATE_MEMBER = "deactivate_member"
    IMPORT_ORG = "import_org"
    SEND_DIRECTIVE = "send_directive"
    MANAGE_LEAVE = "manage_leave"
    MANAGE_ROSTER = "manage_roster"  # grids and shifts
    SUMMARY_CHAT = "summary_chat"  # register a group chat for a committee's summaries
    ERASE_MEMBER = "erase_member"  # forget a person (admins only)
    PAID_BROADCAST = "paid_broadcast"  # spend the bot's Stars on a directive (admins only)
    HANDLE_FLAG = "handle_flag"  # mark a flagged answer handled, or escalate it
    RECORD_ON_BEHALF = "record_on_behalf"  # a member's answer, reached by phone


# Which roles allow an action on a unit inside their subtree. Admins may do everything;
# an action missing here, or with no roles, is admin-only.
RULES: dict[Action, frozenset[Role]] = {
    Action.VIEW_UNIT: frozenset({Role.SECRETARY, Role.COORDINATOR}),
    Action.INVITE_MEMBER: frozenset({Role.SECRETARY}),
    Action.INVITE_SECRETARY: frozenset({Role.SECRETARY}),
    Action.REVOKE_INVITE: frozenset({Role.SECRETARY}),
    Action.DECIDE_JOIN: frozenset({Role.SECRETARY}),
    Action.SEND_DIRECTIVE: frozenset({Role.SECRETARY}),
    Action.MANAGE_LEAVE: frozenset({Role.SECRETARY}),
    Action.MANAGE_ROSTER: frozenset({Role.SECRETARY}),
    Action.SUMMARY_CHAT: frozenset({Role.COORDINATOR}),
    Action.HANDLE_FLAG: frozenset({Role.SECRETARY, Role.COORDINATOR}),
    Action.RECORD_ON_BEHALF: frozenset({Role.SECRETARY}),
}

INVITE_ACTIONS = {
    Role.MEMBER: Action.INVITE_MEMBER,
    Role.SECRETARY: Action.INVITE_SECRETARY,
    Role.COORDINATOR: Action.INVITE_COORDINATOR,
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Someone acting: a Telegram user (maybe not a member), or the operator at the CLI."""

    telegram_id: int | None
    member: Member | None
    grants: tuple[tuple[Role, Unit], ...]
    is_admin: bool

    @classmethod
    def console(cls) -> Actor:
        """Whoever runs the CLI on the server already holds the database: an admin."""
        return cls(telegram_id=None, member=None, grants=(), is_admin=True)

    def scopes(self, *roles: Role) -> list[Unit]:
        """Top units of the actor's scope for the given roles (nested ones dropped)."""
        units = [unit for role, unit in self.grants if role in roles]
        units.sort(key=lambda u: u.path)
        tops: list[Unit] = []
        for unit in units:
            if not any(top.contains(unit) for top in tops):
                tops.append(unit)
        return tops

    @property
    def roles(self) -> set[Role]:
        found = {role for role, _ in self.grants}
        if self.member is not None and self.member.active:
            found.add(Role.MEMBER)
        return found


def can(actor: Actor, action: Action, unit: Unit | None) -> bool:
    """``unit`` None means the whole organisation, which only admins act on."""
    if actor.is_admin:
        return True
    if unit is None:
        return False
    allowed = RULES.get(action, frozenset())
    return any(role in allowed and scope.contains(unit) for role, scope in actor.grants)


class PermissionDeniedError(Exception):
    def __init__(self, action: Action, unit: Unit | None) -> None:
        super().__init__(f"{action} denied on {unit.code if unit else '-'}")
        self.action = action
        self.unit = unit


class Authorizer:
    def __init__(self, storage: Storage, clock: Clock, admins: set[int]) -> None:
        self.storage = storage
        self.clock = clock
        self.admins = admins

    async def nearest_secretaries(self, unit: Unit) -> list[Member]:
        """The unit's secretaries, or, where it has none, those of the nearest unit above."""
        found = await self.nearest(unit, Role.SECRETARY)
        return found[1] if found else []

    async def nearest(self, unit: Unit, role: Role) -> tuple[Unit, list[Member]] | None:
        """The unit nearest ``unit`` (itself, else the closest above) with holders of
        ``role`` in Telegram, and them."""
        chain = [unit, *reversed(await self.storage.units.ancestors(unit))]
        holders = await self.storage.members.holders([u.id for u in chain], role)
        for candidate in chain:
            found = [m for unit_id, m in holders if unit_id == candidate.id and m.telegram_id]
            if found:
                return candidate, found
        return None

    async def actor(self, telegram_id: int) -> Actor:
        member = await self.storage.members.by_telegram_id(telegram_id)
        grants: tuple[tuple[Role, Unit], ...] = ()
        if member is not None and member.active:
            roles = await self.storage.members.roles_of(member.id)
            units = {u.id: u for u in await self.storage.units.many([r.unit_id for r in roles])}
            grants = tuple((r.role, units[r.unit_id]) for r in roles if r.unit_id in units)
        return Actor(telegram_id, member, grants, telegram_id in self.admins)

    async def check(
        self, actor: Actor, action: Action, unit: Unit | None, detail: str = ""
    ) -> None:
        """Raise PermissionDeniedError (and audit the refusal) unless ``can`` allows it."""
        if can(actor, action, unit):
            return
        await self.audit(actor, f"{action}", unit, detail, outcome="denied")
        raise PermissionDeniedError(action, unit)

    async def allows(
        self, actor: Actor, action: Action, unit: Unit | None, detail: str = ""
    ) -> bool:
        """``check`` as a yes or no (the refusal audited all the same), for a caller that
        refuses in its own words."""
        try:
            await self.check(actor, action, unit, detail)
        except PermissionDeniedError:
            return False
        return True

    async def refuse(self, actor: Actor, action: Action, detail: str = "") -> None:
        """Audit a refusal decided before any unit was named: a command whose sender has
        no scope for ``action`` anywhere."""
        await self.audit(actor, f"{action}", None, detail, outcome="denied")

    async def audit(
        self, actor: Actor, action: str, unit: Unit | None, detail: str = "", outcome: str = "ok"
    ) -> None:
        await self.storage.audit.add(
            at=self.clock.now(),
            actor_telegram_id=actor.telegram_id,
            action=action,
            outcome=outcome,
            unit_id=unit.id if unit else None,
            detail=detail,
        )
