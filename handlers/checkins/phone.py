""" "📞 Name" under a secretary's ``/members`` of today (issue #18): record that a member
missing from the check-in was reached by phone and checked in, or that they could not be
reached, with a reason (Back returns to the choice; Cancel or /cancel records nothing).
The member is told the next time they write to the bot. The rules are
``bot/checkins/onbehalf.py``; the directives' "📞 Reached by phone" is the same flow
for a directive (``handlers/directives/phone.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.checkins import buttons as b
from bot.checkins.onbehalf import PhoneCall, PhoneResult, PhoneStatus
from bot.kit.i18n import format_day
from bot.org.authz import PermissionDeniedError
from handlers.kit.common import PRIVATE, Buttons, MusterApp, MusterContext, Reply, actor_of
from handlers.kit.flow import DraftFlow, typed_reason
from storage.checkin_phone import PhoneOutcome

CHOOSE, NOTE = 0, 1


@dataclass
class PhoneDraft:
    member: int = 0
    unit: int = 0  # where the member was listed
    day: str = ""  # the check-in day, ISO


FLOW = DraftFlow("checkin_phone", b.CHECKIN_PHONE, "phone-cancelled", PhoneDraft)
_STATUS_KEYS = {
    PhoneStatus.ALREADY: "checkin-phone-already",
    PhoneStatus.CLOSED: "checkin-phone-closed",
    PhoneStatus.MOVED: "checkin-phone-moved",
    PhoneStatus.ON_LEAVE: "checkin-phone-on-leave",
    PhoneStatus.REASON_EMPTY: "phone-reason-empty",
}


async def _call(reply: Reply, draft: PhoneDraft) -> PhoneResult:
    actor = await actor_of(reply.update, reply.context)
    day = date.fromisoformat(draft.day)
    return await reply.context.services.checkin_phone.open(actor, draft.member, draft.unit, day)


async def _say(reply: Reply, key: str, **args: str) -> None:
    """A refusal: a press on the flow's own prompt turns the prompt into it (its buttons
    no longer apply); a typed step, or a press on ``/members``' list, gets a message."""
    query = reply.update.callback_query
    if query is not None and not b.CheckinByPhone.pattern.match(query.data or ""):
        await reply.edit(key, **args)
    else:
        await reply.toast("")
        await reply.send(key, **args)


async def _refused(reply: Reply, result: PhoneResult) -> bool:
    """Said why a call cannot be recorded, if it cannot."""
    if result.status is PhoneStatus.RECORDED:
        return False
    call = result.call
    await _say(
        reply,
        _STATUS_KEYS.get(result.status, "checkin-phone-gone"),
        name=call.member.display_name if call else "",
        day=format_day(call.day, reply.language) if call else "",
    )
    return True


async def _still(reply: Reply) -> PhoneCall | None:
    """The call, checked again at each step; None, the refusal said and the flow ended,
    when it can no longer be recorded (the day closed, the role lost …)."""
    try:
        opened = await _call(reply, FLOW.state(reply.context))
    except PermissionDeniedError:
        await _say(reply, "access-denied")
        return None
    return None if await _refused(reply, opened) else opened.call


def _choices(reply: Reply) -> Buttons:
    return [
        [(reply.label("checkin-phone-checked-in"), b.PhoneCheckedIn().pack())],
        [(reply.label("phone-unreached"), b.PhoneNotReached().pack())],
        FLOW.controls(reply, back=False),
    ]


def _ask(reply: Reply, call: PhoneCall) -> str:
    return reply.t(
        "checkin-phone-ask",
        name=call.member.display_name,
        unit=call.unit.name,
        day=format_day(call.day, reply.language),
    )


async def start(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    pressed = reply.pressed(b.CheckinByPhone)
    draft = FLOW.fresh(context)
    draft.member, draft.unit, draft.day = pressed.member, pressed.unit, pressed.day.isoformat()
    try:
        opened = await _call(reply, draft)
    except PermissionDeniedError:
        await reply.toast("access-denied")
        return FLOW.end(context)
    if await _refused(reply, opened) or opened.call is None:
        return FLOW.end(context)
    await reply.toast("")
    await reply.send_text(_ask(reply, opened.call), _choices(reply))
    return CHOOSE


async def checked_in(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    return await _finish(reply, PhoneOutcome.CHECKED_IN)


async def not_reached(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    if await _still(reply) is None:
        return FLOW.end(context)
    await reply.toast("")
    await reply.edit("phone-ask-unreached", [FLOW.controls(reply)])
    return NOTE


async def back(update: Update, context: MusterContext) -> int:
    """From the reason back to the choice, in the same message."""
    reply = await Reply.to(update, context)
    call = await _still(reply)
    if call is None:
        return FLOW.end(context)
    await reply.toast("")
    await reply.edit_text(_ask(reply, call), _choices(reply))
    return CHOOSE


async def note(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    call = await _still(reply)
    if call is None:
        return FLOW.end(context)
    reason = await typed_reason(reply)
    if reason is None:
        return NOTE
    return await _finish(reply, PhoneOutcome.UNREACHED, reason)


async def _finish(reply: Reply, outcome: PhoneOutcome, reason: str | None = None) -> int:
    context = reply.context
    draft = FLOW.state(context)
    actor = await actor_of(reply.update, context)
    try:
        result = await context.services.checkin_phone.record(
            actor, draft.member, draft.unit, date.fromisoformat(draft.day), outcome, reason
        )
    except PermissionDeniedError:
        await _say(reply, "access-denied")
        return FLOW.end(context)
    if await _refused(reply, result) or result.call is None:
        return FLOW.end(context)
    call = result.call
    text = reply.t(
        "checkin-phone-recorded",
        name=call.member.display_name,
        outcome=outcome.value,
        day=format_day(call.day, reply.language),
        reason=reason or "",
    )
    # A press edits the prompt it was on; a typed reason answers below it.
    await reply.show_text(text, None, new=reply.update.callback_query is None)
    return FLOW.end(context)


async def tell(update: Update, context: MusterContext) -> None:
    """Before anything else a member writes: what their secretaries recorded for their
    check-in by phone since they last wrote (one indexed read for everyone else)."""
    user = update.effective_user
    if user is None:
        return
    told = await context.services.checkin_phone.untold(user.id)
    if not told:
        return
    reply = await Reply.to(update, context)
    services = context.services
    for record in told:
        zone = services.checkins.zone_of(await services.org.unit(record.unit_id))
        await reply.send(
            "checkin-phone-told",
            secretary=record.by or "—",
            outcome=record.outcome.value,
            day=format_day(record.day, reply.language),
            time=f"{record.at.astimezone(zone):%H:%M}",
        )


TEXT = PRIVATE & filters.TEXT & ~filters.COMMAND
# Ahead of every flow, as the directives' telling (group -1) is, in a group of its own:
# one handler per group handles an update, and telling stops nothing.
TELL_GROUP = -2


def register(app: MusterApp) -> None:
    app.add_handler(
        FLOW.conversation(
            entry_points=[CallbackQueryHandler(start, pattern=b.CheckinByPhone.pattern)],
            states={
                CHOOSE: [
                    CallbackQueryHandler(checked_in, pattern=b.PhoneCheckedIn.pattern),
                    CallbackQueryHandler(not_reached, pattern=b.PhoneNotReached.pattern),
                ],
                NOTE: [
                    MessageHandler(TEXT, note),
                    CallbackQueryHandler(back, pattern=FLOW.back.pattern),
                ],
            },
        )
    )
    app.add_handler(MessageHandler(PRIVATE, tell), group=TELL_GROUP)
