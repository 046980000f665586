"""``/directive``, step 1: the target units, ticked page by page or found by name."""

from __future__ import annotations

from telegram import Update

from bot.directives import buttons as b
from bot.directives.drafting import TargetMode
from bot.org.authz import Action
from bot.org.service import TreeLine, search_units
from handlers.directives.compose.draft import (
    FLOW,
    MARK,
    TARGETS,
    ask_text,
    included_by,
    show,
)
from handlers.kit.common import (
    Buttons,
    MusterContext,
    Reply,
    actor_of,
    units_for,
    units_or_refuse,
)
from handlers.kit.pickers import paged

# Targets -----------------------------------------------------------------------


async def start(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    lines = await units_or_refuse(
        reply, Action.SEND_DIRECTIVE, "/directive", "directive-not-allowed"
    )
    if not lines:
        return FLOW.end(context)
    draft = FLOW.fresh(context)
    sent = await reply.send_text(*await targets_step(reply, lines))
    draft.msg = sent.message_id
    return TARGETS


async def targets_step(reply: Reply, lines: list[TreeLine]) -> tuple[str, Buttons]:
    draft = FLOW.state(reply.context)
    selected = draft.sel
    query = draft.query
    shown = search_units(lines, query) if query else lines
    units = {line.unit.id: line.unit for line in lines}

    def button(line: TreeLine) -> tuple[str, str]:
        mode = selected.get(str(line.unit.id))
        mark = "☐" if mode is None else MARK[mode]
        if included_by(line.unit, units, selected) is not None:
            mark = MARK[TargetMode.ALL]
        return f"{mark} {line.unit.name} ({line.total_members})", b.ToggleTarget(
            line.unit.id
        ).pack()

    rows = paged(
        shown,
        draft.page,
        button=button,
        turn=b.TargetPage,
        previous=reply.t("button-previous"),
        more=reply.t("button-more"),
    )
    rows.append(
        [(reply.t("button-continue"), b.TargetsDone().pack()), *FLOW.controls(reply, back=False)]
    )
    actor = await actor_of(reply.update, reply.context)
    members = await reply.context.services.directives.audience(actor, draft.targets())
    text: str = reply.t("directive-targets", units=len(selected), members=members)
    # Unit labels count every member; the author, if among them, does not receive it.
    home = units.get(actor.member.unit_id) if actor.member else None
    if home is not None and (
        str(home.id) in selected or included_by(home, units, selected) is not None
    ):
        text += reply.t("directive-targets-without-you")
    if query:
        text += "\n" + reply.t("directive-targets-matching", query=query, found=len(shown))
    return text, rows


async def toggle(update: Update, context: MusterContext) -> int:
    """☐ → ☑ (with everything below) → ◉ (this unit alone, if it has units below) → ☐."""
    reply = await Reply.to(update, context)
    lines = await units_for(update, context, Action.SEND_DIRECTIVE)
    unit_id = reply.pressed(b.ToggleTarget).unit
    line = next((line for line in lines if line.unit.id == unit_id), None)
    if line is None:
        await context.services.authz.refuse(
            await actor_of(update, context), Action.SEND_DIRECTIVE, f"directive to unit {unit_id}"
        )
        await reply.toast("access-denied")
        return TARGETS
    selected = FLOW.state(context).sel
    above = included_by(line.unit, {other.unit.id: other.unit for other in lines}, selected)
    if above is not None:
        await reply.toast("directive-unit-included", unit=above.name)
        return TARGETS
    await reply.toast("")
    has_children = any(other.unit.parent_id == unit_id for other in lines)
    state = selected.get(str(unit_id))
    if state is None:
        selected[str(unit_id)] = TargetMode.ALL
    elif state is TargetMode.ALL and has_children:
        selected[str(unit_id)] = TargetMode.ONE
    else:
        selected.pop(str(unit_id))
    await reply.edit_text(*await targets_step(reply, lines))
    return TARGETS


async def turn_page(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    FLOW.state(context).page = reply.pressed(b.TargetPage).page
    await reply.edit_text(
        *await targets_step(reply, await units_for(update, context, Action.SEND_DIRECTIVE))
    )
    return TARGETS


async def search(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    assert update.message is not None and update.message.text is not None
    draft = FLOW.state(context)
    text = update.message.text.strip()[:64]
    lines = await units_for(update, context, Action.SEND_DIRECTIVE)
    if not search_units(lines, text):
        await reply.send("invite-unit-not-found", query=text)
        return TARGETS
    draft.query, draft.page = text, 0
    await show(reply, *await targets_step(reply, lines))
    return TARGETS


async def targets_done(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    draft = FLOW.state(context)
    if not draft.sel:
        await reply.toast("directive-choose-a-unit")
        return TARGETS
    actor = await actor_of(update, context)
    if await context.services.directives.audience(actor, draft.targets()) == 0:
        await reply.toast("directive-no-recipients")
        return TARGETS
    await reply.toast("")
    return await ask_text(reply)


async def back_to_targets(reply: Reply) -> int:
    await show(
        reply,
        *await targets_step(
            reply, await units_for(reply.update, reply.context, Action.SEND_DIRECTIVE)
        ),
    )
    return TARGETS
