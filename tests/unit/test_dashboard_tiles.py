"""Map tiles under the Duty view (``bot/dashboard/tiles.py``): a place's tile at a zoom as
OpenStreetMap numbers them, and the tiles chosen for a map's box covering it, a few across,
placed in the map's own coordinates."""

from __future__ import annotations

import math

import pytest

from bot.dashboard.tiles import cover, tile_corner, tile_xy, zoom_for

TEMPLATE = "https://tiles.example.org/{z}/{x}/{y}.png"


@pytest.mark.parametrize(
    ("lat", "lon", "zoom", "tile"),
    [
        (0.0, 0.0, 1, (1, 1)),
        (51.5074, -0.1278, 10, (511, 340)),  # London: OpenStreetMap's 10/511/340
        (31.2304, 121.4737, 12, (3430, 1673)),  # Shanghai's People's Square
        (-33.8688, 151.2093, 8, (235, 153)),  # Sydney
    ],
)
def test_a_place_falls_in_its_known_tile(
    lat: float, lon: float, zoom: int, tile: tuple[int, int]
) -> None:
    x, y = tile_xy(lat, lon, zoom)
    assert (math.floor(x), math.floor(y)) == tile


def test_a_tile_s_corner_is_where_its_numbers_start() -> None:
    lat, lon = tile_corner(3430, 1673, 12)
    assert tile_xy(lat, lon, 12) == pytest.approx((3430, 1673))
    assert tile_corner(0, 0, 0) == pytest.approx((85.0511287798, -180.0))


@pytest.mark.parametrize("width_m", [230.0, 2_000.0, 25_000.0, 300_000.0])
def test_the_zoom_gives_the_box_three_to_six_tiles_across(width_m: float) -> None:
    # 230 m: the smallest box the layout draws (a lone dot), still within the deepest zoom.
    lat = 31.23
    zoom = zoom_for(width_m, lat)
    tile_m = 40_075_016.686 * math.cos(math.radians(lat)) / 2**zoom
    assert 3 < width_m / tile_m <= 6


@pytest.mark.parametrize(
    "origin", [(31.2305, 121.4725), (51.5074, -0.1278), (-33.8688, 151.2093), (60.17, 24.94)]
)
def test_the_tiles_cover_the_box_and_meet_edge_to_edge(origin: tuple[float, float]) -> None:
    east = 111_320.0 * math.cos(math.radians(origin[0]))
    box = (-1_400.0, -900.0, 2_800.0, 1_800.0)  # a few kilometres: a county's grids
    tiles = cover(TEMPLATE, box, origin, (110_574.0, east))
    left, top, width, height = box
    assert min(t.x for t in tiles) <= left and max(t.x + t.width for t in tiles) >= left + width
    assert min(t.y for t in tiles) <= top and max(t.y + t.height for t in tiles) >= top + height
    columns = sorted({t.x for t in tiles})
    rows = sorted({t.y for t in tiles})
    assert 3 <= len(columns) <= 7 and len(tiles) == len(columns) * len(rows)
    # Neighbours meet: no gap and no overlap between tiles (to the rounding of a decimetre).
    for tile in tiles:
        right = [t for t in tiles if t.y == tile.y and t.x > tile.x]
        if right:
            assert min(t.x for t in right) == pytest.approx(tile.x + tile.width, abs=0.2)
    # Each tile's address, filled in at one zoom.
    zoom = zoom_for(width, origin[0])
    x, y = (math.floor(v) for v in tile_xy(*origin, zoom))
    assert f"https://tiles.example.org/{zoom}/{x}/{y}.png" in {t.url for t in tiles}
