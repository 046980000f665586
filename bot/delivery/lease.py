"""Several instances draining one outbox on PostgreSQL (issue #20).

:class:`InstanceLease`: each instance registers itself with a lease that it renews every
third of ``cluster.lease_seconds`` and stamps the rows it claims with its id. Recovery,
at start and at every renewal, takes back only rows in flight on an instance whose lease
has run out (it crashed: at most those are sent twice), never a live one's; a graceful
stop puts its own claims back and removes its row.

:class:`SharedBudget`: Telegram's ~30 messages a second (and the paid broadcasts' rate)
are the bot's, not an instance's; the instances take each send from a window of the bot's
last sends in the database, so together they keep the overall limits (each one's
:class:`~bot.delivery.pacer.Pacer` still keeps its chats').

SQLite runs one process: neither is built there (app/build.py), and the outbox is taken
back whole at start, as it always was.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import DeliverySettings
from bot.delivery.burst import first_of
from bot.delivery.cluster_config import ClusterSettings
from bot.delivery.pacer import FLOOR_SHARE, Pacer
from bot.kit.clock import Clock
from storage import Storage
from storage.cluster import Instance, Ticket
from storage.outbox import ChatSends

log = logging.getLogger(__name__)

# The shared windows (SharedBudget): every send takes a row of FREE (a paid one only of PAID).
FREE = "telegram"
PAID = "paid"
# How far ahead a send in flight counts, until its answer says when: past the longest a
# text request can take to reach Telegram (the transport's pool, connect and write
# timeouts: 1 + 5 + 5 s), and how long a killed instance's rows in flight stay taken.
IN_FLIGHT_HOLD = 15.0
# A taker waits at most this long before asking again: the first row to come free may be
# one in flight (counted IN_FLIGHT_HOLD ahead) whose answer comes any moment.
POLL_SECONDS = 0.1
# How long a reply's want (it waits for a full window) holds the other senders back unless
# said again: it asks again at least every POLL_SECONDS while it waits, so a live one
# never lapses, and a dead one's holds nobody back for long.
WANT_SECONDS = 2 * POLL_SECONDS
# Added to every window: the times are a wall clock's in microseconds, kept as a double
# of epoch seconds; without it, two rounding errors could put two sends a microsecond less
# than the window apart.
RESOLUTION = 1e-5
# The pacer's floor (FLOOR_SHARE of the shortest round trip) assumes the two sends it
# separates travel like this instance's. Another instance nearer Telegram may reach it
# sooner, so a row counts from the answer less half the floor: a send's way back from
# Telegram is taken to be at least 37.5% of the shortest round trip, whichever instance
# sends next.
SHARED_FLOOR_SHARE = 0.5
# Sends answered before the floor is trusted (until then a row counts from its answer): a
# pause of the process between a take and its request, or before its answer is read,
# stretches that sample, and only the shortest of many is the way's own time.
FLOOR_SAMPLES = 16


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
    """The bot's overall send rates, shared by every instance through the database.

    Each is a sliding window of the bot's last sends (``send_window``): ``rate_per_second``
    rows (a whole number; below 1, one row a ``1 / rate`` seconds) and, while paid
    broadcasts are on, a window of ``paid_rate_per_second`` rows that every send takes one
    of too (a paid one only of these). A send takes a row whose send has left the window,
    so no window holds more sends than rows, whichever instances made them. A row counts
    its send from the moment Telegram may have counted it, as the pacer's slots do
    (``bot/delivery/pacer.py``): while in flight, from ``IN_FLIGHT_HOLD`` ahead (so it is
    not taken again before it is over); once answered, from the answer less a share of
    the shortest round trip; once failed, from its failure. So a send that goes late (its
    process paused between taking and sending) comes back late too, and its row with it:
    lateness costs rate, never a 429. Taking is a round trip to the database per window,
    and so is :meth:`finish`.

    Replies come first, as in one instance's pacer: a reply to a person that finds a window
    full says it waits (``send_wants``), and until it has its row no other sender of any
    instance takes one of that window, so the next row to come free is the reply's, not
    the outbox's, as one instance's pacer has it. (How soon that row comes depends on how
    the outboxes' sends fall within the second: they go in bursts, docs/benchmarks.md.)
    """

    # False: replies take rows as any sender does, each on its own (the window before
    # migration 0040), the baseline bench.cluster_inbound measures this against.
    replies_first = True

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        rate_per_second: float,
        *,
        paid_rate_per_second: int = 0,
    ) -> None:
        self.storage = storage
        self.clock = clock
        # (budget, rows, window) for a free send, and for a paid one.
        window = max(1.0, 1.0 / rate_per_second) + RESOLUTION
        free = (FREE, max(1, math.floor(rate_per_second)), window)
        paid = (PAID, paid_rate_per_second, 1.0 + RESOLUTION)
        self._windows = {False: [free], True: [free]}
        if paid_rate_per_second > 0:
            self._windows = {False: [free, paid], True: [paid]}
        # One taker at a time per instance, and one reply: the others wait here, not in
        # the database, so a window that frees a row wakes one caller of each kind per
        # instance, not every worker and every waiting reply (a herd of failed takes).
        self._taking = asyncio.Lock()
        self._replying = asyncio.Lock()
        self._wants: dict[str, float] = {}  # budget -> until when this instance's reply waits
        # The shortest time from taking a send to its answer, and of how many: the floor's
        # base (see finish), learnt here rather than from the pacer, whose slots may wait
        # for this budget after their grant.
        self._shortest = math.inf
        self._learnt = 0

    @classmethod
    def from_settings(
        cls, storage: Storage, clock: Clock, settings: DeliverySettings
    ) -> SharedBudget:
        """The rates of ``settings``, as :meth:`Pacer.from_settings` takes them."""
        paid = settings.paid_rate_per_second if settings.paid_broadcast else 0
        return cls(storage, clock, settings.rate_per_second, paid_rate_per_second=paid)

    async def take(self, *, paid: bool = False, reply: bool = False) -> SharedSend | float:
        """A send from every window it counts in, or the seconds until one may be taken
        (what was taken from another window meanwhile is given back). A ``reply`` that
        cannot have one says it waits, and takes back what it said once it has one."""
        now = self.clock.now().timestamp()
        cluster, tickets = self.storage.cluster, list[Ticket]()
        for budget, rows, window in self._windows[paid]:
            taken = await cluster.take_slot(budget, rows, now, window, IN_FLIGHT_HOLD, reply=reply)
            if isinstance(taken, float):
                for ticket in tickets:
                    await cluster.settle_slot(ticket, ticket.before)
                if reply:
                    self._wants[budget] = now + WANT_SECONDS
                    await cluster.want(budget, self._wants[budget])
                return taken
            tickets.append(taken)
        try:
            while reply and self._wants:
                await cluster.unwant(*self._wants.popitem())
        except Exception:  # the want lapses by itself: the send is taken, so it goes
            log.exception("shared send budget: a reply's want could not be taken back")
        return SharedSend(now, tickets)

    async def acquire(
        self,
        sleep: Callable[[float], Awaitable[None]],
        stop: asyncio.Event | None,
        *,
        paid: bool = False,
        first: bool = False,
    ) -> SharedSend | None:
        """Wait (``sleep``, the pacer's) until a send may go and take it; send it at once
        and :meth:`finish` it. None if stop came first. ``first`` (a reply to a person)
        does not queue behind this instance's outbox: replies queue among themselves, and
        the outbox of every instance yields to them (see the class)."""
        if first and not self.replies_first:
            return await self._acquire(sleep, stop, paid, False)
        async with self._replying if first else self._taking:
            return await self._acquire(sleep, stop, paid, first)

    async def _acquire(
        self,
        sleep: Callable[[float], Awaitable[None]],
        stop: asyncio.Event | None,
        paid: bool,
        reply: bool,
    ) -> SharedSend | None:
        while stop is None or not stop.is_set():
            taken = await self.take(paid=paid, reply=reply)
            if isinstance(taken, SharedSend):
                return taken
            # At most a poll: a row in flight may be answered well before its hold.
            wait = min(taken, POLL_SECONDS)
            await (sleep(wait) if stop is None else first_of(sleep(wait), stop.wait()))
        return None

    async def finish(self, send: SharedSend, *, answered: bool) -> None:
        """``send``'s request is over: Telegram answered it (it counts from the answer less
        ``SHARED_FLOOR_SHARE`` of the floor: the pacer's ``FLOOR_SHARE`` of the shortest
        time from a take to its answer, once ``FLOOR_SAMPLES`` were seen) or it failed
        (from now). A failure to record it is
        logged: the row then counts from its hold, later than it need."""
        now = self.clock.now().timestamp()
        counts_from = now
        if answered:
            self._shortest, self._learnt = min(self._shortest, now - send.taken), self._learnt + 1
            if self._learnt >= FLOOR_SAMPLES:
                floor = SHARED_FLOOR_SHARE * FLOOR_SHARE * self._shortest
                counts_from = max(send.taken, now - floor)
        try:
            for ticket in send.tickets:
                await self.storage.cluster.settle_slot(ticket, counts_from)
        except Exception:
            log.exception("shared send budget: recording a send's answer failed")


@dataclass(frozen=True, slots=True)
class SharedSend:
    """A send taken from the shared windows (:class:`SharedBudget`), at ``taken``."""

    taken: float
    tickets: list[Ticket]


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
