"""Screens of grid duty: /duty, starting and ending duty, the roster."""

from __future__ import annotations

from bot.config import FeatureName
from bot.duty.schedule import DutyRenderers, duty_tick
from handlers.duty import assign, grids, on_duty, roster, shifts, upload
from handlers.kit.feature import Audience, Feature, MenuCommand, counted, outbox_from

FEATURE = Feature(
    name=FeatureName.DUTY,
    flows=(
        grids.register,
        assign.register,
        upload.register,
        roster.register,
        shifts.register,
        on_duty.register,
    ),
    schedule=counted("duty step", duty_tick),
    outbox=outbox_from(DutyRenderers),
    commands=(
        MenuCommand("duty", "cmd-duty", Audience.MEMBER, 22),
        MenuCommand("roster", "cmd-roster", Audience.WATCHER, 35),
        MenuCommand("assign", "cmd-assign", Audience.SECRETARY, 36),
        MenuCommand("grids", "cmd-grids", Audience.SECRETARY, 37),
    ),
    config=("duty",),
)
