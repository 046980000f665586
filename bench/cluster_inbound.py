"""Inbound check-ins through webhook instances: SQLite with one, PostgreSQL with one and with
two sharing it (issue #20).

The issue asks for the check-in benchmark "with two instances against one on PostgreSQL
(report the scaling; on this 2-core machine the database shares the CPUs, so also give the
CPU time per step, which is what a larger machine multiplies)".

The product as shipped: each instance is ``muster run --webhook`` (``serve_webhook`` on the
application from ``build_application``, its settings' defaults) in a process of its own,
so its CPU is its own. On PostgreSQL its webhook stores every post in the shared inbox and
the instance that claims the chat handles it (``app/inbox.py``: chat claims, state read
afresh); on SQLite the one process handles what it stored. The updates are
``bench.checkin_inbound``'s, recorded once from a rehearsal (every member's ``/checkin``,
then the press on "At my post", then "✅ Submit"; the two presses are the timed steps).
This process plays Telegram: it posts each phase's updates to the instances' webhooks
(with the secret), 40 at a time at most (Telegram's default ``max_connections``), each to
an instance drawn at random (a load balancer), and a phase ends when the inbox holds every
update of it as processed (handled and its state written down), polled every 20 ms.

Sides, each a fresh database holding the same seed (made before the timing starts) and
fresh processes: A, SQLite, one instance; B, PostgreSQL, one instance; C, PostgreSQL, two
instances; D, as C with replies not first in the shared send window (its baseline, below).
Rounds A B C D A B C D … after a discarded warm-up round; medians. Reported per timed
step: wall time, the instances' process CPU (/proc, all their threads) and the PostgreSQL
server's processes' CPU; C's scaling is B's time over C's. And the ``/checkin`` phase,
whose answers are new messages (the presses edit them): its time and how long people
waited for their answer (arrival to processed). The bench's moment is 09:00, when the
check-in reminders fall due: the answers share the overall 30/s with that fan-out, and on
two instances (C) replies come first across them (``send_wants``, migration 0040); D runs
C's instances with that turned off (``SharedBudget.replies_first``), as before it.

Modes: ``inproc``, each instance with its own in-process Bot API stand-in (``FakeBotApi``
told the recorded updates, and the bot's messages whichever instance sent them, as
Telegram keeps them), and ``http``, one stand-in process for all (``bench.capacity
--standin``) answering every call after 50 ms over HTTP.

    .venv/bin/python -m bench.cluster_inbound [--members 2000] [--http-members 300]
        [--rounds 3] [--modes inproc,http] [--postgres URL] [--lock /work/bench.lock]
        [--quick] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from app.build import build_application
from app.webhook import SECRET_HEADER, serve_webhook
from bench.capacity import ANSWER_AFTER_MS, MODES, TOKEN, Standin, load_phases, sized
from bench.checkin_inbound import NOW, TIMED, TimedBotApi, copy_db, prepare
from bench.pgstore import ServerCpu, copy_from_sqlite, drop_database, process_cpu, server
from bench.report import machine, publish, section_text, timing_lock
from bot.config import Settings, load_settings
from bot.delivery.lease import SharedBudget
from bot.kit.clock import FakeClock
from fakeapi import FakeRequest

HEADING = "## Check-in inbound through webhook instances: two on PostgreSQL against one (issue #20)"
SECRET = "bench-cluster-inbound_secret"
AT_ONCE = 40  # Telegram's default max_connections for a webhook
POLL_SECONDS = 0.02
SIDES = {
    "A": ("sqlite", 1, "SQLite, one instance"),
    "B": ("postgresql", 1, "PostgreSQL, one instance"),
    "C": ("postgresql", 2, "PostgreSQL, two instances"),
    "D": ("postgresql", 2, "PostgreSQL, two instances, replies not first"),
}
# Sides whose instances' replies take the shared window as any sender does (the window before
# migration 0040, SharedBudget.replies_first off): C's baseline for the /checkin phase.
REPLIES_NOT_FIRST = {"D"}
OPEN = "open"  # the phase whose replies are new messages (the others edit them)
DEFAULTS = (2_000, 300, 3)  # --members, --http-members, --rounds
QUICK = (300, 60, 1)
PROJECT_ROOT = Path(__file__).resolve().parents[1]

Result = dict[str, Any]


# --- an instance, in a process of its own ---------------------------------------------------


def instance_settings(args: argparse.Namespace) -> Settings:
    telegram: dict[str, Any] = {
        "token": TOKEN,
        "webhook_url": "https://bot.example.org/telegram",
        "webhook_secret": SECRET,
        "webhook_port": args.port,
    }
    if args.base_url:
        telegram.update(api_base_url=args.base_url, api_file_url=args.base_url)
    target = args.target
    return load_settings(
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai"},
        storage={"url": target} if target.startswith("postgres") else {"database": target},
        telegram=telegram,
    )


class StatementCount:
    """The statements an instance sends PostgreSQL, by their first words: asyncpg's
    connection methods wrapped in the bench's instance process only (the product is not
    touched). A transaction's BEGIN and COMMIT count as statements (they are round trips)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def install(self) -> None:
        from asyncpg.connection import Connection  # the bench's patch only

        counts = self.counts
        raw: Any = Connection  # its private methods, patched
        execute, run, run_many = raw.execute, raw._execute, raw._executemany

        async def counted_execute(conn: Any, query: str, *args: Any, **kw: Any) -> Any:
            if not args:  # with arguments it goes through _execute, counted there
                counts[_shape(query)] += 1
            return await execute(conn, query, *args, **kw)

        async def counted_run(conn: Any, query: str, *args: Any, **kw: Any) -> Any:
            counts[_shape(query)] += 1
            return await run(conn, query, *args, **kw)

        async def counted_many(conn: Any, query: str, *args: Any, **kw: Any) -> Any:
            counts[_shape(query)] += 1
            return await run_many(conn, query, *args, **kw)

        raw.execute, raw._execute, raw._executemany = counted_execute, counted_run, counted_many

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(dict(self.counts)))


