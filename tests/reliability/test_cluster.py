"""Several instances draining one outbox on PostgreSQL (issue #20): two delivery engines in
this process, each with its own pool on one database, its lease and its pacer, sending to
one fake Bot API that enforces Telegram's limits on a shared fake timeline.

Each message goes out once (a killed instance's in-flight ones at most twice), a chat's
in order, never more than the overall budget in any second, and a live instance's rows
are never taken. SQLite's one process takes everything back at start, as before
(tests/unit/test_delivery.py)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot
from telegram.ext import ExtBot

from app.cluster import CLUSTER as CLUSTER_SLOT
from app.runner import running
from bot.config import ConfigError, DeliverySettings, load_settings
from bot.delivery.cluster_config import ClusterSettings
from bot.delivery.engine import DeliveryEngine
from bot.delivery.lease import (
    FLOOR_SAMPLES,
    FREE,
    IN_FLIGHT_HOLD,
    POLL_SECONDS,
    WANT_SECONDS,
    InstanceLease,
    SharedBudget,
    SharedSend,
)
from bot.delivery.outgoing import notice_message
from bot.delivery.pacer import FLOOR_SHARE, Pacer
from bot.delivery.reply_pacing import PacedReplies
from bot.kit.clock import FakeClock
from fakeapi import FakeBotApi, FakeRequest
from handlers.kit.slots import DELIVERY
from storage import Storage
from storage.cluster import Instance
from storage.outbox import SURGE_ROWS, OutboxStatus
from tests.flows.conftest import build_app
from tests.unit.test_pacer import Timeline, most_in_window

TOKEN = "123:ABC"
SETTINGS = DeliverySettings()
# Long enough for the survivor to send what it can while the other still counts as alive,
# however fast the shared timeline runs (each concurrent pacer sleep moves it on).
CLUSTER = ClusterSettings(lease_seconds=60)


class TimelineClock:
    """Wall time that moves with the timeline (every pacer's sleep), as the API's does."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.start = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.timeline.now)


@dataclass
class Node:
    """One instance: its own store (pool), bot, pacer, engine and lease."""

    name: str
    storage: Storage
    bot: Bot
    engine: DeliveryEngine
    lease: InstanceLease


@dataclass
class Cluster:
    timeline: Timeline
    clock: TimelineClock
    api: FakeBotApi
    nodes: list[Node]
    url: str

    async def statuses(self) -> dict[str, int]:
        rows = await self.nodes[0].storage.db.fetchall(
            "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status"
        )
        return {str(r["status"]): int(r["n"]) for r in rows}

    async def queue(self, chats: int, each: int) -> None:
        """``each`` numbered messages to every one of ``chats`` chats, interleaved."""
        messages = [
            notice_message(chat, f"#{n}", not_before=self.clock.now())
            for n in range(each)
            for chat in range(1, chats + 1)
        ]
        storage = self.nodes[0].storage
        async with storage.db.transaction() as conn:
            await storage.outbox.enqueue_many(conn, messages, self.clock.now())

    async def drain(self, *nodes: Node) -> None:
        """The instances drain together until nothing is left that they may send."""
        for _ in range(200):
            handled = await asyncio.gather(*(n.engine.drain() for n in nodes))
            if not any(handled):
                return
        raise AssertionError("the instances never ran dry")

    def sends(self) -> list[tuple[int, str]]:
        return [
            (int(c.params["chat_id"]), str(c.params["text"]))
            for c in self.api.calls_of("sendMessage")
        ]


async def _node(
    name: str, url: str, api: FakeBotApi, timeline: Timeline, clock: TimelineClock
) -> Node:
    storage = await Storage.open(url, pool_size=4)
    pacer = Pacer.from_settings(SETTINGS, monotonic=timeline.monotonic, sleep=timeline.sleep)
    budget = SharedBudget.from_settings(storage, clock, SETTINGS)
    bot = ExtBot(
        TOKEN,
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
        rate_limiter=PacedReplies(pacer, budget),  # the app's replies
    )
    await bot.initialize()
    engine = DeliveryEngine(
        storage,
        bot,
        clock,  # a Clock by shape
        SETTINGS,
        {},
        pacer,
        idle_poll_seconds=60,
        owner=name,
        budget=budget,
    )
    lease = InstanceLease(storage, clock, CLUSTER, Instance(name, "host", 1))
    return Node(name, storage, bot, engine, lease)


@pytest.fixture
async def cluster(clean_postgres_database: str) -> AsyncIterator[Cluster]:
    timeline = Timeline()
    clock = TimelineClock(timeline)
    api = FakeBotApi(clock=clock.now)
    api.enforce_limits(clock=timeline.monotonic)  # Telegram's limits, counted as it would
    nodes = [
        await _node(name, clean_postgres_database, api, timeline, clock) for name in ("a", "b")
    ]
    for node in nodes:
        await node.lease.start()
    yield Cluster(timeline, clock, api, nodes, clean_postgres_database)
    for node in nodes:
        await node.bot.shutdown()
        await node.storage.close()


def _429s(api: FakeBotApi) -> int:
    return sum(1 for c in api.calls if c.status == 429)


def _in_order(sends: list[tuple[int, str]]) -> bool:
    seen: dict[int, list[int]] = {}
    for chat, text in sends:
        seen.setdefault(chat, []).append(int(text[1:]))
    return all(numbers == sorted(numbers) for numbers in seen.values())


async def test_two_instances_send_each_message_once_in_order_within_the_budget(
    cluster: Cluster,
) -> None:
    await cluster.queue(chats=400, each=5)  # 2,000 messages
    a, b = cluster.nodes
    await cluster.drain(a, b)
    sends = cluster.sends()
    assert len(sends) == 2000 and len(set(sends)) == 2000  # each exactly once
    assert _in_order(sends)
    assert _429s(cluster.api) == 0
    times = [t for chat_times in cluster.api.send_times.values() for t in chat_times]
    assert most_in_window(times, 1.0) <= SETTINGS.rate_per_second  # both together
    assert await cluster.statuses() == {"sent": 2000}
    by = await a.storage.db.fetchall(
        "SELECT claimed_by, COUNT(*) AS n FROM outbox GROUP BY claimed_by"
    )
    shares = {r["claimed_by"]: int(r["n"]) for r in by}
    assert set(shares) == {"a", "b"} and min(shares.values()) > 300  # both drained


async def pending_planned(cluster: Cluster) -> float:
    """How many pending rows PostgreSQL's planner expects the outbox to hold."""
    plan = await cluster.nodes[0].storage.db.fetchone(
        "EXPLAIN (FORMAT JSON) SELECT id FROM outbox WHERE status = 'pending'"
    )
    assert plan is not None
    return float(json.loads(plan[0])[0]["Plan"]["Plan Rows"])


async def test_a_surge_of_rows_is_claimed_as_what_it_is(cluster: Cluster) -> None:
    """A directive's worth of rows queued into an outbox the planner last saw with none
    pending: the claims are planned for them, not for a handful (planned so, a claim at
    10,000 rows took 12 s until autovacuum caught up: docs/reliability.md, finding 7)."""
    await cluster.nodes[0].storage.db.write("ANALYZE outbox")  # seen empty
    await cluster.queue(chats=SURGE_ROWS, each=1)
    assert await pending_planned(cluster) >= SURGE_ROWS / 2
    await cluster.drain(*cluster.nodes)
    assert len(cluster.sends()) == SURGE_ROWS


async def test_a_chat_waits_for_its_row_in_flight_on_another_instance(
    cluster: Cluster,
) -> None:
    await cluster.queue(chats=1, each=3)
    a, b = cluster.nodes
    now = cluster.clock.now()
    [first] = await a.storage.outbox.claim(now, 10, by="a")
    assert first.payload["text"] == "#0"
    # Another instance's row in flight: the chat is not due for b, nor is it counted due.
    assert await b.storage.outbox.claim(now, 10, by="b") == []
    assert await b.storage.outbox.next_due_at(by="b") is None
    # a holds its own chat back in memory: its later rows may come in the same burst.
    [second] = await a.storage.outbox.claim(now, 10, by="a")
    assert second.payload["text"] == "#1"
    await a.storage.outbox.mark_sent(first.id, 1, now)
    assert await b.storage.outbox.claim(now, 10, by="b") == []  # #1 is still in flight
    await a.storage.outbox.mark_sent(second.id, 2, now)
    [third] = await b.storage.outbox.claim(now, 10, by="b")
    assert third.payload["text"] == "#2"


async def test_claims_at_the_same_moment_never_take_one_row_twice(cluster: Cluster) -> None:
    await cluster.queue(chats=300, each=1)
    a, b = cluster.nodes
    now = cluster.clock.now()
    claims = await asyncio.gather(
        *(node.storage.outbox.claim(now, 16, by=node.name) for node in (a, b) for _ in range(10))
    )
    ids = [row.id for rows in claims for row in rows]
    assert len(ids) == len(set(ids)) == 300


async def test_another_instances_last_send_holds_its_chat(cluster: Cluster) -> None:
    """Per chat, one message a second across instances: b sends a's chat's next message a
    second after a's, though b's pacer never saw a's send."""
    await cluster.queue(chats=1, each=1)
    a, b = cluster.nodes
    assert await a.engine.drain() == 1
    await b.storage.outbox.enqueue(
        notice_message(1, "#1", not_before=cluster.clock.now()), cluster.clock.now()
    )
    await cluster.drain(b)
    assert cluster.sends() == [(1, "#0"), (1, "#1")]
    first, second = cluster.api.send_times[1]
    assert second - first >= 1.0
    assert _429s(cluster.api) == 0


async def test_another_instances_sends_to_a_group_count_towards_its_minute(
    cluster: Cluster,
) -> None:
    """20 a minute to a group across instances: b's first send to the group a sent 20 to
    waits for the minute from a's first."""
    group = -100
    a, b = cluster.nodes
    for n in range(21):
        await a.storage.outbox.enqueue(
            notice_message(group, f"#{n}", not_before=cluster.clock.now()), cluster.clock.now()
        )
    # a sends 20 and is stopped; b goes on with the group.
    sent_by_a = 0
    while sent_by_a < 20:
        [row] = await a.storage.outbox.claim(cluster.clock.now(), 1, by="a")
        slot = await a.engine.pacer.acquire(group)
        await a.bot.send_message(group, row.payload["text"])
        slot.finish()
        await a.storage.outbox.mark_sent(row.id, sent_by_a + 1, cluster.clock.now())
        sent_by_a += 1
    await cluster.drain(b)
    times = cluster.api.send_times[group]
    assert len(times) == 21 and times[20] - times[0] >= 60.0
    assert _429s(cluster.api) == 0


@pytest.mark.parametrize("chat", [1, -100])
async def test_a_late_send_holds_its_chat_on_the_other_instance_from_when_it_went(
    cluster: Cluster, chat: int
) -> None:
    """a takes its pacer slot for the chat, then pauses 0.6 s before sending: b's next
    send to the chat keeps a second (a group: b's 20th a minute) from a's real send, as
    the chat's last send is recorded when Telegram answered it."""
    a, b = cluster.nodes
    sends = 20 if chat < 0 else 1
    for n in range(sends + 1):
        await a.storage.outbox.enqueue(
            notice_message(chat, f"#{n}", not_before=cluster.clock.now()), cluster.clock.now()
        )
    for n in range(sends):
        [row] = await a.storage.outbox.claim(cluster.clock.now(), 1, by="a")
        slot = await a.engine.pacer.acquire(chat)
        if n == 0:
            cluster.timeline.now += 0.6  # a wakes late for its first send
        await a.bot.send_message(chat, row.payload["text"])
        slot.finish()
        await a.storage.outbox.mark_sent(row.id, n + 1, cluster.clock.now())
    await cluster.drain(b)
    times = cluster.api.send_times[chat]
    assert len(times) == sends + 1
    assert times[-1] - times[0] >= (60.0 if chat < 0 else 1.0)
    assert _429s(cluster.api) == 0


async def test_an_instance_paused_past_its_lease_registers_again(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = cluster.nodes
    await b.lease.renew()
    cluster.timeline.now += CLUSTER.lease_seconds - 1  # a long pause of a's
    await b.lease.renew()
    cluster.timeline.now += 1
    await b.lease.renew()  # b sweeps a away
    assert await b.storage.db.fetchall("SELECT id FROM instances WHERE id = 'a'") == []
    assert "registering again" not in caplog.text
    await a.lease.renew()
    assert "instance a: its lease had run out; registering again" in caplog.text
    assert [i.id for i in await b.storage.cluster.live(cluster.clock.now())] == ["a", "b"]


async def test_a_killed_instances_rows_go_to_the_survivor_once_its_lease_runs_out(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 120 messages: what b can send while a's lease still runs.
    await cluster.queue(chats=60, each=2)
    a, b = cluster.nodes
    never = asyncio.Event()

    async def hang(*_: Any) -> None:  # the process dies after its sends, before the commit
        await never.wait()

    async def nothing(*_: Any) -> int:  # and puts nothing back: it is killed
        return 0

    for method, stub in (("mark_sent_many", hang), ("release", nothing)):
        monkeypatch.setattr(a.storage.outbox, method, stub)
    dying = asyncio.create_task(a.engine.drain())
    while len(cluster.api.calls_of("sendMessage")) < SETTINGS.workers:  # all hung
        await cluster.api.wait_for_call("sendMessage", since=len(cluster.api.calls))
    a_sent = set(cluster.sends())
    in_flight = await a.storage.db.fetchall(
        "SELECT id, chat_id FROM outbox WHERE status = 'sending' AND claimed_by = 'a'"
    )
    assert len(in_flight) >= len(a_sent) == SETTINGS.workers
    dying.cancel()  # SIGKILL
    with pytest.raises(asyncio.CancelledError):
        await dying

    # a is alive as far as anyone knows (its lease runs): b leaves its rows alone.
    await a.lease.renew()
    await b.lease.renew()
    started = cluster.timeline.now
    await cluster.drain(b)
    assert cluster.timeline.now - started < CLUSTER.lease_seconds
    assert await b.lease.renew() == 0
    kept = await a.storage.db.fetchall(
        "SELECT id FROM outbox WHERE status = 'sending' AND claimed_by = 'a'"
    )
    assert {r["id"] for r in kept} == {r["id"] for r in in_flight}
    a_chats = {r["chat_id"] for r in in_flight}
    assert not any(chat in a_chats for chat, _ in set(cluster.sends()) - a_sent)

    # a renews no more; once its lease has run out, b takes back its rows, and only those.
    cluster.timeline.now += CLUSTER.lease_seconds
    assert await b.lease.renew() == len(in_flight)
    assert [i.id for i in await b.storage.cluster.live(cluster.clock.now())] == ["b"]
    await cluster.drain(b)
    assert await cluster.statuses() == {"sent": 120}
    counts = Counter(cluster.sends())
    assert set(counts) == {(chat, f"#{n}") for chat in range(1, 61) for n in range(2)}
    twice = {send for send, n in counts.items() if n > 1}
    # Only what a had sent before it died, uncommitted, goes twice.
    assert twice == a_sent and len(twice) <= len(in_flight)
    assert all(n <= 2 for n in counts.values())
    assert _in_order(cluster.sends())
    assert _429s(cluster.api) == 0


async def test_a_restart_under_the_same_id_takes_back_its_own_rows_only(
    cluster: Cluster,
) -> None:
    await cluster.queue(chats=6, each=1)
    a, b = cluster.nodes
    now = cluster.clock.now()
    mine = await a.storage.outbox.claim(now, 3, by="a")
    theirs = await b.storage.outbox.claim(now, 3, by="b")
    again = InstanceLease(a.storage, cluster.clock, CLUSTER, Instance("a", "host", 2))
    assert await again.start() == len(mine) == 3  # a's previous life; b lives
    for row in theirs:
        assert (await b.storage.outbox.get(row.id)).status == OutboxStatus.SENDING  # type: ignore[union-attr]


async def test_a_graceful_stop_puts_its_claims_back_and_leaves(cluster: Cluster) -> None:
    await cluster.queue(chats=4, each=1)
    a, b = cluster.nodes
    await a.storage.outbox.claim(cluster.clock.now(), 4, by="a")
    await a.lease.stop()
    assert await cluster.statuses() == {"pending": 4}
    assert [i.id for i in await b.storage.cluster.live(cluster.clock.now())] == ["b"]
    await cluster.drain(b)
    assert await cluster.statuses() == {"sent": 4}


async def _send(
    cluster: Cluster, budget: SharedBudget, *, paid: bool = False, late: float = 0.0
) -> float:
    """One send through ``budget``: taken, sent ``late`` seconds after (its process paused
    in between), answered at once; the moment it reached Telegram."""
    shared = await budget.acquire(cluster.timeline.sleep, None, paid=paid)
    assert shared is not None
    cluster.timeline.now += late
    arrived = cluster.timeline.now
    await budget.finish(shared, answered=True)
    return arrived


async def test_a_late_send_does_not_put_two_sends_inside_the_window(cluster: Cluster) -> None:
    """a takes a send, then pauses 0.3 s before sending it, while b sends as fast as the
    budget lets it. A reserved moment (as the budget was) let b go on from a's moment, and
    a's late send made eleven in a second; a's row counts from its answer instead."""
    a, b = (SharedBudget(n.storage, cluster.clock, 10) for n in cluster.nodes)
    shared = await a.acquire(cluster.timeline.sleep, None)
    assert shared is not None
    arrivals = [await _send(cluster, b) for _ in range(9)]  # the rest of the second's ten
    cluster.timeline.now += 0.3  # a wakes late
    arrivals.append(cluster.timeline.now)
    cluster.timeline.now += 0.05  # its answer
    await a.finish(shared, answered=True)
    arrivals += [await _send(cluster, b) for _ in range(20)]
    assert most_in_window(arrivals, 1.0) == 10
    assert cluster.timeline.now < 3.5  # and the budget is used: 30 sends in ~3 s


async def test_a_row_counts_from_the_answer_less_a_share_of_the_shortest_round_trip(
    cluster: Cluster,
) -> None:
    """Learnt from the budget's own sends (a take to its answer), so a pacer slot that
    waited for the budget does not stretch it."""
    a = SharedBudget(cluster.nodes[0].storage, cluster.clock, 1)

    async def send(round_trip: float) -> float:
        """The time the send's row counts from."""
        shared = await a.acquire(cluster.timeline.sleep, None)
        assert shared is not None
        cluster.timeline.now += round_trip
        await a.finish(shared, answered=True)
        [row] = await cluster.nodes[0].storage.db.fetchall("SELECT counts_from FROM send_window")
        return float(row["counts_from"]) - cluster.clock.now().timestamp()

    # A late first send (a pause before its request) is not taken for the way's own time:
    # until FLOOR_SAMPLES answers, a row counts from its answer.
    assert await send(0.3) == pytest.approx(0.0, abs=1e-5)
    for _ in range(FLOOR_SAMPLES - 2):
        assert await send(0.1) == pytest.approx(0.0, abs=1e-5)
    assert await send(0.08) == pytest.approx(-0.5 * FLOOR_SHARE * 0.08, abs=1e-5)
    assert await send(0.2) == pytest.approx(-0.5 * FLOOR_SHARE * 0.08, abs=1e-5)


async def test_both_instances_late_keep_the_window(cluster: Cluster) -> None:
    """Every send of both instances goes late by a different share of a second: never
    more than the budget's sends in a second, whichever instance is late."""
    a, b = (SharedBudget(n.storage, cluster.clock, 10) for n in cluster.nodes)
    arrivals = [await _send(cluster, (a, b)[n % 2], late=(n % 7) * 0.04) for n in range(60)]
    assert most_in_window(arrivals, 1.0) <= 10


async def test_instances_taking_at_once_never_take_one_row_twice(cluster: Cluster) -> None:
    a, b = (SharedBudget(n.storage, cluster.clock, 10) for n in cluster.nodes)
    await cluster.nodes[0].storage.cluster.open_window(FREE, 10)
    taken = await asyncio.gather(*(budget.take() for budget in (a, b) * 6))
    rows = [t.slot for send in taken if not isinstance(send, float) for t in send.tickets]
    assert sorted(rows) == list(range(10))
    waits = [send for send in taken if isinstance(send, float)]
    # Every row in flight: the first counts from its hold.
    assert len(waits) == 2 and all(0 < wait <= IN_FLIGHT_HOLD + 1.0 + 1e-3 for wait in waits)


async def test_a_killed_instances_sends_in_flight_come_back_after_their_hold(
    cluster: Cluster,
) -> None:
    a, b = (SharedBudget(n.storage, cluster.clock, 10) for n in cluster.nodes)
    assert await a.take() != 0.0  # a takes a send and dies before its answer
    arrivals = [await _send(cluster, b) for _ in range(19)]
    # b's ten rows… nine: a's stays taken, counted IN_FLIGHT_HOLD ahead.
    assert most_in_window(arrivals, 1.0) == 9
    while cluster.timeline.now < IN_FLIGHT_HOLD + 3:
        arrivals.append(await _send(cluster, b))
    later = [t for t in arrivals if t > IN_FLIGHT_HOLD + 1.0]
    assert most_in_window(later, 1.0) == 10  # a's row back in use


async def test_an_outbox_yields_the_next_free_row_to_a_reply_waiting_on_another_instance(
    cluster: Cluster,
) -> None:
    """a's broadcast fills the second; b's reply to a person waits for it, asking again
    every poll, as ``acquire`` does. The row that comes free is the reply's, not a's next
    broadcast send's; a goes on once the reply has it."""
    a, b = (SharedBudget(n.storage, cluster.clock, 10) for n in cluster.nodes)
    for _ in range(10):
        await _send(cluster, a)
    free_at = await b.take(reply=True)
    assert isinstance(free_at, float) and free_at == pytest.approx(1.0, abs=1e-3)
    cluster.timeline.now = free_at - POLL_SECONDS / 2
    assert isinstance(await b.take(reply=True), float)  # still full: it says so again
    cluster.timeline.now = free_at + 0.01  # rows free now
    wait = await a.take()
    assert isinstance(wait, float) and 0 < wait <= WANT_SECONDS
    reply = await b.take(reply=True)
    assert isinstance(reply, SharedSend)
    await b.finish(reply, answered=True)
    assert isinstance(await a.take(), SharedSend)


async def test_a_reply_that_stops_waiting_holds_the_outbox_back_only_briefly(
    cluster: Cluster,
) -> None:
    """Its instance died (or its person's update was given up) after it said it waits:
    the other instance's broadcast goes on once the want lapses, WANT_SECONDS later."""
    a, b = (SharedBudget(n.storage, cluster.clock, 10) for n in cluster.nodes)
    for _ in range(10):
        await _send(cluster, a)
    cluster.timeline.now = 0.9
    assert isinstance(await b.take(reply=True), float)  # wants until 1.1, then is gone
    cluster.timeline.now = 1.05
    assert isinstance(await a.take(), float)
    cluster.timeline.now = 0.9 + WANT_SECONDS + 0.01
    assert isinstance(await a.take(), SharedSend)


async def test_a_reply_whose_want_cannot_be_taken_back_still_goes(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    """The database fails the want's removal: the reply has its row and goes all the same
    (the want lapses by itself)."""
    a, b = (SharedBudget(n.storage, cluster.clock, 10) for n in cluster.nodes)
    for _ in range(10):
        await _send(cluster, a)
    free_at = await b.take(reply=True)
    assert isinstance(free_at, float)
    await b.storage.db.write("DROP TABLE send_wants")  # (the database fails it)
    cluster.timeline.now = free_at + 0.01
    assert isinstance(await b.take(reply=True), SharedSend)
    assert "a reply's want could not be taken back" in caplog.text


async def test_the_paid_rate_is_shared_too(cluster: Cluster) -> None:
    """Paid broadcasts from a and free sends from b: together within the paid rate, the
    free ones within the free rate too."""
    a, b = (
        SharedBudget(n.storage, cluster.clock, 3, paid_rate_per_second=8) for n in cluster.nodes
    )
    paid, free = [], []
    for n in range(48):
        if n % 3:
            paid.append(await _send(cluster, a, paid=True))
        else:
            free.append(await _send(cluster, b))
    assert most_in_window(paid + free, 1.0) == 8
    assert most_in_window(free, 1.0) <= 3
    assert cluster.timeline.now < 7.0  # 48 at 8 a second: about 6 s


async def test_replies_on_two_instances_keep_the_overall_rate_with_their_outboxes(
    cluster: Cluster,
) -> None:
    """A broadcast drained by both instances while each answers people: every new
    message of either, reply or outbox, within 30 in any second, and no 429."""
    await cluster.queue(chats=150, each=1)
    a, b = cluster.nodes

    async def answer_people() -> None:  # through the bots' PacedReplies
        for n in range(60):
            await (a, b)[n % 2].bot.send_message(10_000 + n, f"reply {n}")

    await asyncio.gather(cluster.drain(a, b), answer_people())
    assert _429s(cluster.api) == 0
    times = [t for chat_times in cluster.api.send_times.values() for t in chat_times]
    assert len(times) == 210
    assert most_in_window(times, 1.0) <= SETTINGS.rate_per_second


async def test_a_reply_goes_out_when_the_shared_budget_cannot_be_asked(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    a = cluster.nodes[0]
    await a.storage.db.write("DROP TABLE send_window")  # (the database fails it)
    await a.bot.send_message(42, "hello")
    assert cluster.api.last_message(42).text == "hello"
    assert "shared send budget not available" in caplog.text


def test_the_lease_must_be_long_enough(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[cluster]\nlease_seconds = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert any("cluster.lease_seconds" in p for p in caught.value.problems)


async def test_an_instance_back_from_a_pause_does_not_send_what_was_taken_from_it(
    cluster: Cluster,
) -> None:
    await cluster.queue(chats=1, each=1)
    a, b = cluster.nodes
    [row] = await a.storage.outbox.claim(cluster.clock.now(), 1, by="a")
    cluster.timeline.now += CLUSTER.lease_seconds  # a hangs past its lease
    assert await b.lease.renew() == 1
    [again] = await b.storage.outbox.claim(cluster.clock.now(), 1, by="b")
    assert again.id == row.id
    assert not await a.storage.outbox.still_claimed(row.id, by="a")  # a leaves it to b
    assert await b.storage.outbox.still_claimed(row.id, by="b")


async def test_a_running_app_on_postgresql_holds_a_lease_and_leaves_at_its_stop(
    clean_postgres_database: str,
) -> None:
    """What app/runner.py does: the lease before the workers, its row gone after them, and
    the claims stamped with ``cluster.instance_id``."""
    settings = load_settings(
        None,
        storage={"url": clean_postgres_database},
        telegram={"bot_username": "muster_test_bot"},
        cluster={"instance_id": "muster-1"},
    )
    storage = await Storage.open(clean_postgres_database)
    clock = FakeClock()
    api = FakeBotApi(clock=clock.now)
    try:
        app = await build_app(settings, storage, clock, api)
        # One identity: the outbox's claims, the chat claims and /health's.
        assert DELIVERY.of(app).owner == CLUSTER_SLOT.of(app).name == "muster-1"
        async with running(app):
            [me] = await storage.cluster.live(clock.now())
            assert me.id == "muster-1"
            await storage.outbox.enqueue(
                notice_message(5, "hi", not_before=clock.now()), clock.now()
            )
            DELIVERY.of(app).wake()
            await api.wait_for_call("sendMessage", chat_id=5)
        assert await storage.cluster.live(clock.now()) == []
        [row] = await storage.db.fetchall("SELECT status, claimed_by FROM outbox")
        assert (row["status"], row["claimed_by"]) == ("sent", "muster-1")
    finally:
        await storage.close()


async def test_without_a_configured_id_the_process_is_host_and_pid(
    clean_postgres_database: str,
) -> None:
    settings = load_settings(
        None,
        storage={"url": clean_postgres_database},
        telegram={"bot_username": "muster_test_bot"},
    )
    storage = await Storage.open(clean_postgres_database)
    clock = FakeClock()
    try:
        app = await build_app(settings, storage, clock, FakeBotApi(clock=clock.now))
        me = f"{socket.gethostname()}:{os.getpid()}"
        assert DELIVERY.of(app).owner == CLUSTER_SLOT.of(app).name == me
    finally:
        await storage.close()
