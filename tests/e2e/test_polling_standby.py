"""Two `muster run` (long polling) on one PostgreSQL (app/polling.py): one polls, the other
waits without touching Telegram or the updates, and takes over when the first stops; a
poller whose lock went to the other stops with one line."""

from __future__ import annotations

import asyncio
import logging

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


async def test_a_second_polling_instance_stands_by_and_takes_over(
    clean_postgres_database: str,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(app.polling, "EVERY", 0.05)
    api = FakeBotApi(clock=clock.now)
    ann = FakeUser(7401, "Ann", api=api)
    async with BotApiServer(api, TOKEN) as server:
        first = await polling_app(server, clean_postgres_database, clock)
        second = await polling_app(server, clean_postgres_database, clock)
        stop_first, stop_second = asyncio.Event(), asyncio.Event()
        polling = asyncio.create_task(serve_polling(first, stop_first, poll_timeout=1))
        await until(lambda: first.running)
        caplog.set_level(logging.WARNING, logger="app.polling")
        standing_by = asyncio.create_task(serve_polling(second, stop_second, poll_timeout=1))
        try:
            await until(lambda: "this one waits to take over" in caplog.text)
            await answered(api, ann)
            assert first.running and not second.running  # it did not even start
            # The first stops (a deploy, a crash): the second polls within moments.
            stop_first.set()
            await polling
            await until(lambda: second.running)
            assert "taking over polling" in caplog.text
            await answered(api, ann)
            replies = [c for c in api.calls_of("sendMessage") if c.chat_id == ann.id and c.ok]
            assert len(replies) == 2  # each /help answered once
        finally:
            stop_first.set()
            stop_second.set()
            await asyncio.gather(polling, standing_by, return_exceptions=True)


async def test_a_poller_whose_lock_went_to_another_stops(
    clean_postgres_database: str,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app.polling, "EVERY", 0.05)
    api = FakeBotApi(clock=clock.now)
    async with BotApiServer(api, TOKEN) as server:
        first = await polling_app(server, clean_postgres_database, clock)
        second = await polling_app(server, clean_postgres_database, clock)
        stop_first, stop_second = asyncio.Event(), asyncio.Event()
        polling = asyncio.create_task(serve_polling(first, stop_first, poll_timeout=1))
        await until(lambda: first.running)
        standing_by = asyncio.create_task(serve_polling(second, stop_second, poll_timeout=1))
        try:
            # The first's lock connection drops (a database restart) and someone else takes
            # the lock before it can take it back (here this session, so that the race is
            # decided): it stops polling, saying why.
            admin = await asyncpg.connect(clean_postgres_database)
            try:
                holder = (
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND objid = $1"
                )
                pid = await admin.fetchval(holder, POLLER_LOCK & 0xFFFFFFFF)
                assert pid is not None
                await admin.execute("SELECT pg_terminate_backend($1)", pid)
                await admin.execute("SELECT pg_advisory_lock($1)", POLLER_LOCK)
                with pytest.raises(PollingLost, match="another instance took over polling"):
                    await asyncio.wait_for(polling, 15)
                assert not first.running and not second.running
            finally:
                await admin.close()  # the lock with it: the standby takes over
            await until(lambda: second.running)
            assert not first.running
        finally:
            stop_first.set()
            stop_second.set()
            await asyncio.gather(polling, standing_by, return_exceptions=True)
