"""Several instances draining one outbox on PostgreSQL (issue #20).

:class:`InstanceLease`: each instance registers itself with a lease that it renews every
third of ``cluster.lease_seconds`` and stamps the rows it claims with its id. Recovery,
at start and at every renewal, takes back only rows in flight on an instance whose lease
has run out (it crashed: at most those are sent twice), never a live one's; a graceful
stop puts its own claims back and removes its row.

:class:`SharedBudget`: Telegram's ~30 messages a second are the bot's, not an instance's;
the instances take each send from one budget row in the database, so together they keep
the overall limit (each one's :class:`~bot.delivery.pacer.Pacer` still keeps its chats').

SQLite runs one process: neither is built there (app/build.py), and the outbox is taken
back whole at start, as it always was.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.config import DeliverySettings
from bot.delivery.burst import first_of
from bot.delivery.cluster_config import ClusterSettings
from bot.delivery.pacer import Pacer
from bot.kit.clock import Clock
from storage import Storage
from storage.cluster import Instance
from storage.outbox import ChatSends

log = logging.getLogger(__name__)


def this_instance(settings: ClusterSettings) -> Instance:
    """Who this process is: ``cluster.instance_id``, else the host and process id."""
    host, pid = socket.gethostname(), os.getpid()
    return Instance(settings.instance_id or f"{host}:{pid}", host, pid)


class InstanceLease:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        settings: ClusterSettings,
        me: Instance,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_recovered: Callable[[], None] | None = None,
    ) -> None:
        """``on_recovered``: told when rows were taken back (wake the workers)."""
        self.storage = storage
        self.clock = clock
        self.settings = settings
        self.me = me
        self._sleep = sleep
        self.on_recovered = on_recovered

    @property
    def id(self) -> str:
        return self.me.id

    async def start(self) -> int:
        """Register (or re-register under the same id), then take back what this id's
        previous life and every instance whose lease ran out left in flight; return how
        many rows."""
        now = self.clock.now()
        await self.storage.cluster.register(
            self.me, now, now + timedelta(seconds=self.settings.lease_seconds)
        )
        recovered = await self.storage.outbox.recover_lost(now, mine=self.id)
        await self.storage.cluster.sweep(now)
        if recovered:
            log.info("outbox: %d messages in flight on stopped instances queued again", recovered)
        return recovered

    async def renew(self) -> int:
        """Move the lease on, then take back the rows of instances whose lease ran out;
        return how many rows."""
        now = self.clock.now()
        expires = now + timedelta(seconds=self.settings.lease_seconds)
        if not await self.storage.cluster.renew(self.id, now, expires):
            # Paused past its lease: others may be sending its claims already, which is
            # the duplicate a crash is allowed. Live again from here.
            log.warning("instance %s: its lease had run out; registering again", self.id)
            await self.storage.cluster.register(self.me, now, expires)
        recovered = await self.storage.outbox.recover_lost(now)
        await self.storage.cluster.sweep(now)
        if recovered:
            log.info("outbox: %d messages of a stopped instance queued again", recovered)
            if self.on_recovered is not None:
                self.on_recovered()
        return recovered

    async def run(self, stop: asyncio.Event) -> None:
        """Renew until ``stop``; a failed renewal is logged and tried again next time."""
        while not stop.is_set():
            await first_of(self._sleep(self.settings.renew_seconds), stop.wait())
            if stop.is_set():
                break
            try:
                await self.renew()
            except Exception:
                log.exception("instance %s: renewing the lease failed", self.id)

    async def stop(self) -> None:
        """A graceful stop, after the workers finished: this instance's claims back to
        'pending' and its row gone, so nobody waits for its lease to run out."""
        released = await self.storage.outbox.release_claims(self.id)
        if released:
            log.info("outbox: %d claimed messages put back at the stop", released)
        await self.storage.cluster.remove(self.id)


class SharedBudget:
    """The bot's overall send rate, shared by every instance through the database: each
    send reserves the next moment from one row, at least ``1 / rate`` seconds after the
    previous one whichever instance took it (see ``ClusterRepository.take_send``), and
    goes then. Unlike the pacer it cannot count a send from its answer, so the rate wants
    a margin below Telegram's 30 for the sends' own jitter (docs/benchmarks.md)."""

    def __init__(self, storage: Storage, clock: Clock, rate_per_second: float) -> None:
        self.storage = storage
        self.clock = clock
        self.spacing = 1.0 / rate_per_second

    async def take(self) -> float:
        """Reserve a send: seconds to wait before it goes (0: now)."""
        return await self.storage.cluster.take_send(self.clock.now().timestamp(), self.spacing)

    async def turn(
        self, sleep: Callable[[float], Awaitable[None]], stop: asyncio.Event | None
    ) -> bool:
        """Reserve a send and wait (``sleep``, the pacer's) for its moment; False if stop
        came first (the reservation is lost)."""
        wait = await self.take()
        if wait > 0:
            await (sleep(wait) if stop is None else first_of(sleep(wait), stop.wait()))
        return stop is None or not stop.is_set()


def hold_chats(
    pacer: Pacer, settings: DeliverySettings, chats: dict[int, ChatSends], now: datetime
) -> None:
    """Hold each claimed chat in ``pacer`` for its limits counted from its last sends,
    whichever instance made them (a pacer knows only its own)."""
    for chat_id, sends in chats.items():
        if sends.last is not None:
            since = (now - sends.last).total_seconds()
            pacer.hold(chat_id, settings.private_chat_interval - since)
        if sends.window_from is not None:
            pacer.hold(chat_id, 60.0 - (now - sends.window_from).total_seconds())
