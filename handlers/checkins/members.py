"""``/members [YYYY-MM-DD]``: check-in status of the units in one's scope for a day —
counts per unit, worst first, and who is missing."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.checkins.service import CheckinError
from bot.kit.days import iso_day
from bot.kit.i18n import Html, format_day, join_html
from bot.org.authz import PermissionDeniedError
from handlers.kit.common import PRIVATE, MusterApp, MusterContext, Reply, actor_of, command_args
from storage.checkins import Missing, UnitDay
from storage.models import Unit

SHOWN_UNITS = 10
SHOWN_NAMES = 10


async def members(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    checkins = context.services.checkins
    args = command_args(context)
    day = checkins.window(None).day
    if args:
        typed = iso_day(args[0])
        if typed is None:
            await reply.send("members-bad-date")
            return
        day = typed
    try:
        status = await checkins.day_status(await actor_of(update, context), day)
    except PermissionDeniedError:
        await reply.send("members-not-allowed")
        return
    except CheckinError:
        await reply.send("members-future")
        return
    if not status:
        await reply.send("members-none", day=format_day(day, reply.language))
        return

    def line(entry: tuple[Unit, UnitDay, list[Missing]]) -> Html:
        unit, tally, missing = entry
        names = reply.context.services.i18n.names(
            reply.language, missing, lambda m: m.display_name, count=SHOWN_NAMES
        )
        return reply.t(
            "members-unit",
            unit=unit.name,
            checked=tally.checked_in,
            total=tally.members,
            excused=tally.excused,
            leave=tally.on_leave,
            missing=len(missing),
            names=names,
        )

    lines = reply.fold(status, line, count=SHOWN_UNITS)
    await reply.send(
        "members-status", day=format_day(day, reply.language), lines=join_html("\n", lines)
    )


def register(app: MusterApp) -> None:
    app.add_handler(CommandHandler("members", members, filters=PRIVATE))