def _shape(query: str) -> str:
    return " ".join(query.split())[:70]


class RunningClock(FakeClock):
    """The bench's day, moving with real time: the shared send budget (per-second windows
    in the database, migration 0039) waits for a second that a frozen clock never brings.
    Every instance of a side counts from the same ``epoch`` (the wall clock's, when the side
    began): instances whose clocks disagree, as they would if each counted from its own
    start, misread each other's sends in the shared window (docs/postgresql.md: the clocks
    must agree)."""

    def __init__(self, start: datetime, epoch: float) -> None:
        super().__init__(start)
        self._epoch = epoch

    def now(self) -> datetime:
        return self._now + timedelta(seconds=time.time() - self._epoch)


async def instance(args: argparse.Namespace) -> None:
    """``muster run --webhook`` as shipped, on the bench's clock and stand-in; until SIGTERM."""
    counter = StatementCount()
    if args.count:
        counter.install()
    if args.replies_not_first:
        SharedBudget.replies_first = False  # the bench's baseline (see REPLIES_NOT_FIRST)
    clock = RunningClock(NOW, args.epoch)
    request = None
    if args.base_url is None:
        api = TimedBotApi(clock=clock.now)
        for batch in load_phases(args.tmp, args.members).values():
            for update in batch:
                api.observe_update(update)
                if (press := update.get("callback_query")) and "message" in press:
                    # Telegram keeps the bot's messages whichever instance sent them; each
                    # instance's stand-in here sees only its own sends, and would refuse
                    # to edit the others' (the bot would then send a new message, paced).
                    api.know_sent(press["message"])
        request = FakeRequest(api)
    app = await build_application(instance_settings(args), request=request, clock=clock)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    await serve_webhook(app, stop)
    if args.count:
        counter.write(args.count)


