"""storage/coordination.py on PostgreSQL: chat claims (who may take a chat, when a claim runs
out, that a chat with an update stored meanwhile is not let go) and the leader lock (one
holder; an unreachable server makes a follower that says why, once per try)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from storage import Storage
from storage.coordination import LeaderLock

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=10)


@pytest.fixture
async def pg(clean_postgres_database: str) -> AsyncIterator[Storage]:
    opened = await Storage.open(clean_postgres_database)
    yield opened
    await opened.close()


def update(update_id: int, chat: int) -> dict[str, object]:
    return {"update_id": update_id, "message": {"chat": {"id": chat}}}


async def test_a_chat_goes_to_one_instance_until_its_claim_runs_out(pg: Storage) -> None:
    claims = pg.claims
    await pg.inbox.store([update(1, 70), update(2, 80)], NOW, [70, 80])
    # Each claims the chats of what reached it; a chat claimed by one is not the other's.
    assert await claims.claim("a", NOW, NOW + LEASE, [70], NOW - LEASE) == {70}
    assert await claims.claim("b", NOW, NOW + LEASE, [70, 80], NOW - LEASE) == {80}
    assert [c for c, _ in await claims.pending("a", [])] == [70]
    assert [c for c, _ in await claims.pending("a", [1])] == []  # in hand already
    # "a" stops renewing (it died); once its lease is over "b" takes its chat.
    later = NOW + LEASE + timedelta(seconds=1)
    assert await claims.renew("b", later + LEASE) == {80}
    assert await claims.claim("b", later, later + LEASE, [], later - LEASE) == {70}
    assert await claims.renew("a", later + LEASE) == set()


async def test_a_chat_with_an_update_stored_meanwhile_is_not_let_go(pg: Storage) -> None:
    claims = pg.claims
    await pg.inbox.store([update(1, 70)], NOW, [70])
    assert await claims.claim("a", NOW, NOW + LEASE, [70], NOW - LEASE) == {70}
    await pg.inbox.mark_processed([1], NOW)
    # "b" stored the chat's next update and found the chat held by "a": "a" keeps it.
    await pg.inbox.store([update(2, 70)], NOW, [70])
    assert await claims.claim("b", NOW, NOW + LEASE, [70], NOW - LEASE) == set()
    assert await claims.release("a", [70]) == set()  # still "a"'s
    assert [c for c, _ in await claims.pending("a", [1])] == [70]
    await pg.inbox.mark_processed([2], NOW)
    assert await claims.release("a", [70]) == {70}
    assert await claims.renew("a", NOW + LEASE) == set()


async def test_one_leader_and_an_unreachable_server_makes_a_follower(
    clean_postgres_database: str, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = LeaderLock(clean_postgres_database), LeaderLock(clean_postgres_database)
    try:
        assert await first.hold() and not await second.hold()
        assert await first.hold()  # still held: checked, not taken again
        await first.close()
        assert await second.hold()
    finally:
        await first.close()
        await second.close()
    nowhere = LeaderLock("postgresql://muster@127.0.0.1:1/muster")
    with caplog.at_level(logging.WARNING, logger="storage.coordination"):
        assert not await nowhere.hold()
    [line] = [r.getMessage() for r in caplog.records]
    assert line.startswith("leader lock: ")


async def test_a_pass_woken_by_an_update_claims_only_the_chats_received(pg: Storage) -> None:
    """Without ``stale_before`` (a pass woken by an update) neither a dead instance's chat
    nor an update left unclaimed is taken: those wait for a whole pass."""
    claims = pg.claims
    await pg.inbox.store([update(1, 70), update(2, 80), update(3, 90)], NOW, [70, 80, 90])
    assert await claims.claim("dead", NOW, NOW + LEASE, [70], NOW - LEASE) == {70}
    later = NOW + LEASE * 2  # "dead"'s claim ran out; update 2 waits unclaimed
    assert await claims.claim("b", later, later + LEASE, [], None) == set()
    assert await claims.claim("b", later, later + LEASE, [90], None) == {90}
    assert await claims.claim("b", later, later + LEASE, [], later - LEASE) == {70, 80}
