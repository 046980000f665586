"""What duty queues: the outbox kinds (the schedule's rendered at send time by
``bot/duty/schedule.py``, the notices about what was done by ``bot/duty/render.py``), what
a prompt asks for (:class:`Step`), what a note tells (:class:`Event`), and the rows and
payloads themselves."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from storage.outbox import NewMessage, Priority

# Outbox kinds of the schedule (rendered by bot/duty/schedule.py).
KIND_PROMPT = "duty_prompt"  # to the shift's member: ask, remind, start, end
KIND_OFFER = "duty_offer"  # an open shift offered to a member who could cover it
KIND_NOTE = "duty_note"  # what happened, to the secretaries (and "taken" to the offered)
# Outbox kinds of what people did (rendered by bot/duty/render.py).
KIND_STARTED = "duty_started"  # to the secretaries: a start after the no-show, or far off
KIND_INCIDENT = "duty_incident"  # to the secretaries: an incident reported on duty
KIND_CANCELLED = "duty_cancelled"  # to the shift's member: their secretary cancelled it


class Step(StrEnum):
    """What a prompt to the shift's member asks for."""

    ASK = "ask"
    REMIND = "remind"
    START = "start"
    END = "end"


class Event(StrEnum):
    """What a note tells."""

    DECLINED = "declined"
    UNCONFIRMED = "unconfirmed"  # not confirmed by the cut-off: cover requested
    LEFT = "left"  # the member left the unit with the shift ahead
    NO_SHOW = "no_show"
    UNCOVERED = "uncovered"  # open, and nobody took it by the start
    COVERED = "covered"
    TAKEN = "taken"  # to the other members offered it
    # To the member asked: the time to confirm or decline has passed (the request is
    # edited, its buttons taken off).
    ASK_CLOSED = "ask_closed"
    # To the members offered it: the shift started with nobody on it (offer edited).
    OFFER_CLOSED = "offer_closed"


# Events that open a shift for cover: the secretaries hear how many it was offered to.
OPENING = (Event.DECLINED, Event.UNCONFIRMED, Event.LEFT)
# Events told by editing an earlier message (an offer, a request) rather than a new one.
EDITING = (Event.TAKEN, Event.ASK_CLOSED, Event.OFFER_CLOSED)


def message(
    kind: str, chat_id: int, member_id: int, payload: dict[str, Any], now: datetime
) -> NewMessage:
    priority = Priority.REMINDER if kind == KIND_PROMPT else Priority.NOTICE
    return NewMessage(kind, chat_id, member_id, None, priority, payload, now)


def note(
    shift_id: int, event: Event, *, subject: int | None = None, reason: str | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"shift": shift_id, "event": event}
    if subject is not None:
        payload["subject"] = subject
    if reason is not None:
        payload["reason"] = reason
    return payload
