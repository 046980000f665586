"""``/directive``: a secretary composes a directive step by step — targets, text (and one
photo or document), acknowledgement and deadline, send time — previews it and sends it.

Button steps edit one message; after something typed, the next step comes as a new
message and the old keyboard is removed.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.directives.drafting import (
    MAX_TEXT,
    DirectiveError,
    Draft,
    PaidQuote,
    check_text,
    parse_local_time,
    quick_times,
)
from bot.directives.render import directive_text, local_when
from bot.kit.i18n import Html
from bot.org.authz import Action, PermissionDeniedError
from bot.org.service import TreeLine, search_units
from handlers.kit.common import (
    PRIVATE,
    Buttons,
    MusterApp,
    MusterContext,
    Reply,
    actor_of,
    units_for,
    units_or_refuse,
    wake_delivery,
)
from handlers.kit.flow import Flow
from handlers.kit.pickers import paged
from storage.directives import Directive, Target
from storage.models import Unit

TARGETS, TEXT, ACK, DEADLINE, SCHEDULE, PREVIEW = range(6)
KEY = "directive"
MARK = {"all": "☑", "one": "◉"}
_ERRORS = {
    "empty_text": "directive-text-empty",
    "text_too_long": "directive-text-too-long",
    "bad_time": "directive-bad-time",
    "past_time": "directive-past-time",
    "deadline_past": "directive-deadline-past",
    "deadline_before_send": "directive-deadline-before-send",
    "no_recipients": "directive-no-recipients",
    "unknown_unit": "directive-not-allowed",
}
TEXT_INPUT = PRIVATE & filters.TEXT & ~filters.COMMAND


FLOW = Flow(KEY, "dc", "directive-cancelled")


async def _show(reply: Reply, text: str, rows: Buttons) -> None:
    """Edit the flow's message after a button; after typed input, send a new one and take
    the keyboard off the old one."""
    draft = FLOW.draft(reply.context)
    if reply.update.callback_query is not None:
        await reply.edit_text(text, rows)
        return
    old = draft.get("msg")
    sent = await reply.send_text(text, rows)
    draft["msg"] = sent.message_id
    if old and old != sent.message_id:
        chat = reply.update.effective_chat
        assert chat is not None
        # Already gone or unchanged: nothing to tidy.
        with contextlib.suppress(TelegramError):
            await reply.context.bot.edit_message_reply_markup(chat.id, old, reply_markup=None)


def _targets(draft: dict[str, Any]) -> list[Target]:
    return [Target(int(uid), mode == "all") for uid, mode in draft.get("sel", {}).items()]


def _included_by(unit: Unit, units: dict[int, Unit], selected: dict[str, str]) -> Unit | None:
    """The selected unit above ``unit`` that takes everything below it (☑), if any."""
    for uid, mode in selected.items():
        above = units.get(int(uid))
        if mode == "all" and above is not None and above.id != unit.id and above.contains(unit):
            return above
    return None


# Targets -----------------------------------------------------------------------


async def start(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    lines = await units_or_refuse(
        reply, Action.SEND_DIRECTIVE, "/directive", "directive-not-allowed"
    )
    if not lines:
        return FLOW.end(context)
    draft = FLOW.draft(context)
    draft.clear()
    draft["sel"] = {}
    draft["page"] = 0
    sent = await reply.send_text(*await _targets_step(reply, lines))
    draft["msg"] = sent.message_id
    return TARGETS


async def _targets_step(reply: Reply, lines: list[TreeLine]) -> tuple[str, Buttons]:
    draft = FLOW.draft(reply.context)
    selected: dict[str, str] = draft.get("sel", {})
    query = draft.get("query")
    shown = search_units(lines, query) if query else lines
    units = {line.unit.id: line.unit for line in lines}

    def button(line: TreeLine) -> tuple[str, str]:
        mark = MARK.get(selected.get(str(line.unit.id), ""), "☐")
        if _included_by(line.unit, units, selected) is not None:
            mark = MARK["all"]
        return f"{mark} {line.unit.name} ({line.total_members})", f"dc:t:{line.unit.id}"

    rows = paged(
        shown,
        int(draft.get("page", 0)),
        button=button,
        turn="dc:p:",
        previous=reply.t("button-previous"),
        more=reply.t("button-more"),
    )
    rows.append([(reply.t("button-continue"), "dc:n"), *FLOW.controls(reply, back=False)])
    actor = await actor_of(reply.update, reply.context)
    members = await reply.context.services.directives.audience(actor, _targets(draft))
    text: str = reply.t("directive-targets", units=len(selected), members=members)
    # Unit labels count every member; the author, if among them, does not receive it.
    home = units.get(actor.member.unit_id) if actor.member else None
    if home is not None and (
        str(home.id) in selected or _included_by(home, units, selected) is not None
    ):
        text += reply.t("directive-targets-without-you")
    if query:
        text += "\n" + reply.t("directive-targets-matching", query=query, found=len(shown))
    return text, rows


async def toggle(update: Update, context: MusterContext) -> int:
    """☐ → ☑ (with everything below) → ◉ (this unit alone, if it has units below) → ☐."""
    reply = await Reply.to(update, context)
    lines = await units_for(update, context, Action.SEND_DIRECTIVE)
    unit_id = int(reply.choice)
    line = next((line for line in lines if line.unit.id == unit_id), None)
    if line is None:
        await context.services.authz.refuse(
            await actor_of(update, context), Action.SEND_DIRECTIVE, f"directive to unit {unit_id}"
        )
        await reply.toast("access-denied")
        return TARGETS
    selected: dict[str, str] = FLOW.draft(context).setdefault("sel", {})
    above = _included_by(line.unit, {other.unit.id: other.unit for other in lines}, selected)
    if above is not None:
        await reply.toast("directive-unit-included", unit=above.name)
        return TARGETS
    await reply.toast("")
    has_children = any(other.unit.parent_id == unit_id for other in lines)
    state = selected.get(str(unit_id))
    if state is None:
        selected[str(unit_id)] = "all"
    elif state == "all" and has_children:
        selected[str(unit_id)] = "one"
    else:
        selected.pop(str(unit_id))
    await reply.edit_text(*await _targets_step(reply, lines))
    return TARGETS


async def turn_page(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    FLOW.draft(context)["page"] = int(reply.choice)
    await reply.edit_text(
        *await _targets_step(reply, await units_for(update, context, Action.SEND_DIRECTIVE))
    )
    return TARGETS


async def search(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    assert update.message is not None and update.message.text is not None
    draft = FLOW.draft(context)
    text = update.message.text.strip()[:64]
    lines = await units_for(update, context, Action.SEND_DIRECTIVE)
    if not search_units(lines, text):
        await reply.send("invite-unit-not-found", query=text)
        return TARGETS
    draft["query"], draft["page"] = text, 0
    await _show(reply, *await _targets_step(reply, lines))
    return TARGETS


async def targets_done(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    draft = FLOW.draft(context)
    if not draft.get("sel"):
        await reply.toast("directive-choose-a-unit")
        return TARGETS
    actor = await actor_of(update, context)
    if await context.services.directives.audience(actor, _targets(draft)) == 0:
        await reply.toast("directive-no-recipients")
        return TARGETS
    await reply.toast("")
    return await _ask_text(reply)


# Text and attachment -------------------------------------------------------------


async def _ask_text(reply: Reply) -> int:
    draft = FLOW.draft(reply.context)
    key = "directive-ask-text-attached" if draft.get("attachment") else "directive-ask-text"
    name = (draft.get("attachment") or [None, None, None])[2] or ""
    await _show(reply, reply.t(key, limit=MAX_TEXT, name=name), [FLOW.controls(reply)])
    return TEXT


async def text_received(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    message = update.message
    assert message is not None
    return await _take_text(reply, message.text_html or "")


async def _take_text(reply: Reply, html: str) -> int:
    try:
        text = check_text(html)
    except DirectiveError as exc:
        await reply.send(_ERRORS[exc.reason], limit=MAX_TEXT, length=len(html.strip()))
        return TEXT
    FLOW.draft(reply.context)["text"] = text
    return await _ask_ack(reply)


async def attachment_received(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    message = update.message
    assert message is not None
    draft = FLOW.draft(context)
    if message.photo:
        draft["attachment"] = ["photo", message.photo[-1].file_id, None]
    elif message.document:
        draft["attachment"] = ["document", message.document.file_id, message.document.file_name]
    if message.caption:
        return await _take_text(reply, message.caption_html or "")
    if draft.get("text"):
        return await _ask_ack(reply)
    return await _ask_text(reply)


async def unsupported(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.send("directive-unsupported-attachment")
    return TEXT


# Acknowledgement, deadline, send time ------------------------------------------------


async def _ask_ack(reply: Reply) -> int:
    rows: Buttons = [
        [(reply.t("directive-ack-yes"), "dc:a:1"), (reply.t("directive-ack-no"), "dc:a:0")],
        FLOW.controls(reply),
    ]
    await _show(reply, reply.t("directive-ask-ack"), rows)
    return ACK


async def ack_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    draft = FLOW.draft(context)
    draft["ack"] = reply.choice == "1"
    if draft["ack"]:
        return await _ask_deadline(reply)
    draft.pop("deadline", None)
    return await _ask_schedule(reply)


async def _author_zone(reply: Reply) -> ZoneInfo:
    actor = await actor_of(reply.update, reply.context)
    return await reply.context.services.directives.author_zone(actor)


async def _ask_when(
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
    zone = await _author_zone(reply)
    buttons = [
        (
            local_when(services.i18n, reply.language, when, zone, now),
            f"dc:w:{int(when.timestamp())}",
        )
        for when in quick_times(now, zone, hours=hours, clock=clock)
    ]
    if now_button:
        buttons.insert(0, (reply.t("directive-send-now"), "dc:w:now"))
    rows: Buttons = [buttons[:2], buttons[2:], FLOW.controls(reply)]
    await _show(reply, reply.t(key, zone=str(zone)), [r for r in rows if r])
    return state


async def _ask_deadline(reply: Reply) -> int:
    return await _ask_when(
        reply,
        DEADLINE,
        "directive-ask-deadline",
        hours=(1, 3),
        clock=("18:00", "09:00"),
        now_button=False,
    )


async def _ask_schedule(reply: Reply) -> int:
    return await _ask_when(
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
        return parse_local_time(raw, await _author_zone(reply), now)
    except DirectiveError as exc:
        await reply.send(_ERRORS[exc.reason])
        return None


def _raw_time(reply: Reply) -> str:
    """The pressed preset's value, or the typed text."""
    if reply.update.callback_query is not None:
        return reply.choice
    message = reply.update.message
    return (message.text or "") if message else ""


