"""The dashboard's Today and Trends views for the root committee of a large organisation,
against the root summary compiled in the same run.

Target (issue #19): for the root of a 200,000-member organisation (5,300 units), the
Today view's server time at most 150 ms and at most 3× the root summary's compile time
in the same run; its payload under 300 KB. The Trends view (30 days, one query for the
check-ins and one for the figures, not one per day): server time at most 150 ms; beside
it, the per-day way it replaces (``rolled_up`` of check-ins and figures, day by day).

Setup, untimed: the organisation and its history as ``bench.summary`` generates them (the
same generator, seed and sizes). Measurement: one process, the bot's own ``Storage`` and
``Services``; the dashboard's real web server (``DashboardWeb`` on ``app/web.py``'s
``web_server``, 127.0.0.1) asked by an aiohttp client with signed launch data, as the page
asks it (A: ``SummaryService.compile`` of the root for the day; B: ``GET
/dashboard/api/today`` of the root, the whole request: launch data checked, scope checked,
summary, directives per line, JSON; C: ``GET /dashboard/api/trends`` of the root; D: the
30 days' ``rolled_up`` check-ins and figures read day by day), alternating A B C D A B C D
…; medians, and the median of the per-round ratios B / A. Before timing, the views' lines
are checked against the compile's (the trends' last point is the day's).

    .venv/bin/python -m bench.dashboard [--members 200000] [--units 5300] [--days 38]
                                        [--rounds 15] [--seed 1] [--quick]
                                        [--out docs/benchmarks.md]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import textwrap
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from app.web import web_server
from bench.report import machine, publish, verdict
from bench.summary import (
    DAY,
    NOW,
    QUICK,
    ZONE,
    Plan,
    Timed,
    clock,
    command_line,
    generated,
    parse_args,
)
from bot.config import Settings, load_settings
from bot.dashboard.initdata import launch_fields, signed
from bot.dashboard.trends import TREND_DAYS
from bot.kit.clock import FakeClock
from bot.services import Services
from handlers.dashboard.web import API_TODAY, API_TRENDS, INIT_DATA_HEADER, DashboardWeb
from storage import Storage

HEADING = "## Dashboard: the Today and Trends views of the root committee"
TIME_TARGET_MS = 150.0
RATIO_TARGET = 3.0
PAYLOAD_TARGET = 300 * 1024
ADMIN = 900_000_001  # who opens it: an admin sees the root
TOKEN = "123456789:bench-token-for-the-launch-data"


@dataclass(slots=True)
class Runs:
    pairs: list[tuple[float, float]] = field(default_factory=list)  # (compile A, view B) s
    trends: list[tuple[float, float]] = field(default_factory=list)  # (view C, per day D) s
    trends_payload: int = 0
    trends_lines: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    payload: int = 0
    lines: int = 0
    missing: int = 0
    generate_s: float = 0.0
    seconds: float = 0.0


def settings_for(db: Path) -> Settings:
    return load_settings(
        None,
        organisation={"name": "Riverside", "timezone": ZONE.key, "admins": [ADMIN]},
        storage={"database": db},
        dashboard={"enabled": True, "public_url": "https://muster.example.org"},
    )


def check(view: dict[str, object], summary_lines: list[tuple[int, int, int]]) -> None:
    """The view's lines are the compile's, in its order; stops the run if not."""
    lines = view["lines"]
    assert isinstance(lines, list)
    shown = [(x["id"], x["checked_in"], x["missing"]) for x in lines]
    if shown != summary_lines:
        raise SystemExit(f"the view's lines differ from the summary's: {shown[:3]} …")


def check_trends(view: dict[str, Any], summary: Any) -> None:
    """The trends' last day (the bench's day) has the compile's rate per line."""
    if view["days"][-1] != DAY.isoformat():
        raise SystemExit(f"the trends end on {view['days'][-1]}, not {DAY}")
    rate = view["charts"][0]
    last = {line["id"]: line["values"][-1] for line in rate["lines"] if not line["total"]}
    for line in summary.lines:
        got, want = last.get(line.unit.id), line.counts.rate
        if (got is None) != (want is None) or (want is not None and abs(got - want) > 1e-4):
            raise SystemExit(f"the trends' {line.unit.name} is {got}, the summary's {want}")


