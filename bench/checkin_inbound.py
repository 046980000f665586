"""Inbound check-ins: conversation steps through the whole ``Application``, against the same
pipeline with a do-nothing handler.

Target (from the issue): 10,000 check-in conversation steps (5,000 members × 2 steps), built
as real updates and pushed through the full ``Application`` with their SQLite writes, at
least 4,000 steps/s on the 2-core machine and at most 2.5× the do-nothing pipeline's time.

With the default form (one single-choice question) a check-in is three updates: ``/checkin``
(the bot asks), the press on "At my post" (the bot edits its message into the summary) and
the press on "✅ Submit" (the check-in row is written). The two timed steps are the two
presses: the answer and the submit, the step that stores the check-in. ``/checkin`` is
measured too, in its own phase, and shown, but is not in the target.

Setup, untimed and done once: a new SQLite database with a generated organisation and the
members (``add_many``), then a rehearsal: the real application, driven through the in-process
``FakeBotApi``, takes every member through the three steps, and each update is kept exactly
as it was fed (so the presses carry the very message the bot had sent, ids included). Every
measurement is then a fresh process on a fresh copy of the database that replays those
updates phase by phase (all members' ``/checkin``, then all answers, then all submits):
``Update.de_json`` and ``Application.process_update`` per update, persistence written the
way PTB's own updater does it (``update_persistence()`` once ``persistence_flush_seconds``
have passed since the last flush, and once more at the end of the phase, inside the time).
A is the same builder, request, stand-in and persistence with the handlers replaced by one
``TypeHandler(Update, noop)``; B is the application as built. Rounds run A B A B … after a
discarded warm-up pair.

    .venv/bin/python -m bench.checkin_inbound [--members 5000] [--rounds 3] [--seed 1]
                                              [--quick] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import TypeHandler

from app.build import build_application
from bench.org_memory import member_rows, write_org_csv
from bench.pgstore import ServerCpu
from bench.report import machine, publish, verdict
from bot.config import Settings, load_settings
from bot.kit.clock import FakeClock
from bot.org.authz import Actor
from bot.services import Services
from fakeapi import FakeBotApi, FakeRequest, FakeUser
from fakeapi.core import JSON
from handlers.kit.common import MusterApp, MusterContext
from handlers.kit.slots import SERVICES
from storage import Storage

HEADING = "## Check-in inbound: conversation steps through the Application"
STEPS_PER_S_TARGET = 4_000.0
RATIO_TARGET = 2.5
MEMBERS_PER_UNIT = 20
ZONE = ZoneInfo("Asia/Shanghai")
# A Tuesday, inside the default 06:00-22:00 window; nothing runs the reminder schedule.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=ZONE).astimezone(UTC)
# The three updates of a check-in with the default form, in order, and what each presses.
PHASES = ("open", "answer", "submit")
ANSWER_CHOICE = "post"  # the choice pressed: "At my post"
TIMED = ("answer", "submit")  # the two steps the target counts
LABELS = {
    "open": "`/checkin` (the bot asks; not in the target)",
    "answer": 'press "At my post" (the bot edits in the summary)',
    "submit": 'press "✅ Submit" (the check-in row is written)',
}
PROJECT_ROOT = Path(__file__).resolve().parents[1]

Result = dict[str, Any]


def units_for(members: int) -> int:
    """About twenty members to a branch, as in a real organisation; 3 to 5,000 units."""
    return max(3, min(5_000, members // MEMBERS_PER_UNIT))


def bench_settings(db: Path, url: str | None = None) -> Settings:
    """The bench's settings on the SQLite file ``db``, or on PostgreSQL at ``url``."""
    return load_settings(
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai"},
        storage={"url": url} if url else {"database": db},
    )


