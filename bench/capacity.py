"""Capacity: check-in steps per second of Muster against a stock PTB check-in bot.

Target (issue #14, benchmark 2): Muster at most 1.5× the stock bot's time per step, both
in-process and over HTTP against the Bot API stand-in answering every call after 50 ms.

The stock bot (``bench/stock_bot.py``) is what a PTB v22 tutorial would write for the
same form: a ``ConversationHandler``, the answer kept in a dict, concurrent updates on,
no persistence. Muster is the application from ``build_application`` with its database
and its persistence. Both get the same updates, recorded once from a rehearsal of Muster
(``bench.checkin_inbound.prepare``): every member's ``/checkin``, then every member's
press on "At my post", then every member's "✅ Submit", phase by phase, each phase fed at
once as a burst and handed to the application's own update processor as PTB's update
fetcher does (concurrently when the application allows it). The two presses are the timed
steps; persistence is flushed as PTB's updater does (every ``persistence_flush_seconds``
and at the end of each phase, inside its time).

Modes: ``inproc``, the in-process ``FakeBotApi`` behind ``FakeRequest`` (CPU per step,
nothing else), and ``http``, the stand-in in its own process on 127.0.0.1 answering
after 50 ms, with each bot's own default HTTP transport. Every measurement is a fresh
process (and, over HTTP, a fresh stand-in); rounds run A B A B … (A the stock bot).
``--before DIR`` adds a third side, C: Muster from another checkout (the code before a
change; ``git worktree add``), run with this benchmark, in the same rounds.

    .venv/bin/python -m bench.capacity [--members 2000] [--http-members 300] [--rounds 3]
                                       [--pacer off] [--before DIR] [--quick]
                                       [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

import app.build as build_module
from app.build import build_application
from app.inbox import Inbox
from app.updates import ChatOrderedProcessor
from bench.checkin_inbound import (
    NOW,
    PHASES,
    TIMED,
    TimedBotApi,
    bench_settings,
    copy_db,
    prepare,
)
from bench.report import machine, publish, verdict
from bench.stock_bot import build_stock_bot
from bot.config import Settings, load_settings
from bot.delivery.pacer import Pacer
from bot.kit.clock import FakeClock
from fakeapi import FakeRequest
from fakeapi.core import JSON
from fakeapi.serve import StandInApi
from fakeapi.server import BotApiServer
from handlers.checkins.phone import TELL_GROUP
from handlers.kit.slots import SERVICES

HEADING = "## Capacity: Muster against a stock PTB check-in bot"
RATIO_TARGET = 1.5
# --members, --http-members and --rounds: by default, and with --quick
DEFAULTS = (2_000, 300, 3)
QUICK = (200, 50, 1)
ANSWER_AFTER_MS = 50
TOKEN = "123456:capacity-bench"
MODES = {"inproc": "in-process stand-in", "http": "HTTP, stand-in answering after 50 ms"}
SIDES = {"stock": "A: stock PTB bot", "muster": "B: Muster", "before": "C: Muster before"}
# --parts: Muster with one part switched off (only to measure what that part costs a step).
OFF = "off:"  # a side's prefix: Muster with that part switched off
PARTS = {
    "processor": "the per-chat ordered processor (plain concurrent instead)",
    "pacer": "the reply pacer",
    "persistence": "persistence (user data and conversation states kept in memory only)",
    "inbox": "the inbox's hooks (the bench hands updates over directly, as PTB's fetcher"
    " does after the inbox stored a getUpdates batch, so its store is not on this path)",
    "tell": "telling a member of a check-in recorded by phone (handlers/checkins/phone.py:"
    " a point read before every private message)",
}
PROJECT_ROOT = Path(__file__).resolve().parents[1]

Result = dict[str, Any]
AnyApp = Application[Any, Any, Any, Any, Any, Any]


# --- a measurement, in a fresh process ------------------------------------------------------


def load_phases(tmp: Path, members: int) -> dict[str, list[JSON]]:
    """The recorded updates of the first ``members`` members, phase by phase."""
    return {
        phase: json.loads((tmp / f"{phase}.json").read_text(encoding="utf-8"))[:members]
        for phase in PHASES
    }


def muster_settings(db: Path, base_url: str | None) -> Settings:
    if base_url is None:
        return bench_settings(db)
    return load_settings(
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai"},
        storage={"database": db},
        telegram={"token": TOKEN, "api_base_url": base_url, "api_file_url": base_url},
    )


@dataclass(slots=True)
class Side:
    """A side's application, the stock bot's dict of check-ins, the in-process stand-in."""

    app: AnyApp
    stock_checkins: dict[int, str] | None = None
    api: TimedBotApi | None = None


async def build(args: argparse.Namespace, db: Path) -> Side:
    """The side's application, on the in-process stand-in or over HTTP."""
    clock = FakeClock(NOW)
    request, api = None, None
    if args.base_url is None:
        api = TimedBotApi(clock=clock.now)
        for batch in load_phases(args.tmp, args.members).values():
            for update in batch:
                api.observe_update(update)
        request = FakeRequest(api)
    if args.child == "stock":
        app, checkins = build_stock_bot(TOKEN, request=request, base_url=args.base_url)
        return Side(app, checkins, api)
    settings = muster_settings(db, args.base_url)
    switch_off(args.off)
    pacer = None
    if args.pacer == "off" or args.off == "pacer":
        pacer = Pacer.from_settings(settings.delivery)
        pacer.enabled = False
    app = await build_application(settings, request=request, clock=clock, pacer=pacer)
    if args.off == "persistence":
        app.persistence = None  # before initialize: nothing loaded, nothing flushed
    if args.off == "tell":
        for handler in list(app.handlers.get(TELL_GROUP, ())):
            app.remove_handler(handler, group=TELL_GROUP)
    return Side(app, api=api)


