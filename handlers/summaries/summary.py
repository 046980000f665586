"""``/summary [YYYY-MM-DD] [UNIT]``: a committee's summary on demand, for coordinators and
secretaries within their scope (admins anywhere). The numbers and wording are the ones
the scheduled summary uses (``bot/summaries/service.py``, ``bot/summaries/render.py``)."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.config import FeatureName
from bot.kit.days import iso_day
from bot.kit.i18n import Html, join_list
from bot.org.authz import Action, Actor, PermissionDeniedError
from bot.summaries.buttons import ShowSummary
from bot.summaries.charts import day_chart
from bot.summaries.files import export_workbook, workbook
from bot.summaries.render import SummaryText
from bot.summaries.service import Summary, SummaryError
from handlers.kit.common import (
    PRIVATE,
    MusterApp,
    MusterContext,
    Reply,
    actor_of,
    command_args,
    say,
)
from storage.models import Role, Unit

PICK_LIMIT = 20  # scope units offered as buttons when the unit is not named
log = logging.getLogger(__name__)


async def summary(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    parsed = await _arguments(reply, 2)
    if parsed is None:
        return
    days, code = parsed
    day = days[0] if days else None
    actor = await actor_of(update, context)
    if code is None:
        scopes = await _scopes(reply, actor)
        if len(scopes) > 1:
            rows = [[(u.name, ShowSummary(u.id, day).pack())] for u in scopes[:PICK_LIMIT]]
            await reply.send("summary-pick", rows)
            return
    unit = await _unit_for(reply, actor, code)
    if unit is not None:
        await _show(reply, unit, day)


async def _arguments(reply: Reply, most: int) -> tuple[list[date], str | None] | None:
    """Dates (``YYYY-MM-DD``) and a unit code, in any order; None once a bad date was
    answered."""
    days: list[date] = []
    code = None
    for arg in command_args(reply.context)[:most]:
        if not arg[:1].isdigit():
            code = arg
            continue
        day = iso_day(arg)
        if day is None:
            await reply.send("summary-bad-date", text=arg)
            return None
        days.append(day)
    return days, code


async def _scopes(reply: Reply, actor: Actor) -> list[Unit]:
    scopes = actor.scopes(Role.COORDINATOR, Role.SECRETARY)
    if actor.is_admin and not scopes:
        scopes = await reply.context.services.org.top_units()
    return scopes


async def _unit_for(reply: Reply, actor: Actor, code: str | None) -> Unit | None:
    """The unit named, else the asker's only committee; None (and why, said) otherwise."""
    if code is not None:
        unit = await reply.context.services.org.unit_by_code(code)
        if unit is None:
            await reply.send("summary-unknown-unit", code=code)
        return unit
    scopes = await _scopes(reply, actor)
    if not scopes:
        await reply.context.services.authz.refuse(actor, Action.VIEW_UNIT, "summary")
        await reply.send("summary-not-allowed")
        return None
    if len(scopes) > 1:
        await reply.send(
            "export-which", codes=join_list(reply.language, [u.code for u in scopes[:PICK_LIMIT]])
        )
        return None
    return scopes[0]


