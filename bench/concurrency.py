"""Many people at once: how long until all of them are answered.

``people`` strangers each send ``/help`` at the same moment. The bot is the real
``Application`` from ``build_application`` (HTTP to the Bot API, reply pacing, inbox,
persistence: as shipped), started as ``muster run`` starts it; each update is stored in
the inbox and queued, as the webhook does. The Bot API stand-in (``python -m
fakeapi.serve``) runs in its own process over HTTP, answers every call after
``--answer-after`` ms (a round trip to Telegram) and enforces 30 msg/s and 1/s per chat.

- A: updates one at a time (``telegram.concurrent_updates = 1``, as before issue #14);
- B: as shipped (``telegram.concurrent_updates``' default: chats at once, each chat in order).

For each delay, rounds alternate A B A B; each phase is a fresh stand-in, bot process and
database. Times are the stand-in's (when it accepted each reply) from the moment the
updates were queued, on the machine's monotonic clock, which both processes share.

    .venv/bin/python -m bench.concurrency [--people 40] [--rounds 3] [--delays 100,50]
                                          [--quick] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Update

from app.build import build_application
from app.runner import running
from bench.delivery import TOKEN, Phase, Result, run_phase
from bench.org_memory import TELEGRAM_BASE
from bench.report import machine, publish, section_text
from bot.config import TelegramSettings, load_settings
from fakeapi import FakeUser
from storage import Storage

HEADING = "## Concurrent updates: many people at once"
SHIPPED = TelegramSettings.model_fields["concurrent_updates"].default
MODES = {"one": "A: one at a time", "shipped": f"B: as shipped ({SHIPPED} at once)"}


# --- the bot side, in a child process ------------------------------------------------------


async def people_child(args: argparse.Namespace) -> Result:
    telegram: dict[str, Any] = {"token": TOKEN, "api_base_url": args.base_url}
    telegram["api_file_url"] = args.base_url
    if args.child == "one":
        telegram["concurrent_updates"] = 1
    settings = load_settings(None, storage={"database": args.db}, telegram=telegram)
    storage = await Storage.open(settings.storage.database)
    try:
        app = await build_application(settings, storage=storage)
        payloads = [
            {"update_id": n + 1, **FakeUser(TELEGRAM_BASE + n, f"Person {n}").command("help")}
            for n in range(args.recipients)
        ]
        async with running(app) as inbox:
            started = time.monotonic()
            for payload in payloads:  # as the webhook: stored, then queued
                await inbox.receive([payload])
                await app.update_queue.put(Update.de_json(payload, app.bot))
            await app.update_queue.join()
            handled = time.monotonic()
        return {
            "started": started,
            "handled": handled - started,
            "concurrency": app.update_processor.max_concurrent_updates,
        }
    finally:
        await storage.close()


# --- the parent: rounds and the report ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Burst:
    """One phase: when each person's answer was accepted, from the updates' queueing."""

    answered: list[float]  # seconds, sorted
    people: int
    too_many: int  # 429s

    @classmethod
    def of(cls, phase: Phase, people: int) -> Burst:
        started = float(phase.child["started"])
        times: dict[str, list[float]] = phase.standin["send_times"]
        answered = sorted(
            min(at) - started
            for chat, at in times.items()
            if TELEGRAM_BASE <= int(chat) < TELEGRAM_BASE + people
        )
        return cls(answered, people, int(phase.standin["too_many_requests"]))

    @property
    def all_answered(self) -> float:
        return self.answered[-1] if len(self.answered) == self.people else float("nan")

    @property
    def median(self) -> float:
        return float(statistics.median(self.answered))

    @property
    def rate(self) -> float:
        return self.people / self.all_answered


Pair = dict[str, Burst]


def measure(people: int, rounds: int, delays: Sequence[int], seed: int) -> dict[int, list[Pair]]:
    runs: dict[int, list[Pair]] = {}
    with tempfile.TemporaryDirectory(prefix="muster-bench-") as name:
        tmp = Path(name)
        for delay in delays:
            for index in range(rounds):
                pair: Pair = {}
                for mode in MODES:  # A B, A B, …
                    phase = run_phase(
                        mode,
                        people,
                        tmp,
                        seed,
                        module="bench.concurrency",
                        standin_options=["--answer-after", str(delay)],
                    )
                    pair[mode] = Burst.of(phase, people)
                    print(
                        f"{delay} ms, round {index + 1}/{rounds} {mode}:"
                        f" all answered after {pair[mode].all_answered:.2f} s",
                        file=sys.stderr,
                    )
                runs.setdefault(delay, []).append(pair)
    return runs


def render(people: int, runs: dict[int, list[Pair]], seconds: float, command: str) -> str:
    rows = [
        f"| {people} people send /help at once | {MODES['one']} | {MODES['shipped']}"
        " | B / A (median of per-round ratios) |",
        "|---|---:|---:|---:|",
    ]
    for delay, pairs in runs.items():

        def median(mode: str, value: str, of: list[Pair] = pairs) -> float:
            return float(statistics.median(getattr(pair[mode], value) for pair in of))

        def ratio(value: str, of: list[Pair] = pairs) -> float:
            each = [getattr(p["shipped"], value) / getattr(p["one"], value) for p in of]
            return float(statistics.median(each))

        rounds = {
            mode: ", ".join(f"{pair[mode].all_answered:.2f}" for pair in pairs) for mode in MODES
        }
        refused = {mode: sum(pair[mode].too_many for pair in pairs) for mode in MODES}
        rows += [
            f"| **{delay} ms answers: all answered after**, median"
            f" | {median('one', 'all_answered'):.2f} s | {median('shipped', 'all_answered'):.2f} s"
            f" | **{ratio('all_answered'):.2f}×** |",
            f"| {delay} ms: updates answered per second, median | {median('one', 'rate'):.1f}/s"
            f" | {median('shipped', 'rate'):.1f}/s | {ratio('rate'):.2f}× |",
            f"| {delay} ms: the median person answered after, median"
            f" | {median('one', 'median'):.2f} s | {median('shipped', 'median'):.2f} s"
            f" | {ratio('median'):.2f}× |",
            f"| {delay} ms: all answered after, each round; 429s"
            f" | {rounds['one']} s; {refused['one']} | {rounds['shipped']} s;"
            f" {refused['shipped']} | – |",
        ]
    about = (
        f"{people} people (strangers, each in a private chat) send /help at the same moment."
        " The bot is the real `Application` as shipped (HTTP to the Bot API, replies paced"
        " by `PacedReplies` at the outbox's 28/s, the inbox, SQLite persistence), started as"
        " `muster run` starts it; each update is stored in the inbox and queued, as the"
        " webhook does. The Bot API stand-in runs in its own process over HTTP, answers every"
        " call after the stated delay and enforces 30 msg/s and 1/s per chat. A: updates"
        " handled one at a time (`telegram.concurrent_updates = 1`, the behaviour before"
        f" issue #14). B: as shipped, different chats at once (up to {SHIPPED}), each chat's and"
        " person's updates in order (`app/updates.py`). A B A B per delay, each phase a fresh"
        " stand-in, bot process and database; a person is answered when the stand-in"
        " accepted the reply, timed from the queueing of the updates. The machine is shared"
        " (2 cores, other engineers' runs): single numbers are noisy, the same-round ratios"
        " less so. B's floor is the reply pacing: 40 replies at 28/s take about 1.4 s."
    )
    facts = [
        f"Command: `{command}`, {seconds:.0f} s in all",
        f"Date: {datetime.now(UTC):%Y-%m-%d}",
        f"Machine: {machine()}",
    ]
    return section_text(HEADING, about, facts, rows)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.concurrency", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--people", type=int, default=40, help="default 40")
    parser.add_argument("--rounds", type=int, help="A/B rounds per delay (default 3)")
    parser.add_argument(
        "--delays", default="100,50", help="the stand-in's answer delays, ms (default 100,50)"
    )
    parser.add_argument("--out", type=Path, help="write the results section into this file")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 round, 50 ms")
    hidden = argparse.SUPPRESS  # the parent's interface to its children (see run_phase)
    parser.add_argument("--child", choices=tuple(MODES), help=hidden)
    parser.add_argument("--db", type=Path, help=hidden)
    parser.add_argument("--base-url", help=hidden)
    parser.add_argument("--recipients", type=int, help=hidden)
    parser.add_argument("--seed", type=int, default=1, help=hidden)
    parser.add_argument("--standin-pid", type=int, default=0, help=hidden)
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 1 if args.quick else 3
    if args.quick:
        args.delays = "50"
    try:
        args.delay_list = [int(d) for d in args.delays.split(",")]
    except ValueError:
        parser.error(f"--delays: not a comma-separated list of milliseconds: {args.delays!r}")
    if args.people < 1 or args.rounds < 1 or min(args.delay_list) < 0:
        parser.error("people and rounds must be at least 1, delays not negative")
    return args


def report(args: argparse.Namespace) -> str:
    started = time.perf_counter()
    runs = measure(args.people, args.rounds, args.delay_list, args.seed)
    command = (
        f"python -m bench.concurrency --people {args.people} --rounds {args.rounds}"
        f" --delays {args.delays}"
    )
    return render(args.people, runs, time.perf_counter() - started, command)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:  # one phase's bot (see run_phase)
        print(json.dumps(asyncio.run(people_child(args))))
    else:
        publish(report(args), args.out, HEADING)


if __name__ == "__main__":
    main()
