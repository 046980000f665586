"""The bot as ``muster run`` runs it, for ``bench.crash``: ``build_application`` and
``serve_polling`` (or, with ``--webhook PORT``, ``serve_webhook`` as ``muster run --webhook``
does) until SIGTERM, with the trial's shifted clock and, for the crash trials, no pacing. A
module of its own so that a restart imports no more than the bot does.

    python -m bench.crash_bot --db FILE|URL --base-url URL --shift SECONDS [--unpaced]
                              [--delivery JSON] [--webhook PORT] [--cluster JSON]
                              [--clock-file FILE]

``--db`` is a SQLite file or a PostgreSQL URL (``bench.crash_cluster``'s instances, each
with its ``--cluster`` section: its ``instance_id`` and leases).

In webhook mode the secret token comes from ``MUSTER_TELEGRAM__WEBHOOK_SECRET``, as it does
for ``muster run``; the stand-in learns it from ``setWebhook``, as Telegram does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.build import build_application
from app.cli import configure_logging
from app.runner import serve_polling
from bot.config import Settings, load_settings
from bot.delivery.pacer import Pacer

TOKEN = "123456:CRASH-standin-token"
ZONE = ZoneInfo("Asia/Shanghai")
SUMMARY_AT = "12:00"  # the daily summary
WEBHOOK_SECRET_ENV = "MUSTER_TELEGRAM__WEBHOOK_SECRET"
WEBHOOK_SECRET = "crash-trial-webhook-secret"


class ShiftedClock:
    """The system clock moved by ``shift`` seconds (the same shift in every process of a
    trial, so they agree on what time it is)."""

    def __init__(self, shift: float) -> None:
        self.shift = timedelta(seconds=shift)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.shift

    def follow(self, path: Path) -> None:
        """Take the shift written in ``path`` (seconds): the harness moves every running
        instance's clock at once (SIGUSR1), between phases, with nothing in flight."""
        self.shift = timedelta(seconds=float(path.read_text(encoding="utf-8")))


def crash_settings(
    db: Path | str,
    base_url: str,
    delivery: dict[str, Any] | None = None,
    *,
    webhook_port: int | None = None,
    cluster: dict[str, Any] | None = None,
) -> Settings:
    """No check-in reminders (an hour after opening they would all be due at once, ten
    thousand of them ahead of the directive); the daily summary at 12:00. With
    ``webhook_port``, Telegram (the stand-in) posts to that port on 127.0.0.1 over plain
    HTTP: there is no reverse proxy here."""
    webhook: dict[str, Any] = {}
    if webhook_port is not None:
        webhook = {
            "webhook_url": f"http://127.0.0.1:{webhook_port}/telegram",
            "webhook_port": webhook_port,
        }
    return load_settings(
        None,
        organisation={"name": "Riverside", "timezone": ZONE.key},
        storage={"url": db} if isinstance(db, str) else {"database": db},
        telegram={
            "token": TOKEN,
            "api_base_url": base_url,
            "api_file_url": base_url.replace("/bot", "/file/bot"),
        }
        | webhook,
        checkin={"reminders": []},
        summaries={"daily_at": SUMMARY_AT},
        delivery=delivery or {},
        cluster=cluster or {},
    )


async def run(args: argparse.Namespace) -> None:
    """``app.cli._run_bot`` with the shifted clock and maybe no pacing."""
    db = args.db if args.db.startswith(("postgresql://", "postgres://")) else Path(args.db)
    settings = crash_settings(
        db,
        args.base_url,
        json.loads(args.delivery),
        webhook_port=args.webhook,
        cluster=json.loads(args.cluster),
    )
    configure_logging("INFO")
    pacer = Pacer.unlimited() if args.unpaced else None
    clock = ShiftedClock(args.shift)
    loop = asyncio.get_running_loop()
    if args.clock_file is not None:  # before the bot logs that it runs: the harness waits
        loop.add_signal_handler(signal.SIGUSR1, clock.follow, args.clock_file)
    app = await build_application(settings, clock=clock, pacer=pacer)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if args.webhook is None:
        await serve_polling(app, stop)
        return
    # Imported here, as app.cli does: aiohttp would add to every polling restart's time.
    from app.webhook import serve_webhook

    await serve_webhook(app, stop)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.crash_bot")
    parser.add_argument("--db", required=True, help="a SQLite file or a PostgreSQL URL")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--shift", type=float, default=0.0)
    parser.add_argument("--delivery", default="{}", help="delivery settings, as JSON")
    parser.add_argument("--unpaced", action="store_true", help="Pacer.unlimited()")
    parser.add_argument("--webhook", type=int, metavar="PORT", help="serve_webhook on PORT")
    parser.add_argument("--cluster", default="{}", help="the [cluster] settings, as JSON")
    parser.add_argument(
        "--clock-file", type=Path, help="on SIGUSR1, the clock's shift is read from it"
    )
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
