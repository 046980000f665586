"""Requests outside the outbox (replies, edits, the error handler's apology) share the
outbox's pacer and wait out a 429 or a passing network fault instead of being lost, within
a bound: on a fake timeline."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import httpx  # noqa: TID251 (PTB raises its timeouts with httpx causes)
import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.delivery.pacer import FLOOD_CHATS, Pacer, Slot
from bot.delivery.reply_pacing import REPLY_RETRIES, REPLY_WAIT_MAX, PacedReplies
from bot.delivery.requests import ENGINE_REQUEST
from tests.unit.test_pacer import Timeline, most_in_window, pacer_on

# PTB's RetryAfter warns about its own constructor's int-or-timedelta change.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

PERSON = 7301
GROUP = -100


class Telegram:
    """The callback PTB hands the rate limiter: records when each request went out, and
    answers the first ``floods`` of them with a 429, or the first ones with ``errors``."""

    def __init__(
        self,
        timeline: Timeline,
        floods: int = 0,
        retry_after: int = 3,
        errors: Sequence[Exception] = (),
    ) -> None:
        self.timeline = timeline
        self.floods = floods
        self.retry_after = retry_after
        self.errors = list(errors)
        self.times: list[float] = []

    async def __call__(self, endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
        self.times.append(self.timeline.now)
        if self.errors:
            raise self.errors.pop(0)
        if self.floods:
            self.floods -= 1
            raise RetryAfter(timedelta(seconds=self.retry_after))
        return {"message_id": len(self.times)}


async def request(
    limiter: PacedReplies,
    telegram: Telegram,
    endpoint: str = "sendMessage",
    chat_id: int = PERSON,
    rate_limit_args: dict[str, bool] | None = None,
) -> Any:
    data = {"chat_id": chat_id, "text": "hi"}
    return await limiter.process_request(
        telegram, (endpoint, data), {}, endpoint, data, rate_limit_args
    )


async def test_a_reply_that_meets_a_flood_wait_is_sent_after_it_and_holds_back_that_chat() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline)
    telegram = Telegram(timeline, floods=1, retry_after=3)
    assert await request(PacedReplies(pacer), telegram) == {"message_id": 2}
    assert telegram.times == [0.0, 3.0]
    # The outbox's messages to other chats did not wait with it (to that person they do,
    # see the next test).
    timeline.now = 1.0
    assert isinstance(pacer.take(555), Slot)


async def test_while_a_person_is_flooded_their_replies_wait_and_other_peoples_do_not() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline)
    pacer.flood(PERSON, 30)  # the outbox's send to them met a 429
    limiter = PacedReplies(pacer)
    other, flooded = Telegram(timeline), Telegram(timeline)
    await request(limiter, other, chat_id=PERSON + 1)
    await request(limiter, other, "editMessageText", chat_id=PERSON + 2)
    assert other.times == [0.0, 0.0]
    await request(limiter, flooded, chat_id=PERSON)
    assert flooded.times == [30.0]


async def test_replies_that_meet_429s_in_several_chats_pause_the_outbox_too() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline)
    limiter = PacedReplies(pacer)
    for chat in range(1, FLOOD_CHATS):
        pacer.flood(chat, 3)
    await request(limiter, Telegram(timeline, floods=1, retry_after=3), chat_id=PERSON)
    timeline.now = 1.0
    assert pacer.take(555) == pytest.approx(2.0)


async def test_a_reply_gives_up_after_repeated_or_long_flood_waits() -> None:
    timeline = Timeline()
    stubborn = Telegram(timeline, floods=REPLY_RETRIES + 1, retry_after=1)
    with pytest.raises(RetryAfter):
        await request(PacedReplies(pacer_on(timeline)), stubborn)
    assert len(stubborn.times) == REPLY_RETRIES + 1
    timeline = Timeline()
    long = Telegram(timeline, floods=1, retry_after=int(REPLY_WAIT_MAX) + 1)
    with pytest.raises(RetryAfter):
        await request(PacedReplies(pacer_on(timeline)), long)
    assert long.times == [0.0]  # not waited for: the person gets an answer now


async def test_replies_take_their_share_of_the_overall_rate() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline, rate=2)
    pacer.take(1001), pacer.take(1002)  # the outbox used this second up
    telegram = Telegram(timeline)
    await request(PacedReplies(pacer), telegram)
    assert telegram.times == [1.0]


async def test_a_reply_to_a_person_does_not_wait_a_second_but_a_group_keeps_its_limit() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline, group=2)
    limiter, telegram = PacedReplies(pacer), Telegram(timeline)
    for _ in range(3):
        await request(limiter, telegram, "sendMessage", PERSON)
        await request(limiter, telegram, "editMessageText", PERSON)
    assert telegram.times == [0.0] * 6  # a conversation's burst goes out at once
    group = Telegram(timeline)
    for _ in range(3):
        await request(limiter, group, "sendMessage", GROUP)
    assert group.times == [0.0, 1.0, 60.0]  # a group keeps every limit: 2 a minute here


async def test_the_outboxs_own_requests_and_non_sends_pass_straight_through() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline, rate=1)
    pacer.take(1001)  # this second is used up
    limiter, telegram = PacedReplies(pacer), Telegram(timeline)
    await request(limiter, telegram, rate_limit_args=ENGINE_REQUEST)  # holds its own slot
    await request(limiter, telegram, "answerCallbackQuery")  # not a message in a chat
    assert telegram.times == [0.0, 0.0]
    engine_flooded = Telegram(timeline, floods=1)
    with pytest.raises(RetryAfter):  # the worker records it on the row and pauses itself
        await request(limiter, engine_flooded, rate_limit_args=ENGINE_REQUEST)


def timed_out(cause: Exception) -> TimedOut:
    """A TimedOut as PTB's HTTPXRequest raises it: ``raise TimedOut from err``."""
    error = TimedOut()
    error.__cause__ = cause
    return error


