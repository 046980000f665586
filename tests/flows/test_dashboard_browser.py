"""The dashboard's page in a real browser: Debian's headless Chromium, driven by
Playwright, against the real web server, opened as Telegram's client opens a Mini App
(launch data and theme after the ``#``). Skipped, saying why, where either is missing;
``.ci/run`` installs both so CI always runs it. The page's 10-second refresh is driven by
Playwright's clock, not waited for."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from app.web import page_routes, web_server
from bot.config import Settings
from fakeapi import FakeUser
from handlers.dashboard.web import PAGE_PATH
from tests.flows.conftest import Harness
from tests.flows.test_checkin import local
from tests.flows.test_dashboard import dashboard_settings, directive_to, launch
from tests.flows.test_dashboard_views import Duty, duty
from tests.flows.test_summary import DAY, Org, checkin, make_org

__all__ = ["duty"]  # the fixture, shared with test_dashboard_views

playwright = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed (pip install playwright)"
)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium on PATH: install Debian's (apt-get install -y chromium); .ci/run does",
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DARK = {"bg_color": "#17212b", "text_color": "#f5f5f5", "secondary_bg_color": "#232e3c"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return dashboard_settings(tmp_path)


@pytest.fixture
async def org(harness: Harness) -> Org:
    return await make_org(harness)


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with playwright.async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def base(harness: Harness) -> AsyncIterator[str]:
    async with web_server(page_routes(harness.app), host="127.0.0.1", port=0) as served:
        yield served


async def screenshot(page: Any, name: str) -> None:
    """The README's pictures, taken when DASHBOARD_SCREENSHOTS names a folder (docs/images)."""
    if folder := os.environ.get("DASHBOARD_SCREENSHOTS"):
        await page.screenshot(path=str(Path(folder) / name), full_page=True)


async def opened(browser: Any, base: str, init_data: str, theme: dict[str, str]) -> Any:
    """A phone-sized page opened as Telegram opens a Mini App, its clock under the test's."""
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    page.asked = []  # every address the page requests
    page.on("request", lambda request: page.asked.append(request.url))
    await page.clock.install()
    fragment = (
        f"tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0"
        f"&tgWebAppThemeParams={quote(json.dumps(theme), safe='')}"
    )
    await page.goto(f"{base}{PAGE_PATH}#{fragment}")
    return page


async def acknowledged_by_two(harness: Harness, org: Org) -> int:
    """Sam's directive to RIV-1, sent; Ann and Bo have acknowledged it."""
    directive_id = await directive_to(harness, org.sec, "RIV-1")
    await harness.run_due()
    for name in ("Ann", "Bo"):
        await harness.services.directives.acknowledge(directive_id, org.members[name].id)
    return directive_id


async def test_the_page_shows_the_tree_drills_down_and_refreshes(
    harness: Harness, org: Org, browser: Any, base: str
) -> None:
    await acknowledged_by_two(harness, org)
    page = await opened(browser, base, launch(harness, org.coord), {})
    lines = page.locator("#lines li")
    await playwright.expect(lines).to_have_count(2)
    await playwright.expect(page.locator("#title")).to_have_text("Riverside District")
    await playwright.expect(lines.nth(0)).to_contain_text("Riverside District (own members)")
    await playwright.expect(lines.nth(0)).to_contain_text("Checked in 0/2 (0%) · Missing 2")
    await playwright.expect(lines.nth(0)).to_have_class("line bad")
    await playwright.expect(lines.nth(1)).to_contain_text("Checked in 4/5 (80%) · Missing 1")
    await playwright.expect(lines.nth(1)).to_have_class("line warn")
    await playwright.expect(lines.nth(1)).to_contain_text(
        "Acknowledged or answered 2/5 (40%) · Directives sent 5/5"
    )
    await playwright.expect(page.locator("#missing li")).to_have_text(
        ["Chennever checked in", "Coranever checked in"]
    )
    await screenshot(page, "dashboard-today.png")
    # Drill down to Riverside Branch 1: Ed is missing.
    await page.get_by_role("button", name="Riverside Branch 1").click()
    await playwright.expect(page.locator("#title")).to_have_text("Riverside Branch 1")
    await playwright.expect(page.locator("#missing .who")).to_have_text(["Ed"])
    # Ed checks in; the next refresh (10 s on the page's clock) shows it.
    await checkin(harness, org.members["Ed"], "post")
    await page.clock.run_for(10_000)
    await playwright.expect(page.locator("#missing li")).to_have_text(["Everyone has checked in."])
    await playwright.expect(page.locator("#total")).to_contain_text("Checked in 5/5 (100%)")
    # Back up to Riverside District.
    await page.get_by_role("button", name="‹ Riverside District").click()
    await playwright.expect(page.locator("#title")).to_have_text("Riverside District")
    # Nothing personal went into an address: no launch data, no Telegram id; and the
    # launch data is out of the address bar too.
    asked = " ".join(page.asked)
    assert "/dashboard/api/today" in asked
    assert "hash" not in asked and "tgWebAppData" not in asked and str(org.coord.id) not in asked
    assert "tgWebAppData" not in page.url


