"""Running the application: polling until asked to stop, with start-up chores."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from handlers.common import MusterApp
from handlers.menu import refresh_menu_for, set_default_menus

log = logging.getLogger(__name__)


async def announce(app: MusterApp) -> None:
    """Register the command menus; failure here must not keep the bot from running."""
    services = app.bot_data["services"]
    try:
        await set_default_menus(app.bot, services.i18n)
        for admin_id in services.settings.organisation.admins:
            await refresh_menu_for(app.bot, services, admin_id)
    except Exception:
        log.exception("command menus not registered")


def _report_crash(task: asyncio.Task[None]) -> None:
    """A worker that died (say, the database failed at start) must not wait for shutdown
    to be noticed."""
    if not task.cancelled() and task.exception() is not None:
        log.error("delivery worker stopped", exc_info=task.exception())


async def serve_polling(app: MusterApp, stop: asyncio.Event, *, poll_timeout: int = 10) -> None:
    """Initialise, poll until ``stop`` is set, then shut down cleanly."""
    try:
        async with app:
            await announce(app)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(
                allowed_updates=Update.ALL_TYPES, timeout=poll_timeout, poll_interval=0.0
            )
            log.info("Muster is running as @%s", app.bot.username)
            # The outbox worker stops first and finishes what it has in flight, so a
            # graceful stop sends nothing twice.
            delivery_stop = asyncio.Event()
            delivery = asyncio.create_task(app.bot_data["delivery"].run(delivery_stop))
            delivery.add_done_callback(_report_crash)
            await stop.wait()
            await app.updater.stop()
            delivery_stop.set()
            await delivery
            await app.stop()
    finally:
        # PTB calls post_shutdown only from its own run_polling; this is our run_polling.
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
