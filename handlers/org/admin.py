"""Admin commands in chat, the same as the CLI's: roles, moves, deactivation.

``/grant @user secretary CODE`` · ``/ungrant @user coordinator CODE`` · ``/move @user CODE``
· ``/deactivate @user`` · ``/reactivate @user``. A member may be named by @username or
Telegram id.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from telegram import Update
from telegram.ext import CommandHandler

from bot.org.authz import PermissionDeniedError
from bot.org.membership import MembershipError
from handlers.kit.common import PRIVATE, MusterApp, MusterContext, Reply, actor_of, command_args
from handlers.kit.menu import refresh_menu
from storage.models import Member, Role

_ROLE_WORDS = {"secretary": Role.SECRETARY, "coordinator": Role.COORDINATOR}
_ERRORS = {
    "unknown_unit": "admin-unknown-unit",
    "already_has_role": "admin-already-has-role",
    "has_no_role": "admin-has-no-role",
    "already_there": "admin-already-there",
    "already_active": "admin-already-active",
    "already_inactive": "admin-already-inactive",
    "bad_role": "admin-usage-grant",
}


T = TypeVar("T")


async def _attempt(reply: Reply, action: Awaitable[T], *, code: str, name: str) -> T | None:
    """Run a membership change; answer a refusal in the admin's language instead."""
    try:
        return await action
    except MembershipError as exc:
        await reply.send(_ERRORS[exc.reason], code=code, name=name)
    except PermissionDeniedError:
        await reply.send("access-denied")
    return None


async def _target(reply: Reply, context: MusterContext, who: str) -> Member | None:
    try:
        member = await context.services.membership.find(who)
    except MembershipError:
        await reply.send("admin-ambiguous-member", who=who)
        return None
    if member is None:
        await reply.send("admin-unknown-member", who=who)
    return member


async def _guard(reply: Reply, update: Update, context: MusterContext) -> bool:
    """Refuse non-admins before parsing anything (the service checks again)."""
    actor = await actor_of(update, context)
    if actor.is_admin:
        return True
    await context.services.authz.audit(
        actor, f"command_{_command(update)}", None, "not an admin", outcome="denied"
    )
    await reply.send("admin-only")
    return False


def _command(update: Update) -> str:
    text = update.effective_message.text if update.effective_message else ""
    return (text or "/").split()[0].lstrip("/").split("@")[0]


async def _role_change(update: Update, context: MusterContext, *, grant: bool) -> None:
    reply = await Reply.to(update, context)
    if not await _guard(reply, update, context):
        return
    args = command_args(context)
    usage = "admin-usage-grant" if grant else "admin-usage-ungrant"
    if len(args) != 3 or args[1].lower() not in _ROLE_WORDS:
        await reply.send(usage)
        return
    member = await _target(reply, context, args[0])
    if member is None:
        return
    role = _ROLE_WORDS[args[1].lower()]
    service = context.services.membership
    actor = await actor_of(update, context)
    change = service.grant if grant else service.revoke
    unit = await _attempt(
        reply, change(actor, member, args[2], role), code=args[2], name=member.display_name
    )
    if unit is None:
        return
    key = "admin-granted" if grant else "admin-ungranted"
    await reply.send(key, name=member.display_name, role=reply.role(role), unit=unit.name)
    if member.telegram_id is not None:
        await refresh_menu(context, member.telegram_id)


async def grant(update: Update, context: MusterContext) -> None:
    await _role_change(update, context, grant=True)


async def ungrant(update: Update, context: MusterContext) -> None:
    await _role_change(update, context, grant=False)


async def move(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    if not await _guard(reply, update, context):
        return
    args = command_args(context)
    if len(args) != 2:
        await reply.send("admin-usage-move")
        return
    member = await _target(reply, context, args[0])
    if member is None:
        return
    actor = await actor_of(update, context)
    unit = await _attempt(
        reply,
        context.services.membership.move(actor, member, args[1]),
        code=args[1],
        name=member.display_name,
    )
    if unit is None:
        return
    await reply.send("admin-moved", name=member.display_name, unit=unit.name)


async def _set_active(update: Update, context: MusterContext, *, active: bool) -> None:
    reply = await Reply.to(update, context)
    if not await _guard(reply, update, context):
        return
    args = command_args(context)
    if len(args) != 1:
        await reply.send("admin-usage-reactivate" if active else "admin-usage-deactivate")
        return
    member = await _target(reply, context, args[0])
    if member is None:
        return
    actor = await actor_of(update, context)
    change = context.services.membership.set_active(actor, member, active)
    if await _attempt(reply, change, code="", name=member.display_name) is None:
        return
    key = "admin-reactivated" if active else "admin-deactivated"
    await reply.send(key, name=member.display_name)
    if member.telegram_id is not None:
        await refresh_menu(context, member.telegram_id)


async def deactivate(update: Update, context: MusterContext) -> None:
    await _set_active(update, context, active=False)


async def reactivate(update: Update, context: MusterContext) -> None:
    await _set_active(update, context, active=True)


def register(app: MusterApp) -> None:
    for name, callback in (
        ("grant", grant),
        ("ungrant", ungrant),
        ("move", move),
        ("deactivate", deactivate),
        ("reactivate", reactivate),
    ):
        app.add_handler(CommandHandler(name, callback, filters=PRIVATE))
