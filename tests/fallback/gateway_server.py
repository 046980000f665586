"""A stand-in SMS gateway on 127.0.0.1 (aiohttp): checks each request's signature, keeps
one message per idempotency key, and answers as the test tells it to."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.delivery.channels.gateway import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signed

SECRET = b"gateway-shared-secret"


@dataclass
class Gateway:
    url: str = ""
    # Answers to give, one per request, then 200: a status, or "slow" (no answer in time).
    answers: list[int | str] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)  # every signed request
    unsigned: int = 0
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # what it would send

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not signed(SECRET, body, request.headers.get(SIGNATURE_HEADER, "")):
            self.unsigned += 1
            return web.Response(status=401)
        fields = json.loads(body)
        fields["key"] = request.headers.get(IDEMPOTENCY_HEADER)
        self.requests.append(fields)
        answer = self.answers.pop(0) if self.answers else 200
        if answer == "slow":
            # Takes the message, then answers too late: the client retries the same key.
            self.messages.setdefault(fields["key"], fields)
            await asyncio.sleep(5)  # longer than the client's timeout
        if isinstance(answer, int) and answer >= 300:
            return web.Response(status=answer)
        self.messages.setdefault(fields["key"], fields)  # one SMS per key
        return web.json_response({"ok": True})


@asynccontextmanager
async def gateway_server() -> AsyncIterator[Gateway]:
    gateway = Gateway()
    app = web.Application()
    app.router.add_post("/sms", gateway.receive)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    gateway.url = f"http://127.0.0.1:{runner.addresses[0][1]}/sms"
    try:
        yield gateway
    finally:
        await runner.cleanup()