# --- Telegram's side: posting, waiting, measuring -------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """How many updates the instances have processed, read from the store."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._pg: asyncpg.Connection[Any] | None = None
        self._lite: sqlite3.Connection | None = None

    async def processed(self) -> int:
        sql = "SELECT COUNT(*) FROM inbox WHERE processed_at IS NOT NULL"
        if self.target.startswith("postgres"):
            if self._pg is None:
                self._pg = await asyncpg.connect(self.target)
            return int(await self._pg.fetchval(sql))
        if self._lite is None:
            self._lite = sqlite3.connect(f"file:{self.target}?mode=ro", uri=True)
        return int(self._lite.execute(sql).fetchone()[0])

    async def waits(self, first: int, last: int) -> list[float]:
        """Seconds from each update's arrival to its processing, update ids first..last."""
        sql = (
            "SELECT received_at, processed_at FROM inbox WHERE update_id BETWEEN $1 AND $2"
            " AND processed_at IS NOT NULL"
        )
        if self._pg is not None:
            found = [tuple(r) for r in await self._pg.fetch(sql, first, last)]
        else:
            assert self._lite is not None
            lite = sql.replace("$1", "?").replace("$2", "?")
            found = list(self._lite.execute(lite, (first, last)))
        return sorted(
            datetime.fromisoformat(done).timestamp() - datetime.fromisoformat(came).timestamp()
            for came, done in found
        )

    async def checkins(self) -> int:
        sql = "SELECT COUNT(*) FROM checkins"
        if self._pg is not None:
            return int(await self._pg.fetchval(sql))
        assert self._lite is not None
        return int(self._lite.execute(sql).fetchone()[0])

    async def close(self) -> None:
        if self._pg is not None:
            await self._pg.close()
        if self._lite is not None:
            self._lite.close()


async def drive(
    bases: list[str], target: str, phases: dict[str, list[Any]], pids: list[int], seed: int
) -> Result:
    """Post each phase to the instances, wait until all of it is processed; its wall time,
    the instances' CPU and the server's."""
    rng = random.Random(seed)
    inbox = Inbox(target)
    server_cpu = ServerCpu(target) if target.startswith("postgres") else None
    result: Result = {"phases": {}, "per_instance": [0] * len(bases)}
    done = 0
    try:
        async with aiohttp.ClientSession() as session:
            gate = asyncio.Semaphore(AT_ONCE)
            for phase, batch in phases.items():

                async def post(update: Any) -> None:
                    index = rng.randrange(len(bases))
                    result["per_instance"][index] += 1
                    async with (
                        gate,
                        session.post(
                            f"{bases[index]}/telegram",
                            data=json.dumps(update),
                            headers={SECRET_HEADER: SECRET},
                        ) as answer,
                    ):
                        if answer.status != 200:
                            raise SystemExit(f"the webhook answered {answer.status}")

                if server_cpu is not None:
                    await server_cpu.start()
                cpu = [process_cpu(pid) for pid in pids]
                wall = time.perf_counter()
                await asyncio.gather(*(post(update) for update in batch))
                posted = time.perf_counter() - wall
                done += len(batch)
                while await inbox.processed() < done:  # noqa: ASYNC110  # other processes' rows
                    await asyncio.sleep(POLL_SECONDS)
                ids = [int(update["update_id"]) for update in batch]
                result["phases"][phase] = {
                    "seconds": time.perf_counter() - wall,
                    "posted_s": posted,
                    "cpu": sum(process_cpu(pid) - c for pid, c in zip(pids, cpu, strict=True)),
                    "server_cpu": await server_cpu.stop() if server_cpu is not None else 0.0,
                    "waits": await inbox.waits(min(ids), max(ids)),
                }
        result["checkins"] = await inbox.checkins()
    finally:
        await inbox.close()
    return result


async def until_up(bases: list[str], processes: list[subprocess.Popen[str]]) -> None:
    async with aiohttp.ClientSession() as session:
        for base in bases:
            for _ in range(600):
                if any(p.poll() is not None for p in processes):
                    raise SystemExit("an instance stopped at start")
                try:
                    async with session.get(f"{base}/health") as answer:
                        if answer.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise SystemExit(f"{base} never answered")


