"""What Telegram's error answers mean for a row: gone for good, not editable, no Stars to
pay, or wait ``retry_after``; and how an error reads in the row's error column."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

# 400 answers that mean the chat is gone for good, not that the message was malformed.
GONE = ("chat not found", "user is deactivated", "chat_id is empty", "peer_id_invalid")
# 400 answers to an edit that mean a new message should go instead.
UNEDITABLE = ("message to edit not found", "message can't be edited")
# 400 answers to a paid send that mean the bot's Star balance cannot pay for it (Telegram's
# MTProto error is BALANCE_TOO_LOW; the Bot API passes such errors on as their text).
NO_STARS = ("balance_too_low", "balance is too low", "not enough stars")


def retry_after_seconds(error: RetryAfter) -> float:
    """``retry_after`` as seconds whether PTB gives an int or (opted in) a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def describe(exc: Exception) -> str:
    """``Type: message`` for the row's error column, without "Forbidden: Forbidden: …"."""
    name, text = type(exc).__name__, str(exc)
    return text if text.startswith(name) else f"{name}: {text}"