async def deadline_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    when = await _chosen_time(reply, _raw_time(reply))
    if when is None:
        return DEADLINE
    FLOW.draft(context)["deadline"] = when.isoformat()
    return await _ask_schedule(reply)


async def schedule_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    when = await _chosen_time(reply, _raw_time(reply))
    if when is None:
        return SCHEDULE
    draft = FLOW.draft(context)
    now = context.services.clock.now()
    draft["send_at"] = None if when <= now else when.isoformat()
    deadline = draft.get("deadline")
    if draft.get("ack") and deadline and datetime.fromisoformat(deadline) <= when:
        await reply.send("directive-deadline-before-send")
        return await _ask_deadline(reply)
    return await _preview(reply)


# Preview and send ----------------------------------------------------------------


def _as_draft(draft: dict[str, Any]) -> Draft:
    deadline, send_at = draft.get("deadline"), draft.get("send_at")
    attachment = draft.get("attachment")
    return Draft(
        targets=tuple(_targets(draft)),
        text=draft.get("text", ""),
        attachment=(attachment[0], attachment[1], attachment[2]) if attachment else None,
        ack_required=bool(draft.get("ack")),
        ack_deadline=datetime.fromisoformat(deadline) if deadline else None,
        send_at=datetime.fromisoformat(send_at) if send_at else None,
        urgent=bool(draft.get("urgent")),
    )


