"""The database drops every connection (PostgreSQL restarted, or a replica promoted behind
the same address; docs/postgresql.md): two webhook instances sharing it carry on without a
restart. A post that meets the dead connection is answered with an error, which Telegram
sends again; the conversation in progress continues where it was; the outbox drains; the
schedule's lock is taken again.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import asyncpg
import pytest

from app.build import tick
from app.cluster import CLUSTER
from app.webhook import SECRET_HEADER
from bot.delivery.outgoing import notice_message
from fakeapi import FakeUser, SentMessage
from handlers.kit.slots import DELIVERY, SERVICES
from tests.e2e import test_cluster
from tests.e2e.test_cluster import SECRET, Instance, Pair, member, processed, until

pair = test_cluster.pair  # the two instances' fixture


async def post_as_telegram(pair: Pair, instance: Instance, update: dict[str, Any]) -> int:
    """Post until the instance answers 200, as Telegram does; returns the tries it took."""
    headers = {SECRET_HEADER: SECRET}
    for tries in range(1, 20):
        try:
            async with pair.session.post(
                f"{instance.base}/telegram", data=json.dumps(update), headers=headers
            ) as answer:
                if answer.status == 200:
                    return tries
        except aiohttp.ClientError:
            pass
    raise AssertionError("the update was never accepted")


async def drop_every_connection(url: str) -> int:
    """What a restart or a failover does to the instances: every session but ours ends."""
    admin = await asyncpg.connect(url)
    try:
        killed: int = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return killed
    finally:
        await admin.close()


async def test_the_instances_carry_on_after_the_database_dropped_every_connection(
    pair: Pair,
) -> None:
    api = pair.api
    ann = await member(pair, 711, "Ann")
    a, b = CLUSTER.of(pair.a.app), CLUSTER.of(pair.b.app)
    await until(lambda: {a.role, b.role} == {"leader", "follower"})
    tries: list[int] = []

    async def step(instance: Instance, update: dict[str, Any], shows: str) -> SentMessage:
        stored = api.observe_update(update)
        tries.append(await post_as_telegram(pair, instance, stored))
        await until(lambda: showing(shows) is not None, within=30)
        await until(lambda: processed(pair, stored["update_id"]), within=30)
        message = showing(shows)
        assert message is not None
        return message

    def showing(start: str) -> SentMessage | None:
        """The form's message once it shows ``start`` (the check-in reminder may be
        newer: the schedule runs meanwhile)."""
        found = [m for m in api.sent_to(ann.id) if (m.text or "").startswith(start)]
        return found[-1] if found else None

    shown_now = await step(pair.a, ann.command("checkin"), "Check-in 1/5")
    shown_now = await step(pair.b, ann.press(shown_now, "At post"), "Check-in 2/5")

    assert await drop_every_connection(pair.url) >= 2  # pools and the leader's lock

    # Ann goes on from where she was, through either instance.
    shown_now = await step(pair.a, ann.message("36.6"), "Check-in 3/5")
    shown_now = await step(pair.b, ann.press(shown_now, "Skip"), "Check-in 4/5")
    shown_now = await step(pair.a, ann.press(shown_now, "Skip"), "Check-in 5/5")
    shown_now = await step(pair.b, ann.press(shown_now, "Skip"), "Your check-in")
    done = await step(pair.a, ann.press(shown_now, "✅ Submit"), "✅ Checked in")
    assert done.text is not None and done.text.startswith("✅ Checked in for")
    services = SERVICES.of(pair.b.app)
    who = await services.membership.member(ann.id)
    assert who is not None
    saved = await services.checkins.today(who)
    assert saved is not None and saved.answers["temp"] == 36.6
    handled = [update_id for _, update_id, chat in pair.log if chat == ann.id]
    assert handled == sorted(set(handled)) and len(handled) == 7  # each once, in order

    assert tries == [1] * len(tries)  # a dropped connection is not Telegram's problem
    for instance in (pair.a, pair.b):  # /health asks the database too
        assert (await pair.health(instance))["unprocessed"] == 0
    # The schedule: one instance takes the lock again on its next tick.
    ran = [await tick(pair.a.app), await tick(pair.b.app)]
    assert sum(r is not None for r in ran) == 1
    assert {a.role, b.role} == {"leader", "follower"}

    # The outbox: a message queued now is sent (by either instance's engine).
    before = len([c for c in api.calls_of("sendMessage") if c.chat_id == ann.id and c.ok])
    now = pair.clock.now()
    await services.storage.outbox.enqueue(notice_message(ann.id, "after", not_before=now), now)
    DELIVERY.of(pair.b.app).wake()
    await until(
        lambda: (
            len([c for c in api.calls_of("sendMessage") if c.chat_id == ann.id and c.ok]) > before
        ),
        within=30,
    )


async def test_a_post_that_meets_a_dead_connection_is_stored_on_a_new_one(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which post meets a connection the server ended is a race; here the first store
    fails as asyncpg fails it, and the update is still taken at the first post."""
    api = pair.api
    stan = FakeUser(7311, "Stan", api=api)
    inbox = SERVICES.of(pair.a.app).storage.inbox
    real_store, failures = inbox.store, list[int]()

    async def store_after_a_loss(*args: Any, **kwargs: Any) -> set[int]:
        if not failures:
            failures.append(1)
            raise asyncpg.exceptions.InternalClientError("cannot switch to state 12")
        return await real_store(*args, **kwargs)

    monkeypatch.setattr(inbox, "store", store_after_a_loss)
    update = api.observe_update(stan.command("help"))
    assert await post_as_telegram(pair, pair.a, update) == 1
    await until(lambda: processed(pair, update["update_id"]))
    assert failures == [1]
    assert [c for c in api.calls_of("sendMessage") if c.chat_id == stan.id and c.ok]
