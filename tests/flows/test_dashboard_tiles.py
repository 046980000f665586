"""Map tiles under the Duty view (issue #19), when ``dashboard.tiles`` names a tile server:
the duty answer carries the tiles covering its map, placed in the map's coordinates, and
the attribution; the page's policy lets images come from that server and no other. Without
the setting the answer has no tiles and the policy is unchanged."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings
from bot.dashboard.tiles import tile_xy
from handlers.dashboard.web import API_DUTY, PAGE_PATH
from tests.flows.conftest import Harness
from tests.flows.test_dashboard import dashboard_settings, launch, served
from tests.flows.test_dashboard_views import Duty, ask, duty, org
from tests.flows.test_summary import Org

__all__ = ["duty", "org", "served"]  # the fixtures, shared with test_dashboard_views

TILES = "https://tile.example.org/osm/{z}/{x}/{y}.png"
CREDIT = "© OpenStreetMap contributors"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return dashboard_settings(tmp_path, {"tiles": TILES, "tiles_attribution": CREDIT})


async def policy(served: tuple[aiohttp.ClientSession, str], path: str) -> str:
    http, base = served
    async with http.get(base + path) as response:
        return response.headers["Content-Security-Policy"]


async def test_the_duty_map_carries_the_tiles_under_it_and_the_policy_allows_their_server(
    harness: Harness, org: Org, duty: Duty, served: tuple[aiohttp.ClientSession, str]
) -> None:
    status, view = await ask(served, API_DUTY, launch(harness, org.coord))
    assert status == 200 and view["attribution"] == CREDIT
    tiles = view["tiles"]
    left, top, width, height = view["box"]
    # The tiles cover the map's box, a few across, each from the configured server.
    assert min(t["x"] for t in tiles) <= left
    assert max(t["x"] + t["w"] for t in tiles) >= left + width
    assert min(t["y"] for t in tiles) <= top
    assert max(t["y"] + t["h"] for t in tiles) >= top + height
    assert 2 <= len({t["x"] for t in tiles}) <= 7
    assert all(t["url"].startswith("https://tile.example.org/osm/") for t in tiles)
    # Grid E1 (31.2300 N, 121.4700 E) lies on its tile: the grids and tiles share the map's
    # coordinates.
    e1 = next(g for g in view["grids"] if g["code"] == "E1")
    [under] = [
        t for t in tiles
        if t["x"] <= e1["x"] < t["x"] + t["w"] and t["y"] <= e1["y"] < t["y"] + t["h"]
    ]  # fmt: skip
    zoom, x, y = (int(part) for part in under["url"].removesuffix(".png").split("/")[-3:])
    assert (x, y) == tuple(int(v) for v in tile_xy(31.2300, 121.4700, zoom))
    # Images from the tile server's origin only, on the page and on every answer.
    for path in (PAGE_PATH, API_DUTY):
        csp = await policy(served, path)
        assert "img-src 'self' data: https://tile.example.org;" in csp


async def test_a_map_with_nothing_to_draw_has_no_tiles(
    harness: Harness, org: Org, served: tuple[aiohttp.ClientSession, str]
) -> None:
    status, view = await ask(served, API_DUTY, launch(harness, org.coord))
    assert status == 200 and view["box"] is None
    assert view["tiles"] == [] and view["attribution"] == ""
