"""A unit keeps its own timezone when it names one, else the organisation's."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.kit.zones import unit_zone, zone_named
from storage.models import Unit

ORG = ZoneInfo("Asia/Shanghai")


def unit(timezone: str | None) -> Unit:
    return Unit(1, "east", "East", None, "/1/", 0, timezone)


def test_a_unit_with_its_own_timezone_keeps_it() -> None:
    assert unit_zone(unit("Asia/Urumqi"), ORG) == ZoneInfo("Asia/Urumqi")
    assert zone_named("Asia/Urumqi", ORG) == ZoneInfo("Asia/Urumqi")


def test_a_unit_without_one_or_no_unit_keeps_the_organisations() -> None:
    assert unit_zone(unit(None), ORG) is ORG
    assert unit_zone(unit(""), ORG) is ORG
    assert unit_zone(None, ORG) is ORG
    assert zone_named(None, ORG) is ORG
