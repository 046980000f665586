"""The HTTP gateway (``[fallback.gateway]``): how an organisation plugs in its SMS provider.

Each message is one ``POST`` of JSON ``{"id", "to", "text", …}`` to the configured URL with
an ``Idempotency-Key`` (the same on every retry of one message, so a retry after a lost
answer is not a second SMS) and ``X-Muster-Signature: sha256=<hex>``, the HMAC-SHA256 of
the exact body with the shared secret. 2xx: taken; 5xx, 408, 429 or no answer in time:
retried with back-off; any other 4xx: refused for good. The gateway's replies to Muster
(``POST /fallback/gateway/inbound``) are signed the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import aiohttp

from bot.delivery.channels import ChannelError, ChannelMessage

GATEWAY = "gateway"
SIGNATURE_HEADER = "X-Muster-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
_RETRIED_4XX = frozenset({408, 425, 429})


def signature(secret: bytes, body: bytes) -> str:
    """The signature header's value for ``body``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def signed(secret: bytes, body: bytes, given: str) -> bool:
    """Whether ``given`` is ``body``'s signature (compared in constant time)."""
    return hmac.compare_digest(signature(secret, body).encode(), given.encode())


class GatewayChannel:
    def __init__(
        self, *, url: str, secret: bytes, timeout: float = 10.0, rate_per_second: float = 5.0
    ) -> None:
        self.url = url
        self._secret = secret
        self.timeout = timeout
        self._rate = rate_per_second
        self._session: aiohttp.ClientSession | None = None

    @property
    def name(self) -> str:
        return GATEWAY

    @property
    def rate_per_second(self) -> float:
        return self._rate

    def body(self, message: ChannelMessage) -> bytes:
        fields = {"id": message.key, "to": message.to, "text": message.text, **message.extra}
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()

    async def send(self, message: ChannelMessage) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        body = self.body(message)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            IDEMPOTENCY_HEADER: message.key,
            SIGNATURE_HEADER: signature(self._secret, body),
        }
        try:
            async with self._session.post(
                self.url,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as answer:
                if answer.status < 300:
                    return
                permanent = 400 <= answer.status < 500 and answer.status not in _RETRIED_4XX
                raise ChannelError(f"gateway answered {answer.status}", permanent=permanent)
        except TimeoutError:
            raise ChannelError(f"gateway: no answer within {self.timeout:g} s") from None
        except aiohttp.ClientError as exc:
            raise ChannelError(f"gateway: {exc!r}"[:200]) from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
