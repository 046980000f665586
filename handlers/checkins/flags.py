"""Flag cases on screen: the flag notice's Handled (then an optional note) and Escalate
buttons, and ``/flags``, the open cases in one's scope with the same buttons. The rules
live in ``bot/checkins/cases.py``."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.checkins import buttons as b
from bot.checkins.cases import CLOSED, CaseOutcome, CaseVerdict
from bot.checkins.flagview import case_line, numbered_rows
from bot.kit.i18n import Html, format_day, join_html, join_list
from bot.kit.typed import typed
from handlers.kit.common import (
    PRIVATE,
    Buttons,
    MusterApp,
    MusterContext,
    Reply,
    actor_of,
    keyboard,
    wake_delivery,
)
from handlers.kit.flow import DraftFlow
from handlers.kit.pickers import PAGE_SIZE, page_of, turns

NOTE = 0
NOTE_LIMIT = 500
_TOASTS = {
    CaseVerdict.UNKNOWN: "flag-unknown",
    CaseVerdict.NOT_ALLOWED: "flag-not-allowed",
}


@dataclass
class NoteDraft:
    case: int | None = None
    pressed: int | None = None  # the message whose Handled was pressed
    rows: list[list[list[str]]] = field(default_factory=list)  # its keyboard, less the case
    asked: int | None = None  # the message asking for the note


FLOW = DraftFlow("flag_note", b.FLAG_NOTE, "flag-note-cancelled", NoteDraft)


def _already(reply: Reply, outcome: CaseOutcome) -> Html:
    """Who handled it, and when (in the case's unit's time); or that the member took the
    answer back."""
    case = outcome.case
    assert case is not None and case.handled_at is not None
    if outcome.verdict is CaseVerdict.WITHDRAWN:
        name = outcome.member.display_name if outcome.member else "—"
        return reply.t("flag-withdrawn", name=name)
    at = case.handled_at.astimezone(reply.context.services.checkins.zone_of(outcome.unit))
    who = outcome.holders[0].display_name if outcome.holders else reply.label("flag-by-admin")
    return reply.t(
        "flag-already-handled", name=who, day=format_day(at, reply.language), time=f"{at:%H:%M}"
    )


def _without(update: Update, case_id: int) -> list[list[list[str]]]:
    """The pressed message's keyboard without the rows of this case."""
    query = update.callback_query
    message = query.message if query is not None else None
    markup = message.reply_markup if isinstance(message, Message) else None
    ours = {b.HandleFlag(case_id).pack(), b.EscalateFlag(case_id).pack()}
    return [
        [[button.text, str(button.callback_data)] for button in row]
        for row in (markup.inline_keyboard if markup else ())
        if not any(button.callback_data in ours for button in row)
    ]


async def _set_keyboard(reply: Reply, message_id: int | None, rows: Buttons) -> None:
    """Put ``rows`` (none: no keyboard) on an earlier message; gone or unchanged is fine."""
    chat = reply.update.effective_chat
    if chat is None or message_id is None:
        return
    with contextlib.suppress(TelegramError):
        await reply.context.bot.edit_message_reply_markup(
            chat.id, message_id, reply_markup=keyboard(rows) if rows else None
        )


# Handled, with an optional note ---------------------------------------------------


