"""Invite links and joining: tokens, their limits, redemption and approval."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

import aiosqlite
import segno

from bot.kit.clock import Clock
from bot.kit.people import Person, language_for
from bot.org.authz import INVITE_ACTIONS, Action, Actor, Authorizer, can
from storage import Storage
from storage.models import Invite, JoinRequest, Member, Role, Unit

# 18 random bytes = 144 bits, 24 URL-safe characters: well inside the 64-character
# deep-link limit and beyond guessing.
TOKEN_BYTES = 18
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_USES = 100_000


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """Only this is stored: a leaked database does not leak usable links."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


# Pixels per QR module: about 4 cm wide at 300 dpi, readable from a printed poster.
QR_SCALE = 10
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules


def write_qr_png(link: str, path: Path) -> segno.QRCode:
    """``link`` as a QR code PNG at ``path``; returns the code (its matrix is the content)."""
    # Level M survives a crease or a smudge on paper and still fits a t.me link in a small code.
    code = segno.make_qr(link, error="m", boost_error=False)
    code.save(str(path), kind="png", scale=QR_SCALE, border=QR_BORDER)
    return code


class InviteError(Exception):
    """A request the person can fix; ``reason`` is a catalogue-friendly code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CreatedInvite:
    invite: Invite
    unit: Unit
    token: str


class JoinStatus(StrEnum):
    JOINED = "joined"
    ROLE_ADDED = "role_added"
    ALREADY = "already"
    ALREADY_ELSEWHERE = "already_elsewhere"
    PENDING = "pending"
    ALREADY_PENDING = "already_pending"
    INVALID = "invalid"
    EXPIRED = "expired"
    USED_UP = "used_up"
    REVOKED = "revoked"
    INACTIVE = "inactive"
    # A personal invite (member register) already used by another account.
    TAKEN = "taken"


@dataclass(frozen=True, slots=True)
class Approver:
    telegram_id: int
    language: str


@dataclass(frozen=True, slots=True)
class JoinOutcome:
    status: JoinStatus
    unit: Unit | None = None
    role: Role | None = None
    member: Member | None = None
    request: JoinRequest | None = None
    approvers: tuple[Approver, ...] = ()
    name: str = ""  # TAKEN: the register entry's name, for its secretaries


class DecisionStatus(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    ALREADY_DECIDED = "already_decided"
    UNKNOWN = "unknown"
    # Approved, but it cannot be carried out; the request is closed instead.
    LINK_INVALID = "link_invalid"  # the invite expired, was withdrawn or is used up
    ELSEWHERE = "elsewhere"  # meanwhile a member of another unit
    INACTIVE = "inactive"  # meanwhile deactivated


@dataclass(frozen=True, slots=True)
class Decision:
    status: DecisionStatus
    request: JoinRequest | None = None
    unit: Unit | None = None
    role: Role | None = None
    home: Unit | None = None  # for ELSEWHERE: where the person is


JoinHook = Callable[[int, datetime], Awaitable[object]]
"""Called with a new member's id inside the transaction that adds them, so what it
queues (the register's link offers) is committed exactly with the join."""


class _DecidedMeanwhile(Exception):
    """Someone else decided first: roll back whatever this decision began."""


class InviteService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        authz: Authorizer,
        *,
        default_language: str,
        max_expiry: timedelta,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.authz = authz
        self.default_language = default_language
        self.max_expiry = max_expiry
        # Set by the composition root (bot/services.py): the register's link offers.
        self.on_join: JoinHook | None = None

    # Creating and revoking -------------------------------------------------

    async def create(
        self,
        actor: Actor,
        unit: Unit,
        role: Role,
        *,
        uses: int | None,
        expires_in: timedelta,
        approval: bool,
    ) -> CreatedInvite:
        if uses is not None and not 1 <= uses <= MAX_USES:
            raise InviteError("bad_uses")
        if not timedelta(minutes=1) <= expires_in <= self.max_expiry:
            raise InviteError("bad_expiry")
        await self.authz.check(actor, INVITE_ACTIONS[role], unit, f"invite {role}")
        token = new_token()
        now = self.clock.now()
        async with self.storage.db.transaction():
            invite = await self._store(actor, unit, role, token, uses, expires_in, approval, now)
        return CreatedInvite(invite, unit, token)

    async def _store(
        self,
        actor: Actor,
        unit: Unit,
        role: Role,
        token: str,
        uses: int | None,
        expires_in: timedelta,
        approval: bool,
        now: datetime,
    ) -> Invite:
        invite = await self.storage.invites.create(
            token_hash=hash_token(token),
            unit_id=unit.id,
            role=role,
            max_uses=uses,
            expires_at=now + expires_in,
            requires_approval=approval,
            created_by=actor.member.id if actor.member else None,
            now=now,
        )
        await self.authz.audit(
            actor,
            "invite_create",
            unit,
            f"invite {invite.id}: {role}, uses {uses or 'unlimited'},"
            f" until {invite.expires_at:%Y-%m-%d %H:%M}Z" + (", approval" if approval else ""),
        )
        return invite

    async def revoke(self, actor: Actor, invite_id: int) -> tuple[Invite, Unit]:
        invite = await self.storage.invites.get(invite_id)
        unit = await self.storage.units.get(invite.unit_id) if invite else None
        if invite is None or unit is None:
            raise InviteError("unknown_invite")
        await self.authz.check(actor, Action.REVOKE_INVITE, unit, f"invite {invite_id}")
        async with self.storage.db.transaction():
            if not await self.storage.invites.revoke(invite_id, self.clock.now()):
                raise InviteError("already_revoked")
            await self.authz.audit(actor, "invite_revoke", unit, f"invite {invite_id}")
        return invite, unit

    async def active(self, actor: Actor) -> list[tuple[Invite, Unit]]:
        """Usable invites the actor may revoke, newest first."""
        if actor.is_admin:
            units = await self.storage.units.all()
        else:
            units = []
            for scope in actor.scopes(*[r for r in Role if r is not Role.MEMBER]):
                units.extend(await self.storage.units.subtree(scope))
        by_id = {u.id: u for u in units}
        invites = await self.storage.invites.active_in_units(list(by_id), self.clock.now())
        return [
            (inv, by_id[inv.unit_id])
            for inv in invites
            if can(actor, Action.REVOKE_INVITE, by_id[inv.unit_id])
        ]

    # Joining ----------------------------------------------------------------

    async def redeem(self, person: Person, payload: str) -> JoinOutcome:
        """``/start <payload>``: join, gain a role, or wait for approval. Nothing changes
        unless the outcome says so."""
        if not TOKEN_PATTERN.match(payload):
            return JoinOutcome(JoinStatus.INVALID)
        invite = await self.storage.invites.by_hash(hash_token(payload))
        if invite is None:
            return JoinOutcome(JoinStatus.INVALID)
        unit = await self.storage.units.get(invite.unit_id)
        if unit is None:
            return JoinOutcome(JoinStatus.INVALID)
        now = self.clock.now()
        problem = self._unusable(invite, now)
        if problem is not None:
            return JoinOutcome(problem, unit, invite.role)
        member = await self.storage.members.by_telegram_id(person.telegram_id)
        if member is not None:
            if not member.active:
                return JoinOutcome(JoinStatus.INACTIVE, unit, invite.role, member)
            if invite.role is Role.MEMBER:
                same = member.unit_id == unit.id
                status = JoinStatus.ALREADY if same else JoinStatus.ALREADY_ELSEWHERE
                home = await self.storage.units.get(member.unit_id)
                return JoinOutcome(status, home, invite.role, member)
            if any(
                g.unit_id == unit.id and g.role is invite.role
                for g in await self.storage.members.roles_of(member.id)
            ):
                return JoinOutcome(JoinStatus.ALREADY, unit, invite.role, member)
        if invite.requires_approval:
            return await self._request(person, invite, unit, now)
        async with self.storage.db.transaction() as conn:
            if not await self.storage.invites.take_use(conn, invite.id, now):
                # Someone took the last use between our read and this write.
                return JoinOutcome(JoinStatus.USED_UP, unit, invite.role)
            member_id, status = await self._enrol(conn, person, member, invite, unit, now)
            await self._audit_join(person, unit, invite, status)
        joined = await self.storage.members.get(member_id)
        return JoinOutcome(status, unit, invite.role, joined)

    def _unusable(self, invite: Invite, now: datetime) -> JoinStatus | None:
        if invite.revoked_at is not None:
            return JoinStatus.REVOKED
        if invite.expires_at <= now:
            return JoinStatus.EXPIRED
        if invite.max_uses is not None and invite.uses >= invite.max_uses:
            return JoinStatus.USED_UP
        return None

    async def _enrol(
        self,
        conn: aiosqlite.Connection,
        person: Person,
        member: Member | None,
        invite: Invite,
        unit: Unit,
        now: datetime,
    ) -> tuple[int, JoinStatus]:
        """Register the person (or find them) and grant the invite's role, in ``conn``."""
        status = JoinStatus.ROLE_ADDED
        if member is None:
            member_id = await self.storage.members.add(
                conn,
                telegram_id=person.telegram_id,
                display_name=person.display_name,
                username=person.username,
                language=language_for(person.language_code, self.default_language),
                unit_id=unit.id,
                now=now,
            )
            status = JoinStatus.JOINED
            if self.on_join is not None:
                await self.on_join(member_id, now)
        else:
            member_id = member.id
            await self.storage.members.update_profile(
                conn,
                member_id,
                display_name=person.display_name,
                username=person.username,
                now=now,
            )
        if invite.role is not Role.MEMBER:
            await self.storage.members.grant(conn, member_id, unit.id, invite.role, now)
        return member_id, status

    async def _audit_join(
        self, person: Person, unit: Unit, invite: Invite, status: JoinStatus
    ) -> None:
        await self.storage.audit.add(
            at=self.clock.now(),
            actor_telegram_id=person.telegram_id,
            action="join",
            outcome="ok",
            unit_id=unit.id,
            detail=f"invite {invite.id}: {status}, role {invite.role}",
        )

    async def _request(
        self, person: Person, invite: Invite, unit: Unit, now: datetime
    ) -> JoinOutcome:
        pending = await self.storage.invites.pending_request(person.telegram_id, invite.id)
        if pending is not None:
            # Asking again reaches secretaries who were missed (or blocked us) before.
            return JoinOutcome(
                JoinStatus.ALREADY_PENDING,
                unit,
                invite.role,
                request=pending,
                approvers=await self.approvers(unit, invite.role),
            )
        # The use is counted when a secretary approves, not now.
        async with self.storage.db.transaction() as conn:
            request_id = await self.storage.invites.add_request(
                conn,
                invite_id=invite.id,
                telegram_id=person.telegram_id,
                display_name=person.display_name,
                username=person.username,
                language=language_for(person.language_code, self.default_language),
                now=now,
            )
        request = await self.storage.invites.get_request(request_id)
        return JoinOutcome(
            JoinStatus.PENDING,
            unit,
            invite.role,
            request=request,
            approvers=await self.approvers(unit, invite.role),
        )

    async def remember_request_message(
        self, request_id: int, chat_id: int, message_id: int, language: str
    ) -> None:
        """An approver's copy of a request, to be settled when someone decides."""
        await self.storage.invites.add_request_message(request_id, chat_id, message_id, language)

    async def request_messages(self, request_id: int) -> list[tuple[int, int, str]]:
        return await self.storage.invites.request_messages(request_id)

    async def approvers(self, unit: Unit, role: Role) -> tuple[Approver, ...]:
        """Secretaries of the unit, else of the nearest unit above, else the admins; for a
        coordinator's request only the admins (secretaries cannot grant that role)."""
        if role is not Role.COORDINATOR:
            chain = [unit, *reversed(await self.storage.units.ancestors(unit))]
            holders = await self.storage.members.holders([u.id for u in chain], Role.SECRETARY)
            for candidate in chain:
                found = [m for unit_id, m in holders if unit_id == candidate.id]
                if found:
                    return tuple(
                        Approver(m.telegram_id, m.language) for m in found if m.telegram_id
                    )
        return await self.admins()

    async def admins(self) -> tuple[Approver, ...]:
        """The administrators, each with their language (the default if not a member)."""
        admins = []
        for admin_id in sorted(self.authz.admins):
            member = await self.storage.members.by_telegram_id(admin_id)
            admins.append(Approver(admin_id, member.language if member else self.default_language))
        return tuple(admins)

    async def decide(self, actor: Actor, request_id: int, *, approve: bool) -> Decision:
        """Approve or reject a join request, once. An approval is carried out only if it
        still can be: the link still valid (the use is counted now, not at request time,
        so strangers' requests cannot use a link up), the person not meanwhile a member of
        another unit or deactivated; otherwise the request is closed and the status says
        why."""
        request = await self.storage.invites.get_request(request_id)
        invite = await self.storage.invites.get(request.invite_id) if request else None
        unit = await self.storage.units.get(invite.unit_id) if invite else None
        if request is None or invite is None or unit is None:
            return Decision(DecisionStatus.UNKNOWN)
        detail = f"join request {request_id}"
        await self.authz.check(actor, Action.DECIDE_JOIN, unit, detail)
        await self.authz.check(actor, INVITE_ACTIONS[invite.role], unit, detail)
        now = self.clock.now()
        person = Person(
            request.telegram_id, request.display_name, request.username, request.language
        )
        member = await self.storage.members.by_telegram_id(request.telegram_id)
        status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
        home = None
        try:
            async with self.storage.db.transaction() as conn:
                if approve:
                    if member is not None and not member.active:
                        status = DecisionStatus.INACTIVE
                    elif (
                        member is not None
                        and invite.role is Role.MEMBER
                        and member.unit_id != unit.id
                    ):
                        status = DecisionStatus.ELSEWHERE
                        home = await self.storage.units.get(member.unit_id)
                    elif not await self.storage.invites.take_use(conn, invite.id, now):
                        status = DecisionStatus.LINK_INVALID
                done = status is DecisionStatus.APPROVED
                if not await self.storage.invites.decide_request(
                    conn,
                    request_id,
                    approve=done,
                    decided_by=actor.member.id if actor.member else None,
                    now=now,
                ):
                    raise _DecidedMeanwhile
                if done:
                    await self._enrol(conn, person, member, invite, unit, now)
                await self.authz.audit(
                    actor, f"join_{status}", unit, f"request {request_id} of {request.display_name}"
                )
        except _DecidedMeanwhile:
            return Decision(DecisionStatus.ALREADY_DECIDED, request, unit, invite.role)
        return Decision(status, request, unit, invite.role, home)
