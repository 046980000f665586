"""Screens of check-ins: the daily form, leave, /members (with its check-ins by phone),
flag cases and /flags."""

from __future__ import annotations

from bot.checkins.schedule import CheckinRenderers, close_notices
from bot.checkins.service import Unchecked
from bot.config import FeatureName
from handlers.checkins import checkin, flags, leave, members, phone
from handlers.kit.feature import Audience, Done, Feature, MenuCommand, Tick, outbox_from
from storage.outbox import NewMessage


async def checkin_step(tick: Tick) -> Done:
    services = tick.services

    async def notices(unchecked: list[Unchecked]) -> list[NewMessage]:
        return await close_notices(services, unchecked)

    reminded, noticed = await services.checkins.run_schedule(notices)
    climbed = await services.checkins.cases.climb_waiting(
        services.checkins.form.flag_escalate_after
    )
    return [
        ("check-in reminder", reminded),
        ("check-in closing notice", noticed),
        ("flag escalated", climbed),
    ]


FEATURE = Feature(
    name=FeatureName.CHECKINS,
    flows=(checkin.register, leave.register, flags.register, phone.register),
    screens=(members.register, flags.register_screens),
    schedule=checkin_step,
    outbox=outbox_from(CheckinRenderers),
    commands=(
        MenuCommand("checkin", "cmd-checkin", Audience.MEMBER, 20),
        MenuCommand("leave", "cmd-leave", Audience.MEMBER, 21),
        MenuCommand("members", "cmd-members", Audience.WATCHER, 32),
        MenuCommand("flags", "cmd-flags", Audience.WATCHER, 40),
    ),
    config=("checkin",),
)
