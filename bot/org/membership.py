"""Members and their roles: who someone is, and the admin actions that change it."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.duty.service import release_shifts
from bot.kit.clock import Clock
from bot.kit.people import Person
from bot.org.authz import Action, Actor, Authorizer
from storage import Storage
from storage.models import ListedMember, Member, Role, Unit

# Telegram ids fit in 64 bits; ASCII digits only ("²".isdigit() is true).
_TELEGRAM_ID = re.compile(r"-?[0-9]{1,18}", re.ASCII)


class MembershipError(Exception):
    """A request the person can fix; ``reason`` is a catalogue-friendly code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Profile:
    member: Member
    unit: Unit
    grants: tuple[tuple[Role, Unit], ...]


# Each change of roles or standing below also marks the member's command menu stale in the
# same transaction: the CLI has no bot, so the running bot's tick sets it (see
# handlers.kit.menu.refresh_stale_menus); a change made in chat refreshes it at once.


class MembershipService:
    def __init__(self, storage: Storage, clock: Clock, authz: Authorizer) -> None:
        self.storage = storage
        self.clock = clock
        self.authz = authz

    async def profile(self, telegram_id: int) -> Profile | None:
        actor = await self.authz.actor(telegram_id)
        if actor.member is None:
            return None
        unit = await self.storage.units.get(actor.member.unit_id)
        assert unit is not None  # members.unit_id is a foreign key
        return Profile(actor.member, unit, actor.grants)

    async def set_language(self, member: Member, language: str) -> None:
        await self.storage.members.set_language(member.id, language, self.clock.now())

    async def find(self, query: str) -> Member | None:
        """A member by ``@username`` or Telegram id, as an admin would type them."""
        text = query.strip()
        if _TELEGRAM_ID.fullmatch(text):
            return await self.storage.members.by_telegram_id(int(text))
        if text.startswith("@") and len(text) > 1:
            found = await self.storage.members.by_username(text)
            if len(found) > 1:
                raise MembershipError("ambiguous_member")
            return found[0] if found else None
        return None

    async def member(self, telegram_id: int) -> Member | None:
        return await self.storage.members.by_telegram_id(telegram_id)

    async def by_id(self, member_id: int) -> Member | None:
        return await self.storage.members.get(member_id)

    async def stale_menus(self) -> list[tuple[int, int | None]]:
        """(member id, Telegram id) of the members whose command menu awaits a refresh."""
        return await self.storage.members.stale_menus()

    async def menu_refreshed(self, member_id: int) -> None:
        await self.storage.members.menu_refreshed(member_id)

    async def touch(self, person: Person) -> Member | None:
        """The member behind an update, kept current: Telegram names and usernames change
        (and usernames get reused), and someone who writes to us is reachable again."""
        member = await self.storage.members.by_telegram_id(person.telegram_id)
        if member is None:
            return None
        stale = (member.display_name, member.username) != (person.display_name, person.username)
        if stale or member.unreachable_since is not None:
            async with self.storage.db.transaction() as conn:
                if stale:
                    await self.storage.members.update_profile(
                        conn,
                        member.id,
                        display_name=person.display_name,
                        username=person.username,
                        now=self.clock.now(),
                    )
                if member.unreachable_since is not None:
                    await self.storage.members.clear_unreachable(member.id)
            member = replace(
                member,
                display_name=person.display_name,
                username=person.username,
                unreachable_since=None,
            )
        return member

    async def listing(self, actor: Actor, unit: Unit | None) -> list[ListedMember]:
        """The active members of ``unit`` and the units below it (of the whole
        organisation when None, for admins), with their roles."""
        await self.authz.check(actor, Action.VIEW_UNIT, unit, "list members")
        return await self.storage.members.listing(unit.path if unit else None)

    async def _unit(self, code: str) -> Unit:
        unit = await self.storage.units.by_code(code)
        if unit is None:
            raise MembershipError("unknown_unit")
        return unit

    async def grant(self, actor: Actor, member: Member, unit_code: str, role: Role) -> Unit:
        if role is Role.MEMBER:
            raise MembershipError("bad_role")
        unit = await self._unit(unit_code)
        await self.authz.check(actor, Action.MANAGE_ROLES, unit, f"grant {role} to {member.id}")
        async with self.storage.db.transaction() as conn:
            now = self.clock.now()
            if not await self.storage.members.grant(conn, member.id, unit.id, role, now):
                raise MembershipError("already_has_role")
            await self.storage.members.mark_menu_stale(member.id, now)
            await self.authz.audit(actor, "role_grant", unit, f"{role} to member {member.id}")
        return unit

    async def revoke(self, actor: Actor, member: Member, unit_code: str, role: Role) -> Unit:
        if role is Role.MEMBER:
            raise MembershipError("bad_role")
        unit = await self._unit(unit_code)
        await self.authz.check(actor, Action.MANAGE_ROLES, unit, f"revoke {role} of {member.id}")
        async with self.storage.db.transaction() as conn:
            if not await self.storage.members.revoke(conn, member.id, unit.id, role):
                raise MembershipError("has_no_role")
            await self.storage.members.mark_menu_stale(member.id, self.clock.now())
            await self.authz.audit(actor, "role_revoke", unit, f"{role} of member {member.id}")
        return unit

    async def move(self, actor: Actor, member: Member, unit_code: str) -> Unit:
        target = await self._unit(unit_code)
        source = await self.storage.units.get(member.unit_id)
        await self.authz.check(actor, Action.MOVE_MEMBER, source, f"move member {member.id}")
        await self.authz.check(actor, Action.MOVE_MEMBER, target, f"move member {member.id}")
        if member.unit_id == target.id:
            raise MembershipError("already_there")
        origin = source.code if source else "?"
        # Each change commits together with its audit entry, or not at all.
        async with self.storage.db.transaction():
            await self.storage.members.set_unit(member.id, target.id, self.clock.now())
            await release_shifts(self.storage, member.id, self.clock.now())
            await self.storage.members.mark_menu_stale(member.id, self.clock.now())
            await self.authz.audit(
                actor, "member_move", target, f"member {member.id} from {origin}"
            )
        return target

    async def set_active(self, actor: Actor, member: Member, active: bool) -> Member:
        unit = await self.storage.units.get(member.unit_id)
        action = "member_reactivate" if active else "member_deactivate"
        await self.authz.check(actor, Action.DEACTIVATE_MEMBER, unit, f"{action} {member.id}")
        if member.active == active:
            raise MembershipError("already_active" if active else "already_inactive")
        async with self.storage.db.transaction() as conn:
            await self.storage.members.set_active(conn, member.id, active, self.clock.now())
            if not active:
                await release_shifts(self.storage, member.id, self.clock.now())
            await self.storage.members.mark_menu_stale(member.id, self.clock.now())
            await self.authz.audit(actor, action, unit, f"member {member.id}")
        changed = await self.storage.members.get(member.id)
        assert changed is not None
        return changed
