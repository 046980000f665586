"""On duty: "Start duty" (maybe sharing a location), "End duty" (the configured report,
asked like the check-in form) and "Report incident" (text, a photo and/or a location,
sent to the secretaries at once). The buttons come from the duty schedule's prompts and
from ``/duty``; the rules live in ``bot/duty/on_duty.py``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import KeyboardButton, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.duty import buttons as b
from bot.duty.on_duty import (
    INCIDENT_TEXT_LIMIT,
    DutyError,
    OnDuty,
)
from bot.duty.schedule import when_text
from bot.kit.forms import on_earth
from bot.kit.i18n import format_day, join_list
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
from storage.models import Member, Unit

LOCATION, REPORT, CONFIRM, INCIDENT = range(4)


@dataclass
class OnDutyDraft(FormDraft):
    shift: int = 0  # the pressed shift
    # An incident being put together: its words so far, its photo, its place.
    text: str | None = None
    photo: str | None = None
    location: list[float] | None = None


FLOW = DraftFlow("on_duty", b.ON_DUTY, "onduty-cancelled", OnDutyDraft)
_ERRORS = {
    "not_yours": "onduty-error-not-yours",
    "cancelled": "onduty-error-cancelled",
    "already_started": "onduty-error-already-started",
    "already_ended": "onduty-error-already-ended",
    "over": "onduty-error-over",
    "too_early": "onduty-error-too-early",
    "not_started": "onduty-error-not-started",
    "not_on_duty": "onduty-error-not-on-duty",
    "report_changed": "onduty-error-report-changed",
    "incident_empty": "onduty-error-incident-empty",
    "incident_too_long": "onduty-error-incident-too-long",
}


def _local(services: Any, unit: Unit, moment: datetime) -> datetime:
    return moment.astimezone(services.checkins.zone_of(unit))


def _duty_buttons(reply: Reply, shift_id: int) -> Buttons:
    return [
        [(reply.label("onduty-incident-button"), b.ReportIncident(shift_id).pack())],
        [(reply.label("onduty-end-button"), b.EndDuty(shift_id).pack())],
    ]


async def _refuse(reply: Reply, exc: DutyError, duty: OnDuty | None = None) -> int:
    """Say why (in a message, not only a toast: a toast vanishes) and end the flow."""
    details: dict[str, Any] = dict(exc.details)
    if isinstance(details.get("at"), datetime) and reply.member is not None:
        unit = duty.unit if duty else await reply.context.services.org.unit(reply.member.unit_id)
        if unit is not None:
            at = _local(reply.context.services, unit, details["at"])
            details["at"] = f"{format_day(at, reply.language)} {at:%H:%M}"
    details.setdefault("at", "—")
    await reply.toast("")
    await reply.send(_ERRORS[exc.reason], **details)
    return FLOW.end(reply.context)


def _where(message: Message) -> tuple[float, float] | None:
    """The message's location, if it has one that exists (forged updates carry any)."""
    location = message.location
    if location is None or not on_earth(location.latitude, location.longitude):
        return None
    return location.latitude, location.longitude


def _shift_id(reply: Reply) -> int:
    return reply.pressed(b.ShiftButton).shift


async def _member(reply: Reply) -> Member | None:
    if reply.member is None:
        await reply.toast("")
        org = reply.context.services.settings.organisation.name
        await reply.send("not-a-member", org=org)
    return reply.member


Check = Callable[[Member, int], Awaitable[OnDuty]]


async def _pressed(
    update: Update, context: MusterContext, check: Check
) -> tuple[Reply, OnDuty | None]:
    """The pressed shift, if ``check`` lets this step be taken now, with a fresh draft
    holding it; None once the person has been told why not."""
    reply = await Reply.to(update, context)
    member = await _member(reply)
    if member is None:
        return reply, None
    try:
        duty = await check(member, _shift_id(reply))
    except DutyError as exc:
        await _refuse(reply, exc)
        return reply, None
    await reply.toast("")
    FLOW.fresh(context).shift = duty.shift.id
    return reply, duty


# --- Start duty -------------------------------------------------------------------------