class _Unordered(ChatOrderedProcessor):
    """Plain concurrent processing (PTB's SimpleUpdateProcessor with the bound): no order."""

    __slots__ = ()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with self._slots:
            await coroutine


def switch_off(part: str | None) -> None:
    """Take ``part`` out of the application ``build_application`` is about to build (a
    measurement of what it costs; never how Muster runs)."""
    if part == "processor":
        build_module.ChatOrderedProcessor = _Unordered  # type: ignore[attr-defined]
    elif part == "inbox":
        Inbox.register = lambda self, app: None  # type: ignore[method-assign]


async def feed(app: AnyApp, updates: list[Update]) -> None:
    """What PTB's update fetcher does with a burst: every update to the update processor,
    as tasks when it handles several at once, else one after another."""
    processor = app.update_processor
    if processor.max_concurrent_updates > 1:
        await asyncio.gather(*(processor.process_update(u, app.process_update(u)) for u in updates))
    else:
        for update in updates:
            await processor.process_update(update, app.process_update(update))


async def flush_every(app: AnyApp, interval: float) -> None:
    """PTB's persistence updater, as ``Application.start`` runs it."""
    while True:
        await asyncio.sleep(interval)
        await app.update_persistence()


async def child(args: argparse.Namespace) -> Result:
    db = args.tmp / f"{args.child}-{args.mode}.db"
    copy_db(args.tmp / "seed.db", db)
    side = await build(args, db)
    app = side.app
    phases = load_phases(args.tmp, args.members)
    errors: list[str] = []

    async def record_error(update: object, context: Any) -> None:
        errors.append(repr(context.error))

    app.add_error_handler(record_error)
    gc.collect()
    gc.freeze()  # the recorded updates, loaded up front, are not the bot's heap
    result: Result = {"phases": {}, "at_once": app.update_processor.max_concurrent_updates}
    async with app:
        for phase, batch in phases.items():
            updates = [Update.de_json(update, app.bot) for update in batch]
            gc.collect()
            api_before = side.api.spent if side.api is not None else 0.0
            wall, cpu = time.perf_counter(), time.process_time()
            flusher = None
            if app.persistence is not None:
                interval = app.persistence.update_interval
                flusher = asyncio.create_task(flush_every(app, interval))
            await feed(app, updates)
            if flusher is not None:
                flusher.cancel()
                await app.update_persistence()
            result["phases"][phase] = {
                "seconds": time.perf_counter() - wall,
                "cpu": time.process_time() - cpu,
                "api_s": side.api.spent - api_before if side.api is not None else 0.0,
            }
        if errors:
            raise SystemExit(f"{len(errors)} handler errors, the first: {errors[0]}")
        result["checkins"] = await count_checkins(app, side.stock_checkins)
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
    if result["checkins"] != args.members:
        raise SystemExit(f"{result['checkins']} check-ins stored, not {args.members}")
    return result


