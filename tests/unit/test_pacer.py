"""The pacer on a fake timeline: per-chat spacing, the overall rate, group minutes, pauses;
and the fake Bot API's flood limits agreeing with it to the last float."""

from __future__ import annotations

import asyncio
import heapq
import random
from collections.abc import AsyncIterator, Sequence

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from bot.delivery.answers import retry_after_seconds
from bot.delivery.pacer import FLOOR_SHARE, Pacer, Slot
from fakeapi import FakeBotApi, FakeRequest


class Timeline:
    """A monotonic clock that moves only when someone sleeps; nothing really waits.

    Each sleep moves time forward by its length at once, so concurrent sleepers see time
    run faster than it would: conservative, never kinder than the limits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def pacer_on(
    timeline: Timeline, *, rate: float = 29, interval: float = 1.0, group: int = 20
) -> Pacer:
    return Pacer(
        rate_per_second=rate,
        chat_interval=interval,
        group_per_minute=group,
        monotonic=timeline.monotonic,
        sleep=timeline.sleep,
    )


def most_in_window(times: Sequence[float], window: float) -> int:
    """The largest number of ``times`` inside any sliding ``window`` (half-open)."""
    ordered = sorted(times)
    return max(
        (sum(1 for t in ordered if start <= t < start + window) for start in ordered), default=0
    )


async def grants(pacer: Pacer, timeline: Timeline, chats: Sequence[int]) -> list[float]:
    """Acquire for each chat in turn; the timeline instant of each grant."""
    out = []
    for chat in chats:
        await pacer.acquire(chat)
        out.append(timeline.now)
    return out


async def test_one_private_chat_gets_one_message_a_second() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline)
    assert await grants(pacer, timeline, [7] * 5) == [0.0, 1.0, 2.0, 3.0, 4.0]


async def test_overall_rate_is_a_sliding_second() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline, rate=5)
    times = await grants(pacer, timeline, range(1, 21))
    assert times == [0.0] * 5 + [1.0] * 5 + [2.0] * 5 + [3.0] * 5
    assert most_in_window(times, 1.0) == 5


async def test_fractional_rate_below_one_spaces_single_sends() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline, rate=0.5, interval=0)
    assert await grants(pacer, timeline, [1, 2, 3]) == [0.0, 2.0, 4.0]


async def test_group_gets_at_most_its_quota_per_minute() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline, group=3)
    times = await grants(pacer, timeline, [-100] * 6)
    assert times == [0.0, 1.0, 2.0, 60.0, 61.0, 62.0]
    # A private chat is not held up by the group's minute.
    timeline.now = 3.0
    assert await grants(pacer, timeline, [5]) == [3.0]


async def test_pause_holds_every_chat() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline)
    await pacer.acquire(1)
    pacer.pause(5)
    assert await grants(pacer, timeline, [2, 3]) == [5.0, 5.0]


async def test_a_429_holds_back_its_chat_and_no_other() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline)
    assert pacer.flood(7, 30) is False  # one chat's flood: not the bot's
    assert pacer.chat_ready_in(7) == 30.0
    assert await grants(pacer, timeline, [8, 9]) == [0.0, 0.0]
    timeline.now = 10.0
    assert pacer.take(7, reply=True) == 20.0  # a reply to that person waits too
    assert await grants(pacer, timeline, [7]) == [30.0]
    # A group's 429 (its 20 a minute) is that group's alone too.
    assert pacer.flood(-50, 40) is False
    assert pacer.chat_ready_in(-50) == 40.0
    assert await grants(pacer, timeline, [8]) == [30.0]


async def test_429s_from_several_chats_within_the_window_pause_every_chat() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline)
    assert [pacer.flood(chat, 5) for chat in (1, 2, 3, 4)] == [False] * 4
    assert isinstance(pacer.take(99), Slot)  # four chats: still each its own
    assert pacer.flood(5, 5) is True  # the fifth within a second: the bot's flood
    assert await grants(pacer, timeline, [100]) == [5.0]
    # Spread over more than the window, as many 429s stay each chat's own.
    timeline = Timeline()
    pacer = pacer_on(timeline)
    for chat in range(1, 11):
        assert pacer.flood(chat, 5) is False
        timeline.now += 0.3
    assert pacer.chat_ready_in(100) == 0.0
    # A 429 to no chat in particular, and the old rule (flood_chats=1), pause at once.
    assert pacer.flood(0, 2) is True
    old = Pacer(
        rate_per_second=30,
        chat_interval=1,
        group_per_minute=20,
        flood_chats=1,
        monotonic=timeline.monotonic,
        sleep=timeline.sleep,
    )
    assert old.flood(42, 2) is True
    assert old.take(43) == pytest.approx(2.0)


async def test_a_held_chat_is_forgotten_once_its_wait_is_over() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline, rate=30)
    pacer.flood(7, 1)
    timeline.now = 2.0
    for chat in range(1, 4097):
        pacer.take(chat)
        timeline.now += 0.1
    assert 7 not in pacer._held_until


async def test_unlimited_pacer_never_sleeps() -> None:
    pacer = Pacer.unlimited()
    pacer.pause(60)
    for _ in range(100):
        assert pacer.try_acquire(1) == 0.0
    assert pacer.chat_ready_in(1) == 0.0


async def test_concurrent_callers_stay_within_every_limit() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline, rate=10, group=4)
    rng = random.Random(3)
    chats = [rng.choice([1, 2, 3, 4, 5, -9, -10]) for _ in range(120)]
    granted: list[tuple[float, int]] = []

    async def one(chat: int) -> None:
        await pacer.acquire(chat)
        granted.append((timeline.now, chat))

    await asyncio.gather(*(one(chat) for chat in chats))
    assert len(granted) == len(chats)
    assert most_in_window([t for t, _ in granted], 1.0) <= 10
    for chat in set(chats):
        mine = [t for t, c in granted if c == chat]
        assert most_in_window(mine, 1.0) == 1
        if chat < 0:
            assert most_in_window(mine, 60.0) <= 4


async def test_memory_of_idle_chats_is_dropped() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline, rate=30)
    for chat in range(1, 4097):
        await pacer.acquire(chat)
    timeline.now += 2
    for chat in range(5000, 9096):
        await pacer.acquire(chat)
    assert pacer.chat_ready_in(1) == 0.0
    assert len(pacer._last_in_chat) < 4096


# ---------------------------------------------------------------- the fake API's limits


@pytest.fixture
async def limited(
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[FakeBotApi, Bot, Timeline]]:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 23's retry_after: no warning per 429
    timeline = Timeline()
    api = FakeBotApi()
    api.enforce_limits(
        per_second=5, per_chat_per_second=1, group_per_minute=3, clock=timeline.monotonic
    )
    bot = Bot("123:ABC", request=FakeRequest(api), get_updates_request=FakeRequest(api))
    await bot.initialize()
    yield api, bot, timeline
    await bot.shutdown()


async def test_fake_api_answers_429_past_each_limit(
    limited: tuple[FakeBotApi, Bot, Timeline],
) -> None:
    api, bot, timeline = limited
    await bot.send_message(1, "a")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1, "b")  # same chat within the second
    assert retry_after_seconds(caught.value) == 1
    for chat in range(2, 6):
        await bot.send_message(chat, "x")
    with pytest.raises(RetryAfter):
        await bot.send_message(6, "x")  # sixth in the second overall
    timeline.now = 1.0
    await bot.send_message(6, "x")
    for second in (2.0, 3.0, 4.0):
        timeline.now = second
        await bot.send_message(-50, "g")
    timeline.now = 5.0
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(-50, "g")  # fourth in the group's minute
    assert retry_after_seconds(caught.value) == 57
    await bot.send_chat_action(1, "typing")  # not a message: never limited
    assert api.too_many_requests == 3
    assert api.send_times[1] == [0.0]
    assert api.send_times[-50] == [2.0, 3.0, 4.0]


async def test_fake_api_can_count_edits_toward_their_chat_only(
    limited: tuple[FakeBotApi, Bot, Timeline],
) -> None:
    api, bot, timeline = limited
    api.enforce_limits(
        per_second=5, per_chat_per_second=1, clock=timeline.monotonic, edits_overall=False
    )
    for chat in range(11, 16):
        await bot.send_message(chat, "to edit later")
    timeline.now = 2.0
    for chat in range(1, 6):
        await bot.send_message(chat, "x")
    for chat in range(11, 16):  # the second is full of new messages; edits still go
        await bot.edit_message_text("edited", chat_id=chat, message_id=1)
    with pytest.raises(RetryAfter):
        await bot.send_message(8, "x")  # edits took no share, but five sends did
    with pytest.raises(RetryAfter):
        await bot.edit_message_text("again", chat_id=1, message_id=1)  # its chat's limit
    assert api.too_many_requests == 2


async def test_paced_sends_never_meet_the_fake_limits(
    limited: tuple[FakeBotApi, Bot, Timeline],
) -> None:
    api, bot, timeline = limited
    pacer = pacer_on(timeline, rate=5, interval=1.0, group=3)
    rng = random.Random(7)
    for _ in range(60):
        chat = rng.choice([1, 2, 3, -50])
        await pacer.acquire(chat)
        await bot.send_message(chat, "paced")
    assert api.too_many_requests == 0
    assert sum(len(t) for t in api.send_times.values()) == 60


async def test_a_slot_counts_from_its_answer_until_a_round_trip_is_known() -> None:
    """Telegram counts a message when it arrives: with nothing learnt yet, and for a send
    that failed, a slow request must not let the next window's sends land inside this
    one's second."""
    timeline = Timeline()
    pacer = pacer_on(timeline, rate=2, interval=0)
    first = await pacer.acquire(1)
    second = await pacer.acquire(2)
    timeline.now = 0.4  # neither answered: a timeout, say
    first.finish(answered=False)
    second.finish(answered=False)
    third = await pacer.acquire(3)
    assert timeline.now == pytest.approx(1.4)  # not 1.0: a full second after the return
    third.finish(answered=False)
    assert pacer.floor == 0.0
    # The same holds per chat.
    pacer = pacer_on(timeline, rate=30, interval=1.0)
    timeline.now = 10.0
    slot = await pacer.acquire(7)
    timeline.now = 10.3
    slot.finish(answered=False)
    await pacer.acquire(7)
    assert timeline.now == pytest.approx(11.3)