async def test_the_page_follows_the_theme_and_the_persons_language(
    harness: Harness, org: Org, browser: Any, base: str
) -> None:
    page = await opened(browser, base, launch(harness, org.coord_zh), DARK)
    await playwright.expect(page.locator("#lines li").nth(1)).to_contain_text("已打卡 4/5 (80%)")
    await playwright.expect(page.locator("html")).to_have_attribute("lang", "zh")
    await playwright.expect(page.locator("html")).to_have_class("dark")
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(23, 33, 43)"  # the theme's bg_color
    await screenshot(page, "dashboard-today-zh-dark.png")
    # The client switches to its light theme while the page is open.
    await page.evaluate(
        "window.Telegram.WebView.receiveEvent('theme_changed',"
        " {theme_params: {bg_color: '#ffffff', text_color: '#000000'}})"
    )
    await playwright.expect(page.locator("html")).not_to_have_class("dark")
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(255, 255, 255)"


async def test_a_refused_launch_shows_only_the_reopen_message(
    harness: Harness, org: Org, browser: Any, base: str
) -> None:
    page = await opened(browser, base, launch(harness, org.coord, age=7200), {})
    await playwright.expect(page.locator("#message")).to_contain_text("open it again from the chat")
    await playwright.expect(page.locator("#lines li")).to_have_count(0)
    member = await opened(browser, base, launch(harness, org.members["Ann"]), {})
    await playwright.expect(member.locator("#message")).to_contain_text("You have no unit to watch")


async def test_a_role_revoked_while_open_empties_the_page_at_the_next_refresh(
    harness: Harness, org: Org, browser: Any, base: str, admin: FakeUser
) -> None:
    page = await opened(browser, base, launch(harness, org.coord), {})
    await page.get_by_role("button", name="Riverside Branch 1").click()
    await playwright.expect(page.locator("#title")).to_have_text("Riverside Branch 1")
    await harness.send(admin, admin.command("ungrant", str(org.coord.id), "coordinator", "RIV"))
    await page.clock.run_for(10_000)
    await playwright.expect(page.locator("#message")).to_contain_text("You have no unit to watch")
    await playwright.expect(page.locator("#lines li")).to_have_count(0)
    await playwright.expect(page.locator("#title")).to_have_text("Muster")


# The Duty and Trends views ---------------------------------------------------------------


async def test_the_duty_view_draws_the_grids_and_shows_a_grid_s_shifts(
    harness: Harness, org: Org, duty: Duty, browser: Any, base: str
) -> None:
    page = await opened(browser, base, launch(harness, org.coord), {})
    await playwright.expect(page.locator("#lines li")).to_have_count(2)
    await page.get_by_role("button", name="Duty").click()
    await playwright.expect(page.locator("#title")).to_have_text("Riverside District")
    await playwright.expect(page.locator("#total")).to_contain_text("6 grids, 3 without a shift")
    circles = page.locator("#duty-map circle.grid")
    await playwright.expect(circles).to_have_count(5)  # R1 has no centre: listed only
    classes = await circles.evaluate_all("cs => cs.map(c => c.getAttribute('class'))")
    assert sorted(classes) == sorted(
        ["grid confirmed", "grid covered", "grid started", "grid no_show", "grid uncovered"]
    )
    await playwright.expect(page.locator("#duty-map circle.pin")).to_have_count(1)
    await playwright.expect(page.locator("#duty-legend li")).to_have_text(
        ["uncovered2", "no-show1", "assigned, to confirm1", "confirmed1", "on duty1"]
    )
    await playwright.expect(page.locator("#duty-grids li")).to_have_count(6)
    await playwright.expect(page.locator("#duty-incidents li")).to_have_text(
        ["09:00 · E3 Embankment · Cy: Water over the path"]
    )
    # A tap on E1's circle lists its shift; the list's R1 (no centre) too.
    await page.locator("#duty-map circle.confirmed").click()
    await playwright.expect(page.locator("#duty-detail h3")).to_have_text(
        "E1 Elm Street · Riverside Branch 1"
    )
    await playwright.expect(page.locator("#duty-detail li")).to_have_text(
        ["18:00–21:00Annconfirmed"]
    )
    await playwright.expect(page.locator("#duty-map circle.confirmed")).to_have_class(
        "grid confirmed selected"
    )
    await screenshot(page, "dashboard-duty.png")
    await page.get_by_role("button", name="R1 Ring Road").click()
    await playwright.expect(page.locator("#duty-detail li")).to_have_text(
        ["19:00–22:00—⚠️ cover needed"]
    )
    # The refresh keeps the view and the grid open.
    await page.clock.run_for(10_000)
    await playwright.expect(page.locator("#duty-detail h3")).to_contain_text("R1 Ring Road")
    assert any("/dashboard/api/duty" in url for url in page.asked)


