"""Two `muster run --webhook` instances sharing one PostgreSQL (issue #20), in one process:
each stores what is posted to it before the 200; a chat's updates are handled by one
instance at a time, in order, each once, whichever instance they were posted to, and a
conversation moves between instances with its state; the schedule runs on the leader
only and moves to the other when the leader's lock connection dies; a dead instance's
chats go to the survivor once its claims run out; /health tells the roles and the lag.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
from telegram import Update
from telegram.ext import TypeHandler

from app.build import build_application, tick
from app.cluster import CLUSTER
from app.webhook import SECRET_HEADER, serve_webhook
from bot.config import Settings, load_settings
from bot.delivery.pacer import Pacer
from bot.kit.clock import FakeClock
from fakeapi import FakeBotApi, FakeRequest, FakeUser, SentMessage
from handlers.kit.common import MusterApp
from handlers.kit.slots import SERVICES
from storage import Storage
from tests.orgdata import add_member, load_tree
from tests.unit.test_checkins import form

SECRET = "cluster-secret_for-tests"
LEASE = 5.0  # cluster.claim_lease_seconds in these tests
LEASE_DELTA = timedelta(seconds=LEASE)


@dataclass
class Instance:
    app: MusterApp
    base: str
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    handled: list[int] = field(default_factory=list)  # update ids, in the order handled

    @property
    def name(self) -> str:
        return CLUSTER.of(self.app).name


@dataclass
class Pair:
    api: FakeBotApi
    clock: FakeClock
    url: str
    a: Instance
    b: Instance
    session: aiohttp.ClientSession
    # Every update handled by either instance, in the order handled: (instance, id, chat).
    log: list[tuple[str, int, int]] = field(default_factory=list)

    async def post(self, instance: Instance, update: dict[str, Any]) -> None:
        headers = {SECRET_HEADER: SECRET}
        url = f"{instance.base}/telegram"
        async with self.session.post(url, data=json.dumps(update), headers=headers) as answer:
            assert answer.status == 200  # stored before this answer

    async def health(self, instance: Instance) -> dict[str, Any]:
        async with self.session.get(f"{instance.base}/health") as answer:
            assert answer.status == 200
            body: dict[str, Any] = await answer.json()
            return body


def cluster_settings(url: str, port: int) -> Settings:
    settings = load_settings(
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai"},
        storage={"url": url},
        # Two in one process: host:pid, the default, would be one id for both.
        cluster={"claim_lease_seconds": LEASE, "instance_id": f"muster-{port}"},
        telegram={
            "bot_username": "muster_test_bot",
            "webhook_url": "https://bot.example.org/telegram",
            "webhook_secret": SECRET,
            "webhook_port": port,
        },
    )
    return settings.model_copy(update={"checkin": form()})


async def until(condition: Callable[[], Awaitable[bool] | bool], within: float = 15.0) -> None:
    """Wait for ``condition`` (checked every few milliseconds), failing after ``within``."""
    async with asyncio.timeout(within):
        while True:
            outcome = condition()
            if outcome if isinstance(outcome, bool) else await outcome:
                return
            await asyncio.sleep(0.005)


def shown(api: FakeBotApi, chat_id: int) -> str:
    """The text of the bot's newest message in the chat ("" before any)."""
    messages = api.sent_to(chat_id)
    return (messages[-1].text or "") if messages else ""


async def start(instance: Instance, pair_log: list[tuple[str, int, int]]) -> None:
    async def record(update: object, _: object) -> None:
        assert isinstance(update, Update)
        instance.handled.append(update.update_id)
        chat = update.effective_chat.id if update.effective_chat else 0
        pair_log.append((instance.name, update.update_id, chat))

    instance.app.add_handler(TypeHandler(Update, record), group=-5000)
    instance.task = asyncio.create_task(serve_webhook(instance.app, instance.stop))


async def halt(instance: Instance) -> None:
    instance.stop.set()
    if instance.task is not None:
        await asyncio.wait_for(instance.task, 15)


@pytest.fixture
async def pair(
    clean_postgres_database: str,
    clock: FakeClock,
    tmp_path: Path,
    unused_tcp_port_factory: Callable[[], int],
) -> AsyncIterator[Pair]:
    clock.set(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))  # a Tuesday, 09:00 in Shanghai
    api = FakeBotApi(clock=clock.now)
    url = clean_postgres_database
    instances = []
    for _ in range(2):
        port = unused_tcp_port_factory()
        app = await build_application(
            cluster_settings(url, port),
            request=FakeRequest(api),
            clock=clock,
            pacer=Pacer.unlimited(sleep=clock.sleep),
        )
        instances.append(Instance(app, f"http://127.0.0.1:{port}"))
    a, b = instances
    await load_tree(SERVICES.of(a.app), tmp_path)
    async with aiohttp.ClientSession() as session:
        pair = Pair(api, clock, url, a, b, session)
        for instance in instances:
            await start(instance, pair.log)
        await until(lambda: len(api.calls_of("setWebhook")) == 2)
        try:
            yield pair
        finally:
            for instance in instances:
                await halt(instance)


