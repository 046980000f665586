"""Telegram's Mini App launch data (``initData``), checked as Telegram specifies
("Validating data received via the Mini App"): the fields but ``hash``, URL-decoded,
sorted, as ``key=value`` lines; their HMAC-SHA256 under ``HMAC_SHA256("WebAppData",
token)`` must be ``hash``. Only data that passes gives the person: the Telegram user id
is taken from nowhere else.

The newer ``signature`` field (Ed25519, for third parties without the token) is covered
by the hash like any other field; with the token, the HMAC is enough."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode

# The longest initData accepted: Telegram's is well under 1 KB; a few KB of user fields
# at most. Anything longer is not theirs, and is refused before any hashing.
MAX_LENGTH = 4096
# Launch data dated this far in the future (clocks disagree a little) is still taken.
CLOCK_SKEW = timedelta(minutes=5)


class InitDataProblem(StrEnum):
    """Why launch data was refused (for the log; the person gets a bare 401)."""

    MISSING = "missing"
    MALFORMED = "malformed"
    BAD_HASH = "bad hash"  # tampered with, or signed for another bot
    EXPIRED = "expired"
    NO_USER = "no user"


@dataclass(frozen=True, slots=True)
class WebAppUser:
    """The person the validated launch data names."""

    telegram_id: int
    language_code: str | None
    auth_date: datetime


def _secret(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def _hash(token: str, fields: Mapping[str, str]) -> str:
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")
    return hmac.new(_secret(token), check.encode(), hashlib.sha256).hexdigest()


def validate(
    raw: str | None, token: str, *, now: datetime, max_age: timedelta
) -> WebAppUser | InitDataProblem:
    """The person ``raw`` (the Mini App's ``Telegram.WebApp.initData``) names, or why it
    is refused: missing, malformed, not signed with ``token``, older than ``max_age``."""
    if not raw:
        return InitDataProblem.MISSING
    if len(raw) > MAX_LENGTH:
        return InitDataProblem.MALFORMED
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return InitDataProblem.MALFORMED
    fields = dict(pairs)
    given = fields.get("hash")
    if len(fields) != len(pairs) or not given:  # a field twice: which one was signed?
        return InitDataProblem.MALFORMED
    if not hmac.compare_digest(_hash(token, fields).encode(), given.encode()):
        return InitDataProblem.BAD_HASH
    try:
        signed_at = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
    except (KeyError, ValueError, OverflowError, OSError):
        return InitDataProblem.MALFORMED
    if now - signed_at > max_age or signed_at - now > CLOCK_SKEW:
        return InitDataProblem.EXPIRED
    try:
        user = json.loads(fields["user"])
        telegram_id = int(user["id"])
        language = user.get("language_code")
    except (KeyError, ValueError, TypeError, AttributeError):
        return InitDataProblem.NO_USER
    return WebAppUser(telegram_id, language if isinstance(language, str) else None, signed_at)


def signed(token: str, fields: Mapping[str, str]) -> str:
    """``fields`` as launch data signed with ``token``, as Telegram would send it: for the
    tests, the demo and the benchmark, which stand in for a Telegram client."""
    return urlencode({**fields, "hash": _hash(token, fields)})


def launch_fields(telegram_id: int, at: datetime, language: str = "en") -> dict[str, str]:
    """The fields a Telegram client's launch data carries for a person."""
    user = {"id": telegram_id, "first_name": "Test", "language_code": language}
    return {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, separators=(",", ":")),
        "auth_date": str(int(at.timestamp())),
    }
