"""``/directive``, step 2: the text, and one photo or document."""

from __future__ import annotations

from telegram import Update

from bot.directives.drafting import (
    MAX_TEXT,
    DirectiveError,
    check_text,
)
from handlers.directives.compose.draft import (
    ERRORS,
    FLOW,
    TEXT,
    ask_ack,
    ask_text,
)
from handlers.kit.common import (
    MusterContext,
    Reply,
)
from storage.models import AttachmentKind

# Text and attachment -------------------------------------------------------------


async def text_received(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    message = update.message
    assert message is not None
    return await _take_text(reply, message.text_html or "")


async def _take_text(reply: Reply, html: str) -> int:
    try:
        text = check_text(html)
    except DirectiveError as exc:
        await reply.send(ERRORS[exc.reason], limit=MAX_TEXT, length=len(html.strip()))
        return TEXT
    FLOW.state(reply.context).text = text
    return await ask_ack(reply)


async def attachment_received(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    message = update.message
    assert message is not None
    draft = FLOW.state(context)
    if message.photo:
        draft.attachment = [AttachmentKind.PHOTO, message.photo[-1].file_id, None]
    elif message.document:
        draft.attachment = [
            AttachmentKind.DOCUMENT,
            message.document.file_id,
            message.document.file_name,
        ]
    if message.caption:
        return await _take_text(reply, message.caption_html or "")
    if draft.text:
        return await ask_ack(reply)
    return await ask_text(reply)


async def unsupported(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.send("directive-unsupported-attachment")
    return TEXT