async def test_an_answered_slot_counts_from_its_answer_less_the_floor() -> None:
    """Every round trip spends at least its floor (3/4 of the shortest seen) outside
    Telegram's count, so a send may go a second after an answer less the floor."""
    timeline = Timeline()
    pacer = pacer_on(timeline, rate=2, interval=1.0)
    first, second = await pacer.acquire(1), await pacer.acquire(2)
    timeline.now = 0.08
    with second:  # a 0.08 s round trip
        pass
    timeline.now = 0.2
    first.finish()  # 0.2 s: this one waited somewhere, maybe before Telegram counted it
    assert pacer.floor == pytest.approx(0.06)
    await pacer.acquire(3)  # a second after the first to count: 0.08 − 0.06
    assert timeline.now == pytest.approx(1.02)
    await pacer.acquire(4)  # and after the other: 0.2 − 0.06, not 0.2
    assert timeline.now == pytest.approx(1.14)
    # A chat's second counts the same way.
    pacer = pacer_on(timeline, rate=30, interval=1.0)
    timeline.now = 10.0
    with await pacer.acquire(7):
        timeline.now = 10.08
    await pacer.acquire(7)
    assert timeline.now == pytest.approx(11.02)


def most_after_arrival(arrivals: Sequence[float]) -> int:
    """The most arrivals within one second up to and including any arrival, as Telegram
    (and the stand-in) count: a send at ``s`` is in the window while ``s + 1 > now``."""
    ordered, first, most = sorted(arrivals), 0, 0
    for last, at in enumerate(ordered):
        while ordered[first] + 1.0 <= at:
            first += 1
        most = max(most, last - first + 1)
    return most


