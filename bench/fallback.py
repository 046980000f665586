"""Issue #18's fallback benchmark: a directive to 50,000 members of whom 10% go to the
email fallback is queued (its 50,000 Telegram rows, then the 5,000 email rows of
``fallback_step``) in under 2 s; the baseline, in the same run, is the same directive with
no fallback configured (``fallback_step`` then queues nothing).

Each run starts from a copy of one seeded database (the organisation, 50,000 members, a
register entry with an email for every tenth, linked to its member), so both sides queue
into the same file; runs alternate A B A B and the medians are reported. Queuing writes
only SQLite: nothing is sent, so no Bot API stand-in is involved.

    flock /work/bench.lock .venv/bin/python -m bench.fallback --out docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench.delivery import bench_settings, build_org, create_directive
from bench.report import machine, publish, section_text, verdict
from bot.config import Settings, load_settings
from bot.kit.clock import SystemClock
from bot.services import Services
from storage import Storage
from storage.db import to_db_time

HEADING = "## Fallback: a directive to 50,000 members, 10% by email, queued (issue #18)"
TARGET_S = 2.0
SHARE = 10  # every tenth member has a register entry with an email


def settings_for(db: Path, fallback: bool) -> Settings:
    plain = bench_settings(db, "http://127.0.0.1:9/bot", paced=False)
    if not fallback:
        return plain
    email = {"host": "127.0.0.1", "port": 9, "sender": "muster@example.org"}
    return load_settings(None, **{**plain.model_dump(), "fallback": {"email": email}})


async def seed(db: Path, members: int) -> int:
    """The shared starting database; returns the root unit's id."""
    storage = await Storage.open(db)
    try:
        services = Services.build(settings_for(db, False), storage, SystemClock())
        org = await build_org(services, db.parent, members, seed=18)
        stamp = to_db_time(services.clock.now())
        async with storage.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO register_entries (unit_id, name, email, member_id, created_at,"
                " updated_at) SELECT unit_id, display_name, 'm' || id || '@example.org', id,"
                f" ?, ? FROM members WHERE id % {SHARE} = 0 AND telegram_id >= 100000",
                (stamp, stamp),
            )
        return int(org["root_id"])
    finally:
        await storage.close()


@dataclass
class Run:
    seconds: float
    telegram: int
    email: int


def fresh_copy(template: Path, db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.copyfile(template, db)


async def one(template: Path, work: Path, root_id: int, members: int, fallback: bool) -> Run:
    """Queue the directive (and its fallback) on a fresh copy of the seeded database."""
    db = work / f"run-{'b' if fallback else 'a'}.db"
    await asyncio.to_thread(fresh_copy, template, db)
    storage = await Storage.open(db)
    try:
        services = Services.build(settings_for(db, fallback), storage, SystemClock())
        gc.collect()
        started = time.perf_counter()
        directive = await create_directive(services, root_id, members)
        queued = await services.fallback_step(directive.id)
        seconds = time.perf_counter() - started
        rows = await storage.db.fetchall(
            "SELECT channel, COUNT(*) FROM outbox WHERE directive_id = ? GROUP BY channel",
            (directive.id,),
        )
        counts = {str(r[0]): int(r[1]) for r in rows}
        if counts.get("email", 0) != queued:
            raise SystemExit(f"fallback_step said {queued}, the outbox holds {counts}")
        return Run(seconds, counts.get("telegram", 0), counts.get("email", 0))
    finally:
        await storage.close()


@dataclass
class Results:
    baseline: list[Run] = field(default_factory=list)
    fallback: list[Run] = field(default_factory=list)


async def measure(members: int, rounds: int) -> Results:
    results = Results()
    with tempfile.TemporaryDirectory(prefix="muster-fallback-bench-") as tmp:
        work = Path(tmp)
        template = work / "seed.db"
        root_id = await seed(template, members)
        for _ in range(rounds):
            results.baseline.append(await one(template, work, root_id, members, False))
            results.fallback.append(await one(template, work, root_id, members, True))
    return results


def render(members: int, rounds: int, results: Results, started: datetime) -> str:
    base = statistics.median(r.seconds for r in results.baseline)
    subject = statistics.median(r.seconds for r in results.fallback)
    ratios = [
        f.seconds / b.seconds for b, f in zip(results.baseline, results.fallback, strict=True)
    ]
    email = results.fallback[0].email
    ok = subject < TARGET_S
    table = [
        "| side | Telegram rows | email rows | median seconds | runs (s) |",
        "|---|---:|---:|---:|---|",
        f"| A: no fallback configured | {results.baseline[0].telegram:,} | 0 | {base:.2f} | "
        + ", ".join(f"{r.seconds:.2f}" for r in results.baseline)
        + " |",
        f"| B: email fallback | {results.fallback[0].telegram:,} | {email:,} | {subject:.2f} | "
        + ", ".join(f"{r.seconds:.2f}" for r in results.fallback)
        + " |",
    ]
    about = (
        f"A directive to {members:,} members of whom {email:,} (one in {SHARE}) have a"
        " register entry with an email and are silent: `DirectiveService.create` fixes the"
        " recipients and queues their Telegram rows, then `Services.fallback_step` queues"
        " the email rows (as the directive tick does `fallback.after` into sending, or the"
        " escalation ladder's fallback step). Baseline: the same directive with no fallback"
        " configured, in the same run, on copies of the same seeded database, A B A B."
        " Queuing writes SQLite only (nothing is sent), so no Bot API stand-in is involved."
        " The machine is shared by several engineers (2 CPUs): single numbers are noisy; the"
        " ratio of the same round's sides is the steadier figure."
    )
    facts = [
        f"`flock /work/bench.lock .venv/bin/python -m bench.fallback --members {members}"
        f" --rounds {rounds} --out docs/benchmarks.md`",
        f"run {started:%Y-%m-%d %H:%M} UTC on {machine()}",
        f"target: B queued in under {TARGET_S:.0f} s: {verdict(ok)} (median {subject:.2f} s)",
        f"cost of the fallback: median ratio B/A {statistics.median(ratios):.2f}×"
        f" (rounds: {', '.join(f'{r:.2f}' for r in ratios)})",
    ]
    return section_text(HEADING, about, facts, table)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.fallback", description=__doc__)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="5,000 members, 2 rounds")
    parser.add_argument("--out", type=Path, help="write the section into this file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    members, rounds = (5_000, 2) if args.quick else (args.members, args.rounds)
    started = SystemClock().now()
    results = asyncio.run(measure(members, rounds))
    publish(render(members, rounds, results, started), args.out, HEADING)


if __name__ == "__main__":
    main()
