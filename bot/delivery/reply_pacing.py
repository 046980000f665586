"""Every request the bot makes outside the outbox, paced, and retried after a 429 or a
passing network fault.

The outbox worker paces its own sends (:class:`bot.delivery.pacer.Pacer`), but a handler's
replies, the error handler's apology and the schedule's progress edits go straight to
Telegram. Without a share of the same budget they push the bot past 30 messages a second
during a bulk send, and a reply that meets a 429 would be lost: the person would get no
answer at all. So PTB's rate-limiter hook routes them through the outbox's pacer, and a
429 holds back that chat (the outbox's messages to it too) for ``retry_after``, or every
chat when the pacer takes it for an overall flood (:meth:`bot.delivery.pacer.Pacer.flood`), and
is then tried again.

A 5xx (PTB: ``NetworkError("Bad Gateway")``) or a connection that failed is tried again
after a short back-off, as the outbox does: Telegram did not take the message. A timeout
is tried again only if the request never left (no free connection, no connection made):
after a read or write timeout Telegram may well have delivered it, and sending again
would show the person the reply twice (or fail an edit as "not modified" and apologise
for an error that did not happen). Every kind of retry counts against one bound; past it
the request fails, is logged, and the error handler apologises.

What counts toward which limit (docs/reliability.md has the sources):

- ``answerCallbackQuery`` and every other request that puts no message in a chat (getMe,
  setMyCommands, getFile, deleteMessage, sendChatAction…) takes no slot at all: Telegram
  lets a bot answer callback queries without any limit (tdlib/telegram-bot-api#648).
- A new message in answer to a person (sendMessage, sendPhoto…) counts toward the
  overall ~30 messages/s the outbox uses too (Bot FAQ, "Broadcasting to users"), with
  first claim on the next free slot: the outbox yields to it.
- With several instances (PostgreSQL), a new message also takes a send from the overall
  budget they share (:class:`bot.delivery.lease.SharedBudget`), without queueing behind
  the outbox's takers; a chat's own limits need nothing shared, as one instance at a time
  handles a chat's updates (app/inbox.py).
- An edit counts toward its chat's limits only (tdlib/td#3034, tdlib/telegram-bot-api#648:
  edits share the per-chat limits with sends; the overall limit concerns new messages).

The outbox worker marks its own requests with ``rate_limit_args``
(:data:`bot.delivery.requests.ENGINE_REQUEST`): they already hold a slot, a 429 there is the
worker's to record on the row, and they go out on the transport's bulk connections.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from bot.delivery.answers import retry_after_seconds
from bot.delivery.lease import SharedBudget, SharedSend
from bot.delivery.pacer import Pacer, Slot
from bot.delivery.requests import ENGINE_REQUEST
from bot.delivery.transport import bulk_lane, never_sent

log = logging.getLogger(__name__)

# A reply waits out at most this many flood waits, each of at most REPLY_WAIT_MAX seconds;
# beyond that the person is better served by the error than by a bot that stays silent
# (a waiting reply holds up that person's later updates, and those of their chat).
REPLY_RETRIES = 3
REPLY_WAIT_MAX = 60.0
# A network fault is tried again after 0.5 s, then 1 s, then 2 s (within REPLY_RETRIES).
NETWORK_BACKOFF = 0.5

# Requests that put a new message in a chat: the overall limit and the chat's count them.
_SENDS = ("send", "copymessage", "forwardmessage")
_NOT_MESSAGES = ("sendchataction",)  # "typing…": no message, no limit
# Requests that change a message: only the chat's limits count them.
_EDITS = ("editmessage",)


def _limits(endpoint: str) -> tuple[bool, bool]:
    """``(counted, overall)``: whether ``endpoint`` takes a pacer slot, and whether that
    slot counts toward the overall rate as well as its chat's limits."""
    name = endpoint.lower()
    if name.startswith(_SENDS) and not name.startswith(_NOT_MESSAGES):
        return True, True
    return name.startswith(_EDITS), False


