"""The composition root: the one place that builds the PTB ``Application``.

Tests, the demo and production all come through ``build_application``; they differ only
in the request (a fake Bot API or the real one), the clock and the settings.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, BasePersistence, ContextTypes
from telegram.request import BaseRequest

from app.cluster import CLUSTER, Cluster
from app.features import check_core, features_for
from app.flush import MusterApplication
from app.inbox import INBOX, Inbox, InboxRequest
from app.persistence import SQLitePersistence
from app.updates import ChatOrderedProcessor
from bot.config import ConfigError, Settings
from bot.delivery.channels.lane import ChannelLane
from bot.delivery.engine import DeliveryEngine
from bot.delivery.lease import InstanceLease, SharedBudget, this_instance
from bot.delivery.pacer import Pacer
from bot.delivery.reply_pacing import PacedReplies
from bot.delivery.transport import GET_UPDATES_POOL_SIZE, POOL_SIZE, AiohttpRequest
from bot.fallback.lane import build_lane
from bot.kit.clock import Clock, SystemClock
from bot.services import Services
from handlers.kit import menu
from handlers.kit.common import MusterApp, MusterContext, answer_quietly, language_of
from handlers.kit.feature import Feature, Tick, outbox_of, registrations
from handlers.kit.menu import MENU, Menu, refresh_stale_menus
from handlers.kit.slots import DELIVERY, SERVICES, Slot
from handlers.org import basics
from storage import Storage

log = logging.getLogger(__name__)

# A token is needed to build a Bot even when an injected request never calls Telegram.
OFFLINE_TOKEN = "123456:OFFLINE-TEST-TOKEN"
# APScheduler drops a job that is late by more than this; late is better than never.
MISFIRE_GRACE_SECONDS = 3600
# How often the schedule is asked what is due (directives to start, chase, close).
TICK_SECONDS = 2.0
# The features this app was built with (their schedule steps run at each tick).
FEATURES_ON: Slot[tuple[Feature, ...]] = Slot("features")
# The fallback channels' lane (email, the SMS gateway), beside the outbox worker.
LANE: Slot[ChannelLane] = Slot("channel lane")
# This instance's lease on PostgreSQL, where several may share the outbox; none on SQLite.
LEASE: Slot[InstanceLease] = Slot("instance lease")


async def open_storage(settings: Settings) -> Storage:
    """The store the settings name (``storage.url`` or ``storage.database``), migrated."""
    return await Storage.open(settings.storage.target, pool_size=settings.storage.pool_size)


async def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    persistence: BasePersistence[Any, Any, Any] | None = None,
    clock: Clock | None = None,
    storage: Storage | None = None,
    pacer: Pacer | None = None,
    features: Sequence[Feature] | None = None,
) -> MusterApp:
    """Open the database (migrating it), wire the services and the features' handlers,
    schedule steps and renderers, return the app.

    ``features``: those to build with (default: those not in ``organisation.features_off``).
    The app closes the storage it opened when it shuts down.
    """
    features = tuple(features_for(settings) if features is None else features)
    check_core(features)
    token = settings.telegram.resolve_token()
    if token is None:
        if request is None:
            raise ConfigError(
                ["telegram.token: not set; set MUSTER_TELEGRAM__TOKEN or telegram.token_file"]
            )
        token = OFFLINE_TOKEN
    owns_storage = storage is None
    storage = storage or await open_storage(settings)
    services = Services.build(settings, storage, clock or SystemClock())
    # One identity per process: its outbox lease and claims, its chat claims, /health.
    me = this_instance(settings.cluster)
    cluster = Cluster(storage, me.id)

    async def close_storage(_: Any) -> None:
        await cluster.close()  # the leader lock goes first: a follower may take over
        if owns_storage:
            await storage.close()

    pacer = pacer or Pacer.from_settings(settings.delivery)
    # Telegram's overall limits shared with the other instances on PostgreSQL, where pacing
    # is on (the tests' and benchmarks' unlimited pacer is not): outbox and replies alike.
    budget = (
        SharedBudget.from_settings(storage, services.clock, settings.delivery)
        if storage.db.dialect.postgresql and pacer.enabled
        else None
    )
    processor = ChatOrderedProcessor(settings.telegram.concurrent_updates)
    builder = (
        ApplicationBuilder()
        # A persistence flush in one batch, not a task per user and conversation.
        .application_class(MusterApplication)
        .token(token)
        .base_url(settings.telegram.api_base_url)
        .base_file_url(settings.telegram.api_file_url)
        .context_types(ContextTypes(context=MusterContext))
        .persistence(
            persistence
            or SQLitePersistence(
                storage.db,
                update_interval=settings.telegram.persistence_flush_seconds,
                busy=processor.busy,  # a user's or chat's half-done update is not stored
            )
        )
        # Chats at once; a chat's and a person's updates in order, as conversations need.
        .concurrent_updates(processor)
        # Replies and edits are paced with the outbox's pacer, ahead of it, and wait out a 429.
        .rate_limiter(PacedReplies(pacer, budget))
        .post_shutdown(close_storage)
    )
    inbox = Inbox(storage, services.clock, cluster, settings.cluster.claim_lease_seconds)
    # All Bot API traffic goes over aiohttp unless a request is injected: PTB's default
    # HTTPXRequest costs several times the CPU per call (see bot/delivery/transport.py).
    builder = builder.request(request or _bot_request(settings))
    polling = request or AiohttpRequest(connection_pool_size=GET_UPDATES_POOL_SIZE)
    # Polling stores each batch of updates before the next getUpdates confirms it.
    builder = builder.get_updates_request(InboxRequest(polling, inbox))
    app: MusterApp = builder.build()
    SERVICES.put(app, services)
    INBOX.put(app, inbox)
    CLUSTER.put(app, cluster)
    FEATURES_ON.put(app, features)
    MENU.put(app, Menu(features))
    outbox = outbox_of(features, services)
    lease: InstanceLease | None = None
    if storage.db.dialect.postgresql:
        lease = InstanceLease(storage, services.clock, settings.cluster, me)
        LEASE.put(app, lease)
    engine = DeliveryEngine(
        storage,
        app.bot,
        services.clock,
        settings.delivery,
        outbox.renderers,
        pacer,
        prepare=outbox.prepare,
        owner=lease.id if lease else None,
        budget=budget,
    )
    if lease is not None:
        lease.on_recovered = engine.wake
    DELIVERY.put(app, engine)
    LANE.put(app, build_lane(services.fallback, services.i18n, owner=lease.id if lease else None))
    if app.job_queue is not None:
        # configure() replaces everything, PTB's own executor included: pass it back.
        app.job_queue.scheduler.configure(
            job_defaults={"misfire_grace_time": MISFIRE_GRACE_SECONDS, "coalesce": True},
            **app.job_queue.scheduler_configuration,
        )
        app.job_queue.run_repeating(_tick_job, interval=TICK_SECONDS, first=0, name="tick")
    # Order matters inside the default group: flows first, catch-alls last.
    for register in registrations(features):
        register(app)
    menu.register(app)
    basics.register_fallbacks(app)
    inbox.register(app)
    app.add_error_handler(on_error)
    return app


def _bot_request(settings: Settings) -> AiohttpRequest:
    """The bot's transport: PTB's pool for everything interactive, and connections of
    their own for the outbox workers, so that the broadcast never queues behind a burst
    of presses for a connection (bench.burst)."""
    return AiohttpRequest(connection_pool_size=POOL_SIZE, bulk_pool_size=settings.delivery.workers)


async def run_schedule(app: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """One pass over everything due (the job every TICK_SECONDS): each feature's schedule
    step, then the menus marked stale; returns the work done."""
    services, engine = SERVICES.of(app), DELIVERY.of(app)
    tick = Tick(services, app.bot, engine)
    counts: list[tuple[str, int]] = []
    for feature in FEATURES_ON.of(app):
        if feature.schedule is not None:
            counts.extend(await feature.schedule(tick))
    counts.append(("command menu", await refresh_stale_menus(app.bot, services, MENU.of(app))))
    engine.wake()
    LANE.of(app).wake()  # a fallback may have fallen due
    _log_tick(*counts)
    return sum(n for _, n in counts)


def _log_tick(*counts: tuple[str, int]) -> None:
    """What the tick did, in one line, and nothing for a tick that did nothing (most of
    them: APScheduler's own per-run lines are kept at WARNING for that reason)."""
    done = [f"{n} {what}{'' if n == 1 else 's'}" for what, n in counts if n]
    if done:
        log.info("tick: %s", ", ".join(done))


async def tick(app: Application[Any, Any, Any, Any, Any, Any]) -> int | None:
    """The job every TICK_SECONDS: the schedule, on the one instance that leads
    (``app/cluster.py``); None on the others, which have tried for the lead instead."""
    if not await CLUSTER.of(app).lead():
        return None
    return await run_schedule(app)


async def _tick_job(context: MusterContext) -> None:
    await tick(context.application)


async def on_error(update: object, context: MusterContext) -> None:
    """Log the fault; tell the person something went wrong instead of going silent."""
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    try:
        language = await language_of(update, context)
        text = context.services.i18n.t(language, "error-internal")
        if update.callback_query is not None:
            # The handler may have answered the press already; a second answer fails,
            # and that must not stop the message below.
            await answer_quietly(update.callback_query)
        await context.bot.send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML)
    except Exception:  # the error handler must not raise
        log.exception("could not tell the user about the failure")
