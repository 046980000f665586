"""Files people send as documents (a roster, the member register): which ones a
spreadsheet handler takes, fetching them from Telegram, and their problems folded into
one message."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from telegram.error import TelegramError
from telegram.ext import filters

from bot.kit.i18n import Html, join_html
from handlers.kit.common import Reply

# Only files that look like a spreadsheet: other documents belong to other flows (an
# incident report, a directive's attachment).
SPREADSHEET = (
    filters.Document.FileExtension("csv")
    | filters.Document.MimeType("text/csv")
    | filters.Document.FileExtension("xlsx")
    | filters.Document.FileExtension("xls")
)
# A problem list stays one message (Telegram takes 4096 characters), with room around it.
FOLD_AT = 3800
SHOWN_PROBLEMS = 20
P = TypeVar("P")


async def download(reply: Reply, file_id: str) -> bytes | None:
    """The document's bytes; None when Telegram would not give them, after saying so (the
    person can send it again)."""
    try:
        file = await reply.context.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())
    except TelegramError:
        await reply.send("file-download-failed")
        return None


def problems_text(reply: Reply, problems: Sequence[P], word: Callable[[P], str]) -> Html:
    """A file's problems, a line each, as many as fit one message, then "…and N more"."""
    return join_html("\n", reply.fold(problems, word, count=SHOWN_PROBLEMS, chars=FOLD_AT))
