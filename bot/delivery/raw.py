"""Text requests whose answer is not read back: Telegram's JSON as it comes, no Message.

PTB turns the answer to every send or edit into a ``Message`` (its chat, sender, every
entity of the text): a third of a millisecond for a directive, dropped at once by a caller
that needs at most the id. ``do_api_request`` returns the JSON as it is. Every value goes as
the text PTB would encode it to, so the request is the same, byte for byte. The outbox's
sends and edits and every screen's edit of a pressed message (``Reply.edit_text``) go this
way.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Awaitable, Mapping
from typing import Any

from telegram import Bot, InlineKeyboardButton, LinkPreviewOptions, TelegramObject, WebAppInfo
from telegram.constants import ParseMode
from telegram.warnings import PTBUserWarning

from bot.kit.webapp import web_app_url

# Sent through do_api_request on purpose (see above); PTB's advice to use send_message or
# edit_message_text instead is noise here.
warnings.filterwarnings(
    "ignore",
    message=r"Please use 'Bot\.(sendMessage|editMessageText)'",
    category=PTBUserWarning,
)


def inline_button(label: str, data: str) -> InlineKeyboardButton:
    """One button of a keyboard given as ``(label, data)`` pairs: callback data, or a
    ``bot.kit.webapp.web_app_button``'s, which opens that Mini App."""
    url = web_app_url(data)
    if url is not None:
        return InlineKeyboardButton(label, web_app=WebAppInfo(url))
    return InlineKeyboardButton(label, callback_data=data)


def encoded(value: TelegramObject) -> str:
    """``value`` as the JSON text PTB's ``RequestData`` posts for it (``json.dumps`` of its
    dict): a parameter given as a string goes out unchanged."""
    return json.dumps(value.to_dict())


NO_PREVIEW = encoded(LinkPreviewOptions(is_disabled=True))


def html_text(text: str, keyboard: str | None = None) -> dict[str, Any]:
    """The fields of an HTML text without a link preview; ``keyboard`` as ``encoded``."""
    fields: dict[str, Any] = {
        "text": text,
        "parse_mode": ParseMode.HTML,
        "link_preview_options": NO_PREVIEW,
    }
    if keyboard:
        fields["reply_markup"] = keyboard
    return fields


def edit_text(
    bot: Bot, chat_id: int, message_id: int, fields: Mapping[str, Any], **kwargs: Any
) -> Awaitable[Any]:
    """``editMessageText`` of ``fields`` (``html_text``); Telegram's answer as JSON.
    Errors raise as PTB's do (``BadRequest`` for "not modified"). ``kwargs`` go to
    ``do_api_request`` (``rate_limit_args`` on an ``ExtBot``)."""
    api_kwargs = {"chat_id": str(chat_id), "message_id": str(message_id), **fields}
    return bot.do_api_request("editMessageText", api_kwargs=api_kwargs, **kwargs)
