"""``/directive``, last step: the preview, the paid (urgent) option, and sending."""

from __future__ import annotations

from telegram import Message, Update

from bot.directives import buttons as b
from bot.directives.asking import answer_buttons
from bot.directives.drafting import (
    MAX_TEXT,
    DirectiveError,
    Draft,
    PaidQuote,
    Refusal,
)
from bot.directives.render import directive_text, local_when
from bot.kit.i18n import Html
from bot.org.authz import Action, PermissionDeniedError
from handlers.directives.compose.draft import (
    ERRORS,
    FLOW,
    PREVIEW,
    DirectiveDraft,
    author_zone,
    show,
)
from handlers.directives.compose.question import followups
from handlers.directives.compose.targets import back_to_targets
from handlers.kit.common import (
    MusterContext,
    Reply,
    actor_of,
    wake_delivery,
)
from storage.directives import Directive
from storage.models import DirectiveStatus

# Preview and send ----------------------------------------------------------------


def as_draft(draft: DirectiveDraft) -> Draft:
    return Draft(
        targets=tuple(draft.targets()),
        text=draft.text,
        attachment=draft.attached(),
        ack_required=draft.ack,
        ack_deadline=draft.deadline_time(),
        send_at=draft.send_time(),
        urgent=draft.urgent,
        question=draft.question(),
        follow_up=draft.follow_up(),
    )


async def show_preview(reply: Reply) -> int:
    context = reply.context
    services = context.services
    draft = as_draft(FLOW.state(context))
    actor = await actor_of(reply.update, context)
    origin = await services.directives.origin(actor, draft.targets)
    now = services.clock.now()
    zone = await author_zone(reply)
    sample = Directive(
        id=0, author_member_id=None, author_telegram_id=0, from_unit_id=origin.id,
        text=draft.text,
        attachment_kind=draft.attachment[0] if draft.attachment else None,
        attachment_file_id=None, attachment_name=None, ack_required=draft.ack_required,
        ack_deadline=draft.ack_deadline, send_at=draft.send_at or now,
        status=DirectiveStatus.SCHEDULED,
        recipients=0, progress_chat_id=None, progress_message_id=None, progress_text=None,
        reminded_at=None, escalated_at=None, created_at=now, finished_at=None,
        cancelled_at=None,
        question=draft.question.to_json() if draft.question else None,
    )  # fmt: skip
    body = directive_text(services.i18n, reply.language, sample, origin.name, zone, now)
    when = (
        local_when(services.i18n, reply.language, draft.send_at, zone, now)
        if draft.send_at
        else reply.t("directive-send-now")
    )
    attachment = ""
    if draft.attachment:
        kind, _, name = draft.attachment
        attachment = reply.t("directive-preview-attachment", kind=kind, name=name or "")
    if draft.question is not None:
        attachment = Html(attachment + followups(reply, draft.question))
    text = reply.t(
        "directive-preview",
        members=await services.directives.audience(actor, draft.targets, draft.follow_up),
        units=len(draft.targets),
        when=when,
        attachment=attachment,
        body=Html(body),
    )
    if (label := FLOW.state(context).follow_label()) is not None:
        text = Html(reply.t("directive-preview-follow-up", choice=label) + "\n" + text)
    # The choices as the member's buttons (laid out by answer_buttons), labels and order
    # alike; pressed here they only say so.
    rows = [[(label, _tried(data)) for label, data in row] for row in answer_buttons(sample)]
    rows.append([(reply.t("directive-send"), b.SendDirective().pack())])
    # Paid broadcasts: offered to whoever may pay, with the estimate once chosen.
    quote = None
    if services.directives.may_pay(actor):
        quote = await services.directives.paid_quote(actor, draft.targets)
    if quote is not None and draft.urgent:
        text = Html(text + "\n" + reply.t("directive-preview-paid", **_quoted(quote)))
        rows.append([(reply.t("directive-free-button"), b.Urgent(False).pack())])
    elif quote is not None:
        rows.append([(reply.t("directive-paid-button"), b.Urgent(True).pack())])
    rows.append(list(FLOW.controls(reply)))
    await show(reply, text, rows)
    return PREVIEW


def _tried(data: str) -> str:
    """A member's choice button, as the preview's (which records nothing)."""
    choice = b.AnswerChoice.parse(data)
    assert choice is not None
    return b.PreviewChoice(choice.choice).pack()


def _quoted(quote: PaidQuote) -> dict[str, int]:
    return {
        "stars": quote.estimate_stars,
        "cap": quote.cap_stars,
        "members": quote.members,
        "rate": quote.rate,
    }


async def choice_pressed(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("directive-preview-choice")
    return PREVIEW


async def urgent_chosen(update: Update, context: MusterContext) -> int:
    """⚡ Urgent (paid), or back to the free rate; a paid one estimated above the cap is
    refused (the preview stays as it was)."""
    reply = await Reply.to(update, context)
    draft = FLOW.state(context)
    if not reply.pressed(b.Urgent).paid:
        await reply.toast("")
        draft.urgent = False
        return await show_preview(reply)
    services = context.services
    actor = await actor_of(update, context)
    quote = await services.directives.paid_quote(actor, tuple(draft.targets()))
    if quote is None or not services.directives.may_pay(actor):
        await services.authz.refuse(actor, Action.PAID_BROADCAST, "paid directive")
        await reply.toast("access-denied")
        return PREVIEW
    await reply.toast("")
    if not quote.within_cap:
        await reply.send("directive-paid-over-cap", **_quoted(quote))
        return PREVIEW
    draft.urgent = True
    return await show_preview(reply)


async def send(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    services = context.services
    actor = await actor_of(update, context)
    try:
        directive = await services.directives.create(actor, as_draft(FLOW.state(context)))
    except PermissionDeniedError:
        await reply.edit("directive-not-allowed")
        return FLOW.end(context)
    except DirectiveError as exc:
        if exc.reason in (Refusal.PAID_OFF, Refusal.PAID_OVER_CAP):
            # Turned off, or the audience grew past the cap since the preview.
            draft = FLOW.state(context)
            draft.urgent = False
            quote = await services.directives.paid_quote(actor, tuple(draft.targets()))
            if quote is None:
                await reply.send("directive-paid-unavailable")
            else:
                await reply.send("directive-paid-over-cap", **_quoted(quote))
            return await show_preview(reply)
        await reply.send(ERRORS[exc.reason], limit=MAX_TEXT, length=0)
        return (
            await show_preview(reply)
            if exc.reason is not Refusal.NO_RECIPIENTS
            else await back_to_targets(reply)
        )
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    zone = await author_zone(reply)
    if directive.status is DirectiveStatus.SCHEDULED:
        when = local_when(
            services.i18n, reply.language, directive.send_at, zone, services.clock.now()
        )
        text = reply.t("directive-scheduled", when=when)
    else:
        text = reply.t("directive-progress", sent=0, total=directive.recipients, unreachable=0)
    await reply.edit_text(text)
    await services.directives.track_progress(
        directive.id, chat_id=query.message.chat.id, message_id=query.message.message_id, text=text
    )
    wake_delivery(context)
    return FLOW.end(context)
