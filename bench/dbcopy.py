"""``muster db copy`` of a large organisation from SQLite to PostgreSQL (issue #20): its time,
rows per second and memory, against the plain transfer of the same rows in the same run.

The data: ``bench.summary``'s organisation (200,000 members in 5,300 units; the tree and
members through the app, the history by ``INSERT … SELECT``), with ``--days`` of history,
generated once into a temporary SQLite file.

A (the floor): in a fresh process, the target migrated (as the copy does), triggers and
foreign keys off for the session (``session_replication_role = replica``, a superuser's),
then each table read from SQLite by a plain ``sqlite3`` cursor and streamed into one binary
``COPY`` per table (asyncpg's ``copy_records_to_table``); no batches committed, no check.
B: in a fresh process, what ``muster db copy --from sqlite:///… --to postgresql://…`` runs
(``app.dbcopy.db_copy``): the copy, in committed batches, then the check, which reads every
table again on both sides. Each side gets a new, empty database; A B A B …; medians. Memory:
each process's peak resident set (``VmHWM``) less its resident set after its imports,
before it opened anything (``VmRSS``): what the copy adds, which a copy holding a table in
memory would show.

    flock /work/bench.lock .venv/bin/python -m bench.dbcopy [--members 200000] [--units 5300]
        [--days 7] [--rounds 2] [--quick] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import io
import json
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from app.dbcopy import db_copy
from bench.pg_triggers import postgres
from bench.report import machine, publish, section_text
from bench.summary import Plan, generated
from storage.dbcopy import schema
from storage.postgres import PostgresDatabase

HEADING = "## Moving to PostgreSQL: `muster db copy` of the 200,000-member organisation"
SIDES = ("plain COPY (A)", "muster db copy (B)")
BATCH = 5_000
CHILD = (sys.executable, "-m", "bench.dbcopy", "--child")


def status_kib(field: str) -> int:
    """A ``/proc/self/status`` memory figure (``VmRSS``, ``VmHWM``) in KiB."""
    with open("/proc/self/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


# -- The two sides, each run in a process of its own --------------------------------------


async def plain_copy(source: Path, target: str) -> dict[str, float]:
    db = await PostgresDatabase.open(target, pool_size=1)  # migrated, as the copy's is
    await db.close()
    lite = sqlite3.connect(source)
    conn = await asyncpg.connect(target)
    try:
        await conn.execute("SET session_replication_role = replica")
        for table in schema():
            cursor = lite.execute(table.select())

            async def rows(cursor: sqlite3.Cursor = cursor) -> AsyncIterator[tuple[Any, ...]]:
                while batch := cursor.fetchmany(BATCH):
                    for row in batch:
                        yield row

            await conn.copy_records_to_table(table.name, records=rows(), columns=table.columns)
        await conn.execute("SELECT sync_ids()")
    finally:
        await conn.close()
        lite.close()
    return {}


async def muster_copy(source: Path, target: str) -> dict[str, float]:
    checking: list[float] = []

    def progress(phase: str, table: str, done: int, total: int) -> None:
        if phase != "copy" and not checking:
            checking.append(time.perf_counter())

    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        await db_copy(f"sqlite:///{source}", target, progress)
    if "every table's rows and checksum match" not in printed.getvalue():
        raise SystemExit(f"the copy's check failed:\n{printed.getvalue()}")
    return {"copy_s": checking[0] - started if checking else 0.0}


def child(side: str, source: Path, target: str) -> None:
    """One side, in this (fresh) process (both sides' modules imported); prints its
    figures as JSON."""
    rss = status_kib("VmRSS")
    started = time.perf_counter()
    work = plain_copy if side == "plain" else muster_copy
    figures = asyncio.run(work(source, target))
    figures["seconds"] = time.perf_counter() - started
    figures["rss_kib"] = rss
    figures["growth_kib"] = status_kib("VmHWM") - rss
    print(json.dumps(figures))


# -- The parent: data, rounds, report ------------------------------------------------------


def database_url(server: str, name: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path="/" + name))


async def admin(server: str, sql: str) -> None:
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def run_side(side: str, source: Path, server: str, number: int) -> dict[str, float]:
    name = f"bench_dbcopy_{side}_{number}"
    asyncio.run(admin(server, f"DROP DATABASE IF EXISTS {name}"))
    asyncio.run(admin(server, f"CREATE DATABASE {name}"))
    try:
        done = subprocess.run(
            [*CHILD, side, str(source), database_url(server, name)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"{side} failed:\n{done.stderr[-3000:]}")
        figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        return figures
    finally:
        asyncio.run(admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@dataclass
class Run:
    rows: dict[str, int]
    generate_s: float
    sides: dict[str, list[dict[str, float]]]


def source_rows(source: Path) -> dict[str, int]:
    conn = sqlite3.connect(source)
    try:
        return {
            t.name: conn.execute(f"SELECT COUNT(*) FROM {t.name}").fetchone()[0] for t in schema()
        }
    finally:
        conn.close()


def measure(plan: Plan) -> Run:
    server, _keep = postgres()
    started = time.perf_counter()
    with generated(plan) as (source, _):
        run = Run(source_rows(source), time.perf_counter() - started, {"plain": [], "muster": []})
        size = source.stat().st_size
        print(f"{sum(run.rows.values()):,} rows, {size / 2**20:,.0f} MiB", file=sys.stderr)
        for number in range(plan.rounds):
            for side in ("plain", "muster"):
                figures = run_side(side, source, server, number)
                run.sides[side].append(figures)
                print(f"round {number + 1}: {side} {figures}", file=sys.stderr)
        run.rows["(file MiB)"] = round(size / 2**20)
    return run


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def render(plan: Plan, run: Run, command: str) -> str:
    size = run.rows.pop("(file MiB)")
    total = sum(run.rows.values())
    plain, muster = run.sides["plain"], run.sides["muster"]
    ratio = statistics.median(
        b["seconds"] / a["seconds"] for a, b in zip(plain, muster, strict=True)
    )
    largest = sorted(run.rows.items(), key=lambda item: -item[1])[:5]
    about = (
        "What `muster db copy` costs on the organisation of `bench.summary`, from its SQLite"
        " file to a new PostgreSQL database (pgserver, PostgreSQL 16, on this machine, its"
        " defaults: a commit waits for its WAL flush), against the plain transfer of the same"
        " rows in the same run. A (the floor): a fresh process migrates the target, switches"
        " triggers and foreign keys off for its session (`session_replication_role = replica`,"
        " a superuser's) and streams each table from a plain `sqlite3` cursor into one binary"
        " `COPY` (asyncpg), nothing committed in between and nothing checked. B: a fresh"
        " process runs what `muster db copy --from sqlite:///… --to postgresql://…` runs: the"
        f" copy in committed batches of {BATCH:,} rows (binary `COPY` each, user triggers"
        " disabled, foreign keys checked), then the check, which reads every table again on"
        " both sides and checksums every row. A B alternating, medians. Memory: each process's"
        " peak resident set less its resident set after its imports."
    )
    facts = [
        f"Command: `{command}`",
        f"Date: {datetime.date.today():%Y-%m-%d}; machine: {machine()}",
        f"Data: {plan.members:,} members, {plan.units:,} units, {plan.days} days of history:"
        f" {total:,} rows in {len(run.rows)} tables, a {size:,} MiB SQLite file; the largest"
        f" tables {', '.join(f'{name} {rows:,}' for name, rows in largest)}; generated in"
        f" {run.generate_s:.0f} s",
        f"Verdict: no target in the issue; B moves {total / median(muster, 'seconds'):,.0f}"
        f" rows/s with its check ({total / median(muster, 'copy_s'):,.0f} rows/s for the copy"
        f" alone), {ratio:.2f}× the plain transfer's time (which neither commits nor"
        " checks: B commits every batch, checks each row's foreign keys and reads every"
        " table twice more for the check); its peak RSS grows by"
        f" {median(muster, 'growth_kib') / 1024:.0f} MiB, the plain transfer's by"
        f" {median(plain, 'growth_kib') / 1024:.0f} MiB: batches are held, not tables",
    ]
    table = [
        f"| {len(plain)} rounds, medians | time | rows/s | peak RSS growth |",
        "|---|---:|---:|---:|",
        f"| {SIDES[0]} | {median(plain, 'seconds'):.1f} s"
        f" | {total / median(plain, 'seconds'):,.0f}"
        f" | {median(plain, 'growth_kib') / 1024:.0f} MiB |",
        f"| {SIDES[1]} | **{median(muster, 'seconds'):.1f} s**"
        f" | **{total / median(muster, 'seconds'):,.0f}**"
        f" | **{median(muster, 'growth_kib') / 1024:.0f} MiB** |",
        f"| of which the copy | {median(muster, 'copy_s'):.1f} s"
        f" | {total / median(muster, 'copy_s'):,.0f} | – |",
        f"| of which the check | {median(muster, 'seconds') - median(muster, 'copy_s'):.1f} s"
        " | – | – |",
        f"| B / A, median of the per-round ratios | {ratio:.2f}× | – | – |",
    ]
    return section_text(HEADING, about, facts, table)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=3, metavar=("SIDE", "SOURCE", "TARGET"))
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--units", type=int, default=5_300)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="20,000 members, 530 units, 1 round")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        side, source, target = args.child
        child(side, Path(source), target)
        return
    if args.quick:
        args.members, args.units, args.rounds = 20_000, 530, 1
    plan = Plan(args.members, args.units, args.days, args.rounds, args.seed, args.quick)
    command = (
        "flock /work/bench.lock .venv/bin/python -m bench.dbcopy"
        f" --members {plan.members} --units {plan.units} --days {plan.days}"
        f" --rounds {plan.rounds} --out docs/benchmarks.md"
    )
    publish(render(plan, measure(plan), command), args.out, HEADING)


if __name__ == "__main__":
    main()