def copy_db(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


class TimedBotApi(FakeBotApi):
    """The in-process stand-in, keeping the time spent answering calls (a real Bot API
    server does that work on its own machine, so it is shown apart) and a count of the
    calls by method and status instead of the record of every call, which a real server
    does not leave in the bot's heap."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spent = 0.0
        self.counts: Counter[str] = Counter()

    async def handle(self, method: str, params: Mapping[str, Any]) -> tuple[int, JSON]:
        started = time.perf_counter()
        try:
            return await super().handle(method, params)
        finally:
            for call in self.calls:
                self.counts[f"{call.method} {call.status}"] += 1
            self.calls.clear()
            self.spent += time.perf_counter() - started


class GcClock:
    """Seconds the cyclic garbage collector has run in this process since ``install``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def install(self) -> None:
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


GC = GcClock()


# --- setup: the database and the updates, once per run ------------------------------------


async def prepare(tmp: Path, members: int, seed: int) -> Result:
    """The seed database (organisation and members) and, from a rehearsal of the real
    application on a copy of it, every update of every phase; returns what it checked."""
    seed_db = tmp / "seed.db"
    settings = bench_settings(seed_db)
    storage = await Storage.open(seed_db)
    try:
        services = Services.build(settings, storage, FakeClock(NOW))
        org_csv = tmp / "org.csv"
        write_org_csv(org_csv, units_for(members), seed)
        await services.org.import_file(Actor.console(), org_csv)
        branch_ids = [unit.id for unit in await storage.units.all() if unit.depth == 2]
        rows = list(member_rows(members, branch_ids, seed, {}))
        await storage.members.add_many(rows, NOW)
    finally:
        await storage.close()
    rehearsal = tmp / "rehearsal.db"
    copy_db(seed_db, rehearsal)
    clock = FakeClock(NOW)
    api = TimedBotApi(clock=clock.now)
    app = await build_application(bench_settings(rehearsal), request=FakeRequest(api), clock=clock)
    labels = press_labels(SERVICES.of(app))
    # The members as Telegram shows them: the names the table holds (so no profile write is
    # due), each in their own language (half the replies are in Chinese).
    people = [
        FakeUser(int(telegram_id or 0), name, username=username, language_code=language, api=api)
        for telegram_id, name, username, language, _ in rows
    ]
    updates: dict[str, list[JSON]] = {phase: [] for phase in PHASES}
    try:
        async with app:
            for phase in PHASES:
                for person in people:
                    update = api.observe_update(step(phase, person, api, labels))
                    updates[phase].append(json.loads(json.dumps(update)))
                    await app.process_update(Update.de_json(update, app.bot))
                await app.update_persistence()
            checks = await b_checks(app, api, members)
    finally:
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
    for phase, batch in updates.items():
        (tmp / f"{phase}.json").write_text(json.dumps(batch), encoding="utf-8")
    return checks


def press_labels(services: Services) -> dict[tuple[str, str], str]:
    """(phase, language) -> the button a member presses: "At my post" is the first
    question's ``post`` choice, as configured; Submit comes from the catalogue."""
    question = services.checkins.form.questions[0]
    post = next(c for c in question.choices if c.id == ANSWER_CHOICE)
    return {
        (phase, language): text
        for language in ("en", "zh")
        for phase, text in (
            ("answer", post.label.zh if language == "zh" else post.label.en),
            ("submit", services.i18n.plain(language, "checkin-submit")),
        )
    }


def step(phase: str, person: FakeUser, api: FakeBotApi, labels: dict[tuple[str, str], str]) -> JSON:
    """The update ``person`` sends in ``phase``: the command, or a press on the bot's last
    message in their chat, by the button's label in their language (as a person presses)."""
    if phase == "open":
        return person.command("checkin")
    return person.press(api.last_message(person.id), labels[phase, person.language_code])


async def b_checks(app: MusterApp, api: TimedBotApi, members: int) -> Result:
    """What the real pipeline must have done: a check-in per member, no conversation left
    open, and the Bot API calls it made."""
    services = SERVICES.of(app)
    db = services.storage.db
    checkins = await db.fetchone("SELECT COUNT(*) AS n FROM checkins")
    open_ = await db.fetchone("SELECT COUNT(*) AS n FROM ptb_conversations")
    result: Result = {
        "checkins": checkins["n"] if checkins else -1,
        "open_conversations": open_["n"] if open_ else -1,
        "calls": dict(api.counts),
    }
    if result["checkins"] != members or result["open_conversations"] != 0:
        raise SystemExit(f"the rehearsal went wrong: {result}")
    return result


# --- a measurement, in a fresh process ------------------------------------------------------


async def child(args: argparse.Namespace) -> Result:
    """Replay the prepared updates, phase by phase, through a fresh application on a fresh
    copy of the database; ``noop`` swaps the handlers for one that does nothing."""
    tmp: Path = args.tmp
    db = tmp / f"{args.child}.db"
    if args.url is None:  # on PostgreSQL, the parent made a fresh copy for this child
        copy_db(tmp / "seed.db", db)
    phases = {p: json.loads((tmp / f"{p}.json").read_text(encoding="utf-8")) for p in PHASES}
    clock = FakeClock(NOW)
    api = TimedBotApi(clock=clock.now)
    for batch in phases.values():  # what the server knew as each update arrived
        for update in batch:
            api.observe_update(update)
    settings = bench_settings(db, args.url)
    server = ServerCpu(args.url) if args.url else None
    app = await build_application(settings, request=FakeRequest(api), clock=clock)
    # The updates were loaded up front, which a real bot never does: keep the collector
    # from walking them again and again.
    gc.collect()
    gc.freeze()
    GC.install()
    noop_calls = 0
    errors: list[str] = []

    async def noop(update: Update, context: MusterContext) -> None:
        nonlocal noop_calls
        noop_calls += 1

    async def record_error(update: object, context: MusterContext) -> None:
        errors.append(repr(context.error))

    if args.child == "noop":
        app.handlers.clear()
        app.add_handler(TypeHandler(Update, noop))
    app.add_error_handler(record_error)
    interval = settings.telegram.persistence_flush_seconds
    result: Result = {"phases": {}}
    try:
        async with app:
            for phase, batch in phases.items():
                gc.collect()
                if server is not None:
                    await server.start()
                result["phases"][phase] = await replay(app, api, batch, interval)
                if server is not None:
                    result["phases"][phase]["server_cpu"] = await server.stop()
            if errors:
                raise SystemExit(f"{len(errors)} handler errors, the first: {errors[0]}")
            if args.child == "real":
                result["checks"] = await b_checks(app, api, len(phases["open"]))
    finally:
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
    if args.child == "noop" and noop_calls != sum(len(b) for b in phases.values()):
        raise SystemExit(f"the do-nothing handler ran {noop_calls} times")
    return result


async def replay(app: MusterApp, api: TimedBotApi, batch: list[JSON], interval: float) -> Result:
    """Feed ``batch`` in order; flush persistence as PTB's updater does (every ``interval``
    seconds) and once at the end. Wall and CPU time of it all, and the parts of it."""
    bot = app.bot
    flushes, flush_s = 0, 0.0
    api_before, gc_before = api.spent, GC.seconds
    wall, cpu, loop_cpu = time.perf_counter(), time.process_time(), time.thread_time()
    last_flush = wall
    for update in batch:
        await app.process_update(Update.de_json(update, bot))
        now = time.perf_counter()
        if now - last_flush >= interval:
            await app.update_persistence()
            last_flush = time.perf_counter()
            flushes, flush_s = flushes + 1, flush_s + last_flush - now
    now = time.perf_counter()
    await app.update_persistence()
    end = time.perf_counter()
    return {
        "seconds": end - wall,
        "cpu": time.process_time() - cpu,
        "loop_cpu": time.thread_time() - loop_cpu,
        "flushes": flushes + 1,
        "flush_s": flush_s + end - now,
        "api_s": api.spent - api_before,
        "gc_s": GC.seconds - gc_before,
    }


# --- the parent: setup, children, rounds ------------------------------------------------------


def spawn(side: str, tmp: Path, url: str | None = None) -> Result:
    """A measurement in a fresh process; on PostgreSQL at ``url`` when given."""
    command = [sys.executable, "-m", "bench.checkin_inbound", "--child", side, "--tmp", str(tmp)]
    command += ["--url", url] if url else []
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{side} child failed ({done.returncode}):\n{done.stderr}")
    result: Result = json.loads(done.stdout.splitlines()[-1])
    return result


@dataclass(frozen=True, slots=True)
class Plan:
    members: int
    rounds: int
    seed: int
    quick: bool = False  # a smoke run: no warm-up pair


@dataclass(slots=True)
class Runs:
    pairs: list[tuple[Result, Result]] = field(default_factory=list)  # (noop A, real B)
    rehearsal: Result = field(default_factory=dict)
    setup_s: float = 0.0
    seconds: float = 0.0


def measure(plan: Plan) -> Runs:
    runs = Runs()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="muster-bench-") as name:
        tmp = Path(name)
        runs.rehearsal = asyncio.run(prepare(tmp, plan.members, plan.seed))
        runs.setup_s = time.perf_counter() - started
        print(f"setup and rehearsal done in {runs.setup_s:.1f} s", file=sys.stderr)
        if not plan.quick:  # a warm-up pair (page cache, .pyc files); discarded
            spawn("noop", tmp)
            spawn("real", tmp)
        for index in range(plan.rounds):
            noop = spawn("noop", tmp)
            real = spawn("real", tmp)
            if real["checks"] != runs.rehearsal:
                raise SystemExit(f"the replay differs from the rehearsal: {real['checks']}")
            runs.pairs.append((noop, real))
            print(
                f"round {index + 1}/{plan.rounds}: do-nothing {timed(noop):.2f} s,"
                f" real {timed(real):.2f} s",
                file=sys.stderr,
            )
    runs.seconds = time.perf_counter() - started
    return runs


