"""The real bot on a stage: built by the composition root, long polling over HTTP against
the Bot API stand-in on 127.0.0.1, with the outbox worker ``serve_polling`` starts, on a
clock that only the script moves.

The JobQueue's own tick (every 2 real seconds) is removed: the script runs the same pass
(``run_schedule``) itself after each move of the clock, so nothing happens at a moment
the script did not choose and a seed always plays the same day.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from app.build import build_application, run_schedule
from app.runner import serve_polling
from bot.checkins.config import CheckinSettings
from bot.config import (
    DeliverySettings,
    DirectiveSettings,
    InviteSettings,
    LoggingSettings,
    LogLevel,
    OrganisationSettings,
    Settings,
    StorageSettings,
    SummarySettings,
    TelegramSettings,
)
from bot.delivery.pacer import Pacer
from bot.duty.config import DutySettings
from bot.kit.callbacks import P
from bot.kit.clock import FakeClock
from bot.services import Services
from fakeapi import BotApiServer, FakeBotApi, SentMessage
from handlers.kit.common import MusterApp
from handlers.kit.slots import DELIVERY, SERVICES
from storage.db import to_db_time

TOKEN = "424242:DEMO-stand-in-token"
BOT_USERNAME = "muster_demo_bot"
# The pacer keeps Telegram's limits (28/s, 1/s per chat) on a timeline this much faster,
# so a few hundred people's day fits in seconds and the pacing still shapes the sends.
PACE = 50.0
# The longest the bot may take to handle what it was sent, or to drain the outbox.
PATIENCE_SECONDS = 60.0


class DemoError(Exception):
    """The demo cannot go on; the message is one line for the console."""


def demo_settings(database: Path, server: BotApiServer, organisation: str, zone: str) -> Settings:
    """The defaults, built section by section so that no MUSTER_… variable of the
    machine running the demo changes its day."""
    return Settings(
        organisation=OrganisationSettings(name=organisation, timezone=zone),
        telegram=TelegramSettings(
            token=SecretStr(TOKEN),
            api_base_url=server.base_url,
            api_file_url=server.base_file_url,
            bot_username=BOT_USERNAME,
        ),
        storage=StorageSettings(database=database),
        invites=InviteSettings(),
        directives=DirectiveSettings(),
        checkin=CheckinSettings(),
        duty=DutySettings(),
        summaries=SummarySettings(),
        delivery=DeliverySettings(),
        logging=LoggingSettings(level=LogLevel.WARNING),
    )


def fast_pacer(settings: DeliverySettings) -> Pacer:
    started = time.monotonic()

    def monotonic() -> float:
        return started + (time.monotonic() - started) * PACE

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(seconds / PACE)

    return Pacer.from_settings(settings, monotonic=monotonic, sleep=sleep)


class _Faults(logging.Handler):
    """Errors logged anywhere, and warnings from the bot's own modules: a demo that
    hides them would show a day that did not happen."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        ours = record.name.split(".")[0] in ("bot", "handlers", "storage")
        if record.levelno >= logging.ERROR or ours:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text += f" ({record.exc_info[1]!r})"
            self.seen.append(f"{record.name}: {text}")