async def _preview(reply: Reply) -> int:
    context = reply.context
    services = context.services
    draft = _as_draft(FLOW.draft(context))
    actor = await actor_of(reply.update, context)
    origin = await services.directives.origin(actor, draft.targets)
    now = services.clock.now()
    zone = await _author_zone(reply)
    sample = Directive(
        id=0, author_member_id=None, author_telegram_id=0, from_unit_id=origin.id,
        text=draft.text, attachment_kind=draft.attachment[0] if draft.attachment else None,
        attachment_file_id=None, attachment_name=None, ack_required=draft.ack_required,
        ack_deadline=draft.ack_deadline, send_at=draft.send_at or now, status="scheduled",
        recipients=0, progress_chat_id=None, progress_message_id=None, progress_text=None,
        reminded_at=None, escalated_at=None, created_at=now, finished_at=None,
        cancelled_at=None,
    )  # fmt: skip
    body = directive_text(services.i18n, reply.language, sample, origin.name, zone, now)
    when = (
        local_when(services.i18n, reply.language, draft.send_at, zone, now)
        if draft.send_at
        else reply.t("directive-send-now")
    )
    attachment = ""
    if draft.attachment:
        kind, _, name = draft.attachment
        attachment = reply.t("directive-preview-attachment", kind=kind, name=name or "")
    text = reply.t(
        "directive-preview",
        members=await services.directives.audience(actor, draft.targets),
        units=len(draft.targets),
        when=when,
        attachment=attachment,
        body=Html(body),
    )
    rows: list[list[tuple[str, str]]] = [[(reply.t("directive-send"), "dc:s")]]
    # Paid broadcasts: offered to whoever may pay, with the estimate once chosen.
    quote = None
    if services.directives.may_pay(actor):
        quote = await services.directives.paid_quote(actor, draft.targets)
    if quote is not None and draft.urgent:
        text = Html(text + "\n" + reply.t("directive-preview-paid", **_quoted(quote)))
        rows.append([(reply.t("directive-free-button"), "dc:u:0")])
    elif quote is not None:
        rows.append([(reply.t("directive-paid-button"), "dc:u:1")])
    rows.append(list(FLOW.controls(reply)))
    await _show(reply, text, rows)
    return PREVIEW