@member_action
async def start_pressed(update: Update, context: MusterContext) -> int:
    services = context.services
    reply, duty = await _pressed(update, context, services.on_duty.startable)
    if duty is None:
        return FLOW.end(context)
    member = duty.member
    if not services.settings.duty.ask_location:
        return await _start(reply, member, None)
    keys = ReplyKeyboardMarkup(
        [
            [KeyboardButton(reply.label("onduty-share-location"), request_location=True)],
            [KeyboardButton(reply.label("onduty-no-location"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    text = reply.t(
        "onduty-ask-location", grid=duty.grid.name, when=when_text(duty.view, reply.language)
    )
    await context.bot.send_message(
        member.telegram_id or 0, text, parse_mode=ParseMode.HTML, reply_markup=keys
    )
    return LOCATION


@member_action
async def location_sent(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    member = await _member(reply)
    message = update.message
    if member is None or message is None:
        return FLOW.end(context)
    where = _where(message)
    if where is not None:
        return await _start(reply, member, where)
    if message.text is not None and message.text.strip() == reply.label("onduty-no-location"):
        return await _start(reply, member, None)
    await reply.send("onduty-location-expected")
    return LOCATION


async def _start(reply: Reply, member: Member, where: tuple[float, float] | None) -> int:
    services = reply.context.services
    shift_id = FLOW.state(reply.context).shift

    try:
        started = await services.on_duty.start(
            member, shift_id, where, services.authz.nearest_secretaries
        )
    except DutyError as exc:
        return await _refuse(reply, exc)
    wake_delivery(reply.context)
    duty = started.duty
    assert duty.shift.started_at is not None
    at = _local(services, duty.unit, duty.shift.started_at)
    lines = [reply.t("onduty-started", grid=duty.grid.name, time=f"{at:%H:%M}")]
    if started.outside:
        lines.append(reply.t("onduty-started-outside", distance=started.distance_m or 0))
    # The location keyboard goes away with this message; the duty buttons follow.
    await reply.context.bot.send_message(
        member.telegram_id or 0,
        "\n".join(lines),
        parse_mode=ParseMode.HTML,
        reply_markup=ReplyKeyboardRemove(),
    )
    await reply.send("onduty-on-duty", _duty_buttons(reply, duty.shift.id), grid=duty.grid.name)
    return FLOW.end(reply.context)


# --- End duty ---------------------------------------------------------------------------


def _report_questions(context: MusterContext) -> list[Question]:
    return context.services.settings.duty.report


@member_action
async def end_pressed(update: Update, context: MusterContext) -> int:
    reply, duty = await _pressed(update, context, context.services.on_duty.endable)
    if duty is None:
        return FLOW.end(context)
    REPORT_FORM.start(context)
    return await REPORT_FORM.ask(reply, new=True)


async def _confirm_report(reply: Reply, new: bool) -> int:
    rows: Buttons = [
        [(reply.label("onduty-submit"), b.SubmitReport().pack())],
        [
            (reply.label("onduty-start-over"), b.RestartReport().pack()),
            *FLOW.controls(reply, back=False),
        ],
    ]
    summary = REPORT_FORM.summary(reply, REPORT_FORM.answers(reply.context))
    await reply.show_text(reply.t("onduty-report-confirm", summary=summary), rows, new=new)
    return CONFIRM


REPORT_FORM = FormWalker(FLOW, REPORT, _report_questions, "onduty-report-question", _confirm_report)


async def report_again(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    REPORT_FORM.start(context)
    return await REPORT_FORM.ask(reply, new=False)


@member_action
async def report_submitted(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    member = await _member(reply)
    if member is None:
        return FLOW.end(context)
    shift_id = FLOW.state(context).shift
    try:
        duty = await context.services.on_duty.end(member, shift_id, REPORT_FORM.answers(context))
    except DutyError as exc:
        if exc.reason == "report_changed":  # the configured report changed: ask again
            await reply.toast("")
            await reply.send(_ERRORS[exc.reason])
            REPORT_FORM.start(context)
            return await REPORT_FORM.ask(reply, new=True)
        return await _refuse(reply, exc)
    await reply.toast("")
    assert duty.shift.ended_at is not None
    at = _local(context.services, duty.unit, duty.shift.ended_at)
    await reply.edit("onduty-ended", grid=duty.grid.name, time=f"{at:%H:%M}")
    return FLOW.end(context)


# --- Report incident --------------------------------------------------------------------


@member_action
async def incident_pressed(update: Update, context: MusterContext) -> int:
    reply, duty = await _pressed(update, context, context.services.on_duty.reportable)
    if duty is None:
        return FLOW.end(context)
    await reply.send("onduty-incident-ask", _incident_buttons(reply), grid=duty.grid.name)
    return INCIDENT


def _incident_buttons(reply: Reply) -> Buttons:
    return [
        [
            (reply.label("onduty-incident-send"), b.SendIncident().pack()),
            *FLOW.controls(reply, back=False),
        ]
    ]


async def incident_part(update: Update, context: MusterContext) -> int:
    """Text, a photo (its caption counts as text) or a location, and the person sees what
    will be sent. Typed text and captions add up, in order (every word reaches the
    secretary); a new photo or location replaces the last."""
    reply = await Reply.to(update, context)
    message = update.message
    assert message is not None
    draft = FLOW.state(context)
    text = (message.text if message.text is not None else message.caption or "").strip() or None
    where = _where(message)
    if where is None and not message.photo and text is None:
        await reply.send("onduty-incident-unsupported")
        return INCIDENT
    if text is not None:
        text = "\n".join(t for t in (draft.text, text) if t)
        if len(text) > INCIDENT_TEXT_LIMIT:  # refused whole: nothing of this message kept
            await reply.send(
                "onduty-error-incident-too-long", length=len(text), limit=INCIDENT_TEXT_LIMIT
            )
            return INCIDENT
        draft.text = text
    if where is not None:
        draft.location = list(where)
    elif message.photo:
        draft.photo = message.photo[-1].file_id
    parts = [
        reply.label(key)
        for key, present in (
            ("onduty-incident-has-text", draft.text is not None),
            ("onduty-incident-has-photo", draft.photo is not None),
            ("onduty-incident-has-location", draft.location is not None),
        )
        if present
    ]
    await reply.send(
        "onduty-incident-added", _incident_buttons(reply), parts=join_list(reply.language, parts)
    )
    return INCIDENT


@member_action
async def incident_send(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    member = await _member(reply)
    if member is None:
        return FLOW.end(context)
    draft = FLOW.state(context)
    location = draft.location

    try:
        await context.services.on_duty.report_incident(
            member,
            draft.shift,
            text=draft.text,
            photo=draft.photo,
            location=(float(location[0]), float(location[1])) if location else None,
            secretaries=context.services.authz.nearest_secretaries,
        )
    except DutyError as exc:
        if exc.reason in ("incident_empty", "incident_too_long"):  # fix it and send again
            await reply.toast("")
            await reply.send(_ERRORS[exc.reason], _incident_buttons(reply), **exc.details)
            return INCIDENT
        return await _refuse(reply, exc)
    wake_delivery(context)
    await reply.toast("")
    await reply.edit("onduty-incident-sent")
    return FLOW.end(context)


def register(app: MusterApp) -> None:
    app.add_handler(
        FLOW.conversation(
            entry_points=[
                CallbackQueryHandler(start_pressed, pattern=b.StartDuty.pattern),
                CallbackQueryHandler(end_pressed, pattern=b.EndDuty.pattern),
                CallbackQueryHandler(incident_pressed, pattern=b.ReportIncident.pattern),
            ],
            states={
                LOCATION: [
                    MessageHandler(
                        PRIVATE & (filters.LOCATION | filters.TEXT) & ~filters.COMMAND,
                        location_sent,
                    ),
                ],
                REPORT: REPORT_FORM.handlers(),
                CONFIRM: [
                    CallbackQueryHandler(report_submitted, pattern=b.SubmitReport.pattern),
                    CallbackQueryHandler(report_again, pattern=b.RestartReport.pattern),
                ],
                INCIDENT: [
                    CallbackQueryHandler(incident_send, pattern=b.SendIncident.pattern),
                    MessageHandler(PRIVATE & ~filters.COMMAND, incident_part),
                ],
            },
        )
    )
