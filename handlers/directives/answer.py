"""A member answers a directive's question (issue #16): a press on one of its choices,
shown under the directive at once with one "✏️ Change" button (which brings the choices
back), then the number or the reason that choice asks for, typed (or /cancel: the choice
stands). The rules are ``bot/directives/answers.py``."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.directives.answers import MAX_REASON, AnswerResult, AnswerStatus, Step
from bot.directives.asking import answered_buttons, answered_text, closing
from bot.directives.buttons import FOLLOW_UP, AnswerChoice, ChangeAnswer
from bot.directives.questions import Reason
from bot.directives.render import directive_text
from handlers.directives.acknowledge import show_delivered
from handlers.kit.common import PRIVATE, MusterApp, MusterContext, Reply, member_action, person_of
from handlers.kit.flow import DraftFlow

NUMBER, REASON = 0, 1


@dataclass
class AnswerDraft:
    directive: int = 0  # whose question's follow-up is being typed (the old dict's key)


FLOW = DraftFlow("directive_answer", FOLLOW_UP, "answer-detail-kept", AnswerDraft)
# Refusals, as the member reads them: a toast on a press, a message after typing.
_REFUSED = {
    AnswerStatus.WITHDRAWN: "directive-withdrawn",
    AnswerStatus.LATE: "answer-late",
}


@member_action
async def press(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    pressed = reply.pressed(AnswerChoice)
    directive_id, choice = pressed.directive, pressed.choice
    telegram_id = person_of(update).telegram_id
    answers = context.services.answers
    result = await answers.answer(directive_id, telegram_id, choice)
    if await _refused(reply, result, telegram_id):
        return FLOW.end(context)
    assert result.choice is not None
    key = "answer-recorded" if result.status is AnswerStatus.RECORDED else "answer-unchanged"
    shown = await answers.seen(result, telegram_id)
    # The answer to the press and the edit at once, as for ✅ (handlers/directives/acknowledge).
    await asyncio.gather(
        reply.toast(key, choice=result.choice.label), _show(reply, shown, telegram_id)
    )
    return await _ask_next(reply, context, shown)


@member_action
async def change(update: Update, context: MusterContext) -> None:
    """ "✏️ Change": the pressed message shows the choices again while answers are open."""
    reply = await Reply.to(update, context)
    telegram_id = person_of(update).telegram_id
    answers = context.services.answers
    result = await answers.to_change(reply.pressed(ChangeAnswer).directive, telegram_id)
    if await _refused(reply, result, telegram_id):
        return
    shown = await answers.seen(result, telegram_id)
    await asyncio.gather(reply.toast(""), _show(reply, shown, telegram_id, choosing=True))


async def _refused(reply: Reply, result: AnswerResult, telegram_id: int) -> bool:
    """A refused press is told why in a toast; when the buttons no longer apply (closed,
    withdrawn), the message shows why, without them."""
    if result.accepted:
        return False
    if result.status not in _REFUSED:
        await reply.toast("button-stale")
        return True
    shown = await reply.context.services.answers.seen(result, telegram_id)
    # "Answers closed at 18:00", in the member's local time.
    at = closing(shown.directive, shown.zone) if shown.directive and shown.zone else ""
    await reply.toast(_REFUSED[result.status], time=at)
    await _show(reply, shown, telegram_id)
    return True


async def _ask_next(reply: Reply, context: MusterContext, result: AnswerResult) -> int:
    choice, directive = result.choice, result.directive
    if result.next is None or choice is None or directive is None:
        return FLOW.end(context)
    FLOW.fresh(context).directive = directive.id
    if result.next is Step.NUMBER:
        assert choice.number is not None
        await reply.send(
            "answer-ask-number", [FLOW.controls(reply, back=False)],
            prompt=choice.number.prompt, low=choice.number.low, high=choice.number.high,
        )  # fmt: skip
        return NUMBER
    if choice.reason is Reason.REQUIRED:
        await reply.send(
            "answer-ask-reason", [FLOW.controls(reply, back=False)], choice=choice.label
        )
    else:
        skip = [[(reply.label("answer-skip"), FLOW.cancel_button().pack())]]
        await reply.send("answer-ask-reason-optional", skip, choice=choice.label)
    return REASON


@member_action
async def number(update: Update, context: MusterContext) -> int:
    return await _follow_up(update, context, Step.NUMBER)


@member_action
async def reason(update: Update, context: MusterContext) -> int:
    return await _follow_up(update, context, Step.REASON)


async def _follow_up(update: Update, context: MusterContext, step: Step) -> int:
    reply = await Reply.to(update, context)
    message = update.message
    assert isinstance(message, Message)
    text = message.text or ""
    directive_id = FLOW.state(context).directive
    telegram_id = person_of(update).telegram_id
    answers = context.services.answers
    if step is Step.NUMBER:
        result = await answers.give_number(directive_id, telegram_id, text)
    elif message.text is None:  # a sticker, a photo … where words were asked for
        await reply.send("answer-reason-text")
        return REASON
    else:
        result = await answers.give_reason(directive_id, telegram_id, text)
    choice = result.choice
    if result.status is AnswerStatus.BAD_NUMBER and choice and choice.number:
        await reply.send("answer-bad-number", low=choice.number.low, high=choice.number.high)
        return NUMBER
    if result.status is AnswerStatus.REASON_EMPTY and choice:
        await reply.send("answer-reason-empty", choice=choice.label)
        return REASON
    if result.status is AnswerStatus.REASON_TOO_LONG:
        await reply.send("answer-reason-too-long", length=len(text.strip()), limit=MAX_REASON)
        return REASON
    if result.status is not AnswerStatus.RECORDED:
        await reply.send(_REFUSED.get(result.status, "answer-detail-kept"))
        return FLOW.end(context)
    shown = await answers.seen(result, telegram_id)
    await _show(reply, shown, telegram_id, pressed=False)
    if shown.next is None:
        await reply.send("answer-noted")
    return await _ask_next(reply, context, shown)


async def _show(
    reply: Reply,
    result: AnswerResult,
    chat_id: int,
    *,
    pressed: bool = True,
    choosing: bool = False,
) -> None:
    """The directive as delivered, with the member's answer under it and, while answers
    are open, its "Change" button (the choices, the current one marked, when
    ``choosing``); the pressed message too when that was another (a reminder's)."""
    directive, zone = result.directive, result.zone
    if directive is None or zone is None:
        return
    i18n, now = reply.context.services.i18n, reply.context.services.clock.now()
    body = directive_text(i18n, reply.language, directive, result.origin, zone, now)
    closed = reply.context.services.answers.closed(directive)
    text = answered_text(i18n, reply.language, body, directive, result.answer, zone, closed=closed)
    buttons = (
        []
        if closed
        else answered_buttons(i18n, reply.language, directive, result.answer, choosing=choosing)
    )
    edits: list[Coroutine[Any, Any, None]] = []
    delivered = result.delivered_message_id
    query = reply.update.callback_query
    on = query.message.message_id if query and isinstance(query.message, Message) else None
    if pressed and on is not None and on != delivered:
        edits.append(show_delivered(reply.context, chat_id, on, text, buttons))
    if delivered is not None:
        edits.append(show_delivered(reply.context, chat_id, delivered, text, buttons))
    await asyncio.gather(*edits)


def register(app: MusterApp) -> None:
    app.add_handler(
        FLOW.conversation(
            entry_points=[CallbackQueryHandler(press, pattern=AnswerChoice.pattern)],
            states={
                NUMBER: [MessageHandler(PRIVATE & ~filters.COMMAND, number)],
                REASON: [MessageHandler(PRIVATE & ~filters.COMMAND, reason)],
            },
        )
    )
    app.add_handler(CallbackQueryHandler(change, pattern=ChangeAnswer.pattern))
