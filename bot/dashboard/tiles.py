"""Map tiles under the Duty view's grids, when ``dashboard.tiles`` names a tile server.

The map keeps its own local projection (metres east and south of its middle, see
``bot/dashboard/duty.py``); the tiles are placed in it. A Web-Mercator tile is bounded by
two longitudes and two latitudes, so its four corners projected locally make an exact
rectangle; only the stretch inside a tile differs, which over a county's few kilometres
is far below a pixel. The zoom is chosen so the map's box is about 3–6 tiles across."""

from __future__ import annotations

import math
from dataclasses import dataclass

# The equator's length in metres (WGS 84): a tile at zoom z spans this / 2**z there.
EQUATOR_M = 40_075_016.686
MAX_ZOOM = 19  # the deepest zoom public tile servers commonly serve
_ACROSS = 6  # at most this many tiles' widths across the box (before rounding to tiles)
_MERCATOR_LAT = 85.0511287798  # Web Mercator stops here: the world is a square


@dataclass(frozen=True, slots=True)
class Tile:
    url: str
    x: float  # its top-left corner and size in the map's own coordinates (the viewBox's)
    y: float
    width: float
    height: float


def tile_xy(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Where a place falls among the tiles of a zoom: the integer part is the tile's x and
    y (OpenStreetMap's slippy-map numbering), the fraction the place inside it."""
    n = 2**zoom
    lat = max(-_MERCATOR_LAT, min(_MERCATOR_LAT, lat))
    phi = math.radians(lat)
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(phi)) / math.pi) / 2.0 * n
    return x, y


def tile_corner(x: int, y: int, zoom: int) -> tuple[float, float]:
    """The latitude and longitude of tile (x, y)'s top-left corner."""
    n = 2**zoom
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y / n))))
    return lat, lon


def zoom_for(width_m: float, lat: float) -> int:
    """The deepest zoom at which a box ``width_m`` metres wide at ``lat`` spans no more than
    ``_ACROSS`` tiles' widths (so more than half as many: about 3–6 across)."""
    tile_m = EQUATOR_M * math.cos(math.radians(lat))
    zoom = math.floor(math.log2(_ACROSS * tile_m / max(width_m, 1.0)))
    return max(0, min(MAX_ZOOM, zoom))


def cover(
    template: str,
    box: tuple[float, float, float, float],
    origin: tuple[float, float],
    metres: tuple[float, float],
) -> list[Tile]:
    """The tiles covering ``box`` (the SVG viewBox: left, top, width, height in local
    metres) around ``origin`` (its latitude and longitude at 0, 0), where ``metres`` are the
    local projection's metres per degree of latitude and of longitude; row by row."""
    left, top, width, height = box
    lat0, lon0 = origin
    per_lat, per_lon = metres

    def place(x: float, y: float) -> tuple[float, float]:  # local metres → lat, lon
        return lat0 - y / per_lat, lon0 + x / per_lon

    def local(lat: float, lon: float) -> tuple[float, float]:  # lat, lon → local metres
        return (lon - lon0) * per_lon, (lat0 - lat) * per_lat

    zoom = zoom_for(width, lat0)
    north, west = place(left, top)
    south, east = place(left + width, top + height)
    x0, y0 = (math.floor(v) for v in tile_xy(north, west, zoom))
    x1, y1 = (math.floor(v) for v in tile_xy(south, east, zoom))
    last = 2**zoom - 1
    tiles = []
    for ty in range(max(0, y0), min(last, y1) + 1):
        for tx in range(x0, x1 + 1):
            ax, ay = local(*tile_corner(tx, ty, zoom))
            bx, by = local(*tile_corner(tx + 1, ty + 1, zoom))
            url = template.replace("{z}", str(zoom)).replace("{x}", str(tx % (last + 1)))
            tiles.append(
                Tile(
                    url.replace("{y}", str(ty)),
                    round(ax, 1),
                    round(ay, 1),
                    round(bx - ax, 1),
                    round(by - ay, 1),
                )
            )
    return tiles