async def measure_in(db: Path, runs: Runs, rounds: int) -> None:
    storage = await Storage.open(db)
    try:
        services = Services.build(settings_for(db), storage, FakeClock(NOW))
        root = await storage.units.by_code("ROOT")
        assert root is not None
        init_data = signed(TOKEN, launch_fields(ADMIN, NOW))
        routes = DashboardWeb(services, TOKEN).routes()
        async with (
            web_server(routes, host="127.0.0.1", port=0) as base,
            aiohttp.ClientSession() as http,
        ):
            bodies: dict[str, bytes] = {}

            async def compile_() -> object:
                return await services.summaries.compile(root, DAY)

            async def get(path: str) -> bytes:
                """One request of the page's, the answer kept by its path."""
                url = f"{base}{path}?unit={root.id}"
                async with http.get(url, headers={INIT_DATA_HEADER: init_data}) as response:
                    if response.status != 200:
                        raise SystemExit(f"{path} answered {response.status}")
                    bodies[path] = await response.read()
                return bodies[path]

            async def view() -> object:
                return await get(API_TODAY)

            async def trends() -> object:
                return await get(API_TRENDS)

            async def per_day() -> object:
                """What the trends would read as 30 summaries' sums, day by day."""
                checkins = services.checkins
                for back in range(TREND_DAYS):
                    day = services.summaries.today(root) - timedelta(days=back)
                    await storage.checkins.rolled_up(root.path, day, checkins.day_end(day))
                    await storage.figures.rolled_up(root.path, day)
                return None

            summary = await services.summaries.compile(root, DAY)  # the discarded warm-ups
            await view()
            await trends()
            await per_day()
            trend_body, body = bodies[API_TRENDS], bodies[API_TODAY]
            check_trends(json.loads(trend_body), summary)
            runs.trends_payload = len(trend_body)
            runs.trends_lines = len(json.loads(trend_body)["charts"][0]["lines"])
            today = json.loads(body)
            check(
                today, [(x.unit.id, x.counts.checked_in, x.counts.missing) for x in summary.lines]
            )
            runs.payload, runs.lines, runs.missing = (
                len(body),
                len(today["lines"]),
                len(today["missing"]),
            )
            for index in range(rounds):
                pair = (await clock(compile_), await clock(view))
                runs.pairs.append(pair)
                more = (await clock(trends), await clock(per_day))
                runs.trends.append(more)
                print(
                    f"round {index + 1}/{rounds}: compile {pair[0] * 1000:.1f} ms,"
                    f" view {pair[1] * 1000:.1f} ms, trends {more[0] * 1000:.1f} ms,"
                    f" per day {more[1] * 1000:.1f} ms",
                    file=sys.stderr,
                )
    finally:
        await storage.close()


async def alternate(runs: Runs, rounds: int, a: tuple[str, Timed], b: tuple[str, Timed]) -> None:
    """``rounds`` of A then B, each pair kept in ``runs`` and said on stderr."""
    for index in range(rounds):
        pair = (await clock(a[1]), await clock(b[1]))
        runs.pairs.append(pair)
        print(
            f"round {index + 1}/{rounds}: {a[0]} {pair[0] * 1000:.1f} ms,"
            f" {b[0]} {pair[1] * 1000:.1f} ms",
            file=sys.stderr,
        )


def measure(
    plan: Plan, measure_in: Callable[[Path, Runs, int], Coroutine[Any, Any, None]] = measure_in
) -> Runs:
    """``measure_in`` (this benchmark's, or one on the same data) over the plan's data."""
    runs = Runs()
    started = time.perf_counter()
    with generated(plan) as (db, runs.rows):
        runs.generate_s = time.perf_counter() - started
        asyncio.run(measure_in(db, runs, plan.rounds))
    runs.seconds = time.perf_counter() - started
    return runs