def run_side(
    side: str, target: str, mode: str, members: int, tmp: Path, seed: int, counts: bool = False
) -> Result:
    """One measurement: fresh instances on ``target``, the phases posted, all stopped; with
    ``counts``, the statements the instances sent, by shape, in ``result["statements"]``."""
    _, count, _ = SIDES[side]
    count_files = [tmp / f"statements-{side}-{i}.json" for i in range(count)]
    standin = Standin.start(tmp, members) if mode == "http" else None
    ports = [free_port() for _ in range(count)]
    epoch = time.time()  # the instances' clocks start together at the bench's moment
    processes: list[subprocess.Popen[str]] = []
    try:
        for port in ports:
            command = [sys.executable, "-m", "bench.cluster_inbound", "--instance"]
            command += ["--target", target, "--port", str(port), "--tmp", str(tmp)]
            command += ["--members", str(members), "--epoch", repr(epoch)]
            command += ["--base-url", standin.base_url] if standin else []
            command += ["--count", str(count_files[len(processes)])] if counts else []
            command += ["--replies-not-first"] if side in REPLIES_NOT_FIRST else []
            processes.append(
                subprocess.Popen(command, cwd=PROJECT_ROOT, stderr=subprocess.PIPE, text=True)
            )
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        asyncio.run(until_up(bases, processes))
        phases = load_phases(tmp, members)
        result = asyncio.run(drive(bases, target, phases, [p.pid for p in processes], seed))
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            _, errors = process.communicate(timeout=120)
            if process.returncode not in (0, -signal.SIGTERM):
                raise SystemExit(f"an instance failed ({process.returncode}):\n{errors[-3000:]}")
        if standin is not None:
            standin.stop()
    if counts:
        total: Counter[str] = Counter()
        for path in count_files:
            total.update(json.loads(path.read_text()))
            path.unlink()
        result["statements"] = dict(total)
    if result["checkins"] != members:
        raise SystemExit(f"{side}: {result['checkins']} check-ins stored, not {members}")
    return result


# --- the rounds ----------------------------------------------------------------------------


@dataclass(slots=True)
class Runs:
    # mode -> rounds -> side -> result
    rounds: dict[str, list[dict[str, Result]]] = field(default_factory=dict)
    seconds: float = 0.0


def fresh_target(side: str, tmp: Path, pg_server: str, made: list[str]) -> str:
    """A fresh database holding the seed for one measurement of ``side``."""
    if SIDES[side][0] == "sqlite":
        db = tmp / f"{side}-{len(made)}.db"
        copy_db(tmp / "seed.db", db)
        made.append(str(db))
        return str(db)
    url, _ = asyncio.run(copy_from_sqlite(tmp / "seed.db", pg_server))
    made.append(url)
    return url


def measure(args: argparse.Namespace) -> Runs:
    runs = Runs()
    started = time.perf_counter()
    pg_server, _keep = server(args.postgres)
    with tempfile.TemporaryDirectory(prefix="muster-bench-") as name:
        tmp = Path(name)
        asyncio.run(prepare(tmp, max(args.members, args.http_members), args.seed))
        made: list[str] = []
        try:
            for mode in args.modes:
                members = args.members if mode == "inproc" else args.http_members
                plan = [
                    {side: fresh_target(side, tmp, pg_server, made) for side in SIDES}
                    for _ in range(args.rounds + (not args.quick))
                ]
                print(f"{mode}: databases made", file=sys.stderr)
                with timing_lock(args.lock):
                    measured = [
                        {
                            side: run_side(side, target, mode, members, tmp, args.seed)
                            for side, target in targets.items()
                        }
                        for targets in plan
                    ]
                runs.rounds[mode] = measured[(not args.quick) :]  # the warm-up discarded
                print(render(args, runs), file=sys.stderr)  # what is known so far
                for index, result in enumerate(runs.rounds[mode], start=1):
                    took = ", ".join(f"{s} {timed(r):.2f} s" for s, r in result.items())
                    print(f"{mode} round {index}: {took}", file=sys.stderr)
        finally:
            for target in made:
                if target.startswith("postgres"):
                    asyncio.run(drop_database(pg_server, target))
    runs.seconds = time.perf_counter() - started
    return runs


def timed(result: Result, key: str = "seconds") -> float:
    return float(sum(result["phases"][phase][key] for phase in TIMED))


# --- the report ----------------------------------------------------------------------------


