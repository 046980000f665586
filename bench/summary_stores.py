"""``bench.summary --store postgresql|both`` (issue #20): the root committee's daily summary
on PostgreSQL against SQLite, on the same data, in the same rounds.

Target (from the issue): at 200,000 members, compiling the summary on PostgreSQL takes at
most 2× SQLite's time in the same run.

The data is ``bench.summary``'s, generated into SQLite as there, then copied into a new
PostgreSQL database (``bench.pgstore.copy_from_sqlite``: every table one binary COPY, ids
moved on, then ``VACUUM ANALYZE``, the statistics autovacuum keeps on a live server).
Before timing, the summary compiled on PostgreSQL must equal SQLite's (and SQLite's the
definitions, ``bench.summary.check``). One process holds both stores open through the
bot's own ``Storage`` and ``Services``; after a discarded compile on each, every round
times on each store in turn the plain count of the day's check-ins and the compile. Then
each statement of the compile, run alone on each store (median of 5), and PostgreSQL's
plan (``EXPLAIN (ANALYZE, BUFFERS)``) of its slowest one.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.pgstore import copy_from_sqlite, drop_database, server, stores
from bench.report import machine, publish, section_text, timing_lock, verdict
from bench.summary import (
    COUNT_SQL,
    DAY,
    NOW,
    Plan,
    bench_settings,
    check,
    clock,
    command_line,
    generated,
    query_name,
    traced,
)
from bot.kit.clock import FakeClock
from bot.services import Services
from bot.summaries.service import Summary
from storage import PostgresDatabase, Storage
from storage.postgres import translate

HEADING = "## Summaries on PostgreSQL: the root committee's day against SQLite (issue #20)"
RATIO_TARGET = 2.0
PLANS_SHOWN = 1  # PostgreSQL's plans of this many of the slowest statements


@dataclass(slots=True)
class StoreRuns:
    counts: list[float] = field(default_factory=list)  # the plain count, s per round
    compiles: list[float] = field(default_factory=list)  # the compile, s per round
    queries: list[tuple[str, float]] = field(default_factory=list)  # (name, ms alone)
    plans: list[tuple[str, float, list[str]]] = field(default_factory=list)


@dataclass(slots=True)
class Compared:
    stores: dict[str, StoreRuns] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)
    differs: list[str] = field(default_factory=list)  # where PostgreSQL's summary is not SQLite's
    generate_s: float = 0.0
    copy_s: float = 0.0
    seconds: float = 0.0


def differences(sqlite: Summary, postgresql: Summary) -> list[str]:
    """Each field of the summary PostgreSQL compiled that differs from SQLite's, with the
    first differing item of a list."""
    found = []
    for name in (f.name for f in fields(sqlite)):
        a, b = getattr(sqlite, name), getattr(postgresql, name)
        if a == b:
            continue
        if isinstance(a, list) and isinstance(b, list):
            first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
            shown = f"item {first}: {a[first]!r} vs {b[first]!r}" if first is not None else ""
            found.append(f"{name} ({len(a)} vs {len(b)} items) {shown}"[:600])
        else:
            found.append(f"{name}: {a!r} vs {b!r}"[:600])
    for line in found:
        print(f"differs: {line}", file=sys.stderr)
    return found


async def pg_traced(db: PostgresDatabase, work: Callable[[], Awaitable[object]]) -> list[Any]:
    """The reads ``work`` runs on PostgreSQL, with their parameters: (sql, params)."""
    statements: list[tuple[str, tuple[Any, ...]]] = []
    fetchone, fetchall = db.fetchone, db.fetchall

    async def one(sql: str, params: Any = ()) -> Any:
        statements.append((sql, tuple(params)))
        return await fetchone(sql, params)

    async def all_(sql: str, params: Any = ()) -> list[Any]:
        statements.append((sql, tuple(params)))
        return await fetchall(sql, params)

    db.fetchone, db.fetchall = one, all_  # type: ignore[method-assign]
    try:
        await work()
    finally:
        del db.fetchone, db.fetchall
    return statements


async def statements_alone(storage: Storage, work: Callable[[], Awaitable[object]]) -> StoreRuns:
    """Each statement of ``work`` run alone (median of 5); on PostgreSQL, their plans."""
    runs = StoreRuns()
    db = storage.db
    if isinstance(db, PostgresDatabase):
        for sql, params in await pg_traced(db, work):

            async def alone(sql: str = sql, params: Any = params) -> object:
                return await db.fetchall(sql, params)

            ms = statistics.median([await clock(alone) for _ in range(5)]) * 1000
            runs.queries.append((query_name(sql), ms))
            if ms >= 1.0:
                async with db.pool.acquire() as conn:
                    rows = await conn.fetch(
                        f"EXPLAIN (ANALYZE, BUFFERS) {translate(sql).sql}", *params
                    )
                runs.plans.append((query_name(sql), ms, [r[0] for r in rows]))
        runs.plans = sorted(runs.plans, key=lambda p: -p[1])[:PLANS_SHOWN]
        return runs
    for sql in await traced(storage, work):

        async def alone_sqlite(sql: str = sql) -> object:
            return await db.fetchall(sql)

        ms = statistics.median([await clock(alone_sqlite) for _ in range(5)]) * 1000
        runs.queries.append((query_name(sql), ms))
    return runs


async def measure_in(
    targets: dict[str, str], plan: Plan, runs: Compared, lock: Path | None
) -> None:
    opened: dict[str, tuple[Storage, Services]] = {}
    try:
        # The settings' store is not what Services reads (it is given the storage): one
        # for both.
        settings = bench_settings(Path(targets.get("sqlite", "summary.db")))
        for name, target in targets.items():
            storage = await Storage.open(target)
            opened[name] = storage, Services.build(settings, storage, FakeClock(NOW))
        compiled = {}
        for name, (storage, services) in opened.items():
            root = await storage.units.by_code("ROOT")
            assert root is not None
            compiled[name] = await services.summaries.compile(root, DAY)  # the warm-up
        if "sqlite" in compiled:
            runs.checks = await check(opened["sqlite"][1], compiled["sqlite"], plan)
            if "postgresql" in compiled:
                runs.differs = differences(compiled["sqlite"], compiled["postgresql"])
        runs.stores = {name: StoreRuns() for name in opened}
        with timing_lock(lock):
            await timed_rounds(opened, plan, runs)
    finally:
        for storage, _ in opened.values():
            await storage.close()


async def timed_rounds(
    opened: dict[str, tuple[Storage, Services]], plan: Plan, runs: Compared
) -> None:
    """The rounds, then each statement alone on each store."""
    for index in range(plan.rounds):
        took = []
        for name, (storage, services) in opened.items():
            root = await storage.units.by_code("ROOT")
            assert root is not None

            async def count(storage: Storage = storage) -> object:
                return await storage.db.fetchone(COUNT_SQL, (DAY.isoformat(),))

            async def compile_(services: Services = services, root: Any = root) -> object:
                return await services.summaries.compile(root, DAY)

            runs.stores[name].counts.append(await clock(count))
            runs.stores[name].compiles.append(await clock(compile_))
            took.append(f"{name} {runs.stores[name].compiles[-1] * 1000:.1f} ms")
        print(f"round {index + 1}/{plan.rounds}: {', '.join(took)}", file=sys.stderr)
    for name, (storage, services) in opened.items():
        root = await storage.units.by_code("ROOT")
        assert root is not None

        async def once(services: Services = services, root: Any = root) -> object:
            return await services.summaries.compile(root, DAY)

        alone = await statements_alone(storage, once)
        runs.stores[name].queries, runs.stores[name].plans = alone.queries, alone.plans


def measure(plan: Plan, store: str, postgres: str | None, lock: Path | None) -> Compared:
    runs = Compared()
    started = time.perf_counter()
    pg_server, _keep = server(postgres)
    with generated(plan) as (db, runs.rows):
        runs.generate_s = time.perf_counter() - started
        targets: dict[str, str] = {}
        for name in stores(store):
            if name == "sqlite":
                targets[name] = str(db)
            else:
                url, runs.copy_s = asyncio.run(copy_from_sqlite(db, pg_server))
                print(f"copied to PostgreSQL in {runs.copy_s:.0f} s", file=sys.stderr)
                targets[name] = url
        try:
            asyncio.run(measure_in(targets, plan, runs, lock))
        finally:
            if "postgresql" in targets:
                asyncio.run(drop_database(pg_server, targets["postgresql"]))
    runs.seconds = time.perf_counter() - started
    return runs


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms"


def render(plan: Plan, store: str, runs: Compared) -> str:
    names = list(runs.stores)
    both = len(names) == 2
    command = command_line("bench.summary", plan) + f" --store {store}"
    ratio_column = " | PostgreSQL ÷ SQLite, median of per-round ratios |" if both else " |"
    rows = [
        f"| {plan.rounds} rounds, medians | " + " | ".join(names) + ratio_column,
        "|---|" + "---:|" * (len(names) + both),
    ]
    ratios: dict[str, float] = {}
    for label, key in (
        ("plain count of the day's check-ins", "counts"),
        ("**root summary (compile)**", "compiles"),
    ):
        cells = [ms(getattr(runs.stores[n], key)) for n in names]
        if both:
            a, b = (getattr(runs.stores[n], key) for n in names)
            ratios[key] = statistics.median(y / x for x, y in zip(a, b, strict=True))
            cells.append(f"{ratios[key]:.2f}×")
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    ok = both and ratios["compiles"] <= RATIO_TARGET
    statements = ["| statement of the compile, alone, median of 5 | " + " | ".join(names) + " |"]
    statements.append("|---|" + "---:|" * len(names))
    per_store = [runs.stores[n].queries for n in names]
    for index, (name, _) in enumerate(per_store[0]):
        cells = [f"{q[index][1]:.1f} ms" if index < len(q) else "–" for q in per_store]
        statements.append(f"| {name} | " + " | ".join(cells) + " |")
    statements.append(
        "| all | " + " | ".join(f"{sum(m for _, m in q):.1f} ms" for q in per_store) + " |"
    )
    plans = ["```"]
    for name, took, lines in runs.stores.get("postgresql", StoreRuns()).plans:
        plans.append(f"{name.strip('`')} ({took:.1f} ms alone):")
        plans += [f"    {line}" for line in lines]
    plans.append("```")
    about = (
        "The root committee's daily summary (`SummaryService.compile`) on PostgreSQL against"
        " SQLite, on the data of `bench.summary` (above: generated into SQLite, then copied"
        " into a new PostgreSQL database by one binary COPY per table and `VACUUM ANALYZE`d,"
        " as autovacuum keeps a live one). Both stores open in one process through the bot's"
        " own `Storage` and `Services`; the summary compiled on PostgreSQL equals SQLite's,"
        " which is checked against the definitions; after a discarded compile on each, each"
        " round times on each store in turn the plain count of the day's check-ins and the"
        " compile. PostgreSQL is pgserver's PostgreSQL 16 on the same machine with its"
        " defaults (shared_buffers 128 MB), reached over a Unix socket; each statement is a"
        " round trip to another process, where SQLite's runs on a thread of the bot's own."
    )
    facts = [
        f"Command: `.venv/bin/{command} --lock /work/bench.lock`,"
        f" {runs.seconds:.0f} s in all: {runs.generate_s:.0f} s generating, {runs.copy_s:.0f} s"
        " copying to PostgreSQL",
        f"Data: {runs.rows.get('members', 0):,} members, {runs.rows.get('units', 0):,} units,"
        f" {runs.rows.get('checkins', 0):,} check-ins over {plan.days} days; seed {plan.seed}",
        *(f"Summary: {line}" for line in runs.checks),
        "The summary on PostgreSQL: "
        + (
            "**differs** from SQLite's: " + "; ".join(runs.differs)
            if runs.differs
            else "equal to SQLite's"
        ),
        f"Date: {datetime.now(UTC):%Y-%m-%d}",
        f"Machine: {machine()}; PostgreSQL 16 (pgserver) on the same machine",
        f"Verdict: PostgreSQL's compile within {RATIO_TARGET:.0f}× SQLite's: {verdict(ok)}"
        + (f" ({ratios['compiles']:.2f}×)" if both else " (SQLite not measured)"),
    ]
    text = section_text(HEADING, about, facts, rows, statements)
    return text + "\nPostgreSQL's plan of its slowest statement:\n\n" + "\n".join(plans) + "\n"


def main(plan: Plan, store: str, postgres: str | None, lock: Path | None, out: Any) -> None:
    publish(render(plan, store, measure(plan, store, postgres, lock)), out, HEADING)
