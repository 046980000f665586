"""``/summary [YYYY-MM-DD] [UNIT]``: a committee's summary on demand, for coordinators and
secretaries within their scope (admins anywhere). The numbers and wording are the ones
the scheduled summary uses (``bot/services/summaries.py``, ``bot/summary_render.py``)."""

from __future__ import annotations

from datetime import date

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.services.authz import PermissionDeniedError
from bot.services.summaries import SummaryError
from bot.summary_render import SummaryText
from handlers.common import PRIVATE, MusterApp, MusterContext, Reply, actor_of, command_args
from storage.models import Role, Unit

PICK_LIMIT = 20  # scope units offered as buttons when the unit is not named


async def summary(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    services = context.services
    day: date | None = None
    code: str | None = None
    for arg in command_args(context)[:2]:
        if arg[:1].isdigit():
            try:
                day = date.fromisoformat(arg)
            except ValueError:
                await reply.send("summary-bad-date", text=arg)
                return
        else:
            code = arg
    actor = await actor_of(update, context)
    if code is not None:
        unit = await services.storage.units.by_code(code)
        if unit is None:
            await reply.send("summary-unknown-unit", code=code)
            return
        await _show(reply, unit, day)
        return
    scopes = actor.scopes(Role.COORDINATOR, Role.SECRETARY)
    if actor.is_admin and not scopes:
        scopes = await services.storage.units.children(None)
    if not scopes:
        await reply.send("summary-not-allowed")
        return
    if len(scopes) == 1:
        await _show(reply, scopes[0], day)
        return
    when = day.isoformat() if day else "-"
    rows = [[(u.name, f"sm:{u.id}:{when}")] for u in scopes[:PICK_LIMIT]]
    await reply.send("summary-pick", rows)


async def picked(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    query = update.callback_query
    assert query is not None and query.data is not None
    _, unit_id, when = query.data.split(":")
    unit = await context.services.storage.units.get(int(unit_id))
    if unit is None:
        await reply.toast("button-stale")
        return
    await reply.toast("")
    await _show(reply, unit, None if when == "-" else date.fromisoformat(when))


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
    await reply.send_text(SummaryText(services.i18n, reply.language).daily(found))


def register(app: MusterApp) -> None:
    app.add_handler(CommandHandler("summary", summary, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(picked, pattern=r"^sm:\d{1,12}:(-|\d{4}-\d{2}-\d{2})$"))
