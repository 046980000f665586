"""At start: the bot checks that telegram.bot_username is its own name, because every
invite link the CLI prints is built from it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app.runner import announce
from bot.config import Settings
from bot.kit.clock import FakeClock
from fakeapi import ChatDriver, FakeBotApi
from handlers.kit.slots import DELIVERY, SERVICES
from storage import Storage
from tests.conftest import ADMIN_ID
from tests.flows.conftest import Harness, build_app
from tests.orgdata import load_tree

CHINESE_ADMIN = 900_000_002


async def test_a_different_bot_name_is_logged_and_told_to_each_admin(
    settings: Settings,
    storage: Storage,
    clock: FakeClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    organisation = settings.organisation.model_copy(update={"admins": [ADMIN_ID, CHINESE_ADMIN]})
    settings = settings.model_copy(update={"organisation": organisation})
    # The token belongs to @riverside_real_bot; the config says @muster_test_bot.
    api = FakeBotApi(clock=clock.now, bot_username="riverside_real_bot")
    app = await build_app(settings, storage, clock, api)
    services = SERVICES.of(app)
    await load_tree(services, tmp_path)
    unit = await storage.units.by_code("RIV")
    assert unit is not None
    await storage.members.add_many([(CHINESE_ADMIN, "Li", None, "zh", unit.id)], clock.now())
    async with ChatDriver(app, api):
        with caplog.at_level(logging.ERROR, logger="app.runner"):
            await announce(app)
        await DELIVERY.of(app).drain()
    [logged] = [r for r in caplog.records if r.name == "app.runner"]
    assert "muster_test_bot" in logged.getMessage()
    assert "@riverside_real_bot" in logged.getMessage()
    [english] = api.sent_to(ADMIN_ID)
    assert english.text is not None
    assert english.text.startswith("⚠️ Invite links name the wrong bot.\n")
    assert (
        "says @muster_test_bot (telegram.bot_username), but this bot is @riverside_real_bot"
        in english.text
    )
    assert 'Set telegram.bot_username = "riverside_real_bot"' in english.text
    [chinese] = api.sent_to(CHINESE_ADMIN)
    assert chinese.text is not None
    assert chinese.text.startswith("⚠️ 邀请链接指向了别的机器人。\n")
    assert '请将 telegram.bot_username 改为 "riverside_real_bot"' in chinese.text


async def test_the_right_bot_name_says_nothing(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="app.runner"):
        await announce(harness.app)
    await harness.run_due()
    assert harness.api.sent_to(ADMIN_ID) == []
    assert [r for r in caplog.records if r.name == "app.runner"] == []