async def test_the_trends_view_draws_a_line_per_unit(
    harness: Harness, org: Org, browser: Any, base: str
) -> None:
    """A week and more after DAY, some of Riverside Branch 1 check in each working day."""
    after = date.fromisoformat(DAY) + timedelta(days=1)
    names = ["Ann", "Bo", "Ed", "Cy", "Di"]
    for n, count in enumerate([3, 5, 2, 0, 0, 4, 3, 4]):
        harness.clock.set(local(f"{after + timedelta(days=n)} 10:00"))
        for name in names[:count]:  # none on Saturday and Sunday: days off
            await checkin(harness, org.members[name], "post")
    page = await opened(browser, base, launch(harness, org.coord_zh), DARK)
    await page.get_by_role("button", name="趋势").click()
    await playwright.expect(page.locator("#total")).to_have_text(
        "趋势，11月10日 周二 – 12月9日 周三"
    )
    rate = page.locator("#trends-view section.trend.rate")
    await playwright.expect(rate.locator("h3")).to_have_text("打卡率")
    series = rate.locator("g.series")
    await playwright.expect(series).to_have_count(3)  # all, own members, Riverside Branch 1
    branch = rate.locator("g.series[data-name='Riverside Branch 1'] circle.point")
    await playwright.expect(branch).to_have_count(7)  # days with members, but days off
    values = await branch.evaluate_all("ps => ps.map(p => [p.dataset.day, p.dataset.value])")
    # Di is on leave until 2 December: 4 of 5 on DAY, 3 of 5 the day after, then of 6.
    assert values[:3] == [[DAY, "0.8"], [after.isoformat(), "0.6"], ["2026-12-03", "0.8333"]]
    heights = await branch.evaluate_all("ps => ps.map(p => Number(p.getAttribute('cy')))")
    assert heights[0] < heights[1]  # 80 % drawn above 60 %
    # Each line is broken by the weekend: no check-in expected, no rate (as the summary).
    await playwright.expect(rate.locator("g.series polyline")).to_have_count(6)
    await playwright.expect(rate.locator(".legend li").nth(2)).to_contain_text(
        "Riverside Branch 167%"  # the last day's: 4 of 6
    )
    await screenshot(page, "dashboard-trends-zh-dark.png")
    # Back to Today.
    await page.get_by_role("button", name="今日").click()
    await playwright.expect(page.locator("#lines li")).to_have_count(2)
    await playwright.expect(page.locator("#trends-view")).to_be_hidden()


# The directive view ---------------------------------------------------------------------


async def test_a_directive_opens_from_today_and_remind_now_reaches_the_silent(
    harness: Harness, org: Org, browser: Any, base: str
) -> None:
    directive_id = await acknowledged_by_two(harness, org)
    page = await opened(browser, base, launch(harness, org.sec), {})
    await page.get_by_role("button", name="📋 Directives ›").click()
    await playwright.expect(page.locator("#d-title")).to_have_text("Recent directives")
    await page.get_by_role("button", name="Sandbags to the river gate").click()
    await playwright.expect(page.locator("#d-text")).to_have_text(
        "Sandbags to the river gate by 18:00."
    )
    await playwright.expect(page.locator("#d-total")).to_have_text(
        "Riverside Branch 1: Sent 5/5 · failed 0 · unreachable 0 · to go 0 · Acknowledged 2/5 (40%)"
    )
    await playwright.expect(page.locator("#d-silent .who")).to_have_text(["Cy", "Di", "Ed"])
    await screenshot(page, "dashboard-directive.png")
    await page.get_by_role("button", name="🔔 Remind now").click()
    await playwright.expect(page.locator("#d-reminded")).to_have_text(
        "Reminder queued for 3 members."
    )
    assert await harness.run_due() == 3
    for name in ("Cy", "Di", "Ed"):
        reminder = harness.api.last_message(org.members[name].id)
        assert reminder.text is not None and reminder.text.startswith("⚠️ Reminder")
    # Cy acknowledges; the next refresh (10 s on the page's clock) shows it.
    await harness.services.directives.acknowledge(directive_id, org.members["Cy"].id)
    await page.clock.run_for(10_000)
    await playwright.expect(page.locator("#d-silent .who")).to_have_text(["Di", "Ed"])
    # Back to Today.
    await page.get_by_role("button", name="‹ All directives").click()
    await page.get_by_role("button", name="‹ Today").click()
    await playwright.expect(page.locator("#title")).to_have_text("Riverside Branch 1")
    await playwright.expect(page.locator("#directive-view")).to_be_hidden()