async def count_checkins(app: AnyApp, stock_checkins: dict[int, str] | None) -> int:
    if stock_checkins is not None:
        return len(stock_checkins)
    db = SERVICES.of(app).storage.db
    row = await db.fetchone("SELECT COUNT(*) AS n FROM checkins")
    return int(row["n"]) if row else -1


# --- the stand-in over HTTP, in a process of its own ----------------------------------------


async def standin(args: argparse.Namespace) -> None:
    """``fakeapi.serve``'s stand-in, told the recorded updates first (so the presses'
    messages exist, as on Telegram); prints its base URL, serves until SIGTERM."""
    api = StandInApi(args.answer_after / 1000, 0.0, (1, 1))
    for batch in load_phases(args.tmp, args.members).values():
        for update in batch:
            api.observe_update(update)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with BotApiServer(api, TOKEN) as server:
        print(server.base_url, flush=True)
        await stop.wait()


@dataclass(slots=True)
class Standin:
    """:func:`standin` in a process of its own (also ``bench.cluster_inbound``'s)."""

    process: subprocess.Popen[str]
    base_url: str

    @classmethod
    def start(cls, tmp: Path, members: int) -> Standin:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "bench.capacity", "--standin"),
                *("--tmp", str(tmp), "--members", str(members)),
            ],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        if not base_url.startswith("http://"):
            process.kill()
            raise SystemExit("the Bot API stand-in did not start")
        return cls(process, base_url)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


# --- the parent: setup, children, rounds ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    members: int
    http_members: int
    rounds: int
    seed: int
    pacer: str
    before: Path | None
    modes: tuple[str, ...] = tuple(MODES)
    quick: bool = False
    parts: bool = False


@dataclass(slots=True)
class Runs:
    # mode -> rounds -> side -> result
    rounds: dict[str, list[dict[str, Result]]] = field(default_factory=dict)
    setup_s: float = 0.0
    seconds: float = 0.0


def before_root(tmp: Path, checkout: Path) -> Path:
    """A directory whose ``app``, ``bot``, ``storage`` and ``handlers`` are the other
    checkout's and whose ``bench`` (and so the stand-in it runs, ``fakeapi``, and the
    ``tests`` helpers it imports) is this one's:
    a child started there runs this benchmark on that code (the current directory comes
    first on ``sys.path``)."""
    root = tmp / "before-root"
    root.mkdir(exist_ok=True)
    for name, source in [
        ("app", checkout / "app"),
        ("bot", checkout / "bot"),
        ("storage", checkout / "storage"),
        ("handlers", checkout / "handlers"),
        ("bench", PROJECT_ROOT / "bench"),
        ("fakeapi", PROJECT_ROOT / "fakeapi"),
        ("tests", PROJECT_ROOT / "tests"),  # bench.pgstore's PostgreSQL helpers
    ]:
        link = root / name
        if not link.exists():
            link.symlink_to(source.resolve(), target_is_directory=True)
    return root


def spawn(side: str, mode: str, plan: Plan, tmp: Path) -> Result:
    members = plan.members if mode == "inproc" else plan.http_members
    options = ["--tmp", str(tmp), "--members", str(members)]
    server = None
    if mode == "http":
        server = Standin.start(tmp, members)
        options += ["--base-url", server.base_url]
    child_side = "muster" if side == "before" or side.startswith(OFF) else side
    command = [sys.executable, "-m", "bench.capacity", "--child", child_side, "--mode", mode]
    command += [*options, "--pacer", plan.pacer]
    if side.startswith(OFF):
        command += ["--off", side.removeprefix(OFF)]
    cwd = PROJECT_ROOT if side != "before" or plan.before is None else before_root(tmp, plan.before)
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    finally:
        if server is not None:
            server.stop()
    if done.returncode != 0:
        raise SystemExit(f"{side} {mode} child failed ({done.returncode}):\n{done.stderr}")
    result: Result = json.loads(done.stdout.splitlines()[-1])
    return result


def sides(plan: Plan) -> list[str]:
    return ["stock", "muster"] + (["before"] if plan.before is not None else [])