def _chat_of(data: dict[str, Any]) -> int:
    """The numeric chat id of a request (0 for none, or for a @channel name: overall
    limits only)."""
    try:
        return int(data.get("chat_id", 0))
    except (TypeError, ValueError):
        return 0


def _retry_delay(exc: RetryAfter | NetworkError, attempt: int) -> float | None:
    """Seconds to wait before trying again after ``exc``; None if it is not to be tried
    again because Telegram may have acted on it or would answer the same."""
    if isinstance(exc, RetryAfter):
        return retry_after_seconds(exc)
    if isinstance(exc, BadRequest):
        return None
    if isinstance(exc, TimedOut) and not never_sent(exc):
        return None
    return NETWORK_BACKOFF * (1 << attempt)


TelegramAnswer = bool | dict[str, Any] | list[dict[str, Any]]
"""What a Bot API request gives back, as PTB hands it to the rate limiter."""


class PacedReplies(BaseRateLimiter[dict[str, bool]]):
    def __init__(self, pacer: Pacer, budget: SharedBudget | None = None) -> None:
        """``budget``: the overall rate shared with other instances (PostgreSQL), which a
        new message takes a send from after its pacer slot, ahead of the outbox's."""
        self.pacer = pacer
        self.budget = budget

    def _slot(self, endpoint: str, chat_id: int, overall: bool) -> Awaitable[Slot]:
        """The pacer's slot for a reply or an edit (bench.burst's baseline overrides it)."""
        return self.pacer.acquire(chat_id, reply=True, overall=overall)

    async def _shared(self, budget: SharedBudget) -> SharedSend | None:
        """A send from the shared budget; None when the database cannot give one now: the
        person's reply goes out all the same, paced by this instance alone."""
        try:
            return await budget.acquire(self.pacer.sleep, None, first=True)
        except Exception as exc:
            log.warning("shared send budget not available (%r): replying unshared", exc)
            return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, TelegramAnswer]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, bool] | None,
    ) -> TelegramAnswer:
        if rate_limit_args == ENGINE_REQUEST:
            with bulk_lane():  # on the outbox's own connections
                return await callback(*args, **kwargs)
        counted, overall = _limits(endpoint)
        chat_id = _chat_of(data) if counted else 0
        budget = self.budget if counted and overall else None
        for attempt in range(REPLY_RETRIES + 1):
            slot = await self._slot(endpoint, chat_id, overall) if counted else None
            shared = await self._shared(budget) if budget is not None else None
            if shared is not None and slot is not None:
                slot.begin()
            answered = False
            try:
                with slot or contextlib.nullcontext():
                    answer = await callback(*args, **kwargs)
                answered = True
                return answer
            except (RetryAfter, NetworkError) as exc:
                seconds = _retry_delay(exc, attempt)
                if seconds is None:
                    raise
                if attempt == REPLY_RETRIES or seconds > REPLY_WAIT_MAX:
                    log.warning("%s given up on try %d: %s", endpoint, attempt + 1, exc)
                    raise
                if isinstance(exc, RetryAfter):
                    # A 429 to a request that takes no slot (a callback answer) holds back
                    # only that request: the pacer's limits are not what it met.
                    everything = counted and self.pacer.flood(chat_id, seconds, slot)
                    log.warning(
                        "flood control on %s: Telegram asks to wait %.0f s; holding back %s",
                        endpoint,
                        seconds,
                        "all sends" if everything else f"chat {chat_id}" if counted else "it",
                    )
                else:
                    log.warning("%s failed (%s); trying again in %.1f s", endpoint, exc, seconds)
            finally:
                if budget is not None and shared is not None:
                    await budget.finish(shared, answered=answered)
            await self.pacer.sleep(seconds)
        raise AssertionError("unreachable")  # the last attempt returns or raises
