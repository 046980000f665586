"""``/invite``: a secretary makes an invite link, step by step in one edited message;
``/invites``: the usable invites in their scope, with a revoke button each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.kit.durations import format_duration, parse_duration
from bot.kit.i18n import Html, format_date_iso, join_html
from bot.org import buttons as b
from bot.org.authz import INVITE_ACTIONS, Action, PermissionDeniedError, can
from bot.org.buttons import USES_CHOICES
from bot.org.invites import InviteError, invite_link
from bot.org.service import TreeLine, search_units
from handlers.kit.common import (
    PRIVATE,
    Buttons,
    MusterApp,
    MusterContext,
    Reply,
    actor_of,
    units_for,
    units_or_refuse,
)
from handlers.kit.flow import DraftFlow
from handlers.kit.pickers import unit_rows
from storage.models import Invite, Role, Unit

UNIT, ROLE, USES, EXPIRY, APPROVAL = range(5)
EXPIRY_CHOICES = ("1d", "7d", "30d")
SHOWN_INVITES = 10


@dataclass
class InviteDraft:
    unit: int | None = None
    page: int = 0  # of the unit list
    query: str | None = None  # what the unit list was searched for
    role: str | None = None  # a Role's value
    uses: int | None = None  # None: unlimited
    expiry: str | None = None  # one of EXPIRY_CHOICES ("7d")


FLOW = DraftFlow("invite", b.INVITE, "invite-cancelled", InviteDraft)


async def start(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    lines = await units_or_refuse(reply, Action.INVITE_MEMBER, "/invite", "invite-not-allowed")
    if not lines:
        return FLOW.end(context)
    draft = FLOW.fresh(context)
    if len(lines) == 1:
        draft.unit = lines[0].unit.id
        return await _ask_role(reply, context, new_message=True)
    return await _ask_unit(reply, context, lines, page=0, new_message=True)


async def _ask_unit(
    reply: Reply,
    context: MusterContext,
    lines: list[TreeLine],
    page: int,
    *,
    new_message: bool = False,
    query: str | None = None,
) -> int:
    rows: Buttons = [
        *unit_rows(
            lines,
            page,
            choose=b.InviteUnit,
            turn=b.InviteUnits,
            previous=reply.t("button-previous"),
            more=reply.t("button-more"),
        ),
        FLOW.controls(reply, back=False),
    ]
    key = "invite-choose-unit-search" if query else "invite-choose-unit"
    text = reply.t(key, count=len(lines), query=query or "")
    FLOW.state(context).page = page
    await reply.show_text(text, rows, new=new_message)
    return UNIT


async def unit_page(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    lines = await units_for(update, context, Action.INVITE_MEMBER)
    search = FLOW.state(context).query
    if search:
        lines = search_units(lines, search)
    return await _ask_unit(reply, context, lines, reply.pressed(b.InviteUnits).page, query=search)


async def unit_search(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    assert update.message is not None and update.message.text is not None
    text = update.message.text.strip()[:64]
    found = search_units(await units_for(update, context, Action.INVITE_MEMBER), text)
    if not found:
        await reply.send("invite-unit-not-found", query=text)
        return UNIT
    FLOW.state(context).query = text
    return await _ask_unit(reply, context, found, 0, new_message=True, query=text)


async def _unit_of(update: Update, context: MusterContext) -> Unit | None:
    """The drafted unit, if it still exists and the person may still invite to it (a
    refusal is audited)."""
    unit_id = FLOW.state(context).unit
    unit = await context.services.org.unit(unit_id) if unit_id else None
    if unit is None:
        return None
    actor = await actor_of(update, context)
    allowed = await context.services.authz.allows(actor, Action.INVITE_MEMBER, unit, "invite")
    return unit if allowed else None


async def unit_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    FLOW.state(context).unit = reply.pressed(b.InviteUnit).id
    if await _unit_of(update, context) is None:
        await reply.toast("access-denied")
        return UNIT
    await reply.toast("")
    return await _ask_role(reply, context)


async def _ask_role(reply: Reply, context: MusterContext, *, new_message: bool = False) -> int:
    update = reply.update
    unit = await _unit_of(update, context)
    if unit is None:
        await reply.send("invite-not-allowed")
        return FLOW.end(context)
    actor = await actor_of(update, context)
    roles = [role for role in Role if can(actor, INVITE_ACTIONS[role], unit)]
    rows: Buttons = [[(reply.role(role), b.InviteRole(role.value).pack())] for role in roles]
    rows = [*rows, FLOW.controls(reply)]
    await reply.show_text(reply.t("invite-choose-role", unit=unit.name), rows, new=new_message)
    return ROLE


async def role_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    FLOW.state(context).role = Role(reply.pressed(b.InviteRole).role).value
    return await _ask_uses(reply, context)


async def _ask_uses(reply: Reply, context: MusterContext) -> int:
    labels = {n: reply.t("invite-uses-n", n=n) for n in USES_CHOICES if n}
    labels[0] = reply.t("invite-uses-unlimited")
    rows: Buttons = [
        [(labels[n], b.InviteUses(n).pack()) for n in USES_CHOICES],
        FLOW.controls(reply),
    ]
    await reply.edit("invite-choose-uses", rows)
    return USES


async def uses_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    FLOW.state(context).uses = reply.pressed(b.InviteUses).uses or None
    return await _ask_expiry(reply, context)


def _expiry_choices(context: MusterContext) -> list[str]:
    limit = context.services.settings.invites.max_expiry
    return [c for c in EXPIRY_CHOICES if parse_duration(c) <= limit] or [format_duration(limit)]


async def _ask_expiry(reply: Reply, context: MusterContext) -> int:
    rows: Buttons = [
        [
            (reply.duration(parse_duration(c)), b.InviteExpiry(c).pack())
            for c in _expiry_choices(reply.context)
        ],
        FLOW.controls(reply),
    ]
    await reply.edit("invite-choose-expiry", rows)
    return EXPIRY


async def expiry_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    choice = reply.pressed(b.InviteExpiry).expiry
    if choice not in _expiry_choices(context):
        await reply.toast("button-stale")
        return EXPIRY
    await reply.toast("")
    FLOW.state(context).expiry = choice
    rows: Buttons = [
        [
            (reply.t("invite-approval-yes"), b.InviteApproval(True).pack()),
            (reply.t("invite-approval-no"), b.InviteApproval(False).pack()),
        ],
        FLOW.controls(reply),
    ]
    await reply.edit("invite-choose-approval", rows)
    return APPROVAL


async def approval_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    draft = FLOW.state(context)
    unit = await _unit_of(update, context)
    if unit is None or draft.role is None or draft.expiry is None:
        await reply.edit("invite-not-allowed")
        return FLOW.end(context)
    services = context.services
    try:
        created = await services.invites.create(
            await actor_of(update, context),
            unit,
            Role(draft.role),
            uses=draft.uses,
            expires_in=parse_duration(draft.expiry),
            approval=reply.pressed(b.InviteApproval).approval,
        )
    except PermissionDeniedError:
        await reply.edit("invite-not-allowed")
        return FLOW.end(context)
    except InviteError:
        await reply.edit("invite-failed")
        return FLOW.end(context)
    invite = created.invite
    await reply.edit(
        "invite-created",
        link=invite_link(context.bot.username, created.token),
        unit=unit.name,
        role=reply.role(invite.role),
        uses=invite.max_uses or 0,
        until=format_date_iso(invite.expires_at.astimezone(services.settings.zone)),
        approval=reply.t(
            "invite-approval-on" if invite.requires_approval else "invite-approval-off"
        ),
    )
    return FLOW.end(context)


async def _go_back(reply: Reply, context: MusterContext, step: int) -> int:
    draft = FLOW.state(context)
    if step == APPROVAL:
        draft.expiry = None
        return await _ask_expiry(reply, context)
    if step == EXPIRY:
        draft.uses = None
        return await _ask_uses(reply, context)
    if step == USES:
        draft.role = None
        return await _ask_role(reply, context)
    lines = await units_for(reply.update, context, Action.INVITE_MEMBER)
    draft.unit = draft.query = None
    return await _ask_unit(reply, context, lines, draft.page)


def _back_from(step: int) -> Any:
    async def handler(update: Update, context: MusterContext) -> int:
        reply = await Reply.to(update, context)
        await reply.toast("")
        return await _go_back(reply, context, step)

    return handler


# /invites ------------------------------------------------------------------


async def _render_list(reply: Reply, context: MusterContext) -> tuple[str, Buttons]:
    actor = await actor_of(reply.update, context)
    invites = await context.services.invites.active(actor)
    if not invites:
        return reply.t("invites-none"), []
    zone = context.services.settings.zone
    shown = invites[:SHOWN_INVITES]

    def line(pair: tuple[Invite, Unit]) -> Html:
        invite, unit = pair
        return reply.t(
            "invites-line",
            unit=unit.name,
            role=reply.role(invite.role),
            used=invite.uses,
            uses=invite.max_uses or 0,
            until=format_date_iso(invite.expires_at.astimezone(zone)),
        )

    lines = reply.fold(invites, line, count=SHOWN_INVITES)
    text: str = reply.t("invites-list", count=len(invites), lines=join_html("\n", lines))
    rows: Buttons = [
        [
            (
                reply.label("invites-revoke-button", unit=unit.name, role=reply.role(invite.role)),
                b.RevokeInvite(invite.id).pack(),
            )
        ]
        for invite, unit in shown
    ]
    return text, rows


async def list_invites(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    actor = await actor_of(update, context)
    if not actor.is_admin and Role.SECRETARY not in actor.roles:
        await context.services.authz.refuse(actor, Action.REVOKE_INVITE, "/invites")
        await reply.send("invite-not-allowed")
        return
    text, rows = await _render_list(reply, context)
    await reply.send_text(text, rows)


async def revoke(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    actor = await actor_of(update, context)
    try:
        await context.services.invites.revoke(actor, reply.pressed(b.RevokeInvite).invite)
    except PermissionDeniedError:
        await reply.toast("access-denied")
        return
    except InviteError:
        await reply.toast("button-stale")
    else:
        await reply.toast("invites-revoked")
    text, rows = await _render_list(reply, context)
    await reply.edit_text(text, rows)


def register(app: MusterApp) -> None:
    back = FLOW.back.pattern
    app.add_handler(
        FLOW.conversation(
            entry_points=[CommandHandler("invite", start, filters=PRIVATE)],
            states={
                UNIT: [
                    CallbackQueryHandler(unit_chosen, pattern=b.InviteUnit.pattern),
                    CallbackQueryHandler(unit_page, pattern=b.InviteUnits.pattern),
                    MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, unit_search),
                ],
                ROLE: [
                    CallbackQueryHandler(role_chosen, pattern=b.InviteRole.pattern),
                    CallbackQueryHandler(_back_from(ROLE), pattern=back),
                ],
                USES: [
                    CallbackQueryHandler(uses_chosen, pattern=b.InviteUses.pattern),
                    CallbackQueryHandler(_back_from(USES), pattern=back),
                ],
                EXPIRY: [
                    CallbackQueryHandler(expiry_chosen, pattern=b.InviteExpiry.pattern),
                    CallbackQueryHandler(_back_from(EXPIRY), pattern=back),
                ],
                APPROVAL: [
                    CallbackQueryHandler(approval_chosen, pattern=b.InviteApproval.pattern),
                    CallbackQueryHandler(_back_from(APPROVAL), pattern=back),
                ],
            },
        )
    )
    app.add_handler(CommandHandler("invites", list_invites, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(revoke, pattern=b.RevokeInvite.pattern))