async def processed(pair: Pair, update_id: int) -> bool:
    row = await SERVICES.of(pair.a.app).storage.db.fetchone(
        "SELECT processed_at FROM inbox WHERE update_id = ?", (update_id,)
    )
    return row is not None and row["processed_at"] is not None


async def member(pair: Pair, user_id: int, name: str) -> FakeUser:
    services = SERVICES.of(pair.a.app)
    unit = await services.storage.units.by_code("RIV-1")
    assert unit is not None
    await add_member(services, user_id, unit, name)
    return FakeUser(user_id, name, api=pair.api)


async def test_a_checkin_whose_steps_alternate_between_instances_completes(pair: Pair) -> None:
    api = pair.api
    ann = await member(pair, 701, "Ann")
    instances = [pair.a, pair.b]
    step: SentMessage | None = None

    async def answer(update: dict[str, Any], shows: str) -> SentMessage:
        """Post to the next instance in turn; once the bot shows ``shows``, and the update
        is written down, the next step goes to the other instance."""
        nonlocal instances
        stored = api.observe_update(update)
        await pair.post(instances[0], stored)
        instances.reverse()
        await until(lambda: shown(api, ann.id).startswith(shows))
        await until(lambda: processed(pair, stored["update_id"]))
        return api.last_message(ann.id)

    step = await answer(ann.command("checkin"), "Check-in 1/5")
    step = await answer(ann.press(step, "At post"), "Check-in 2/5")
    step = await answer(ann.message("36.6"), "Check-in 3/5")
    step = await answer(ann.press(step, "Skip"), "Check-in 4/5")
    step = await answer(ann.press(step, "Skip"), "Check-in 5/5")
    step = await answer(ann.press(step, "Skip"), "Your check-in")
    done = await answer(ann.press(step, "✅ Submit"), "✅ Checked in")
    assert done.text is not None and done.text.startswith("✅ Checked in for")
    services = SERVICES.of(pair.a.app)
    who = await services.membership.member(ann.id)
    assert who is not None
    stored = await services.checkins.today(who)
    assert stored is not None and stored.answers["status"] == "post"
    assert stored.answers["temp"] == 36.6
    # Each update handled once, in order, and the conversation did move between them.
    handled = [update_id for _, update_id, _ in pair.log]
    assert handled == sorted(set(handled)) and len(handled) == 7
    assert pair.a.handled and pair.b.handled


async def test_a_conversation_posted_to_both_at_once_keeps_its_order(pair: Pair) -> None:
    """The next step is posted as soon as the bot has shown the last one: before the
    instance that handled it has written it down and let the chat go."""
    api = pair.api
    ann = await member(pair, 702, "Ann")
    targets = [pair.a, pair.b]
    steps = [
        ("command", "checkin", "Check-in 1/5"),
        ("press", "At post", "Check-in 2/5"),
        ("message", "36.6", "Check-in 3/5"),
        ("press", "Skip", "Check-in 4/5"),
        ("press", "Skip", "Check-in 5/5"),
        ("press", "Skip", "Your check-in"),
        ("press", "✅ Submit", "✅ Checked in"),
    ]
    for index, (kind, what, shows) in enumerate(steps):
        if kind == "command":
            update = ann.command(what)
        elif kind == "message":
            update = ann.message(what)
        else:
            update = ann.press(api.last_message(ann.id), what)
        await pair.post(targets[index % 2], api.observe_update(update))
        await until(lambda: shown(api, ann.id).startswith(shows))  # noqa: B023
    handled = [update_id for _, update_id, _ in pair.log]
    assert handled == sorted(set(handled)) and len(handled) == 7


async def test_a_burst_across_chats_posted_to_both_is_handled_once_in_order(pair: Pair) -> None:
    api = pair.api
    rng = random.Random(20)
    people = [FakeUser(9000 + n, f"Stranger {n}", api=api) for n in range(20)]
    updates = {p.id: [api.observe_update(p.command("help")) for _ in range(10)] for p in people}

    async def chat(person: FakeUser) -> None:
        # Telegram posts a chat's updates one after another, each after the last's 200.
        for update in updates[person.id]:
            await pair.post(rng.choice([pair.a, pair.b]), update)

    await asyncio.gather(*(chat(p) for p in people))
    await until(lambda: len(pair.log) >= 200)
    everything = [u["update_id"] for us in updates.values() for u in us]
    await until(lambda: all_processed(pair, everything))
    handled = [update_id for _, update_id, _ in pair.log]
    assert sorted(handled) == sorted(everything)  # each once
    for person in people:
        mine = [update_id for _, update_id, chat in pair.log if chat == person.id]
        assert mine == [u["update_id"] for u in updates[person.id]]  # in order
        replies = [c for c in api.calls_of("sendMessage") if c.chat_id == person.id and c.ok]
        assert len(replies) == 10
    assert pair.a.handled and pair.b.handled  # shared, not all on one