def all_sides(plan: Plan, mode: str) -> list[str]:
    """The sides of a round: with ``--parts``, Muster with each part off too."""
    parts = plan.parts
    return sides(plan) + ([OFF + part for part in PARTS] if parts else [])


def measure(plan: Plan) -> Runs:
    runs = Runs()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="muster-capacity-") as name:
        tmp = Path(name)
        asyncio.run(prepare(tmp, max(plan.members, plan.http_members), plan.seed))
        runs.setup_s = time.perf_counter() - started
        print(f"setup and rehearsal done in {runs.setup_s:.1f} s", file=sys.stderr)
        for mode in plan.modes:
            runs.rounds[mode] = []
            if not plan.quick:  # a warm-up round (page cache, .pyc files); discarded
                for side in all_sides(plan, mode):
                    spawn(side, mode, plan, tmp)
            for index in range(plan.rounds):
                measured = {side: spawn(side, mode, plan, tmp) for side in all_sides(plan, mode)}
                runs.rounds[mode].append(measured)
                took = ", ".join(f"{s} {timed(r):.2f} s" for s, r in measured.items())
                print(f"{mode} round {index + 1}/{plan.rounds}: {took}", file=sys.stderr)
    runs.seconds = time.perf_counter() - started
    return runs


# --- the report -----------------------------------------------------------------------------


def timed(side: Result, key: str = "seconds") -> float:
    return float(sum(side["phases"][p][key] for p in TIMED))


def mode_rows(plan: Plan, mode: str, rounds: list[dict[str, Result]]) -> tuple[list[str], bool]:
    members = plan.members if mode == "inproc" else plan.http_members
    steps = members * len(TIMED)

    def per_step(side: str, key: str = "seconds") -> float:
        return statistics.median(timed(r[side], key) for r in rounds) / steps * 1e6

    def ratio(side: str) -> float:
        return statistics.median(timed(r[side]) / timed(r["stock"]) for r in rounds)

    def standin(side: str) -> str:
        """The in-process stand-in's own time per step: a real server's, not the bot's."""
        return f"{per_step(side, 'api_s'):,.0f} µs" if mode == "inproc" else "–"

    ok = ratio("muster") <= RATIO_TARGET
    rows = []
    for side in sides(plan):
        shown = f"{ratio(side):.2f}×" if side != "stock" else "1.00×"
        target = f"≤ {RATIO_TARGET}×: {verdict(ok)}" if side == "muster" else "–"
        if side == "muster":
            shown = f"**{shown}**"
        rows.append(
            f"| {MODES[mode]} ({steps:,} steps) | {SIDES[side]} | {per_step(side):,.0f} µs"
            f" | {steps / (per_step(side) * steps / 1e6):,.0f}/s"
            f" | {per_step(side, 'cpu'):,.0f} µs | {standin(side)} | {shown} | {target} |"
        )
    at_once = " · ".join(f"{rounds[0][s]['at_once']:,}" for s in sides(plan))
    rows.append(
        f"| {MODES[mode]}: updates handled at once | {' · '.join(sides(plan))} | {at_once}"
        " | – | – | – | – | – |"
    )
    for index, measured in enumerate(rounds, start=1):
        times = " · ".join(f"{timed(measured[s]):.2f} s" for s in sides(plan))
        rows.append(f"| {MODES[mode]}, round {index} | {' · '.join(sides(plan))} | {times}"
                    " | – | – | – | – | – |")  # fmt: skip
    return rows, ok


def parts_table(plan: Plan, mode: str, rounds: list[dict[str, Result]]) -> list[str]:
    """What each part costs Muster a step in ``mode``: Muster as shipped minus Muster with
    that part off, per round (same rounds), median; and the ratio it would have without."""
    steps = (plan.members if mode == "inproc" else plan.http_members) * len(TIMED)
    rows = [
        "| switched off (measurement only) | cost a step, median of per-round differences"
        " | Muster without it ÷ stock, median |",
        "|---|---:|---:|",
    ]
    for part, what in PARTS.items():
        side = OFF + part
        cost = statistics.median(timed(r["muster"]) - timed(r[side]) for r in rounds)
        ratio = statistics.median(timed(r[side]) / timed(r["stock"]) for r in rounds)
        rows.append(f"| {what} | {cost / steps * 1e6:,.0f} µs | {ratio:.2f}× |")
    return rows


