"""End to end: the production path (``build_application`` without injected request, its
aiohttp transport, real long polling) against the Bot API stand-in over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gc
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.build import build_application
from app.runner import serve_polling
from bot.config import Settings, load_settings
from bot.kit.clock import FakeClock
from bot.org.authz import Actor
from fakeapi import BotApiServer, FakeBotApi, FakeUser
from handlers.kit.slots import DELIVERY, SERVICES
from storage.models import Role
from tests.orgdata import load_tree

TOKEN = "123456:E2E-secret-token"


def polling_settings(
    server: BotApiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **sections: Any
) -> Settings:
    """Settings as shipped, talking to the stand-in ``server`` with this file's token."""
    monkeypatch.setenv("MUSTER_TELEGRAM__TOKEN", TOKEN)
    return load_settings(
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai"},
        storage={"database": tmp_path / "e2e.db"},
        telegram={"api_base_url": server.base_url, "api_file_url": server.base_file_url},
        **sections,
    )


async def test_join_over_real_polling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    api = FakeBotApi(clock=clock.now)
    async with BotApiServer(api, TOKEN) as server:
        settings = polling_settings(server, tmp_path, monkeypatch)
        app = await build_application(settings, clock=clock)
        services = SERVICES.of(app)
        await load_tree(services, tmp_path)
        riverside = await services.storage.units.by_code("RIV")
        assert riverside is not None
        created = await services.invites.create(
            Actor.console(),
            riverside,
            Role.SECRETARY,
            uses=1,
            expires_in=timedelta(days=1),
            approval=False,
        )
        assert gc.get_freeze_count() == 0
        stop = asyncio.Event()
        running = asyncio.create_task(serve_polling(app, stop, poll_timeout=1))
        try:
            alice = FakeUser(7001, "Alice", username="alice", api=api)
            mark = len(api.calls)
            api.push_update(alice.command("start", created.token))
            call = await api.wait_for_call("sendMessage", chat_id=7001, since=mark)
            assert call.message is not None
            assert call.message.text == (
                "Welcome! You are now a secretary of Riverside District.\n"
                "Send /help to see what you can do."
            )
            mark = len(api.calls)
            api.push_update(alice.command("help"))
            call = await api.wait_for_call("sendMessage", chat_id=7001, since=mark)
            assert call.message is not None and call.message.text is not None
            assert "/invite — Create an invite link" in call.message.text
            member = await services.storage.members.by_telegram_id(7001)
            assert member is not None and member.username == "alice"
            # Full collections under a burst of presses walked everything start-up built
            # and paused the loop: the running bot keeps that heap frozen, out of every
            # generation the collector walks, and gives it back on stop.
            assert gc.get_freeze_count() > 0
            assert not any(o is services for o in gc.get_objects())
        finally:
            stop.set()
            await asyncio.wait_for(running, 15)
        assert gc.get_freeze_count() == 0
        assert any(o is services for o in gc.get_objects())
        # Polling confirmed both updates; menus were registered at start-up.
        assert api.confirmed_offset > 2
        assert api.commands_for(None, "en")[0]["command"] == "start"
        # The token never travels anywhere but the URL path.
        assert all(TOKEN not in str(c.params) for c in api.calls)


async def test_directive_delivered_by_the_running_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The production wiring: the JobQueue tick and the outbox worker started by
    serve_polling deliver a directive over HTTP, and a stop leaves nothing in flight."""
    from bot.directives.drafting import Draft
    from bot.kit.clock import SystemClock
    from storage.directives import Target

    api = FakeBotApi()
    async with BotApiServer(api, TOKEN) as server:
        settings = polling_settings(
            server,
            tmp_path,
            monkeypatch,
            # The real clock drives this test: with the default 09:00 reminder, a run at
            # 01:00 UTC also sent each member a check-in reminder (CI failed on that).
            checkin={"reminders": []},
        )
        app = await build_application(settings, clock=SystemClock())
        services = SERVICES.of(app)
        await load_tree(services, tmp_path)
        branch = await services.storage.units.by_code("RIV-1")
        assert branch is not None
        people = [(8001 + i, f"Member {i}", None, "en", branch.id) for i in range(5)]
        await services.storage.members.add_many(people, services.clock.now())
        stop = asyncio.Event()
        running = asyncio.create_task(serve_polling(app, stop, poll_timeout=1))
        try:
            await api.wait_for_call("getUpdates")  # polling is up, so the worker is too
            directive = await services.directives.create(
                Actor.console(),
                Draft(
                    targets=(Target(branch.id, subtree=True),),
                    text="Sandbags to the east levee.",
                    attachment=None,
                    ack_required=False,
                    ack_deadline=None,
                    send_at=None,
                ),
            )
            DELIVERY.of(app).wake()
            for chat_id, *_ in people:
                call = await api.wait_for_call("sendMessage", chat_id=chat_id)
                assert call.message is not None
                assert call.message.text == (
                    "Directive from Riverside Branch 1\n\nSandbags to the east levee."
                )
            for _ in range(100):  # the tick closes it within a couple of seconds
                current = await services.storage.directives.get(directive.id)
                if current is not None and current.status == "sent":
                    break
                await asyncio.sleep(0.1)
            assert current is not None and current.status == "sent"
        finally:
            stop.set()
            await asyncio.wait_for(running, 15)
        # Each member got it exactly once.
        for chat_id, *_ in people:
            assert len(api.sent_to(chat_id)) == 1