# --- the report -------------------------------------------------------------------------------


def timed(side: Result, key: str = "seconds", phases: Sequence[str] = TIMED) -> float:
    return float(sum(side["phases"][p][key] for p in phases))


def results_table(plan: Plan, runs: Runs) -> tuple[list[str], bool, bool]:
    steps = plan.members * len(TIMED)
    a_s = statistics.median(timed(a) for a, _ in runs.pairs)
    b_s = statistics.median(timed(b) for _, b in runs.pairs)
    ratios = [timed(b) / timed(a) for a, b in runs.pairs]
    ratio = statistics.median(ratios)
    ratio_ok, rate_ok = ratio <= RATIO_TARGET, steps / b_s >= STEPS_PER_S_TARGET
    rows = [
        f"| {plan.members:,} members × {len(TIMED)} steps = {steps:,} updates"
        " | do-nothing (A) | real (B) | B / A | target |",
        "|---|---:|---:|---:|---|",
        f"| **time, median** | {a_s:.2f} s | {b_s:.2f} s | **{ratio:.2f}×** (median of"
        f" per-round ratios) | ≤ {RATIO_TARGET}×: {verdict(ratio_ok)} |",
        f"| **throughput, median** | {steps / a_s:,.0f} steps/s | **{steps / b_s:,.0f} steps/s**"
        f" | – | ≥ {STEPS_PER_S_TARGET:,.0f}/s: {verdict(rate_ok)} |",
    ]
    for index, ((a, b), r) in enumerate(zip(runs.pairs, ratios, strict=True), start=1):
        rows.append(f"| round {index} | {timed(a):.2f} s | {timed(b):.2f} s | {r:.2f}× | – |")

    def per_phase(label: str, phases: Sequence[str], count: int) -> str:
        a = statistics.median(timed(p[0], phases=phases) for p in runs.pairs)
        b = statistics.median(timed(p[1], phases=phases) for p in runs.pairs)
        r = statistics.median(
            timed(p[1], phases=phases) / timed(p[0], phases=phases) for p in runs.pairs
        )
        return (
            f"| {label} | {a:.2f} s ({count / a:,.0f}/s) | {b:.2f} s ({count / b:,.0f}/s)"
            f" | {r:.2f}× | – |"
        )

    for phase in PHASES:
        rows.append(per_phase(f"per phase: {LABELS[phase]}", [phase], plan.members))
    rows.append(
        per_phase(
            f"all three updates ({plan.members * len(PHASES):,})",
            PHASES,
            plan.members * len(PHASES),
        )
    )

    def share(side: int, key: str, phases: Sequence[str] = TIMED) -> str:
        values = [timed(p[side], key, phases) / timed(p[side], phases=phases) for p in runs.pairs]
        return f"{statistics.median(values):.0%}"

    def seconds_of(side: int, key: str) -> str:
        return f"{statistics.median(timed(p[side], key) for p in runs.pairs):.2f} s"

    flushes = [timed(p[1], "flushes") for p in runs.pairs]
    less_api = statistics.median(timed(b) - timed(b, "api_s") for _, b in runs.pairs)
    rows += [
        f"| of the target steps' time: persistence flushes (`update_persistence`)"
        f" | {seconds_of(0, 'flush_s')} ({share(0, 'flush_s')})"
        f" | {seconds_of(1, 'flush_s')} ({share(1, 'flush_s')}) | – | – |",
        f"| of it: the in-process Bot API stand-in answering calls"
        f" | {seconds_of(0, 'api_s')} ({share(0, 'api_s')})"
        f" | {seconds_of(1, 'api_s')} ({share(1, 'api_s')}) | – | – |",
        f"| of it: the cyclic garbage collector | {seconds_of(0, 'gc_s')} ({share(0, 'gc_s')})"
        f" | {seconds_of(1, 'gc_s')} ({share(1, 'gc_s')}) | – | – |",
        f"| real (B) less the stand-in's time, for information | – | {less_api:.2f} s"
        f" ({steps / less_api:,.0f} steps/s) | – | – |",
        f"| flushes in the two target phases, median | – | {statistics.median(flushes):.0f}"
        " | – | – |",
        f"| CPU of the process (all threads), share of wall time | {share(0, 'cpu')}"
        f" | {share(1, 'cpu')} | – | – |",
        f"| CPU of the event-loop thread alone | {share(0, 'loop_cpu')}"
        f" | {share(1, 'loop_cpu')} | – | – |",
    ]
    return rows, ratio_ok, rate_ok


