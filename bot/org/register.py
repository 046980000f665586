"""The member register (issue #18): the people each unit expects, read from a CSV or
XLSX file validated whole, and a personal invite per entry that joins its holder to the
entry's person and unit with no approval."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from bot.kit.clock import Clock
from bot.kit.people import Person, language_for
from bot.org.authz import Action, Actor, Authorizer, can
from bot.org.invites import (
    TOKEN_PATTERN,
    Approver,
    InviteService,
    JoinOutcome,
    JoinStatus,
    hash_token,
    new_token,
)
from bot.org.register_file import (
    RegisterFileError,
    RegisterProblem,
    RegisterSource,
    read_into,
)
from storage import Storage
from storage.models import Member, Role, Unit
from storage.outbox import NewMessage, Priority
from storage.register import LinkAnswer, RegisterEntry, RegisterStaging, StagedCounts

# Secretaries keep their units' register, as they invite their members.
_IMPORT = Action.INVITE_MEMBER
# The outbox kind of a link offer (worded when sent, bot/org/render.py).
KIND_LINK_OFFER = "register_link_offer"


@dataclass(frozen=True, slots=True)
class RegisterChanges:
    added: int = 0
    updated: int = 0
    deactivated: int = 0
    kept: int = 0
    absent: int = 0  # active entries (in the importer's scope) the file leaves out

    @property
    def empty(self) -> bool:
        return not (self.added or self.updated or self.deactivated)


class RegisterChangedError(Exception):
    """The register changed between the preview and the confirmation: nothing written."""

    def __init__(self, changes: RegisterChanges) -> None:
        super().__init__("the register changed")
        self.changes = changes


@dataclass(frozen=True, slots=True)
class RegisterLine:
    """An entry for a listing or a call sheet."""

    entry: RegisterEntry
    unit: Unit
    joined: bool


@dataclass(frozen=True, slots=True)
class PersonalInvite:
    entry: RegisterEntry
    token: str


def _changes(counts: StagedCounts, *, prune: bool) -> RegisterChanges:
    deactivated = counts.absent if prune else 0
    return RegisterChanges(counts.added, counts.updated, deactivated, counts.kept, counts.absent)


def _changes_of(preview: RegisterChanges, *, prune: bool) -> RegisterChanges:
    """A preview (nothing deactivated yet) as the import it announced."""
    return replace(preview, deactivated=preview.absent if prune else 0)


def name_key(name: str) -> str:
    """A name as people type it, for comparing: NFKC (full-width letters), case-folded,
    spaces collapsed and trimmed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def same_name(a: str, b: str) -> bool:
    """Names as people type them: full-width letters, case and spacing do not count."""
    return name_key(a) == name_key(b)


class LinkStatus(StrEnum):
    LINKED = "linked"
    ALREADY = "already"  # this member, linked before (another secretary was faster)
    TAKEN = "taken"  # someone else joined as the entry meanwhile
    MEMBER_LINKED = "member_linked"  # the member holds another entry
    GONE = "gone"  # the entry or the member is no longer active
    DECLINED = "declined"  # "not the same person"
    ANSWERED = "answered"  # another copy of the offer was answered otherwise first


@dataclass(frozen=True, slots=True)
class LinkOffer:
    """A member who joined by a general invite, and an unlinked entry of their unit with
    their name: the unit's secretaries (``approvers``) are asked whether it is them."""

    member: Member
    entry: RegisterEntry
    unit: Unit
    approvers: tuple[Approver, ...]


def link_offer_message(offer: LinkOffer, chat_id: int, language: str, now: datetime) -> NewMessage:
    """The outbox row of one secretary's copy of an offer: ids and the reader's language
    (an administrator may have no member row to read it from), nothing personal."""
    payload = {"entry": offer.entry.id, "member": offer.member.id, "language": language}
    return NewMessage(KIND_LINK_OFFER, chat_id, None, None, Priority.NOTICE, payload, now)


@dataclass(frozen=True, slots=True)
class LinkResult:
    status: LinkStatus
    entry: RegisterEntry | None = None
    member: Member | None = None
    holder: Member | None = None  # TAKEN: who holds the entry; ANSWERED: who answered


