"""What an outbox row becomes at send time: the rendered message (:class:`Outgoing`), its
attachment and paid budget, the renderer and outcome-hook types, the plain "notice" kind
every feature may queue, and the ledger of what paid broadcasts used. The engine
(:mod:`bot.delivery.engine`) claims, sends and records; the features only meet these."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.models import AttachmentKind
from storage.outbox import NewMessage, OutboxRow, OutboxStatus, Priority

KIND_NOTICE = "notice"
# Payload key under which a row remembers that its attachment already went out, so a
# retry of the text does not send the photo twice.
ATTACHMENT_SENT_KEY = "_attachment_message_id"


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: AttachmentKind
    file_id: str  # Telegram's id of a file it has; ignored when ``data`` is given
    data: bytes | None = None  # a file made at send time (a summary's chart), uploaded
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class PaidBudget:
    """A row that may go as a paid broadcast: its batch (a directive id), the messages
    beyond the free rate the batch may pay for, and what it had used or met before this
    process (stored with the directive)."""

    key: int
    cap: int
    used: int = 0
    refused: bool = False


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A rendered row: HTML text with optional inline buttons ``(label, callback_data)``,
    preceded by an attachment sent on its own (captions are too short for directives).
    With ``edit``, the text replaces that earlier message of the chat (and its buttons)
    instead of arriving as a new one, unless Telegram can no longer edit it. With ``paid``,
    it goes with ``allow_paid_broadcast`` at the paid rate while the budget lasts."""

    text: str
    buttons: Sequence[Sequence[tuple[str, str]]] = ()
    attachment: Attachment | None = None
    edit: int | None = None
    paid: PaidBudget | None = None


Renderer = Callable[[OutboxRow], Awaitable[Outgoing | None]]
"""Turns a row into a message at send time; ``None`` means the row became obsolete."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a row, for whoever must react (e.g. tell a secretary)."""

    row: OutboxRow
    status: OutboxStatus
    message_id: int | None = None
    error: str | None = None


OutcomeHook = Callable[[Outcome], Awaitable[None]]


async def tell(hook: OutcomeHook | None, outcome: Outcome) -> None:
    """Tell ``hook`` of a verdict; its failure is logged, never the worker's."""
    if hook is None:
        return
    try:
        await hook(outcome)
    except Exception:
        logging.getLogger(__name__).exception("outbox row %d: outcome hook failed", outcome.row.id)


async def render_notice(row: OutboxRow) -> Outgoing:
    """Kind "notice": payload ``{"text": html, "buttons": [[label, data], …]}`` and maybe
    ``"photo"``: a Telegram file id sent just before the text."""
    buttons = [
        [(str(label), str(data)) for label, data in line] for line in row.payload.get("buttons", [])
    ]
    photo = row.payload.get("photo")
    attachment = Attachment(AttachmentKind.PHOTO, str(photo)) if photo else None
    return Outgoing(text=str(row.payload["text"]), buttons=buttons, attachment=attachment)


def notice_message(
    chat_id: int,
    text: str,
    *,
    not_before: datetime,
    member_id: int | None = None,
    directive_id: int | None = None,
    buttons: Iterable[Iterable[tuple[str, str]]] = (),
    priority: Priority = Priority.NOTICE,
    photo: str | None = None,
) -> NewMessage:
    """An outbox row for :func:`render_notice` (already translated HTML text)."""
    payload: dict[str, Any] = {"text": text}
    if photo:
        payload["photo"] = photo
    rows = [[[label, data] for label, data in line] for line in buttons]
    if rows:
        payload["buttons"] = rows
    return NewMessage(KIND_NOTICE, chat_id, member_id, directive_id, priority, payload, not_before)


class PaidLedger:
    """What paid broadcasts used, per batch (a directive id), in this process: messages
    charged (sent beyond the free rate), and when Telegram refused for a low Star balance.
    The directive schedule stores both with the directive; a :class:`PaidBudget` brings
    them back after a restart."""

    def __init__(self) -> None:
        self.charged: dict[int, int] = {}
        self.refused: dict[int, datetime] = {}

    def allows(self, budget: PaidBudget) -> bool:
        """Whether a message of this batch may still go as a paid one."""
        if budget.refused or budget.key in self.refused:
            return False
        return max(self.charged.get(budget.key, 0), budget.used) < budget.cap

    def charge(self, budget: PaidBudget, messages: int = 1) -> None:
        """Count ``messages`` more as paid for (a negative number gives them back)."""
        self.charged[budget.key] = max(self.charged.get(budget.key, 0), budget.used) + messages

    def refuse(self, budget: PaidBudget, at: datetime) -> None:
        self.refused.setdefault(budget.key, at)
