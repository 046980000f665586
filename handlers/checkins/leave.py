"""``/leave``: record or cancel days off check-in (own, or, for a secretary,
``/leave @member`` within their scope). The rules live in ``bot/checkins/service.py``."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, timedelta

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.checkins import buttons as b
from bot.checkins.service import CheckinError, LeaveProblem
from bot.kit.days import typed_day
from bot.kit.i18n import format_day, join_html
from bot.org.authz import PermissionDeniedError
from bot.org.membership import MembershipError
from handlers.kit.common import (
    PRIVATE,
    Buttons,
    MusterApp,
    MusterContext,
    Reply,
    actor_of,
    command_args,
    member_action,
    person_of,
)
from handlers.kit.flow import DraftFlow
from storage.leave import Leave
from storage.models import Member

OVERVIEW, REASON, FIRST, LAST = range(4)


@dataclass
class LeaveDraft:
    member: int | None = None  # whose leave: a secretary's ``/leave @member``, else one's own
    reason: str | None = None
    first: str | None = None  # the first day off, ISO


FLOW = DraftFlow("leave", b.LEAVE, "leave-closed", LeaveDraft)
_ERRORS: dict[str, str] = {
    LeaveProblem.IN_PAST: "leave-error-past",
    LeaveProblem.BACKWARDS: "leave-error-backwards",
    LeaveProblem.TOO_LONG: "leave-error-too-long",
    LeaveProblem.OVERLAP: "leave-error-overlap",
    LeaveProblem.UNKNOWN_REASON: "button-stale",
    LeaveProblem.UNKNOWN_LEAVE: "button-stale",
}


async def _target(reply: Reply) -> Member | None:
    """Whose leave this flow is about (kept in the draft across steps)."""
    services = reply.context.services
    member_id = FLOW.state(reply.context).member
    if member_id is not None:
        return await services.membership.by_id(member_id)
    return reply.member


async def _today(reply: Reply, member: Member) -> date:
    unit = await reply.context.services.org.unit(member.unit_id)
    return reply.context.services.checkins.window(unit).day


def _reason(reply: Reply, reason_id: str) -> str:
    for reason in reply.context.services.checkins.form.leave_reasons:
        if reason.id == reason_id:
            return str(reason.label.zh if reply.language == "zh" else reason.label.en)
    return reason_id


def _period(reply: Reply, leave: Leave) -> str:
    first = format_day(leave.first_day, reply.language)
    if leave.first_day == leave.last_day:
        return first
    return f"{first} – {format_day(leave.last_day, reply.language)}"


@member_action
async def start(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    draft = FLOW.fresh(context)
    args = command_args(context)
    services = context.services
    if args:
        try:
            member = await services.membership.find(args[0])
        except MembershipError:
            member = None
        if member is None:
            await reply.send("admin-unknown-member", who=args[0])
            return FLOW.end(context)
        draft.member = member.id
    member = await _target(reply)
    if member is None:
        await reply.send("not-a-member", org=services.settings.organisation.name)
        return FLOW.end(context)
    try:  # someone else's leave is shown only to whoever may manage it; one's own, if active
        await services.checkins.may_manage_leave(await actor_of(update, context), member)
    except PermissionDeniedError:
        await reply.send("access-denied")
        return FLOW.end(context)
    leaves = await services.checkins.upcoming_leave(member)
    if not leaves:
        return await _ask_reason(reply, new=True)
    lines = [
        reply.t("leave-line", period=_period(reply, leave), reason=_reason(reply, leave.reason))
        for leave in leaves
    ]
    rows: Buttons = [
        [
            (
                reply.label("leave-cancel-button", period=_period(reply, leave)),
                b.CancelLeave(leave.id).pack(),
            )
        ]
        for leave in leaves
    ]
    rows = [*rows, [(reply.t("leave-add"), b.AddLeave().pack()), *FLOW.controls(reply, back=False)]]
    text = reply.t("leave-overview", name=member.display_name, lines=join_html("\n", lines))
    await reply.send_text(text, rows)
    return OVERVIEW


async def _ask_reason(reply: Reply, *, new: bool) -> int:
    reasons = reply.context.services.checkins.form.leave_reasons
    rows: Buttons = [[(_reason(reply, r.id), b.LeaveReason(r.id).pack())] for r in reasons]
    rows = [*rows, FLOW.controls(reply, back=False)]
    await reply.show_text(reply.t("leave-ask-reason"), rows, new=new)
    return REASON


async def add(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    return await _ask_reason(reply, new=False)


async def reason_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    FLOW.state(context).reason = reply.pressed(b.LeaveReason).reason
    rows: Buttons = [
        [
            (reply.t("leave-today"), b.LeaveFirst(0).pack()),
            (reply.t("leave-tomorrow"), b.LeaveFirst(1).pack()),
        ],
        FLOW.controls(reply, back=False),
    ]
    await reply.edit("leave-ask-first", rows)
    return FIRST


async def _day_from(
    reply: Reply, base: date, offset: type[b.LeaveFirst] | type[b.LeaveLast]
) -> date | None:
    """A pressed offset from ``base``, or a typed date; None (and a re-ask) if unusable."""
    if reply.update.callback_query is not None:
        await reply.toast("")
        return base + timedelta(days=reply.pressed(offset).days)
    message = reply.update.message
    day = typed_day(message.text or "", base) if message else None
    if day is None:
        await reply.send("leave-error-date")
    return day


async def first_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    member = await _target(reply)
    if member is None:
        return FLOW.end(context)
    first = await _day_from(reply, await _today(reply, member), b.LeaveFirst)
    if first is None:
        return FIRST
    try:
        await context.services.checkins.check_leave_start(member, first)
    except CheckinError:
        await reply.send("leave-error-past-retry")
        return FIRST
    FLOW.state(context).first = first.isoformat()
    rows: Buttons = [
        [
            (reply.t("leave-same-day"), b.LeaveLast(0).pack()),
            (reply.t("leave-days", days=3), b.LeaveLast(2).pack()),
            (reply.t("leave-days", days=7), b.LeaveLast(6).pack()),
        ],
        FLOW.controls(reply, back=False),
    ]
    await reply.show_text(
        reply.t("leave-ask-last", first=format_day(first, reply.language)),
        rows,
        new=update.callback_query is None,
    )
    return LAST


@member_action
async def last_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    draft = FLOW.state(context)
    member = await _target(reply)
    if member is None or draft.first is None:
        return FLOW.end(context)
    first = date.fromisoformat(draft.first)
    last = await _day_from(reply, first, b.LeaveLast)
    if last is None:
        return LAST
    services = context.services
    try:
        leave = await services.checkins.record_leave(
            await actor_of(update, context), member, first, last, str(draft.reason)
        )
    except PermissionDeniedError:
        await reply.send("access-denied")
        return FLOW.end(context)
    except CheckinError as exc:
        details = {k: format_day(v, reply.language) for k, v in exc.details.items()}
        await reply.send(_ERRORS[exc.reason], **details)
        return LAST if exc.reason == LeaveProblem.BACKWARDS else FLOW.end(context)
    period, reason = _period(reply, leave), _reason(reply, leave.reason)
    text = reply.t("leave-recorded", name=member.display_name, period=period, reason=reason)
    await reply.show_text(text, None, new=update.callback_query is None)
    if member.telegram_id is not None and member.telegram_id != person_of(update).telegram_id:
        # Recorded by a secretary: the member hears of it in their language.
        them = Reply(update, context, member.language)
        note = them.t(
            "leave-recorded-for-you",
            period=_period(them, leave),
            reason=_reason(them, leave.reason),
        )
        # If they blocked the bot, the leave stands all the same.
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(member.telegram_id, note, parse_mode="HTML")
    return FLOW.end(context)


@member_action
async def cancel_leave(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    try:
        leave, member = await context.services.checkins.cancel_leave(
            await actor_of(update, context), reply.pressed(b.CancelLeave).leave
        )
    except PermissionDeniedError:
        await reply.toast("access-denied")
        return OVERVIEW
    except CheckinError:
        await reply.toast("button-stale")
        return OVERVIEW
    await reply.toast("")
    await reply.edit("leave-cancelled", name=member.display_name, period=_period(reply, leave))
    return FLOW.end(context)


def register(app: MusterApp) -> None:
    typed = PRIVATE & filters.TEXT & ~filters.COMMAND
    app.add_handler(
        FLOW.conversation(
            entry_points=[CommandHandler("leave", start, filters=PRIVATE)],
            states={
                OVERVIEW: [
                    CallbackQueryHandler(cancel_leave, pattern=b.CancelLeave.pattern),
                    CallbackQueryHandler(add, pattern=b.AddLeave.pattern),
                ],
                REASON: [CallbackQueryHandler(reason_chosen, pattern=b.LeaveReason.pattern)],
                FIRST: [
                    CallbackQueryHandler(first_chosen, pattern=b.LeaveFirst.pattern),
                    MessageHandler(typed, first_chosen),
                ],
                LAST: [
                    CallbackQueryHandler(last_chosen, pattern=b.LeaveLast.pattern),
                    MessageHandler(typed, last_chosen),
                ],
            },
        )
    )