class RegisterService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        authz: Authorizer,
        invites: InviteService,
        *,
        region: str,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.authz = authz
        self.invites = invites
        self.region = region

    async def import_file(self, actor: Actor, path: Path, *, prune: bool) -> RegisterChanges:
        """``muster member import``: load the register from ``path``."""
        return await self.import_source(actor, RegisterSource.of_path(path), prune=prune)

    async def check(self, actor: Actor, source: RegisterSource) -> RegisterChanges:
        """What importing the file would change (``absent``: what prune would
        deactivate); a RegisterFileError naming every problem. Nothing is written."""
        async with self.storage.register.staging() as staging:
            return await self._stage(actor, source, staging)

    async def import_source(
        self,
        actor: Actor,
        source: RegisterSource,
        *,
        prune: bool,
        expect: RegisterChanges | None = None,
    ) -> RegisterChanges:
        """Load the register from the file: all of it or, on any problem, nothing.
        With ``expect`` (a preview's ``check``), nothing either when the import would
        now do something else (RegisterChangedError)."""
        async with self.storage.register.staging() as staging:
            await self._stage(actor, source, staging)
            async with self.storage.db.transaction():
                # Counted again in the transaction that writes: the register may have
                # changed since the file was checked.
                changes = _changes(await staging.counts(), prune=prune)
                if expect is not None and changes != _changes_of(expect, prune=prune):
                    raise RegisterChangedError(changes)
                await staging.apply(prune=prune, now=self.clock.now())
                await self.authz.audit(
                    actor,
                    "register_import",
                    None,
                    f"{source.name}: {changes.added} added, {changes.updated} updated,"
                    f" {changes.deactivated} deactivated",
                )
        return changes

    async def _stage(
        self, actor: Actor, source: RegisterSource, staging: RegisterStaging
    ) -> RegisterChanges:
        """The file read once into ``staging`` and checked whole: what importing it would
        change, or a RegisterFileError with every problem."""
        units = {u.code: u for u in await self.storage.units.all()}
        allowed = None
        if not actor.is_admin:
            allowed = {u.id for u in units.values() if can(actor, _IMPORT, u)}
            await staging.limit_to(allowed)
        problems = await read_into(source, staging, units, allowed, self.region)
        codes = {u.id: u.code for u in units.values()}
        if not problems:
            for line, unit_id in await staging.match():
                problems.add("register-problem-entry-scope", line, unit=codes.get(unit_id, "?"))
        if problems:
            if allowed is not None and any(p.reason.endswith("scope") for p in problems.named):
                await self.authz.audit(
                    actor, f"{_IMPORT}", None, f"member register: {source.name}", "denied"
                )
            raise RegisterFileError(problems.all())
        counts = await staging.counts()
        if counts.added + counts.updated + counts.kept == 0:
            raise RegisterFileError([RegisterProblem("register-problem-no-members")])
        return RegisterChanges(counts.added, counts.updated, 0, counts.kept, counts.absent)

    async def listing(
        self, actor: Actor, unit: Unit | None, *, not_joined: bool = False
    ) -> list[RegisterLine]:
        """The register of the unit's subtree (everything when None), for the console
        and a unit's own secretaries only: it holds phone numbers."""
        units = await (self.storage.units.subtree(unit) if unit else self.storage.units.all())
        for checked in [unit] if unit else []:
            await self.authz.check(actor, _IMPORT, checked, "member register")
        if unit is None and not actor.is_admin:
            return []
        by_id = {u.id: u for u in units}
        entries = await self.storage.register.in_units(list(by_id), not_joined=not_joined)
        return [RegisterLine(e, by_id[e.unit_id], e.member_id is not None) for e in entries]

    async def named(self, unit: Unit, name: str) -> list[RegisterEntry]:
        """The unit's entries (active or not) of ``name`` as a person types it
        (``name_key``: "  zhang  SAN " finds "Zhang San"), by id."""
        key = name_key(name)
        return [e for e in await self.storage.register.of_unit(unit.id) if name_key(e.name) == key]

    async def issue_invites(self, actor: Actor, unit: Unit) -> list[tuple[RegisterLine, str]]:
        """A fresh personal invite for every entry of the unit not joined yet (an earlier
        sheet's links stop working: only hashes are stored, so links cannot be shown
        twice); joined entries come with no link."""
        lines = await self.listing(actor, unit)
        tokens = {line.entry.id: new_token() for line in lines if not line.joined}
        await self.storage.register.set_invites(
            ((i, hash_token(t)) for i, t in tokens.items()), self.clock.now()
        )
        await self.authz.audit(actor, "register_invites", unit, f"{len(tokens)} personal invites")
        return [(line, tokens.get(line.entry.id, "")) for line in lines]

    async def redeem(self, person: Person, payload: str) -> JoinOutcome | None:
        """``/start <payload>`` with a personal invite: join as the entry's person, no
        approval. None when the payload is not a personal invite (then it may be a
        general one)."""
        if not TOKEN_PATTERN.match(payload):
            return None
        entry = await self.storage.register.by_invite_hash(hash_token(payload))
        if entry is None:
            return None
        unit = await self.storage.units.get(entry.unit_id)
        if unit is None or not entry.active:
            return JoinOutcome(JoinStatus.REVOKED)
        member = await self.storage.members.by_telegram_id(person.telegram_id)
        if entry.member_id is not None:
            if member is not None and member.id == entry.member_id:
                return JoinOutcome(JoinStatus.ALREADY, unit, Role.MEMBER, member)
            return await self._taken(person, entry, unit)
        if member is not None:
            if not member.active:
                return JoinOutcome(JoinStatus.INACTIVE, unit, Role.MEMBER, member)
            # Not linked to the entry: whoever holds the link may not be its person.
            home = await self.storage.units.get(member.unit_id)
            same = member.unit_id == unit.id
            status = JoinStatus.ALREADY if same else JoinStatus.ALREADY_ELSEWHERE
            return JoinOutcome(status, home, Role.MEMBER, member)
        now = self.clock.now()
        async with self.storage.db.transaction() as conn:
            member_id = await self.storage.members.add(
                conn,
                telegram_id=person.telegram_id,
                # Names are the organisation's: the register's, not the Telegram profile's.
                display_name=entry.name,
                username=person.username,
                language=language_for(person.language_code, self.invites.default_language),
                unit_id=unit.id,
                now=now,
            )
            if not await self.storage.register.link(conn, entry.id, member_id):
                raise _TakenMeanwhile
            await self._audit(person, unit, f"register entry {entry.id}: joined")
        joined = await self.storage.members.get(member_id)
        return JoinOutcome(JoinStatus.JOINED, unit, Role.MEMBER, joined)

    async def link_offers(self, member_id: int) -> list[LinkOffer]:
        """Entries the member, just joined by a general invite, may be: never linked by
        name alone, only offered to the unit's secretaries."""
        member = await self.storage.members.get(member_id)
        if member is None or await self.storage.register.of_member(member.id) is not None:
            return []
        # A pair a secretary said is not the same person is never offered again.
        declined = await self.storage.register.declined(member.id)
        entries = [
            e
            for e in await self.storage.register.unlinked(member.unit_id)
            if same_name(e.name, member.display_name) and e.id not in declined
        ]
        unit = await self.storage.units.get(member.unit_id)
        if not entries or unit is None:
            return []
        approvers = await self.invites.approvers(unit, Role.MEMBER)
        return [LinkOffer(member, e, unit, approvers) for e in entries]

    async def queue_link_offers(self, member_id: int, now: datetime) -> int:
        """``InviteService.on_join``: the link offers of a member who just joined, one
        outbox row per offer and secretary, in the join's own transaction (a crash or a
        429 loses none, and the engine paces a unit with many secretaries). The rows hold
        ids only, worded when sent; returns how many were queued."""
        rows = [
            link_offer_message(offer, approver.telegram_id, approver.language, now)
            for offer in await self.link_offers(member_id)
            for approver in offer.approvers
        ]
        if rows:
            async with self.storage.db.transaction() as conn:
                await self.storage.outbox.enqueue_many(conn, rows, now)
        return len(rows)

    async def link(self, actor: Actor, entry_id: int, member_id: int, *, same: bool) -> LinkResult:
        """A secretary's answer to a link offer: attach the member to the entry (``same``)
        or record that they are not the same person; audited either way. The first answer
        decides for every copy of the offer: a contrary one later is ANSWERED."""
        entry = await self.storage.register.get(entry_id)
        member = await self.storage.members.get(member_id)
        unit = await self.storage.units.get(entry.unit_id) if entry else None
        if entry is None or unit is None:
            return LinkResult(LinkStatus.GONE)
        await self.authz.check(actor, _IMPORT, unit, f"register link {entry_id}")
        if not same:
            return await self._decline(actor, entry, member_id, member, unit)
        by = actor.member.id if actor.member else None
        before = await self.storage.register.answered(entry_id, member_id)
        if before is not None and not before.same:
            return await self._answered(before, entry, member)
        if entry.member_id == member_id:
            return LinkResult(LinkStatus.ALREADY, entry, member)
        if entry.member_id is not None:
            holder = await self.storage.members.get(entry.member_id)
            return LinkResult(LinkStatus.TAKEN, entry, member, holder)
        if member is None or not member.active or not entry.active:
            return LinkResult(LinkStatus.GONE, entry, member)
        if await self.storage.register.of_member(member_id) is not None:
            return LinkResult(LinkStatus.MEMBER_LINKED, entry, member)
        try:
            async with self.storage.db.transaction() as conn:
                before = await self.storage.register.answer(
                    conn, entry_id, member_id, same=True, by=by, now=self.clock.now()
                )
                if before is None:
                    if not await self.storage.register.link(conn, entry_id, member_id):
                        raise _TakenMeanwhile  # rolls the answer back
                    detail = f"entry {entry_id}, member {member_id}: linked"
                    await self.authz.audit(actor, "register_link", unit, detail)
        except _TakenMeanwhile:
            # Linked (or deactivated) between the read and the write.
            return await self.link(actor, entry_id, member_id, same=True)
        if before is not None:  # declined on another copy between the read and the write
            return await self._answered(before, entry, member)
        return LinkResult(LinkStatus.LINKED, entry, member)

    async def _decline(
        self, actor: Actor, entry: RegisterEntry, member_id: int, member: Member | None, unit: Unit
    ) -> LinkResult:
        """ "Not the same person": remembered, so the pair is never offered again."""
        if entry.member_id == member_id:
            before = await self.storage.register.answered(entry.id, member_id)
            if before is None:  # linked by their personal invite, not by an answer
                return LinkResult(LinkStatus.ALREADY, entry, member)
            return await self._answered(before, entry, member)
        by = actor.member.id if actor.member else None
        async with self.storage.db.transaction() as conn:
            before = await self.storage.register.answer(
                conn, entry.id, member_id, same=False, by=by, now=self.clock.now()
            )
            if before is None:
                detail = f"entry {entry.id}, member {member_id}: not the same"
                await self.authz.audit(actor, "register_link", unit, detail)
        if before is not None and before.same:
            return await self._answered(before, entry, member)
        return LinkResult(LinkStatus.DECLINED, entry, member)

    async def _answered(
        self, before: LinkAnswer, entry: RegisterEntry, member: Member | None
    ) -> LinkResult:
        holder = await self.storage.members.get(before.by) if before.by is not None else None
        return LinkResult(LinkStatus.ANSWERED, entry, member, holder)

    async def _taken(self, person: Person, entry: RegisterEntry, unit: Unit) -> JoinOutcome:
        await self._audit(
            person, unit, f"register entry {entry.id}: refused, already used by another account"
        )
        return JoinOutcome(
            JoinStatus.TAKEN,
            unit,
            Role.MEMBER,
            approvers=await self.invites.approvers(unit, Role.MEMBER),
            name=entry.name,
        )

    async def _audit(self, person: Person, unit: Unit, detail: str) -> None:
        await self.storage.audit.add(
            at=self.clock.now(),
            actor_telegram_id=person.telegram_id,
            action="join_personal",
            outcome="ok",
            unit_id=unit.id,
            detail=detail,
        )


class _TakenMeanwhile(Exception):
    """Two accounts raced for one entry: the loser's member row is rolled back."""
