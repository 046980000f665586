"""Several instances on one PostgreSQL: this instance's name and its part in the cluster.

The name is the process's one identity (``bot.delivery.lease.this_instance``:
``cluster.instance_id``, else host:pid), the same that stamps its outbox claims, its chat
claims (app/inbox.py) and its logs, and that /health shows.

The schedule tick (directives started, chased and closed, summaries, reminders, ladders)
runs on the one instance that holds the leader lock (``storage/coordination.py``: a session
advisory lock on a connection of its own). Every instance's tick job asks :meth:`lead`
first, every TICK_SECONDS: the leader checks that it still holds the lock (one round
trip), a follower tries to take it, so a follower takes over at its next tick after the
leader's connection is gone. What the tick does is claimed in the database row by row
(``ON CONFLICT DO NOTHING`` claim rows in the same transaction as the messages they
queue: summaries, check-in and report runs, ladder steps), so a new leader does not redo
what the old one did, even when both ran one tick at once.

On SQLite the one process is always the leader ("single") and nothing is asked.
"""

from __future__ import annotations

import logging
from typing import Literal

from bot.delivery.cluster_config import ClusterSettings
from bot.delivery.lease import this_instance
from handlers.kit.slots import Slot
from storage import PostgresDatabase, Storage
from storage.coordination import LeaderLock

log = logging.getLogger(__name__)

Role = Literal["single", "leader", "follower"]


class Cluster:
    """This instance's name and role; on PostgreSQL, the leader lock."""

    def __init__(self, storage: Storage, name: str | None = None) -> None:
        self.name = name or this_instance(ClusterSettings()).id
        db = storage.db
        self.lock = LeaderLock(db.url) if isinstance(db, PostgresDatabase) else None

    @property
    def shared(self) -> bool:
        """Whether other instances may share the store (PostgreSQL)."""
        return self.lock is not None

    @property
    def role(self) -> Role:
        if self.lock is None:
            return "single"
        return "leader" if self.lock.held else "follower"

    async def lead(self) -> bool:
        """Whether this instance runs the schedule now (see the module)."""
        if self.lock is None:
            return True
        was = self.lock.held
        held = await self.lock.hold()
        if held != was:
            log.info(
                "instance %s %s", self.name, "now runs the schedule" if held else "is a follower"
            )
        return held

    async def close(self) -> None:
        if self.lock is not None:
            await self.lock.close()


CLUSTER: Slot[Cluster] = Slot("cluster")