def render(plan: Plan, runs: Runs) -> str:
    table, ratio_ok, rate_ok = results_table(plan, runs)
    command = "python -m bench.checkin_inbound"
    if plan == Plan(500, 1, 1, quick=True):
        command += " --quick"
    elif plan != Plan(5_000, 3, 1):
        command += f" --members {plan.members} --rounds {plan.rounds} --seed {plan.seed}"
    calls = runs.rehearsal["calls"]
    call_text = ", ".join(f"{n:,} × {call}" for call, n in sorted(calls.items()))
    about = [
        f"Targets: at least {STEPS_PER_S_TARGET:,.0f} steps/s, and at most {RATIO_TARGET}× the"
        " time of the same pipeline with a do-nothing handler. With the default form (one"
        " single-choice question) a check-in is three updates: `/checkin` (the bot asks),"
        ' a press on "At my post" (the bot edits its message into the summary) and a press on'
        ' "✅ Submit" (the check-in row is written, the message edited). The two steps counted'
        " are the two presses, so the step that stores the check-in is one of them;"
        " `/checkin` is measured in its own phase and shown, outside the target.",
        "Setup, once per run and untimed: a new SQLite database with a generated organisation"
        f" ({units_for(plan.members):,} units, about {MEMBERS_PER_UNIT} members to a branch,"
        " half `en`, half `zh`; members bulk inserted with `add_many`); then a rehearsal in"
        " which the real application takes every member through the three updates, built by"
        " `FakeUser` against the in-process `FakeBotApi` and kept exactly as fed, so each"
        " press carries the message the bot had sent. Clock: `FakeClock` at Tue 2026-12-01"
        " 09:00 Asia/Shanghai, inside the 06:00-22:00 window (no scheduler runs in"
        " `process_update`). Each measurement is a fresh process on a fresh copy of the"
        " database that replays the updates phase by phase — all `/checkin`s, then all"
        " answers, then all submits, as when a whole organisation answers the morning"
        " reminder — through `Update.de_json` and `Application.process_update` (what the"
        " updater would call; concurrent updates are off). Persistence is written as PTB's"
        " own updater does: `update_persistence()` when `persistence_flush_seconds` (1 s) have"
        " passed since the last flush, and once more at the end of each phase, inside its"
        " time; as every member appears once per phase, each step's rows are written either"
        " way (`SQLitePersistence` commits each row on its own). Those writes per step: the"
        " user's and the chat's data, the conversation state (deleted on submit), and on"
        " submit the check-in row itself.",
        "B is the application from `build_application` (all handlers, `SQLitePersistence`,"
        " `FakeRequest(FakeBotApi())`: every Bot API call goes through PTB's request"
        " encoding, the stand-in answers in-process and PTB decodes the answer). A is the"
        " same build, request and persistence with `app.handlers` replaced by one"
        " `TypeHandler(Update, noop)`: it decodes the updates, builds the context and writes"
        " the (empty) user and chat data, but runs no flow and makes no API call. Rounds run"
        " A B A B … after a discarded warm-up pair; shown are medians, and the ratio is the"
        " median of the per-round ratios. Each replay is checked: B against the rehearsal"
        f" (a check-in per member, no conversation left open, the same calls: {call_text});"
        " A by its handler's count; no handler errors in either. Bench artefacts kept out of"
        " the bot's process: the stand-in counts calls instead of keeping every one, and the"
        " replayed updates, loaded up front, are frozen out of the garbage collector"
        " (`gc.freeze`). The stand-in's own time and the collector's are shown.",
    ]
    facts = [
        f"- Command: `{command}`, {runs.seconds:.0f} s in all ({runs.setup_s:.0f} s setup"
        " and rehearsal)",
        f"- Data: {plan.members:,} members, {plan.rounds} round(s), seed {plan.seed}",
        f"- Date: {datetime.now(UTC):%Y-%m-%d}",
        f"- Machine: {machine()}",
    ]
    verdicts = f"Verdict: throughput {verdict(rate_ok)}, ratio to do-nothing {verdict(ratio_ok)}."
    blocks = [
        HEADING,
        *(textwrap.fill(p, 92, break_on_hyphens=False) for p in about),
        facts,
        table,
        verdicts,
    ]
    return "\n\n".join(b if isinstance(b, str) else "\n".join(b) for b in blocks) + "\n"


