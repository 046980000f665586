"""The fallback channels' lane: durable, claimed, paced per channel, retried with
back-off, failed after max attempts, nothing sent twice after a graceful stop, and out of
Telegram's way (its claim and recovery never touch a channel's rows)."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest

from bot.delivery.channels import ChannelError, ChannelMessage
from bot.delivery.channels.lane import ChannelLane
from bot.kit.clock import FakeClock
from storage import Storage
from storage.outbox import NewMessage, OutboxRow, OutboxStatus, Priority


class FakeChannel:
    def __init__(self, name: str = "email", rate: float = 1000.0) -> None:
        self._name, self._rate = name, rate
        self.sent: list[ChannelMessage] = []
        self.failures: list[ChannelError] = []  # raised, in order, before sends succeed
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()

    @property
    def name(self) -> str:
        return self._name

    @property
    def rate_per_second(self) -> float:
        return self._rate

    async def send(self, message: ChannelMessage) -> None:
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)

    async def close(self) -> None:
        pass


async def render(row: OutboxRow) -> ChannelMessage | None:
    if row.payload.get("moot"):
        return None
    return ChannelMessage(f"m-{row.id}", row.address or "", "Subject", row.payload["text"])


def message(channel: str, text: str, clock: FakeClock, **payload: object) -> NewMessage:
    return NewMessage(
        kind="fallback_test",
        chat_id=1,
        member_id=None,
        directive_id=None,
        priority=Priority.BULK,
        payload={"text": text, **payload},
        not_before=clock.now(),
        channel=channel,
        address=f"{text}@example.org",
    )


async def queue(storage: Storage, clock: FakeClock, *messages: NewMessage) -> list[int]:
    return [await storage.outbox.enqueue(m, clock.now()) for m in messages]


def lane_of(
    storage: Storage, clock: FakeClock, *channels: FakeChannel, **kw: object
) -> ChannelLane:
    return ChannelLane(
        storage,
        clock,
        {c.name: c for c in channels},
        {"fallback_test": render},
        rng=random.Random(1),
        **kw,  # type: ignore[arg-type]
    )


async def status(storage: Storage, row_id: int) -> OutboxRow:
    row = await storage.outbox.get(row_id)
    assert row is not None
    return row


async def test_sends_each_row_once_and_records_it(storage: Storage, clock: FakeClock) -> None:
    email = FakeChannel()
    ids = await queue(storage, clock, message("email", "a", clock), message("email", "b", clock))
    assert await lane_of(storage, clock, email).drain() == 2
    assert [m.to for m in email.sent] == ["a@example.org", "b@example.org"]
    assert {(await status(storage, i)).status for i in ids} == {OutboxStatus.SENT}
    assert await lane_of(storage, clock, email).drain() == 0  # nothing twice


async def test_a_transient_failure_is_retried_with_back_off(
    storage: Storage, clock: FakeClock
) -> None:
    email = FakeChannel()
    email.failures.append(ChannelError("SMTP 451: try later"))
    [row_id] = await queue(storage, clock, message("email", "a", clock))
    lane = lane_of(storage, clock, email)
    await lane.drain()
    row = await status(storage, row_id)
    assert (row.status, row.error, row.attempts) == (OutboxStatus.PENDING, "SMTP 451: try later", 1)
    assert row.next_attempt_at > clock.now()
    assert await lane.drain() == 0  # not before its time
    clock.advance(timedelta(seconds=5))
    await lane.drain()
    assert (await status(storage, row_id)).status is OutboxStatus.SENT
    assert len(email.sent) == 1


async def test_a_permanent_refusal_and_the_last_attempt_fail(
    storage: Storage, clock: FakeClock
) -> None:
    email = FakeChannel()
    email.failures += [ChannelError("SMTP 550: no such user", permanent=True)]
    email.failures += [ChannelError("down")] * 3
    refused, tired = await queue(
        storage, clock, message("email", "a", clock), message("email", "b", clock)
    )
    lane = lane_of(storage, clock, email, max_attempts=3)
    for _ in range(4):
        await lane.drain()
        clock.advance(timedelta(minutes=30))
    assert (await status(storage, refused)).error == "SMTP 550: no such user"
    assert (await status(storage, refused)).status is OutboxStatus.FAILED
    last = await status(storage, tired)
    assert (last.status, last.attempts) == (OutboxStatus.FAILED, 3)
    assert email.sent == []


async def test_a_moot_row_is_cancelled_unsent(storage: Storage, clock: FakeClock) -> None:
    email = FakeChannel()
    [row_id] = await queue(storage, clock, message("email", "a", clock, moot=True))
    await lane_of(storage, clock, email).drain()
    assert (await status(storage, row_id)).status is OutboxStatus.CANCELLED
    assert email.sent == []


async def test_each_channel_keeps_its_own_pace(storage: Storage, clock: FakeClock) -> None:
    """Two emails a second and ten gateway messages a second: the waits are the
    channel's own, on the injected monotonic clock."""
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    email, gateway = FakeChannel("email", rate=2.0), FakeChannel("gateway", rate=10.0)
    await queue(storage, clock, *(message("email", f"e{i}", clock) for i in range(3)))
    await queue(storage, clock, *(message("gateway", f"g{i}", clock) for i in range(3)))
    lane = lane_of(storage, clock, email, gateway, monotonic=lambda: now[0], sleep=sleep)
    assert await lane.drain() == 6
    assert waits == [0.5, 0.5, 0.1, 0.1]


async def test_telegram_neither_claims_nor_recovers_channel_rows(
    storage: Storage, clock: FakeClock
) -> None:
    [row_id] = await queue(storage, clock, message("email", "a", clock))
    assert await storage.outbox.claim(clock.now(), 10) == []
    assert await storage.outbox.next_due_at() is None
    claimed = await storage.outbox.claim_channel("email", clock.now())
    assert claimed is not None and claimed.id == row_id
    assert await storage.outbox.recover() == 0  # Telegram's worker starting
    assert (await status(storage, row_id)).status is OutboxStatus.SENDING
    assert await storage.outbox.recover_channels(["email"]) == 1


async def test_a_graceful_stop_finishes_the_send_in_flight_and_sends_nothing_twice(
    storage: Storage, clock: FakeClock
) -> None:
    email = FakeChannel(rate=1000.0)
    email.gate = asyncio.Event()
    ids = await queue(storage, clock, *(message("email", f"e{i}", clock) for i in range(3)))
    lane = lane_of(storage, clock, email)
    stop = asyncio.Event()
    task = asyncio.create_task(lane.run(stop))
    await asyncio.wait_for(email.entered.wait(), 5)
    stop.set()
    email.gate.set()
    await asyncio.wait_for(task, 5)
    first = await status(storage, ids[0])
    assert first.status is OutboxStatus.SENT
    assert [(await status(storage, i)).status for i in ids[1:]] == [OutboxStatus.PENDING] * 2
    # The next run sends the rest, and the first not again.
    email.gate = None
    again = lane_of(storage, clock, email)
    assert await again.drain() == 2
    assert [m.to for m in email.sent] == ["e0@example.org", "e1@example.org", "e2@example.org"]


@pytest.mark.parametrize("rows", [0, 1])
async def test_run_returns_at_once_without_channels(
    storage: Storage, clock: FakeClock, rows: int
) -> None:
    await queue(storage, clock, *(message("email", "a", clock) for _ in range(rows)))
    await asyncio.wait_for(lane_of(storage, clock).run(asyncio.Event()), 1)
