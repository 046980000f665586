"""No lost updates, over real polling on 127.0.0.1: an update stored by a run that died
before handling it is handled on the next start, once; one Telegram sends again is
ignored; a getUpdates batch is in the database before the request returns; and an update
that cannot be read is set aside as poison instead of stopping the bot at every start."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram.request import RequestData

from app.build import build_application
from app.inbox import INBOX, Inbox, InboxRequest
from app.runner import serve_polling
from bot.config import Settings, load_settings
from bot.kit.clock import FakeClock
from fakeapi import BotApiServer, FakeBotApi, FakeRequest, FakeUser
from handlers.kit.common import MusterApp
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


@dataclass
class Polled:
    """The Bot API stand-in over HTTP, and a bot's settings for polling it."""

    api: FakeBotApi
    settings: Settings


@pytest.fixture
async def polled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> AsyncIterator[Polled]:
    api = FakeBotApi(clock=clock.now)
    async with BotApiServer(api, TOKEN) as server:
        yield Polled(api, settings_for(tmp_path, server, monkeypatch))


def replies(api: FakeBotApi, chat_id: int) -> list[str]:
    return [
        c.message.text or ""
        for c in api.calls_of("sendMessage")
        if c.ok and c.message and c.chat_id == chat_id
    ]


async def store_unhandled(settings: Settings, clock: FakeClock, update: dict[str, Any]) -> None:
    """What a run killed after storing ``update`` (so Telegram will not send it again) but
    before handling it leaves in the database."""
    storage = await Storage.open(settings.storage.target)
    try:
        await Inbox(storage, clock).receive([update])
    finally:
        await storage.close()


def malformed(user: FakeUser, first_id: int) -> list[dict[str, Any]]:
    """The three bodies from issue #13: JSON with an update id, but not an update PTB can
    read (``Update.de_json`` fails on each)."""
    bad_date = user.command("help")
    bad_date["message"]["date"] = "yesterday"
    return [
        {"update_id": first_id, "message": "garbage"},
        {"update_id": first_id + 1, **bad_date},
        {"update_id": first_id + 2, "callback_query": {"id": 5}},
    ]


async def inbox_rows(settings: Settings) -> list[tuple[Any, ...]]:
    """(update_id, processed, poison reason) of every stored update."""
    storage = await Storage.open(settings.storage.target)
    try:
        rows = await storage.db.fetchall(
            "SELECT update_id, processed_at IS NOT NULL, poison FROM inbox ORDER BY update_id"
        )
    finally:
        await storage.close()
    return [tuple(r) for r in rows]


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
    polled: Polled, clock: FakeClock
) -> None:
    api, settings = polled.api, polled.settings
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
    rows = await inbox_rows(settings)
    assert rows == [(lost["update_id"], 1, None), (fresh["update_id"], 1, None)]


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
        await storage.db.write("DROP TABLE inbox")
        with pytest.raises(Exception, match="inbox"):
            await request.do_request(
                f"https://api.telegram.org/bot{TOKEN}/getUpdates", "POST", RequestData([])
            )
    finally:
        await storage.close()


async def test_a_database_holding_unreadable_updates_starts_and_handles_the_next_one(
    polled: Polled, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    api, settings = polled.api, polled.settings
    stan = FakeUser(7103, "Stan", api=api)
    # Stored by a version that did not check; each used to stop every later start.
    for body in malformed(stan, 50):
        await store_unhandled(settings, clock, body)
    fresh = api.push_update(stan.command("help"))
    app = await build_application(settings, clock=clock)
    with caplog.at_level(logging.WARNING, logger="app.inbox"):
        await poll_until_answered(app, api, stan.id)
    assert [text.split("\n")[0] for text in replies(api, stan.id)] == ["What you can do"]
    rows = {r[0]: r[1:] for r in await inbox_rows(settings)}
    assert sorted(rows) == sorted([50, 51, 52, fresh["update_id"]])
    assert all(processed for processed, _ in rows.values())
    assert rows[fresh["update_id"]][1] is None
    assert "AttributeError" in rows[50][1] and "chat_instance" in rows[52][1]
    set_aside = [r.getMessage() for r in caplog.records if "set aside" in r.getMessage()]
    assert len(set_aside) == 3 and "update 51 set aside as poison: TypeError" in set_aside[1]

    # The next start has nothing to replay and says nothing more about them.
    caplog.clear()
    app = await build_application(settings, clock=clock)
    api.push_update(stan.command("help"))
    with caplog.at_level(logging.WARNING, logger="app.inbox"):
        await poll_until_answered(app, api, stan.id)
    assert len(replies(api, stan.id)) == 2
    assert "set aside" not in caplog.text and "replaying" not in caplog.text


async def test_an_unreadable_update_from_getupdates_is_set_aside_and_polling_goes_on(
    polled: Polled, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    api = polled.api
    stan = FakeUser(7104, "Stan", api=api)
    for body in malformed(stan, 1):  # Telegram would not send these; a bug might
        api.push_raw(body)
    good = api.push_update(stan.command("help"))["update_id"]
    app = await build_application(polled.settings, clock=clock)
    with caplog.at_level(logging.WARNING, logger="app.inbox"):
        await poll_until_answered(app, api, stan.id)
    assert [text.split("\n")[0] for text in replies(api, stan.id)] == ["What you can do"]
    set_aside = [r.getMessage() for r in caplog.records if "set aside" in r.getMessage()]
    assert [m.split(":")[0] for m in set_aside] == [
        f"update {i} set aside as poison" for i in (1, 2, 3)
    ]
    rows = await inbox_rows(polled.settings)
    assert [(r[0], r[1], r[2] is not None) for r in rows] == [
        (1, 1, True),
        (2, 1, True),
        (3, 1, True),
        (good, 1, False),
    ]
    assert api.confirmed_offset == good + 1  # PTB moved past them


async def test_a_failed_getupdates_logs_one_line_with_the_wait_and_no_traceback(
    polled: Polled, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    api = polled.api
    api.fail_next("getUpdates", error_code=502, description="Bad Gateway", times=2)
    stan = FakeUser(7105, "Stan", api=api)
    api.push_update(stan.command("help"))
    app = await build_application(polled.settings, clock=clock)
    with caplog.at_level(logging.WARNING):
        await poll_until_answered(app, api, stan.id)  # after PTB's 1 s and 1.5 s waits
    assert [r.getMessage() for r in caplog.records] == [
        "getUpdates failed (Bad Gateway); polling again in 1.0 s",
        "getUpdates failed (Bad Gateway); polling again in 1.5 s",
    ]
    assert all(r.exc_info is None for r in caplog.records)


async def test_a_replay_that_fails_stops_the_start_with_its_own_error(
    polled: Polled, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    app = await build_application(polled.settings, clock=clock)

    async def unreadable_disk(limit: int = 0) -> list[dict[str, Any]]:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(INBOX.of(app).storage.inbox, "unprocessed", unreadable_disk)
    # Not PTB's "This Application is still running!", which hid it.
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        await serve_polling(app, asyncio.Event(), poll_timeout=1)
