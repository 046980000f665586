"""Fallback: a directive's silent, blocked and never-joined people get it by email or SMS,
and may acknowledge (or answer) by a signed link or a reply code, as a press would."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.delivery.channels.email import EMAIL
from bot.delivery.channels.gateway import GATEWAY
from bot.directives.answers import AnswerService, question_of
from bot.directives.questions import Question
from bot.directives.service import DirectiveService
from bot.fallback.config import FallbackSettings
from bot.fallback.links import LinkProblem, LinkTarget, verify
from bot.kit.clock import Clock
from storage import Storage
from storage.directives import Directive
from storage.fallback import Candidate, ChannelTally, FallbackRecipient
from storage.models import DirectiveStatus

log = logging.getLogger(__name__)
# "4821" to acknowledge, "4821 2" (or "48212") for the second answer of a question.
_REPLY = re.compile(r"\s*(\d{4})\s*(\d{1,2})?\s*")


class AckStatus(StrEnum):
    RECORDED = "recorded"
    ALREADY = "already"  # a replayed link, a second reply
    WITHDRAWN = "withdrawn"
    LATE = "late"  # a question past its deadline
    NO_SUCH_CHOICE = "no_such_choice"
    REFUSED = "refused"  # tampered, expired, unknown


@dataclass(frozen=True, slots=True)
class Pending:
    """What an acknowledge link opens on: the person, the directive and its question."""

    recipient: FallbackRecipient
    directive: Directive
    question: Question | None
    origin: str  # the name of the unit it is from


class FallbackService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        settings: FallbackSettings,
        directives: DirectiveService,
        answers: AnswerService,
        late: timedelta,
    ) -> None:
        """``late``: how long after a deadline an acknowledge link still works
        (``directives.escalation_grace``; a question's answers close at the deadline)."""
        self.storage = storage
        self.clock = clock
        self.settings = settings
        self.directives = directives
        self.answers = answers
        self.late = late
        # Set when the escalation ladder has a fallback step: then the ladder says when,
        # and ``fallback.after`` is not used.
        self.by_ladder = False

    @property
    def configured(self) -> bool:
        return self.settings.configured

    def route(self, person: Candidate) -> tuple[str, str] | None:
        """Email if they have an address and email is configured, else the gateway if
        they have a number; None: no channel reaches them."""
        if person.email and self.settings.email is not None:
            return EMAIL, person.email
        if person.phone and self.settings.gateway is not None:
            return GATEWAY, person.phone
        return None

    async def due(self) -> int:
        """The schedule's step: every directive whose fallback time has come; the number
        of messages queued."""
        if not self.configured or self.by_ladder:
            return 0
        now = self.clock.now()
        queued = 0
        for directive_id in await self.storage.fallback.due(now - self.settings.after, now):
            queued += await self.fallback_step(directive_id)
        return queued

    async def fallback_step(self, directive: Directive | int) -> int:
        """Queue the directive for its silent, blocked and never-joined people by their
        channel, once (a second call, or one after a restart, queues nothing); the number
        queued. The escalation ladder's ``fallback`` step calls this too."""
        if not self.configured:
            return 0
        directive_id = directive if isinstance(directive, int) else directive.id
        counts = await self.storage.fallback.fire(directive_id, self.clock.now(), self.route)
        if counts is None:
            return 0
        origin = await self.storage.directives.get(directive_id)
        detail = ", ".join(f"{n} {channel}" for channel, n in sorted(counts.items())) or "nobody"
        await self.storage.audit.add(
            at=self.clock.now(),
            actor_telegram_id=None,
            action="fallback_sent",
            outcome="ok",
            unit_id=origin.from_unit_id if origin else None,
            detail=f"directive {directive_id}: {detail}",
        )
        return sum(counts.values())

    async def tally(self, directive_id: int) -> list[ChannelTally]:
        return await self.storage.fallback.tally(directive_id)

    # Acknowledging without Telegram ---------------------------------------------------

    def link_secret(self) -> bytes:
        secret = self.settings.link_secret
        assert secret is not None, "links are served only with a link secret"
        return secret.get_secret_value().encode()

    async def opened(self, token: str) -> Pending | LinkProblem | AckStatus:
        """The link's target as its page shows it, or why it is refused."""
        target = verify(self.link_secret(), token, self.clock.now())
        if not isinstance(target, LinkTarget):
            return target
        return await self._pending(target.directive_id, target.entry_id)

    async def _pending(self, directive_id: int, entry_id: int) -> Pending | AckStatus:
        recipient = await self.storage.fallback.recipient(directive_id, entry_id)
        directive = await self.storage.directives.get(directive_id)
        if recipient is None or directive is None:
            return AckStatus.REFUSED
        if recipient.acked_at is not None:
            return AckStatus.ALREADY
        if directive.status is DirectiveStatus.CANCELLED:
            return AckStatus.WITHDRAWN
        question = question_of(directive)
        if question is not None and self.answers.closed(directive):
            return AckStatus.LATE
        origin = await self.storage.units.get(directive.from_unit_id)
        return Pending(recipient, directive, question, origin.name if origin else "")

    async def by_link(self, token: str, choice: int | None) -> tuple[AckStatus, Pending | None]:
        """A POST from the link's page: the acknowledgement (or the ``choice``)."""
        opened = await self.opened(token)
        if isinstance(opened, LinkProblem):
            log.info("fallback link refused: %s", opened)
            return AckStatus.REFUSED, None
        if isinstance(opened, AckStatus):
            return opened, None
        return await self._record(opened, choice, EMAIL), opened

    async def by_reply(self, phone: str, text: str) -> tuple[AckStatus, Pending | None]:
        """An SMS reply through the gateway: ``<code>`` or ``<code> <answer number>``."""
        match = _REPLY.fullmatch(text)
        found = await self.storage.fallback.by_reply(phone, match.group(1)) if match else None
        if match is None or found is None:
            return AckStatus.REFUSED, None
        pending = await self._pending(*found)
        if isinstance(pending, AckStatus):
            return pending, None
        number = match.group(2)
        choice = int(number) - 1 if number else None
        return await self._record(pending, choice, GATEWAY), pending

    async def _record(self, pending: Pending, choice: int | None, via: str) -> AckStatus:
        question = pending.question
        if question is not None and (choice is None or not 0 <= choice < len(question.choices)):
            return AckStatus.NO_SUCH_CHOICE
        if question is None:
            choice = None
        recipient, directive = pending.recipient, pending.directive
        now = self.clock.now()
        if not await self.storage.fallback.record(
            directive.id, recipient.entry_id, now, choice, via
        ):
            return AckStatus.ALREADY
        telegram_id = recipient.telegram_id
        if recipient.member_id is not None and telegram_id is not None:
            # A member who joined counts as a press would count them (headcount, chase).
            if choice is not None:
                await self.answers.answer(directive.id, telegram_id, choice)
            else:
                await self.directives.acknowledge(directive.id, telegram_id)
        await self.storage.audit.add(
            at=now,
            actor_telegram_id=None,
            action="fallback_ack",
            outcome="ok",
            unit_id=recipient.unit_id,
            detail=f"directive {directive.id}: register entry {recipient.entry_id} via {via}",
        )
        return AckStatus.RECORDED
