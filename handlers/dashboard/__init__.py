"""The dashboard Mini App (issue #19): its pages and data on the bot's web server
(``web.py``, mounted by ``app/web.py``); its button is set with each person's menu
(``handlers/kit/menu.py``) and offered under ``/directives`` and the daily summary."""

from __future__ import annotations

from bot.config import FeatureName
from handlers.kit.feature import Feature

FEATURE = Feature(
    name=FeatureName.DASHBOARD,
    config=("dashboard",),
    configured=lambda settings: settings.dashboard.enabled,
)