def mode_rows(mode: str, rounds: list[dict[str, Result]], members: int) -> list[str]:
    steps = members * len(TIMED)

    def per_step(side: str, key: str = "seconds") -> float:
        return statistics.median(timed(r[side], key) for r in rounds) / steps * 1e6

    def ratio(side: str, base: str, key: str = "seconds") -> float:
        return statistics.median(timed(r[side], key) / timed(r[base], key) for r in rounds)

    def cpu_both(result: Result) -> float:
        return timed(result, "cpu") + timed(result, "server_cpu")

    rows = []
    for side, (_, _, label) in SIDES.items():
        both = statistics.median(cpu_both(r[side]) for r in rounds) / steps * 1e6
        server_cpu = f"{per_step(side, 'server_cpu'):,.0f} µs" if side != "A" else "–"
        rows.append(
            f"| {MODES[mode]} ({steps:,} steps) | {side}: {label} | {per_step(side):,.0f} µs"
            f" | {1e6 / per_step(side):,.0f}/s | {per_step(side, 'cpu'):,.0f} µs"
            f" | {server_cpu} | {both:,.0f} µs |"
        )
    shares = " · ".join(
        "/".join(str(n) for n in r["C"]["per_instance"]) for r in rounds
    )  # posts per instance in C
    scaling = ratio("B", "C")
    cpu_scaling = statistics.median(cpu_both(r["C"]) / cpu_both(r["B"]) for r in rounds)
    dashes = " | – | – | – | – |"
    rows += [
        f"| {MODES[mode]}: B ÷ A, time (PostgreSQL ÷ SQLite, one instance) | –"
        f" | **{ratio('B', 'A'):.2f}×**{dashes}",
        f"| {MODES[mode]}: scaling, B's time ÷ C's (2.00× = twice the steps/s) | –"
        f" | **{scaling:.2f}×**{dashes}",
        f"| {MODES[mode]}: C's CPU per step ÷ B's (instances and server) | –"
        f" | {cpu_scaling:.2f}×{dashes}",
        f"| {MODES[mode]}: C's posts per instance, by round | – | {shares}{dashes}",
    ]
    for index, measured in enumerate(rounds, start=1):
        times = " · ".join(f"{timed(measured[s]):.2f} s" for s in SIDES)
        sides = " · ".join(SIDES)
        rows.append(f"| {MODES[mode]}, round {index} | {sides} | {times} | – | – | – | – |")
    return rows


def open_rows(mode: str, rounds: list[dict[str, Result]]) -> list[str]:
    """The /checkin phase (untimed above): every member's answer is a new message, so all of
    them go through the overall 30/s (shared by the instances), beside the 09:00 reminders
    falling due at the bench's moment; how long the phase took and how long people waited
    for their answer (arrival to processed), medians over the rounds."""

    def wait(side: str, share: float) -> float:
        cut = int(share * 100) - 1
        return float(
            statistics.median(
                statistics.quantiles(r[side]["phases"][OPEN]["waits"], n=100)[cut] for r in rounds
            )
        )

    rows = []
    for side, (_, _, label) in SIDES.items():
        wall = statistics.median(r[side]["phases"][OPEN]["seconds"] for r in rounds)
        rows.append(
            f"| {MODES[mode]} | {side}: {label} | {wall:.1f} s | {wait(side, 0.5):.2f} s"
            f" | {wait(side, 0.9):.2f} s |"
        )
    ratio = statistics.median(
        statistics.quantiles(r["D"]["phases"][OPEN]["waits"], n=10)[8]
        / statistics.quantiles(r["C"]["phases"][OPEN]["waits"], n=10)[8]
        for r in rounds
    )
    rows.append(f"| {MODES[mode]}: D's p90 wait ÷ C's | – | – | – | **{ratio:.2f}×** |")
    return rows


