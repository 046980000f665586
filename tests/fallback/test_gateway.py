"""The HTTP gateway against a local server on 127.0.0.1: signed JSON, one idempotency key
per message across retries, 5xx and timeouts retried, 4xx failed, no duplicate SMS."""

from __future__ import annotations

import hmac
import random
from datetime import timedelta

from bot.delivery.channels import ChannelMessage
from bot.delivery.channels.gateway import GatewayChannel, signature
from bot.delivery.channels.lane import ChannelLane
from bot.kit.clock import FakeClock
from storage import Storage
from storage.outbox import NewMessage, OutboxRow, OutboxStatus, Priority
from tests.fallback.gateway_server import SECRET, gateway_server
from tests.fallback.refusal import refusal

MESSAGE = ChannelMessage(
    "fb-12", "+8613800138000", "", "请回复 4821 确认", {"directive": 3, "code": "4821"}
)


def channel(url: str, timeout: float = 5.0) -> GatewayChannel:
    return GatewayChannel(url=url, secret=SECRET, timeout=timeout)


async def test_posts_signed_json_with_its_idempotency_key() -> None:
    async with gateway_server() as gateway:
        sms = channel(gateway.url)
        await sms.send(MESSAGE)
        await sms.close()
    assert gateway.unsigned == 0
    [request] = gateway.requests
    assert request == {
        "id": "fb-12",
        "to": "+8613800138000",
        "text": "请回复 4821 确认",
        "directive": 3,
        "code": "4821",
        "key": "fb-12",
    }


def test_the_signature_is_hmac_sha256_of_the_body() -> None:
    # What the README documents for the provider's side.
    body = channel("http://unused").body(MESSAGE)
    assert signature(b"k", body) == "sha256=" + hmac.new(b"k", body, "sha256").hexdigest()


async def test_a_wrong_secret_is_refused_by_the_gateway_for_good() -> None:
    async with gateway_server() as gateway:
        sms = GatewayChannel(url=gateway.url, secret=b"not the secret")
        error = await refusal(sms, MESSAGE)
        await sms.close()
    assert (error.permanent, error.reason) == (True, "gateway answered 401")
    assert gateway.unsigned == 1 and gateway.messages == {}


async def test_5xx_then_200_and_a_timeout_are_retried_under_one_key(
    storage: Storage, clock: FakeClock
) -> None:
    """Through the lane: a 503, then no answer in time (the gateway took it), then 200
    for the same key: the row is sent once and the gateway has one message."""
    async with gateway_server() as gateway:
        gateway.answers += [503, "slow"]
        sms = channel(gateway.url, timeout=0.5)
        lane = ChannelLane(storage, clock, {"gateway": sms}, {"sms": render}, rng=random.Random(1))
        row_id = await storage.outbox.enqueue(sms_row(clock), clock.now())
        for expected_error in ("gateway answered 503", "gateway: no answer within 0.5 s"):
            await lane.drain()
            row = await storage.outbox.get(row_id)
            assert row is not None and (row.status, row.error) == (
                OutboxStatus.PENDING,
                expected_error,
            )
            clock.advance(timedelta(minutes=5))
        await lane.drain()
        await lane.close()
    row = await storage.outbox.get(row_id)
    assert row is not None and (row.status, row.attempts) == (OutboxStatus.SENT, 3)
    keys = [r["key"] for r in gateway.requests]
    assert keys == [f"fb-{row_id}"] * 3  # a stable key, so the provider sends one SMS
    assert list(gateway.messages) == [f"fb-{row_id}"]


async def test_a_4xx_fails_the_row_for_good(storage: Storage, clock: FakeClock) -> None:
    async with gateway_server() as gateway:
        gateway.answers.append(422)
        sms = channel(gateway.url)
        lane = ChannelLane(storage, clock, {"gateway": sms}, {"sms": render})
        row_id = await storage.outbox.enqueue(sms_row(clock), clock.now())
        await lane.drain()
        await lane.close()
    row = await storage.outbox.get(row_id)
    assert row is not None and (row.status, row.error) == (
        OutboxStatus.FAILED,
        "gateway answered 422",
    )


async def test_a_gateway_down_is_worth_a_retry() -> None:
    async with gateway_server() as gateway:
        url = gateway.url
    sms = channel(url)
    error = await refusal(sms, MESSAGE)
    await sms.close()
    assert not error.permanent and error.reason.startswith("gateway: ")


def sms_row(clock: FakeClock) -> NewMessage:
    return NewMessage(
        kind="sms",
        chat_id=1,
        member_id=None,
        directive_id=None,
        priority=Priority.BULK,
        payload={},
        not_before=clock.now(),
        channel="gateway",
        address="+8613800138000",
    )


async def render(row: OutboxRow) -> ChannelMessage:
    return ChannelMessage(f"fb-{row.id}", row.address or "", "", "Reply 4821")
