"""Grids and the duty roster: importing and managing grids, building shifts (CSV files,
the CLI, ``/assign``), weekly repeats, overlap rules, and a day's coverage per unit.

What happens to a shift once it exists (confirm, decline, cover, start, end, no-show) is
in ``bot/services/duty.py``.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.duty_config import DutySettings
from bot.services.authz import Authorizer
from storage import Storage
from storage.models import Unit


class RosterService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        authz: Authorizer,
        settings: DutySettings,
        zone: ZoneInfo,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.authz = authz
        self.settings = settings
        self.zone = zone

    def zone_of(self, unit: Unit | None) -> ZoneInfo:
        """A unit's own timezone, else the organisation's: shift times are local to it."""
        return ZoneInfo(unit.timezone) if unit and unit.timezone else self.zone
