"""The dashboard Mini App (issue #19) against the real web server: who gets its button,
what its Today view shows (the numbers of /members, /directives and the summary), and
whom it refuses (a bare 401 for launch data that is missing, tampered with, expired or
another bot's; a 403 in the person's language for a unit out of their scope)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from app.runner import web_pages
from app.web import page_routes, web_server
from bot.config import ConfigError, Settings, load_settings
from bot.dashboard.initdata import launch_fields, signed
from bot.directives.drafting import Draft
from bot.kit.i18n import LANGUAGES, Translator
from bot.org.authz import Actor
from fakeapi import FakeUser
from handlers.dashboard.web import API_TODAY, INIT_DATA_HEADER, LABELS, PAGE_PATH
from storage.directives import Target
from storage.summaries import DirectiveReach
from tests.conftest import ADMIN_ID
from tests.flows.conftest import Harness
from tests.flows.test_checkin import local
from tests.flows.test_summary import DAY, Org, checkin, make_org

URL = "https://muster.example.org/dashboard/"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return dashboard_settings(tmp_path)


def dashboard_settings(
    tmp_path: Path, dashboard: dict[str, Any] | None = None, **more: Any
) -> Settings:
    """The tests' settings with the dashboard served (with ``dashboard``'s keys too, and
    ``more`` sections)."""
    served = {"enabled": True, "public_url": "https://muster.example.org", "port": 0}
    return load_settings(
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai", "admins": [ADMIN_ID]},
        storage={"database": tmp_path / "muster.db"},
        telegram={"bot_username": "muster_test_bot"},
        dashboard=served | (dashboard or {}),
        **more,
    )


@pytest.fixture
async def org(harness: Harness) -> Org:
    return await make_org(harness)


@pytest.fixture
async def served(harness: Harness) -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    async with (
        web_server(page_routes(harness.app), host="127.0.0.1", port=0) as base,
        aiohttp.ClientSession() as http,
    ):
        yield http, base


def launch(harness: Harness, who: FakeUser | int, *, token: str | None = None, age: int = 0) -> str:
    """Launch data as Telegram's client would send it for ``who``."""
    telegram_id = who if isinstance(who, int) else who.id
    at = harness.clock.now() - timedelta(seconds=age)
    return signed(token or harness.app.bot.token, launch_fields(telegram_id, at))


async def today(
    served: tuple[aiohttp.ClientSession, str], init_data: str | None, unit: int | None = None
) -> tuple[int, Any, aiohttp.ClientResponse]:
    http, base = served
    headers = {INIT_DATA_HEADER: init_data} if init_data is not None else {}
    params = {"unit": str(unit)} if unit is not None else {}
    async with http.get(base + API_TODAY, headers=headers, params=params) as response:
        body = await response.read()
        return response.status, json.loads(body) if body else None, response


async def directive_to(harness: Harness, author: FakeUser, code: str) -> int:
    services = harness.services
    draft = Draft(
        targets=(Target((await harness.unit(code)).id, subtree=True),),
        text="Sandbags to the river gate by 18:00.",
        attachment=None,
        ack_required=True,
        ack_deadline=harness.clock.now() + timedelta(hours=2),
        send_at=None,
        question=None,
    )
    directive = await services.directives.create(await services.authz.actor(author.id), draft)
    return directive.id


async def test_the_today_view_shows_the_numbers_of_the_summary_members_and_directives(
    harness: Harness, org: Org, served: tuple[aiohttp.ClientSession, str]
) -> None:
    services = harness.services
    directive_id = await directive_to(harness, org.sec, "RIV-1")
    await harness.run_due()
    await services.directives.acknowledge(directive_id, org.members["Ann"].id)
    await services.directives.acknowledge(directive_id, org.members["Bo"].id)
    status, view, _ = await today(served, launch(harness, org.coord))
    assert status == 200
    riv, riv1 = await harness.unit("RIV"), await harness.unit("RIV-1")
    assert view["unit"] == {"id": riv.id, "name": "Riverside District"}
    assert view["lang"] == "en" and view["texts"]["checked_in"] == "Checked in"
    # Worst first, as the summary: RIV's own two coordinators (0%), then RIV-1 (4 of 5).
    shown = [
        (x["name"], x["checked_in"], x["expected"], x["missing"], x["level"]) for x in view["lines"]
    ]
    assert shown == [
        ("Riverside District (own members)", 0, 2, 2, "bad"),
        ("Riverside Branch 1", 4, 5, 1, "warn"),
    ]
    summary = await services.summaries.compile(riv, date.fromisoformat(DAY))
    assert [(x.unit.id, x.counts.checked_in, x.counts.missing) for x in summary.lines] == [
        (x["id"], x["checked_in"], x["missing"]) for x in view["lines"]
    ]
    assert view["total"]["checked_in"] == summary.total.checked_in == 4
    # /members' tally of RIV-1.
    days = await services.checkins.day_status(Actor.console(), date.fromisoformat(DAY))
    [(_, tally, missing)] = [d for d in days if d[0].code == "RIV-1"]
    line = view["lines"][1]
    assert (line["members"], line["checked_in"], line["missing"]) == (
        tally.members,
        tally.checked_in,
        len(missing),
    )
    # /directives' totals, and RIV-1's own summary's, are the line's.
    [(_, totals)] = await services.directives.recent(await services.authz.actor(org.coord.id))
    reach = line["directives"]
    assert (reach["recipients"], reach["sent"], reach["acked"]) == (
        totals.recipients,
        totals.sent,
        totals.acked,
    )
    assert reach["acked"] == 2 and reach["asked"] == totals.recipients == 5
    own = DirectiveReach.of((await services.summaries.compile(riv1, summary.day)).directives)
    assert (own.recipients, own.sent, own.asked, own.acked) == (
        reach["recipients"],
        reach["sent"],
        reach["asked"],
        reach["acked"],
    )
    # RIV's own members are missing: listed by name, never checked in.
    assert [(m["name"], m["last"]) for m in view["missing"]] == [
        ("Chen", "never checked in"),
        ("Cora", "never checked in"),
    ]


