"""Delivery under per-chat floods: a 429 from one chat must not pause the whole outbox.

A directive goes to ``recipients`` members, each a private chat, over real HTTP to the Bot
API stand-in (``python -m fakeapi.serve``, its own process), which answers every call
after 50 ms, enforces 30 msg/s overall and 1 per chat, and answers the first send to 2% of
the chats (the same chats every run) with a 429 whose ``retry_after`` is 5-30 s. The bot
side is the real ``Application`` from ``build_application`` with the delivery settings as
shipped; only the pacer's rule for a 429 differs:

- A, the old rule: every 429 pauses every send for its ``retry_after``
  (``Pacer(flood_chats=1)``);
- B, the new one, as shipped: a 429 holds back its own chat; only 429s from
  ``FLOOD_CHATS`` chats within ``FLOOD_WINDOW`` seconds pause everything.

Rounds alternate A B A B; each phase is a fresh stand-in, process and database.

    .venv/bin/python -m bench.flood [--recipients 600] [--rounds 2] [--share 0.02]
                                    [--quick] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.build import build_application
from bench.delivery import (
    Deliveries,
    Phase,
    Result,
    bench_settings,
    build_org,
    create_directive,
    drain,
    run_phase,
)
from bench.report import machine, publish
from bot.delivery.pacer import FLOOD_CHATS, FLOOD_WINDOW, Pacer
from handlers.kit.slots import DELIVERY, SERVICES
from storage import Storage
from storage.directives import DirectiveKind

HEADING = "## Delivery under per-chat floods"
ANSWER_AFTER_MS = 50
FLOOD_WAIT = "5-30"
RULES = {"old": "A: every 429 pauses all", "new": "B: a 429 holds its chat"}


# --- the bot side, in a child process ------------------------------------------------------


async def broadcast_child(args: argparse.Namespace) -> Result:
    """The real application, as shipped but for the 429 rule, drains one directive."""
    settings = bench_settings(args.db, args.base_url, paced=False)  # delivery as shipped
    storage = await Storage.open(settings.storage.database)
    result: Result = {}
    try:
        flood_chats = 1 if args.child == "old" else FLOOD_CHATS
        pacer = Pacer.from_settings(settings.delivery, flood_chats=flood_chats)
        app = await build_application(settings, pacer=pacer, storage=storage)
        services = SERVICES.of(app)
        engine = DELIVERY.of(app)
        org = await build_org(services, args.db.parent, args.recipients, args.seed)
        directive = await create_directive(services, org["root_id"], args.recipients)
        # The old rule may wait out every flooded chat's retry_after one after another.
        limit = 120.0 + args.recipients
        async with app:
            drained = await drain(engine, args.recipients, args.standin_pid, True, limit=limit)
            result.update(drained)
        counts = await storage.outbox.counts(directive.id, DirectiveKind.DIRECTIVE)
        result["outbox"] = {status: n for status, n in counts.items() if n}
    finally:
        await storage.close()
    return result


# --- the parent: rounds and the report ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Broadcast:
    """What the stand-in saw of one phase."""

    deliveries: Deliveries
    flooded: int  # chats answered 429 on purpose
    others_rate: float  # sends to the other chats / (their last accept − the first accept)
    others_done: float  # seconds from the first accept to the other chats' last
    all_done: float  # seconds from the first accept to the last (flooded chats included)
    seconds: float  # the engine's run() start to its last verdict

    @classmethod
    def of(cls, phase: Phase, recipients: int) -> Broadcast:
        seen = phase.standin
        flooded = {int(chat) for chat in seen["flooded"]}
        times: dict[str, list[float]] = seen["send_times"]
        first = min(t for at in times.values() for t in at)
        last = max(t for at in times.values() for t in at)
        others = [t for chat, at in times.items() if int(chat) not in flooded for t in at]
        span = max(others) - first
        return cls(
            deliveries=Deliveries.of(seen, recipients),
            flooded=len(flooded),
            others_rate=len(others) / span if span > 0 else float("nan"),
            others_done=span,
            all_done=last - first,
            seconds=float(phase.child["seconds"]),
        )


def measure(recipients: int, rounds: int, share: float, seed: int) -> list[dict[str, Broadcast]]:
    options = ["--answer-after", str(ANSWER_AFTER_MS), "--flood-share", str(share)]
    options += ["--flood-wait", FLOOD_WAIT]
    pairs: list[dict[str, Broadcast]] = []
    with tempfile.TemporaryDirectory(prefix="muster-bench-") as name:
        tmp = Path(name)
        for index in range(rounds):
            pair: dict[str, Broadcast] = {}
            for rule in RULES:  # A B, A B, …
                phase = run_phase(
                    rule,
                    recipients,
                    tmp,
                    seed,
                    module="bench.flood",
                    standin_options=options,
                )
                pair[rule] = Broadcast.of(phase, recipients)
                print(
                    f"round {index + 1}/{rounds} {rule}: {pair[rule].seconds:.1f} s,"
                    f" others at {pair[rule].others_rate:.1f}/s",
                    file=sys.stderr,
                )
            pairs.append(pair)
    return pairs


def render(
    recipients: int,
    share: float,
    seed: int,
    pairs: list[dict[str, Broadcast]],
    seconds: float,
    command: str,
) -> str:
    def median(rule: str, value: str) -> float:
        return float(statistics.median(getattr(pair[rule], value) for pair in pairs))

    def ratio(value: str) -> float:
        return float(
            statistics.median(getattr(p["new"], value) / getattr(p["old"], value) for p in pairs)
        )

    first = pairs[0]["new"]
    rows = [
        f"| {recipients:,} recipients, {first.flooded} of them flooded once | {RULES['old']}"
        f" | {RULES['new']} | B / A (median of per-round ratios) |",
        "|---|---:|---:|---:|",
        f"| **rate to the chats not flooded**: their sends / (their last accept − first"
        f" accept), median | {median('old', 'others_rate'):.1f}/s"
        f" | {median('new', 'others_rate'):.1f}/s | **{ratio('others_rate'):.2f}×** |",
        f"| the chats not flooded all served, median | {median('old', 'others_done'):.1f} s"
        f" | {median('new', 'others_done'):.1f} s | {ratio('others_done'):.2f}× |",
        f"| every chat served (the flooded after their wait), median"
        f" | {median('old', 'all_done'):.1f} s | {median('new', 'all_done'):.1f} s"
        f" | {ratio('all_done'):.2f}× |",
        f"| engine: `run()` start to the last verdict, median | {median('old', 'seconds'):.1f} s"
        f" | {median('new', 'seconds'):.1f} s | {ratio('seconds'):.2f}× |",
    ]
    for index, pair in enumerate(pairs, start=1):
        old, new = pair["old"], pair["new"]
        rows.append(
            f"| round {index}: rate to the others; 429s (injected + limits); lost; duplicated"
            f" | {old.others_rate:.1f}/s; {old.deliveries.too_many}; {old.deliveries.lost};"
            f" {old.deliveries.duplicated} | {new.others_rate:.1f}/s;"
            f" {new.deliveries.too_many}; {new.deliveries.lost}; {new.deliveries.duplicated}"
            f" | {new.others_rate / old.others_rate:.2f}× |"
        )
    about = (
        "A directive to every member (each a private chat) over real HTTP to the Bot API"
        f" stand-in in its own process, answering every call after {ANSWER_AFTER_MS} ms,"
        " enforcing 30 msg/s overall and 1 per chat, and answering the first send to"
        f" {share:.0%} of the chats (picked by chat id, the same chats every run) with a 429"
        f" whose `retry_after` is {FLOOD_WAIT} s. The bot side is the real `Application`"
        " with the delivery settings as shipped (28/s, 8 in flight); only the rule for a 429"
        " differs. A: the old rule, every 429 pauses every send for its `retry_after`"
        " (`Pacer(flood_chats=1)`). B: as shipped, a 429 holds back its own chat (its row is"
        " retried after `retry_after`); only 429s from"
        f" {FLOOD_CHATS} different chats within {FLOOD_WINDOW:g} s pause everything. A B A B,"
        " each phase a fresh stand-in, bot process and database; times and counts are the"
        " stand-in's."
    )
    facts = [
        f"- Command: `{command}`, {seconds:.0f} s in all",
        f"- Data: {recipients:,} recipients × {len(pairs)} rounds per rule; seed {seed}",
        f"- Date: {datetime.now(UTC):%Y-%m-%d}",
        f"- Machine: {machine()}",
    ]
    blocks = [HEADING, textwrap.fill(about, 92), "\n".join(facts), "\n".join(rows)]
    return "\n\n".join(blocks) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.flood", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--recipients", type=int, help="default 600")
    parser.add_argument("--rounds", type=int, help="A/B rounds (default 2)")
    parser.add_argument("--share", type=float, default=0.02, help="share of chats flooded")
    parser.add_argument("--seed", type=int, default=1, help="data generator seed")
    parser.add_argument("--out", type=Path, help="write the results section into this file")
    parser.add_argument("--quick", action="store_true", help="smoke run: 200 recipients, 1 round")
    hidden = argparse.SUPPRESS  # the parent's interface to its children
    parser.add_argument("--child", choices=tuple(RULES), help=hidden)
    parser.add_argument("--db", type=Path, help=hidden)
    parser.add_argument("--base-url", help=hidden)
    parser.add_argument("--standin-pid", type=int, default=0, help=hidden)
    args = parser.parse_args(argv)
    if args.recipients is None:
        args.recipients = 200 if args.quick else 600
    if args.rounds is None:
        args.rounds = 1 if args.quick else 2
    if args.recipients < 1 or args.rounds < 1 or not 0 < args.share < 1:
        parser.error("recipients and rounds must be at least 1, share between 0 and 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(broadcast_child(args))))
        return
    started = time.perf_counter()
    pairs = measure(args.recipients, args.rounds, args.share, args.seed)
    command = (
        f"python -m bench.flood --recipients {args.recipients} --rounds {args.rounds}"
        f" --share {args.share} --seed {args.seed}"
    )
    section = render(
        args.recipients, args.share, args.seed, pairs, time.perf_counter() - started, command
    )
    publish(section, args.out, HEADING)


if __name__ == "__main__":
    main()
