"""A member's side of grid duty before it starts: ``/duty`` (their shifts ahead and open
ones they could take), Confirm, Decline with a typed reason, and Take this shift (cover).
Start duty, End duty and Report incident are ``handlers/duty/on_duty.py``; the rules live in
``bot/duty/service.py``."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.duty import buttons as b
from bot.duty.schedule import shift_text, when_text
from bot.duty.service import REASON_LIMIT, ShiftView, Verdict, reason_problem
from bot.kit.i18n import Html, join_html
from handlers.kit.common import (
    PRIVATE,
    MusterApp,
    MusterContext,
    Reply,
    member_action,
    wake_delivery,
)
from handlers.kit.flow import DraftFlow
from storage.models import ShiftStatus

REASON = 0


@dataclass
class DeclineDraft:
    shift: int | None = None
    pressed: int | None = None  # the message with the pressed ❌, which keeps its ✅ till then
    asked: int | None = None  # the message asking for the reason


FLOW = DraftFlow("duty_decline", b.DECLINE, "duty-decline-kept", DeclineDraft)
_TOASTS = {
    Verdict.NOT_YOURS: "duty-not-yours",
    Verdict.CANCELLED: "duty-cancelled",
    Verdict.OVER: "duty-over",
    Verdict.TAKEN: "duty-taken",
    Verdict.BUSY: "duty-busy",
    Verdict.OTHER_UNIT: "duty-other-unit",
    Verdict.ALREADY: "duty-already-yours",
}
_STATUS = {
    ShiftStatus.ASSIGNED: "duty-status-assigned",
    ShiftStatus.CONFIRMED: "duty-status-confirmed",
    ShiftStatus.STARTED: "duty-status-started",
    ShiftStatus.NO_SHOW: "duty-status-no-show",
    ShiftStatus.OPEN: "duty-status-open",
}


def _shift(reply: Reply, view: ShiftView | None) -> Html:
    assert view is not None  # every verdict but "unknown shift" comes with its shift
    return shift_text(reply.context.services.i18n, reply.language, view)


async def _drop_keyboard(reply: Reply, message_id: object) -> None:
    """Take the keyboard off a message whose buttons no longer apply."""
    chat = reply.update.effective_chat
    if chat is None or not isinstance(message_id, int):
        return
    # Already gone or unchanged: nothing to tidy.
    with contextlib.suppress(TelegramError):
        await reply.context.bot.edit_message_reply_markup(chat.id, message_id, reply_markup=None)


# Confirm and cover ---------------------------------------------------------------


@member_action
async def confirm(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    if reply.member is None:
        await reply.toast("duty-not-yours")
        return
    outcome = await context.services.duty.confirm(reply.member, reply.pressed(b.ConfirmShift).shift)
    if outcome.verdict is Verdict.DONE or outcome.verdict is Verdict.ALREADY:
        # A second press (or one on an older copy) says so and tidies that message too.
        await reply.toast("" if outcome.verdict is Verdict.DONE else "duty-already-confirmed")
        await reply.edit("duty-confirmed", shift=_shift(reply, outcome.view))
        return
    await reply.toast(_TOASTS[outcome.verdict])


@member_action
async def take(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    if reply.member is None:
        await reply.toast("duty-other-unit")
        return
    services = context.services
    outcome = await services.duty.take(
        reply.member, reply.pressed(b.TakeShift).shift, services.authz.nearest_secretaries
    )
    if outcome.verdict is not Verdict.DONE:
        await reply.toast(_TOASTS[outcome.verdict])
        return
    await reply.toast("")
    await reply.edit("duty-covered", shift=_shift(reply, outcome.view))
    wake_delivery(context)


# Decline: a short conversation for the reason --------------------------------------


@member_action
async def decline(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    if reply.member is None:
        await reply.toast("duty-not-yours")
        return FLOW.end(context)
    shift_id = reply.pressed(b.DeclineShift).shift
    outcome = await context.services.duty.declinable(reply.member, shift_id)
    if outcome.verdict is not Verdict.DONE:
        await reply.toast(_TOASTS[outcome.verdict])
        return FLOW.end(context)
    await reply.toast("")
    draft = FLOW.fresh(context)
    query = update.callback_query
    pressed = query.message if query is not None else None
    # The message with the pressed button keeps its Confirm button until the reason is in,
    # so /cancel leaves everything as it was.
    draft.shift, draft.pressed = shift_id, pressed.message_id if pressed else None
    asked = await reply.send_text(
        reply.t("duty-decline-ask", shift=_shift(reply, outcome.view), limit=REASON_LIMIT),
        [FLOW.controls(reply, back=False)],
    )
    draft.asked = asked.message_id
    return REASON


@member_action
async def reason(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    message = update.message
    assert isinstance(message, Message)
    text = message.text
    if text is None:  # a location, photo, sticker … where words were asked for
        await reply.send("duty-reason-text", limit=REASON_LIMIT)
        return REASON
    problem = reason_problem(text)
    if problem == "too_long":
        await reply.send("duty-reason-too-long", length=len(text.strip()), limit=REASON_LIMIT)
        return REASON
    if problem is not None:
        await reply.send("duty-reason-text", limit=REASON_LIMIT)
        return REASON
    draft = FLOW.state(context)
    if draft.shift is None:  # a draft without its shift: nothing to decline
        await reply.send("draft-stale")
        return FLOW.end(context)
    member = reply.member
    if member is None:
        await reply.send("not-a-member", org=context.services.settings.organisation.name)
        return FLOW.end(context)
    services = context.services
    outcome = await services.duty.decline(
        member, draft.shift, text, services.authz.nearest_secretaries
    )
    await _drop_keyboard(reply, draft.asked)
    if outcome.verdict is Verdict.DONE:
        await _drop_keyboard(reply, draft.pressed)
        await reply.send("duty-declined", shift=_shift(reply, outcome.view))
        wake_delivery(context)
    else:  # the shift moved on while the reason was being typed
        await reply.send(_TOASTS[outcome.verdict])
    return FLOW.end(context)


# /duty ----------------------------------------------------------------------------


@member_action
async def show(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    member = reply.member
    if member is None:
        await reply.send("not-a-member", org=context.services.settings.organisation.name)
        return
    duty = context.services.duty
    listing = await duty.listing(member)
    if not listing.mine and not listing.open:
        await reply.send("duty-none")
        return
    sections: list[Html] = []
    rows: list[list[tuple[str, str]]] = []
    number = 0
    for views, key in ((listing.mine, "duty-list-mine"), (listing.open, "duty-list-open")):
        lines = []
        for view in views:
            number += 1
            lines.append(_line(reply, number, view))
            row = _buttons(reply, number, view)
            if row:
                rows.append(row)
        if lines:
            sections.append(reply.t(key, lines=join_html("\n", lines)))
    await reply.send_text(join_html("\n\n", sections), rows)


def _line(reply: Reply, number: int, view: ShiftView) -> Html:
    return reply.t(
        "duty-line",
        n=number,
        when=when_text(view, reply.language),
        grid=view.grid.name,
        code=view.grid.code,
        status=reply.t(_STATUS[view.shift.status]),
    )


def _buttons(reply: Reply, number: int, view: ShiftView) -> list[tuple[str, str]]:
    """The presses that apply to the shift now, numbered like its line."""
    shift, duty = view.shift, reply.context.services.duty
    ahead = shift.starts_at > duty.clock.now()
    keys: list[tuple[str, type[b.ShiftButton]]] = []
    if shift.status is ShiftStatus.OPEN:
        keys.append(("duty-button-take", b.TakeShift))
    if shift.status is ShiftStatus.ASSIGNED:
        keys.append(("duty-button-confirm", b.ConfirmShift))
    if duty.startable(shift):
        keys.append(("duty-button-start", b.StartDuty))
    elif ahead and shift.status in (ShiftStatus.ASSIGNED, ShiftStatus.CONFIRMED):
        keys.append(("duty-button-decline", b.DeclineShift))
    if shift.status is ShiftStatus.STARTED:
        keys += [("onduty-end-button", b.EndDuty), ("onduty-incident-button", b.ReportIncident)]
    return [
        (reply.label("duty-numbered", n=number, label=reply.label(key)), kind(shift.id).pack())
        for key, kind in keys
    ]


def register(app: MusterApp) -> None:
    app.add_handler(
        FLOW.conversation(
            entry_points=[CallbackQueryHandler(decline, pattern=b.DeclineShift.pattern)],
            states={REASON: [MessageHandler(PRIVATE & ~filters.COMMAND, reason)]},
        )
    )
    app.add_handler(CallbackQueryHandler(confirm, pattern=b.ConfirmShift.pattern))
    app.add_handler(CallbackQueryHandler(take, pattern=b.TakeShift.pattern))
    app.add_handler(CommandHandler("duty", show, filters=PRIVATE))
