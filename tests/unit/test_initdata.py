"""Telegram's Mini App launch data, checked as Telegram specifies: only data signed with
this bot's token, unchanged and fresh, names a person."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlencode

import pytest

from bot.dashboard.initdata import InitDataProblem, WebAppUser, launch_fields, signed, validate

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def check(raw: str | None, *, now: datetime = NOW) -> WebAppUser | InitDataProblem:
    return validate(raw, TOKEN, now=now, max_age=HOUR)


def test_data_signed_with_the_token_names_its_user() -> None:
    raw = signed(TOKEN, launch_fields(42, NOW - timedelta(minutes=5), "zh"))
    assert check(raw) == WebAppUser(42, "zh", NOW - timedelta(minutes=5))


def test_the_hash_is_telegrams_over_the_sorted_decoded_fields() -> None:
    """Worked by hand from the spec, not by the code under test: secret =
    HMAC_SHA256(key "WebAppData", token); hash = HMAC_SHA256(secret, sorted lines)."""
    fields = {
        "user": '{"id":7,"first_name":"Ann & Bo"}',
        "auth_date": str(int(NOW.timestamp())),
        "signature": "ed25519-signature-is-covered-too",
        "query_id": "AAE",
    }
    lines = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, lines.encode(), hashlib.sha256).hexdigest()
    raw = "&".join(f"{k}={quote(v, safe='')}" for k, v in fields.items()) + f"&hash={digest}"
    assert check(raw) == WebAppUser(7, None, NOW)


def test_a_changed_field_is_refused() -> None:
    fields = launch_fields(42, NOW)
    raw = signed(TOKEN, fields)
    for key, value in (("user", fields["user"].replace("42", "43")), ("auth_date", "1")):
        pairs = dict(parse_qsl(raw))
        pairs[key] = value
        assert check(urlencode(pairs)) is InitDataProblem.BAD_HASH
    assert check(raw + "&extra=1") is InitDataProblem.BAD_HASH  # a field added


def test_another_bots_data_is_refused() -> None:
    raw = signed("987654:another-bot", launch_fields(42, NOW))
    assert check(raw) is InitDataProblem.BAD_HASH


def test_data_older_than_max_age_or_from_the_future_is_refused() -> None:
    assert check(signed(TOKEN, launch_fields(42, NOW - HOUR))) == WebAppUser(42, "en", NOW - HOUR)
    old = signed(TOKEN, launch_fields(42, NOW - HOUR - timedelta(seconds=1)))
    assert check(old) is InitDataProblem.EXPIRED
    ahead = signed(TOKEN, launch_fields(42, NOW + timedelta(minutes=10)))
    assert check(ahead) is InitDataProblem.EXPIRED


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (None, InitDataProblem.MISSING),
        ("", InitDataProblem.MISSING),
        ("no pairs here", InitDataProblem.MALFORMED),
        ("user=1&user=2&hash=ab", InitDataProblem.MALFORMED),  # a field twice
        ("user=1", InitDataProblem.MALFORMED),  # no hash
        ("a=" + "x" * 5000 + "&hash=ab", InitDataProblem.MALFORMED),  # far too long
    ],
)
def test_missing_and_malformed_data_is_refused(raw: str | None, problem: InitDataProblem) -> None:
    assert check(raw) is problem


def test_signed_data_without_a_user_or_date_names_nobody() -> None:
    assert check(signed(TOKEN, {"auth_date": str(int(NOW.timestamp()))})) is InitDataProblem.NO_USER
    assert check(signed(TOKEN, {"user": '{"id": 1}'})) is InitDataProblem.MALFORMED
    no_id = {"auth_date": str(int(NOW.timestamp())), "user": '{"name": "x"}'}
    assert check(signed(TOKEN, no_id)) is InitDataProblem.NO_USER
