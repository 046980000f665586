"""Updates of different chats at once, those of one chat (and of one person) in order.

PTB handles updates one at a time unless told otherwise, so every Bot API round trip of
every update adds to everyone's wait. :class:`ChatOrderedProcessor` runs updates of
different chats concurrently, up to ``telegram.concurrent_updates`` at a time, while each
update waits for the earlier ones that share one of its keys:

- its chat (``chat_data``, and a group's messages in the order they were written), and
- its sender (``user_data``: the drafts of every flow live there, see ``handlers/kit/flow.py``).

A press in a group by member X is therefore ordered after X's earlier updates in any chat
and after the group's earlier updates. Every ConversationHandler here is keyed per chat
*and* per user (PTB's default), so an update that could move a conversation waits for the
one before it on that conversation: PTB's warning that ConversationHandler "heavily relies
on incoming updates being processed one by one" holds per key, which is all it relies on
(its state lives in a dict keyed by exactly those ids). An update with neither chat nor
user (a poll's new tally) goes under one shared key, in order among themselves.

Arrival order is the order PTB takes updates off its queue: it starts one task per
update, in that order, and each task reaches :meth:`do_process_update` without yielding
(PTB's own semaphore is unbounded here, see ``__init__``), where the update takes its
place behind the earlier ones before its first ``await``.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections import Counter
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor
from telegram.ext._utils.asyncio import TrackedBoundedSemaphore  # the type PTB declares

Key = tuple[str, int]
ANYONE: Key = ("anyone", 0)  # the shared key of updates with neither chat nor user


def keys_of(update: object) -> tuple[Key, ...]:
    """What ``update`` must be ordered by: its chat and its sender, else the shared key."""
    if not isinstance(update, Update):
        return (ANYONE,)
    keys: list[Key] = []
    if update.effective_chat is not None:
        keys.append(("chat", update.effective_chat.id))
    if update.effective_user is not None:
        keys.append(("user", update.effective_user.id))
    return tuple(keys) or (ANYONE,)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across keys (at most ``max_concurrent_updates`` running), one at a time
    and in arrival order within a key. With 1 it is PTB's one-at-a-time processing."""

    __slots__ = ("_active", "_bound", "_in_hand", "_running", "_slots", "_tails")

    def __init__(self, max_concurrent_updates: int) -> None:
        self._bound = max_concurrent_updates  # read by the property, from super() too
        super().__init__(max_concurrent_updates)
        # PTB's semaphore is taken before do_process_update, so updates that only wait
        # for their chat would hold slots: one busy group could fill all of them while
        # every other chat waits. Unbounded there; the bound applies to running updates.
        self._semaphore = TrackedBoundedSemaphore(sys.maxsize)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._running = 0
        self._in_hand = 0  # taken off PTB's queue, not finished: waiting or running
        # The last update queued under each key (only keys with an update in hand).
        self._tails: dict[Key, asyncio.Event] = {}
        self._active: Counter[Key] = Counter()  # keys with an update running

    @property
    def max_concurrent_updates(self) -> int:
        # PTB's Application takes >1 to mean "start a task per update".
        return self._bound

    @property
    def current_concurrent_updates(self) -> int:
        return self._running

    def busy(self, kind: str, ident: int) -> bool:
        """Whether an update of this chat (``kind`` "chat") or user ("user") is running:
        its ``chat_data``/``user_data`` and conversation may be half changed."""
        return self._active[(kind, ident)] > 0

    @property
    def waiting(self) -> int:
        """Updates taken off PTB's queue that wait for their turn: a backlog the queue's
        own size no longer shows (``/health``)."""
        return self._in_hand - self._running

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        keys = keys_of(update)
        done = asyncio.Event()
        # No await before this: the place in line is taken in arrival order.
        earlier = {id(e): e for key in keys if (e := self._tails.get(key)) is not None}
        for key in keys:
            self._tails[key] = done
        started = False
        self._in_hand += 1
        try:
            for event in earlier.values():
                await event.wait()
            async with self._slots:
                self._running += 1
                self._active.update(keys)
                started = True
                try:
                    await coroutine
                finally:
                    self._running -= 1
                    self._active.subtract(keys)
                    for key in keys:
                        if self._active[key] <= 0:
                            del self._active[key]
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting: no "never awaited" warning
            self._in_hand -= 1
            done.set()
            for key in keys:
                if self._tails.get(key) is done:
                    del self._tails[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB's stop() waits for the updates in hand."""