def render(args: argparse.Namespace, runs: Runs) -> str:
    table = [
        "| mode | side | time per step, median | steps/s | CPU per step: the instances'"
        " processes | CPU per step: PostgreSQL's processes | CPU per step: both |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    waits = [
        "| mode | side | the /checkin phase, median | answer's wait p50 | p90 |",
        "|---|---|---:|---:|---:|",
    ]
    for mode, rounds in runs.rounds.items():
        table += mode_rows(mode, rounds, args.members if mode == "inproc" else args.http_members)
        waits += open_rows(mode, rounds)
    about = (
        "The check-ins of `bench.checkin_inbound` (every member's `/checkin`, then every press"
        ' on "At my post", then every "✅ Submit"; the two presses are the timed steps)'
        " posted to webhook instances as Telegram posts them: each instance is `muster run"
        " --webhook` as shipped (`serve_webhook` on the application `build_application`"
        " builds, default settings) in a process of its own; on PostgreSQL every post is"
        " stored in the shared inbox and the instance that claims the chat handles it (chat"
        " claims, state read afresh, app/inbox.py), on SQLite the one process handles what it"
        f" stored. This process plays Telegram: {AT_ONCE} posts at a time at most (a"
        " webhook's default `max_connections`), each to an instance drawn at random (a load"
        " balancer); a phase ends when the inbox holds all of it as processed (handled and"
        " its state written down), polled every 20 ms. A: SQLite, one instance; B:"
        " PostgreSQL, one instance; C: PostgreSQL, two instances sharing it; D: as C, with"
        " replies taking the shared window as any sender does (`SharedBudget.replies_first`"
        " off: the window before migration 0040, C's baseline for the /checkin phase); each"
        " measurement a fresh database holding the same seed (made before the timing) and"
        " fresh processes; rounds A B C … after a discarded warm-up round; medians. CPU: the"
        " instances' processes (all threads) and the PostgreSQL server's (pgserver's"
        " PostgreSQL 16 on the same machine, its defaults), from /proc, per timed step; on"
        " this 2-CPU machine the instances, the server and this poster share the CPUs, so"
        " the CPU per step, which a larger machine spreads over more cores, says more than"
        " the wall time. Modes: each instance with an in-process Bot API stand-in, and"
        f" one stand-in process for all answering every call after {ANSWER_AFTER_MS} ms over"
        " HTTP."
    )
    facts = [
        "Command: `.venv/bin/python -m bench.cluster_inbound"
        f" --members {args.members} --http-members {args.http_members} --rounds {args.rounds}"
        f" --modes {','.join(args.modes)} --lock /work/bench.lock`, {runs.seconds:.0f} s in all",
        f"Date: {datetime.now(UTC):%Y-%m-%d}",
        f"Machine: {machine()}; PostgreSQL 16 (pgserver) on the same machine",
        "Every measurement checked: one check-in stored per member, every update processed",
    ]
    return section_text(HEADING, about, facts, table, waits)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.cluster_inbound", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--members", type=int, help="members in-process (default 2000)")
    parser.add_argument("--http-members", type=int, help="members over HTTP (default 300)")
    parser.add_argument("--rounds", type=int, help="rounds (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="data and spreading seed")
    parser.add_argument("--modes", default=",".join(MODES), help="inproc,http (default both)")
    parser.add_argument("--postgres", help="PostgreSQL server URL (default: a pgserver)")
    parser.add_argument("--lock", type=Path, help="hold this file's lock while timing")
    parser.add_argument("--out", type=Path, help="write the results section into this file")
    parser.add_argument("--quick", action="store_true", help="smoke run: 300/60 members, 1 round")
    hidden = argparse.SUPPRESS  # the parent's interface to its instances
    parser.add_argument("--instance", action="store_true", help=hidden)
    parser.add_argument("--target", help=hidden)
    parser.add_argument("--port", type=int, help=hidden)
    parser.add_argument("--tmp", type=Path, help=hidden)
    parser.add_argument("--base-url", help=hidden)
    parser.add_argument("--count", type=Path, help=hidden)
    parser.add_argument("--replies-not-first", action="store_true", help=hidden)
    parser.add_argument("--epoch", type=float, default=0.0, help=hidden)
    return sized(parser, argv, QUICK, DEFAULTS)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.instance:
        asyncio.run(instance(args))
        return
    publish(render(args, measure(args)), args.out, HEADING)


if __name__ == "__main__":
    main()
