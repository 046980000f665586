"""What several instances sharing one PostgreSQL agree on through it (migration 0038):

- who runs the schedule: :class:`LeaderLock`, a session-level advisory lock held on a
  connection of its own, so that it goes with the connection (a killed instance's at
  once, a vanished one's when the server's keepalives give up on it, see ``KEEPALIVE``);
- which instance handles which chat's updates: :class:`ChatClaims`, a row per claimed chat
  with a lease its instance renews while it lives.

Only PostgreSQL uses them: one process on SQLite is always the leader and claims nothing.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from storage.db import Database, from_db_time, to_db_time
from storage.errors import CONNECTION_LOST

log = logging.getLogger(__name__)

# The schedule's lock, one per database ("mustlead"); the migrations' is another number.
LEADER_LOCK = 0x6D7573746C656164
# The long-polling instance's ("mustpoll"): Telegram serves getUpdates to one client.
POLLER_LOCK = 0x6D757374706F6C6C
# A leader whose host vanishes (no FIN, no RST) holds the lock until the server gives up on
# its connection: 3 s idle, then 3 probes 2 s apart, so about 9 s. A killed process's
# connection is closed by its kernel and the lock is free at once.
KEEPALIVE = {
    "tcp_keepalives_idle": "3",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
    "application_name": "muster leader lock",
}
# A connection the server ended mid-operation may raise asyncpg's InternalClientError
# (MagicStack/asyncpg#1069) rather than a connection error: the lock is gone all the same.
_FAILURES: tuple[type[BaseException], ...] = (TimeoutError, asyncpg.PostgresError, *CONNECTION_LOST)
CHECK_TIMEOUT = 5.0  # a leader that cannot ask its own connection within this steps down


class LeaderLock:
    """The schedule's lock (or another ``key``'s) on a dedicated connection (not the
    pool's: a pooled connection is handed to others, and the lock would go with it)."""

    def __init__(self, url: str, key: int = LEADER_LOCK) -> None:
        self.url = url
        self.key = key
        self._conn: asyncpg.Connection[Any] | None = None
        self.held = False

    async def hold(self) -> bool:
        """Whether this instance holds the lock now: checked on its connection when held
        (a connection the server dropped has lost it), else tried once."""
        try:
            if self._conn is None or self._conn.is_closed():
                self.held = False
                self._conn = await asyncpg.connect(
                    self.url, timeout=CHECK_TIMEOUT, server_settings=KEEPALIVE
                )
            if self.held:
                await self._conn.fetchval("SELECT 1", timeout=CHECK_TIMEOUT)
            else:
                self.held = bool(
                    await self._conn.fetchval(
                        "SELECT pg_try_advisory_lock($1)", self.key, timeout=CHECK_TIMEOUT
                    )
                )
        except _FAILURES as exc:
            log.warning("leader lock: %s", str(exc) or type(exc).__name__)
            await self.close()
        return self.held

    async def close(self) -> None:
        """Let go of the lock (with the connection): unlocked first when it can be, so a
        follower's next try finds it free rather than racing the server's cleanup."""
        held, self.held = self.held, False
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if held and not conn.is_closed():
            # On failure the server frees it with the connection all the same.
            with contextlib.suppress(*_FAILURES):
                await conn.execute("SELECT pg_advisory_unlock($1)", self.key, timeout=1.0)
        conn.terminate()


class ChatClaims:
    """Which instance handles which chat's stored updates (PostgreSQL's statements)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(
        self,
        instance: str,
        now: datetime,
        until: datetime,
        received: Sequence[int],
        stale_before: datetime | None,
    ) -> set[int]:
        """Claim the chats with unprocessed updates that no live instance holds (none
        does, or its lease ran out): those of the updates this instance ``received``
        (each instance handles what reached it, so the load is spread as the proxy
        spreads it) and, unless ``stale_before`` is None, any whose claim ran out (its
        instance died) and any other whose update waits since ``stale_before`` (stored
        by an instance that died before claiming it). Returns the chats newly claimed.
        Without the look for the dead's chats (most passes, see ``Inbox.dispatch``) it
        reads only the received chats' rows."""
        if stale_before is None:
            if not received:
                return set()
            which = " AND chat_key = ANY(?)"
            params: tuple[Any, ...] = (list(received),)
        else:
            which = (
                " AND (chat_key = ANY(?) OR received_at < ?"
                " OR chat_key IN (SELECT chat_key FROM chat_claims WHERE until < ?))"
            )
            params = (list(received), to_db_time(stale_before), to_db_time(now))
        rows = await self.db.write_returning(
            "INSERT INTO chat_claims (chat_key, instance, until)"
            " SELECT DISTINCT chat_key, ?, ? FROM inbox"
            " WHERE processed_at IS NULL AND chat_key IS NOT NULL" + which +
            " ON CONFLICT (chat_key) DO UPDATE"
            " SET instance = excluded.instance, until = excluded.until"
            " WHERE chat_claims.until < ? AND chat_claims.instance != excluded.instance"
            " RETURNING chat_key",
            (instance, to_db_time(until), *params, to_db_time(now)),
        )  # fmt: skip
        return {int(r[0]) for r in rows}

    async def renew(self, instance: str, until: datetime) -> set[int]:
        """Extend this instance's claims; returns the chats it still holds."""
        rows = await self.db.write_returning(
            "UPDATE chat_claims SET until = ? WHERE instance = ? RETURNING chat_key",
            (to_db_time(until), instance),
        )
        return {int(r[0]) for r in rows}

    async def pending(
        self, instance: str, in_hand: Sequence[int], limit: int = 1000
    ) -> list[tuple[int, str]]:
        """The unprocessed updates of the chats this instance holds that it has not taken
        yet, oldest first: (chat key, payload text)."""
        rows = await self.db.fetchall(
            "SELECT i.chat_key, i.payload FROM chat_claims c"
            " JOIN inbox i ON i.chat_key = c.chat_key AND i.processed_at IS NULL"
            " WHERE c.instance = ? AND NOT (i.update_id = ANY(?))"
            " ORDER BY i.update_id LIMIT ?",
            (instance, list(in_hand), limit),
        )
        return [(int(r[0]), r[1]) for r in rows]

    async def release(self, instance: str, chats: Sequence[int]) -> set[int]:
        """Give up these chats (nothing of theirs in hand, all of it written down), but
        not one with an update stored meanwhile: the instance that stored it may have
        found the chat held by this one, and counts on it to take the update. Returns
        the chats given up (the others are still this instance's)."""
        if not chats:
            return set()
        rows = await self.db.write_returning(
            "DELETE FROM chat_claims c WHERE instance = ? AND chat_key = ANY(?)"
            " AND NOT EXISTS (SELECT 1 FROM inbox i"
            " WHERE i.chat_key = c.chat_key AND i.processed_at IS NULL)"
            " RETURNING chat_key",
            (instance, list(chats)),
        )
        return {int(r[0]) for r in rows}

    async def lag(self, now: datetime) -> tuple[float | None, float | None]:
        """Seconds since the oldest unprocessed update arrived, and since the oldest due
        outbox row fell due (None: nothing waits)."""
        stamp = to_db_time(now)
        inbox = await self.db.fetchone(
            "SELECT MIN(received_at) AS t FROM inbox WHERE processed_at IS NULL"
        )
        outbox = await self.db.fetchone(
            "SELECT MIN(next_attempt_at) AS t FROM outbox"
            " WHERE status = 'pending' AND next_attempt_at <= ?",
            (stamp,),
        )
        return _age(inbox, now), _age(outbox, now)


def _age(row: Any, now: datetime) -> float | None:
    if row is None or row["t"] is None:
        return None
    return max(0.0, (now - from_db_time(row["t"])).total_seconds())
