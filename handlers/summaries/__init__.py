"""Screens of summaries: /summary and /export."""

from __future__ import annotations

from bot.config import FeatureName
from bot.summaries.schedule import SummaryRenderers, summary_tick
from handlers.kit.feature import Audience, Feature, MenuCommand, counted, outbox_from
from handlers.summaries import summary

FEATURE = Feature(
    name=FeatureName.SUMMARIES,
    screens=(summary.register,),
    schedule=counted("summary message", summary_tick),
    outbox=outbox_from(SummaryRenderers),
    commands=(
        MenuCommand("summary", "cmd-summary", Audience.WATCHER, 33),
        MenuCommand("export", "cmd-export", Audience.WATCHER, 34),
    ),
    config=("summaries",),
)