async def test_drilling_down_lists_who_is_missing_and_a_refresh_sees_a_new_check_in(
    harness: Harness, org: Org, served: tuple[aiohttp.ClientSession, str]
) -> None:
    riv1 = await harness.unit("RIV-1")
    status, view, _ = await today(served, launch(harness, org.coord), riv1.id)
    assert status == 200
    assert view["unit"]["name"] == "Riverside Branch 1"
    assert [m["name"] for m in view["missing"]] == ["Ed"]  # Di is on leave
    assert [p["label"] for p in view["path"]] == ["‹ Riverside District"]  # not CITY: not hers
    await checkin(harness, org.members["Ed"], "post")
    _, again, _ = await today(served, launch(harness, org.coord), riv1.id)
    assert again["missing"] == [] and again["total"]["checked_in"] == 5


async def test_a_missing_member_who_blocked_the_bot_is_shown_as_not_reachable(
    harness: Harness, org: Org, served: tuple[aiohttp.ClientSession, str]
) -> None:
    """How Ed is reached: a directive's message to him is refused (he blocked the bot)."""
    riv1 = await harness.unit("RIV-1")
    harness.api.block(org.members["Ed"].id)
    await harness.issue(None, "Sandbags to the river gate.", unit="RIV-1")
    _, view, _ = await today(served, launch(harness, org.coord), riv1.id)
    [ed] = view["missing"]
    assert (ed["name"], ed["reach"]) == ("Ed", "blocked")
    assert ed["last"] == "never checked in · ⛔ blocked the bot: not reachable on Telegram"
    _, zh, _ = await today(served, launch(harness, org.coord_zh), riv1.id)
    assert zh["missing"][0]["last"].endswith("⛔ 已屏蔽机器人：无法通过 Telegram 联系")


async def test_chinese_readers_get_chinese_words(
    harness: Harness, org: Org, served: tuple[aiohttp.ClientSession, str]
) -> None:
    _, view, _ = await today(served, launch(harness, org.coord_zh))
    assert view["lang"] == "zh"
    assert view["texts"]["checked_in"] == "已打卡"
    assert view["lines"][0]["name"] == "Riverside District（本级成员）"


@pytest.mark.parametrize("problem", ["missing", "tampered", "expired", "foreign", "garbage"])
async def test_launch_data_that_is_not_valid_gets_a_bare_401(
    harness: Harness, org: Org, served: tuple[aiohttp.ClientSession, str], problem: str
) -> None:
    good = launch(harness, org.coord)
    given = {
        "missing": None,
        # Someone else's id in a copy of the coordinator's signed data.
        "tampered": good.replace(f"%22id%22%3A{org.coord.id}", f"%22id%22%3A{org.sec.id}"),
        "expired": launch(harness, org.coord, age=3601),
        "foreign": launch(harness, org.coord, token="123456:another-bots-token"),
        "garbage": "hash=&&user",
    }[problem]
    assert given != good
    status, body, response = await today(served, given)
    assert (status, body) == (401, None)
    assert response.headers["Cache-Control"].startswith("no-store")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


async def test_launch_data_is_taken_within_max_age(
    harness: Harness, org: Org, served: tuple[aiohttp.ClientSession, str]
) -> None:
    status, _, _ = await today(served, launch(harness, org.coord, age=3500))
    assert status == 200


async def test_a_member_without_a_role_and_a_unit_out_of_scope_are_refused(
    harness: Harness, org: Org, served: tuple[aiohttp.ClientSession, str]
) -> None:
    status, body, _ = await today(served, launch(harness, org.members["Ann"]))
    assert status == 403
    assert body["message"].startswith("You have no unit to watch")
    # Sam is secretary of RIV-1: RIV (above) and HIL (beside) are not his.
    for code in ("RIV", "HIL"):
        status, body, response = await today(
            served, launch(harness, org.sec), (await harness.unit(code)).id
        )
        assert status == 403 and body == {
            "lang": "en",
            "message": "That unit is outside your scope.",
        }
        assert response.headers["Cache-Control"].startswith("no-store")
    status, _, _ = await today(served, launch(harness, org.sec), 999_999)
    assert status == 404
    status, _, _ = await today(served, launch(harness, org.sec), None)
    assert status == 200
    refused = [e for e in await harness.services.storage.audit.recent() if e.outcome == "denied"]
    assert len(refused) >= 3  # audited as the chat's refusals are