async def test_a_reply_that_meets_bad_gateways_is_sent_after_a_short_back_off() -> None:
    timeline = Timeline()
    telegram = Telegram(timeline, errors=[NetworkError("Bad Gateway")] * 2)
    assert await request(PacedReplies(pacer_on(timeline)), telegram) == {"message_id": 3}
    assert telegram.times == [0.0, 0.5, 1.5]


async def test_a_reply_that_keeps_failing_is_given_up_after_the_bound_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    timeline = Timeline()
    down = Telegram(timeline, errors=[NetworkError("Bad Gateway")] * 10)
    with (
        caplog.at_level(logging.WARNING, logger="bot.delivery.reply_pacing"),
        pytest.raises(NetworkError, match="Bad Gateway"),
    ):
        await request(PacedReplies(pacer_on(timeline)), down)
    assert len(down.times) == REPLY_RETRIES + 1 and down.times[-1] == 3.5
    assert f"sendMessage given up on try {REPLY_RETRIES + 1}: Bad Gateway" in caplog.text


async def test_a_request_telegram_may_have_taken_is_not_sent_twice() -> None:
    timeline = Timeline()
    limiter = PacedReplies(pacer_on(timeline))
    # A read timeout: the message may well have arrived. A Bad Request fails again.
    for error in (timed_out(httpx.ReadTimeout("read")), TimedOut(), BadRequest("no text")):
        telegram = Telegram(timeline, errors=[error])
        with pytest.raises(type(error)):
            await request(limiter, telegram)
        assert len(telegram.times) == 1
    # No connection was made, or none was free: the request never left.
    for cause in (httpx.ConnectTimeout("connect"), httpx.PoolTimeout("pool")):
        telegram = Telegram(timeline, errors=[timed_out(cause)])
        assert await request(limiter, telegram) == {"message_id": 2}


# ---------------------------------------------------------------- interactive first


class Clockwork:
    """A fake timeline on which concurrent sleepers each wake at their own deadline, in
    deadline order (``Timeline`` moves time on for everyone at each sleep, which is fine
    for one caller but not for a broadcast's workers and a reply racing for a slot)."""

    def __init__(self) -> None:
        self.now = 0.0
        self._due: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._due, (self.now + max(0.0, seconds), next(self._order), woken))
        await woken

    async def run_until(self, end: float) -> None:
        """Let everyone run, waking sleepers one by one, until ``end``."""
        while True:
            for _ in range(50):  # everything runnable runs before time moves on
                await asyncio.sleep(0)
            if not self._due or self._due[0][0] > end:
                self.now = max(self.now, end)
                return
            at, _, woken = heapq.heappop(self._due)
            self.now = max(self.now, at)
            if not woken.done():
                woken.set_result(None)


ROUND_TRIP = 0.05  # Telegram answers each request after 50 ms
SHIPPED_RATE = 28  # delivery.rate_per_second as shipped


