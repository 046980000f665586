"""Webhook mode (``muster run --webhook``): Telegram posts each update to our HTTP
endpoint. An update is stored in the inbox before the 200 goes back, so one Telegram
thinks delivered is never lost, and one that is JSON but not a readable update is set
aside as poison and answered 200 all the same (a 5xx would have Telegram send it again for
a day); a request without the right secret token (compared in constant time) gets 403;
``GET /health`` says whether the bot is up, how far behind (updates and outbox), how many
were set aside, and this instance's name and role (app/cluster.py).

TLS is the reverse proxy's job (Telegram only posts to HTTPS): this listens on
``telegram.webhook_listen`` (127.0.0.1 by default) for the proxy to forward to.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from aiohttp import web
from telegram import Update

from app.inbox import Inbox, read_update
from app.runner import running
from app.updates import ChatOrderedProcessor
from app.web import page_routes, web_server
from handlers.kit.common import MusterApp
from handlers.kit.slots import SERVICES

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookEndpoint:
    def __init__(self, app: MusterApp, inbox: Inbox, secret: str) -> None:
        self.app = app
        self.inbox = inbox
        self._secret = secret.encode()

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook request without the right secret from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            update = json.loads(await request.read())
            int(update["update_id"])
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="not an update")
        read = read_update(update, self.app.bot)
        # Stored before the answer: a crash after this still has it; a failure here is
        # a 500, and Telegram sends the update again. One PTB cannot read never will be.
        if isinstance(read, str):
            await self.inbox.set_aside(update, read)
        elif self.inbox.shared:  # handled by whichever instance claims its chat
            await self.inbox.receive_shared(update, read)
        elif await self.inbox.receive([update]):
            await self.app.update_queue.put(read)
        return web.json_response({})

    async def health(self, request: web.Request) -> web.Response:
        unprocessed, poison = await self.inbox.storage.inbox.counts()
        queued = self.app.update_queue.qsize()
        if isinstance(processor := self.app.update_processor, ChatOrderedProcessor):
            queued += processor.waiting  # taken off the queue, waiting for their chat
        cluster = self.inbox.cluster
        inbox_lag, outbox_lag = await self.inbox.storage.claims.lag(self.inbox.clock.now())
        return web.json_response(
            {
                "status": "ok",
                "unprocessed": unprocessed,
                "queued": queued,
                "poison": poison,
                "role": cluster.role,  # who runs the schedule: "single", "leader", "follower"
                "instance": cluster.name,
                # Seconds since the oldest unprocessed update came, and since the oldest
                # due outbox row fell due (null: none waits).
                "inbox_lag_seconds": inbox_lag,
                "outbox_lag_seconds": outbox_lag,
            }
        )


@asynccontextmanager
async def webhook_server(
    endpoint: WebhookEndpoint,
    *,
    host: str,
    port: int,
    path: str,
    also: Sequence[web.RouteDef] = (),
) -> AsyncIterator[str]:
    """Serve ``path`` and ``/health`` (and ``also``: the fallback's and the dashboard's
    pages); yields the base URL (``http://host:port``)."""
    routes = [web.post(path, endpoint.receive), web.get("/health", endpoint.health), *also]
    async with web_server(routes, host=host, port=port) as base:
        yield base


async def serve_webhook(app: MusterApp, stop: asyncio.Event) -> None:
    """Start, register the webhook with Telegram, serve until ``stop``, stop cleanly. The
    webhook stays registered while the bot is down: Telegram keeps the updates."""
    settings = SERVICES.of(app).settings.telegram
    url, secret = settings.webhook()
    async with running(app, webhook=True) as inbox:
        endpoint = WebhookEndpoint(app, inbox, secret)
        async with webhook_server(
            endpoint, host=settings.webhook_listen, port=settings.webhook_port,
            path=settings.webhook_path, also=page_routes(app),
        ) as local:  # fmt: skip
            await app.bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
            log.info("Muster is running as @%s (webhook %s, listening on %s)",
                     app.bot.username, url, local)  # fmt: skip
            await stop.wait()
