"""No lost updates: every update is in the database before Telegram learns it arrived, is
replayed after a crash until it is marked processed, and is ignored if it comes again.

Polling: ``InboxRequest`` wraps the request PTB's Updater polls with; a getUpdates answer
is stored before ``do_request`` returns, and Telegram only drops those updates when the
*next* getUpdates confirms them. Webhook: the update is stored before the 200 is sent
(``app/webhook.py``). An update is marked processed only after PTB has run its handlers
and the persistence (conversation states, drafts) has been written, so after a crash the
updates in hand and the few just done are handled again, never lost. Updates of different
chats are handled at once (``app/updates.py``) and so finish in any order: the inbox
writes down what is done as soon as something is (one flush and one mark, while the next
updates run; not once a second, which left hundreds handled but unmarked for a crash to
repeat), and those in hand at a crash stay unmarked and are replayed at the next start,
oldest first, which keeps each chat's (and each person's) order. An update whose user or
chat has a later update running is marked only once that one is done too: the flush
holds their half-changed data back (``app/persistence.py``).

Several instances sharing one PostgreSQL (webhook mode, :attr:`Inbox.shared`): whichever
instance a post reaches stores the update with its chat key and answers 200; no update is
handed to PTB straight from the post. Each instance, in its bookkeeping loop, claims the
chats of the updates it stored that no live instance holds, any chat whose claim ran out,
and any chat whose update has waited longer than a lease (its receiver died before
claiming it; ``storage/coordination.py``); reads their stored state afresh
(``MusterApplication.reread_state``: another instance may have moved their conversations
on); and queues their updates oldest first. A chat is let go only once nothing of it is
in hand, i.e. once its updates are marked processed, which :meth:`Inbox.settle` does only
after the persistence is written: the next instance to claim the chat reads the state its
last update left. Claims are renewed every pass; a dead instance's run out after
``cluster.claim_lease_seconds`` and a survivor takes its chats with their unprocessed
updates (those it had handled but not marked are handled again: what was in flight on it
is the duplicate a crash may cause).

An update that is JSON but not an update PTB can read (a message that is a string, a date
that is not a timestamp) is set aside as poison with the reason (logged once, counted in
``/health``) and never reaches a handler: one such update must not stop the bot at every
start. (A webhook post and the replay at start are read before PTB sees them; a getUpdates
batch only once PTB has failed on it, see :meth:`Inbox.screen`.)
"""

from __future__ import annotations

import asyncio
import json
import logging
from asyncio import FIRST_COMPLETED
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Bot, Update
from telegram._utils.types import ODVInput  # the type BaseRequest.do_request is declared with
from telegram.error import TelegramError, TimedOut
from telegram.ext import ApplicationHandlerStop, TypeHandler
from telegram.request import BaseRequest, RequestData

from app.cluster import Cluster
from app.flush import MusterApplication
from app.persistence import Owner, SQLitePersistence
from app.updates import ChatOrderedProcessor, keys_of
from bot.kit.clock import Clock
from handlers.kit.common import MusterApp, MusterContext
from handlers.kit.slots import Slot
from storage import Storage
from storage.errors import CONNECTION_LOST

log = logging.getLogger(__name__)
SETTLE_SECONDS = 1.0  # the longest wait between two looks at what is done (and to prune)
STORE_TRIES = 10  # a post's store on connections the server ended (more than a pool holds)
KEEP = timedelta(days=2)  # processed updates kept to recognise a late duplicate


def read_update(payload: dict[str, Any], bot: Bot | None) -> Update | str:
    """The update, or why it cannot be one. ``Update.de_json`` trusts the shape it is
    given and fails deep inside (AttributeError, TypeError, …) on anything else."""
    try:
        return Update.de_json(payload, bot)
    except Exception as exc:  # whatever the shape, the update is unreadable; say why
        return f"{type(exc).__name__}: {exc}"[:500]


def chat_key(update: Update) -> int:
    """The chat whose order an update keeps across instances: its chat, else its
    sender, else 0 (a poll's new tally)."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else 0


class PollFailures:
    """One log line per failed getUpdates, with the wait before the next try, instead of
    the full traceback PTB logs for each (six in 20 s of an outage). PTB's polling loop
    (``telegram.ext._utils.networkloop``) waits 1 s after a failure, half as long again
    after each further one, up to 30 s, and not at all after a success or a timeout; this
    follows the same rule, told of each answer by :class:`InboxRequest`. (After a 429 on
    getUpdates itself PTB waits what Telegram asked, and the next figure here is a guess.)"""

    def __init__(self) -> None:
        self.wait = 0.0

    def failed(self, error: TelegramError) -> None:
        """PTB's ``error_callback`` for ``start_polling``."""
        self.wait = 1.0 if self.wait == 0 else min(30.0, 1.5 * self.wait)
        log.warning("getUpdates failed (%s); polling again in %.1f s", error, self.wait)

    def reset(self) -> None:
        self.wait = 0.0


