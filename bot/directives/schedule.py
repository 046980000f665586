"""Directives in motion: how their outbox rows render, and the tick that starts, watches,
chases and closes them. Everything here is derived from the database on each call, so a
restart (or hours of downtime) only means the next tick catches up."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.config import MESSAGES_PER_STAR
from bot.delivery.outgoing import Attachment as OutgoingAttachment
from bot.delivery.outgoing import Outgoing, PaidBudget, PaidLedger, Renderer, notice_message
from bot.directives.asking import closing
from bot.directives.chasing import ChaseNotices, chase_line, names
from bot.directives.headcount import headcount_text
from bot.directives.render import ack_buttons, channel_lines, directive_text, reminder_text
from bot.kit.i18n import Html, Translator
from bot.services import Services
from storage.directives import (
    Directive,
    DirectiveKind,
    RenderContext,
    Straggler,
)
from storage.models import AttachmentKind, DirectiveStatus
from storage.outbox import NewMessage, OutboxRow

log = logging.getLogger(__name__)


class DirectiveRenderers:
    """Renders directive and reminder rows at send time, in the recipient's language and
    local time; a cancelled directive renders as nothing (the row is dropped)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._prepared: dict[int, RenderContext] = {}
        self._worded: dict[tuple[Directive, str, str, ZoneInfo, date], Outgoing] = {}

    async def prepare(self, rows: Sequence[OutboxRow]) -> None:
        """Look up a claimed batch at once (the engine's ``prepare`` hook)."""
        ours = [r.id for r in rows if r.kind in (DirectiveKind.DIRECTIVE, DirectiveKind.REMINDER)]
        if len(self._prepared) > 10_000:  # rows claimed, then put back unsent
            self._prepared.clear()
        self._prepared.update(await self.services.storage.directives.render_contexts(ours))

    async def _context(self, row: OutboxRow) -> tuple[RenderContext, ZoneInfo] | None:
        found = self._prepared.pop(row.id, None)
        if found is None:
            found = await self.services.storage.directives.render_context(row.id)
        if found is None or found.directive.status is DirectiveStatus.CANCELLED or not found.active:
            return None
        return found, self.services.directives.zone_named(found.timezone)

    async def directive(self, row: OutboxRow) -> Outgoing | None:
        found = await self._context(row)
        if found is None:
            return None
        context, zone = found
        directive = context.directive
        i18n, now = self.services.i18n, self.services.clock.now()
        # To thousands, a directive reads the same in each language and place all day (its
        # deadline is worded against today's date): word it once.
        key = (directive, context.language, context.origin, zone, now.astimezone(zone).date())
        if (worded := self._worded.get(key)) is not None:
            return worded
        if len(self._worded) > 1_000:
            self._worded.clear()
        attachment = None
        if directive.attachment_file_id:
            kind = directive.attachment_kind or AttachmentKind.DOCUMENT  # a file, if unsaid
            attachment = OutgoingAttachment(kind, directive.attachment_file_id)
        worded = self._worded[key] = Outgoing(
            text=directive_text(i18n, context.language, directive, context.origin, zone, now),
            buttons=ack_buttons(i18n, context.language, directive),
            attachment=attachment,
            paid=paid_budget(directive),
        )
        return worded

    async def reminder(self, row: OutboxRow) -> Outgoing | None:
        found = await self._context(row)
        # Acknowledged since the reminder was queued: nothing to remind of; nor, once a
        # question's answers closed, anything it could still do.
        if found is None or found[0].acked_at is not None:
            return None
        if self.services.answers.closed(found[0].directive):
            return None
        context, zone = found
        i18n, now = self.services.i18n, self.services.clock.now()
        return Outgoing(
            text=reminder_text(
                i18n, context.language, context.directive, context.origin, zone, now
            ),
            buttons=ack_buttons(i18n, context.language, context.directive),
        )

    def table(self) -> dict[str, Renderer]:
        return {DirectiveKind.DIRECTIVE: self.directive, DirectiveKind.REMINDER: self.reminder}


