"""What one burst of the engine's workers shares: the claimed rows and each chat's turn
(:class:`Burst`), the rule that holds a chat's rows behind its retry (:func:`behind`), and
the group commit that records sends as delivered (:class:`GroupCommit`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage import Storage
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)


class GroupCommit:
    """Records sends as delivered. Each caller waits for its own commit, so a crash
    re-sends no more than the sends in flight.

    The first caller commits at once, itself (usually on the event loop's own connection:
    ``Database.write_inline``); sends that finish while a commit is under way wait and go
    together in the next one, committed by a task."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._pending: list[tuple[int, int, datetime, asyncio.Future[None]]] = []
        self._busy = False
        self._rest: asyncio.Task[None] | None = None

    async def mark(self, row_id: int, message_id: int, at: datetime) -> None:
        if not self._busy:
            self._busy = True
            try:
                await self.storage.outbox.mark_sent_many([(row_id, message_id, at)])
            finally:
                if self._pending:
                    self._rest = asyncio.create_task(self._flush())
                else:
                    self._busy = False
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((row_id, message_id, at, done))
        await done

    async def _flush(self) -> None:
        try:
            while self._pending:
                group, self._pending = self._pending, []
                try:
                    await self.storage.outbox.mark_sent_many([(r, m, a) for r, m, a, _ in group])
                except Exception as exc:
                    for *_, done in group:
                        if not done.done():  # a waiter cancelled meanwhile (a stop)
                            done.set_exception(exc)
                else:
                    for *_, done in group:
                        if not done.done():  # else the rest of the group would never hear
                            done.set_result(None)
        finally:
            self._busy = False


@dataclass(eq=False)
class Burst:
    """What one ``_pump`` shares between its workers."""

    stop: asyncio.Event | None
    batch: int  # rows a claim takes
    most: int  # rows claimed ahead at most
    queue: deque[OutboxRow] = field(default_factory=deque)
    unstarted: list[int] = field(default_factory=list)
    chat_locks: dict[int, asyncio.Lock] = field(default_factory=dict)
    chat_refs: Counter[int] = field(default_factory=Counter)
    # Rows to be retried, per chat: until one is taken again, the chat's later rows as
    # urgent or less go back unsent, as the claim would have held them back.
    waiting: dict[int, dict[int, int]] = field(default_factory=dict)  # chat → {row id: priority}
    tally: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)
    # exhausted: a claim for a worker found nothing (this burst is over); dry: the last
    # claim found nothing, so claiming ahead waits for a worker to need more.
    exhausted: bool = False
    dry: bool = False
    healthy: bool = True
    # Retry verdicts so far: a claim that began before one was recorded may have missed
    # its row (on PostgreSQL a claim runs beside the workers, not between them).
    retries: int = 0
    claiming: asyncio.Task[None] | None = None

    def stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def choose(self, ready_in: Callable[[int], float]) -> tuple[int | None, bool]:
        """``(index, ready)`` of the next row: the first whose chat is idle and may take a
        message now (``ready_in``, the pacer's, is 0: ready); else the first whose chat is
        idle; else the first, to wait behind its chat. ``(None, False)`` for an empty
        queue."""
        idle: int | None = None
        for index, row in enumerate(self.queue):
            if self.chat_refs[row.chat_id]:
                continue
            if ready_in(row.chat_id) <= 0:
                return index, True
            if idle is None:
                idle = index
        if idle is not None:
            return idle, False
        return (0, False) if self.queue else (None, False)

    def log_tally(self, when: str) -> None:
        parts = ", ".join(f"{n} {verdict}" for verdict, n in sorted(self.tally.items()))
        log.info("outbox %s: %s in %.1f s", when, parts, time.monotonic() - self.started)

    def retried(self) -> None:
        """A row went back to the outbox, perhaps due at once: worth another claim."""
        self.retries += 1
        self.exhausted = self.dry = False

    def claimed(self, found: bool, *, needed: bool, since: int) -> None:
        """A claim begun when ``retries`` was ``since`` came back with rows or without:
        without, the outbox is dry (the burst over, if a worker ``needed`` them), unless
        a retry was recorded meanwhile."""
        if found or self.retries == since:
            self.dry = not found
            if needed:
                self.exhausted = not found


def behind(row: OutboxRow, waiting: dict[int, dict[int, int]]) -> bool:
    """Whether ``row`` must wait for a row to its chat that is to be retried (older, and as
    urgent or more); taking a waiting row itself ends its wait."""
    ahead = waiting.get(row.chat_id)
    if not ahead:
        return False
    if ahead.pop(row.id, None) is not None:
        return False
    return any(priority <= row.priority and id_ < row.id for id_, priority in ahead.items())


async def first_of(*waits: Awaitable[Any], at_most: float | None = None) -> None:
    """Wait until the first of ``waits`` finishes (or ``at_most`` seconds pass); cancel
    the rest."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, timeout=at_most, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