class _Hook(TypeHandler[object, MusterContext, None]):
    """A hook on every update that PTB calls only when ``wanted(update)``: a handler that
    matches costs each update a coroutine and its context's bookkeeping, and the inbox's
    hooks mostly have nothing to do (no resend to stop; not running, in tests and benches)."""

    __slots__ = ("wanted",)

    def __init__(
        self,
        callback: Callable[[object, MusterContext], Coroutine[Any, Any, None]],
        wanted: Callable[[object], bool],
    ) -> None:
        super().__init__(object, callback)
        self.wanted = wanted

    def check_update(self, update: object) -> bool:
        return self.wanted(update)


class Inbox:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        cluster: Cluster | None = None,
        lease_seconds: float = 10.0,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.cluster = cluster or Cluster(storage)
        self.lease = timedelta(seconds=lease_seconds)
        self.shared = False  # chats claimed from the shared store (see the module)
        self._wake = asyncio.Event()  # shared: an update was stored, claim
        self._in_hand: dict[int, int] = {}  # shared: update id -> chat key, until marked
        self._owned: set[int] = set()  # shared: the chats this instance has claimed
        self._renewed_at = datetime.min.replace(tzinfo=UTC)  # shared: its claims' last renewal
        self._received: set[int] = set()  # shared: chats of updates stored since a claim
        self._duplicates: set[int] = set()
        self._poison: set[int] = set()  # polling: set aside, handed to PTB as a bare id
        # Handled, not yet written down: (update id, its chat and user).
        self._done: list[tuple[int, frozenset[tuple[str, int]]]] = []
        self._finished = asyncio.Event()  # something was handled: settle
        self.active = False  # only a running bot (polling or webhook) keeps the books
        self.polling = PollFailures()

    async def receive(
        self, updates: Sequence[dict[str, Any]], *, gate: bool = False
    ) -> list[dict[str, Any]]:
        """Store the updates; returns the new ones. With ``gate`` (polling, where PTB gets
        every update regardless) the others are stopped before any handler."""
        new = await self.storage.inbox.store(updates, self.clock.now())
        if gate:
            self._duplicates.update(
                int(u["update_id"]) for u in updates if int(u["update_id"]) not in new
            )
        return [u for u in updates if int(u["update_id"]) in new]

    async def receive_shared(self, payload: dict[str, Any], update: Update) -> None:
        """Shared store: keep the update with its chat key; whichever instance claims
        the chat handles it (the loop, woken now)."""
        chat = chat_key(update)
        # The database dropped its connections (a restart, a failover): the pool may hand
        # out several it has not yet seen die, each failing once. Storing is safe to repeat
        # (by update id), and a 500 would hold up every later update while Telegram waits
        # to send it again.
        for tries_left in range(STORE_TRIES - 1, -1, -1):
            try:
                await self.storage.inbox.store([payload], self.clock.now(), [chat])
                break
            except CONNECTION_LOST as exc:
                if not tries_left:
                    raise
                log.warning("storing update %s again: %s", payload["update_id"], exc)
        self._received.add(chat)
        self._wake.set()

    async def screen(self, updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A getUpdates batch PTB could not read, as it should see it the second time:
        what it cannot read set aside and replaced by the bare id (so its offset moves
        past it, and the gate stops it). The rest were stored at first sight but never
        reached a handler, so they are not taken for resends; any new ones are stored."""
        unreadable = {
            int(u["update_id"]): reason
            for u in updates
            if isinstance(reason := read_update(u, None), str)
        }
        await self.receive([u for u in updates if int(u["update_id"]) not in unreadable])
        for update in updates:
            if (why := unreadable.get(int(update["update_id"]))) is not None:
                await self.set_aside(update, why)
        self._poison.update(unreadable)
        return [
            {"update_id": u["update_id"]} if int(u["update_id"]) in unreadable else u
            for u in updates
        ]

    async def set_aside(self, payload: dict[str, Any], reason: str) -> None:
        """Keep an unreadable update as poison; say so once (not again when Telegram
        sends it again)."""
        if await self.storage.inbox.set_aside(payload, reason, self.clock.now()):
            log.warning("update %s set aside as poison: %s", payload.get("update_id"), reason)

    async def _gate(self, update: object, context: MusterContext) -> None:
        """First of all handlers: an update seen before, or set aside, goes no further."""
        if not isinstance(update, Update):
            return
        if update.update_id in self._duplicates:
            self._duplicates.discard(update.update_id)
            log.info("update %d came again; ignored", update.update_id)
            raise ApplicationHandlerStop
        if update.update_id in self._poison:
            self._poison.discard(update.update_id)
            raise ApplicationHandlerStop

    async def _processed(self, update: object, context: MusterContext) -> None:
        """Last of all handlers (a handler that failed has still had its turn). Nothing
        awaits between this and PTB marking the update's data for the persistence, so a
        settle() that writes it down also writes what the update changed."""
        if self.active and isinstance(update, Update):
            self._done.append((update.update_id, frozenset(keys_of(update))))
            self._finished.set()

    def _gated(self, update: object) -> bool:
        return isinstance(update, Update) and (
            update.update_id in self._duplicates or update.update_id in self._poison
        )

    def register(self, app: MusterApp) -> None:
        app.add_handler(_Hook(self._gate, self._gated), group=-1000)
        app.add_handler(_Hook(self._processed, lambda update: self.active), group=1000)

    async def replay(self, app: MusterApp) -> int:
        """Queue what a previous run stored but did not finish, oldest first; set aside
        what cannot be read (stored by a version that did not check). Returns how many
        were queued."""
        self.active = True
        if self.shared:  # chats are claimed, not replayed: another instance may hold them
            return 0
        queued = 0
        for payload in await self.storage.inbox.unprocessed():
            update = read_update(payload, app.bot)
            if isinstance(update, str):
                await self.set_aside(payload, update)
                continue
            await app.update_queue.put(update)
            queued += 1
        if queued:
            log.warning("replaying %d update(s) a previous run did not finish", queued)
        return queued

    async def settle(self, app: MusterApp) -> None:
        """Write the persistence, then mark what was processed before it, except the
        updates whose user or chat the flush held back (a later update of theirs runs):
        those wait for a settle after it."""
        if not self._done:
            return
        done, self._done = self._done, []
        persistence = app.persistence
        ours = persistence if isinstance(persistence, SQLitePersistence) else None
        held: set[Owner] = set()
        if ours is not None:  # what it held last time is reported again, now maybe done
            for kind, ident in ours.held():
                if kind == "user":
                    app.mark_data_for_update_persistence(user_ids=ident)
                else:
                    app.mark_data_for_update_persistence(chat_ids=ident)
        await app.update_persistence()
        if ours is not None:
            await ours.flush()  # the held conversation states no longer busy
            held = ours.held()
        ready = [update_id for update_id, keys in done if not keys & held]
        self._done = [d for d in done if d[1] & held] + self._done
        await self.storage.inbox.mark_processed(ready, self.clock.now())
        if self.shared:
            for update_id in ready:
                self._in_hand.pop(update_id, None)

    async def dispatch(self, app: MusterApp, full: bool = True) -> int:
        """Shared store, after a settle: let go of the chats with nothing in hand, renew
        the rest, claim the chats no live instance holds, and queue the unprocessed
        updates of this instance's chats that it has not taken yet, oldest first. Returns
        how many were queued.

        A pass woken by an update (not ``full``) leaves out what only time makes
        necessary: the renewal (done once a third of the lease has gone by) and the look
        for a dead instance's chats; it claims only the chats of updates received here
        that it does not hold, and releases only when a chat has nothing in hand. Each
        instance makes a pass per wake-up, whatever its share of the updates, so these
        statements were paid per pass by every instance (docs/benchmarks.md)."""
        claims, me, now = self.storage.claims, self.cluster.name, self.clock.now()
        busy = set(self._in_hand.values())
        if idle := [c for c in self._owned if c not in busy]:
            self._owned -= await claims.release(me, idle)
        full = full or now - self._renewed_at >= self.lease / 3
        if full:
            held = await claims.renew(me, now + self.lease)
            self._renewed_at = now
            if lost := busy - held:  # renewed too late: another instance may handle them too
                log.warning("chats %s were taken over while in hand here", sorted(lost))
        else:
            held = set(self._owned)  # what the last renewal found, less what was let go
        received, self._received = self._received, set()
        fresh = await claims.claim(
            me, now, now + self.lease, sorted(received - held), now - self.lease if full else None
        )
        # Held under this id but never claimed by this process: its previous life's (a
        # restart under the same cluster.instance_id), dead as the id is this one's now.
        # Taken back at once, as fresh claims: their states read again, their unprocessed
        # updates handled (again, those the previous life handled but did not mark).
        if adopted := held - self._owned - busy:
            log.info("chats %s held by this instance's previous life taken back", sorted(adopted))
            fresh |= adopted
        self._owned = held | fresh
        if not self._owned:
            return 0
        updates: list[tuple[int, Update]] = []
        for chat, text in await claims.pending(me, list(self._in_hand)):
            payload = json.loads(text)
            update = read_update(payload, app.bot)
            if isinstance(update, str):
                await self.set_aside(payload, update)
            else:
                updates.append((chat, update))
        if fresh and isinstance(app, MusterApplication):
            processor = app.update_processor
            running = processor.busy if isinstance(processor, ChatOrderedProcessor) else None
            users = {
                u.effective_user.id
                for c, u in updates
                if c in fresh
                and u.effective_user is not None
                # A person with an update running here (in another chat) is this
                # instance's to know: not overwritten under that update.
                and not (running and running("user", u.effective_user.id))
            }
            await app.reread_state(fresh, users)
        for chat, update in updates:
            self._in_hand[update.update_id] = chat
            await app.update_queue.put(update)
        return len(updates)

    async def let_go(self) -> None:
        """Shared store, at a graceful stop (everything settled): release every chat,
        so that another instance takes them at once rather than after the lease."""
        if self.shared:
            await self.storage.claims.release(self.cluster.name, sorted(self._owned))
            self._owned.clear()

    async def run(self, app: MusterApp, stop: asyncio.Event) -> None:
        """Settle as soon as an update is handled (those handled meanwhile go with the
        next), until ``stop``; once more at the end."""
        pruned_at = self.clock.now()
        while not stop.is_set():
            events = (stop, self._finished, self._wake) if self.shared else (stop, self._finished)
            waits = [asyncio.ensure_future(e.wait()) for e in events]
            woken, _ = await asyncio.wait(
                waits, timeout=SETTLE_SECONDS, return_when=FIRST_COMPLETED
            )
            for wait in waits:
                wait.cancel()
            self._finished.clear()
            self._wake.clear()
            try:
                await self.settle(app)
                if self.shared and not stop.is_set():
                    # A quiet second (nothing woke it) is when to do the whole pass.
                    await self.dispatch(app, full=not woken)
                if self.clock.now() - pruned_at > timedelta(hours=1):
                    pruned_at = self.clock.now()
                    await self.storage.inbox.prune(pruned_at - KEEP)
            except Exception:  # the next pass tries again; the updates stay unmarked
                log.exception("could not mark processed updates")
        try:
            await self.let_go()
        except Exception:  # their leases run out instead
            log.exception("could not release this instance's chats")


INBOX: Slot[Inbox] = Slot("inbox")


class InboxRequest(BaseRequest):
    """The getUpdates request, storing what Telegram hands over before PTB sees it. If
    storing fails the call fails, PTB polls again with the same offset, and Telegram keeps
    the updates."""

    def __init__(self, inner: BaseRequest, inbox: Inbox) -> None:
        self.inner = inner
        self.inbox = inbox
        self._last_first: object = None  # the first update id of the last batch

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        try:
            status, body = await self.inner.do_request(
                url,
                method,
                request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except TimedOut:
            self.inbox.polling.reset()  # PTB polls again at once
            raise
        if status == 200:
            self.inbox.polling.reset()
        if status == 200 and url.endswith("/getUpdates"):
            answer = json.loads(body)
            updates = answer.get("result") or []
            if updates and updates[0]["update_id"] == self._last_first:
                # The same offset again: PTB could not read the last batch (it logged why
                # and asks again, for ever). Reading each update costs as much as PTB's
                # own parse, so it is done only now, not for every batch.
                answer["result"] = await self.inbox.screen(updates)
                body = json.dumps(answer).encode()
            elif updates:
                await self.inbox.receive(updates, gate=True)
            self._last_first = updates[0]["update_id"] if updates else None
        return status, body