def parser_of(prog: str, doc: str | None) -> argparse.ArgumentParser:
    """The options this benchmark and those built on it share (``bench.checkin_inbound_pg``)."""
    parser = argparse.ArgumentParser(prog=prog, description=(doc or "").split("\n\n")[0])
    parser.add_argument("--members", type=int, help="members, 2 timed steps each (default 5000)")
    parser.add_argument("--rounds", type=int, help="A/B rounds (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="data generator seed")
    parser.add_argument("--out", type=Path, help="write the results section into this file")
    parser.add_argument("--quick", action="store_true", help="smoke run: 500 members, 1 round")
    return parser


def sized(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments, ``--members`` and ``--rounds`` filled in (``--quick``'s or the full run's)."""
    args = parser.parse_args(argv)
    defaults = (500, 1) if args.quick else (5_000, 3)
    for name, default in zip(("members", "rounds"), defaults, strict=True):
        if getattr(args, name) is None:
            setattr(args, name, default)
    if args.members < 1 or args.rounds < 1:
        parser.error("need --members >= 1 and --rounds >= 1")
    return args


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = parser_of("python -m bench.checkin_inbound", __doc__)
    hidden = argparse.SUPPRESS  # the parent's interface to its children
    parser.add_argument("--child", choices=("noop", "real"), help=hidden)
    parser.add_argument("--tmp", type=Path, help=hidden)
    parser.add_argument("--url", help=hidden)  # the child's PostgreSQL database
    return sized(parser, argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(child(args))))
        return
    plan = Plan(args.members, args.rounds, args.seed, quick=args.quick)
    section = render(plan, measure(plan))
    publish(section, args.out, HEADING)


if __name__ == "__main__":
    main()
