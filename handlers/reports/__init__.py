"""Screens of the leaders' daily report: ``/report`` and the reminder's button."""

from __future__ import annotations

from bot.config import FeatureName
from bot.reports.schedule import ReportRenderers
from handlers.kit.feature import Audience, Done, Feature, MenuCommand, Tick, outbox_from
from handlers.reports import report


async def report_step(tick: Tick) -> Done:
    reminded, escalated, digests = await tick.services.reports.run_schedule()
    return [
        ("report reminder", reminded),
        ("report escalation", escalated),
        ("report digest", digests),
    ]


FEATURE = Feature(
    name=FeatureName.REPORTS,
    flows=(report.register,),
    schedule=report_step,
    outbox=outbox_from(ReportRenderers),
    commands=(MenuCommand("report", "cmd-report", Audience.WATCHER, 41),),  # next free: 43
    config=("reports",),
    configured=lambda settings: bool(settings.reports.forms),
)
