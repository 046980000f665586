"""Fallback channels: the schedule step that sends directives by email or SMS, and the
web pages behind the acknowledge links and the gateway's replies (``web.py``)."""

from __future__ import annotations

from bot.config import FeatureName
from handlers.kit.feature import Feature, counted

FEATURE = Feature(
    name=FeatureName.FALLBACK,
    schedule=counted("fallback message", lambda services: services.fallback.due()),
    config=("fallback",),
    configured=lambda settings: settings.fallback.configured,
)
