"""``/directive``: a secretary composes a directive step by step — targets, text (and one
photo or document), acknowledgement and deadline, send time — previews it and sends it.

Button steps edit one message; after something typed, the next step comes as a new
message and the old keyboard is removed. One module per step (``targets``, ``text``,
``timing``, ``preview``), their draft and questions in ``draft``; the way back, here.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.directives import buttons as b
from handlers.directives.compose.draft import (
    ACK,
    DEADLINE,
    FLOW,
    PREVIEW,
    SCHEDULE,
    TARGETS,
    TEXT,
    TEXT_INPUT,
    ask_ack,
    ask_text,
)
from handlers.directives.compose.follow import follow_up
from handlers.directives.compose.preview import send, urgent_chosen
from handlers.directives.compose.targets import (
    back_to_targets,
    search,
    start,
    targets_done,
    toggle,
    turn_page,
)
from handlers.directives.compose.text import attachment_received, text_received, unsupported
from handlers.directives.compose.timing import (
    ack_chosen,
    ask_deadline,
    ask_schedule,
    deadline_chosen,
    schedule_chosen,
)
from handlers.kit.common import PRIVATE, MusterApp, MusterContext, Reply

# Back, cancel ------------------------------------------------------------------------


def _back_from(step: int) -> Any:
    async def handler(update: Update, context: MusterContext) -> int:
        reply = await Reply.to(update, context)
        await reply.toast("")
        draft = FLOW.draft(context)
        if step == TEXT:
            return await back_to_targets(reply)
        if step == ACK:
            return await ask_text(reply)
        if step == DEADLINE:
            return await ask_ack(reply)
        if step == SCHEDULE:
            return await (ask_deadline(reply) if draft.get("ack") else ask_ack(reply))
        return await ask_schedule(reply)

    return handler


def register(app: MusterApp) -> None:
    back = FLOW.back.pattern
    app.add_handler(
        FLOW.conversation(
            entry_points=[
                CommandHandler("directive", start, filters=PRIVATE),
                CallbackQueryHandler(follow_up, pattern=b.MessageChosen.pattern),
            ],
            states={
                TARGETS: [
                    CallbackQueryHandler(toggle, pattern=b.ToggleTarget.pattern),
                    CallbackQueryHandler(turn_page, pattern=b.TargetPage.pattern),
                    CallbackQueryHandler(targets_done, pattern=b.TargetsDone.pattern),
                    MessageHandler(TEXT_INPUT, search),
                ],
                TEXT: [
                    MessageHandler(TEXT_INPUT, text_received),
                    MessageHandler(
                        PRIVATE & (filters.PHOTO | filters.Document.ALL), attachment_received
                    ),
                    MessageHandler(PRIVATE & ~filters.COMMAND, unsupported),
                    CallbackQueryHandler(_back_from(TEXT), pattern=back),
                ],
                ACK: [
                    CallbackQueryHandler(ack_chosen, pattern=b.NeedAck.pattern),
                    CallbackQueryHandler(_back_from(ACK), pattern=back),
                ],
                DEADLINE: [
                    CallbackQueryHandler(deadline_chosen, pattern=b.When.pattern),
                    MessageHandler(TEXT_INPUT, deadline_chosen),
                    CallbackQueryHandler(_back_from(DEADLINE), pattern=back),
                ],
                SCHEDULE: [
                    CallbackQueryHandler(schedule_chosen, pattern=b.When.pattern),
                    MessageHandler(TEXT_INPUT, schedule_chosen),
                    CallbackQueryHandler(_back_from(SCHEDULE), pattern=back),
                ],
                PREVIEW: [
                    CallbackQueryHandler(send, pattern=b.SendDirective.pattern),
                    CallbackQueryHandler(urgent_chosen, pattern=b.Urgent.pattern),
                    CallbackQueryHandler(_back_from(PREVIEW), pattern=back),
                ],
            },
        )
    )
