"""A stock python-telegram-bot check-in bot: the baseline of ``bench.capacity``.

What a PTB v22 tutorial would write for Muster's default check-in: a ``ConversationHandler``
(``/checkin`` asks the default form's one question with a button per choice; a press shows
the answer and a Submit button; Submit stores the answer in a dict and says so), concurrent
updates on, no persistence, no database, no rate limiter, one language. It sends Muster's
English texts and keyboards (HTML), so both bots' messages cost the stand-in the same. Its
buttons carry Muster's own callback data (``ci:c:0:<choice>``, ``ci:ok``, ``ci:x``), so the
very updates recorded from Muster replay through it and it makes the same Bot API calls
per step: ``sendMessage`` for ``/checkin``, ``answerCallbackQuery`` and
``editMessageText`` for each press.
"""

from __future__ import annotations

import html
import warnings
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.checkins.config import CheckinSettings

ASK, CONFIRM = range(2)
# The default form's first question, read once (a stock bot would write it in).
QUESTION = CheckinSettings().questions[0]
LABELS = {choice.id: choice.label.en for choice in QUESTION.choices}
CANCEL = InlineKeyboardButton("Cancel", callback_data="ci:x")
CHOICES = InlineKeyboardMarkup(
    [[InlineKeyboardButton(label, callback_data=f"ci:c:0:{key}")] for key, label in LABELS.items()]
    + [[CANCEL]]
)
CONFIRM_BUTTONS = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("✅ Submit", callback_data="ci:ok")],
        [InlineKeyboardButton("Start over", callback_data="ci:r"), CANCEL],
    ]
)
# Muster's English wording and markup (see the module doc).
ASKED = f"<b>Check-in 1/1</b> — {html.escape(QUESTION.prompt.en)}\nChoose one."
CONFIRM_TEXT = "<b>Your check-in</b>\n• {prompt}: {answer}\nSubmit it?"
SAVED = "✅ Checked in for {day:%a} {day.day} {day:%b}."

Context = ContextTypes.DEFAULT_TYPE
StockApp = Application[Any, Any, Any, Any, Any, Any]


def build_stock_bot(
    token: str, *, request: BaseRequest | None = None, base_url: str | None = None
) -> tuple[StockApp, dict[int, str]]:
    """The application and the dict its check-ins go into (user id -> choice)."""
    checkins: dict[int, str] = {}

    async def ask(update: Update, context: Context) -> int:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            ASKED, parse_mode=ParseMode.HTML, reply_markup=CHOICES
        )
        return ASK

    async def answer(update: Update, context: Context) -> int:
        query = update.callback_query
        assert query is not None and query.data is not None and context.user_data is not None
        await query.answer()
        choice = query.data.rsplit(":", 1)[-1]
        context.user_data["status"] = choice
        text = CONFIRM_TEXT.format(
            prompt=html.escape(QUESTION.prompt.en), answer=html.escape(LABELS.get(choice, choice))
        )
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=CONFIRM_BUTTONS)
        return CONFIRM

    async def submit(update: Update, context: Context) -> int:
        query = update.callback_query
        assert query is not None and update.effective_user is not None
        assert context.user_data is not None
        await query.answer()
        checkins[update.effective_user.id] = context.user_data.pop("status", "")
        today = datetime.now(UTC).date()
        await query.edit_message_text(SAVED.format(day=today), parse_mode=ParseMode.HTML)
        return ConversationHandler.END

    async def cancel(update: Update, context: Context) -> int:
        if update.callback_query is not None:
            await update.callback_query.answer()
            await update.callback_query.edit_message_text("Check-in cancelled.")
        return ConversationHandler.END

    builder = ApplicationBuilder().token(token).concurrent_updates(True)
    if request is not None:
        builder = builder.request(request)
    if base_url is not None:
        builder = builder.base_url(base_url)
    app: StockApp = builder.build()
    with warnings.catch_warnings():
        # "per_message=False": the per-chat tracking a check-in wants, as in PTB's examples.
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CommandHandler("checkin", ask)],
            states={
                ASK: [CallbackQueryHandler(answer, pattern=r"^ci:c:")],
                CONFIRM: [CallbackQueryHandler(submit, pattern=r"^ci:ok$")],
            },
            fallbacks=[
                CommandHandler("cancel", cancel),
                CallbackQueryHandler(cancel, pattern=r"^ci:x$"),
            ],
        )
    app.add_handler(conversation)
    return app, checkins
