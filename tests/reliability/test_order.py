"""A chat's messages after a fault: the one queued first must still arrive first.

The fault run (tests/reliability/test_crash.py, bench.crash) shows the outbox breaking this
at scale; these are the smallest reproductions, in-process on a fake clock: each outbox
row is retried on its own back-off (jittered, doubling) or its own ``retry_after``, and
the claim takes due rows by ``next_attempt_at``, so a row that failed fewer times (it was
queued later) is due again sooner and overtakes an older row to the same chat.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot

from bot.clock import FakeClock
from bot.config import DeliverySettings
from bot.delivery import DeliveryEngine, Pacer, notice_message
from bot.fakeapi import FakeBotApi, FakeRequest
from storage import Storage
from storage.outbox import OutboxRow, OutboxStatus

CHAT = 5001
OVERTAKEN = "the outbox retries each row on its own schedule (docs/reliability.md, Findings)"


@pytest.fixture
def api(clock: FakeClock) -> FakeBotApi:
    return FakeBotApi(clock=clock.now)


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    bot = Bot("123:ABC", request=FakeRequest(api), get_updates_request=FakeRequest(api))
    await bot.initialize()
    yield bot
    await bot.shutdown()


def engine(storage: Storage, bot: Bot, clock: FakeClock) -> DeliveryEngine:
    return DeliveryEngine(
        storage,
        bot,
        clock,
        DeliverySettings(concurrency=1),
        {},
        Pacer.unlimited(),
        rng=random.Random(1),
        idle_poll_seconds=60,
    )


async def queue(storage: Storage, clock: FakeClock, text: str) -> int:
    return await storage.outbox.enqueue(
        notice_message(CHAT, text, not_before=clock.now()), clock.now()
    )


async def pending(storage: Storage, row_id: int) -> OutboxRow:
    row = await storage.outbox.get(row_id)
    assert row is not None and row.status == OutboxStatus.PENDING
    return row


def texts(api: FakeBotApi) -> list[str | None]:
    return [m.text for m in api.sent_to(CHAT)]


@pytest.mark.xfail(strict=True, reason=OVERTAKEN)
async def test_a_message_queued_during_network_loss_does_not_overtake_an_older_one(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    delivery = engine(storage, bot, clock)
    api.fail_next(None, error_code=502, description="Bad Gateway", times=4)  # the network is down
    first = await queue(storage, clock, "first")
    for attempt in (1, 2, 3):  # its back-off doubles: 1-2 s, 2-4 s, 4-8 s
        if attempt > 1:
            clock.set((await pending(storage, first)).next_attempt_at)
        assert await delivery.drain() == 1
    second = await queue(storage, clock, "second")  # queued while still down: one try
    assert await delivery.drain() == 1
    assert (await pending(storage, first)).attempts == 3
    assert (await pending(storage, second)).attempts == 1
    assert texts(api) == []
    clock.advance(timedelta(seconds=10))  # the network is back; both are due
    assert await delivery.drain() == 2
    assert texts(api) == ["first", "second"]


@pytest.mark.xfail(strict=True, reason=OVERTAKEN)
async def test_a_message_queued_during_a_flood_wait_does_not_overtake_the_waiting_one(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    delivery = engine(storage, bot, clock)
    api.rate_limit(30, method="sendMessage", chat_id=CHAT)
    first = await queue(storage, clock, "first")
    assert await delivery.drain() == 1  # 429: retry in 30 s
    assert (await pending(storage, first)).next_attempt_at == clock.now() + timedelta(seconds=30)
    clock.advance(timedelta(seconds=5))
    await queue(storage, clock, "second")
    clock.advance(timedelta(seconds=30))
    assert await delivery.drain() == 2
    assert texts(api) == ["first", "second"]
