"""The one-tap "Acknowledge" button on a directive (and on its reminder)."""

from __future__ import annotations

import contextlib

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot.render import directive_text
from bot.services.directives import AckStatus
from handlers.common import MusterApp, MusterContext, Reply, person_of


async def acknowledge(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    services = context.services
    person = person_of(update)
    result = await services.directives.acknowledge(int(reply.choice), person.telegram_id)
    directive = result.directive
    if directive is None or result.status in (AckStatus.UNKNOWN, AckStatus.NOT_REQUIRED):
        await reply.toast("button-stale")
        return
    member = await services.storage.members.by_telegram_id(person.telegram_id)
    assert member is not None  # acknowledge() found them
    unit = await services.storage.units.get(member.unit_id)
    origin = await services.storage.units.get(directive.from_unit_id)
    zone = services.directives.zone_of(unit)
    now = services.clock.now()
    at = result.at.astimezone(zone).strftime("%H:%M") if result.at else ""
    if result.status is AckStatus.CANCELLED:
        await reply.toast("directive-withdrawn")
    else:
        first = result.status is AckStatus.ACKNOWLEDGED
        await reply.toast("directive-ack-done" if first else "directive-ack-already", time=at)
    text = directive_text(
        services.i18n,
        reply.language,
        directive,
        origin.name if origin else "",
        zone,
        now,
        acked_at=result.at,
    )
    # The button may sit on the directive itself or on its reminder: settle both.
    delivered = await services.storage.directives.delivered_message(directive.id, member.id)
    query = update.callback_query
    assert query is not None
    pressed = query.message.message_id if isinstance(query.message, Message) else None
    if pressed is not None and pressed != delivered:
        key = "directive-withdrawn" if result.status is AckStatus.CANCELLED else "reminder-done"
        await reply.edit(key, time=at)
    if delivered is not None:
        with contextlib.suppress(TelegramError):  # unchanged, or deleted by the member
            await context.bot.edit_message_text(
                text,
                chat_id=person.telegram_id,
                message_id=delivered,
                parse_mode=ParseMode.HTML,
                disable_web_page_preview=True,
            )


def register(app: MusterApp) -> None:
    app.add_handler(CallbackQueryHandler(acknowledge, pattern=r"^ack:\d{1,12}$"))