@dataclass
class Stage:
    api: FakeBotApi
    app: MusterApp
    clock: FakeClock
    _running: asyncio.Task[None]
    _faults: _Faults
    base_url: str
    _last_update: int = 0

    @property
    def services(self) -> Services:
        services = SERVICES.of(self.app)
        return services

    @classmethod
    @asynccontextmanager
    async def open(
        cls, database: Path, clock: FakeClock, *, organisation: str, zone: str
    ) -> AsyncIterator[Stage]:
        """The stand-in serving on an ephemeral port, the bot polling it; both stopped
        and closed on the way out, whatever happened."""
        faults = _Faults()
        root = logging.getLogger()
        root.addHandler(faults)
        try:
            api = FakeBotApi(clock=clock.now, bot_username=BOT_USERNAME)
            async with BotApiServer(api, TOKEN) as server:
                settings = demo_settings(database, server, organisation, zone)
                app = await build_application(
                    settings, clock=clock, pacer=fast_pacer(settings.delivery)
                )
                assert app.job_queue is not None
                for job in app.job_queue.get_jobs_by_name("tick"):
                    job.schedule_removal()
                stop = asyncio.Event()
                running = asyncio.create_task(serve_polling(app, stop, poll_timeout=1))
                stage = cls(api, app, clock, running, faults, server.base_url)
                try:
                    await stage._ready()
                    yield stage
                finally:
                    stop.set()
                    try:
                        await asyncio.wait_for(running, PATIENCE_SECONDS)
                    except TimeoutError:
                        running.cancel()
                        raise DemoError("the bot did not stop within a minute") from None
        finally:
            root.removeHandler(faults)

    async def _ready(self) -> None:
        """Polling (and with it the outbox worker) is up."""
        async with self._patience("the bot did not start"):
            while self.app.updater is None or not self.app.updater.running:
                self._check()
                await asyncio.sleep(0.005)

    # ------------------------------------------------------------ moving the day on

    def now(self) -> datetime:
        return self.clock.now()

    async def at(self, moment: datetime) -> None:
        """Move the clock (never back) and do what the schedule finds due by then."""
        if moment < self.clock.now():
            raise DemoError(f"the script went back in time to {moment}")
        self.clock.set(moment)
        await self.tick()

    async def tick(self) -> None:
        """The JobQueue's pass, until nothing more is due (a send can make work for the
        next pass: a directive finished, say), the outbox drained after each."""
        for _ in range(10):
            done = await run_schedule(self.app)
            await self.sent()
            if not done:
                return
        raise DemoError("the schedule kept finding work at one moment")

    # ------------------------------------------------------------ people acting

    def push(self, update: dict[str, Any]) -> None:
        """An update for the bot's next getUpdates, as Telegram would queue it."""
        self._last_update = int(self.api.push_update(update)["update_id"])

    async def settle(self) -> None:
        """Wait until the bot has handled every update pushed so far and the outbox
        worker has sent everything due."""
        async with self._patience("the bot stopped answering"):
            # Fetched once polling asks for the next offset; handled once PTB's queue,
            # which it marks done per update, is empty.
            while self._last_update and self.api.confirmed_offset <= self._last_update:
                self._check()
                await asyncio.sleep(0.002)
            await self.app.update_queue.join()
        await self.sent()

    async def sent(self) -> None:
        """Wait until no outbox row is due or being sent."""
        storage = self.services.storage
        async with self._patience("the outbox was not drained"):
            while True:
                self._check()
                DELIVERY.of(self.app).wake()
                row = await storage.db.fetchone(
                    "SELECT COUNT(*) FROM outbox WHERE status = 'sending'"
                    " OR (status = 'pending' AND next_attempt_at <= ?)",
                    (to_db_time(self.clock.now()),),
                )
                if row is None or row[0] == 0:
                    return
                await asyncio.sleep(0.003)

    def message_with(self, chat_id: int, data: str) -> SentMessage:
        """The newest message in the chat with a button carrying ``data``."""
        for message in reversed(self.api.sent_to(chat_id)):
            if any(value == data for _, value in message.buttons):
                return message
        raise DemoError(f"chat {chat_id} has no button {data!r}")

    def button_from(self, chat_id: int, kind: type[P]) -> tuple[SentMessage, P]:
        """The newest message with a ``kind`` button, and that button's payload."""
        for message in reversed(self.api.sent_to(chat_id)):
            for _, value in message.buttons:
                if (payload := kind.parse(value)) is not None:
                    return message, payload
        raise DemoError(f"chat {chat_id} has no {kind.__name__} button")

    # ------------------------------------------------------------ faults

    def _check(self) -> None:
        if self._running.done():
            error = None if self._running.cancelled() else self._running.exception()
            raise DemoError(f"the bot stopped: {error!r}")
        if self._faults.seen:
            raise DemoError(f"the bot reported a fault: {self._faults.seen[0]}")

    @asynccontextmanager
    async def _patience(self, what: str) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(PATIENCE_SECONDS):
                yield
        except TimeoutError:
            raise DemoError(f"{what} within {PATIENCE_SECONDS:.0f} s") from None
