"""``/directive``: a secretary composes a directive step by step — targets, text (and one
photo or document), acknowledgement and deadline, send time — previews it and sends it.

Button steps edit one message; after something typed, the next step comes as a new
message and the old keyboard is removed. One module per step (``targets``, ``text``,
``timing``, ``question`` when members answer instead of ✅, ``preview``), their draft
and questions in ``draft``; the way back, here.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.directives import buttons as b
from handlers.directives.compose import question as q
from handlers.directives.compose.draft import (
    ACK,
    BOUNDS,
    CHOICE,
    DEADLINE,
    FLOW,
    PREVIEW,
    PROMPT,
    QUESTION,
    SCHEDULE,
    TARGETS,
    TEXT,
    TEXT_INPUT,
    ask_ack,
    ask_text,
)
from handlers.directives.compose.follow import follow_up
from handlers.directives.compose.preview import choice_pressed, send, urgent_chosen
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
    choices_done,
    deadline_chosen,
    schedule_chosen,
)
from handlers.kit.common import PRIVATE, MusterApp, MusterContext, Reply, say


def _typed(handler: Any) -> list[BaseHandler[Any, Any, Any]]:
    """Where a choice, a number question or bounds are typed: the text, and anything else
    (a photo, a sticker) asked for again as text."""
    return [
        MessageHandler(TEXT_INPUT, handler),
        MessageHandler(PRIVATE & ~filters.TEXT & ~filters.COMMAND, say("directive-type-text")),
    ]


# Back, cancel ------------------------------------------------------------------------


def _back_from(step: int) -> Any:
    async def handler(update: Update, context: MusterContext) -> int:
        reply = await Reply.to(update, context)
        await reply.toast("")
        draft = FLOW.state(context)
        if step == TEXT:
            return await back_to_targets(reply)
        if step == ACK:
            return await ask_text(reply)
        if step in (QUESTION, CHOICE, PROMPT, BOUNDS):
            return await q.back(reply, step)
        if step == DEADLINE:
            return await (q.ask_choices(reply) if draft.ask is not None else ask_ack(reply))
        if step == SCHEDULE:
            return await (ask_deadline(reply) if draft.ack else ask_ack(reply))
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
                    CallbackQueryHandler(q.answers_chosen, pattern=b.AskAnswers.pattern),
                    CallbackQueryHandler(_back_from(ACK), pattern=back),
                ],
                QUESTION: [
                    *_typed(q.choice_typed),
                    CallbackQueryHandler(q.presets_chosen, pattern=b.UsePresets.pattern),
                    CallbackQueryHandler(q.choice_opened, pattern=b.EditChoice.pattern),
                    CallbackQueryHandler(choices_done, pattern=b.ChoicesDone.pattern),
                    CallbackQueryHandler(_back_from(QUESTION), pattern=back),
                ],
                CHOICE: [
                    CallbackQueryHandler(q.reason_chosen, pattern=b.ChoiceReason.pattern),
                    CallbackQueryHandler(q.number_chosen, pattern=b.ChoiceNumber.pattern),
                    CallbackQueryHandler(q.choice_removed, pattern=b.RemoveChoice.pattern),
                    CallbackQueryHandler(_back_from(CHOICE), pattern=back),
                ],
                PROMPT: [
                    *_typed(q.prompt_given),
                    CallbackQueryHandler(q.prompt_given, pattern=b.NumberPreset.pattern),
                    CallbackQueryHandler(_back_from(PROMPT), pattern=back),
                ],
                BOUNDS: [
                    *_typed(q.bounds_given),
                    CallbackQueryHandler(_back_from(BOUNDS), pattern=back),
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
                    CallbackQueryHandler(choice_pressed, pattern=b.PreviewChoice.pattern),
                    CallbackQueryHandler(_back_from(PREVIEW), pattern=back),
                ],
            },
        )
    )
