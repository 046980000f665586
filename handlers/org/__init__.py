"""Screens of the organisation: joining, invites, admin commands, /me and /language."""

from __future__ import annotations

import logging

from bot.config import FeatureName
from bot.org.render import OrgRenderers
from handlers.kit.feature import Audience, Done, Feature, MenuCommand, Tick, outbox_from
from handlers.org import admin, basics, invites, register, start

log = logging.getLogger(__name__)


async def retention_step(tick: Tick) -> Done:
    """Personal details past ``retention.details_days`` erased (counts are kept)."""
    erased = await tick.services.privacy.retention_tick()
    if erased is not None:
        log.info(
            "retention: details erased of %d check-in(s), %d shift(s), %d incident(s),"
            " %d register entr(ies)",
            erased.checkins,
            erased.shifts,
            erased.incidents,
            erased.entries,
        )
    return ()


FEATURE = Feature(
    name=FeatureName.ORG,
    flows=(start.register, invites.register, register.register),
    screens=(admin.register, basics.register),
    schedule=retention_step,
    outbox=outbox_from(OrgRenderers),
    commands=(
        MenuCommand("start", "cmd-start", Audience.STRANGER, 10),
        MenuCommand("me", "cmd-me", Audience.MEMBER, 29),
        MenuCommand("invite", "cmd-invite", Audience.SECRETARY, 38),
        MenuCommand("invites", "cmd-invites", Audience.SECRETARY, 39),
        MenuCommand("register", "cmd-register", Audience.SECRETARY, 42),
        MenuCommand("grant", "cmd-grant", Audience.ADMIN, 50),
        MenuCommand("ungrant", "cmd-ungrant", Audience.ADMIN, 51),
        MenuCommand("move", "cmd-move", Audience.ADMIN, 52),
        MenuCommand("deactivate", "cmd-deactivate", Audience.ADMIN, 53),
        MenuCommand("reactivate", "cmd-reactivate", Audience.ADMIN, 54),
        MenuCommand("language", "cmd-language", Audience.ANYONE, 90),
    ),
    config=("organisation", "invites", "retention"),
)
