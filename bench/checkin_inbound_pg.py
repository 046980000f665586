"""Inbound check-ins on PostgreSQL against SQLite, one instance (issue #20).

The issue asks for the check-in benchmark on PostgreSQL with one instance against SQLite in
the same run, the ratio reported, and the CPU per step (what a larger machine multiplies).

This is ``bench.checkin_inbound``'s measurement (read its module first): the same setup and
rehearsal on SQLite, the same recorded updates replayed phase by phase through
``Application.process_update`` in a fresh process, persistence flushed as PTB's updater
does. A: the application on a fresh copy of the seed SQLite file (as there); B: the same
application with ``storage.url`` on a fresh PostgreSQL database holding the same seed
(``bench.pgstore.copy_from_sqlite``, made before the timing starts). Rounds A B A B … after
a discarded warm-up pair; medians, and the median of the per-round ratios B / A. Besides
wall time: the bot process's CPU (all its threads) and, on PostgreSQL, the CPU of the
server's processes over each phase (their ``/proc`` counters: the postmaster's children,
this child's backends among them), per step.

    .venv/bin/python -m bench.checkin_inbound_pg [--members 5000] [--rounds 3] [--quick]
        [--postgres URL] [--lock /work/bench.lock] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.checkin_inbound import TIMED, Result, parser_of, prepare, sized, spawn, timed
from bench.pgstore import copy_from_sqlite, drop_database, server
from bench.report import machine, publish, section_text, timing_lock

HEADING = "## Check-in inbound on PostgreSQL: one instance against SQLite (issue #20)"
# SQLite (A); PostgreSQL as installed (B: a commit waits for its WAL flush); PostgreSQL with
# SQLite's durability (C: ``synchronous_commit = off``, set in the URL; Muster's SQLite runs
# WAL with synchronous=NORMAL, whose commits do not wait for the disk either: a power cut
# may lose the last ones, a crashed process none).
SIDES = ("sqlite", "postgresql", "postgresql-async")


def async_commit(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "synchronous_commit=off"


def measure(args: argparse.Namespace) -> tuple[list[tuple[Result, ...]], float]:
    started = time.perf_counter()
    pg_server, _keep = server(args.postgres)
    pairs: list[tuple[Result, ...]] = []
    with tempfile.TemporaryDirectory(prefix="muster-bench-") as name:
        tmp = Path(name)
        asyncio.run(prepare(tmp, args.members, args.seed))
        # A fresh PostgreSQL copy of the seed per measurement, made before timing.
        urls = [
            asyncio.run(copy_from_sqlite(tmp / "seed.db", pg_server))[0]
            for _ in range(2 * (args.rounds + (not args.quick)))
        ]
        made = list(urls)
        print(f"setup done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        try:
            with timing_lock(args.lock):
                if not args.quick:  # a warm-up round (page cache, .pyc files); discarded
                    spawn("real", tmp)
                    spawn("real", tmp, urls.pop())
                    spawn("real", tmp, async_commit(urls.pop()))
                for index in range(args.rounds):
                    pair = (
                        spawn("real", tmp),
                        spawn("real", tmp, urls.pop()),
                        spawn("real", tmp, async_commit(urls.pop())),
                    )
                    for side, result in zip(SIDES, pair, strict=True):
                        if result["checks"]["checkins"] != args.members:
                            raise SystemExit(f"{side}: {result['checks']}")
                    pairs.append(pair)
                    print(
                        f"round {index + 1}/{args.rounds}: "
                        + ", ".join(
                            f"{s} {timed(r):.2f} s" for s, r in zip(SIDES, pair, strict=True)
                        ),
                        file=sys.stderr,
                    )
        finally:
            for url in made:
                asyncio.run(drop_database(pg_server, url))
    return pairs, time.perf_counter() - started


def render(args: argparse.Namespace, pairs: list[tuple[Result, ...]], seconds: float) -> str:
    steps: int = args.members * len(TIMED)

    def per_step(side: int, key: str = "seconds") -> float:
        """µs per target step, median over the rounds."""
        return float(statistics.median(timed(p[side], key) for p in pairs)) / steps * 1e6

    def ratio(side: int, key: str = "seconds") -> float:
        """Median of the per-round ratios to SQLite; CPU with the server's."""
        if key == "seconds":
            return statistics.median(timed(p[side]) / timed(p[0]) for p in pairs)
        return statistics.median(
            (timed(p[side], "cpu") + timed(p[side], "server_cpu")) / timed(p[0], "cpu")
            for p in pairs
        )

    def cells(key: str) -> str:
        return " | ".join(f"{per_step(i, key):,.0f} µs" if i or key != "server_cpu" else "–"
                          for i in range(len(SIDES)))  # fmt: skip

    def both(i: int) -> float:
        return per_step(i, "cpu") + (per_step(i, "server_cpu") if i else 0.0)

    rows = [
        f"| {args.members:,} members × {len(TIMED)} steps = {steps:,} updates, medians"
        " | SQLite (A) | PostgreSQL (B) | PostgreSQL, `synchronous_commit = off` (C) |",
        "|---|---:|---:|---:|",
        f"| time per step | {per_step(0):,.0f} µs | **{per_step(1):,.0f} µs**"
        f" | **{per_step(2):,.0f} µs** |",
        f"| ÷ SQLite, median of per-round ratios | 1.00× | **{ratio(1):.2f}×**"
        f" | **{ratio(2):.2f}×** |",
        "| steps/s | " + " | ".join(f"{1e6 / per_step(i):,.0f}" for i in range(3)) + " |",
        f"| CPU per step: the bot's process | {cells('cpu')} |",
        f"| CPU per step: the PostgreSQL server's processes | {cells('server_cpu')} |",
        "| CPU per step: both | " + " | ".join(f"{both(i):,.0f} µs" for i in range(3)) + " |",
        f"| CPU ÷ SQLite's, median of per-round ratios | 1.00× | {ratio(1, 'cpu'):.2f}×"
        f" | {ratio(2, 'cpu'):.2f}× |",
        f"| of the time: the in-process Bot API stand-in | {cells('api_s')} |",
        f"| of the time: persistence flushes | {cells('flush_s')} |",
    ]
    rows += [
        f"| round {n} | " + " | ".join(f"{timed(r):.2f} s" for r in p) + " |"
        for n, p in enumerate(pairs, start=1)
    ]
    about = (
        "`bench.checkin_inbound`'s measurement (above) on both stores in the same run: the"
        " same recorded updates (every member's `/checkin`, then every press on \"At my"
        ' post", then every "✅ Submit"; the two presses are the timed steps) replayed'
        " through `Application.process_update` in a fresh process, persistence flushed as"
        " PTB's updater does. A: the application on a fresh copy of the seed SQLite file. B:"
        " the same application with `storage.url` on a fresh PostgreSQL database holding the"
        " same seed (a binary COPY per table and `VACUUM ANALYZE`, made before the timing"
        " starts); pgserver's PostgreSQL 16 on the same machine with its defaults (a commit"
        " waits for its WAL flush, as in production), reached over a Unix socket. C: as B with"
        " `synchronous_commit = off` for its sessions (in `storage.url`: `?synchronous_commit="
        "off`), the durability of Muster's SQLite (WAL, `synchronous = NORMAL`: a commit does"
        " not wait for the disk; a power cut may lose the last ones, a killed process none). One"
        " instance, updates one after another as in the SQLite benchmark, so B's time is"
        " mostly its round trips: each statement waits for the server, where SQLite's run on"
        " a thread of the bot's own. CPU: the bot process's (all threads), and the server's"
        " processes' over each phase (their /proc counters), per timed step; on this 2-CPU"
        " machine both share the CPUs. Rounds A B A B … after a discarded warm-up pair."
    )
    facts = [
        f"Command: `.venv/bin/python -m bench.checkin_inbound_pg --members {args.members}"
        f" --rounds {args.rounds} --lock /work/bench.lock`, {seconds:.0f} s in all",
        f"Date: {datetime.now(UTC):%Y-%m-%d}",
        f"Machine: {machine()}; PostgreSQL 16 (pgserver) on the same machine",
        f"Result: one instance on PostgreSQL takes {ratio(1):.2f}× SQLite's time per step"
        f" ({ratio(2):.2f}× with SQLite's durability, C) and {ratio(1, 'cpu'):.2f}× its CPU,"
        " the server's included. No target in the issue for this ratio; every replay stored"
        " one check-in per member",
    ]
    return section_text(HEADING, about, facts, rows)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = parser_of("python -m bench.checkin_inbound_pg", __doc__)
    parser.add_argument("--postgres", help="PostgreSQL server URL (default: a pgserver)")
    parser.add_argument("--lock", type=Path, help="hold this file's lock while timing")
    return sized(parser, argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    pairs, seconds = measure(args)
    publish(render(args, pairs, seconds), args.out, HEADING)


if __name__ == "__main__":
    main()
