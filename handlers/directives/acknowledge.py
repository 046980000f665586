"""The one-tap "Acknowledge" button on a directive (and on its reminder)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot.delivery import raw
from bot.directives.buttons import Acknowledge
from bot.directives.render import directive_text
from bot.directives.service import AckStatus
from handlers.kit.common import (
    Buttons,
    MusterApp,
    MusterContext,
    Reply,
    encoded_keyboard,
    member_action,
    person_of,
)


@member_action
async def acknowledge(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    services = context.services
    person = person_of(update)
    result = await services.directives.acknowledge(
        reply.pressed(Acknowledge).directive, person.telegram_id
    )
    directive, zone = result.directive, result.zone
    if directive is None or zone is None:
        await reply.toast("button-stale")
        return
    at = result.at.astimezone(zone).strftime("%H:%M") if result.at else ""
    if result.status is AckStatus.CANCELLED:
        answer = reply.toast("directive-withdrawn")
    else:
        first = result.status is AckStatus.ACKNOWLEDGED
        answer = reply.toast("directive-ack-done" if first else "directive-ack-already", time=at)
    now = services.clock.now()
    text = directive_text(
        services.i18n, reply.language, directive, result.origin, zone, now, acked_at=result.at
    )
    # The button may sit on the directive itself or on its reminder: settle both.
    query = update.callback_query
    assert query is not None
    pressed = query.message.message_id if isinstance(query.message, Message) else None
    delivered = result.delivered_message_id
    edits: list[Coroutine[Any, Any, None]] = []
    if pressed is not None and pressed != delivered:
        key = "directive-withdrawn" if result.status is AckStatus.CANCELLED else "reminder-done"
        edits.append(reply.edit(key, time=at))
    if delivered is not None:
        edits.append(show_delivered(context, person.telegram_id, delivered, text))
    # The answer and the edits at once, not one round trip after the other: in a burst of
    # presses each press holds one of the updates handled at once for its whole time. The
    # answer's task starts first and marks the press answered before its first await, so
    # the edits do not answer it again.
    await asyncio.gather(answer, *edits)


async def show_delivered(
    context: MusterContext, chat_id: int, message: int, text: str, buttons: Buttons = ()
) -> None:
    """Edit a directive as delivered to a member (its keyboard gone unless ``buttons``)."""
    # Telegram's answer is not read back (bot/delivery/raw.py): in a burst of presses,
    # building the edited Message was an eighth of a press's CPU.
    fields = raw.html_text(text, encoded_keyboard(buttons) if buttons else None)
    with contextlib.suppress(TelegramError):  # unchanged, or deleted by the member
        await raw.edit_text(context.bot, chat_id, message, fields)


def register(app: MusterApp) -> None:
    app.add_handler(CallbackQueryHandler(acknowledge, pattern=Acknowledge.pattern))
