"""Paid broadcasts in the engine, the pacer and the settings: the paid rate on the fake
timeline, the Stars counted and capped, and Telegram refusing for a low balance."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from app.cli import main
from bot.config import DeliverySettings, load_settings
from bot.delivery.engine import DeliveryEngine
from bot.delivery.outgoing import Outgoing, PaidBudget
from bot.delivery.pacer import Pacer
from bot.directives.drafting import paid_estimate
from bot.kit.clock import FakeClock
from fakeapi import FakeBotApi, FakeRequest
from storage import Storage
from storage.outbox import NewMessage, OutboxRow, Priority
from tests.unit.test_delivery import TOKEN, engine, statuses
from tests.unit.test_pacer import Timeline, most_in_window

KIND = "paid_test"
PAID: dict[str, Any] = {"paid_broadcast": True, "paid_rate_per_second": 100}


@pytest.fixture
def api(clock: FakeClock) -> FakeBotApi:
    return FakeBotApi(clock=clock.now)


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, request=FakeRequest(api)) as started:
        yield started


def renderer(budget: PaidBudget | None) -> dict[str, Any]:
    async def render(row: OutboxRow) -> Outgoing:
        return Outgoing(text=f"to {row.chat_id}", paid=budget)

    return {KIND: render}


async def queue_crowd(storage: Storage, clock: FakeClock, count: int) -> None:
    messages = [
        NewMessage(KIND, 1000 + n, None, None, Priority.BULK, {}, clock.now()) for n in range(count)
    ]
    async with storage.db.transaction() as conn:
        await storage.outbox.enqueue_many(conn, messages, clock.now())


async def send_paced(
    storage: Storage,
    bot: Bot,
    api: FakeBotApi,
    clock: FakeClock,
    count: int,
    budget: PaidBudget,
    **delivery: Any,
) -> tuple[DeliveryEngine, Timeline]:
    """Queue ``count`` rows of ``budget`` and drain them, paced on a fake timeline, against
    a stand-in that enforces 30/s free and 100/s paid."""
    timeline = Timeline()
    api.enforce_limits(per_second=30, paid_per_second=100, clock=timeline.monotonic)
    pacer = Pacer.from_settings(
        DeliverySettings(**delivery), monotonic=timeline.monotonic, sleep=timeline.sleep
    )
    await queue_crowd(storage, clock, count)
    sender = engine(storage, bot, clock, pacer=pacer, renderers=renderer(budget), **delivery)
    assert await sender.drain() == count
    assert api.too_many_requests == 0
    return sender, timeline


def flagged(api: FakeBotApi) -> list[bool]:
    return [c.params.get("allow_paid_broadcast") is True for c in api.calls_of("sendMessage")]


async def test_paid_rows_go_with_allow_paid_broadcast_at_the_paid_rate(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    delivery, timeline = await send_paced(
        storage, bot, api, clock, 300, PaidBudget(1, cap=10_000), **PAID
    )
    assert all(flagged(api)) and len(flagged(api)) == 300
    everything = [t for times in api.send_times.values() for t in times]
    assert most_in_window(everything, 1.0) <= 100
    assert timeline.now < 4.0  # 300 at 100/s; at the free 30/s it takes ten seconds
    # Of each second's sends, the first 30 are free (test_each_second_s_first_30_paid_
    # sends_are_free): 3 × 70 charged when the sends fill three seconds. How the workers'
    # waits fall on the fake timeline (over a real store's round trips) may spread them
    # over a fourth, which charges less (at least 300 - 4 × 30), never more than the
    # composer's estimate.
    assert set(delivery.paid.charged) == {1}
    assert 180 <= delivery.paid.charged[1] <= 210
    assert paid_estimate(300, 100) == 21  # the estimate: 210 × 0.1 at most


async def test_without_paid_broadcasts_on_the_same_rows_go_free(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    _, timeline = await send_paced(storage, bot, api, clock, 60, PaidBudget(1, 10_000))
    assert not any(flagged(api))
    assert timeline.now >= 1.0  # two seconds' worth of the free rate


async def test_past_the_cap_the_rest_goes_at_the_free_rate(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    budget = PaidBudget(1, cap=50, used=20)  # 5 Stars, 2 of them used before a restart
    delivery, _ = await send_paced(storage, bot, api, clock, 200, budget, **PAID)
    assert delivery.paid.charged == {1: 50}
    # 30 free in the first second, then 30 charged; the rest free. (Counted, not by
    # position: sends granted together may reach Telegram in another order.)
    assert flagged(api).count(True) == 60
    assert await statuses(storage) == {"sent": 200}


async def test_a_low_star_balance_sends_that_row_and_the_rest_free(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    await queue_crowd(storage, clock, 20)
    api.fail_next("sendMessage", error_code=400, description="Bad Request: BALANCE_TOO_LOW")
    delivery = engine(
        storage, bot, clock, renderers=renderer(PaidBudget(7, 10_000)), concurrency=1, **PAID
    )
    await delivery.drain()
    calls = api.calls_of("sendMessage")
    assert [c.ok for c in calls] == [False] + [True] * 20
    # Sends granted before the refusal came back go as they were (Telegram would refuse
    # them too, and they would go again free): at most the other workers' one each.
    # Every send after it goes free, the refused row's too.
    in_flight = DeliverySettings(**PAID).workers - 1
    assert flagged(api)[0] and flagged(api)[1:].count(True) <= in_flight
    [again] = [c for c in calls[1:] if c.chat_id == calls[0].chat_id]
    assert again.params.get("allow_paid_broadcast") is not True
    # The refused row went again: everyone got theirs, once.
    assert sorted(c.chat_id or 0 for c in calls[1:]) == list(range(1000, 1020))
    assert set(delivery.paid.refused) == {7}
    assert await statuses(storage) == {"sent": 20}
    # Another 400 to a free send is the message's own fault, as before.
    await queue_crowd(storage, clock, 1)
    api.fail_next("sendMessage", error_code=400, description="Bad Request: BALANCE_TOO_LOW")
    await engine(storage, bot, clock, renderers=renderer(None)).drain()
    assert await statuses(storage) == {"sent": 20, "failed": 1}


def test_workers_follow_the_paid_rate() -> None:
    assert DeliverySettings().workers == 8
    assert DeliverySettings(paid_broadcast=True).workers == 100  # 1,000/s over 100 ms
    assert DeliverySettings(paid_broadcast=True, paid_rate_per_second=50).workers == 8


@pytest.mark.parametrize(
    ("recipients", "rate", "stars"),
    [(1000, 1000, 97), (20_000, 1000, 1940), (30, 1000, 0), (100, 31, 0), (1000, 100, 70)],
)
def test_the_estimate_counts_what_the_free_rate_would_not_send(
    recipients: int, rate: int, stars: int
) -> None:
    assert paid_estimate(recipients, rate) == stars


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ("paid_rate_per_second = 30", "delivery.paid_rate_per_second: input should be greater"),
        ("paid_rate_per_second = 1001", "delivery.paid_rate_per_second: input should be less"),
        ("paid_budget_stars = 0", "delivery.paid_budget_stars: input should be greater"),
        ('paid_broadcast = "maybe"', "delivery.paid_broadcast: input should be a valid boolean"),
    ],
)
def test_paid_settings_are_checked_by_key(
    tmp_path: Path, toml: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``muster config check`` exits non-zero with one line naming the key."""
    path = tmp_path / "config.toml"
    path.write_text(f"[delivery]\n{toml}\n", encoding="utf-8")
    assert main(["--config", str(path), "config", "check"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(problem), line


def test_the_example_keeps_paid_broadcasts_off() -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    settings = load_settings(example)
    assert not settings.delivery.paid_broadcast
    assert settings.delivery.paid_rate_per_second == 1000


async def test_the_stand_in_takes_paid_sends_past_the_free_limit(
    bot: Bot, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # retry_after as PTB's next version gives it
    timeline = Timeline()
    api.enforce_limits(per_second=2, paid_per_second=4, clock=timeline.monotonic)
    for chat in range(4):
        await bot.send_message(chat + 10, "paid", allow_paid_broadcast=True)
    with pytest.raises(RetryAfter):  # the paid limit counts everything
        await bot.send_message(20, "paid", allow_paid_broadcast=True)
    timeline.now = 1.0
    await bot.send_message(21, "free")
    await bot.send_message(22, "free")
    with pytest.raises(RetryAfter):  # the free limit counts the free ones
        await bot.send_message(23, "free")
    await bot.send_message(24, "paid", allow_paid_broadcast=True)
    assert api.paid_sends == 5 and api.too_many_requests == 2


def test_each_second_s_first_30_paid_sends_are_free() -> None:
    """50 paid sends a second, evenly spread, for 3 s: 20 of each second's 50 charged."""
    timeline = Timeline()
    pacer = Pacer(
        rate_per_second=28,
        chat_interval=1.0,
        group_per_minute=20,
        monotonic=timeline.monotonic,
        sleep=timeline.sleep,
        paid_rate_per_second=100,
    )
    charged = 0
    for n in range(150):
        timeline.now = n / 50
        slot = pacer.take(n, paid=True)
        assert not isinstance(slot, float)
        charged += slot.charged
    assert charged == 60 == paid_estimate(150, 50) * 10
