"""The sendMessage / editMessageText parameters of a rendered row, encoded the way PTB
would encode them (:mod:`bot.delivery.raw`), so PTB has nothing left to convert: the
request is the same, byte for byte, and a directive's thousands of rows share one encoded
keyboard per language. The engine's own requests are marked for the bot's rate limiter
(:data:`ENGINE_REQUEST`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.delivery import raw
from bot.delivery.outgoing import Outgoing

_KEYBOARDS_KEPT = 256
ENGINE_REQUEST: dict[str, bool] = {"engine": True}
"""``rate_limit_args`` that mark the worker's own requests to the bot's rate limiter
(:mod:`bot.delivery.reply_pacing`): they hold a slot already, and a 429 is recorded on the row."""


class TextRequests:
    """Builds the text request of a row (:mod:`bot.delivery.raw`'s fields), remembering the
    keyboards it encoded."""

    def __init__(self) -> None:
        self._keyboards: dict[tuple[tuple[tuple[str, str], ...], ...], str] = {}

    def fields(self, outgoing: Outgoing) -> dict[str, Any]:
        keyboard = self.keyboard(outgoing.buttons) if outgoing.buttons else None
        return raw.html_text(outgoing.text, keyboard)

    def text(self, chat_id: int, outgoing: Outgoing) -> dict[str, Any]:
        return {"chat_id": str(chat_id), **self.fields(outgoing)}

    def keyboard(self, buttons: Sequence[Sequence[tuple[str, str]]]) -> str:
        """The inline keyboard as PTB encodes it, remembered: a directive's thousands of
        rows carry one keyboard per language."""
        key = tuple(tuple(line) for line in buttons)
        encoded = self._keyboards.get(key)
        if encoded is None:
            if len(self._keyboards) >= _KEYBOARDS_KEPT:
                self._keyboards.clear()
            markup = InlineKeyboardMarkup(
                [[raw.inline_button(label, data) for label, data in line] for line in key]
            )
            encoded = self._keyboards[key] = raw.encoded(markup)
        return encoded
