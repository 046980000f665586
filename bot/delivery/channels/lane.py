"""The fallback channels' lane: their outbox rows drained beside Telegram's, never in its way.

One worker per configured channel claims that channel's due rows one at a time, words each
when sent (the renderer of its kind), waits for the channel's own pace, sends it and
records the verdict at once, so the outbox holds what is left after a crash or a restart:
a retry with back-off for a transient failure, 'failed' after ``max_attempts`` or a
permanent refusal. On a graceful stop the send in flight is finished and recorded and
nothing claimed is left behind; at most a crash mid-send sends one message twice, which
the gateway's idempotency key absorbs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from bot.delivery.burst import first_of
from bot.delivery.channels import Channel, ChannelError, ChannelRenderer
from bot.delivery.outgoing import Outcome, OutcomeHook, tell
from bot.kit.clock import Clock
from storage import Storage
from storage.outbox import OutboxRow, OutboxStatus

log = logging.getLogger(__name__)
BACKOFF_BASE_SECONDS = 2.0


class _Pace:
    """A channel's own rate: one send per ``1 / rate`` seconds."""

    def __init__(self, rate: float, monotonic: Callable[[], float]) -> None:
        self.interval = 1.0 / rate
        self._monotonic = monotonic
        self._next = 0.0

    def reserve(self) -> float:
        """Take the next slot; how long to wait for it."""
        now = self._monotonic()
        at = max(now, self._next)
        self._next = at + self.interval
        return at - now


class ChannelLane:
    """``run`` is the long-lived worker; ``drain`` does what is due now (tests, the demo)."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        channels: Mapping[str, Channel],
        renderers: Mapping[str, ChannelRenderer],
        *,
        max_attempts: int = 10,
        max_backoff_seconds: float = 600.0,
        on_outcome: OutcomeHook | None = None,
        rng: random.Random | None = None,
        idle_poll_seconds: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        owner: str | None = None,
    ) -> None:
        """``owner``: this instance's id when several share PostgreSQL (see
        bot/delivery/lease.py): its claims carry it, and its lease, not the lane, takes
        back what stopped instances left in flight."""
        self.owner = owner
        self.storage = storage
        self.clock = clock
        self.channels = dict(channels)
        self._renderers = dict(renderers)
        self.max_attempts = max_attempts
        self.max_backoff_seconds = max_backoff_seconds
        self.on_outcome = on_outcome
        self._rng = rng or random.Random()
        self._idle_poll = idle_poll_seconds
        self._sleep = sleep
        self._pace = {name: _Pace(c.rate_per_second, monotonic) for name, c in channels.items()}
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New rows are due (call after committing them)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop``; then finish the send in flight and return."""
        if not self.channels:
            return
        if self.owner is None:
            recovered = await self.storage.outbox.recover_channels(list(self.channels))
            if recovered:
                log.info(
                    "fallback: %d messages interrupted by the last stop queued again", recovered
                )
        try:
            await asyncio.gather(*(self._worker(name, stop) for name in self.channels))
        finally:
            await self.close()

    async def drain(self) -> int:
        """Send every row due now on every channel; return how many were handled."""
        handled = 0
        claim = self.storage.outbox.claim_channel
        for name in self.channels:
            while (row := await claim(name, self.clock.now(), by=self.owner)) is not None:
                await self._deliver(row, None)
                handled += 1
        return handled

    async def close(self) -> None:
        for channel in self.channels.values():
            with contextlib.suppress(Exception):
                await channel.close()

    async def _worker(self, name: str, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            try:
                row = await self.storage.outbox.claim_channel(name, self.clock.now(), by=self.owner)
                if row is not None:
                    await self._deliver(row, stop)
                    continue
                due = await self.storage.outbox.next_channel_due_at([name])
            except Exception:
                log.exception("fallback %s: a row could not be handled", name)
                due = None
            timeout = self._idle_poll
            if due is not None:
                timeout = max(0.0, min(timeout, (due - self.clock.now()).total_seconds()))
            await first_of(self._wake.wait(), stop.wait(), at_most=timeout)

    async def _deliver(self, row: OutboxRow, stop: asyncio.Event | None) -> None:
        """Word, pace, send and record one claimed row."""
        renderer = self._renderers.get(row.kind)
        if renderer is None:
            await self._fail(row, f"no renderer for kind {row.kind!r}")
            return
        try:
            message = await renderer(row)
        except Exception as exc:
            log.exception("fallback row %d (%s): rendering failed", row.id, row.kind)
            await self._fail(row, f"rendering failed: {exc!r}")
            return
        if message is None:
            await self.storage.outbox.mark_cancelled(row.id)
            await tell(self.on_outcome, Outcome(row, OutboxStatus.CANCELLED))
            return
        wait = self._pace[row.channel].reserve()
        if wait > 0 and await self._stopped_waiting(stop, wait):
            await self.storage.outbox.release([row.id])  # stopping: it goes next time
            return
        if not await self.storage.outbox.still_claimed(row.id):
            return  # cancelled while it waited (a withdrawn directive)
        try:
            await self.channels[row.channel].send(message)
        except ChannelError as exc:
            await self._settle(row, exc)
            return
        except Exception as exc:  # a channel's own bug: retried like a network fault
            log.exception("fallback row %d: %s channel failed", row.id, row.channel)
            await self._settle(row, ChannelError(repr(exc)[:200]))
            return
        await self.storage.outbox.mark_delivered(row.id, self.clock.now())
        await tell(self.on_outcome, Outcome(row, OutboxStatus.SENT))

    async def _stopped_waiting(self, stop: asyncio.Event | None, seconds: float) -> bool:
        if stop is None:
            await self._sleep(seconds)
            return False
        await first_of(stop.wait(), at_most=seconds)
        return stop.is_set()

    async def _settle(self, row: OutboxRow, error: ChannelError) -> None:
        attempt = row.attempts + 1
        if error.permanent or attempt >= self.max_attempts:
            await self._fail(row, error.reason)
            return
        ceiling = min(self.max_backoff_seconds, BACKOFF_BASE_SECONDS * 2.0 ** min(attempt - 1, 30))
        delay = ceiling * (0.5 + 0.5 * self._rng.random())
        log.info("fallback row %d (%s): %s; retry in %.0f s", row.id, row.channel, error, delay)
        await self.storage.outbox.mark_retry(
            row.id, self.clock.now() + timedelta(seconds=delay), error.reason, count_attempt=True
        )

    async def _fail(self, row: OutboxRow, error: str) -> None:
        log.warning("fallback row %d (%s) failed: %s", row.id, row.channel, error)
        await self.storage.outbox.mark_failed(row.id, error)
        await tell(self.on_outcome, Outcome(row, OutboxStatus.FAILED, error=error))
