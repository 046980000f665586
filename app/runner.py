"""Running the application: by long polling or behind a webhook, until asked to stop,
with the outbox worker and the update inbox alongside."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update

from app.build import LANE, LEASE
from app.inbox import INBOX, Inbox
from app.polling import polling_turn
from app.web import fallback_routes, page_routes, web_server
from bot.org.notices import to_admins
from handlers.kit.common import MusterApp
from handlers.kit.menu import MENU, refresh_menu_for, set_default_menus
from handlers.kit.slots import DELIVERY, SERVICES

log = logging.getLogger(__name__)


async def announce(app: MusterApp) -> None:
    """Register the command menus and check the bot's name; failure here must not keep
    the bot from running."""
    services, menu = SERVICES.of(app), MENU.of(app)
    try:
        await set_default_menus(app.bot, services.i18n, menu)
        for admin_id in services.settings.organisation.admins:
            await refresh_menu_for(app.bot, services, menu, admin_id)
    except Exception:
        log.exception("command menus not registered")
    try:
        await check_username(app)
    except Exception:
        log.exception("could not warn the admins about telegram.bot_username")


async def check_username(app: MusterApp) -> bool:
    """True if ``telegram.bot_username`` names this bot (or is unset). Otherwise every
    invite link the CLI prints opens another bot: log it and tell the admins in chat."""
    services = SERVICES.of(app)
    configured = services.settings.telegram.bot_username
    actual = app.bot.username  # from getMe, which initialize() called
    if configured is None or configured.casefold() == actual.casefold():
        return True
    log.error(
        "telegram.bot_username is %r but the token belongs to @%s: invite links printed by"
        " `muster invite create` open the wrong bot; set telegram.bot_username = %r",
        configured,
        actual,
        actual,
    )
    now = services.clock.now()
    messages = await to_admins(
        services,
        lambda language: services.i18n.t(
            language, "admin-wrong-bot-username", configured=configured, actual=actual
        ),
        now=now,
    )
    async with services.storage.db.transaction() as conn:
        await services.storage.outbox.enqueue_many(conn, messages, now)
    DELIVERY.of(app).wake()
    return False


def _report_crash(task: asyncio.Task[None]) -> None:
    """A worker that died (say, the database failed at start) must not wait for shutdown
    to be noticed."""
    if not task.cancelled() and task.exception() is not None:
        log.error("%s stopped", task.get_name(), exc_info=task.exception())


@asynccontextmanager
async def running(app: MusterApp, *, webhook: bool = False) -> AsyncIterator[Inbox]:
    """The app started, what a previous run left unprocessed queued again, the outbox
    worker and the inbox's bookkeeping running; on leaving, a graceful stop: the worker
    finishes what it has in flight (nothing is sent twice), PTB handles what is queued,
    and the processed updates are written down.

    ``webhook`` on a store other instances may share (PostgreSQL): updates are handled
    by chats claimed from the shared inbox instead (``app/inbox.py``)."""
    inbox = INBOX.of(app)
    inbox.shared = webhook and inbox.cluster.shared
    try:
        async with app:
            await announce(app)
            # Queued before the start: a replay that fails then stops the bot with its own
            # error, not PTB's "This Application is still running!" on the way out.
            await inbox.replay(app)
            await app.start()
            # What start-up built (services, handlers, the persisted user and chat data PTB
            # loaded) lives as long as the process: out of the collector's reach, a full
            # collection no longer walks it, which paused the loop for up to 0.3 s at a time
            # under a burst of presses (docs/architecture.md, "The event loop's time").
            gc.freeze()
            delivery_stop, inbox_stop = asyncio.Event(), asyncio.Event()
            # On PostgreSQL, this instance's lease first: it takes back what stopped
            # instances left in flight (run() takes back everything on SQLite).
            lease = LEASE.find(app)
            renewing: asyncio.Task[None] | None = None
            if lease is not None:
                await lease.start()
                renewing = asyncio.create_task(lease.run(delivery_stop), name="instance lease")
                renewing.add_done_callback(_report_crash)
            delivery = asyncio.create_task(
                DELIVERY.of(app).run(delivery_stop), name="delivery worker"
            )
            delivery.add_done_callback(_report_crash)
            # The fallback channels drain beside it, never in its way (none configured:
            # it returns at once).
            lane = asyncio.create_task(LANE.of(app).run(delivery_stop), name="channel lane")
            lane.add_done_callback(_report_crash)
            books = asyncio.create_task(inbox.run(app, inbox_stop), name="update inbox")
            books.add_done_callback(_report_crash)
            try:
                yield inbox
            finally:
                delivery_stop.set()
                await delivery
                await lane
                if lease is not None and renewing is not None:
                    await renewing
                    try:  # after the workers: their claims are settled
                        await lease.stop()
                    except Exception:  # the rest of the stop must still happen
                        log.exception(
                            "instance lease: not ended; its claims return when it runs out"
                        )
                await app.stop()
                inbox_stop.set()
                await books
                gc.unfreeze()  # a process that goes on (tests, the demo) collects it again
    finally:
        # PTB calls post_shutdown only from its own run_polling; this is our run_polling.
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


async def serve_polling(app: MusterApp, stop: asyncio.Event, *, poll_timeout: int = 10) -> None:
    """Initialise, poll until ``stop`` is set, then shut down cleanly. On PostgreSQL, once
    no other instance polls the same database (``app/polling.py``)."""
    async with polling_turn(SERVICES.of(app).storage.db, stop) as mine:
        if mine:
            await _poll(app, stop, poll_timeout)


async def _poll(app: MusterApp, stop: asyncio.Event, poll_timeout: int) -> None:
    async with running(app) as inbox, web_pages(app):
        assert app.updater is not None
        await app.updater.start_polling(
            allowed_updates=Update.ALL_TYPES,
            timeout=poll_timeout,
            poll_interval=0.0,
            error_callback=inbox.polling.failed,  # one line per failure, not a traceback
        )
        log.info("Muster is running as @%s (long polling)", app.bot.username)
        await stop.wait()
        await app.updater.stop()


@asynccontextmanager
async def web_pages(app: MusterApp) -> AsyncIterator[str | None]:
    """In polling mode, the web server for the fallback's acknowledge links and gateway
    replies and the dashboard Mini App, when either is configured (with a webhook, the
    webhook's server serves them); yields its base URL, or None when there is nothing to
    serve. It listens on ``[fallback]`` listen/port when the fallback has pages, else on
    ``[dashboard]``'s."""
    routes = page_routes(app)
    if not routes:
        yield None
        return
    settings = SERVICES.of(app).settings
    where = settings.fallback if fallback_routes(app) else settings.dashboard
    async with web_server(routes, host=where.listen, port=where.port) as local:
        log.info("web pages served on %s", local)
        yield local
