"""Signed acknowledge links: ``<public_url>/fallback/ack/<token>``, where the token is
``<directive>.<entry>.<expiry>.<signature>`` and the signature is HMAC-SHA256 over the
first three with ``fallback.link_secret``. A link is refused when tampered with (the
signature), expired, or used (the acknowledgement is recorded once: a replay finds it)."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

ACK_PATH = "/fallback/ack/"
_TOKEN = re.compile(r"(\d{1,12})\.(\d{1,12})\.(\d{1,12})\.([0-9a-f]{64})")


class LinkProblem(StrEnum):
    MALFORMED = "malformed"
    TAMPERED = "tampered"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class LinkTarget:
    directive_id: int
    entry_id: int


def _signature(secret: bytes, directive_id: int, entry_id: int, expires: int) -> str:
    signed = f"{directive_id}.{entry_id}.{expires}".encode()
    return hmac.new(secret, signed, hashlib.sha256).hexdigest()


def token(secret: bytes, directive_id: int, entry_id: int, expires: datetime) -> str:
    stamp = int(expires.timestamp())
    return f"{directive_id}.{entry_id}.{stamp}.{_signature(secret, directive_id, entry_id, stamp)}"


def ack_url(
    public_url: str, secret: bytes, directive_id: int, entry_id: int, expires: datetime
) -> str:
    return public_url.rstrip("/") + ACK_PATH + token(secret, directive_id, entry_id, expires)


def verify(secret: bytes, given: str, now: datetime) -> LinkTarget | LinkProblem:
    """What the token points at, or why it is refused."""
    match = _TOKEN.fullmatch(given)
    if match is None:
        return LinkProblem.MALFORMED
    directive_id, entry_id, stamp = (int(match.group(i)) for i in (1, 2, 3))
    expected = _signature(secret, directive_id, entry_id, stamp)
    if not hmac.compare_digest(expected, match.group(4)):
        return LinkProblem.TAMPERED
    if datetime.fromtimestamp(stamp, UTC) <= now:
        return LinkProblem.EXPIRED
    return LinkTarget(directive_id, entry_id)
