"""What telling members of check-ins recorded by phone costs every private message (issue
#18).

A member is told of a check-in a secretary recorded for them by phone the next time they
write: a handler of the check-ins wing (group −2, ``handlers/checkins/phone.py``) asks,
before anything else, whether ``checkin_phone`` holds an untold record for the writer —
one point read on the loop's own connection, by a partial index — as the directives'
telling (group −1) already does for ``directive_phone``. Almost always nobody is to be
told, so that read is all it adds.

Private text messages ("ok", which the catch-all answers) from distinct members of a
generated organisation go through ``Application.process_update``, the real application
built by ``build_application`` over the in-process stand-in (unpaced), after every member
has written once. A: the same application with the check-ins' telling handler removed (as
before this change); B: as built. Rounds alternate A B, B A … in one process after a
discarded warm-up pair; shown are the medians and the median of the per-round ratios.

    .venv/bin/python -m bench.checkin_phone [--members 5000] [--messages 2000] [--rounds 9]
                                            [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from telegram import Update

from app.build import build_application
from bench.checkin_inbound import NOW, TimedBotApi, bench_settings, units_for
from bench.org_memory import member_rows, write_org_csv
from bench.report import machine, publish, section_text, verdict
from bot.delivery.pacer import Pacer
from bot.kit.clock import FakeClock
from bot.org.authz import Actor
from fakeapi import FakeRequest, FakeUser
from fakeapi.core import JSON
from handlers.checkins.phone import TELL_GROUP
from handlers.kit.common import MusterApp
from handlers.kit.slots import SERVICES

HEADING = "## Check-ins by phone: telling the member, on every private message (issue #18)"
RATIO_TARGET = 1.05  # what one more point read may add to a private message's handling


async def setup(db: Path, tmp: Path, members: int, seed: int) -> tuple[MusterApp, TimedBotApi]:
    clock = FakeClock(NOW)
    api = TimedBotApi(clock=clock.now)
    app = await build_application(
        bench_settings(db), request=FakeRequest(api), clock=clock, pacer=Pacer.unlimited()
    )
    services = SERVICES.of(app)
    org_csv = tmp / "org.csv"
    write_org_csv(org_csv, units_for(members), seed)
    await services.org.import_file(Actor.console(), org_csv)
    branch_ids = [u.id for u in await services.storage.units.all() if u.depth == 2]
    rows = list(member_rows(members, branch_ids, seed, {}))
    await services.storage.members.add_many(rows, NOW)
    people = [
        FakeUser(int(telegram_id or 0), name, username=username, language_code=language, api=api)
        for telegram_id, name, username, language, _ in rows
    ]
    app.bot_data["bench_people"] = people
    return app, api


async def run(app: MusterApp, updates: list[JSON]) -> float:
    started = time.perf_counter()
    for update in updates:
        await app.process_update(Update.de_json(update, app.bot))
    return time.perf_counter() - started


async def measure(args: argparse.Namespace) -> tuple[list[tuple[float, float]], int]:
    with tempfile.TemporaryDirectory(prefix="muster-bench-") as name:
        tmp = Path(name)
        app, api = await setup(tmp / "phone.db", tmp, args.members, args.seed)
        people: list[FakeUser] = app.bot_data["bench_people"]
        tell = list(app.handlers[TELL_GROUP])
        pairs: list[tuple[float, float]] = []
        async with app:
            # Every member writes once first, untimed: a first message does more (the
            # user's data is created), and each side must meet members alike.
            await run(app, [api.observe_update(p.message("ok")) for p in people])
            for index in range(args.rounds + 1):
                sides = {}
                # A B, then B A: neither side always runs second (on warmer caches).
                for with_tell in (False, True) if index % 2 else (True, False):
                    # Each side its own members (distinct chats, none told twice), in turn.
                    start = (2 * index + int(with_tell)) * args.messages % len(people)
                    batch = [people[(start + n) % len(people)] for n in range(args.messages)]
                    updates = [api.observe_update(p.message("ok")) for p in batch]
                    for handler in tell:
                        if with_tell:
                            app.add_handler(handler, group=TELL_GROUP)
                        else:
                            app.remove_handler(handler, group=TELL_GROUP)
                    sides[with_tell] = await run(app, updates)
                if index:  # the first pair warms up
                    pairs.append((sides[False], sides[True]))
                    print(
                        f"round {index}/{args.rounds}:"
                        f" A {sides[False]:.3f} s, B {sides[True]:.3f} s",
                        file=sys.stderr,
                    )
        calls = sum(api.counts.values())
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
    return pairs, calls


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.checkin_phone")
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--messages", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    pairs, calls = asyncio.run(measure(args))
    a = statistics.median(p[0] for p in pairs)
    b = statistics.median(p[1] for p in pairs)
    ratio = statistics.median(p[1] / p[0] for p in pairs)
    per = args.messages
    added_us = statistics.median((p[1] - p[0]) / per * 1e6 for p in pairs)
    command = (
        f"python -m bench.checkin_phone --members {args.members} --messages {args.messages}"
        f" --rounds {args.rounds}"
    )
    about = (
        "A private text message from a member with nothing to be told, through the whole"
        " Application (the catch-all answers it), with (B) and without (A) the check-ins'"
        " telling handler: a point read of checkin_phone's untold rows for the writer by a"
        " partial index, as the directives' telling (in both A and B) makes of"
        " directive_phone's. Same process, A B then B A after a warm-up pair, every member"
        " having written once before; medians and the"
        f" median per-round ratio. Target: B / A ≤ {RATIO_TARGET:.2f}. Shared machine (2"
        " CPUs): single rounds are noisy."
    )
    facts = [
        f"`flock /work/bench.lock .venv/bin/{command}`, {time.perf_counter() - started:.0f} s",
        f"{args.members:,} members in {units_for(args.members):,} units; {args.messages:,}"
        f" messages a side a round, each from another member; {calls:,} Bot API calls in all",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {machine()}",
        f"Verdict: B / A {ratio:.3f}× ≤ {RATIO_TARGET:.2f}: {verdict(ratio <= RATIO_TARGET)};"
        f" {added_us:+.1f} µs a message (median of the rounds' differences)",
    ]
    table = [
        f"| {len(pairs)} rounds × {per:,} messages | median | per message | min | max |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {label} | {ms:.3f} s | {ms / per * 1e6:.0f} µs"
            f" | {min(p[i] for p in pairs):.3f} s | {max(p[i] for p in pairs):.3f} s |"
            for i, (label, ms) in enumerate((("A: without the telling", a), ("B: with it", b)))
        ),
    ]
    publish(section_text(HEADING, about, facts, table), args.out, HEADING)


if __name__ == "__main__":
    main()