def paid_budget(directive: Directive) -> PaidBudget | None:
    """What a paid directive's messages may spend, as the engine counts it (messages
    beyond the free rate), with what it had spent before a restart."""
    if not directive.paid or directive.paid_cap_stars is None:
        return None
    return PaidBudget(
        directive.id,
        directive.paid_cap_stars * MESSAGES_PER_STAR,
        directive.paid_charged,
        directive.paid_refused_at is not None,
    )


def stars_of(messages: int) -> int:
    """Whole Stars, rounded up, for ``messages`` charged at 0.1 Star each."""
    return -(-messages // MESSAGES_PER_STAR)


async def directive_tick(services: Services, bot: Bot, paid: PaidLedger | None = None) -> int:
    """One pass of the directive schedule; returns how many things it did. ``paid``: the
    delivery engine's account of paid broadcasts, stored with their directives."""
    done = len(await services.directives.start_due())
    queued, climbed = await services.ladder.run_due(ChaseNotices(services, services.clock.now()))
    done += queued + len(climbed)
    for directive in await services.directives.in_progress():
        if directive.paid and paid is not None:
            directive, refused = await _record_paid(services, directive, paid)
            done += refused
        done += await _progress(services, bot, directive)
    # A question's headcount moves after sending too, while answers come in: the same
    # edit, at most once a tick and only when a figure changed (nothing to do: not work).
    watched = await services.answers.watched()
    for directive in watched:
        await _progress(services, bot, directive)
    # A step of the chase shows on the author's message (those above were shown already),
    # and so do the fallback channels' counts, after Telegram's sends are done.
    shown = {d.id for d in watched}
    grace = services.settings.directives.escalation_grace
    moving = await services.storage.fallback.watched(services.clock.now() - grace)
    for directive_id in dict.fromkeys([*climbed, *moving]):
        found = await services.storage.directives.get(directive_id)
        if found is not None and found.id not in shown:
            await _progress(services, bot, found)
    return done


async def _record_paid(
    services: Services, directive: Directive, paid: PaidLedger
) -> tuple[Directive, int]:
    """Store what the engine counted for a paid directive; the first time Telegram
    refused for a low Star balance, tell the author (1 notice queued, else 0)."""
    storage = services.storage
    charged = paid.charged.get(directive.id, directive.paid_charged)
    refused_at = paid.refused.get(directive.id)
    # The refusal is recorded with its notice: a crash in between would lose the notice.
    async with storage.db.transaction():
        newly = await storage.directives.record_paid(directive.id, charged, refused_at)
        directive = await storage.directives.get(directive.id) or directive
        if newly:
            await _enqueue(services, [await _refused_notice(services, directive)])
    return directive, int(newly)


async def _refused_notice(services: Services, directive: Directive) -> NewMessage:
    """For the author of a paid directive: Telegram refused for a low Star balance."""
    storage = services.storage
    author = await storage.members.by_telegram_id(directive.author_telegram_id)
    origin = await storage.units.get(directive.from_unit_id)
    language = author.language if author else services.i18n.default_language
    text = services.i18n.t(
        language,
        "directive-paid-refused-notice",
        unit=origin.name if origin else "",
        stars=stars_of(directive.paid_charged),
    )
    return notice_message(
        directive.author_telegram_id,
        text,
        not_before=services.clock.now(),
        member_id=author.id if author else None,
        directive_id=directive.id,
    )


async def _progress(services: Services, bot: Bot, directive: Directive) -> int:
    """Edit the author's progress message when the numbers moved; close the directive
    when nothing is left to send. A withdrawn one ends with its final tally."""
    storage, i18n = services.storage, services.i18n
    now = services.clock.now()
    # Closed with the secretaries' notices of who could not be reached, in one commit:
    # once finished, a directive is not looked at again, so notices queued after it could
    # be lost to a crash.
    finished, messages = False, []
    # A sent question's headcount: nothing left to close.
    if directive.status is not DirectiveStatus.SENT:
        async with storage.db.transaction():
            finished = await storage.directives.finish(directive.id, now)
            if finished:
                lost = await storage.directives.newly_unreachable(directive.id, directive.send_at)
                messages = await _unreachable_notices(services, directive, lost, now)
                await _enqueue(services, messages)
    totals = await services.directives.totals(directive)
    author = await storage.members.by_telegram_id(directive.author_telegram_id)
    language = author.language if author else i18n.default_language
    zone = services.directives.zone_of(await storage.units.get(author.unit_id) if author else None)
    if directive.status is DirectiveStatus.CANCELLED:
        key = "directive-progress-withdrawn"
    else:
        # "sent": a question still watched.
        done = finished or directive.status is DirectiveStatus.SENT
        key = "directive-finished" if done else "directive-progress"
    text = i18n.t(
        language,
        key,
        sent=totals.sent,
        total=totals.recipients,
        unreachable=totals.unreachable,
        failed=totals.failed,
        withdrawn=totals.withdrawn,
    )
    if directive.paid:
        text = Html(text + "\n" + paid_line(i18n, language, directive))
    if directive.fallback_at is not None:
        channels = channel_lines(
            i18n, language, directive, await storage.fallback.tally(directive.id)
        )
        text = Html("\n".join([text, *channels]))
    headcount = await services.answers.for_author(directive)
    if headcount is not None:  # a question: the delivery line over its headcount
        closed = closing(directive, zone) if services.answers.closed(directive) else None
        text = Html(headcount_text(i18n, language, headcount, above=text + "\n", closed=closed))
    chase = await services.ladder.state(directive)
    if chase is not None and (line := chase_line(i18n, language, chase, zone)):
        text = Html(text + "\n" + line)
    if text != directive.progress_text and directive.progress_chat_id:
        # Paced, with the replies, by the bot's rate limiter (bot/delivery/reply_pacing.py).
        with contextlib.suppress(TelegramError):  # the author deleted it, or blocked us
            await bot.edit_message_text(
                text,
                chat_id=directive.progress_chat_id,
                message_id=directive.progress_message_id,
                parse_mode=ParseMode.HTML,
            )
        await storage.directives.set_progress(
            directive.id,
            chat_id=directive.progress_chat_id,
            message_id=directive.progress_message_id or 0,
            text=text,
        )
    if not finished:
        return 0
    log.info("directive %s finished: %s", directive.id, totals)
    return 1 + len(messages)


def paid_line(i18n: Translator, language: str, directive: Directive) -> str:
    """The progress and tally line of a paid directive: Stars used, and why the rest
    goes at the free rate if it does."""
    used = stars_of(directive.paid_charged)
    cap = directive.paid_cap_stars or 0
    if directive.paid_refused_at is not None:
        key = "directive-paid-refused"
    elif directive.paid_charged >= cap * MESSAGES_PER_STAR:
        key = "directive-paid-capped"
    else:
        key = "directive-paid-used"
    return i18n.t(language, key, stars=used, cap=cap)


async def _enqueue(services: Services, messages: list[NewMessage]) -> None:
    """Queue inside the caller's transaction (joined), with the change that causes them."""
    if messages:
        async with services.storage.db.transaction() as conn:
            await services.storage.outbox.enqueue_many(conn, messages, services.clock.now())


async def _unreachable_notices(
    services: Services, directive: Directive, lost: list[Straggler], now: datetime
) -> list[NewMessage]:
    """Tell each unit's (nearest) secretary which of their members could not be reached."""
    if not lost:
        return []
    by_unit: dict[int, list[Straggler]] = {}
    for person in lost:
        by_unit.setdefault(person.unit_id, []).append(person)
    messages = []
    i18n = services.i18n
    for unit_id, people in by_unit.items():
        unit = await services.storage.units.get(unit_id)
        if unit is None:
            continue
        for secretary in await services.authz.nearest_secretaries(unit):
            assert secretary.telegram_id is not None
            language = secretary.language
            text = i18n.t(
                language,
                "unreachable-notice",
                unit=unit.name,
                count=len(people),
                names=names(i18n, language, people),
            )
            messages.append(
                notice_message(
                    secretary.telegram_id,
                    text,
                    not_before=now,
                    member_id=secretary.id,
                    directive_id=directive.id,
                )
            )
    return messages
