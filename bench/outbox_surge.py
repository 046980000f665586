"""The outbox's first claim after a surge on PostgreSQL (issue #20; docs/reliability.md,
finding 7): a directive's worth of notices queued at once into an outbox the planner last
saw without pending rows (each round a new database from a migrated template, analysed
empty), then one claim of 8 rows, as a delivery worker makes it. A: the rows queued
without the statistics brought up to date (``SURGE_ROWS`` out of reach, as before the
fix); B: as shipped (``after_surge``: ``ANALYZE outbox`` in the queueing transaction).
Reported: the claim's time and the queueing's (B pays for the ANALYZE there), A B A B,
medians and the median ratio. Target: B's claim under 100 ms at 10,000 rows.

    flock /work/bench.lock .venv/bin/python -m bench.outbox_surge [--rows 10000]
                                                                   [--rounds 3] [--out FILE]

PostgreSQL: ``MUSTER_BENCH_POSTGRES_URL``, else a pgserver it starts (bench.pg_triggers).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.dbcopy import admin, database_url
from bench.pg_triggers import postgres
from bench.report import machine, publish, section_text, verdict
from bot.delivery.outgoing import notice_message
from storage import Storage
from storage import outbox as outbox_module
from tests.pg import BYTE_ORDER

HEADING = "## The outbox's first claim after a surge, on PostgreSQL (issue #20)"
TARGET_S = 0.1
CHAT_BASE = 500_000_000


async def template(server: str) -> str:
    """A migrated database, analysed with nothing in it: its name."""
    name = f"muster_surge_{uuid.uuid4().hex[:10]}"
    await admin(server, f'CREATE DATABASE "{name}" {BYTE_ORDER}')
    storage = await Storage.open(database_url(server, name), pool_size=1)
    await storage.db.write("ANALYZE")
    await storage.close()
    return name


async def one(server: str, source: str, rows: int, fixed: bool) -> tuple[float, float]:
    """(queueing seconds, first claim seconds) on a new copy of ``source``."""
    name = f"muster_surge_{uuid.uuid4().hex[:10]}"
    await admin(server, f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    storage = await Storage.open(database_url(server, name), pool_size=2)
    surge, outbox_module.SURGE_ROWS = (
        outbox_module.SURGE_ROWS,
        (outbox_module.SURGE_ROWS if fixed else rows + 1),
    )
    try:
        now = datetime.now(UTC)
        notices = [
            notice_message(CHAT_BASE + i, f"Notice #{i}", not_before=now) for i in range(rows)
        ]
        started = time.perf_counter()
        async with storage.db.transaction() as conn:
            await storage.outbox.enqueue_many(conn, notices, now)
        queued = time.perf_counter() - started
        started = time.perf_counter()
        claimed = await storage.outbox.claim(now, 8, by="bench")
        claim = time.perf_counter() - started
        assert len(claimed) == 8
        return queued, claim
    finally:
        outbox_module.SURGE_ROWS = surge
        await storage.close()
        await admin(server, f'DROP DATABASE "{name}"')


async def run(server: str, rows: int, rounds: int) -> dict[str, list[tuple[float, float]]]:
    source = await template(server)
    got: dict[str, list[tuple[float, float]]] = {"A": [], "B": []}
    try:
        for _ in range(rounds):
            for side, fixed in (("A", False), ("B", True)):
                got[side].append(await one(server, source, rows, fixed))
    finally:
        await admin(server, f'DROP DATABASE "{source}"')
    return got


def render(args: argparse.Namespace, got: dict[str, list[tuple[float, float]]]) -> str:
    def median(side: str, part: int) -> float:
        return statistics.median(r[part] for r in got[side])

    ratio = statistics.median(a[1] / b[1] for a, b in zip(got["A"], got["B"], strict=True))
    rows = [
        "| | A: before (statistics of an empty outbox) | B: after_surge | A / B |",
        "| --- | --- | --- | --- |",
        f"| the first claim of 8 | {median('A', 1) * 1000:,.0f} ms |"
        f" {median('B', 1) * 1000:,.1f} ms | {ratio:,.0f}× |",
        f"| queueing the {args.rows:,} rows | {median('A', 0) * 1000:,.0f} ms |"
        f" {median('B', 0) * 1000:,.0f} ms | |",
    ]
    facts = [
        f"command: `flock /work/bench.lock .venv/bin/python -m bench.outbox_surge"
        f" --rows {args.rows} --rounds {args.rounds}`",
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {machine()}; PostgreSQL 16 (pgserver, defaults) on the same machine",
        f"rounds: {args.rounds}, A then B each round, each on a new copy; medians",
        f"verdict (B's first claim under {TARGET_S * 1000:.0f} ms):"
        f" {verdict(median('B', 1) < TARGET_S)}",
    ]
    about = (
        f"{args.rows:,} notices queued at once (one transaction, `enqueue_many`) into a"
        " PostgreSQL outbox last analysed empty, then one claim of 8 rows as a delivery"
        " worker makes it (`OutboxRepository.claim`). A: without the statistics brought up"
        " to date, as before the fix; B: `after_surge` (ANALYZE outbox in the queueing"
        " transaction). docs/reliability.md, finding 7."
    )
    return section_text(HEADING, about, facts, rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.outbox_surge")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    server, _keep = postgres()
    got = asyncio.run(run(server, args.rows, args.rounds))
    publish(render(args, got), args.out, HEADING)


if __name__ == "__main__":
    main()
