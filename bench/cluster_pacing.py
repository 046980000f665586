"""Two instances on one PostgreSQL keep the paced broadcast's rate (issue #20).

A broadcast of ``--messages`` notices (one per chat) queued in a PostgreSQL outbox is
drained over real HTTP by delivery engines in processes of their own, against the Bot API
stand-in (``python -m fakeapi.serve``, answering after 50 ms, enforcing 30 new messages a
second and one a second per chat strictly). A: one instance; B: two instances sharing the
database (their leases, their claims with ``SKIP LOCKED`` and the shared send window).
Reported: the achieved rate (sends between the stand-in's first and last) as % of 30/s, and
the 429s. Targets: B ≥ 95% of 30/s, 0 × 429, each message once.

With ``--replies-every S``, people's answers during the broadcast instead: each instance
also answers a person every S seconds through its bot's ``PacedReplies`` (its pacer, then
the shared window, as ``app/build.py`` wires them), one at a time, each to a new chat; the
time from the call to Telegram's answer is the person's wait. Sides, each round: one
instance; two with replies first (``send_wants``, migration 0040); two with replies taking
the window as any sender does (``SharedBudget.replies_first`` off, as before 0040).

    .venv/bin/python -m bench.cluster_pacing [--messages 3000] [--rounds 1] [--rate 30]
                                             [--replies-every S] [--out docs/benchmarks.md]

PostgreSQL: ``MUSTER_BENCH_POSTGRES_URL``, else a pgserver it starts (bench.pg_triggers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram.ext import ExtBot

from bench.delivery import ANSWERS, LIMIT_PER_SECOND, PROJECT_ROOT, TOKEN, StandIn
from bench.pg_triggers import postgres
from bench.pgstore import new_database
from bench.report import machine, publish, section_text, verdict
from bot.config import DeliverySettings
from bot.delivery.burst import first_of
from bot.delivery.cluster_config import ClusterSettings
from bot.delivery.engine import DeliveryEngine
from bot.delivery.lease import InstanceLease, SharedBudget
from bot.delivery.outgoing import notice_message
from bot.delivery.pacer import Pacer
from bot.delivery.reply_pacing import PacedReplies
from bot.delivery.transport import AiohttpRequest
from bot.kit.clock import SystemClock
from storage import Storage
from storage.cluster import Instance
from tests.unit.test_pacer import most_in_window

HEADING = "## Two instances on PostgreSQL: the shared pacing budget (issue #20)"
REPLIES_HEADING = (
    "## Two instances on PostgreSQL: people's answers during a broadcast, replies first (issue #20)"
)
REPLY_BASE = 600_000_000  # the chats answered: another range per instance
CHAT_BASE = 500_000_000
_LEFT = "SELECT 1 FROM outbox WHERE status IN ('pending', 'sending') LIMIT 1"


async def child(args: argparse.Namespace) -> dict[str, Any]:
    """One instance: drain the outbox until no row is left pending or in flight."""
    storage = await Storage.open(args.url, pool_size=4)
    settings = DeliverySettings(rate_per_second=args.rate)
    clock = SystemClock()
    pacer = Pacer.from_settings(settings)
    budget = SharedBudget.from_settings(storage, clock, settings)
    if args.replies_not_first:
        SharedBudget.replies_first = False  # the baseline: the window before migration 0040
    # As app/build.py has it: the outbox's pacer and window pace the bot's replies too.
    bot = ExtBot(
        TOKEN,
        base_url=args.base_url,
        request=AiohttpRequest(),
        rate_limiter=PacedReplies(pacer, budget) if args.replies_every else None,
    )
    lease = InstanceLease(storage, clock, ClusterSettings(), Instance(args.name, "bench", 0))
    engine = DeliveryEngine(storage, bot, clock, settings, {}, pacer, owner=lease.id, budget=budget)
    stop = asyncio.Event()
    try:
        await bot.initialize()
        await lease.start()
        worker = asyncio.create_task(engine.run(stop))
        started = time.perf_counter()
        answering = None
        if args.replies_every:
            answering = asyncio.create_task(answer_people(bot, args, stop))
        while await storage.db.fetchone(_LEFT):  # noqa: ASYNC110  # other processes' rows
            await asyncio.sleep(0.2)
        stop.set()
        await worker
        waits = await answering if answering is not None else []
        await lease.stop()
        row = await storage.db.fetchone(
            "SELECT COUNT(*) AS n FROM outbox WHERE claimed_by = ? AND status = 'sent'",
            (lease.id,),
        )
        return {
            "sent": int(row["n"]) if row else 0,
            "seconds": time.perf_counter() - started,
            "waits": waits,
        }
    finally:
        await bot.shutdown()
        await storage.close()


async def answer_people(
    bot: ExtBot[Any], args: argparse.Namespace, stop: asyncio.Event
) -> list[float]:
    """A person answered every ``--replies-every`` seconds until the broadcast is over, one
    at a time, each in a chat of its own: the seconds from each call to Telegram's answer."""
    base = REPLY_BASE + 1_000_000 * int(args.name.removeprefix("i"))
    waits: list[float] = []
    while not stop.is_set():
        started = time.perf_counter()
        await bot.send_message(base + len(waits), "Checked in ✅")
        waits.append(time.perf_counter() - started)
        await first_of(asyncio.sleep(args.replies_every), stop.wait())
    return waits


