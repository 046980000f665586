"""The delivery engine: one worker drains the outbox under Telegram's flood limits.

Telegram allows about 30 messages a second overall, one a second per chat and 20 a minute
per group, and answers anything faster with 429 and a ``retry_after``. PTB's
``AIORateLimiter`` knows no per-private-chat limit and does not retry a 429 by default, so
Muster paces itself (:class:`Pacer`) and keeps every message as an outbox row whose state
is committed right after its send: a crash re-sends at most the messages in flight, and a
graceful stop re-sends nothing.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.config import DeliverySettings
from bot.delivery import raw
from bot.delivery.answers import GONE, NO_STARS, UNEDITABLE, describe, retry_after_seconds
from bot.delivery.burst import Burst, GroupCommit, behind, first_of
from bot.delivery.lease import SharedBudget, SharedSend, hold_chats
from bot.delivery.outgoing import (
    ATTACHMENT_SENT_KEY,
    KIND_NOTICE,
    Attachment,
    Outcome,
    OutcomeHook,
    Outgoing,
    PaidBudget,
    PaidLedger,
    Renderer,
    render_notice,
    tell,
)
from bot.delivery.pacer import Pacer, Slot
from bot.delivery.requests import ENGINE_REQUEST, TextRequests
from bot.kit.clock import Clock
from storage import Storage
from storage.outbox import ChatSends, OutboxRow, OutboxStatus

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 2.0
_PROGRESS_EVERY = 1000
_PAID: dict[str, bool] = {"paid": True}  # a paid send's pacer argument (none for a free one)
_HELD = "held back"  # a worker's verdict for a row put back behind its chat's retry


class DeliveryEngine:
    """Claims due outbox rows, renders and sends them, and records each verdict.

    ``run`` is the long-lived worker; ``drain`` does what is due now and returns (tests,
    the demo). Do not run both at once on one database.
    """

    def __init__(
        self,
        storage: Storage,
        bot: Bot,
        clock: Clock,
        settings: DeliverySettings,
        renderers: Mapping[str, Renderer],
        pacer: Pacer,
        *,
        on_outcome: OutcomeHook | None = None,
        prepare: Callable[[Sequence[OutboxRow]], Awaitable[None]] | None = None,
        rng: random.Random | None = None,
        idle_poll_seconds: float = 5.0,
        paid: PaidLedger | None = None,
        owner: str | None = None,
        budget: SharedBudget | None = None,
    ) -> None:
        """``on_outcome`` hears of every verdict but a retry, in the worker: keep it short
        (queue a notice, then ``wake()``). ``idle_poll_seconds`` is the longest idle sleep,
        so rows queued by another process (the CLI) are noticed without ``wake()``.
        ``owner``, ``budget``: several instances on PostgreSQL (bot/delivery/lease.py)."""
        self.storage = storage
        self.bot = bot
        self.clock = clock
        self.settings = settings
        self.pacer = pacer
        self.on_outcome = on_outcome
        self._renderers: dict[str, Renderer] = {KIND_NOTICE: render_notice, **renderers}
        self._prepare = prepare
        self._sent = GroupCommit(storage)
        self._rng = rng or random.Random()
        self._idle_poll = idle_poll_seconds
        self._wake = asyncio.Event()
        self._requests = TextRequests()
        self.paid = paid or PaidLedger()
        self.owner = owner
        self.budget = budget
        # Through a bot with a rate limiter (the app's), say that these requests are paced.
        self._paced: dict[str, Any] = (
            {"rate_limit_args": ENGINE_REQUEST} if getattr(bot, "rate_limiter", None) else {}
        )

    def wake(self) -> None:
        """New rows are due: stop idling (call after committing an enqueue)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; then finish the sends in flight, put the claimed
        but unstarted rows back, and return."""
        # One process (no owner): whatever is in flight, the last one left; else the lease's.
        if self.owner is None and (recovered := await self.storage.outbox.recover()):
            log.info("outbox: %d messages interrupted by the last stop queued again", recovered)
        log.info("delivery worker started")
        while not stop.is_set():
            self._wake.clear()  # before claiming: a wake() from here on is not lost
            try:
                _, healthy = await self._pump(stop)
            except Exception:
                log.exception("outbox: delivery burst failed")
                healthy = False
            if not stop.is_set():
                await self._idle(stop, at_least=0.0 if healthy else self._idle_poll)
        log.info("delivery worker stopped")

    async def drain(self) -> int:
        """Send everything due now, without idling; return how many rows were handled (a
        row retried within the call counts each time)."""
        handled, _ = await self._pump(None)
        return handled

    # ------------------------------------------------------------ one burst

    async def _pump(self, stop: asyncio.Event | None) -> tuple[int, bool]:
        """Claim and deliver until nothing is due (or stop): ``(rows handled, healthy)``.

        Workers take the most urgent row whose chat can take a message now; rows to one
        chat go out in claim order, one at a time. When every claimed row waits on its
        chat (a secretary with fifty notices), more rows are claimed, up to a bound, so
        that one busy chat does not hold up everyone else. The next batch is claimed while
        the last rows of this one are still being sent, so that no worker waits for it.
        """
        burst = Burst(stop, batch=self.settings.workers * 4, most=self.settings.workers * 32)
        try:
            await asyncio.gather(*(self._work(burst) for _ in range(self.settings.workers)))
        finally:
            await self._put_back_unsent(burst)
        if burst.tally:
            burst.log_tally("done")
        return burst.tally.total(), burst.healthy

    async def _claim(self, burst: Burst, needed: bool) -> None:
        """One batch of due rows onto the burst's queue."""
        chats: dict[int, ChatSends] | None = {} if self.owner is not None else None
        since = burst.retries
        try:
            rows = await self.storage.outbox.claim(
                self.clock.now(),
                burst.batch,
                by=self.owner,
                group_limit=self.settings.group_per_minute,
                chats=chats,
            )
            if chats:
                hold_chats(self.pacer, self.settings, chats, self.clock.now())
        except Exception:
            log.exception("outbox: claiming due messages failed")
            rows, burst.healthy = [], False
        burst.claimed(bool(rows), needed=needed, since=since)
        if rows and self._prepare is not None:
            try:
                # One look-up for the whole batch instead of one per row.
                await self._prepare(rows)
            except Exception:
                log.exception("outbox: preparing a batch failed; rendering row by row")
        burst.queue.extend(rows)

    def _claiming_more(self, burst: Burst, needed: bool) -> asyncio.Task[None] | None:
        """The claim under way, started now if there is none and more may come;
        ``needed`` when a worker has nothing to take without it."""
        if burst.claiming is None or burst.claiming.done():
            if burst.exhausted or len(burst.queue) >= burst.most or burst.stopping():
                return None
            if burst.dry and not needed:
                return None
            burst.claiming = asyncio.create_task(self._claim(burst, needed))
        return burst.claiming

    async def _take(self, burst: Burst) -> OutboxRow | None:
        """The next row for a worker (see ``Burst.choose``), claiming more when none is ready;
        None when the burst is over."""
        queue, chat_refs = burst.queue, burst.chat_refs
        while not burst.stopping():
            index, ready = burst.choose(self.pacer.chat_ready_in)
            if not ready and (more := self._claiming_more(burst, needed=True)) is not None:
                # Shielded: the claim is shared, and its rows must reach the queue.
                await asyncio.shield(more)
                continue
            if index is None:
                return None
            row = queue[index]
            del queue[index]
            chat_refs[row.chat_id] += 1
            if len(queue) < self.settings.workers:
                self._claiming_more(burst, needed=False)
            return row
        return None

    async def _put_back(self, burst: Burst, row: OutboxRow) -> None:
        try:
            await self.storage.outbox.release([row.id])
        except Exception:
            log.exception("outbox row %d: putting it back failed; it goes at the end", row.id)
            burst.unstarted.append(row.id)

    async def _work(self, burst: Burst) -> None:
        """One worker: take, deliver and count rows until the burst is over."""
        while (row := await self._take(burst)) is not None:
            verdict = await self._handle(burst, row)
            if verdict is None:
                burst.unstarted.append(row.id)
                continue
            if verdict == _HELD:
                continue
            if verdict == "retry":
                burst.retried()
            burst.tally[verdict] += 1
            if burst.tally.total() % _PROGRESS_EVERY == 0:
                burst.log_tally("so far")

    async def _handle(self, burst: Burst, row: OutboxRow) -> str | None:
        """One row, alone in its chat: held back behind its chat's retry, or delivered;
        the verdict (None: not started)."""
        chat_refs, chat_locks = burst.chat_refs, burst.chat_locks
        lock = chat_locks.setdefault(row.chat_id, asyncio.Lock())
        verdict: str | None
        try:
            async with lock:
                if behind(row, burst.waiting):
                    await self._put_back(burst, row)
                    verdict = _HELD
                else:
                    verdict = await self._deliver(row, burst.stop)
                    if verdict == "retry":
                        burst.waiting.setdefault(row.chat_id, {})[row.id] = row.priority
        except Exception:
            # Only the database can get here; the row stays 'sending' until a
            # restart's recover() queues it again. One bad row must not stop the rest.
            log.exception("outbox row %d: its state could not be recorded", row.id)
            verdict = "unrecorded"
        finally:
            chat_refs[row.chat_id] -= 1
            if not chat_refs[row.chat_id]:
                del chat_refs[row.chat_id], chat_locks[row.chat_id]
        return verdict

    async def _put_back_unsent(self, burst: Burst) -> None:
        """At the burst's end, the rows claimed but not started go back to the outbox."""
        if burst.claiming is not None:
            await asyncio.wait([burst.claiming])  # its rows go back with the rest
        leftover = burst.unstarted + [row.id for row in burst.queue]
        if leftover:
            await self.storage.outbox.release(leftover)
            log.info("outbox: %d claimed messages put back unsent", len(leftover))

    async def _idle(self, stop: asyncio.Event, *, at_least: float) -> None:
        """Sleep until the next row is due, ``wake()`` or stop, at most the idle poll."""
        try:
            due = await self.storage.outbox.next_due_at(by=self.owner)
        except Exception:
            log.exception("outbox: reading the next due time failed")
            due = None
        timeout = self._idle_poll
        if due is not None:
            timeout = min(timeout, (due - self.clock.now()).total_seconds())
        timeout = max(timeout, at_least)
        if timeout <= 0 or self._wake.is_set():
            return
        await first_of(self._wake.wait(), stop.wait(), at_most=timeout)

    # ------------------------------------------------------------ one row

    async def _deliver(self, row: OutboxRow, stop: asyncio.Event | None) -> str | None:
        """Render, pace, send and record one row; return the verdict, or None when stop
        came before anything was sent. Raises only when the database fails."""
        renderer = self._renderers.get(row.kind)
        if renderer is None:
            return await self._fail(row, f"no renderer for kind {row.kind!r}")
        try:
            outgoing = await renderer(row)
        except Exception as exc:
            log.exception("outbox row %d (%s): rendering failed", row.id, row.kind)
            return await self._fail(row, f"rendering failed: {exc!r}")
        if outgoing is None:
            await self.storage.outbox.mark_cancelled(row.id)
            await self._notify(Outcome(row, OutboxStatus.CANCELLED))
            return "cancelled"
        budget = outgoing.paid
        if budget is not None and not (self.settings.paid_broadcast and self.paid.allows(budget)):
            budget = None  # past its cap, refused by Telegram, or turned off: the free rate
        taken = await self._acquire(row.chat_id, stop, paid=budget is not None)
        if taken is None:
            return None
        slot, shared = taken
        charged = budget if budget is not None and slot.charged else None
        if charged is not None:  # counted at the grant, so that sends in flight keep the cap
            self.paid.charge(charged)
        # Right before the send: a row claimed ahead may have been cancelled since (its
        # directive withdrawn). The slot is spent, which only a withdrawal costs.
        if not await self.storage.outbox.still_claimed(row.id, by=self.owner):
            slot.finish(answered=False)
            await self._shared_over(shared, answered=False, charged=charged)
            await self._notify(Outcome(row, OutboxStatus.CANCELLED))
            return "cancelled"
        try:
            with slot:
                message_id = int((await self._send(row, outgoing, slot, budget))["message_id"])
        except Exception as exc:  # (Telegram charges what it delivers)
            await self._shared_over(shared, answered=False, charged=charged)
            return await self._settle_error(row, exc, budget, slot)
        await self._shared_over(shared, answered=True)
        await self._sent.mark(row.id, message_id, self.clock.now())
        await self._notify(Outcome(row, OutboxStatus.SENT, message_id=message_id))
        return "sent"

    async def _acquire(
        self, chat_id: int, stop: asyncio.Event | None, *, paid: bool = False
    ) -> tuple[Slot, SharedSend | None] | None:
        """Wait for the pacer, then for the budget shared with other instances (if any);
        give up (None) if stop comes first."""
        slot: Slot | None = None
        if stop is None:
            slot = await self.pacer.acquire(chat_id, **_PAID if paid else {})
        while slot is None:
            if stop is None or stop.is_set():
                return None
            taken = self.pacer.take(chat_id, **_PAID if paid else {})
            if isinstance(taken, Slot):
                slot = taken
            else:
                await first_of(self.pacer.sleep(taken), stop.wait())
        shared = None
        if self.budget is not None:
            if (shared := await self.budget.acquire(self.pacer.sleep, stop, paid=paid)) is None:
                slot.finish(answered=False)
                return None
            slot.begin()
        return slot, shared

    async def _shared_over(
        self, shared: SharedSend | None, *, answered: bool, charged: PaidBudget | None = None
    ) -> None:
        """A send's request is over; one that failed gives back its paid ``charged`` too."""
        if shared is not None and self.budget is not None:
            await self.budget.finish(shared, answered=answered)
        if charged is not None:
            self.paid.charge(charged, -1)

    def _send(
        self, row: OutboxRow, outgoing: Outgoing, slot: Slot, paid: PaidBudget | None = None
    ) -> Awaitable[Any]:
        """Send the attachment (once, remembered in the row) then the text; Telegram's
        answer for the text is the row's. ``slot`` is the pacer's grant for the first
        request; ``paid``, the budget it goes on as a paid broadcast. (Not a coroutine
        itself, nor is ``_send_text``: each layer of coroutine is walked again at every
        step of the HTTP request under it.)"""
        attachment = outgoing.attachment
        if attachment is not None and ATTACHMENT_SENT_KEY not in row.payload:
            return self._send_with(attachment, row, outgoing, slot, paid)
        if outgoing.edit is not None:
            return self._edit_or_send(row, outgoing, outgoing.edit)
        return self._send_text(row, outgoing, paid)

    async def _edit_or_send(self, row: OutboxRow, outgoing: Outgoing, message_id: int) -> Any:
        """Edit ``message_id`` into the row's text; a message that is gone or too old to
        edit gets a new one instead. "Not modified" means an earlier try (before a crash)
        did it already."""
        fields = self._requests.fields(outgoing)
        try:
            await raw.edit_text(self.bot, row.chat_id, message_id, fields, **self._paced)
        except BadRequest as exc:
            problem = exc.message.lower()
            if any(u in problem for u in UNEDITABLE):
                return await self._send_text(row, outgoing)
            if "not modified" not in problem:
                raise
        return {"message_id": message_id}

    async def _send_with(
        self,
        attachment: Attachment,
        row: OutboxRow,
        outgoing: Outgoing,
        slot: Slot,
        paid: PaidBudget | None,
    ) -> Any:
        upload = attachment.data if attachment.data is not None else attachment.file_id
        send = self.bot.send_photo if attachment.kind == "photo" else self.bot.send_document
        sent = await send(
            row.chat_id,
            upload,
            filename=attachment.filename,
            allow_paid_broadcast=paid is not None or None,
            **self._paced,
        )
        slot.finish()
        await self.storage.outbox.set_payload(
            row.id, {**row.payload, ATTACHMENT_SENT_KEY: sent.message_id}
        )
        # Committed to this row now: the text follows even if a stop was requested.
        with await self.pacer.acquire(row.chat_id, **_PAID if paid else {}) as text:
            if self.budget is None:
                return await self._send_text(row, outgoing, paid)
            shared = await self.budget.acquire(self.pacer.sleep, None, paid=paid is not None)
            text.begin()
            answered = False
            try:
                sent = await self._send_text(row, outgoing, paid)
                answered = True
                return sent
            finally:
                await self._shared_over(shared, answered=answered)

    def _send_text(
        self, row: OutboxRow, outgoing: Outgoing, paid: PaidBudget | None = None
    ) -> Awaitable[Any]:
        # do_api_request returns Telegram's JSON as is: building a Message object for
        # each of thousands of sends only to read its id costs more than the request.
        api_kwargs = self._requests.text(row.chat_id, outgoing)
        if paid is not None:
            api_kwargs["allow_paid_broadcast"] = "true"  # as PTB encodes True
        return self.bot.do_api_request("sendMessage", api_kwargs=api_kwargs, **self._paced)

    async def _settle_error(
        self, row: OutboxRow, exc: Exception, paid: PaidBudget | None, slot: Slot
    ) -> str:
        """Record what a failed send means for the row; return the verdict."""
        outbox = self.storage.outbox
        now = self.clock.now()
        error = describe(exc)
        if (
            paid is not None
            and isinstance(exc, BadRequest)
            and any(n in exc.message.lower() for n in NO_STARS)
        ):
            # The bot cannot pay: this batch goes on at the free rate, this row at once.
            log.warning("paid broadcast %d: Telegram says the Star balance is too low", paid.key)
            self.paid.refuse(paid, now)
            await outbox.mark_retry(row.id, now, error, count_attempt=False)
            return "retry"
        if isinstance(exc, RetryAfter):
            # The row waits retry_after, and its chat's later rows behind it (the claim's
            # order rule, and behind() for rows claimed already); other chats go on unless
            # the pacer takes this for an overall flood.
            seconds = retry_after_seconds(exc)
            if self.pacer.flood(row.chat_id, seconds, slot):
                log.warning(
                    "flood control: 429s from several chats; pausing all sends %.0f s", seconds
                )
            else:
                log.info("flood control: chat %d waits %.0f s", row.chat_id, seconds)
            await outbox.mark_retry(
                row.id, now + timedelta(seconds=seconds), error, count_attempt=False
            )
            return "retry"
        if isinstance(exc, Forbidden) or (
            isinstance(exc, BadRequest) and any(g in exc.message.lower() for g in GONE)
        ):
            await outbox.mark_unreachable(row.id, error, now)
            await self._notify(Outcome(row, OutboxStatus.UNREACHABLE, error=error))
            return "unreachable"
        if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
            # TimedOut, connection errors and 5xx: the next try may well work.
            attempt = row.attempts + 1
            if attempt >= self.settings.max_attempts:
                return await self._fail(row, f"{error} (after {attempt} attempts)")
            retry_at = now + timedelta(seconds=self._backoff(attempt))
            await outbox.mark_retry(row.id, retry_at, error, count_attempt=True)
            return "retry"
        if not isinstance(exc, TelegramError):
            log.error("outbox row %d: unexpected error", row.id, exc_info=exc)
        return await self._fail(row, error)

    def _backoff(self, attempt: int) -> float:
        """Exponential from 2 s, capped, with jitter so retries of a burst spread out."""
        ceiling = min(
            self.settings.max_backoff_seconds, BACKOFF_BASE_SECONDS * 2.0 ** min(attempt - 1, 30)
        )
        return ceiling * (0.5 + 0.5 * self._rng.random())

    async def _fail(self, row: OutboxRow, error: str) -> str:
        log.warning("outbox row %d (%s to %d) failed: %s", row.id, row.kind, row.chat_id, error)
        await self.storage.outbox.mark_failed(row.id, error)
        await self._notify(Outcome(row, OutboxStatus.FAILED, error=error))
        return "failed"

    async def _notify(self, outcome: Outcome) -> None:
        await tell(self.on_outcome, outcome)
