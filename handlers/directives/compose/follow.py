"""``/directive`` entered from a question's detail in ``/directives``: a follow-up to those
who chose one answer ("Those who can come: meet at the square at 05:45"). The targets are
the unit the viewer looked at; the rest of the flow (text, acknowledgement, deadline,
preview, send) is the ordinary one, and the directive service sends it like any other."""

from __future__ import annotations

from telegram import Update

from bot.directives import buttons as b
from bot.directives.drafting import MAX_TEXT, TargetMode
from bot.org.authz import PermissionDeniedError
from handlers.directives.compose.draft import FLOW, TEXT
from handlers.kit.common import MusterContext, Reply, actor_of


async def follow_up(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    pressed = reply.pressed(b.MessageChosen)
    actor = await actor_of(update, context)
    try:
        chosen = await context.services.answers.chosen(
            actor, pressed.directive, pressed.choice, pressed.unit
        )
    except PermissionDeniedError:
        await reply.toast("access-denied")
        return FLOW.end(context)
    except LookupError:
        await reply.toast("follow-up-stale")
        return FLOW.end(context)
    names = {"choice": chosen.choice.label, "unit": chosen.unit.name}
    if chosen.members == 0:
        await reply.toast("follow-up-nobody", **names)
        return FLOW.end(context)
    await reply.toast("")
    draft = FLOW.fresh(context)
    draft.sel = {str(chosen.unit.id): TargetMode.ALL}
    draft.follow = [pressed.directive, pressed.choice, chosen.choice.label]
    # A new message: the detail it came from stays as it was, to come back to.
    text = reply.t("follow-up-start", count=chosen.members, **names)
    ask = reply.t("directive-ask-text", limit=MAX_TEXT)
    sent = await reply.send_text(f"{text}\n\n{ask}", [FLOW.controls(reply)])
    draft.msg = sent.message_id
    return TEXT