def render(plan: Plan, runs: Runs) -> str:
    a_ms = statistics.median(a for a, _ in runs.pairs) * 1000
    b_ms = statistics.median(b for _, b in runs.pairs) * 1000
    ratio = statistics.median(b / a for a, b in runs.pairs)
    time_ok, ratio_ok = b_ms <= TIME_TARGET_MS, ratio <= RATIO_TARGET
    c_ms = statistics.median(c for c, _ in runs.trends) * 1000
    d_ms = statistics.median(d for _, d in runs.trends) * 1000
    per_day = statistics.median(c / d for c, d in runs.trends)
    trends_ok = c_ms <= TIME_TARGET_MS
    size_ok = runs.payload < PAYLOAD_TARGET
    command = command_line("bench.dashboard", plan)
    about = (
        f"Targets: the Today view of the root committee (`GET {API_TODAY}`, the whole"
        f" request through the dashboard's web server on 127.0.0.1: launch data and scope"
        f" checked, the summary compiled, the day's directives summed per line, the JSON"
        f" written) in at most {TIME_TARGET_MS:.0f} ms and at most {RATIO_TARGET:.0f}× the"
        " root summary's compile (`SummaryService.compile`) in the same run; the payload"
        f" under {PAYLOAD_TARGET // 1024} KB. The organisation is `bench.summary`'s (same"
        " generator and seed). A warm-up of each, then rounds of A (the compile) and B (the"
        " view) alternating; medians, and the median of the per-round ratios. Before timing,"
        " the view's lines are checked against the compile's (unit, checked in, missing)."
        f" The Trends view of the root (`GET {API_TRENDS}`: {TREND_DAYS} days of the"
        " check-in rate and figures per line, one query for the check-ins and one for the"
        " figures) in at most"
        f" {TIME_TARGET_MS:.0f} ms, timed in the same rounds (C), beside the per-day way it"
        f" replaces (D: `rolled_up` of the check-ins and of the figures for each of the"
        f" {TREND_DAYS} days, storage only); before timing, its last day's rate per line is"
        " checked against the compile's."
    )
    rows = runs.rows
    facts = [
        f"- Command: `{command}`, {runs.seconds:.0f} s in all, of which {runs.generate_s:.0f} s"
        " generating the data",
        f"- Data: {rows.get('units', 0):,} units, {rows.get('members', 0):,} members,"
        f" {rows.get('checkins', 0):,} check-ins, {rows.get('directives', 0)} directives to"
        f" {rows.get('directive_recipients', 0):,} recipients; seed {plan.seed}; the day"
        f" {DAY.isoformat()}",
        f"- The view: {runs.lines} lines (the root's own members and each district),"
        f" {runs.missing} missing members of the root's own listed; {runs.payload:,} bytes",
        f"- The Trends view: {TREND_DAYS} days, {runs.trends_lines} lines per chart (the"
        f" total, the root's own members and each district); {runs.trends_payload:,} bytes",
        f"- Date: {datetime.now(UTC):%Y-%m-%d}",
        f"- Machine: {machine()}",
    ]
    table = [
        f"| {len(runs.pairs)} rounds | root summary (A) | Today view (B) | B / A | target |",
        "|---|---:|---:|---:|---|",
        f"| **median** | {a_ms:.1f} ms | **{b_ms:.1f} ms** | – |"
        f" ≤ {TIME_TARGET_MS:.0f} ms: {verdict(time_ok)} |",
        f"| **ratio, median of the per-round ratios** | – | – | **{ratio:.2f}×** |"
        f" ≤ {RATIO_TARGET:.0f}×: {verdict(ratio_ok)} |",
        f"| min | {min(a for a, _ in runs.pairs) * 1000:.1f} ms"
        f" | {min(b for _, b in runs.pairs) * 1000:.1f} ms | – | – |",
        f"| max | {max(a for a, _ in runs.pairs) * 1000:.1f} ms"
        f" | {max(b for _, b in runs.pairs) * 1000:.1f} ms | – | – |",
        f"| payload | – | {runs.payload / 1024:.1f} KB | – |"
        f" < {PAYLOAD_TARGET // 1024} KB: {verdict(size_ok)} |",
    ]
    trends_table = [
        f"| {len(runs.trends)} rounds | Trends view (C) | per day, storage only (D) | C / D |"
        " target |",
        "|---|---:|---:|---:|---|",
        f"| **median** | **{c_ms:.1f} ms** | {d_ms:.1f} ms | {per_day:.2f}× |"
        f" C ≤ {TIME_TARGET_MS:.0f} ms: {verdict(trends_ok)} |",
        f"| min | {min(c for c, _ in runs.trends) * 1000:.1f} ms"
        f" | {min(d for _, d in runs.trends) * 1000:.1f} ms | – | – |",
        f"| max | {max(c for c, _ in runs.trends) * 1000:.1f} ms"
        f" | {max(d for _, d in runs.trends) * 1000:.1f} ms | – | – |",
        f"| payload | {runs.trends_payload / 1024:.1f} KB | – | – | – |",
    ]
    verdicts = (
        f"Verdict: time {verdict(time_ok)}, ratio to the root summary {verdict(ratio_ok)},"
        f" payload {verdict(size_ok)}; the Trends view's time {verdict(trends_ok)}."
    )
    blocks = [
        HEADING,
        textwrap.fill(about, 92, break_on_hyphens=False),
        facts,
        table,
        trends_table,
        verdicts,
    ]
    return "\n\n".join(b if isinstance(b, str) else "\n".join(b) for b in blocks) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    plan = Plan(args.members, args.units, args.days, args.rounds, args.seed, quick=args.quick)
    if plan.quick:
        plan = QUICK
    publish(render(plan, measure(plan)), args.out, HEADING)


if __name__ == "__main__":
    main()