async def picked(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    query = update.callback_query
    pressed = ShowSummary.parse(query.data if query else None)  # None: a forged day
    unit = await context.services.org.unit(pressed.unit) if pressed else None
    if unit is None or pressed is None:  # gone, or forged
        await reply.toast("button-stale")
        return
    await reply.toast("")
    await _show(reply, unit, pressed.day)


async def _show(reply: Reply, unit: Unit, day: date | None) -> None:
    services = reply.context.services
    actor = await actor_of(reply.update, reply.context)
    try:
        found = await services.summaries.for_viewer(
            actor, unit, day or services.summaries.today(unit)
        )
    except PermissionDeniedError:
        await reply.send("summary-not-allowed")
        return
    except SummaryError:
        await reply.send("summary-future")
        return
    found = await services.summaries.with_reach(found)
    organisation = services.settings.organisation
    text = SummaryText(
        services.i18n, reply.language, duty=organisation.uses(FeatureName.DUTY)
    ).daily(found)
    if found.empty:
        await reply.send_text(text)
        return
    await send_with_attachments(reply, found, text)


async def send_with_attachments(reply: Reply, found: Summary, text: Html) -> None:
    """As the scheduled summary comes: the chart, the text, the workbook. If making the
    chart or the workbook fails, the text goes out all the same and the person is told,
    after it, which part is missing."""
    services = reply.context.services
    chat = reply.update.effective_chat
    assert chat is not None
    name = f"{found.committee.code}-{found.day.isoformat()}"
    drawn = True
    try:
        png = await asyncio.to_thread(day_chart, found, services.i18n, reply.language)
        await reply.context.bot.send_photo(chat.id, png, filename=f"{name}.png")
    except Exception:  # a chart is a convenience: never let it cost the rest
        log.exception("summary chart for %s failed", name)
        drawn = False
    await reply.send_text(text)
    if not drawn:
        await reply.send("summary-chart-failed")
    try:
        parts = await services.summaries.book_parts(found)
        book = await asyncio.to_thread(workbook, found, parts, services.i18n, reply.language)
        await reply.context.bot.send_document(chat.id, book, filename=f"{name}.xlsx")
    except Exception:
        log.exception("summary workbook for %s failed", name)
        await reply.send("summary-book-failed")


async def export(update: Update, context: MusterContext) -> None:
    """``/export FROM TO [UNIT]``: an XLSX of the days between, both included."""
    reply = await Reply.to(update, context)
    services = context.services
    parsed = await _arguments(reply, 3)
    if parsed is None:
        return
    days, code = parsed
    if len(days) != 2:
        await reply.send("export-usage")
        return
    actor = await actor_of(update, context)
    unit = await _unit_for(reply, actor, code)
    if unit is None:
        return
    try:
        found = await services.summaries.export(actor, unit, days[0], days[1])
    except PermissionDeniedError:
        await reply.send("summary-not-allowed")
        return
    except SummaryError as exc:
        await reply.send("summary-future" if exc.reason == "future_day" else "export-backwards")
        return
    if found.capped:
        await reply.send(
            "export-capped",
            days=services.settings.summaries.max_export_days,
            first=found.first.isoformat(),
            last=found.last.isoformat(),
        )
    book = await asyncio.to_thread(export_workbook, found, services.i18n, reply.language)
    chat = update.effective_chat
    assert chat is not None
    name = f"{unit.code}-{found.first.isoformat()}-{found.last.isoformat()}.xlsx"
    await context.bot.send_document(chat.id, book, filename=name)


async def group_chat(update: Update, context: MusterContext) -> None:
    """``/summaries_here CODE`` or ``/summaries_stop CODE`` in a group: the committee's
    summaries go to this group too, or no longer. Answered in the group."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None and message.text is not None
    reply = await Reply.to(update, context)
    on = message.text.split()[0].split("@")[0] == "/summaries_here"
    args = command_args(context)
    if len(args) != 1:
        await reply.send("summary-chat-usage")
        return
    unit = await context.services.org.unit_by_code(args[0])
    if unit is None:
        await reply.send("summary-unknown-unit", code=args[0])
        return
    actor = await actor_of(update, context)
    try:
        changed = await context.services.summaries.register_chat(actor, unit, chat.id, on)
    except PermissionDeniedError:
        await reply.send("summary-chat-not-allowed", unit=unit.name)
        return
    if on:
        await reply.send("summary-chat-on" if changed else "summary-chat-already", unit=unit.name)
    else:
        await reply.send("summary-chat-off" if changed else "summary-chat-not-on", unit=unit.name)


def register(app: MusterApp) -> None:
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    app.add_handler(
        CommandHandler(["summaries_here", "summaries_stop"], group_chat, filters=groups)
    )
    # In a private chat they would meet "I don't know that command": say where they work.
    app.add_handler(
        CommandHandler(
            ["summaries_here", "summaries_stop"], say("summary-chat-in-group"), filters=PRIVATE
        )
    )
    app.add_handler(CommandHandler("summary", summary, filters=PRIVATE))
    app.add_handler(CommandHandler("export", export, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(picked, pattern=ShowSummary.pattern))
