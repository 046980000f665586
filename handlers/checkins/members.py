"""``/members [YYYY-MM-DD]``: check-in status of the units in one's scope for a day —
counts per unit, worst first, and who is missing; today, for a secretary, "📞 Name"
buttons to record a check-in by phone (``handlers/checkins/phone.py``), and what was
recorded so."""

from __future__ import annotations

from datetime import date

from telegram import Update
from telegram.ext import CommandHandler

from bot.checkins.onbehalf import phone_rows
from bot.checkins.service import CheckinError
from bot.kit.days import iso_day
from bot.kit.i18n import Html, format_day, join_html
from bot.kit.reach import reached_word
from bot.org.authz import Actor, PermissionDeniedError
from bot.org.reach import Reach, ReachView, figures
from bot.org.register import RegisterLine
from handlers.kit.common import PRIVATE, MusterApp, MusterContext, Reply, actor_of, command_args
from storage.checkins import Missing, UnitDay
from storage.models import Unit
from storage.reach import How, MemberReach

SHOWN_UNITS = 10
SHOWN_NAMES = 10
SHOWN_CALLS = 20  # not joined, to call: the rest are in `muster member list --not-joined`


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
    actor = await actor_of(update, context)
    if not status:
        await reply.send("members-none", day=format_day(day, reply.language))
    else:
        await _status(reply, actor, status, day)
    await _reach(reply, await context.services.reach.for_viewer(actor))


async def _status(
    reply: Reply, actor: Actor, status: list[tuple[Unit, UnitDay, list[Missing]]], day: date
) -> None:
    services = reply.context.services
    phoned = await services.checkin_phone.of_day([unit.id for unit, _, _ in status], day)

    def missing_name(m: Missing) -> str:
        record = phoned.unreached.get(m.member_id)
        if record is None:
            return m.display_name
        note = MemberReach(How.UNREACHED, note=record.reason)
        return reply.t("members-unreached", name=m.display_name, note=_how(reply, note))

    def line(entry: tuple[Unit, UnitDay, list[Missing]]) -> Html:
        unit, tally, missing = entry
        names = services.i18n.names(reply.language, missing, missing_name, count=SHOWN_NAMES)
        text = reply.t(
            "members-unit",
            unit=unit.name,
            checked=tally.checked_in,
            total=tally.members,
            excused=tally.excused,
            leave=tally.on_leave,
            missing=len(missing),
            names=names,
        )
        by_phone = phoned.checked.get(unit.id)
        if not by_phone:
            return text
        shown = services.i18n.names(
            reply.language,
            by_phone,
            lambda r: reply.t(
                "members-phone-name", name=r.name, how=_how(reply, MemberReach(How.PHONE, r.by))
            ),
            count=SHOWN_NAMES,
        )
        return join_html("\n", [text, reply.t("members-phone", names=shown)])

    lines = reply.fold(status, line, count=SHOWN_UNITS)
    # "📞 Name" for the first missing of each unit the viewer records for, today only.
    listed = services.checkin_phone.callable(actor, status[:SHOWN_UNITS], day)
    rows = phone_rows(services.i18n, reply.language, listed, day)
    await reply.send(
        "members-status",
        rows or None,
        day=format_day(day, reply.language),
        lines=join_html("\n", lines),
    )


def _how(reply: Reply, reach: MemberReach) -> str:
    return reached_word(reply.context.services.i18n, reply.language, reach)


async def _reach(reply: Reply, view: ReachView) -> None:
    """A second message: reach as it stands (not on the day asked for), each top unit's
    subtree, then its units' own people, fewest joined first; for a secretary, who has
    not joined yet with their phone number, to call."""
    if not any(view.reach.total_of(root).expected for root in view.roots):
        return
    parts: list[str] = [
        reply.t(
            "members-reach-root",
            unit=root.name,
            figures=reply.t("reach-figures", **figures(view.reach.total_of(root))),
        )
        for root in view.roots
    ]
    shown = [u for u in view.units if view.reach.own_of(u).expected and u not in view.roots]
    shown.sort(key=lambda u: (_joined_share(view.reach.own_of(u)), u.name))
    parts.extend(
        reply.fold(
            shown,
            lambda u: reply.t(
                "members-reach-unit",
                unit=u.name,
                figures=reply.t("reach-short", **figures(view.reach.own_of(u))),
            ),
            count=SHOWN_UNITS,
        )
    )
    if view.to_call:
        parts.append(reply.t("members-to-call"))
        parts.extend(reply.fold(view.to_call, lambda line: _callee(reply, line), count=SHOWN_CALLS))
    await reply.send("members-reach", lines=join_html("\n", parts))


def _joined_share(reach: Reach) -> float:
    return reach.joined / reach.expected if reach.expected else 1.0


def _callee(reply: Reply, line: RegisterLine) -> Html:
    entry = line.entry
    if entry.phone:
        return reply.t(
            "members-to-call-phone", name=entry.name, unit=line.unit.name, phone=entry.phone
        )
    return reply.t("members-to-call-no-phone", name=entry.name, unit=line.unit.name)


def register(app: MusterApp) -> None:
    app.add_handler(CommandHandler("members", members, filters=PRIVATE))
