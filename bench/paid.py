"""Paid broadcast: a directive marked urgent to 20,000 members at up to 1,000 msg/s.

Target (issue #14, benchmark 3): against a stand-in enforcing 1,000/s overall and answering
every call after 50 ms, at least 950 msg/s sustained, zero 429s, zero lost, zero
duplicated, and at least 0.9× a raw aiohttp client sending the same messages in the same
run (A B A B …, median of the per-round ratios).

Each measurement is a fresh process, and so is the stand-in it talks to
(``python -m fakeapi.serve --enforce-limits --paid-per-second 1000 --answer-after 50``,
real HTTP on 127.0.0.1). B is the product as shipped with paid broadcasts turned on
(``delivery.paid_broadcast = true``, the default ``paid_rate_per_second`` of 1,000): the
``Application`` from ``build_application`` with its default request and pacer, an admin's
urgent directive created through ``DirectiveService.create``, drained by
``DeliveryEngine.run``. A is ``aiohttp`` posting the same form bodies (rendered by the real
renderer, encoded by PTB, plus ``allow_paid_broadcast``) with as many requests in flight as
the engine, each send a second after the answer to the one 1,000 before it less the floor
the engine's pacer counts back from (3/4 of the shortest round trip so far).

    .venv/bin/python -m bench.paid [--recipients 20000] [--rounds 2] [--quick]
                                   [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from telegram.request import BaseRequest

from app.build import build_application
from bench.delivery import (
    AUTHOR_ID,
    TEXT,
    TOKEN,
    Deliveries,
    Phase,
    Result,
    build_org,
    drain,
    raw_requests,
    run_phase,
    watch,
)
from bench.report import machine, publish, verdict
from bot.config import Settings, load_settings
from bot.delivery.pacer import FLOOR_SHARE
from bot.directives.drafting import Draft
from handlers.kit.slots import DELIVERY, SERVICES
from storage import Storage
from storage.directives import DirectiveKind, Target

HEADING = "## Paid broadcast: an urgent directive at up to 1,000 msg/s"
PAID_RATE = 1000  # the stand-in's limit for paid sends, and the product's default rate
ANSWER_AFTER_MS = 50
RATE_TARGET = 950.0
RAW_TARGET = 0.9
STANDIN = [
    "--paid-per-second",
    str(PAID_RATE),
    "--answer-after",
    str(ANSWER_AFTER_MS),
]


def paid_settings(db: Path, base_url: str) -> Settings:
    """Shipped settings with paid broadcasts on, the author an admin (who may pay), and a
    cap above the estimate (1,940 Stars for 20,000)."""
    return load_settings(
        None,
        storage={"database": db},
        organisation={"admins": [AUTHOR_ID]},
        telegram={"token": TOKEN, "api_base_url": base_url, "api_file_url": base_url},
        delivery={"paid_broadcast": True, "paid_budget_stars": 1_000_000},
    )


async def engine_child(args: argparse.Namespace) -> Result:
    """B: the real application drains an urgent directive to ``recipients``."""
    settings = paid_settings(args.db, args.base_url)
    storage = await Storage.open(settings.storage.database)
    result: Result = {}
    try:
        app = await build_application(settings, storage=storage)
        services = SERVICES.of(app)
        engine = DELIVERY.of(app)
        org = await build_org(services, args.db.parent, args.recipients, args.seed)
        draft = Draft(
            targets=(Target(org["root_id"], subtree=True),),
            text=TEXT,
            attachment=None,
            ack_required=False,
            ack_deadline=None,
            send_at=None,
            urgent=True,
        )
        directive = await services.directives.create(await services.authz.actor(AUTHOR_ID), draft)
        if directive.recipients != args.recipients or not directive.paid:
            raise SystemExit(f"not an urgent directive to {args.recipients}: {directive}")
        async with app:
            limit = 60.0 + args.recipients / 50
            result.update(await drain(engine, args.recipients, args.standin_pid, True, limit=limit))
        counts = await storage.outbox.counts(directive.id, DirectiveKind.DIRECTIVE)
        result["outbox"] = {status: n for status, n in counts.items() if n}
        result["charged"] = engine.paid.charged.get(directive.id, 0)
        result["estimate"] = directive.paid_estimate_stars
        result["workers"] = settings.delivery.workers
        result["floor"] = engine.pacer.floor
        result["request"] = type(app.bot.request).__name__
    finally:
        await storage.close()
    return result


async def raw_child(args: argparse.Namespace) -> Result:
    """A: ``aiohttp`` posting the same bodies, as many in flight as the engine's workers,
    the i-th send not before a second after the answer to the (i − 1,000)-th came back,
    less the pacer's floor: the same rule as the engine's, without the engine (a 429
    would wait and go again)."""
    bodies = await raw_requests(args)
    for body in bodies:
        body["allow_paid_broadcast"] = "true"  # as PTB encodes it
    workers = paid_settings(args.db, args.base_url).delivery.workers
    url = f"{args.base_url}{TOKEN}/sendMessage"
    headers = {"User-Agent": BaseRequest.USER_AGENT}
    answers: Counter[str] = Counter()
    result: Result = {}
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=workers)
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(f"{args.base_url}{TOKEN}/getMe") as response:
            await response.read()  # connect, as initialize() does
        pending = enumerate(bodies)
        answered = [loop.create_future() for _ in bodies]  # when each answer came back
        shortest = [math.inf]  # the shortest round trip so far

        async def worker() -> None:
            for number, body in pending:
                if number >= PAID_RATE:
                    floor = 0.0 if shortest[0] == math.inf else FLOOR_SHARE * shortest[0]
                    due = await answered[number - PAID_RATE] - floor + 1.0 - loop.time()
                    if due > 0:
                        await asyncio.sleep(due)
                while True:
                    sent = loop.time()
                    async with session.post(url, data=body, headers=headers) as response:
                        payload = await response.json()
                    answers[str(response.status)] += 1
                    if response.status != 429:
                        break
                    await asyncio.sleep(payload["parameters"]["retry_after"])
                shortest[0] = min(shortest[0], loop.time() - sent)
                answered[number].set_result(loop.time())

        with watch(result, args.standin_pid):
            await asyncio.gather(*(worker() for _ in range(workers)))
    result["answers"] = dict(answers)
    result["workers"] = workers
    return result


# --- the parent ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    recipients: int
    rounds: int
    seed: int
    quick: bool = False


@dataclass(slots=True)
class Runs:
    pairs: list[tuple[Phase, Phase]] = field(default_factory=list)  # (raw A, engine B)
    seconds: float = 0.0


def measure(plan: Plan) -> Runs:
    runs = Runs()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="muster-bench-paid-") as name:
        tmp = Path(name)
        for index in range(plan.rounds):
            pair = tuple(
                run_phase(
                    mode,
                    plan.recipients,
                    tmp,
                    plan.seed,
                    module="bench.paid",
                    standin_options=STANDIN,
                )
                for mode in ("raw", "engine")
            )
            raw, engine = pair
            runs.pairs.append((raw, engine))
            print(
                f"round {index + 1}/{plan.rounds}: raw {raw.child['seconds']:.1f} s,"
                f" engine {engine.child['seconds']:.1f} s",
                file=sys.stderr,
            )
    runs.seconds = time.perf_counter() - started
    return runs


def render(plan: Plan, runs: Runs) -> str:
    got = [
        (Deliveries.of(a.standin, plan.recipients), Deliveries.of(b.standin, plan.recipients))
        for a, b in runs.pairs
    ]
    ratios = [b.rate / a.rate for a, b in got]
    ratio = statistics.median(ratios)
    rate = statistics.median(b.rate for _, b in got)
    too_many = sum(b.too_many for _, b in got)
    lost = sum(b.lost for _, b in got)
    duplicated = sum(b.duplicated for _, b in got)
    checks = {
        "rate": rate >= RATE_TARGET,
        "429": too_many == 0,
        "lost": lost == 0,
        "dup": duplicated == 0,
        "raw": ratio >= RAW_TARGET,
    }
    engine = runs.pairs[-1][1].child
    rows = [
        f"| {plan.recipients:,} recipients, paid limit 1,000/s, answers after"
        f" {ANSWER_AFTER_MS} ms | raw aiohttp (A) | Muster (B) | B / A | target |",
        "|---|---:|---:|---:|---|",
        f"| **sustained rate, median** (accepted / span at the stand-in) |"
        f" {statistics.median(a.rate for a, _ in got):,.0f}/s | **{rate:,.0f}/s** |"
        f" **{ratio:.2f}×** | ≥ {RATE_TARGET:,.0f}/s: {verdict(checks['rate'])};"
        f" ≥ {RAW_TARGET}×: {verdict(checks['raw'])} |",
    ]
    for index, ((a, b), r) in enumerate(zip(got, ratios, strict=True), start=1):
        rows.append(f"| round {index} | {a.rate:,.0f}/s | {b.rate:,.0f}/s | {r:.2f}× | – |")
    rows += [
        f"| 429 answers, all rounds | {sum(a.too_many for a, _ in got):,} | {too_many:,} | – |"
        f" 0: {verdict(checks['429'])} |",
        f"| lost, all rounds | {sum(a.lost for a, _ in got):,} | {lost:,} | – |"
        f" 0: {verdict(checks['lost'])} |",
        f"| duplicated, all rounds | {sum(a.duplicated for a, _ in got):,} | {duplicated:,} |"
        f" – | 0: {verdict(checks['dup'])} |",
        f"| requests in flight | {runs.pairs[-1][0].child['workers']} | {engine['workers']}"
        " | – | – |",
        f"| CPU of the bot-side process, share of wall time (last round) |"
        f" {_share(runs.pairs[-1][0].child, 'cpu')} | {_share(engine, 'cpu')} | – | – |",
        f"| CPU of the stand-in, share of wall time (last round) |"
        f" {_share(runs.pairs[-1][0].child, 'standin_cpu')} | {_share(engine, 'standin_cpu')}"
        " | – | – |",
        f"| the pacer's floor: {FLOOR_SHARE:.0%} of the shortest round trip (last round) | – |"
        f" {engine['floor'] * 1000:.1f} ms | – | – |",
        f"| Stars: estimated in the preview / counted by the engine (last round) | – |"
        f" {engine['estimate']:,} / {-(-engine['charged'] // 10):,} | – | – |",
    ]
    command = "python -m bench.paid" + (" --quick" if plan.quick else "")
    if not plan.quick and plan != Plan(20_000, 2, 1):
        command += f" --recipients {plan.recipients} --rounds {plan.rounds} --seed {plan.seed}"
    about = (
        "Targets: at least 950 msg/s sustained, 0 × 429, 0 lost, 0 duplicated, and at least"
        " 0.9× a raw aiohttp client sending the same messages in the same run. The stand-in"
        " (`python -m fakeapi.serve`, its own process, real HTTP on 127.0.0.1) answers"
        f" every call after {ANSWER_AFTER_MS} ms and 429 to a send past 1,000 in a sliding"
        " second (paid sends, `allow_paid_broadcast`) or 30 (free ones), and 1 per chat. B"
        " is Muster as shipped with `delivery.paid_broadcast = true`: `build_application`"
        f" with its default request (here `{engine['request']}`) and pacer, an admin's urgent"
        " directive to the whole organisation through `DirectiveService.create`, drained by"
        " `DeliveryEngine.run`. A is `aiohttp` posting the very same form bodies (the real"
        " renderer, PTB's encoding, plus `allow_paid_broadcast`) with as many requests in"
        " flight, each send a second after the answer to the one 1,000 before it less the"
        " floor the engine's pacer counts back from. Each"
        " measurement is a fresh process with a fresh stand-in, A B A B. The rate counts"
        " from the stand-in's first accepted send to its last. The machine is shared (2"
        " cores, other engineers' runs): absolute numbers are noisy, the same-run ratio"
        " less so. The pacer counts a send from its answer less a floor,"
        f" {FLOOR_SHARE:.0%} of the shortest round trip seen (`Pacer` in `bot/delivery/pacer.py`):"
        " Telegram counts a message when it arrives, and every round trip spends at least"
        " the floor on the way there and back, so a send paced a second after another's"
        " answer less the floor arrives at least a second after it; counting from the"
        " answer alone stretched each second by a whole round trip."
    )
    facts = [
        f"- Command: `{command}`, {runs.seconds:.0f} s in all",
        f"- Data: {plan.recipients:,} recipients × {plan.rounds} rounds; seed {plan.seed}",
        f"- Date: {datetime.now(UTC):%Y-%m-%d}",
        f"- Machine: {machine()}",
    ]
    ok = all(checks.values())
    blocks: list[str] = [HEADING, textwrap.fill(about, 92), "\n".join(facts), "\n".join(rows)]
    blocks.append(f"Verdict: {verdict(ok)}.")
    return "\n\n".join(blocks) + "\n"


def _share(child: Result, key: str) -> str:
    return f"{child[key] / child['seconds']:.0%}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.paid", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--recipients", type=int, help="default 20000 (2000 with --quick)")
    parser.add_argument("--rounds", type=int, help="A/B rounds (default 2; 1 with --quick)")
    parser.add_argument("--seed", type=int, default=1, help="data generator seed")
    parser.add_argument("--out", type=Path, help="write the results section into this file")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2000 recipients, 1 round")
    hidden = argparse.SUPPRESS  # the parent's interface to its children
    parser.add_argument("--child", choices=("raw", "engine"), help=hidden)
    parser.add_argument("--db", type=Path, help=hidden)
    parser.add_argument("--base-url", help=hidden)
    parser.add_argument("--standin-pid", type=int, default=0, help=hidden)
    args = parser.parse_args(argv)
    if args.recipients is None:
        args.recipients = 2_000 if args.quick else 20_000
    if args.rounds is None:
        args.rounds = 1 if args.quick else 2
    if min(args.recipients, args.rounds) < 1:
        parser.error("--recipients and --rounds must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        child = raw_child(args) if args.child == "raw" else engine_child(args)
        print(json.dumps(asyncio.run(child)))
        return
    plan = Plan(args.recipients, args.rounds, args.seed, quick=args.quick)
    publish(render(plan, measure(plan)), args.out, HEADING)


if __name__ == "__main__":
    main()
