"""Every message the bot sent during the demo, from the stand-in's record of requests,
each with the kind of message it was.

Messages sent through the outbox are matched to their row (by chat and message id), so
their kind is the row's: a directive, a reminder, a duty note … A notice row says no more
than "notice", so it takes the kind the script's step gave notices; anything else the bot
sent was a direct reply to what the person had just done, and takes the step's reply kind.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from bot.delivery.outgoing import ATTACHMENT_SENT_KEY, KIND_NOTICE
from bot.duty.messages import (
    KIND_CANCELLED,
    KIND_INCIDENT,
    KIND_NOTE,
    KIND_OFFER,
    KIND_PROMPT,
    KIND_STARTED,
)
from bot.summaries.schedule import SummaryKind
from fakeapi import FakeBotApi
from storage import Storage
from storage.checkins import CheckinKind
from storage.directives import DirectiveKind
from storage.outbox import OutboxRow, OutboxStatus

SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
_PROMPTS = {
    "ask": "duty: please confirm",
    "remind": "duty: reminder to confirm",
    "start": "duty: start now",
    "end": "duty: end of shift",
}
_NOTES = {
    "declined": "duty note: declined",
    "unconfirmed": "duty note: not confirmed, cover requested",
    "left": "duty note: left the unit",
    "no_show": "duty note: no-show",
    "uncovered": "duty note: nobody covered",
    "covered": "duty note: covered",
    "taken": "duty: someone else took it",
    "ask_closed": "duty: too late to confirm",
    "offer_closed": "duty: shift started, offer closed",
}
# Notices queued as a kind of their own (worded when sent): the step's notice kind too.
_NOTICES = frozenset({KIND_NOTICE, CheckinKind.FLAG, KIND_STARTED, KIND_INCIDENT, KIND_CANCELLED})
ESCALATION = "escalation: not acknowledged"
UNREACHABLE = "directive: members not reached"
DIRECTIVE = "directive"
DIRECTIVE_REMINDER = "directive reminder"
CHECKIN_REMINDER = "check-in reminder"
SUMMARY = "daily summary"


@dataclass(frozen=True, slots=True)
class Entry:
    """One message the bot sent, or tried to send (``delivered`` False: 403 and the like)."""

    step: int
    at: datetime
    chat_id: int
    kind: str
    text: str
    delivered: bool = True
    method: str = "sendMessage"
    file_id: str | None = None


def kind_of(row: OutboxRow, notices: str) -> str:
    payload = row.payload
    if row.kind == DirectiveKind.DIRECTIVE:
        return DIRECTIVE
    if row.kind == DirectiveKind.REMINDER:
        return DIRECTIVE_REMINDER
    if row.kind == CheckinKind.REMINDER:
        return CHECKIN_REMINDER
    if row.kind == KIND_PROMPT:
        return _PROMPTS.get(str(payload.get("step")), KIND_PROMPT)
    if row.kind == KIND_OFFER:
        return "duty: cover needed"
    if row.kind == KIND_NOTE:
        return _NOTES.get(str(payload.get("event")), KIND_NOTE)
    if row.kind == SummaryKind.TEXT:
        return f"{payload.get('kind', 'daily')} summary"
    if row.kind == SummaryKind.BOOK:
        return f"{payload.get('kind', 'daily')} summary: workbook"
    if row.kind == KIND_NOTICE and row.directive_id is not None:
        return ESCALATION if payload.get("buttons") else UNREACHABLE
    if row.kind in _NOTICES:
        return notices
    return row.kind


class Ledger:
    def __init__(self, api: FakeBotApi, storage: Storage) -> None:
        self.api = api
        self.storage = storage
        self.entries: list[Entry] = []
        self._calls = 0  # calls already read
        self._rows = 0  # highest outbox id already read

    async def read(self, step: int, replies: str, notices: str) -> list[Entry]:
        """What was sent since the last read, as entries of ``step``."""
        calls = self.api.calls[self._calls :]
        self._calls += len(calls)
        rows = await self._new_rows()
        # (chat, message id) -> (kind, whether it is the attachment sent before the text)
        by_message: dict[tuple[int, int], tuple[str, bool]] = {}
        found: list[Entry] = []
        for row in rows:
            kind = kind_of(row, notices)
            if row.message_id is not None:
                by_message[(row.chat_id, row.message_id)] = (kind, False)
            attachment = row.payload.get(ATTACHMENT_SENT_KEY)
            if isinstance(attachment, int):  # a photo or file sent just before the text
                by_message[(row.chat_id, attachment)] = (kind, True)
            if row.status in (OutboxStatus.UNREACHABLE, OutboxStatus.FAILED):
                found.append(Entry(step, row.created_at, row.chat_id, kind, "", delivered=False))
        for call in calls:
            if call.method not in SENDS or not call.ok or call.message is None:
                continue
            message = call.message
            kind, attached = by_message.get((message.chat_id, message.message_id), (replies, False))
            if attached:
                kind += " (photo)" if call.method == "sendPhoto" else " (file)"
            found.append(
                Entry(
                    step,
                    call.at,
                    message.chat_id,
                    kind,
                    message.text or _media(call.result),
                    method=call.method,
                    file_id=_file_id(call.result),
                )
            )
        self.entries += found
        return found

    async def _new_rows(self) -> list[OutboxRow]:
        """Outbox rows queued since the last read; each has its verdict by now."""
        found = await self.storage.db.fetchone("SELECT MAX(id) FROM outbox")
        last = int(found[0]) if found and found[0] is not None else 0
        rows = [await self.storage.outbox.get(i) for i in range(self._rows + 1, last + 1)]
        self._rows = last
        return [row for row in rows if row is not None]

    def counts(self, entries: list[Entry]) -> Counter[str]:
        return Counter(e.kind for e in entries if e.delivered)


def _file_id(result: object) -> str | None:
    """The file a sendPhoto or sendDocument uploaded (the largest photo size)."""
    if not isinstance(result, dict):
        return None
    if isinstance(result.get("document"), dict):
        return str(result["document"]["file_id"])
    photos = result.get("photo")
    if isinstance(photos, list) and photos:
        return str(photos[-1]["file_id"])
    return None


def _media(result: object) -> str:
    """How a photo or file without a caption shows in the report."""
    if isinstance(result, dict) and isinstance(result.get("document"), dict):
        return f"[file {result['document'].get('file_name', '')}]".replace(" ]", "]")
    return "[photo]"
