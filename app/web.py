"""The bot's one web server: the webhook and ``/health`` in webhook mode, and in either
mode the fallback's acknowledge pages and gateway replies (``fallback.public_url`` or a
gateway configured) and the dashboard Mini App (``dashboard.enabled``). TLS is the
reverse proxy's job; this listens on 127.0.0.1 by default for the proxy to forward to."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from aiohttp import web

from bot.config import dashboard_url
from handlers.dashboard.directive import DirectiveWeb
from handlers.dashboard.web import DashboardWeb
from handlers.fallback.web import FallbackWeb
from handlers.kit.common import MusterApp, wake_engine
from handlers.kit.slots import SERVICES

MAX_BODY = 1 << 20  # a Telegram update is a few kilobytes; anything near this is not one


@asynccontextmanager
async def web_server(routes: Sequence[web.RouteDef], *, host: str, port: int) -> AsyncIterator[str]:
    """Serve ``routes``; yields the base URL (``http://host:port``, the port bound when 0
    was asked)."""
    web_app = web.Application(client_max_size=MAX_BODY)
    web_app.add_routes(routes)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    try:
        yield f"http://{host}:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def fallback_routes(app: MusterApp) -> list[web.RouteDef]:
    """The fallback's acknowledge pages and gateway replies, when configured."""
    services = SERVICES.of(app)
    if not services.fallback.configured:
        return []
    return FallbackWeb(services).routes()


def dashboard_routes(app: MusterApp) -> list[web.RouteDef]:
    """The dashboard Mini App's page and data, when it is served."""
    services = SERVICES.of(app)
    if dashboard_url(services.settings) is None:
        return []
    pages = DashboardWeb(services, app.bot.token)
    return pages.routes() + DirectiveWeb(pages, lambda: wake_engine(app)).routes()


def page_routes(app: MusterApp) -> list[web.RouteDef]:
    """Everything the web server serves besides the webhook."""
    return fallback_routes(app) + dashboard_routes(app)