async def handle(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    case_id = reply.pressed(b.HandleFlag).case
    actor = await actor_of(update, context)
    outcome = await context.services.checkins.cases.actionable(actor, case_id)
    if outcome.verdict in CLOSED:
        await reply.toast("")
        await _set_keyboard(reply, _pressed_id(update), _as_buttons(_without(update, case_id)))
        await reply.send_text(_already(reply, outcome))
        return FLOW.end(context)
    if outcome.verdict is not CaseVerdict.DONE:
        await reply.toast(_TOASTS[outcome.verdict])
        return FLOW.end(context)
    await reply.toast("")
    draft = FLOW.fresh(context)
    draft.case, draft.pressed, draft.rows = case_id, _pressed_id(update), _without(update, case_id)
    name = outcome.member.display_name if outcome.member else "—"
    unit = outcome.unit.name if outcome.unit else "—"
    rows = [[(reply.label("form-skip"), b.SkipNote().pack()), *FLOW.controls(reply, back=False)]]
    asked = await reply.send("flag-note-ask", rows, name=name, unit=unit)
    draft.asked = asked.message_id
    return NOTE


def _pressed_id(update: Update) -> int | None:
    query = update.callback_query
    return query.message.message_id if query is not None and query.message else None


def _as_buttons(rows: list[list[list[str]]]) -> Buttons:
    return [[(text, data) for text, data in row] for row in rows]


async def note(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    message = update.message
    text = message.text if isinstance(message, Message) else None
    if text is None or not typed(text):
        await reply.send("flag-note-text")
        return NOTE
    if len(text.strip()) > NOTE_LIMIT:
        await reply.send("flag-note-too-long", length=len(text.strip()), limit=NOTE_LIMIT)
        return NOTE
    return await _finish(reply, text.strip())


async def skip(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    return await _finish(reply, None)


async def _finish(reply: Reply, text: str | None) -> int:
    context = reply.context
    draft = FLOW.state(context)
    await _set_keyboard(reply, draft.asked, [])
    if draft.case is None:
        await reply.send("draft-stale")
        return FLOW.end(context)
    actor = await actor_of(reply.update, context)
    outcome = await context.services.checkins.cases.handle(actor, draft.case, text)
    if outcome.verdict in CLOSED:  # someone else was quicker, or it was withdrawn
        await _set_keyboard(reply, draft.pressed, _as_buttons(draft.rows))
        await reply.send_text(_already(reply, outcome))
    elif outcome.verdict is CaseVerdict.DONE:
        await _set_keyboard(reply, draft.pressed, _as_buttons(draft.rows))
        name = outcome.member.display_name if outcome.member else "—"
        unit = outcome.unit.name if outcome.unit else "—"
        if text:
            await reply.send("flag-handled-note", name=name, unit=unit, note=text)
        else:
            await reply.send("flag-handled", name=name, unit=unit)
    else:
        await reply.send(_TOASTS[outcome.verdict])
    return FLOW.end(context)


# Escalate ---------------------------------------------------------------------------


async def escalate(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    case_id = reply.pressed(b.EscalateFlag).case
    actor = await actor_of(update, context)
    outcome = await context.services.checkins.cases.escalate(actor, case_id)
    names = join_list(reply.language, [m.display_name for m in outcome.holders])
    if outcome.verdict is CaseVerdict.TOP:
        await reply.toast("flag-at-top", names=names)
        return
    if outcome.verdict in CLOSED:
        await reply.toast("")
        await _set_keyboard(reply, _pressed_id(update), _as_buttons(_without(update, case_id)))
        await reply.send_text(_already(reply, outcome))
        return
    if outcome.verdict is not CaseVerdict.DONE:
        await reply.toast(_TOASTS[outcome.verdict])
        return
    await reply.toast("")
    unit = outcome.unit.name if outcome.unit else "—"
    await reply.send("flag-escalated", names=names, unit=unit)
    wake_delivery(context)


# /flags -------------------------------------------------------------------------------


async def flags(update: Update, context: MusterContext) -> None:
    await _show(await Reply.to(update, context), 0, new=True)


async def turn(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    await reply.toast("")
    await _show(reply, reply.pressed(b.FlagsPage).page, new=False)


async def _show(reply: Reply, page: int, *, new: bool) -> None:
    services = reply.context.services
    actor = await actor_of(reply.update, reply.context)
    if not await services.checkins.cases.may_follow_up(actor):
        await reply.show("flags-not-allowed", new=new)
        return
    cases = await services.checkins.cases.in_scope(actor)
    if not cases:
        await reply.show("flags-none", new=new)
        return
    page = page_of(len(cases), page)
    first = page * PAGE_SIZE
    views = await services.checkins.cases.views(cases[first : first + PAGE_SIZE])
    i18n, language = services.i18n, reply.language
    questions = services.checkins.form.questions
    lines, rows = [], []
    for number, view in enumerate(views, start=first + 1):
        lines.append(
            case_line(
                i18n, language, number, view.case, view.member, view.unit, questions, view.answers
            )
        )
        rows.append(numbered_rows(i18n, language, number, view.case))
    nav = turns(
        len(cases),
        page,
        turn=b.FlagsPage,
        previous=reply.label("button-previous"),
        more=reply.label("button-more"),
    )
    text = reply.t("flags-title", count=len(cases), lines=join_html("\n", lines))
    await reply.show_text(text, [*rows, nav] if nav else rows, new=new)


def register(app: MusterApp) -> None:
    app.add_handler(
        FLOW.conversation(
            entry_points=[CallbackQueryHandler(handle, pattern=b.HandleFlag.pattern)],
            states={
                NOTE: [
                    MessageHandler(PRIVATE & ~filters.COMMAND, note),
                    CallbackQueryHandler(skip, pattern=b.SkipNote.pattern),
                ]
            },
        )
    )


def register_screens(app: MusterApp) -> None:
    app.add_handler(CallbackQueryHandler(escalate, pattern=b.EscalateFlag.pattern))
    app.add_handler(CallbackQueryHandler(turn, pattern=b.FlagsPage.pattern))
    app.add_handler(CommandHandler("flags", flags, filters=PRIVATE))
