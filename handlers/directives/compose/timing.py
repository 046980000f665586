"""``/directive``, steps 3 to 5: acknowledgement required or not (or answers, asked in
``question``), its deadline, the send time (a pressed preset or a typed local time)."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from bot.directives import buttons as b
from bot.directives.drafting import (
    DirectiveError,
    parse_local_time,
    quick_times,
)
from bot.directives.questions import validate
from bot.directives.render import local_when
from handlers.directives.compose.draft import (
    DEADLINE,
    ERRORS,
    FLOW,
    QUESTION,
    SCHEDULE,
    author_zone,
    show,
)
from handlers.directives.compose.preview import show_preview
from handlers.kit.common import (
    Buttons,
    MusterContext,
    Reply,
)

# Acknowledgement, deadline, send time ------------------------------------------------


async def ack_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    draft = FLOW.state(context)
    draft.ack = reply.pressed(b.NeedAck).ack
    draft.ask = None  # ✅ or nothing: no question
    if draft.ack:
        return await ask_deadline(reply)
    draft.deadline = None
    return await ask_schedule(reply)


async def ask_when(
    reply: Reply,
    state: int,
    key: str,
    *,
    hours: tuple[int, ...],
    clock: tuple[str, ...],
    now_button: bool,
) -> int:
    services = reply.context.services
    now = services.clock.now()
    zone = await author_zone(reply)
    buttons = [
        (
            local_when(services.i18n, reply.language, when, zone, now),
            b.When(int(when.timestamp())).pack(),
        )
        for when in quick_times(now, zone, hours=hours, clock=clock)
    ]
    if now_button:
        buttons.insert(0, (reply.t("directive-send-now"), b.When(None).pack()))
    rows: Buttons = [buttons[:2], buttons[2:], FLOW.controls(reply)]
    await show(reply, reply.t(key, zone=str(zone)), [r for r in rows if r])
    return state


async def choices_done(update: Update, context: MusterContext) -> int:
    """The question's choices are complete: its deadline next (answers need one: the
    reminder and the list of the silent are due then)."""
    reply = await Reply.to(update, context)
    _, problems = validate(FLOW.state(context).ask or [])
    if problems:  # a stale Continue, pressed after choices were removed
        await reply.toast(problems[0].message, **problems[0].arguments)
        return QUESTION
    await reply.toast("")
    return await ask_deadline(reply)


async def ask_deadline(reply: Reply) -> int:
    asking = FLOW.state(reply.context).ask is not None
    return await ask_when(
        reply,
        DEADLINE,
        "directive-ask-deadline-answer" if asking else "directive-ask-deadline",
        hours=(1, 3),
        clock=("18:00", "09:00"),
        now_button=False,
    )


async def ask_schedule(reply: Reply) -> int:
    return await ask_when(
        reply, SCHEDULE, "directive-ask-schedule", hours=(1,), clock=("08:00",), now_button=True
    )


async def _chosen_time(reply: Reply, raw: str) -> datetime | None:
    """A pressed preset (epoch seconds, or 'now') or a typed local time; None and a
    re-ask when it cannot be used."""
    now = reply.context.services.clock.now()
    if reply.update.callback_query is not None:
        await reply.toast("")
        if raw == "now":
            return now
        try:
            when = datetime.fromtimestamp(int(raw), tz=now.tzinfo)
        except (ValueError, OverflowError):
            return None
        if when <= now:
            await reply.send("directive-past-time")
            return None
        return when
    try:
        return parse_local_time(raw, await author_zone(reply), now)
    except DirectiveError as exc:
        await reply.send(ERRORS[exc.reason])
        return None


def _raw_time(reply: Reply) -> str:
    """The pressed preset's value, or the typed text."""
    if reply.update.callback_query is not None:
        at = reply.pressed(b.When).at
        return "now" if at is None else str(at)
    message = reply.update.message
    return (message.text or "") if message else ""


async def deadline_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    raw = _raw_time(reply)
    if raw == "now" and update.callback_query is not None:  # a send-time button, forged
        await reply.toast("button-stale")
        return DEADLINE
    when = await _chosen_time(reply, raw)
    if when is None:
        return DEADLINE
    FLOW.state(context).deadline = when.isoformat()
    return await ask_schedule(reply)


async def schedule_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    when = await _chosen_time(reply, _raw_time(reply))
    if when is None:
        return SCHEDULE
    draft = FLOW.state(context)
    now = context.services.clock.now()
    draft.send_at = None if when <= now else when.isoformat()
    deadline = draft.deadline_time()
    if draft.ack and deadline and deadline <= when:
        await reply.send("directive-deadline-before-send")
        return await ask_deadline(reply)
    return await show_preview(reply)
