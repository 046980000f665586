"""One long-polling instance per PostgreSQL database, the others standing by.

Telegram answers ``getUpdates`` to one client at a time (a second one's request ends the
first's with "Conflict: terminated by other getUpdates request"), and a polling instance
handles the updates it fetched itself, replaying at start whatever the store holds
unprocessed: two polling instances on one database would take each other's updates out
of order. So ``muster run`` on PostgreSQL first takes a session advisory lock
(``storage.coordination.POLLER_LOCK``, on a connection of its own as the leader lock is);
a second ``muster run`` waits, saying so once, and takes over within ``EVERY`` seconds of
the first's death (a killed process's connection closes with it). A poller that finds its
lock gone and taken by another (its connection dropped and a standby was quicker) stops
polling and exits with :class:`PollingLost`, to be restarted as a standby. Several active
instances are webhook mode's (docs/postgresql.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from storage import PostgresDatabase
from storage.coordination import POLLER_LOCK, LeaderLock

log = logging.getLogger(__name__)

EVERY = 2.0  # seconds between two looks at the lock (a standby's wait, a poller's check)


class PollingLost(Exception):
    """Another instance took over polling this database."""


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()


@asynccontextmanager
async def polling_turn(db: object, stop: asyncio.Event) -> AsyncIterator[bool]:
    """Wait until this instance may poll (at once on SQLite) and yield True, or False if
    ``stop`` came first. While it polls, a lost lock sets ``stop``, and
    :class:`PollingLost` is raised on leaving."""
    if not isinstance(db, PostgresDatabase):
        yield True
        return
    lock = LeaderLock(db.url, key=POLLER_LOCK)
    try:
        if not await _wait_for(lock, stop):
            yield False
            return
        end = asyncio.Event()
        watch = asyncio.create_task(_watch(lock, stop, end), name="polling lock")
        try:
            yield True
        finally:
            end.set()
            lost = await watch
        if lost:
            raise PollingLost("another instance took over polling this database; stopped")
    finally:
        await lock.close()


async def _wait_for(lock: LeaderLock, stop: asyncio.Event) -> bool:
    """Whether the lock is held (False: ``stop`` came first), saying once that it waits."""
    waited = False
    while not await lock.hold():
        if not waited:
            log.warning("another instance is polling this database: this one waits to take over")
            waited = True
        if await _stopped_within(stop, EVERY):
            return False
    if waited:
        log.warning("taking over polling from the instance that stopped")
    return True


async def _watch(lock: LeaderLock, stop: asyncio.Event, end: asyncio.Event) -> bool:
    """Until ``end``: whether the lock was lost to another instance (a lock lost with its
    connection and free again is simply taken back), setting ``end`` (and ``stop``) then."""
    while not await _stopped_within(end, EVERY):
        if not await lock.hold():
            log.error("another instance took over polling this database: stopping")
            stop.set()
            return True
    return False
