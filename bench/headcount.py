"""The author's live headcount of a question to a whole large organisation, against a
plain count of its answers (issue #16).

Target: for a directive asking a question of 200,000 members in 5,300 units, rendering the
author's headcount (``AnswerService.headcount`` rolled up under the unit it is from, then
``headcount_text``) takes at most 50 ms, and at most 10× the time of
``SELECT COUNT(*) FROM directive_answers WHERE directive_id = ?`` in the same run.

Setup, untimed and once per run, in a temporary directory removed afterwards: the tree and
the members as ``bench.summary`` builds them (through the app); the directive through
``DirectiveService.create`` from the root to its whole subtree (its recipients and outbox
rows in one transaction, as the bot does); then the answers straight into SQLite through a
plain connection, one ``UPDATE`` over the recipients for the first presses and one for the
changes of mind, the triggers of migration 0020 keeping the history and the counts as they
do for the bot, and some deliveries marked unreachable.

Measurement: one process, the bot's own ``Storage`` and ``Services``; a discarded warm-up
of both sides, then rounds of A (the plain count) and B (the headcount, rendered),
alternating A B A B …; medians, and the median of the per-round ratios B / A.

    .venv/bin/python -m bench.headcount [--members 200000] [--units 5300] [--rounds 25]
                                        [--seed 1] [--quick] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.report import machine, publish, verdict
from bench.summary import DAY, NOW, Plan, at, bench_settings, clock, create, rnd, traced
from bot.directives.drafting import Draft
from bot.directives.headcount import headcount_text
from bot.directives.questions import Choice, NumberQuestion, Question, Reason
from bot.kit.clock import FakeClock
from bot.org.authz import Actor
from bot.services import Services
from storage import Storage
from storage.directives import Target

HEADING = "## Headcount: a question to the whole organisation"
TIME_TARGET_MS = 50.0
RATIO_TARGET = 10.0
COUNT_SQL = "SELECT COUNT(*) FROM directive_answers WHERE directive_id = ?"
# What the plain count stands for, written plainly: the headcount's totals must be these.
REFERENCE_SQL = (
    "SELECT COUNT(*), COUNT(answer_choice), TOTAL(answer_number) FROM directive_recipients"
    " WHERE directive_id = ?"
)
TABLES = ("units", "members", "directive_recipients", "directive_answers", "answer_counts")
QUESTION = Question(
    (
        Choice("I can come", number=NumberQuestion("How many can you bring?", 0, 10)),
        Choice("I need transport"),
        Choice("I cannot", Reason.OPTIONAL),
    )
)


@dataclass(slots=True)
class Runs:
    pairs: list[tuple[float, float]] = field(default_factory=list)  # (count A, headcount B) s
    rows: dict[str, int] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)
    plans: dict[str, list[str]] = field(default_factory=dict)
    text_chars: int = 0
    lines: int = 0
    setup_s: float = 0.0
    seconds: float = 0.0


async def ask(db: Path) -> int:
    """The directive, sent from the root to everyone below it, through the service."""
    storage = await Storage.open(db)
    try:
        clock = FakeClock(NOW - timedelta(hours=3))
        services = Services.build(bench_settings(db), storage, clock)
        root = await storage.units.by_code("ROOT")
        assert root is not None
        draft = Draft(
            targets=(Target(root.id, subtree=True),),
            text="Heavy snow tonight: who can clear the roads in your grid at 06:00?",
            attachment=None,
            ack_required=True,
            ack_deadline=NOW + timedelta(hours=12),
            send_at=None,
            question=QUESTION,
        )
        return (await services.directives.create(Actor.console(), draft)).id
    finally:
        await storage.close()


def answer(db: Path, directive_id: int, seed: int) -> dict[str, int]:
    """80 % answered (half can come, bringing 0-3 more; 15 % need transport; the rest
    cannot), a tenth of those changing their mind later; 1.5 % of the silent unreachable,
    the rest of the deliveries sent. Returns the row counts."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        a, b = rnd(seed, 70, "member_id"), rnd(seed, 71, "member_id")
        conn.execute(
            f"UPDATE directive_recipients SET answer_choice = CASE WHEN {a} < 4000 THEN 0"
            f" WHEN {a} < 5200 THEN 1 ELSE 2 END,"
            f" answer_number = CASE WHEN {a} < 4000 THEN {b} % 4 END, answered_at = ?,"
            f" acked_at = ? WHERE directive_id = ? AND {a} < 8000",
            (at(DAY, 19), at(DAY, 19), directive_id),
        )
        conn.execute(
            "UPDATE directive_recipients SET answer_choice = 2, answer_number = NULL,"
            " answered_at = ? WHERE directive_id = ? AND answer_choice = 0"
            f" AND {rnd(seed, 72, 'member_id')} < 1000",
            (at(DAY, 20), directive_id),
        )
        conn.execute(
            "UPDATE outbox SET status = CASE WHEN EXISTS (SELECT 1 FROM directive_recipients r"
            " WHERE r.directive_id = outbox.directive_id AND r.member_id = outbox.member_id"
            f" AND r.answer_choice IS NULL) AND {rnd(seed, 73, 'member_id')} < 750"
            " THEN 'unreachable' ELSE 'sent' END, sent_at = ?"
            " WHERE directive_id = ? AND kind = 'directive'",
            (at(DAY, 18), directive_id),
        )
        conn.execute("COMMIT")
        return {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES
        }
    finally:
        conn.close()


