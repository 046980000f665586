"""Joining: ``/start <token>`` from an invite link, and secretaries approving requests."""

from __future__ import annotations

import contextlib
import logging

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.org.authz import PermissionDeniedError
from bot.org.buttons import JoinDecision, LinkEntry
from bot.org.invites import DecisionStatus, JoinOutcome, JoinStatus
from bot.org.register import LinkStatus
from handlers.kit.common import (
    PRIVATE,
    Buttons,
    MusterApp,
    MusterContext,
    Reply,
    keyboard,
    person_of,
    role_label,
    wake_delivery,
)
from handlers.kit.menu import refresh_menu

log = logging.getLogger(__name__)

_REFUSALS = {
    JoinStatus.INVALID: "join-invalid",
    JoinStatus.EXPIRED: "join-expired",
    JoinStatus.USED_UP: "join-used-up",
    JoinStatus.REVOKED: "join-revoked",
    JoinStatus.INACTIVE: "join-inactive",
    JoinStatus.TAKEN: "join-taken",
}


# Decision → (what the deciding secretary's message becomes, what the person is told).
_DECIDED = {
    DecisionStatus.APPROVED: ("approval-approved", "join-approved"),
    DecisionStatus.REJECTED: ("approval-rejected", "join-rejected"),
    DecisionStatus.LINK_INVALID: ("approval-link-invalid", "join-link-invalid"),
    DecisionStatus.ELSEWHERE: ("approval-elsewhere", "join-already-elsewhere"),
    DecisionStatus.INACTIVE: ("approval-inactive", "join-inactive"),
}


async def start(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    args = context.args or []
    services = context.services
    if not args:
        profile = await services.membership.profile(person_of(update).telegram_id)
        if profile is None:
            await reply.send("start-how-to-join", org=services.settings.organisation.name)
        else:
            await reply.send("start-welcome-back", name=profile.member.display_name)
        return
    person = person_of(update)
    # A personal invite (member register) first, else a general one.
    outcome = await services.register.redeem(person, args[0])
    if outcome is None:
        outcome = await services.invites.redeem(person, args[0])
        if outcome.status is JoinStatus.JOINED:
            wake_delivery(context)  # the register's link offers, queued with the join
    if outcome.status is JoinStatus.TAKEN:
        await _tell_taken(context, outcome)
    if outcome.status in (JoinStatus.JOINED, JoinStatus.ROLE_ADDED, JoinStatus.ALREADY):
        # A newcomer is greeted in the language they just got.
        if outcome.member is not None:
            reply.language = outcome.member.language
        await refresh_menu(context, person_of(update).telegram_id)
    waiting = outcome.status in (JoinStatus.PENDING, JoinStatus.ALREADY_PENDING)
    if waiting and await _ask_approvers(context, outcome) == 0:
        # Nobody could be asked: say so rather than promise a decision.
        unit = outcome.unit.name if outcome.unit else ""
        await reply.send("join-pending-unreached", unit=unit)
        return
    await _answer_join(reply, outcome)


async def _answer_join(reply: Reply, outcome: JoinOutcome) -> None:
    unit = outcome.unit.name if outcome.unit else ""
    role = reply.role(outcome.role) if outcome.role else ""
    if outcome.status in _REFUSALS:
        await reply.send(_REFUSALS[outcome.status])
    elif outcome.status is JoinStatus.JOINED:
        await reply.send("join-welcome", unit=unit, role=role)
    elif outcome.status is JoinStatus.ROLE_ADDED:
        await reply.send("join-role-added", unit=unit, role=role)
    elif outcome.status is JoinStatus.ALREADY:
        await reply.send("join-already", unit=unit, role=role)
    elif outcome.status is JoinStatus.ALREADY_ELSEWHERE:
        await reply.send("join-already-elsewhere", unit=unit)
    elif outcome.status is JoinStatus.PENDING:
        await reply.send("join-pending", unit=unit)
    elif outcome.status is JoinStatus.ALREADY_PENDING:
        await reply.send("join-already-pending", unit=unit)


async def _tell_taken(context: MusterContext, outcome: JoinOutcome) -> None:
    """The unit's secretaries hear that someone else opened a personal invite already used."""
    unit = outcome.unit.name if outcome.unit else ""
    for approver in outcome.approvers:
        text = context.services.i18n.t(
            approver.language, "register-invite-taken", name=outcome.name, unit=unit
        )
        await _tell(context, approver.telegram_id, text, None, "taken personal invite")


async def _tell(
    context: MusterContext, chat_id: int, text: str, buttons: Buttons | None, what: str
) -> Message | None:
    """A message to one secretary; None (logged) when it could not be sent: one
    unreachable secretary must not stop the others from hearing about it."""
    try:
        return await context.bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(buttons) if buttons else None,
        )
    except TelegramError as exc:
        log.warning("%s not sent to %s: %s", what, chat_id, exc)
        return None


