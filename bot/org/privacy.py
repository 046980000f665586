"""Forgetting, on a schedule and on request: personal details of days older than
``retention.details_days``, and everything about a member who asks to be forgotten.
What each day counted (who checked in, which shifts were done) is kept."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.config import RetentionSettings
from bot.kit.clock import Clock
from bot.org.authz import Action, Actor, Authorizer
from storage import Storage
from storage.models import Member
from storage.privacy import Erased
from storage.register import RegisterEntry

log = logging.getLogger(__name__)


class PrivacyService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        authz: Authorizer,
        settings: RetentionSettings,
        zone: ZoneInfo,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.authz = authz
        self.settings = settings
        self.zone = zone

    async def retention_tick(self) -> Erased | None:
        """Erase the details of the days that have aged out since the last pass; None when
        retention is off or nothing new aged out (most passes: one small read)."""
        if self.settings.details_days == 0:
            return None
        today = self.clock.now().astimezone(self.zone).date()
        first_kept = today - timedelta(days=self.settings.details_days)
        since = await self.storage.privacy.done_until()
        if since is not None and since >= first_kept:
            return None
        erased = await self.storage.privacy.erase_before(first_kept, since)
        await self._flush()
        return erased

    async def erase_member(self, actor: Actor, member: Member) -> None:
        """Forget ``member`` (admins only; audited, with the member's id and no name).
        The rows are rewritten with secure_delete on (the old bytes zeroed) and the
        write-ahead log emptied, so nothing of them is left in the file."""
        await self.authz.check(actor, Action.ERASE_MEMBER, None, f"erase member {member.id}")
        unit = await self.storage.units.get(member.unit_id)
        async with self.storage.db.transaction():
            await self.storage.privacy.erase_member(
                member.id, f"erased member #{member.id}", self.clock.now()
            )
            await self.authz.audit(actor, "member_erase", unit, f"member {member.id}")
        await self._flush()

    async def erase_entry(self, actor: Actor, entry: RegisterEntry) -> None:
        """Forget a register entry (admins only; audited with its id, no name): the member
        who joined through it, or, for someone who never joined, the entry itself with its
        phone, email and the fallback's messages to it."""
        if entry.member_id is not None:
            member = await self.storage.members.get(entry.member_id)
            if member is not None:
                await self.erase_member(actor, member)
                return
        await self.authz.check(actor, Action.ERASE_MEMBER, None, f"erase register entry {entry.id}")
        unit = await self.storage.units.get(entry.unit_id)
        async with self.storage.db.transaction():
            await self.storage.privacy.erase_entry(
                entry.id, f"erased entry #{entry.id}", self.clock.now()
            )
            await self.authz.audit(actor, "register_erase", unit, f"register entry {entry.id}")
        await self._flush()

    async def _flush(self) -> None:
        if not await self.storage.db.truncate_wal():
            # The bot (or a backup) was reading; the log is rewritten from its start as
            # the bot goes on, and the next erasure or retention pass empties it again.
            log.warning("write-ahead log still in use; erased pages stay in it for now")
