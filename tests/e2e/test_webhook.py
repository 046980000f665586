"""Webhook mode over real HTTP on 127.0.0.1: the bot registers its webhook with the secret,
refuses posts without it (403), stores and handles the rest once (a resend is ignored),
answers /health, handles on start what a run that died had stored but not handled, and
sets aside (200, never 500) an update it cannot read."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from app.build import build_application
from app.webhook import SECRET_HEADER, serve_webhook
from bot.config import Settings, load_settings
from bot.kit.clock import FakeClock
from fakeapi import BotApiServer, FakeBotApi, FakeUser
from tests.e2e.test_inbox import inbox_rows, malformed, store_unhandled

TOKEN = "123456:E2E-webhook-token"
SECRET = "s3cret-token_for-tests"


async def post(session: aiohttp.ClientSession, url: str, body: Any, secret: str | None) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with session.post(url, data=json.dumps(body), headers=headers) as response:
        return response.status


def webhook_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: BotApiServer, port: int
) -> Settings:
    monkeypatch.setenv("MUSTER_TELEGRAM__TOKEN", TOKEN)
    monkeypatch.setenv("MUSTER_TELEGRAM__WEBHOOK_SECRET", SECRET)
    return load_settings(
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai"},
        storage={"database": tmp_path / "webhook.db"},
        telegram={
            "api_base_url": server.base_url,
            "api_file_url": server.base_file_url,
            "webhook_url": "https://bot.example.org/telegram",
            "webhook_port": port,
        },
    )


async def help_answered(api: FakeBotApi, chat_id: int, since: int = 0) -> None:
    reply = await api.wait_for_call("sendMessage", chat_id=chat_id, since=since)
    assert reply.message is not None
    assert (reply.message.text or "").startswith("What you can do")


async def health(session: aiohttp.ClientSession, base: str) -> dict[str, Any]:
    async with session.get(f"{base}/health") as response:
        assert response.status == 200
        answer: dict[str, Any] = await response.json()
        return answer


@dataclass
class Hook:
    """The Bot API stand-in over HTTP, and a bot's settings for webhook mode against it."""

    api: FakeBotApi
    settings: Settings
    base: str  # where the bot listens


@pytest.fixture
async def hook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock, unused_tcp_port: int
) -> AsyncIterator[Hook]:
    api = FakeBotApi(clock=clock.now)
    async with BotApiServer(api, TOKEN) as server:
        settings = webhook_settings(tmp_path, monkeypatch, server, unused_tcp_port)
        yield Hook(api, settings, f"http://127.0.0.1:{unused_tcp_port}")


