"""``/checkin``: today's form, one question at a time, a summary to confirm, and one
check-in per day that running ``/checkin`` again edits. The rules live in
``bot/checkins/service.py``; this module only asks and answers."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
)

from bot.checkins import buttons as b
from bot.checkins.service import CheckinError, WindowState
from bot.kit.i18n import format_day
from bot.kit.people import require_active
from bot.kit.questions import Question
from handlers.kit.common import (
    PRIVATE,
    Buttons,
    MusterApp,
    MusterContext,
    Reply,
    member_action,
    wake_delivery,
)
from handlers.kit.flow import DraftFlow
from handlers.kit.form import FormDraft, FormWalker
from storage.models import Member

ASK, CONFIRM, EXISTING = range(3)


@dataclass
class CheckinDraft(FormDraft):
    day: str | None = None  # the local day being checked in for, ISO
    form: str | None = None  # the configured form's fingerprint


FLOW = DraftFlow("checkin", b.CHECKIN, "checkin-cancelled", CheckinDraft)


def _fingerprint(context: MusterContext) -> str:
    """Changes when the configured form does, so a half-filled draft can tell."""
    return context.services.checkins.form_fingerprint()


async def _member(reply: Reply) -> Member | None:
    return reply.member


@member_action
async def start(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    # From a button (the reminder's "Check in now"), the flow edits that message in place:
    # 5,000 members checking in after the reminder would otherwise be 5,000 new messages
    # against Telegram's 30/s, while edits count toward their own chat only.
    new = update.callback_query is None
    if not new:
        await reply.toast("")
    member = await _member(reply)
    if member is None:
        await reply.show("not-a-member", new=new, org=context.services.settings.organisation.name)
        return FLOW.end(context)
    require_active(member)  # before the form: Submit would be refused anyway
    checkins = context.services.checkins
    unit = await context.services.org.unit(member.unit_id)
    window = checkins.window(unit)
    zone = checkins.zone_of(unit)
    if window.state is WindowState.DAY_OFF:
        await reply.show("checkin-day-off", new=new, day=format_day(window.day, reply.language))
        return FLOW.end(context)
    if window.state is WindowState.NOT_YET:
        opens = f"{window.opens.astimezone(zone):%H:%M}"
        await reply.show("checkin-not-yet", new=new, time=opens)
        return FLOW.end(context)
    if window.state is WindowState.CLOSED:
        opening = checkins.next_opening(unit).astimezone(zone)
        when = f"{format_day(opening, reply.language)} {opening:%H:%M}"
        await reply.show("checkin-closed", new=new, when=when)
        return FLOW.end(context)
    leave = await checkins.on_leave(member, window.day)
    if leave is not None:
        until = format_day(leave.last_day, reply.language)
        await reply.show("checkin-on-leave", new=new, until=until)
        return FLOW.end(context)
    draft = FLOW.fresh(context)
    draft.day, draft.form = window.day.isoformat(), _fingerprint(context)
    existing = await checkins.today(member)
    if existing is not None:
        draft.answers = dict(existing.answers)
        rows: Buttons = [
            [
                (reply.t("checkin-change"), b.ChangeCheckIn().pack()),
                (reply.t("checkin-keep"), b.KeepCheckIn().pack()),
            ]
        ]
        at = f"{existing.updated_at.astimezone(zone):%H:%M}"
        # Recorded by phone, with no answers: say who, and that the form is theirs.
        if (secretary := await context.services.checkin_phone.recorded_by(existing)) is not None:
            text = reply.t("checkin-current-by-phone", time=at, secretary=secretary)
        else:
            summary = FORM.summary(reply, existing.answers)
            text = reply.t("checkin-current", time=at, summary=summary)
        await reply.show_text(text, rows, new=new)
        return EXISTING
    return await FORM.ask(reply, new=new)


async def keep(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    await reply.edit("checkin-kept")
    return FLOW.end(context)


def _questions(context: MusterContext) -> list[Question]:
    return context.services.checkins.form.questions


async def _guard(reply: Reply) -> int | None:
    """The form was changed in the configuration, or the day turned, mid-way: start over."""
    context = reply.context
    draft = FLOW.state(context)
    today = await _today(reply)
    if draft.form == _fingerprint(context) and draft.day == today:
        return None
    await reply.send("checkin-restart")
    FORM.start(context)
    draft.form, draft.day = _fingerprint(context), today
    return await FORM.ask(reply, new=True)


async def _today(reply: Reply) -> str | None:
    """The member's local day now (their unit's timezone)."""
    member = await _member(reply)
    if member is None:
        return None
    services = reply.context.services
    return services.checkins.window(await services.org.unit(member.unit_id)).day.isoformat()


async def _confirm(reply: Reply, new: bool) -> int:
    submit = ("checkin-submit", b.SubmitCheckIn().pack())
    restart = ("checkin-start-over", b.RestartCheckIn().pack())
    await FORM.confirm(reply, new, "checkin-confirm", submit, restart)
    return CONFIRM


FORM = FormWalker(FLOW, ASK, _questions, "checkin-question", _confirm, _guard)


@member_action
async def submit(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    member = await _member(reply)
    if member is None:
        await reply.edit("not-a-member", org=context.services.settings.organisation.name)
        return FLOW.end(context)
    services = context.services
    try:
        checkin, first = await services.checkins.save(member, FORM.answers(context))
    except CheckinError as exc:
        again = await FORM.answer_refused(reply, exc.reason, exc.details)
        if again is not None:
            return again
        await reply.edit("checkin-window-passed")
        return FLOW.end(context)
    key = "checkin-saved" if first else "checkin-updated"
    await reply.edit(key, day=format_day(checkin.day, reply.language))
    if checkin.flagged and services.settings.checkin.flags_at_once:
        wake_delivery(context)  # the secretaries' notice was queued with the check-in
    return FLOW.end(context)


def register(app: MusterApp) -> None:
    app.add_handler(
        FLOW.conversation(
            entry_points=[
                CommandHandler("checkin", start, filters=PRIVATE),
                CallbackQueryHandler(start, pattern=b.CheckInNow.pattern),
            ],
            states={
                EXISTING: [
                    CallbackQueryHandler(FORM.again, pattern=b.ChangeCheckIn.pattern),
                    CallbackQueryHandler(keep, pattern=b.KeepCheckIn.pattern),
                ],
                ASK: FORM.handlers(),
                CONFIRM: [
                    CallbackQueryHandler(submit, pattern=b.SubmitCheckIn.pattern),
                    CallbackQueryHandler(FORM.restart, pattern=b.RestartCheckIn.pattern),
                ],
            },
        )
    )
