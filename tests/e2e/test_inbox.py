"""No lost updates, over real polling on 127.0.0.1: an update stored by a run that died
before handling it is handled on the next start, once; one Telegram sends again is
ignored; and a getUpdates batch is in the database before the request returns."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from telegram.request import RequestData

from bot.app import build_application
from bot.clock import FakeClock
from bot.config import Settings, load_settings
from bot.fakeapi import BotApiServer, FakeBotApi, FakeRequest, FakeUser
from bot.inbox import Inbox, InboxRequest
from bot.runner import serve_polling
from handlers.common import MusterApp
from storage import Storage

TOKEN = "123456:E2E-inbox-token"
HELP = "What you can do\n/start — Join with an invite link"  # /help, to a stranger


def settings_for(tmp_path: Path, server: BotApiServer, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("MUSTER_TELEGRAM__TOKEN", TOKEN)
    return load_settings(
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai"},
        storage={"database": tmp_path / "inbox.db"},
        telegram={"api_base_url": server.base_url, "api_file_url": server.base_file_url},
    )


def replies(api: FakeBotApi, chat_id: int) -> list[str]:
    return [
        c.message.text or ""
        for c in api.calls_of("sendMessage")
        if c.ok and c.message and c.chat_id == chat_id
    ]


async def store_unhandled(settings: Settings, clock: FakeClock, update: dict[str, Any]) -> None:
    """What a run killed after storing ``update`` (so Telegram will not send it again) but
    before handling it leaves in the database."""
    storage = await Storage.open(settings.storage.database)
    try:
        await Inbox(storage, clock).receive([update])
    finally:
        await storage.close()


async def poll_until_answered(app: MusterApp, api: FakeBotApi, chat_id: int) -> None:
    """Run the bot by polling until it sends ``chat_id`` a message, then stop it."""
    mark = len(api.calls)
    stop = asyncio.Event()
    running = asyncio.create_task(serve_polling(app, stop, poll_timeout=1))
    try:
        await api.wait_for_call("sendMessage", chat_id=chat_id, since=mark)
    finally:
        stop.set()
        await asyncio.wait_for(running, 15)


async def test_a_stored_update_is_handled_after_a_crash_once_and_a_resend_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    api = FakeBotApi(clock=clock.now)
    async with BotApiServer(api, TOKEN) as server:
        settings = settings_for(tmp_path, server, monkeypatch)
        stan = FakeUser(7101, "Stan", api=api)
        # A previous run stored Stan's /help and died before handling it; Telegram, told
        # by that run's next getUpdates, will not send it again.
        lost = api.observe_update(stan.command("help"))
        await store_unhandled(settings, clock, lost)

        app = await build_application(settings, clock=clock)
        await poll_until_answered(app, api, stan.id)
        [text] = replies(api, stan.id)
        assert text.startswith(HELP)

        # Telegram sends the same update again (its confirmation was lost), then a new one.
        app = await build_application(settings, clock=clock)
        api.push_update(lost)
        fresh = api.push_update(stan.command("help"))
        await poll_until_answered(app, api, stan.id)
        assert len(replies(api, stan.id)) == 2  # the resend, handled before it, got nothing
        storage = await Storage.open(settings.storage.database)
        try:
            rows = await storage.db.fetchall(
                "SELECT update_id, processed_at IS NOT NULL FROM inbox ORDER BY update_id"
            )
        finally:
            await storage.close()
        assert [tuple(r) for r in rows] == [(lost["update_id"], 1), (fresh["update_id"], 1)]


async def test_updates_are_stored_before_getupdates_returns(
    tmp_path: Path, clock: FakeClock
) -> None:
    api = FakeBotApi(clock=clock.now)
    stan = FakeUser(7102, "Stan", api=api)
    pushed = api.push_update(stan.command("help"))
    storage = await Storage.open(tmp_path / "inbox.db")
    try:
        request = InboxRequest(FakeRequest(api), Inbox(storage, clock))
        status, body = await request.do_request(
            f"https://api.telegram.org/bot{TOKEN}/getUpdates", "POST", RequestData([])
        )
        assert status == 200 and json.loads(body)["result"][0]["update_id"] == pushed["update_id"]
        [row] = await storage.db.fetchall("SELECT update_id, processed_at FROM inbox")
        assert tuple(row) == (pushed["update_id"], None)
        # Storing fails: the call fails, so PTB polls again with the same offset and
        # Telegram keeps the update.
        await storage.db.conn.execute("DROP TABLE inbox")
        with pytest.raises(Exception, match="inbox"):
            await request.do_request(
                f"https://api.telegram.org/bot{TOKEN}/getUpdates", "POST", RequestData([])
            )
    finally:
        await storage.close()