@asynccontextmanager
async def webhook_running(settings: Settings, clock: FakeClock) -> AsyncIterator[None]:
    """The bot in webhook mode (``muster run --webhook``) for the block, then stopped."""
    app = await build_application(settings, clock=clock)
    stop = asyncio.Event()
    running = asyncio.create_task(serve_webhook(app, stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(running, 15)


async def test_webhook_checks_the_secret_and_handles_each_update_once(
    hook: Hook, clock: FakeClock
) -> None:
    api = hook.api
    settings, base = hook.settings, hook.base
    async with webhook_running(settings, clock):
        await api.wait_for_call("setWebhook")
        [registered] = api.calls_of("setWebhook")
        assert registered.params["url"] == "https://bot.example.org/telegram"
        assert registered.params["secret_token"] == SECRET
        stan = FakeUser(7201, "Stan", api=api)
        update = api.observe_update(stan.command("help"))
        async with aiohttp.ClientSession() as session:
            url = f"{base}/telegram"
            assert await post(session, url, update, None) == 403
            assert await post(session, url, update, SECRET[:-1] + "x") == 403
            assert await post(session, url, {"hello": 1}, SECRET) == 400
            assert api.calls_of("sendMessage") == []  # nothing refused got through
            mark = len(api.calls)
            assert await post(session, url, update, SECRET) == 200
            await help_answered(api, stan.id, since=mark)
            assert await post(session, url, update, SECRET) == 200  # Telegram retries
            answer = await health(session, base)
            async with asyncio.timeout(10):  # answered, then written down (within a second)
                while answer["unprocessed"]:
                    await asyncio.sleep(0.01)
                    answer = await health(session, base)
            assert answer["status"] == "ok"
            # One process on SQLite runs the schedule itself; nothing waits.
            assert answer["role"] == "single" and answer["instance"]
            assert (answer["inbox_lag_seconds"], answer["outbox_lag_seconds"]) == (None, None)
    answers = [c for c in api.calls_of("sendMessage") if c.chat_id == stan.id and c.ok]
    assert len(answers) == 1  # the retry was recognised and ignored


async def test_an_update_stored_by_a_run_that_died_is_handled_on_start_once(
    hook: Hook, clock: FakeClock
) -> None:
    api = hook.api
    settings = hook.settings
    stan = FakeUser(7202, "Stan", api=api)
    # The last run answered 200 to Stan's /help (so Telegram will not send it again)
    # and was killed before handling it.
    lost = api.observe_update(stan.command("help"))
    await store_unhandled(settings, clock, lost)
    async with webhook_running(settings, clock):
        await help_answered(api, stan.id)
        async with aiohttp.ClientSession() as session:  # Telegram retries it after all
            url = f"{hook.base}/telegram"
            assert await post(session, url, lost, SECRET) == 200
    answers = [c for c in api.calls_of("sendMessage") if c.chat_id == stan.id and c.ok]
    assert len(answers) == 1  # handled on start, and the resend recognised


async def test_an_unreadable_update_is_answered_set_aside_and_blocks_nothing(
    hook: Hook, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    api = hook.api
    settings, base = hook.settings, hook.base
    stan = FakeUser(7203, "Stan", api=api)
    bodies = malformed(stan, 80)
    with caplog.at_level(logging.WARNING, logger="app.inbox"):
        async with webhook_running(settings, clock), aiohttp.ClientSession() as session:
            await api.wait_for_call("setWebhook")
            for body in bodies:  # answered, so Telegram does not send them for a day
                assert await post(session, f"{base}/telegram", body, SECRET) == 200
            assert await post(session, f"{base}/telegram", bodies[0], SECRET) == 200
            assert (await health(session, base))["poison"] == 3
            good = api.observe_update(stan.command("help"))
            assert await post(session, f"{base}/telegram", good, SECRET) == 200
            await help_answered(api, stan.id)
        # A restart replays nothing of them and starts as usual.
        mark = len(api.calls)
        async with webhook_running(settings, clock), aiohttp.ClientSession() as session:
            await api.wait_for_call("setWebhook", since=mark)
            answer = await health(session, base)
            assert (answer["unprocessed"], answer["poison"]) == (0, 3)
    set_aside = [r.getMessage() for r in caplog.records if "set aside" in r.getMessage()]
    assert len(set_aside) == 3  # once each, not again for Telegram's resend
    assert "update 80 set aside as poison: AttributeError" in set_aside[0]
    rows = await inbox_rows(settings)
    assert [(r[0], r[1], r[2] is not None) for r in rows] == [
        (good["update_id"], 1, False),
        (80, 1, True),
        (81, 1, True),
        (82, 1, True),
    ]
    assert len([c for c in api.calls_of("sendMessage") if c.chat_id == stan.id]) == 1


async def test_an_unreadable_update_stored_by_an_earlier_run_does_not_stop_the_start(
    hook: Hook, clock: FakeClock
) -> None:
    api = hook.api
    settings, base = hook.settings, hook.base
    stan = FakeUser(7204, "Stan", api=api)
    for body in malformed(stan, 90):
        await store_unhandled(settings, clock, body)
    async with webhook_running(settings, clock), aiohttp.ClientSession() as session:
        await api.wait_for_call("setWebhook")
        good = api.observe_update(stan.command("help"))
        assert await post(session, f"{base}/telegram", good, SECRET) == 200
        await help_answered(api, stan.id)
        assert (await health(session, base))["poison"] == 3
