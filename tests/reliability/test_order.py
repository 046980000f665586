"""A chat's messages after a fault: the one queued first must still arrive first.

Each outbox row is retried on its own back-off (jittered, doubling) or its own
``retry_after``, so a row that failed fewer times (it was queued later) would be due again
sooner than an older row to the same chat. The fault run (tests/reliability/test_crash.py,
bench.crash) once saw 195 of 196 chats reordered that way; these are the smallest cases,
in-process on a fake clock. Only a more urgent message may overtake.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from telegram import Bot

from bot.config import DeliverySettings
from bot.delivery.engine import DeliveryEngine
from bot.delivery.outgoing import notice_message
from bot.delivery.pacer import Pacer
from bot.kit.clock import FakeClock
from fakeapi import FakeBotApi, FakeRequest
from fakeapi.core import ApiError
from storage import Storage
from storage.outbox import OutboxRow, OutboxStatus, Priority

CHAT = 5001


@pytest.fixture
def api(clock: FakeClock) -> FakeBotApi:
    return FakeBotApi(clock=clock.now)


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    bot = Bot("123:ABC", request=FakeRequest(api), get_updates_request=FakeRequest(api))
    await bot.initialize()
    yield bot
    await bot.shutdown()


def engine(storage: Storage, bot: Bot, clock: FakeClock, concurrency: int = 1) -> DeliveryEngine:
    return DeliveryEngine(
        storage,
        bot,
        clock,
        DeliverySettings(concurrency=concurrency),
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


async def test_a_message_queued_during_network_loss_does_not_overtake_an_older_one(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    delivery = engine(storage, bot, clock)
    api.fail_next(None, error_code=502, description="Bad Gateway", times=3)  # the network is down
    first = await queue(storage, clock, "first")
    for attempt in (1, 2, 3):  # its back-off doubles: 1-2 s, 2-4 s, 4-8 s
        if attempt > 1:
            clock.set((await pending(storage, first)).next_attempt_at)
        assert await delivery.drain() == 1
    second = await queue(storage, clock, "second")  # queued while still down
    assert await delivery.drain() == 0  # it waits behind the first, untried
    assert (await pending(storage, first)).attempts == 3
    assert (await pending(storage, second)).attempts == 0
    assert await storage.outbox.next_due_at() == (await pending(storage, first)).next_attempt_at
    assert texts(api) == []
    clock.advance(timedelta(seconds=10))  # the network is back; both are due
    assert await delivery.drain() == 2
    assert texts(api) == ["first", "second"]


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


async def test_a_later_message_claimed_while_the_first_is_in_flight_waits_for_its_retry(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    # Several workers: Telegram answers the first send only once the second row has been
    # claimed (it then waits on its chat), and the answer is a flood wait.
    delivery = engine(storage, bot, clock, concurrency=4)
    first = await queue(storage, clock, "first")
    second = await queue(storage, clock, "second")
    send = api.handler("sendMessage")
    flooded: list[int] = []

    async def send_message(params: dict[str, Any]) -> Any:
        if params["text"] == "first" and not flooded:
            for _ in range(1000):
                row = await storage.outbox.get(second)
                if row is not None and row.status == OutboxStatus.SENDING:
                    break
                await asyncio.sleep(0)
            else:
                raise AssertionError("the second row was never claimed")
            flooded.append(1)
            raise ApiError(429, "Too Many Requests: retry after 30", retry_after=30)
        return send(params)

    api.register("sendMessage", send_message)
    await delivery.drain()
    assert flooded and texts(api) == []
    assert (await pending(storage, first)).attempts == 0  # a flood wait is not its fault
    assert (await pending(storage, second)).attempts == 0  # put back untried
    clock.advance(timedelta(seconds=30))
    assert await delivery.drain() == 2
    assert texts(api) == ["first", "second"]


async def test_a_more_urgent_message_and_other_chats_do_not_wait_for_a_retry(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    delivery = engine(storage, bot, clock)
    api.fail_next(None, error_code=502, description="Bad Gateway")
    bulk = await storage.outbox.enqueue(
        notice_message(CHAT, "bulk", not_before=clock.now(), priority=Priority.BULK), clock.now()
    )
    assert await delivery.drain() == 1
    assert (await pending(storage, bulk)).attempts == 1
    await queue(storage, clock, "urgent")  # a notice: more urgent than the waiting row
    await storage.outbox.enqueue(
        notice_message(CHAT + 1, "elsewhere", not_before=clock.now()), clock.now()
    )
    assert await delivery.drain() == 2
    assert texts(api) == ["urgent"]
    assert [m.text for m in api.sent_to(CHAT + 1)] == ["elsewhere"]
    clock.advance(timedelta(seconds=10))
    assert await delivery.drain() == 1
    assert texts(api) == ["urgent", "bulk"]