async def all_processed(pair: Pair, ids: list[int]) -> bool:
    row = await SERVICES.of(pair.a.app).storage.db.fetchone(
        "SELECT COUNT(*) AS n FROM inbox WHERE processed_at IS NOT NULL AND update_id = ANY(?)",
        (ids,),
    )
    return row is not None and int(row["n"]) == len(ids)


async def test_the_schedule_runs_on_the_leader_only_and_moves_when_it_dies(pair: Pair) -> None:
    a, b = CLUSTER.of(pair.a.app), CLUSTER.of(pair.b.app)
    # Both ticked at start (the job's first run); one holds the lock.
    await until(lambda: {a.role, b.role} == {"leader", "follower"})
    leader, follower = (pair.a, pair.b) if a.role == "leader" else (pair.b, pair.a)
    assert await tick(leader.app) is not None
    assert await tick(follower.app) is None  # tried for the lock, ran nothing
    roles = {(await pair.health(i))["role"] for i in (pair.a, pair.b)}
    assert roles == {"leader", "follower"}
    health = await pair.health(leader)
    assert health["instance"] == leader.name
    # The leader's lock connection dies (its host is gone): the server frees the lock.
    admin = await asyncpg.connect(pair.url)
    held = (
        " FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    try:
        killed = await admin.fetchval(f"SELECT count(pg_terminate_backend(pid)) {held}")
        assert killed == 1
        await until(lambda: admin.fetchval(f"SELECT count(*) = 0 {held}"))  # once it is gone
    finally:
        await admin.close()
    # The follower's next tick (every 2 s) takes the lead and runs the schedule; the old
    # leader's finds its connection gone and does not.
    assert await tick(follower.app) is not None
    assert CLUSTER.of(follower.app).role == "leader"
    assert await tick(leader.app) is None
    assert CLUSTER.of(leader.app).role == "follower"
    assert (await pair.health(follower))["role"] == "leader"


async def test_a_dead_instances_chats_go_to_the_survivor_when_its_claims_run_out(
    pair: Pair,
) -> None:
    api, clock = pair.api, pair.clock
    storage = SERVICES.of(pair.b.app).storage
    stan, olga = FakeUser(7301, "Stan", api=api), FakeUser(7302, "Olga", api=api)
    # An instance stored Stan's /help, claimed his chat and died before handling it.
    lost = api.observe_update(stan.command("help"))
    now = clock.now()
    await storage.inbox.store([lost], now, [stan.id])
    await storage.claims.claim("dead:1:x", now, now + LEASE_DELTA, [stan.id], now)
    # The survivors handle other chats meanwhile, and leave Stan's alone.
    other = api.observe_update(olga.command("help"))
    await pair.post(pair.b, other)
    await until(lambda: processed(pair, other["update_id"]))
    health = await pair.health(pair.a)
    assert health["unprocessed"] == 1 and health["inbox_lag_seconds"] == 0
    assert not await processed(pair, lost["update_id"])
    # Once its lease is over, a survivor claims the chat and answers, once.
    clock.advance(LEASE_DELTA * 2)
    await until(lambda: processed(pair, lost["update_id"]))
    answers = [c for c in api.calls_of("sendMessage") if c.chat_id == stan.id and c.ok]
    assert len(answers) == 1
    assert [u for _, u, chat in pair.log if chat == stan.id] == [lost["update_id"]]


async def test_a_restart_under_the_same_id_takes_back_its_chats_at_once(pair: Pair) -> None:
    """a's previous life (the same cluster.instance_id) claimed Olga's chat, with her
    check-in's next step, and died. a takes the chat back at once, not after the claim's
    lease, and goes on from the state the conversation was left in (written by b), which
    it never had in memory."""
    api, clock = pair.api, pair.clock
    olga = await member(pair, 7401, "Olga")
    first = api.observe_update(olga.command("checkin"))
    await pair.post(pair.b, first)
    await until(lambda: shown(api, olga.id).startswith("Check-in 1/5"))
    await until(lambda: processed(pair, first["update_id"]))
    storage = SERVICES.of(pair.a.app).storage
    await until(lambda: _unclaimed(storage, olga.id))  # b let it go
    step = api.observe_update(olga.press(api.last_message(olga.id), "At post"))
    now = clock.now()
    await storage.inbox.store([step], now, [olga.id])
    assert await storage.claims.claim(pair.a.name, now, now + LEASE_DELTA, [olga.id], now)
    # No time passes: the claim's lease still runs.
    await until(lambda: processed(pair, step["update_id"]))
    assert shown(api, olga.id).startswith("Check-in 2/5")
    assert [(who, u) for who, u, chat in pair.log if chat == olga.id] == [
        (pair.b.name, first["update_id"]),
        (pair.a.name, step["update_id"]),
    ]
    assert (await pair.health(pair.a))["instance"] == pair.a.name == CLUSTER.of(pair.a.app).name


async def _unclaimed(storage: Storage, chat: int) -> bool:
    row = await storage.db.fetchone("SELECT 1 FROM chat_claims WHERE chat_key = ?", (chat,))
    return row is None