async def _ask_approvers(context: MusterContext, outcome: JoinOutcome) -> int:
    """Send each approver the request with Approve/Reject; return how many got it."""
    request, unit, role = outcome.request, outcome.unit, outcome.role
    assert request is not None and unit is not None and role is not None
    services = context.services
    i18n = services.i18n
    reached = 0
    for approver in outcome.approvers:
        lang = approver.language
        text = i18n.t(
            lang,
            "approval-request",
            name=request.display_name,
            username=f"@{request.username}" if request.username else "",
            unit=unit.name,
            role=role_label(i18n, lang, role),
        )
        buttons: Buttons = [
            [
                (i18n.plain(lang, "button-approve"), JoinDecision("a", request.id).pack()),
                (i18n.plain(lang, "button-reject"), JoinDecision("r", request.id).pack()),
            ]
        ]
        sent = await _tell(
            context, approver.telegram_id, text, buttons, f"approval request {request.id}"
        )
        if sent is None:
            continue
        reached += 1
        await services.invites.remember_request_message(
            request.id, approver.telegram_id, sent.message_id, lang
        )
    return reached


async def decide(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    pressed = reply.pressed(JoinDecision)
    services = context.services
    actor = await services.authz.actor(person_of(update).telegram_id)
    try:
        decision = await services.invites.decide(
            actor, pressed.request, approve=pressed.verb == "a"
        )
    except PermissionDeniedError:
        await reply.toast("access-denied")
        return
    if decision.status is DecisionStatus.UNKNOWN:
        await reply.toast("button-stale")
        await reply.edit_text(reply.t("button-stale"))
        return
    request, unit = decision.request, decision.unit
    assert request is not None and unit is not None and decision.role is not None
    if decision.status is DecisionStatus.ALREADY_DECIDED:
        await reply.toast("approval-already-decided")
        await reply.edit(
            "approval-already-decided-detail", name=request.display_name, unit=unit.name
        )
        return
    await reply.toast("")
    secretary_key, person_key = _DECIDED[decision.status]
    by = update.effective_user.full_name if update.effective_user else ""
    home = decision.home.name if decision.home else ""
    i18n = services.i18n
    # Every approver's copy shows the outcome; no live buttons are left behind.
    for chat_id, message_id, lang in await services.invites.request_messages(request.id):
        text = i18n.t(
            lang, secretary_key, name=request.display_name, unit=unit.name, by=by, home=home
        )
        with contextlib.suppress(TelegramError):  # deleted, or the approver blocked us
            await context.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML
            )
    lang = request.language
    role = role_label(i18n, lang, decision.role)
    try:
        await context.bot.send_message(
            request.telegram_id,
            i18n.t(lang, person_key, unit=home or unit.name, role=role),
            parse_mode=ParseMode.HTML,
        )
    except TelegramError as exc:
        log.warning("join decision not sent to %s: %s", request.telegram_id, exc)
    if decision.status is DecisionStatus.APPROVED:
        await refresh_menu(context, request.telegram_id)
        wake_delivery(context)  # the register's link offers, queued with the approval


_LINKED = {
    LinkStatus.LINKED: "register-link-linked",
    LinkStatus.DECLINED: "register-link-declined",
    LinkStatus.ALREADY: "register-link-already",
    LinkStatus.TAKEN: "register-link-taken",
    LinkStatus.MEMBER_LINKED: "register-link-member-linked",
    LinkStatus.GONE: "register-link-gone",
    LinkStatus.ANSWERED: "register-link-answered",
}


async def answer_link(update: Update, context: MusterContext) -> None:
    """Link / Not the same person: the offer's message becomes the outcome, so its
    buttons answer once."""
    reply = await Reply.to(update, context)
    pressed = reply.pressed(LinkEntry)
    actor = await context.services.authz.actor(person_of(update).telegram_id)
    try:
        done = await context.services.register.link(
            actor, pressed.entry, pressed.member, same=pressed.same
        )
    except PermissionDeniedError:
        await reply.toast("access-denied")
        return
    await reply.toast("")
    await reply.edit(
        _LINKED[done.status],
        member=done.member.display_name if done.member else "",
        name=done.entry.name if done.entry else "",
        holder=done.holder.display_name if done.holder else "",
        # Answered by an admin with no member row (or from the console): no name to give.
        anonymous="no" if done.holder else "yes",
    )


def register(app: MusterApp) -> None:
    app.add_handler(CommandHandler("start", start, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(decide, pattern=JoinDecision.pattern))
    app.add_handler(CallbackQueryHandler(answer_link, pattern=LinkEntry.pattern))
