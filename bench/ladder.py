"""The escalation ladder's share of the schedule tick (issue #18), against the chase it
replaced, in the same run.

The tick runs every two seconds. Its chase asks the database, once per rung, for the
directives whose step is due (``Ladder.run_due``); the chase before the ladder asked twice
(the deadline's reminders, the secretaries' lists) by the directives' status. Target: with
5,000 directives being chased and many more whose chase is over, a tick with nothing due
costs at most what the old chase's two queries cost, whatever the ladder's length.

Setup, untimed, in a temporary directory removed afterwards: a small tree through the
app, then the directives straight into SQLite (one ``executemany``): ``--open`` sent in
the last 10 minutes with a deadline in two hours, nothing due yet, and ``--done`` older
ones whose chase is over (reminded and listed, ``ladder_next`` past the last rung).

Measurement: one process, the bot's own ``Storage`` and ``Services``; a discarded warm-up,
then rounds of A (the old chase's two queries, as on main before the ladder), B (the
default ladder: two rungs) and C (the README's three-rung ladder), interleaved A B C A B C
…; medians, and the medians of the per-round ratios B / A and C / A.

    .venv/bin/python -m bench.ladder [--open 5000] [--done 100000] [--rounds 25] [--quick]
                                     [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.report import machine, publish, section_text, verdict
from bot.config import Settings, load_settings
from bot.directives.chasing import ChaseNotices
from bot.kit.clock import FakeClock
from bot.org.authz import Actor
from bot.services import Services
from storage import Storage
from storage.db import to_db_time

HEADING = "## Escalation ladder: the schedule tick's chase"
NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
LADDER = [
    {"after": "15m", "step": "remind"},
    {"after": "30m", "step": "secretaries"},
    {"after": "60m", "step": "coordinators", "below": 0.8},
]
# The chase before the ladder (main before migration 0029): due_reminders, due_escalations.
OLD = (
    "SELECT * FROM directives WHERE ack_required = 1 AND status IN ('sending', 'sent')"
    " AND reminded_at IS NULL AND ack_deadline <= ?",
    "SELECT * FROM directives WHERE ack_required = 1 AND status IN ('sending', 'sent')"
    " AND reminded_at IS NOT NULL AND escalated_at IS NULL AND ack_deadline <= ?",
)
TREE = '[[unit]]\ncode = "CITY"\nname = "City Committee"\n'


def settings_for(path: Path, ladder: bool) -> Settings:
    directives = {"ladder": LADDER} if ladder else {}
    return load_settings(None, storage={"database": path}, directives=directives)


async def fill(services: Services, tmp: Path, open_: int, done: int) -> None:
    (tmp / "org.toml").write_text(TREE, encoding="utf-8")
    await services.org.import_file(Actor.console(), tmp / "org.toml")
    unit = await services.storage.units.by_code("CITY")
    assert unit is not None
    rows = []
    for n in range(open_ + done):
        chased = n < open_
        sent = NOW - (timedelta(seconds=n % 600) if chased else timedelta(days=1 + n % 300))
        rows.append(
            (
                unit.id,
                f"Directive {n}",
                to_db_time(sent + timedelta(hours=2)),
                to_db_time(sent),
                to_db_time(sent),
                None if chased else to_db_time(sent + timedelta(hours=2)),
                None if chased else to_db_time(sent + timedelta(hours=3)),
                0 if chased else 999,
            )
        )
    async with services.storage.db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO directives (author_telegram_id, from_unit_id, text, ack_required,"
            " ack_deadline, send_at, status, created_at, recipients, reminded_at,"
            " escalated_at, ladder_next) VALUES (1, ?, ?, 1, ?, ?, 'sent', ?, 10, ?, ?, ?)",
            rows,
        )
    await services.storage.db.write("ANALYZE")


async def timed(work: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await work()
    return time.perf_counter() - start


async def measure(args: argparse.Namespace) -> str:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        clock = FakeClock(NOW)
        storage = await Storage.open(tmp / "muster.db")
        try:
            plain = Services.build(settings_for(tmp / "muster.db", False), storage, clock)
            laddered = Services.build(settings_for(tmp / "muster.db", True), storage, clock)
            await fill(plain, tmp, args.open, args.done)

            async def old() -> None:
                for sql in OLD:
                    await storage.db.fetchall(sql, (to_db_time(clock.now()),))

            async def default() -> None:
                done = await plain.ladder.run_due(ChaseNotices(plain, clock.now()))
                assert done == (0, []), done

            async def example() -> None:
                done = await laddered.ladder.run_due(ChaseNotices(laddered, clock.now()))
                assert done == (0, []), done

            for work in (old, default, example):  # warm-up, discarded
                await timed(work)
            rounds: list[tuple[float, float, float]] = []
            for _ in range(args.rounds):
                rounds.append((await timed(old), await timed(default), await timed(example)))
        finally:
            await storage.close()
    return report(args, rounds)


def report(args: argparse.Namespace, rounds: list[tuple[float, float, float]]) -> str:
    a, b, c = (statistics.median(r[i] for r in rounds) * 1000 for i in range(3))
    b_ratio = statistics.median(r[1] / r[0] for r in rounds)
    c_ratio = statistics.median(r[2] / r[0] for r in rounds)
    ok = b_ratio <= 1.0 and c_ratio <= 1.0
    about = (
        "The chase part of the schedule tick (every 2 s) with nothing due, the steady state:"
        f" {args.open:,} directives being chased (sent in the last 10 minutes, deadline in"
        f" two hours) and {args.done:,} older ones whose chase is over. A: the chase before"
        " the ladder (two queries by status: the deadline's reminders, the secretaries'"
        " lists). B: the default ladder (two rungs), C: the README's three-rung ladder,"
        " each `Ladder.run_due`, one query per rung on a range of the chase's index"
        " (`directives_chase_send` / `_deadline`: next rung, then when due). Interleaved"
        " A B C, medians. The machine is shared (2 cores, other engineers' tests and"
        " benchmarks running): absolute times are noisy, the same-run ratios less so."
    )
    facts = [
        f"`flock /work/bench.lock .venv/bin/python -m bench.ladder --open {args.open}"
        f" --done {args.done} --rounds {args.rounds}`",
        f"{datetime.now(UTC):%Y-%m-%d}, {machine()}",
        f"target: B and C at most A's time (ratio ≤ 1.00): {verdict(ok)}",
    ]
    table = [
        "| tick's chase | median | per-round ratio to A (median) |",
        "|---|---|---|",
        f"| A: before the ladder, 2 queries by status | {a:.2f} ms | 1.00 |",
        f"| B: default ladder, 2 rungs | {b:.2f} ms | {b_ratio:.3f} |",
        f"| C: 3-rung ladder | {c:.2f} ms | {c_ratio:.3f} |",
    ]
    return section_text(HEADING, about, facts, table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.ladder", description=__doc__.split("\n")[0])
    parser.add_argument("--open", type=int, default=5000)
    parser.add_argument("--done", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--quick", action="store_true", help="500 open, 5,000 done, 5 rounds")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.quick:
        args.open, args.done, args.rounds = 500, 5000, 5
    publish(asyncio.run(measure(args)), args.out, HEADING)
    return 0


if __name__ == "__main__":
    sys.exit(main())
