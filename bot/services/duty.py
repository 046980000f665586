"""A shift's life: asking to confirm, declining with a reason, cover offers (first to
accept wins), starting duty (location, distance from the grid), the end-of-duty report,
incidents, and no-shows. The roster itself is built in ``bot/services/roster.py``."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.duty_config import DutySettings
from bot.services.authz import Authorizer
from storage import Storage


class DutyService:
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
