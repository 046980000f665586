"""Features plug in through their records (``handlers/kit/feature.py``) and can be
switched off: here an organisation without grid duty, built by the real composition root."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.build import build_application, run_schedule
from app.features import FEATURES
from bot.config import ConfigError, FeatureName, Settings, load_settings
from bot.duty.buttons import ConfirmShift
from fakeapi import FakeBotApi, FakeRequest
from handlers.kit.menu import MENU
from storage import Storage
from storage.models import Role
from tests.conftest import ADMIN_ID
from tests.flows.conftest import Harness
from tests.flows.test_basics import commands
from tests.flows.test_checkin import local
from tests.flows.test_duty import add_grid, add_shift, shift

DUTY_COMMANDS = {"duty", "roster", "assign", "grids"}
SEC, FAR = 1601, 1602


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The shared test settings, with grid duty switched off."""
    return load_settings(
        None,
        organisation={
            "name": "Riverside",
            "timezone": "Asia/Shanghai",
            "admins": [ADMIN_ID],
            "features_off": ["duty"],
        },
        storage={"database": tmp_path / "muster.db"},
        telegram={"bot_username": "muster_test_bot"},
    )


async def test_without_duty_its_commands_are_unknown_in_the_persons_language(
    harness: Harness,
) -> None:
    sec = harness.person(SEC, "Sam")
    far = harness.person(FAR, "Far", language="zh")
    await harness.join(sec, "RIV", Role.SECRETARY)
    await harness.join(far, "HIL-1")
    [answer] = await harness.send(far, far.command("duty"))
    assert answer.text == "没有这个命令。发送 /help 查看可用功能。"
    for command in sorted(DUTY_COMMANDS):
        [answer] = await harness.send(sec, sec.command(command))
        assert answer.text == "I don't know that command. Send /help to see what you can do."
    # A duty button sent before duty was switched off changes nothing, and says so.
    replies = await harness.send(far, far.press_data(1, ConfirmShift(1).pack()))
    assert replies.callback_answers[0].text == "此按钮已失效，未做任何更改。"
    # The other features still answer.
    [answer, reach] = await harness.send(sec, sec.command("members"))
    assert answer.text is not None and "Riverside" in answer.text
    assert reach.text is not None and reach.text.startswith("Reach now")


async def test_without_duty_help_and_menus_do_not_list_it(harness: Harness) -> None:
    sec = harness.person(SEC, "Sam")
    await harness.join(sec, "RIV", Role.SECRETARY)
    [answer] = await harness.send(sec, sec.command("help"))
    assert commands(answer.text) == [
        "/checkin", "/leave", "/me", "/directive", "/directives", "/members", "/summary",
        "/export", "/invite", "/invites", "/flags", "/register", "/language", "/help", "/cancel",
    ]  # fmt: skip
    menu = harness.api.commands_for({"type": "chat", "chat_id": SEC})
    assert {c["command"] for c in menu} & DUTY_COMMANDS == set()
    assert "checkin" in {c["command"] for c in menu}
    assert MENU.of(harness.app).names() & DUTY_COMMANDS == set()


async def test_without_duty_the_duty_schedule_never_runs(harness: Harness) -> None:
    harness.clock.set(local("2026-12-01 06:00"))
    far = harness.person(FAR, "Far", language="zh")
    await harness.join(far, "RIV-1")
    await harness.run_due()
    grid = await add_grid(harness, "RIV-1", "N1", "North Street")
    shift_id = await add_shift(harness, far, grid, "2026-12-01 20:00")
    for when in ("2026-12-01 08:00", "2026-12-01 19:00", "2026-12-01 20:30", "2026-12-02 00:00"):
        harness.clock.set(local(when))
        await harness.run_due()
    assert [m.text for m in harness.api.sent_to(FAR) if "值守" in (m.text or "")] == []
    stored = await shift(harness, shift_id)
    assert (stored.confirm_asked_at, stored.status) == (None, "assigned")


async def test_without_duty_summaries_have_no_duty_line(harness: Harness) -> None:
    harness.clock.set(local("2026-12-01 12:00"))
    coord = harness.person(1603, "Cora")
    await harness.join(coord, "RIV", Role.COORDINATOR)
    await harness.join(harness.person(1604, "Ann"), "RIV-1")
    [_, answer, _] = await harness.send(coord, coord.command("summary"))
    assert (answer.text or "").startswith("📊 Riverside District — Tue 1 Dec")
    assert "Duty" not in (answer.text or "")
    harness.clock.set(local("2026-12-01 20:00"))
    await harness.run_due()
    evening = [m.text or "" for m in harness.api.sent_to(1603) if (m.text or "").startswith("📊")]
    assert len(evening) == 2 and "Duty" not in evening[-1]


async def test_a_feature_can_be_left_out_by_the_caller(
    settings: Settings, storage: Storage, tmp_path: Path
) -> None:
    """``build_application(features=…)``: summaries left out, duty put back."""
    wanted = tuple(f for f in FEATURES if f.name != FeatureName.SUMMARIES)
    app = await build_application(
        settings, request=FakeRequest(FakeBotApi()), storage=storage, features=wanted
    )
    names = MENU.of(app).names()
    assert "duty" in names and "summary" not in names and "export" not in names
    assert await run_schedule(app) >= 0  # every step switched on runs, nothing crashes


async def test_org_cannot_be_switched_off(
    settings: Settings, storage: Storage, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(None, organisation={"features_off": ["duty", "org"]})
    assert raised.value.problems == [
        "organisation.features_off: org cannot be switched off: every other feature needs it"
    ]
    without_org = tuple(f for f in FEATURES if f.name != FeatureName.ORG)
    with pytest.raises(ConfigError) as raised:
        await build_application(
            settings, request=FakeRequest(FakeBotApi()), storage=storage, features=without_org
        )
    assert raised.value.problems == [
        "organisation.features_off: org cannot be switched off: every other feature needs it"
    ]