async def prepare(server: str, messages: int) -> str:
    """A new migrated database with the broadcast queued: its URL."""
    url = await new_database(server)
    storage = await Storage.open(url, pool_size=1)
    try:
        now = datetime.now(UTC)
        rows = [
            notice_message(CHAT_BASE + i, f"Broadcast #{i}", not_before=now)
            for i in range(messages)
        ]
        async with storage.db.transaction() as conn:
            await storage.outbox.enqueue_many(conn, rows, now)
    finally:
        await storage.close()
    return url


def run_phase(
    server: str, tmp: Path, instances: int, args: argparse.Namespace, *, first: bool = True
) -> dict[str, Any]:
    url = asyncio.run(prepare(server, args.messages))
    standin = StandIn(tmp, enforce=True, options=ANSWERS)
    replies = ["--replies-every", str(args.replies_every)] if args.replies_every else []
    replies += [] if first else ["--replies-not-first"]
    try:
        children = [
            subprocess.Popen(
                [
                    *(sys.executable, "-m", "bench.cluster_pacing", "--child", f"i{n}"),
                    *("--url", url, "--base-url", standin.base_url, "--rate", str(args.rate)),
                    *replies,
                ],
                cwd=PROJECT_ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            for n in range(instances)
        ]
        results = []
        for process in children:
            out, _ = process.communicate(timeout=args.messages)
            if process.returncode != 0:
                raise SystemExit(f"an instance failed ({process.returncode})")
            results.append(json.loads(out.splitlines()[-1]))
    finally:
        seen = standin.stop()
    broadcast = {c: t for c, t in seen["send_times"].items() if int(c) < REPLY_BASE}
    times = sorted(t for chat_times in seen["send_times"].values() for t in chat_times)
    ok = sum(len(t) for t in broadcast.values())
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    return {
        "instances": instances,
        "sent": ok,
        "per_instance": [r["sent"] for r in results],
        "rate": (len(times) - 1) / span,  # every new message: the broadcast's and answers
        "too_many": seen["calls"].get("sendMessage 429", 0),
        "busiest_second": most_in_window(times, 1.0),
        "unique_chats": len(broadcast),
        "waits": sorted(w for r in results for w in r["waits"]),
    }


async def share_cost(server: str, sends: int, rounds: int) -> dict[str, float]:
    """What a send's share of the budget costs an instance: per send, the shared window's
    take and finish (two round trips to PostgreSQL), against the pacer's take and finish
    alone, interleaved A B A B; medians of the rounds' means in µs, wall and CPU."""
    url = await prepare(server, 0)
    storage = await Storage.open(url, pool_size=4)
    clock = SystemClock()
    pacer = Pacer(rate_per_second=10 * sends, chat_interval=0, group_per_minute=20)
    # Rows enough for every send of a round: none waits, the cost is the round trips'.
    budget = SharedBudget(storage, clock, sends + 1)
    results: dict[str, list[float]] = {"pacer": [], "shared": [], "pacer cpu": [], "shared cpu": []}
    try:
        await budget.take()  # the window's rows made
        for n in range(2 * rounds):
            shared = n % 2 == 1
            await storage.db.write("UPDATE send_window SET counts_from = 0")
            wall, cpu = time.perf_counter(), time.process_time()
            for chat in range(sends):
                slot = pacer.take(chat)
                assert not isinstance(slot, float)
                slot.finish()
                if shared:
                    send = await budget.acquire(asyncio.sleep, None, first=True)
                    assert send is not None
                    await budget.finish(send, answered=True)
            name = "shared" if shared else "pacer"
            results[name].append((time.perf_counter() - wall) / sends * 1e6)
            results[f"{name} cpu"].append((time.process_time() - cpu) / sends * 1e6)
    finally:
        await storage.close()
    return {key: statistics.median(values) for key, values in results.items()}


def render(
    args: argparse.Namespace, runs: dict[int, list[dict[str, Any]]], cost: dict[str, float]
) -> str:
    def median(n: int, key: str) -> float:
        return statistics.median(float(r[key]) for r in runs[n])

    rows = [
        "| instances | rate (% of 30/s) | 429s | busiest sliding second"
        " | sent (each instance) | each once |"
    ]
    rows.append("| --- | --- | --- | --- | --- | --- |")
    for n in sorted(runs):
        last = runs[n][-1]
        rate = median(n, "rate")
        worst = max(r["too_many"] for r in runs[n]), max(r["busiest_second"] for r in runs[n])
        once = all(r["sent"] == r["unique_chats"] == args.messages for r in runs[n])
        rows.append(
            f"| {n} | {rate:.2f}/s ({100 * rate / LIMIT_PER_SECOND:.1f}%)"
            f" | {worst[0]} | {worst[1]}"
            f" | {last['sent']} ({' + '.join(map(str, last['per_instance']))}) | {once} |"
        )
    two = runs[2]
    ok = (
        median(2, "rate") >= 0.95 * LIMIT_PER_SECOND
        and all(r["too_many"] == 0 for r in two)
        and all(r["sent"] == r["unique_chats"] == args.messages for r in two)
    )
    facts = [
        f"command: `flock /work/bench.lock .venv/bin/python -m bench.cluster_pacing"
        f" --messages {args.messages} --rounds {args.rounds} --rate {args.rate:g}`",
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {machine()}; PostgreSQL 16 (pgserver, defaults) on the same machine",
        f"rounds: {args.rounds}, one instance (A) then two (B) each round; medians",
        f"verdict (two instances ≥ 95% of 30/s, 0 × 429, each message once): {verdict(ok)}",
    ]
    about = (
        f"A paced broadcast of {args.messages:,} notices (one per chat) queued in a PostgreSQL"
        " outbox, drained over real HTTP by one or two delivery engines in processes of"
        " their own (each with its lease, claims with SKIP LOCKED and the shared send window,"
        f" `delivery.rate_per_second = {args.rate:g}`) against the Bot API stand-in answering"
        " after 50 ms and enforcing 30 new messages in any sliding second. The rate is the"
        " stand-in's accepted sends over the time from its first to its last."
    )
    costs = [
        "| a send's pacing, per send | wall | CPU of the instance |",
        "| --- | --- | --- |",
        f"| the pacer alone (A) | {cost['pacer']:.1f} µs | {cost['pacer cpu']:.1f} µs |",
        f"| the pacer and the shared window's take and finish (B) | {cost['shared']:.0f} µs"
        f" | {cost['shared cpu']:.0f} µs |",
    ]
    facts.append(
        f"a send's share of the budget: {args.cost_sends:,} sends a round,"
        f" {2 * max(3, args.rounds)}"
        " rounds A B A B, medians of the rounds' means (PostgreSQL on the same machine)"
    )
    return section_text(HEADING, about, facts, rows, costs)


REPLY_SIDES = {
    "A": (1, True, "one instance"),
    "B": (2, True, "two instances, replies first"),
    "C": (2, False, "two instances, replies not first (before migration 0040)"),
}


def replies(server: str, tmp: Path, args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    """Rounds of A B C (REPLY_SIDES), each a fresh database and stand-in."""
    runs: dict[str, list[dict[str, Any]]] = {side: [] for side in REPLY_SIDES}
    for _ in range(args.rounds):
        for side, (instances, first, _) in REPLY_SIDES.items():
            result = run_phase(server, tmp, instances, args, first=first)
            print(
                side, json.dumps({k: v for k, v in result.items() if k != "waits"}), file=sys.stderr
            )
            runs[side].append(result)
    return runs


def render_replies(args: argparse.Namespace, runs: dict[str, list[dict[str, Any]]]) -> str:
    def share(waits: list[float], q: int) -> float:
        return statistics.quantiles(waits, n=100)[q - 1] * 1000

    rows = [
        "| side | answers | wait p50 | p90 | p99 | all sends' rate | 429s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for side, (_, _, label) in REPLY_SIDES.items():
        waits = sorted(w for r in runs[side] for w in r["waits"])
        rate = statistics.median(float(r["rate"]) for r in runs[side])
        rows.append(
            f"| {side}: {label} | {len(waits)} | {share(waits, 50):.0f} ms"
            f" | {share(waits, 90):.0f} ms | {share(waits, 99):.0f} ms"
            f" | {rate:.2f}/s ({100 * rate / LIMIT_PER_SECOND:.1f}%)"
            f" | {sum(r['too_many'] for r in runs[side])} |"
        )
    ratio = statistics.median(
        share(c["waits"], 90) / share(b["waits"], 90)
        for b, c in zip(runs["B"], runs["C"], strict=True)
    )
    rows.append(f"| C's p90 ÷ B's, by round, median | – | – | **{ratio:.2f}×** | – | – | – |")
    about = (
        f"A broadcast of {args.messages:,} notices drained as in the section above (the"
        " stand-in answering after 50 ms, enforcing 30 new messages in any sliding second),"
        f" while each instance answers a person every {args.replies_every:g} s through its"
        " bot's PacedReplies (its pacer, then the shared window, as app/build.py wires"
        " them), one at a time, each to a chat of its own. A wait is the time from the call"
        " to Telegram's answer (50 ms of it the stand-in's). A: one instance; B: two, replies"
        " first (`send_wants`, migration 0040); C: two, replies taking the window as any"
        " sender does (`SharedBudget.replies_first` off: as before 0040). Rounds A B C …,"
        " each side a fresh database and stand-in; the waits of all rounds pooled."
    )
    facts = [
        f"command: `.venv/bin/python -m bench.cluster_pacing --messages {args.messages}"
        f" --rounds {args.rounds} --replies-every {args.replies_every:g}`",
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {machine()}; PostgreSQL 16 (pgserver, defaults) on the same machine",
    ]
    return section_text(REPLIES_HEADING, about, facts, rows)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--cost-sends", type=int, default=2000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--base-url")
    parser.add_argument("--replies-every", type=float, default=0.0)
    parser.add_argument("--replies-not-first", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    if args.child:
        args.name = args.child
        print(json.dumps(asyncio.run(child(args))))
        return
    server, _keep = postgres()
    tmp = Path(tempfile.mkdtemp(prefix="muster-bench-cluster-"))
    if args.replies_every:
        publish(render_replies(args, replies(server, tmp, args)), args.out, REPLIES_HEADING)
        return
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for _ in range(args.rounds):
        for instances in (1, 2):
            result = run_phase(server, tmp, instances, args)
            print(json.dumps(result), file=sys.stderr)
            runs[instances].append(result)
    cost = asyncio.run(share_cost(server, args.cost_sends, max(3, args.rounds)))
    print(json.dumps(cost), file=sys.stderr)
    publish(render(args, runs, cost), args.out, HEADING)


if __name__ == "__main__":
    main()
