"""The Duty view's map tiles in a real browser (headless Chromium, as
``test_dashboard_browser``): the page asks the configured tile server for the tiles the
answer names, draws them under the grids, and shows the attribution. The policy allows
only https:// tile servers, so the test's tile server is Playwright answering for
``https://tile.example.org`` inside the browser (no network)."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from tests.flows.conftest import Harness
from tests.flows.test_dashboard import dashboard_settings, launch
from tests.flows.test_dashboard_browser import base, browser, opened, org, playwright
from tests.flows.test_dashboard_views import Duty, duty
from tests.flows.test_summary import Org

__all__ = ["base", "browser", "duty", "org"]  # the fixtures, shared with the other tests

TILE_SERVER = "https://tile.example.org"
CREDIT = "© OpenStreetMap contributors"
# A 1×1 grey PNG: what every tile is in this test.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCB3UNq9AAAAABJRU5ErkJggg=="
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    tiles = {"tiles": TILE_SERVER + "/{z}/{x}/{y}.png", "tiles_attribution": CREDIT}
    return dashboard_settings(tmp_path, tiles)


async def test_the_duty_map_is_drawn_over_the_tile_server_s_tiles(
    harness: Harness, org: Org, duty: Duty, browser: Any, base: str
) -> None:
    served: list[str] = []
    asked = asyncio.Event()

    async def tile(route: Any) -> None:
        served.append(route.request.url)
        asked.set()
        await route.fulfill(status=200, content_type="image/png", body=PNG)

    page = await opened(browser, base, launch(harness, org.coord), {})
    await page.route(TILE_SERVER + "/**", tile)  # the tiles load only on the Duty tab
    await page.get_by_role("button", name="Duty").click()
    images = page.locator("#duty-map image.tile")
    await playwright.expect(page.locator("#duty-map circle.grid")).to_have_count(5)
    count = await images.count()
    assert count >= 4
    # Under the grids: every tile comes before the first circle in the drawing.
    order = await page.eval_on_selector(
        "#duty-map", "map => [...map.children].map(node => node.tagName)"
    )
    assert order.index("circle") > max(i for i, tag in enumerate(order) if tag == "image")
    await playwright.expect(page.locator("#duty-view .attribution")).to_have_text(CREDIT)
    # The browser fetched each tile from the configured server (the policy let it).
    hrefs = await images.evaluate_all("images => images.map(image => image.href.baseVal)")
    assert all(href.startswith(TILE_SERVER + "/") for href in hrefs)
    async with asyncio.timeout(10):  # woken by each request, not by time passing
        while True:
            asked.clear()
            if set(served) == set(hrefs):
                break
            await asked.wait()