async def test_a_revoked_role_takes_effect_on_the_next_refresh(
    harness: Harness, org: Org, served: tuple[aiohttp.ClientSession, str], admin: FakeUser
) -> None:
    status, _, _ = await today(served, launch(harness, org.coord))
    assert status == 200
    await harness.send(admin, admin.command("ungrant", str(org.coord.id), "coordinator", "RIV"))
    status, body, _ = await today(served, launch(harness, org.coord))
    assert status == 403 and "secretaries and coordinators" in body["message"]
    # ...and the chat's menu button goes back to the commands.
    [*_, last] = harness.api.calls_of("setChatMenuButton")
    assert last.params["chat_id"] == org.coord.id
    assert last.params["menu_button"] == {"type": "default"}


async def test_secretaries_and_coordinators_get_the_menu_button_members_do_not(
    harness: Harness, admin: FakeUser
) -> None:
    pat = harness.person(501, "Pat", username="pat", language="zh")
    await harness.join(pat, "RIV-1")
    buttons = [c for c in harness.api.calls_of("setChatMenuButton") if c.params["chat_id"] == 501]
    assert [c.params["menu_button"] for c in buttons] == [{"type": "default"}]
    await harness.send(admin, admin.command("grant", "@pat", "secretary", "RIV"))
    [*_, last] = harness.api.calls_of("setChatMenuButton")
    assert last.params["menu_button"] == {
        "type": "web_app",
        "text": "📊 仪表板",
        "web_app": {"url": URL},
    }


async def test_directives_and_the_daily_summary_carry_the_button(
    harness: Harness, org: Org
) -> None:
    [listing] = await harness.send(org.coord, org.coord.command("directives"))
    assert listing.keyboard[-1] == [{"text": "📊 Dashboard", "web_app": {"url": URL}}]
    harness.clock.set(local(f"{DAY} 20:00"))
    await harness.run_due()
    [summary] = [m for m in harness.api.sent_to(org.coord.id) if (m.text or "").startswith("📊")]
    assert summary.keyboard == [[{"text": "📊 Dashboard", "web_app": {"url": URL}}]]


async def test_the_page_has_no_inline_script_and_is_not_cached(
    harness: Harness, served: tuple[aiohttp.ClientSession, str]
) -> None:
    http, base = served
    async with http.get(base + PAGE_PATH) as page:
        text = await page.text()
        assert page.status == 200
        assert page.headers["Cache-Control"].startswith("no-store")
        csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "<script>" not in text and "<style" not in text and " style=" not in text
    assert "Loading… / 加载中…" in text
    async with http.get(base + PAGE_PATH + "static/dashboard.js") as script:
        assert script.status == 200 and script.content_type == "application/javascript"
    async with http.get(base + PAGE_PATH + "static/..%2Fweb.py") as sneaky:
        assert sneaky.status == 404


async def test_nothing_is_served_when_off_and_config_errors_name_the_key(tmp_path: Path) -> None:
    db = {"database": tmp_path / "x.db"}
    assert load_settings(None, storage=db).dashboard.url is None
    bad = [
        ({"enabled": True}, "dashboard: public_url: not set"),
        ({"public_url": "http://m.org"}, "dashboard.public_url: 'http://m.org' is not an https"),
        ({"max_age": "soon"}, "dashboard.max_age: 'soon' is not a duration"),
        ({"tiles": "http://t.org/{z}/{x}/{y}.png"}, "dashboard.tiles: 'http://t.org/{z}/{x}/"),
        (
            {"tiles": "https://t.org/{z}/{x}.png"},
            "dashboard.tiles: 'https://t.org/{z}/{x}.png' lacks {y}",
        ),
        ({"tiles": "https://{s}.t.org/{z}/{x}/{y}.png"}, "dashboard.tiles: 'https://{s}.t.org"),
    ]
    for section, problem in bad:
        with pytest.raises(ConfigError) as caught:
            load_settings(None, storage=db, dashboard=section)
        assert caught.value.problems[0].startswith(problem)


async def test_polling_mode_serves_the_dashboard_on_a_port_of_its_own(harness: Harness) -> None:
    async with web_pages(harness.app) as base, aiohttp.ClientSession() as http:
        assert base is not None
        async with http.get(base + PAGE_PATH) as page:
            assert page.status == 200
        async with http.get(base + API_TODAY) as data:
            assert data.status == 401


def test_both_languages_have_every_word_of_the_page() -> None:
    i18n = Translator()
    keys = {*LABELS.values(), "dashboard-expired", "dashboard-button", "dashboard-refused"}
    for language in LANGUAGES:
        assert keys <= i18n.message_ids(language), language