def paid_broadcast(
    finish: str, sends: int = 6000, seed: int = 5, workers: int = 200
) -> list[float]:
    """When Telegram counts each of ``sends`` paid sends (1,000/s) from ``workers``, each
    request taking 50–140 ms to arrive and 0–75 ms for its answer to return (the spread
    measured against the stand-in over HTTP, see docs/benchmarks.md). ``finish``: how the
    slots end, "answered" (the pacer learns the round trips), "failed" (counted from the
    answer, the old rule), "at once" (counted from the send, no margin)."""
    now = [0.0]
    pacer = Pacer(
        rate_per_second=28,
        chat_interval=1,
        group_per_minute=20,
        paid_rate_per_second=1000,
        monotonic=lambda: now[0],
    )
    rng = random.Random(seed)
    chats = iter(range(1, sends + 1))
    events: list[tuple[float, int, int, Slot | None]] = []  # (when, order, chat, slot)
    order = iter(range(10**9))
    arrivals: list[float] = []
    for _ in range(workers):
        heapq.heappush(events, (0.0, next(order), next(chats), None))
    while events:
        now[0], _, chat, slot = heapq.heappop(events)
        if slot is not None:  # an answer came back: finish, take the next chat
            if finish != "at once":
                slot.finish(answered=finish == "answered")
            chat = next(chats, 0)
            if not chat:
                continue
        taken = pacer.take(chat, paid=True)
        if isinstance(taken, float):
            heapq.heappush(events, (now[0] + taken, next(order), chat, None))
            continue
        if finish == "at once":
            taken.finish(answered=False)
        there, back = 0.05 + 0.09 * rng.random() ** 3, 0.075 * rng.random() ** 3
        arrivals.append(now[0] + there)
        heapq.heappush(events, (now[0] + there + back, next(order), chat, taken))
    return arrivals


