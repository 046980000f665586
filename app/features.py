"""The features the app is made of, each plugged in through its record
(``handlers/kit/feature.py``). A new feature adds its record here."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import CORE_FEATURES, ConfigError, Settings, core_switched_off
from handlers import checkins, dashboard, directives, duty, fallback, org, reports, summaries
from handlers.kit.feature import Feature

# In the order their handlers are tried and their schedule steps run.
FEATURES: tuple[Feature, ...] = (
    org.FEATURE,
    directives.FEATURE,
    fallback.FEATURE,
    checkins.FEATURE,
    duty.FEATURE,
    reports.FEATURE,
    summaries.FEATURE,
    dashboard.FEATURE,
)


def features_for(settings: Settings) -> tuple[Feature, ...]:
    """The features not switched off by ``organisation.features_off``, nor left without
    anything configured."""
    off = set(settings.organisation.features_off)
    return tuple(
        f
        for f in FEATURES
        if f.name not in off and (f.configured is None or f.configured(settings))
    )


def check_core(features: Sequence[Feature]) -> None:
    """A ConfigError when a feature every other one needs is missing."""
    if problem := core_switched_off(CORE_FEATURES - {f.name for f in features}):
        raise ConfigError([f"organisation.features_off: {problem}"])