def _quoted(quote: PaidQuote) -> dict[str, int]:
    return {
        "stars": quote.estimate_stars,
        "cap": quote.cap_stars,
        "members": quote.members,
        "rate": quote.rate,
    }


async def urgent_chosen(update: Update, context: MusterContext) -> int:
    """⚡ Urgent (paid), or back to the free rate; a paid one estimated above the cap is
    refused (the preview stays as it was)."""
    reply = await Reply.to(update, context)
    draft = FLOW.draft(context)
    if reply.choice == "0":
        await reply.toast("")
        draft.pop("urgent", None)
        return await _preview(reply)
    services = context.services
    actor = await actor_of(update, context)
    quote = await services.directives.paid_quote(actor, tuple(_targets(draft)))
    if quote is None or not services.directives.may_pay(actor):
        await services.authz.refuse(actor, Action.PAID_BROADCAST, "paid directive")
        await reply.toast("access-denied")
        return PREVIEW
    await reply.toast("")
    if not quote.within_cap:
        await reply.send("directive-paid-over-cap", **_quoted(quote))
        return PREVIEW
    draft["urgent"] = True
    return await _preview(reply)


async def send(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    services = context.services
    actor = await actor_of(update, context)
    try:
        directive = await services.directives.create(actor, _as_draft(FLOW.draft(context)))
    except PermissionDeniedError:
        await reply.edit("directive-not-allowed")
        return FLOW.end(context)
    except DirectiveError as exc:
        if exc.reason in ("paid_off", "paid_over_cap"):
            # Turned off, or the audience grew past the cap since the preview.
            FLOW.draft(context).pop("urgent", None)
            quote = await services.directives.paid_quote(
                actor, _as_draft(FLOW.draft(context)).targets
            )
            if quote is None:
                await reply.send("directive-paid-unavailable")
            else:
                await reply.send("directive-paid-over-cap", **_quoted(quote))
            return await _preview(reply)
        await reply.send(_ERRORS[exc.reason], limit=MAX_TEXT, length=0)
        return (
            await _preview(reply)
            if exc.reason != "no_recipients"
            else await _back_to_targets(reply)
        )
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    zone = await _author_zone(reply)
    if directive.status == "scheduled":
        when = local_when(
            services.i18n, reply.language, directive.send_at, zone, services.clock.now()
        )
        text = reply.t("directive-scheduled", when=when)
    else:
        text = reply.t("directive-progress", sent=0, total=directive.recipients, unreachable=0)
    await reply.edit_text(text)
    await services.directives.track_progress(
        directive.id, chat_id=query.message.chat.id, message_id=query.message.message_id, text=text
    )
    wake_delivery(context)
    return FLOW.end(context)


# Back, cancel ------------------------------------------------------------------------


async def _back_to_targets(reply: Reply) -> int:
    await _show(
        reply,
        *await _targets_step(
            reply, await units_for(reply.update, reply.context, Action.SEND_DIRECTIVE)
        ),
    )
    return TARGETS


def _back_from(step: int) -> Any:
    async def handler(update: Update, context: MusterContext) -> int:
        reply = await Reply.to(update, context)
        await reply.toast("")
        draft = FLOW.draft(context)
        if step == TEXT:
            return await _back_to_targets(reply)
        if step == ACK:
            return await _ask_text(reply)
        if step == DEADLINE:
            return await _ask_ack(reply)
        if step == SCHEDULE:
            return await (_ask_deadline(reply) if draft.get("ack") else _ask_ack(reply))
        return await _ask_schedule(reply)

    return handler


def register(app: MusterApp) -> None:
    back = FLOW.back_pattern
    app.add_handler(
        FLOW.conversation(
            entry_points=[CommandHandler("directive", start, filters=PRIVATE)],
            states={
                TARGETS: [
                    CallbackQueryHandler(toggle, pattern=r"^dc:t:\d{1,12}$"),
                    CallbackQueryHandler(turn_page, pattern=r"^dc:p:\d{1,6}$"),
                    CallbackQueryHandler(targets_done, pattern=r"^dc:n$"),
                    MessageHandler(TEXT_INPUT, search),
                ],
                TEXT: [
                    MessageHandler(TEXT_INPUT, text_received),
                    MessageHandler(
                        PRIVATE & (filters.PHOTO | filters.Document.ALL), attachment_received
                    ),
                    MessageHandler(PRIVATE & ~filters.COMMAND, unsupported),
                    CallbackQueryHandler(_back_from(TEXT), pattern=back),
                ],
                ACK: [
                    CallbackQueryHandler(ack_chosen, pattern=r"^dc:a:[01]$"),
                    CallbackQueryHandler(_back_from(ACK), pattern=back),
                ],
                DEADLINE: [
                    CallbackQueryHandler(deadline_chosen, pattern=r"^dc:w:\d{1,12}$"),
                    MessageHandler(TEXT_INPUT, deadline_chosen),
                    CallbackQueryHandler(_back_from(DEADLINE), pattern=back),
                ],
                SCHEDULE: [
                    CallbackQueryHandler(schedule_chosen, pattern=r"^dc:w:(now|\d{1,12})$"),
                    MessageHandler(TEXT_INPUT, schedule_chosen),
                    CallbackQueryHandler(_back_from(SCHEDULE), pattern=back),
                ],
                PREVIEW: [
                    CallbackQueryHandler(send, pattern=r"^dc:s$"),
                    CallbackQueryHandler(urgent_chosen, pattern=r"^dc:u:[01]$"),
                    CallbackQueryHandler(_back_from(PREVIEW), pattern=back),
                ],
            },
        )
    )