async def measure_in(db: Path, directive_id: int, plan: Plan, runs: Runs) -> None:
    storage = await Storage.open(db)
    try:
        services = Services.build(bench_settings(db), storage, FakeClock(NOW))
        actor = Actor.console()

        async def count() -> object:
            return await storage.db.fetchone(COUNT_SQL, (directive_id,))

        async def headcount() -> str:
            found = await services.answers.headcount(actor, directive_id)
            assert found is not None
            return headcount_text(services.i18n, "en", found)

        text = await headcount()  # the discarded warm-up
        await count()
        found = await services.answers.headcount(actor, directive_id)
        assert found is not None
        row = await storage.db.fetchone(REFERENCE_SQL, (directive_id,))
        assert row is not None
        total = found.total
        sums = sum(c.number_sum for c in total.choices.values())
        if (total.recipients, total.answered, sums) != (row[0], row[1], int(row[2])):
            raise SystemExit(f"headcount {total} against the plain definition {tuple(row)}")
        runs.checks = [text.split("\n")[1], f"{len(found.lines)} lines, worst first"]
        runs.text_chars, runs.lines = len(text), len(found.lines)
        plan_rows = await storage.db.fetchall(f"EXPLAIN QUERY PLAN {COUNT_SQL}", (directive_id,))
        runs.plans["the plain count (A)"] = [str(r["detail"]) for r in plan_rows]
        for sql in await traced(storage, headcount):  # every statement B runs
            plan_rows = await storage.db.fetchall(f"EXPLAIN QUERY PLAN {sql}")
            runs.plans[sql[:70].replace("\n", " ") + "…"] = [str(r["detail"]) for r in plan_rows]
        for index in range(plan.rounds):
            pair = (await clock(count), await clock(headcount))
            runs.pairs.append(pair)
            print(
                f"round {index + 1}/{plan.rounds}: count {pair[0] * 1000:.2f} ms,"
                f" headcount {pair[1] * 1000:.2f} ms",
                file=sys.stderr,
            )
    finally:
        await storage.close()


def measure(plan: Plan) -> Runs:
    runs = Runs()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="muster-bench-") as name:
        tmp = Path(name)
        db = tmp / "headcount.db"
        asyncio.run(create(db, tmp, plan))
        directive_id = asyncio.run(ask(db))
        runs.rows = answer(db, directive_id, plan.seed)
        runs.setup_s = time.perf_counter() - started
        print(f"data generated in {runs.setup_s:.1f} s: {runs.rows}", file=sys.stderr)
        asyncio.run(measure_in(db, directive_id, plan, runs))
    runs.seconds = time.perf_counter() - started
    return runs