class Broadcast:
    """The outbox at full speed: ``workers`` each take a slot for the next recipient, send
    (a round trip), finish the slot, and go on; ``granted`` holds each grant's instant."""

    def __init__(self, pacer: Pacer, clock: Clockwork, workers: int = 8) -> None:
        self.granted: list[float] = []
        recipients = itertools.count(100_000)

        async def worker() -> None:
            while True:
                slot = await pacer.acquire(next(recipients))
                self.granted.append(clock.now)
                await clock.sleep(ROUND_TRIP)
                slot.finish()

        self.tasks = [asyncio.create_task(worker()) for _ in range(workers)]

    def between(self, start: float, end: float) -> list[float]:
        return [t for t in self.granted if start <= t < end]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class SlowTelegram(Telegram):
    """Telegram with a round trip: records when each request went out, by endpoint."""

    def __init__(self, clock: Clockwork) -> None:
        super().__init__(Timeline())
        self.clock = clock
        self.sent: list[tuple[str, float]] = []

    async def __call__(self, endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
        self.sent.append((endpoint, self.clock.now))
        await self.clock.sleep(ROUND_TRIP)
        return {"message_id": len(self.sent)}


def shipped_pacer(clock: Clockwork) -> Pacer:
    return Pacer(
        rate_per_second=SHIPPED_RATE,
        chat_interval=1.0,
        group_per_minute=20,
        monotonic=clock.monotonic,
        sleep=clock.sleep,
    )


async def saturated() -> tuple[Clockwork, Broadcast, PacedReplies, SlowTelegram]:
    """A broadcast at full rate for 3 s, and the replies' limiter on the same pacer."""
    clock = Clockwork()
    pacer = shipped_pacer(clock)
    broadcast = Broadcast(pacer, clock)
    await clock.run_until(3.0)
    return clock, broadcast, PacedReplies(pacer), SlowTelegram(clock)


async def test_during_a_saturated_broadcast_a_press_is_answered_and_edited_at_once() -> None:
    clock, broadcast, limiter, telegram = await saturated()

    async def press() -> None:
        await request(limiter, telegram, "answerCallbackQuery")
        await request(limiter, telegram, "editMessageText")

    pressed = asyncio.create_task(press())
    await clock.run_until(3.2)
    await broadcast.stop()
    assert pressed.done()
    # Neither waited for the broadcast's budget: only the answer's round trip between.
    assert telegram.sent == [("answerCallbackQuery", 3.0), ("editMessageText", 3.05)]


async def test_during_a_saturated_broadcast_a_reply_takes_the_next_free_slot() -> None:
    clock, broadcast, limiter, telegram = await saturated()
    replied = asyncio.create_task(request(limiter, telegram))
    await clock.run_until(5.0)
    await broadcast.stop()
    assert replied.done()
    [(_, at)] = telegram.sent
    assert 3.0 <= at < 4.0
    # Not one bulk message overtook it: it waited at most for one slot to free.
    assert broadcast.between(3.0, at) == []


async def test_replies_have_first_claim_yet_the_total_keeps_the_overall_rate() -> None:
    clock, broadcast, limiter, telegram = await saturated()
    people = range(PERSON, PERSON + 40)  # 40 people answered at once: more than a second's
    replies = [asyncio.create_task(request(limiter, telegram, chat_id=p)) for p in people]
    edits = [
        asyncio.create_task(request(limiter, telegram, "editMessageText", chat_id=p))
        for p in people
    ]
    await clock.run_until(8.0)
    await broadcast.stop()
    assert all(task.done() for task in replies + edits)
    sent = [at for endpoint, at in telegram.sent if endpoint == "sendMessage"]
    # Bulk sends yielded: 28 replies went in the first second, the rest in the next.
    assert max(sent) < 4.6 and len([t for t in sent if t < 4.0]) >= SHIPPED_RATE - 1
    assert len(broadcast.between(3.05, 4.0)) <= 1
    # New messages, bulk and replies together, never beyond the overall rate (edits are
    # not new messages and went at once).
    assert most_in_window(broadcast.granted + sent, 1.0) <= SHIPPED_RATE
    assert [at for endpoint, at in telegram.sent if endpoint == "editMessageText"] == [3.0] * 40
    # Once the replies are out, the broadcast has its full rate back.
    assert len(broadcast.between(6.0, 7.0)) == SHIPPED_RATE


async def test_a_reply_held_back_by_its_chat_does_not_hold_up_the_broadcast() -> None:
    clock = Clockwork()
    pacer = shipped_pacer(clock)
    pacer.flood(PERSON, 30)  # Telegram asked this person's chat to wait
    broadcast = Broadcast(pacer, clock)
    limiter, telegram = PacedReplies(pacer), SlowTelegram(clock)
    replied = asyncio.create_task(request(limiter, telegram))
    edited = asyncio.create_task(request(limiter, telegram, "editMessageText"))
    await clock.run_until(5.0)
    assert not replied.done() and not edited.done()  # both wait for the chat
    assert len(broadcast.between(3.0, 4.0)) == SHIPPED_RATE  # the others do not
    await broadcast.stop()
    replied.cancel(), edited.cancel()
    await asyncio.gather(replied, edited, return_exceptions=True)


async def test_a_429_to_a_callback_answer_holds_back_nothing_else() -> None:
    timeline = Timeline()
    during: list[Slot | float] = []

    async def sleep(seconds: float) -> None:  # while the answer waits out its 429
        during.append(pacer.take(PERSON))
        await timeline.sleep(seconds)

    pacer = Pacer(
        rate_per_second=29,
        chat_interval=1,
        group_per_minute=20,
        monotonic=timeline.monotonic,
        sleep=sleep,
    )
    answer = Telegram(timeline, floods=1, retry_after=2)
    await request(PacedReplies(pacer), answer, "answerCallbackQuery")
    assert answer.times == [0.0, 2.0]  # tried again after its wait
    assert len(during) == 1 and isinstance(during[0], Slot)  # no chat held, nothing paused


async def test_typing_takes_no_slot() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline, rate=1)
    pacer.take(1001)  # this second is used up
    telegram = Telegram(timeline)
    await request(PacedReplies(pacer), telegram, "sendChatAction")
    assert telegram.times == [0.0]