def test_paid_sends_paced_from_the_floor_never_overrun_telegrams_second() -> None:
    learnt = paid_broadcast("answered")
    assert len(learnt) == 6000
    assert most_after_arrival(learnt) <= 1000
    # Counted from the send alone, requests that travelled fast overtake slow ones.
    assert most_after_arrival(paid_broadcast("at once")) > 1000
    # Counted from the answer (the old rule), each second stretches by a round trip.
    old = paid_broadcast("failed")
    assert most_after_arrival(old) <= 1000

    def rate(arrivals: list[float]) -> float:
        return len(arrivals) / (max(arrivals) - min(arrivals))

    assert rate(learnt) >= 950 > rate(old)


async def test_a_429_to_a_send_the_floor_let_through_falls_back_to_answers() -> None:
    timeline = Timeline()
    pacer = pacer_on(timeline, rate=1, interval=0)
    first = await pacer.acquire(1)
    timeline.now = 0.1
    first.finish()  # floor 0.075
    second = await pacer.acquire(2)
    assert second.early and timeline.now == pytest.approx(1.025)
    timeline.now = 1.125
    second.finish(answered=False)  # Telegram answered 429 after all
    pacer.flood(2, 1, second)
    assert pacer.floor == 0.0
    await pacer.acquire(3)  # from the answer: the floor is no longer trusted
    assert timeline.now == pytest.approx(2.125)
    # Round trips of the next minute teach nothing; after it the floor is learnt again.
    for chat, start in ((4, 10.0), (5, 62.0)):
        timeline.now = start
        slot = await pacer.acquire(chat)
        timeline.now += 0.2
        slot.finish()
    assert pacer.floor == pytest.approx(0.15)
    # A 429 to a send that did not rely on the floor (its window was not full) keeps it.
    timeline.now = 100.0
    calm = await pacer.acquire(6)
    assert not calm.early
    pacer.flood(6, 1, calm)
    assert pacer.floor == pytest.approx(0.15)


def test_a_slot_that_waited_after_its_grant_learns_its_round_trip_from_its_request() -> None:
    """A send that waited for the budget shared with other instances after its grant: its
    round trip, and so the floor, count from when its request began, not the grant."""
    timeline = Timeline()
    pacer = pacer_on(timeline)
    slot = pacer.take(1)
    assert isinstance(slot, Slot)
    timeline.now = 0.5
    slot.begin()
    timeline.now = 0.55
    slot.finish()
    assert pacer.floor == pytest.approx(FLOOR_SHARE * 0.05)
