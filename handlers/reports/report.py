"""``/report`` and the reminder's button: a leader's daily report for one unit, asked with
the check-in's form kit, editing the pressed message in place; one report per unit and
day that the unit's holders can change until due. The rules live in
``bot/reports/service.py``; this module only asks and answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.checkins.service import WindowState
from bot.kit.forms import AnswerError, text_in
from bot.kit.i18n import format_day
from bot.kit.questions import Question
from bot.reports import buttons as b
from bot.reports.service import Duty, ReportError
from handlers.kit.common import PRIVATE, Buttons, MusterApp, MusterContext, Reply, member_action
from handlers.kit.flow import DraftFlow
from handlers.kit.form import FormDraft, FormWalker
from storage.reports import FiledReport

ASK, CONFIRM, EXISTING = range(3)


@dataclass
class ReportDraft(FormDraft):
    form: str | None = None  # the configured form's id
    unit: int | None = None
    day: str | None = None  # the unit's local day the report is for, ISO
    replacing: bool = False  # started from the unit's filed report: Submit changes it


FLOW = DraftFlow("report", b.REPORT, "report-cancelled", ReportDraft)


@member_action
async def start(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    new = update.callback_query is None
    if not new:
        await reply.toast("")
    member, reports = reply.member, context.services.reports
    if member is None:
        await reply.show("not-a-member", new=new, org=context.services.settings.organisation.name)
        return FLOW.end(context)
    if new:  # /report: the one form due, or a button per form and unit
        duties = await reports.duties(member)
        if not duties:
            await reply.show("report-none", new=True)
            return FLOW.end(context)
        if len(duties) > 1:
            rows: Buttons = [
                [(_name(reply, d), b.OpenReport(d.form.id, d.unit.id).pack())] for d in duties
            ]
            await reply.show("report-pick", rows, new=True)
            return FLOW.end(context)
        duty = duties[0]
    else:
        pressed = reply.pressed(b.OpenReport)
        try:
            duty = await reports.duty(member, pressed.form, pressed.unit)
        except ReportError:  # a forged button, or a role given up since
            await reply.show("report-not-yours", new=False)
            return FLOW.end(context)
    return await _open(reply, duty, new=new)


def _name(reply: Reply, duty: Duty) -> str:
    return reply.label(
        "report-name", title=text_in(reply.language, duty.form.title), unit=duty.unit.name
    )


async def _open(reply: Reply, duty: Duty, *, new: bool) -> int:
    context, reports = reply.context, reply.context.services.reports
    window = reports.window(duty.form, duty.unit)
    zone = context.services.checkins.zone_of(duty.unit)
    name = _name(reply, duty)
    if window.state is WindowState.DAY_OFF:
        await reply.show("report-day-off", new=new, day=format_day(window.day, reply.language))
        return FLOW.end(context)
    if window.state is WindowState.NOT_YET:
        at = f"{window.opens.astimezone(zone):%H:%M}"
        await reply.show("report-not-yet", new=new, name=name, time=at)
        return FLOW.end(context)
    filed = await reports.filed(duty, window.day)
    if window.state is WindowState.CLOSED:
        await reply.show(
            "report-closed", new=new, name=name, time=f"{window.closes.astimezone(zone):%H:%M}"
        )
        return FLOW.end(context)
    draft = FLOW.fresh(context)
    draft.form, draft.unit, draft.day = duty.form.id, duty.unit.id, window.day.isoformat()
    if filed is None:
        return await FORM.ask(reply, new=new)
    draft.answers, draft.replacing = dict(filed.answers), True
    rows: Buttons = [
        [
            (reply.t("report-change"), b.ChangeReport().pack()),
            (reply.t("report-keep"), b.KeepReport().pack()),
        ]
    ]
    await reply.show_text(await _current(reply, duty, filed), rows, new=new)
    return EXISTING


async def _current(reply: Reply, duty: Duty, filed: FiledReport) -> str:
    """The unit's report as filed: by whom and when, and its answers."""
    services = reply.context.services
    author = await services.reports.author(filed)
    at = filed.updated_at.astimezone(services.checkins.zone_of(duty.unit))
    return reply.t(
        "report-current",
        name=_name(reply, duty),
        author=author.display_name if author else "—",
        time=f"{at:%H:%M}",
        summary=FORM.summary(reply, filed.answers),
    )


async def _duty(reply: Reply) -> Duty | None:
    draft, member = FLOW.state(reply.context), reply.member
    if member is None or draft.form is None or draft.unit is None:
        return None
    try:
        return await reply.context.services.reports.duty(member, draft.form, draft.unit)
    except ReportError:
        return None


async def keep(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    await reply.edit("report-kept")
    return FLOW.end(context)


def _questions(context: MusterContext) -> list[Question]:
    form = context.services.reports.form(FLOW.state(context).form)
    return form.questions if form is not None else []


async def _confirm(reply: Reply, new: bool) -> int:
    submit = ("report-submit", b.SubmitReport().pack())
    restart = ("report-start-over", b.RestartReport().pack())
    await FORM.confirm(reply, new, "report-confirm", submit, restart)
    return CONFIRM


FORM = FormWalker(FLOW, ASK, _questions, "report-question", _confirm)


@member_action
async def submit(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    duty, member = await _duty(reply), reply.member
    if duty is None or member is None:
        await reply.edit("report-not-yours")
        return FLOW.end(context)
    draft = FLOW.state(context)
    try:
        saved, first = await context.services.reports.save(
            member,
            duty,
            FORM.answers(context),
            replacing=draft.replacing,
            day=date.fromisoformat(draft.day) if draft.day else None,
        )
    except AnswerError as exc:  # a ReportError, or an answer's own
        again = await FORM.answer_refused(reply, exc.reason, exc.details)
        if again is not None:
            return again
        filed = exc.details.get("report")
        if exc.reason == "taken" and isinstance(filed, FiledReport):
            # Another holder of the unit filed first: theirs counts; show it.
            await reply.edit_text(
                reply.t("report-taken") + "\n\n" + await _current(reply, duty, filed)
            )
            return FLOW.end(context)
        await reply.edit("report-window-passed")
        return FLOW.end(context)
    key = "report-saved" if first else "report-updated"
    await reply.edit(key, name=_name(reply, duty), day=format_day(saved.day, reply.language))
    return FLOW.end(context)


def register(app: MusterApp) -> None:
    app.add_handler(
        FLOW.conversation(
            entry_points=[
                CommandHandler("report", start, filters=PRIVATE),
                CallbackQueryHandler(start, pattern=b.OpenReport.pattern),
            ],
            states={
                EXISTING: [
                    CallbackQueryHandler(FORM.again, pattern=b.ChangeReport.pattern),
                    CallbackQueryHandler(keep, pattern=b.KeepReport.pattern),
                ],
                ASK: FORM.handlers(),
                CONFIRM: [
                    CallbackQueryHandler(submit, pattern=b.SubmitReport.pattern),
                    CallbackQueryHandler(FORM.restart, pattern=b.RestartReport.pattern),
                ],
            },
        )
    )
