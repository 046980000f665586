""" "📞 Reached by phone" (issue #18): from a secretary's list of silent members (the
``/directives`` drill-down and detail, the ladder's list), record what one member said on
the phone — acknowledged, or the question's answer with its number and reason — or that
they could not be reached, with a reason. Cancel or /cancel at every step records nothing.
The member is told the next time they write to the bot. The rules are
``bot/directives/onbehalf.py``."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.directives import buttons as b
from bot.directives.onbehalf import PhoneCall, PhoneResult, PhoneStatus
from bot.directives.questions import Reason
from bot.kit.i18n import first_words, format_day
from bot.org.authz import PermissionDeniedError
from handlers.kit.common import PRIVATE, MusterApp, MusterContext, Reply, actor_of
from handlers.kit.flow import DraftFlow, typed_reason
from storage.reach import Outcome

CHOOSE, NUMBER, REASON, NOTE = 0, 1, 2, 3
TEXT_WORDS = 60  # characters of the directive's opening in the prompt


@dataclass
class PhoneDraft:
    directive: int = 0
    member: int = 0
    choice: int | None = None  # the question's choice given, once pressed
    number: int | None = None  # its number, once typed


FLOW = DraftFlow("directive_phone", b.PHONE, "phone-cancelled", PhoneDraft)
_STATUS_KEYS = {
    PhoneStatus.ALREADY: "phone-already",
    PhoneStatus.WITHDRAWN: "directive-withdrawn",
}


async def _call(reply: Reply, draft: PhoneDraft) -> PhoneResult:
    actor = await actor_of(reply.update, reply.context)
    return await reply.context.services.on_behalf.open(actor, draft.directive, draft.member)


async def _still(reply: Reply, draft: PhoneDraft) -> PhoneCall | None:
    """The call, checked again at each step (the flow may have sat a while); None, and
    said why, when it can no longer be recorded."""
    opened = await _call(reply, draft)
    return None if await _refused(reply, opened) else opened.call


async def _refused(reply: Reply, opened: PhoneResult) -> bool:
    """Said why a call cannot be recorded (in a message: the flow's prompt may be far up)."""
    if opened.status is PhoneStatus.RECORDED:
        return False
    key = _STATUS_KEYS.get(opened.status, "phone-stale")
    name = opened.call.member.name if opened.call else ""
    if reply.update.callback_query is not None:
        await reply.toast("")
    await reply.send(key, name=name)
    return True


async def start(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    pressed = reply.pressed(b.ReachedByPhone)
    draft = FLOW.fresh(context)
    draft.directive, draft.member = pressed.directive, pressed.member
    try:
        opened = await _call(reply, draft)
    except PermissionDeniedError:
        await reply.toast("access-denied")
        return FLOW.end(context)
    if await _refused(reply, opened):
        return FLOW.end(context)
    call = opened.call
    assert call is not None
    await reply.toast("")
    rows: list[list[tuple[str, str]]]
    if call.question is None:
        rows = [[(reply.label("phone-acknowledged"), b.PhoneAcknowledged().pack())]]
    else:
        rows = [
            [(choice.label, b.PhoneChoice(index).pack())]
            for index, choice in enumerate(call.question.choices)
        ]
    rows += [
        [(reply.label("phone-unreached"), b.PhoneUnreached().pack())],
        FLOW.controls(reply, back=False),
    ]
    await reply.send(
        "phone-ask",
        rows,
        name=call.member.name,
        unit=call.unit.name,
        text=first_words(call.directive.text, TEXT_WORDS),
        question=int(call.question is not None),
    )
    return CHOOSE


async def acknowledged(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    return await _finish(reply, Outcome.ACKNOWLEDGED)


async def chose(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    call = await _still(reply, FLOW.state(context))
    if call is None:
        return FLOW.end(context)
    await reply.toast("")
    assert call.question is not None
    draft = FLOW.state(context)
    index = reply.pressed(b.PhoneChoice).choice
    if not 0 <= index < len(call.question.choices):
        await reply.send("phone-stale")
        return FLOW.end(context)
    draft.choice, draft.number = index, None
    return await _next(reply, call)


async def _next(reply: Reply, call: PhoneCall) -> int:
    """The number the choice asks, then its reason, then recorded."""
    draft = FLOW.state(reply.context)
    assert call.question is not None and draft.choice is not None
    choice = call.question.choices[draft.choice]
    if choice.number is not None and draft.number is None:
        bounds = choice.number
        await reply.send(
            "phone-ask-number",
            [FLOW.controls(reply, back=False)],
            prompt=bounds.prompt,
            low=bounds.low,
            high=bounds.high,
        )
        return NUMBER
    if choice.reason is not Reason.NONE:
        controls = FLOW.controls(reply, back=False)
        if choice.reason is Reason.OPTIONAL:
            controls = [(reply.label("answer-skip"), b.PhoneSkipReason().pack()), *controls]
        await reply.send("phone-ask-reason", [controls], choice=choice.label)
        return REASON
    return await _finish(reply, Outcome.ANSWERED)


def _text(update: Update) -> str | None:
    message = update.message
    return message.text if isinstance(message, Message) else None


async def number(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    draft = FLOW.state(context)
    call = await _still(reply, draft)
    if call is None or draft.choice is None:
        return FLOW.end(context)
    checked = context.services.on_behalf.number(call, draft.choice, _text(update) or "")
    if checked.status is not PhoneStatus.RECORDED:
        assert call.question is not None
        bounds = call.question.choices[draft.choice].number
        low, high = (bounds.low, bounds.high) if bounds else (0, 0)
        await reply.send("answer-bad-number", low=low, high=high)
        return NUMBER
    draft.number = checked.number
    return await _next(reply, call)


async def reason(update: Update, context: MusterContext) -> int:
    return await _typed_reason(update, context, Outcome.ANSWERED, REASON)


async def note(update: Update, context: MusterContext) -> int:
    return await _typed_reason(update, context, Outcome.UNREACHED, NOTE)


async def _typed_reason(
    update: Update, context: MusterContext, outcome: Outcome, state: int
) -> int:
    reply = await Reply.to(update, context)
    call = await _still(reply, FLOW.state(context))
    if call is None:
        return FLOW.end(context)
    reason = await typed_reason(reply)
    if reason is None:
        return state
    return await _finish(reply, outcome, reason)


async def skip_reason(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    return await _finish(reply, Outcome.ANSWERED)


async def unreached(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    await reply.send("phone-ask-unreached", [FLOW.controls(reply, back=False)])
    return NOTE


async def _finish(reply: Reply, outcome: Outcome, reason: str | None = None) -> int:
    context = reply.context
    draft = FLOW.state(context)
    actor = await actor_of(reply.update, context)
    try:
        result = await context.services.on_behalf.record(
            actor,
            draft.directive,
            draft.member,
            outcome,
            choice=draft.choice,
            number=draft.number,
            reason=reason,
        )
    except PermissionDeniedError:
        await reply.send("access-denied")
        return FLOW.end(context)
    if await _refused(reply, result):
        return FLOW.end(context)
    call = result.call
    assert call is not None
    choice = ""
    if outcome is Outcome.ANSWERED and call.question is not None and draft.choice is not None:
        choice = call.question.choices[draft.choice].label
    await reply.send(
        "phone-recorded",
        name=call.member.name,
        outcome=outcome.value,
        choice=choice,
        number=-1 if draft.number is None else draft.number,
        reason=reason or "",
        given=int(bool(reason)),
    )
    return FLOW.end(context)


async def tell(update: Update, context: MusterContext) -> None:
    """Before anything else a member writes: what their secretaries recorded for them by
    phone since they last wrote (one indexed read for everyone else)."""
    user = update.effective_user
    if user is None:
        return
    told = await context.services.on_behalf.untold(user.id)
    if not told:
        return
    reply = await Reply.to(update, context)
    zone = context.services.settings.zone
    for call in told:
        at = call.told.at.astimezone(zone)
        await reply.send(
            "phone-told",
            secretary=call.told.by or "—",
            outcome=call.told.outcome.value,
            choice=call.choice or "",
            day=format_day(at, reply.language),
            time=f"{at:%H:%M}",
            text=first_words(call.told.directive_text, TEXT_WORDS),
        )


TEXT = PRIVATE & filters.TEXT & ~filters.COMMAND


def register(app: MusterApp) -> None:
    app.add_handler(
        FLOW.conversation(
            entry_points=[CallbackQueryHandler(start, pattern=b.ReachedByPhone.pattern)],
            states={
                CHOOSE: [
                    CallbackQueryHandler(acknowledged, pattern=b.PhoneAcknowledged.pattern),
                    CallbackQueryHandler(chose, pattern=b.PhoneChoice.pattern),
                    CallbackQueryHandler(unreached, pattern=b.PhoneUnreached.pattern),
                ],
                NUMBER: [MessageHandler(TEXT, number)],
                REASON: [
                    MessageHandler(TEXT, reason),
                    CallbackQueryHandler(skip_reason, pattern=b.PhoneSkipReason.pattern),
                ],
                NOTE: [MessageHandler(TEXT, note)],
            },
        )
    )
    # A group of its own, ahead of every flow: telling does not stop the message from
    # being handled as it would be otherwise.
    app.add_handler(MessageHandler(PRIVATE, tell), group=-1)
