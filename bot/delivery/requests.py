"""The sendMessage / editMessageText parameters of a rendered row, encoded the way PTB
would encode them, so PTB has nothing left to convert: the request is the same, byte for
byte, and a directive's thousands of rows share one encoded keyboard per language. The
engine's own requests are marked for the bot's rate limiter (:data:`ENGINE_REQUEST`)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, TelegramObject
from telegram.constants import ParseMode
from telegram.warnings import PTBUserWarning

from bot.delivery.outgoing import Outgoing

_KEYBOARDS_KEPT = 256
ENGINE_REQUEST: dict[str, bool] = {"engine": True}
"""``rate_limit_args`` that mark the worker's own requests to the bot's rate limiter
(:mod:`bot.delivery.reply_pacing`): they hold a slot already, and a 429 is recorded on the row."""

# The engine sends through do_api_request on purpose (see ``DeliveryEngine._send_text``);
# PTB's advice to use send_message instead is noise here.
warnings.filterwarnings(
    "ignore",
    message=r"Please use 'Bot\.(sendMessage|editMessageText)'",
    category=PTBUserWarning,
)


class TextRequests:
    """Builds the text request of a row, remembering the keyboards it encoded."""

    def __init__(self) -> None:
        self._keyboards: dict[tuple[tuple[tuple[str, str], ...], ...], str] = {}

    def text(self, chat_id: int, outgoing: Outgoing) -> dict[str, Any]:
        # Every value goes as the text PTB would encode it to (see _encoded), so PTB has
        # nothing left to convert: the request is the same, byte for byte.
        api_kwargs: dict[str, Any] = {
            "chat_id": str(chat_id),
            "text": outgoing.text,
            "parse_mode": ParseMode.HTML,
            "link_preview_options": _NO_PREVIEW,
        }
        if outgoing.buttons:
            api_kwargs["reply_markup"] = self.keyboard(outgoing.buttons)
        return api_kwargs

    def keyboard(self, buttons: Sequence[Sequence[tuple[str, str]]]) -> str:
        """The inline keyboard as PTB encodes it, remembered: a directive's thousands of
        rows carry one keyboard per language."""
        key = tuple(tuple(line) for line in buttons)
        encoded = self._keyboards.get(key)
        if encoded is None:
            if len(self._keyboards) >= _KEYBOARDS_KEPT:
                self._keyboards.clear()
            markup = InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(label, callback_data=data) for label, data in line]
                    for line in key
                ]
            )
            encoded = self._keyboards[key] = _encoded(markup)
        return encoded


def _encoded(value: TelegramObject) -> str:
    """``value`` as the JSON text PTB's ``RequestData`` posts for it (``json.dumps`` of its
    dict): a parameter given as a string goes out unchanged."""
    return json.dumps(value.to_dict())


_NO_PREVIEW = _encoded(LinkPreviewOptions(is_disabled=True))