def render(plan: Plan, runs: Runs) -> str:
    a_ms = statistics.median(a for a, _ in runs.pairs) * 1000
    b_ms = statistics.median(b for _, b in runs.pairs) * 1000
    ratio = statistics.median(b / a for a, b in runs.pairs)
    time_ok, ratio_ok = b_ms <= TIME_TARGET_MS, ratio <= RATIO_TARGET
    command = "python -m bench.headcount" + (" --quick" if plan.quick else "")
    if not plan.quick and (plan.members, plan.units) != (200_000, 5_300):
        command += f" --members {plan.members} --units {plan.units}"
    rows = runs.rows
    about = (
        "Targets (issue #16): rendering the author's live headcount of a question sent to"
        f" the whole organisation in at most {TIME_TARGET_MS:.0f} ms, and in at most"
        f" {RATIO_TARGET:.0f}× a plain count of its answers (`{COUNT_SQL}`) in the same run."
        " B is `AnswerService.headcount` (the directive, the root unit, one roll-up statement"
        " over the counts migration 0020's triggers keep, the child units) and"
        " `headcount_text` in English; A and B alternate in one process through the bot's"
        " own `Storage` (aiosqlite, WAL, reader connection) on a warm cache, after a"
        " discarded warm-up; medians, and the median of the per-round ratios. The tree and"
        " members are `bench.summary`'s; the directive goes out through"
        " `DirectiveService.create`; 80 % answered (40 % can come, bringing 0-3 more, 12 %"
        " need transport, 28 % cannot), a tenth of those who could come later cannot,"
        " 1.5 % of the silent unreachable. Before timing, the headcount's totals are checked"
        " against a plain count of the recipients' current answers. The machine is shared"
        " (2 cores, several engineers' runs): single rounds are noisy, the same-run ratio"
        " less so."
    )
    facts = [
        f"Command: `{command}`, {runs.seconds:.0f} s in all, {runs.setup_s:.0f} s of it setup",
        f"Data: {rows.get('units', 0):,} units, {rows.get('members', 0):,} members, one"
        f" directive to {rows.get('directive_recipients', 0):,} recipients,"
        f" {rows.get('directive_answers', 0):,} answers kept (presses and changes),"
        f" {rows.get('answer_counts', 0):,} kept count rows; seed {plan.seed}",
        f"Headcount: {runs.checks[0]} ({runs.lines} lines, {runs.text_chars:,} characters)",
        f"Date: {datetime.now(UTC):%Y-%m-%d}",
        f"Machine: {machine()}",
    ]
    table = [
        f"| {len(runs.pairs)} rounds | plain count (A) | headcount (B) | B / A | target |",
        "|---|---:|---:|---:|---|",
        f"| **median** | {a_ms:.2f} ms | **{b_ms:.2f} ms** | – |"
        f" ≤ {TIME_TARGET_MS:.0f} ms: {verdict(time_ok)} |",
        f"| **ratio, median of the per-round ratios** | – | – | **{ratio:.2f}×** |"
        f" ≤ {RATIO_TARGET:.0f}×: {verdict(ratio_ok)} |",
        f"| min | {min(a for a, _ in runs.pairs) * 1000:.2f} ms"
        f" | {min(b for _, b in runs.pairs) * 1000:.2f} ms | – | – |",
        f"| max | {max(a for a, _ in runs.pairs) * 1000:.2f} ms"
        f" | {max(b for _, b in runs.pairs) * 1000:.2f} ms | – | – |",
    ]
    plans = ["```"]
    for name, details in runs.plans.items():
        plans += [f"{name.strip('`')}:", *(f"    {d}" for d in details)]
    plans.append("```")
    blocks = [
        HEADING,
        textwrap.fill(about, 92, break_on_hyphens=False),
        "\n".join(f"- {fact}" for fact in facts),
        "\n".join(table),
        "Query plans (`EXPLAIN QUERY PLAN`): no full scan of a big table.",
        "\n".join(plans),
        f"Verdict: time {verdict(time_ok)}, ratio to the plain count {verdict(ratio_ok)}.",
    ]
    return "\n\n".join(blocks) + "\n"


QUICK = Plan(members=5_000, units=300, days=2, rounds=5, seed=1, quick=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.headcount", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--members", type=int, default=200_000, help="members (200000)")
    parser.add_argument("--units", type=int, default=5_300, help="units in the tree (5300)")
    parser.add_argument("--rounds", type=int, default=25, help="A/B rounds (25)")
    parser.add_argument("--seed", type=int, default=1, help="data generator seed")
    parser.add_argument("--out", type=Path, help="write the results section into this file")
    parser.add_argument("--quick", action="store_true", help="smoke run: 5000 members, 300 units")
    args = parser.parse_args(argv)
    if args.units < 3 or args.members < args.units or args.rounds < 1:
        parser.error("need --units >= 3, --members >= --units, --rounds >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    plan = (
        QUICK
        if args.quick
        else Plan(args.members, args.units, days=2, rounds=args.rounds, seed=args.seed)
    )
    publish(render(plan, measure(plan)), args.out, HEADING)


if __name__ == "__main__":
    main()
