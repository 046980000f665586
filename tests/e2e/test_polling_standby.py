"""Two `muster run` (long polling) on one PostgreSQL (app/polling.py): one polls, the other
waits without touching Telegram or the updates, and takes over when the first stops; a
poller whose lock went to the other stops with one line."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import asyncpg
import pytest

import app.polling
from app.build import build_application
from app.polling import PollingLost
from app.runner import serve_polling
from bot.config import load_settings
from bot.kit.clock import FakeClock
from fakeapi import BotApiServer, FakeBotApi, FakeUser
from handlers.kit.common import MusterApp
from storage.coordination import POLLER_LOCK
from tests.e2e.test_cluster import until

TOKEN = "123456:E2E-standby-token"


async def polling_app(server: BotApiServer, url: str, clock: FakeClock) -> MusterApp:
    settings = load_settings(
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai"},
        storage={"url": url},
        telegram={
            "token": TOKEN,
            "api_base_url": server.base_url,
            "api_file_url": server.base_file_url,
        },
    )
    return await build_application(settings, clock=clock)


async def answered(api: FakeBotApi, person: FakeUser) -> None:
    """``person`` sends /help and the bot (whichever instance polls) answers."""
    mark = len(api.calls)
    api.push_update(person.command("help"))
    await api.wait_for_call("sendMessage", chat_id=person.id, since=mark)


@dataclass
class Pollers:
    """Two polling instances of one PostgreSQL: ``first`` polling, ``second`` started
    after it (standing by), each with its stop event and task."""

    api: FakeBotApi
    first: MusterApp
    second: MusterApp
    stop_first: asyncio.Event = field(default_factory=asyncio.Event)
    stop_second: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self, app: MusterApp, stop: asyncio.Event) -> asyncio.Task[None]:
        task = asyncio.create_task(serve_polling(app, stop, poll_timeout=1))
        self.tasks.append(task)
        return task


@pytest.fixture
async def pollers(
    clean_postgres_database: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Pollers]:
    monkeypatch.setattr(app.polling, "EVERY", 0.05)
    api = FakeBotApi(clock=clock.now)
    async with BotApiServer(api, TOKEN) as server:
        first = await polling_app(server, clean_postgres_database, clock)
        second = await polling_app(server, clean_postgres_database, clock)
        both = Pollers(api, first, second)
        try:
            yield both
        finally:
            both.stop_first.set()
            both.stop_second.set()
            await asyncio.gather(*both.tasks, return_exceptions=True)


async def test_a_second_polling_instance_stands_by_and_takes_over(
    pollers: Pollers, caplog: pytest.LogCaptureFixture
) -> None:
    api, first, second = pollers.api, pollers.first, pollers.second
    ann = FakeUser(7401, "Ann", api=api)
    polling = await pollers.start(first, pollers.stop_first)
    await until(lambda: first.running)
    caplog.set_level(logging.WARNING, logger="app.polling")
    await pollers.start(second, pollers.stop_second)
    await until(lambda: "this one waits to take over" in caplog.text)
    await answered(api, ann)
    assert first.running and not second.running  # it did not even start
    # The first stops (a deploy, a crash): the second polls within moments.
    pollers.stop_first.set()
    await polling
    await until(lambda: second.running)
    assert "taking over polling" in caplog.text
    await answered(api, ann)
    replies = [c for c in api.calls_of("sendMessage") if c.chat_id == ann.id and c.ok]
    assert len(replies) == 2  # each /help answered once


async def test_a_poller_whose_lock_went_to_another_stops(
    pollers: Pollers, clean_postgres_database: str
) -> None:
    first, second = pollers.first, pollers.second
    polling = await pollers.start(first, pollers.stop_first)
    await until(lambda: first.running)
    await pollers.start(second, pollers.stop_second)
    # The first's lock connection drops (a database restart) and someone else takes the
    # lock before it can take it back: it stops polling, saying why. Here that someone is
    # this session, queued for the lock before the first's connection is ended, so that the
    # lock is its at the release (a waiter is granted it then); taken after, it could lose
    # the race to the standby's next look and wait for ever.
    admin = await asyncpg.connect(clean_postgres_database)
    killer = await asyncpg.connect(clean_postgres_database)
    locks = "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted = $2"
    key = POLLER_LOCK & 0xFFFFFFFF
    try:
        pid = await killer.fetchval(locks, key, True)
        assert pid is not None
        taking = asyncio.create_task(admin.execute("SELECT pg_advisory_lock($1)", POLLER_LOCK))

        async def queued() -> bool:
            return bool(await killer.fetchval(locks, key, False) == admin.get_server_pid())

        await until(queued)
        await killer.execute("SELECT pg_terminate_backend($1)", pid)
        await asyncio.wait_for(taking, 15)
        with pytest.raises(PollingLost, match="another instance took over polling"):
            await asyncio.wait_for(polling, 15)
        assert not first.running and not second.running
    finally:
        await killer.close()
        await admin.close()  # the lock with it: the standby takes over
    await until(lambda: second.running)
