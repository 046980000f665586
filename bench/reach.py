"""How people were reached and the reach time per unit, against the headcount they are
shown under (issue #18).

The question's ``/directives`` detail shows, under each viewer's headcount, "How they were
reached": per line, the recipients by path (Telegram, email, SMS, phone, not reached,
silent) and the reach time's p50 / p90, in one statement (``ReachRepository.lines``: a
window function ranks each line's times). Unlike the headcount it cannot read kept counts
(percentiles do not add up), so it reads every recipient of the directive under the root.

A: ``AnswerService.headcount`` (the roll-up the same screen already shows); B: the reach
lines under the same root (``OnBehalfService.lines``, ``Lines.BELOW``: counts per line,
path and minute, percentiles read off in one pass); W: the first version of B, one
statement ranking every recipient's seconds with window functions (kept here as the
baseline it replaced). Data as in
``bench.headcount`` (its setup, reused), with each answer's time spread over the first
three hours after sending and a few hundred answers recorded by phone. Rounds alternate
A B A B in one process; medians and the median of the per-round ratios B / A.

    .venv/bin/python -m bench.reach [--members 50000] [--units 1300] [--rounds 15]
                                    [--quick] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from bench.headcount import answer, ask
from bench.report import machine, publish, section_text, verdict
from bench.summary import Plan, Timed, bench_settings, clock, create, rnd
from bot.kit.clock import FakeClock
from bot.org.authz import Actor
from bot.services import Services
from storage import Storage
from storage.directives import DirectiveKind
from storage.models import Unit
from storage.reach import _HOW, Lines
from storage.units import subtree_bounds

HEADING = "## Reach: how each unit's members were reached, and how fast (issue #18)"
TIME_TARGET_MS = 200.0  # a screen opened by a press: well within a press's answer
_LINE = (
    "CASE WHEN u.path = ?3 THEN ?3"
    " ELSE substr(u.path, 1, ?5 + instr(substr(u.path, ?5 + 1), '/')) END"
)
WINDOWED = (
    f"WITH h AS ({_HOW}), t AS (SELECT {_LINE} AS line, h.how, h.took,"
    " CASE WHEN h.took IS NULL THEN NULL ELSE ROW_NUMBER() OVER"
    f" (PARTITION BY {_LINE}, h.took IS NULL ORDER BY h.took) END AS k,"
    f" COUNT(h.took) OVER (PARTITION BY {_LINE}) AS n"
    " FROM h JOIN units u ON u.id = h.unit_id WHERE u.path >= ?3 AND u.path < ?4)"
    " SELECT line, how, COUNT(*), MAX(CASE WHEN k = (n * 50 + 99) / 100 THEN took END),"
    " MAX(CASE WHEN k = (n * 90 + 99) / 100 THEN took END) FROM t GROUP BY line, how"
)


def spread(db: Path, directive_id: int, seed: int) -> None:
    """Each acknowledgement 0-3 hours after its delivery; 1 in 200 recorded by phone."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute(
            "UPDATE directive_recipients SET acked_at = strftime('%Y-%m-%dT%H:%M:%fZ',"
            " (SELECT o.sent_at FROM outbox o WHERE o.directive_id = directive_recipients"
            ".directive_id AND o.member_id = directive_recipients.member_id"
            " AND o.kind = 'directive'),"
            f" '+' || ({rnd(seed, 80, 'member_id')} * 108 / 100) || ' seconds')"
            " WHERE directive_id = ? AND acked_at IS NOT NULL",
            (directive_id,),
        )
        conn.execute(
            "UPDATE directive_recipients SET on_behalf_by = 1 WHERE directive_id = ?"
            f" AND acked_at IS NOT NULL AND {rnd(seed, 81, 'member_id')} < 50",
            (directive_id,),
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


Rounds = list[tuple[float, float, float]]


@asynccontextmanager
async def opened(db: Path) -> AsyncIterator[tuple[Storage, Services, Unit]]:
    """The database with its services (as the console sees them) and the root unit."""
    storage = await Storage.open(db)
    try:
        services = Services.build(bench_settings(db), storage, FakeClock(datetime.now(UTC)))
        root = await storage.units.by_code("ROOT")
        assert root is not None
        yield storage, services, root
    finally:
        await storage.close()


async def alternate(rounds: int, sides: Mapping[str, Timed]) -> Rounds:
    """Three sides timed in turn, round after round, each round said on stderr."""
    pairs: Rounds = []
    a, b, w = sides.values()
    for index in range(rounds):
        pair = (await clock(a), await clock(b), await clock(w))
        pairs.append(pair)
        said = ", ".join(f"{name} {t * 1000:.1f} ms" for name, t in zip(sides, pair, strict=True))
        print(f"round {index + 1}/{rounds}: {said}", file=sys.stderr)
    return pairs


async def measure_in(db: Path, directive_id: int, rounds: int) -> Rounds:
    async with opened(db) as (storage, services, root):
        actor = Actor.console()

        async def headcount() -> object:
            return await services.answers.headcount(actor, directive_id)

        async def reach() -> object:
            return await services.on_behalf.lines(directive_id, root.path, Lines.BELOW)

        low, high = subtree_bounds(root.path)
        params = (directive_id, DirectiveKind.DIRECTIVE, low, high, len(root.path))

        async def windowed() -> object:
            return await storage.db.fetchall(WINDOWED, params)

        await headcount()  # the discarded warm-up
        found = await services.on_behalf.lines(directive_id, root.path, Lines.BELOW)
        # The same lines, the same counts and the same minutes as the windowed baseline.
        for path, how, count, p50, p90 in await storage.db.fetchall(WINDOWED, params):
            line = found[path]
            assert line.counts[how] == count, (path, how)
            if p50 is not None:
                assert (line.p50, line.p90) == (_minute(p50), _minute(p90)), path
        sides = {"headcount": headcount, "reach": reach, "windowed": windowed}
        return await alternate(rounds, sides)


def _minute(seconds: float) -> float:
    return 60.0 * int((seconds + 59.5) // 60)


def medians(pairs: Rounds) -> tuple[float, float, float]:
    """B's median in ms, and the medians of the per-round B / A and W / B."""
    b_ms = statistics.median(b for _, b, _ in pairs) * 1000
    ratio = statistics.median(b / a for a, b, _ in pairs)
    gain = statistics.median(w / b for _, b, w in pairs)
    return b_ms, ratio, gain


def rounds_table(pairs: Rounds, names: tuple[str, str, str]) -> list[str]:
    """Each side's median, min and max, a row each."""
    return [
        f"| {len(pairs)} rounds | median | min | max |",
        "|---|---:|---:|---:|",
        *(
            f"| {name} | {statistics.median(p[i] for p in pairs) * 1000:.1f} ms"
            f" | {min(p[i] for p in pairs) * 1000:.1f} ms"
            f" | {max(p[i] for p in pairs) * 1000:.1f} ms |"
            for i, name in enumerate(names)
        ),
    ]


def options(prog: str, argv: Sequence[str] | None) -> tuple[argparse.Namespace, Plan]:
    """The command line this benchmark and ``bench.entries`` share, and its plan."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=1_300)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="5000 members, 300 units")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    members, units = (5_000, 300) if args.quick else (args.members, args.units)
    plan = Plan(members, units, days=2, rounds=args.rounds, seed=args.seed, quick=args.quick)
    return args, plan


def seeded(folder: Path, plan: Plan) -> tuple[Path, int, dict[str, int]]:
    """The data in ``folder``: the organisation, the question sent to everyone, answers
    spread over three hours; the database, the directive and the rows per table."""
    db = folder / "reach.db"
    asyncio.run(create(db, folder, plan))
    directive_id = asyncio.run(ask(db))
    rows = answer(db, directive_id, plan.seed)
    spread(db, directive_id, plan.seed)
    return db, directive_id, rows


def main(argv: Sequence[str] | None = None) -> None:
    args, plan = options("python -m bench.reach", argv)
    members, units = plan.members, plan.units
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="muster-bench-") as name:
        db, directive_id, rows = seeded(Path(name), plan)
        pairs = asyncio.run(measure_in(db, directive_id, plan.rounds))
    b_ms, ratio, gain = medians(pairs)
    command = f"python -m bench.reach --members {members} --units {units} --rounds {args.rounds}"
    about = (
        "B: the reach lines of a question's /directives detail (per unit one level below"
        " the root: recipients by how they were reached, p50 / p90 of the reach time; one"
        " statement counting per line, path and minute, percentiles read off in one pass)."
        " W: the statement B replaced (window functions ranking every recipient's seconds)."
        " A: the headcount the same screen shows (AnswerService.headcount over kept counts),"
        " in the same run, alternating A B W; medians and the median per-round ratios."
        f" Target: B within {TIME_TARGET_MS:.0f} ms (a screen opened by a press). Data:"
        " bench.headcount's (80 % answered), answers spread over three hours, 1 in 200 by"
        " phone. Shared machine (2 CPUs): single rounds are noisy."
    )
    facts = [
        f"`flock /work/bench.lock .venv/bin/{command}`, {time.perf_counter() - started:.0f} s",
        f"{rows.get('units', 0):,} units, one directive to"
        f" {rows.get('directive_recipients', 0):,} recipients",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {machine()}",
        f"Verdict: B {b_ms:.1f} ms ≤ {TIME_TARGET_MS:.0f} ms: {verdict(b_ms <= TIME_TARGET_MS)}"
        f"; B / A {ratio:.1f}× (the price of reading every recipient instead of kept counts);"
        f" W / B {gain:.2f}× (the windowed statement B replaced, checked to give the same"
        " lines)",
    ]
    table = rounds_table(pairs, ("A: headcount", "B: reach lines", "W: windowed"))
    publish(section_text(HEADING, about, facts, table), args.out, HEADING)


if __name__ == "__main__":
    main()
