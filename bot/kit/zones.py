"""Whose clock a unit keeps: its own timezone when it names one, else the organisation's."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from storage.models import Unit


def zone_named(timezone: str | None, organisation: ZoneInfo) -> ZoneInfo:
    """The zone of a unit's ``timezone`` column (an IANA name, or None: the default)."""
    return ZoneInfo(timezone) if timezone else organisation


def unit_zone(unit: Unit | None, organisation: ZoneInfo) -> ZoneInfo:
    """A unit's own timezone, else the organisation's (also for no unit at all)."""
    return zone_named(unit.timezone if unit else None, organisation)