def render(plan: Plan, runs: Runs) -> str:
    table = [
        "| mode | bot | time per step, median | steps/s | CPU per step | of it the"
        " in-process stand-in | ÷ stock, median of per-round ratios | target |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    verdicts = []
    for mode, rounds in runs.rounds.items():
        rows, ok = mode_rows(plan, mode, rounds)
        table += rows
        verdicts.append(f"{MODES[mode]} {verdict(ok)}")
    command = "python -m bench.capacity"
    if plan.quick:
        command += " --quick"
    defaults = QUICK if plan.quick else DEFAULTS
    for flag, value, default in zip(
        ("--members", "--http-members", "--rounds"),
        (plan.members, plan.http_members, plan.rounds),
        defaults,
        strict=True,
    ):
        if value != default:
            command += f" {flag} {value}"
    if plan.pacer != "shipped":
        command += f" --pacer {plan.pacer}"
    if plan.modes != tuple(MODES):
        command += f" --modes {','.join(plan.modes)}"
    if plan.before is not None:
        command += " --before <checkout of the commit before>"
    if plan.parts:
        command += " --parts"
    about = [
        "Target: Muster at most"
        f" {RATIO_TARGET}× the time per check-in step of a stock python-telegram-bot check-in"
        " bot (`bench/stock_bot.py`: a `ConversationHandler`, the answer kept in a dict,"
        " concurrent updates on, no persistence, no database, no rate limiter), fed the same"
        " updates through the same stand-in in the same run. The updates are recorded once"
        " from a rehearsal of Muster (as in `bench.checkin_inbound`): every member's"
        ' `/checkin`, then every member\'s press on "At my post", then every "✅ Submit";'
        " each phase is one burst handed to the application's update processor as PTB's"
        " update fetcher does, concurrently when the application allows it. Timed: the two"
        " presses (both bots answer the callback and edit the message; Muster also stores"
        " the check-in and its conversation state). Persistence is flushed as PTB's updater"
        " does, and once at the end of each phase, inside its time.",
        "Modes: in-process (`FakeRequest` to `FakeBotApi`: the CPU a step costs) and HTTP"
        " (the stand-in in its own process on 127.0.0.1, answering every call after"
        f" {ANSWER_AFTER_MS} ms, each bot with its own default transport: what a burst of"
        " members meets on a real network). Each measurement is a fresh process, and over"
        " HTTP a fresh stand-in; rounds run A B A B … after a discarded warm-up round;"
        " shown are medians. Every run is checked: one check-in stored per member, no"
        " handler error. Over HTTP a step is two round trips of at least 50 ms, so the time"
        " per step there is set by how many updates a bot handles at once (shown) and by its"
        " transport's CPU per request, not by the CPU of its handlers.",
        "Both bots make the same calls per step (`answerCallbackQuery`, `editMessageText`),"
        " so both pay the in-process stand-in's work (shown in its own column). The stand-in"
        " takes every string as plain text, as a server reading JSON does: handed Muster's"
        " own `Html` strings in-process, its copies of each message had cost Muster about"
        " 20 µs a step more than the stock bot's plain strings, a cost no real server"
        " charges. Muster's edits in answer to a press go out through"
        " `bot/delivery/raw.py`: the request PTB's `edit_message_text` makes, but"
        " Telegram's answer is kept as JSON rather than built into a `Message` nobody reads,"
        " and each set of buttons is encoded once; the stock bot builds the `Message`, as"
        " PTB does by default.",
    ]
    if plan.pacer == "off":
        about.append(
            "Run with `--pacer off`: Muster's reply pacer is disabled (`Pacer(enabled=False)`),"
            " which is not how Muster ships; the rows show the per-step cost without the"
            " pacing of replies and edits (their own allowance, bot/delivery/reply_pacing.py)."
        )
    else:
        about.append(
            "Muster runs as shipped: its default settings (`telegram.concurrent_updates`,"
            " the aiohttp transport, the reply pacer on, persistence in its database)."
        )
    if plan.before is not None:
        about.append(
            "C is Muster from another checkout (`--before`, the code before a change), run"
            " by this benchmark in the same rounds."
        )
    facts = [
        f"- Command: `{command}`, {runs.seconds:.0f} s in all ({runs.setup_s:.0f} s setup)",
        f"- Data: {plan.members:,} members in-process, {plan.http_members:,} over HTTP,"
        f" {plan.rounds} round(s), seed {plan.seed}",
        f"- Date: {datetime.now(UTC):%Y-%m-%d}",
        f"- Machine: {machine()}; shared with other jobs, so single numbers are noisy: the"
        " ratios are from the same rounds",
    ]
    blocks: list[str | list[str]] = [
        HEADING,
        *(textwrap.fill(p, 92, break_on_hyphens=False) for p in about),
        facts,
        table,
        "Verdict: " + ", ".join(verdicts) + ".",
    ]
    for mode in runs.rounds if plan.parts else ():
        where = "in-process" if mode == "inproc" else "over HTTP"
        blocks.append(
            textwrap.fill(
                f"Where Muster's time goes {where} (`--parts`): in the same rounds, Muster"
                " with one part switched off in turn, which Muster never runs without:",
                92,
            )
        )
        blocks.append(parts_table(plan, mode, runs.rounds[mode]))
    return "\n\n".join(b if isinstance(b, str) else "\n".join(b) for b in blocks) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.capacity", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--members", type=int, help="members in-process (default 2000)")
    parser.add_argument("--http-members", type=int, help="members over HTTP (default 300)")
    parser.add_argument("--rounds", type=int, help="A/B rounds per mode (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="data generator seed")
    parser.add_argument(
        "--pacer",
        choices=("shipped", "off"),
        default="shipped",
        help="off: Muster's reply pacer disabled (not as shipped), to see its share",
    )
    parser.add_argument("--before", type=Path, help="a checkout of Muster to run as side C")
    parser.add_argument(
        "--modes", default=",".join(MODES), help="which modes, comma-separated: inproc,http"
    )
    parser.add_argument(
        "--parts",
        action="store_true",
        help="also Muster with each part switched off in turn (what each costs)",
    )
    parser.add_argument("--out", type=Path, help="write the results section into this file")
    parser.add_argument("--quick", action="store_true", help="smoke run: 200/50 members, 1 round")
    hidden = argparse.SUPPRESS  # the parent's interface to its children and stand-ins
    parser.add_argument("--child", choices=("stock", "muster"), help=hidden)
    parser.add_argument("--standin", action="store_true", help=hidden)
    parser.add_argument("--mode", choices=tuple(MODES), help=hidden)
    parser.add_argument("--off", choices=tuple(PARTS), help=hidden)
    parser.add_argument("--tmp", type=Path, help=hidden)
    parser.add_argument("--base-url", help=hidden)
    parser.add_argument("--answer-after", type=float, default=ANSWER_AFTER_MS, help=hidden)
    args = sized(parser, argv, QUICK, DEFAULTS)
    if args.before is not None and not (args.before / "app" / "build.py").is_file():
        parser.error(f"--before: {args.before} is not a Muster checkout")
    return args


def sized(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    quick: tuple[int, int, int],
    full: tuple[int, int, int],
) -> argparse.Namespace:
    """The arguments, ``--members``, ``--http-members`` and ``--rounds`` filled in (from
    ``quick`` or ``full``) and ``--modes`` read (also ``bench.cluster_inbound``'s)."""
    args = parser.parse_args(argv)
    defaults = quick if args.quick else full
    for name, default in zip(("members", "http_members", "rounds"), defaults, strict=True):
        if getattr(args, name) is None:
            setattr(args, name, default)
    if min(args.members, args.http_members, args.rounds) < 1:
        parser.error("need --members, --http-members and --rounds >= 1")
    args.modes = tuple(m for m in args.modes.split(",") if m)
    if not args.modes or set(args.modes) - set(MODES):
        parser.error(f"--modes: some of {', '.join(MODES)}")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.standin:
        asyncio.run(standin(args))
        return
    if args.child:
        print(json.dumps(asyncio.run(child(args))))
        return
    plan = Plan(
        args.members, args.http_members, args.rounds, args.seed, args.pacer, args.before,
        args.modes, quick=args.quick, parts=args.parts,
    )  # fmt: skip
    publish(render(plan, measure(plan)), args.out, HEADING)


if __name__ == "__main__":
    main()
