"""The update processor on its own: which updates wait for which, and the bound. Each
"handler" here is a coroutine that records its start and then waits for its own event,
so every interleaving is forced by the test, never by time."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from telegram import Update

from app.updates import ANYONE, ChatOrderedProcessor, keys_of
from fakeapi import FakeUser

ANN, BEN = FakeUser(601, "Ann"), FakeUser(602, "Ben")
GROUP = -100_500


class Handlers:
    """Updates fed to a processor as PTB does (one task per update, in arrival order),
    each blocked until the test releases it."""

    def __init__(self, processor: ChatOrderedProcessor) -> None:
        self.processor = processor
        self.started: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}

    async def handle(self, name: str) -> None:
        self.started.append(name)
        await self.gates[name].wait()

    def feed(self, name: str, update: object) -> None:
        self.gates[name] = asyncio.Event()
        self.tasks[name] = asyncio.create_task(
            self.processor.process_update(update, self.handle(name))
        )

    async def finish(self, name: str) -> None:
        self.gates[name].set()
        await self.tasks[name]

    async def settle(self) -> None:
        """Let every task run until it blocks (a fixed number of loop turns is enough:
        nothing here waits for anything but the events)."""
        for _ in range(10):
            await asyncio.sleep(0)


_ids = itertools.count(1)


def update(payload: dict[str, Any]) -> Update:
    return Update.de_json({"update_id": next(_ids), **payload}, None)


async def test_different_chats_run_at_once_one_chats_updates_one_after_another() -> None:
    handlers = Handlers(ChatOrderedProcessor(2))
    handlers.feed("ann 1", update(ANN.command("help")))
    handlers.feed("ann 2", update(ANN.message("36.6")))
    handlers.feed("ben 1", update(BEN.command("help")))
    await handlers.settle()
    assert handlers.started == ["ann 1", "ben 1"]  # Ann's second waits for her first
    await handlers.finish("ann 1")
    await handlers.settle()
    assert handlers.started == ["ann 1", "ben 1", "ann 2"]
    await handlers.finish("ben 1")
    await handlers.finish("ann 2")


async def test_a_chats_updates_run_one_after_another_in_arrival_order() -> None:
    handlers = Handlers(ChatOrderedProcessor(8))
    for n in range(5):
        handlers.feed(f"ann {n}", update(ANN.message(str(n))))
    for n in range(5):
        await handlers.settle()
        assert handlers.started == [f"ann {i}" for i in range(n + 1)]
        await handlers.finish(f"ann {n}")


async def test_the_bound_holds_and_a_waiting_update_holds_no_slot() -> None:
    """Two at a time: a third chat waits until one finishes; Ann's queued second update
    does not take the slot Ben needs."""
    handlers = Handlers(ChatOrderedProcessor(2))
    carl = FakeUser(603, "Carl")
    handlers.feed("ann 1", update(ANN.command("help")))
    handlers.feed("ann 2", update(ANN.command("help")))
    handlers.feed("ben 1", update(BEN.command("help")))
    handlers.feed("carl 1", update(carl.command("help")))
    await handlers.settle()
    assert handlers.started == ["ann 1", "ben 1"]
    assert handlers.processor.current_concurrent_updates == 2
    assert handlers.processor.waiting == 2  # Ann's second and Carl's (/health counts them)
    await handlers.finish("ben 1")
    await handlers.settle()
    assert handlers.started == ["ann 1", "ben 1", "carl 1"]
    await handlers.finish("carl 1")
    await handlers.finish("ann 1")
    await handlers.finish("ann 2")
    assert (handlers.processor.current_concurrent_updates, handlers.processor.waiting) == (0, 0)


async def test_a_message_in_a_group_waits_for_the_group_and_for_the_person() -> None:
    """Ann's message in the group comes after her own private message (her drafts) and
    after Ben's message in the group; Ben's private message waits for neither."""
    handlers = Handlers(ChatOrderedProcessor(8))
    handlers.feed("ann private", update(ANN.command("help")))
    handlers.feed("ben in group", update(BEN.message_in_group(GROUP, "hello")))
    handlers.feed("ann in group", update(ANN.message_in_group(GROUP, "hi")))
    handlers.feed("ben private", update(BEN.command("help")))
    await handlers.settle()
    assert handlers.started == ["ann private", "ben in group"]
    await handlers.finish("ann private")
    await handlers.settle()
    assert "ann in group" not in handlers.started  # the group's earlier update still runs
    await handlers.finish("ben in group")
    await handlers.settle()
    assert handlers.started == ["ann private", "ben in group", "ann in group", "ben private"]
    await handlers.finish("ann in group")
    await handlers.finish("ben private")


async def test_a_failed_or_cancelled_update_does_not_hold_up_its_chat() -> None:
    handlers = Handlers(ChatOrderedProcessor(2))

    async def fails() -> None:
        raise RuntimeError("handler bug")

    processing = handlers.processor.process_update(update(ANN.message("1")), fails())
    first = asyncio.create_task(processing)
    handlers.feed("ann 2", update(ANN.message("2")))
    handlers.feed("ann 3", update(ANN.message("3")))
    with pytest.raises(RuntimeError):
        await first
    await handlers.settle()
    assert handlers.started == ["ann 2"]
    handlers.tasks["ann 3"].cancel()  # stopped while waiting for its turn
    await handlers.finish("ann 2")
    with pytest.raises(asyncio.CancelledError):
        await handlers.tasks["ann 3"]
    handlers.feed("ann 4", update(ANN.message("4")))
    await handlers.settle()
    assert handlers.started == ["ann 2", "ann 4"]
    await handlers.finish("ann 4")


def test_keys_chat_and_sender_else_one_shared_key() -> None:
    assert keys_of(update(ANN.command("help"))) == (("chat", 601), ("user", 601))
    assert keys_of(update(ANN.message_in_group(GROUP, "hi"))) == (
        ("chat", GROUP),
        ("user", 601),
    )
    # A poll's new tally, a purchased paid media… carry neither chat nor sender.
    assert keys_of(Update(update_id=9)) == (ANYONE,)
    assert keys_of("not an update") == (ANYONE,)


def test_the_bound_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ChatOrderedProcessor(0)
