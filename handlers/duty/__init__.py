"""Screens of grid duty: /duty, starting and ending duty, the roster."""

from __future__ import annotations

from bot.config import FeatureName
from bot.duty.schedule import DutyRenderers, duty_tick
from bot.services import Services
from handlers.duty import assign, grids, on_duty, roster, shifts, upload
from handlers.kit.feature import Audience, Done, Feature, MenuCommand, Outbox, Tick


async def duty_step(tick: Tick) -> Done:
    return [("duty step", await duty_tick(tick.services))]


def duty_outbox(services: Services) -> Outbox:
    return Outbox(DutyRenderers(services).table())


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
    schedule=duty_step,
    outbox=duty_outbox,
    commands=(
        MenuCommand("duty", "cmd-duty", Audience.MEMBER, 22),
        MenuCommand("roster", "cmd-roster", Audience.WATCHER, 35),
        MenuCommand("assign", "cmd-assign", Audience.SECRETARY, 36),
        MenuCommand("grids", "cmd-grids", Audience.SECRETARY, 37),
    ),
    config=("duty",),
)
