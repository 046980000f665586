"""Screens of summaries: /summary and /export."""

from __future__ import annotations

from bot.config import FeatureName
from bot.services import Services
from bot.summaries.schedule import SummaryRenderers, summary_tick
from handlers.kit.feature import Audience, Done, Feature, MenuCommand, Outbox, Tick
from handlers.summaries import summary


async def summary_step(tick: Tick) -> Done:
    return [("summary message", await summary_tick(tick.services))]


def summary_outbox(services: Services) -> Outbox:
    return Outbox(SummaryRenderers(services).table())


FEATURE = Feature(
    name=FeatureName.SUMMARIES,
    screens=(summary.register,),
    schedule=summary_step,
    outbox=summary_outbox,
    commands=(
        MenuCommand("summary", "cmd-summary", Audience.WATCHER, 33),
        MenuCommand("export", "cmd-export", Audience.WATCHER, 34),
    ),
    config=("summaries",),
)
