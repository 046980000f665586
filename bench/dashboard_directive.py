"""The dashboard's directive view of the largest directive in a large organisation, against
the chat's ``/directives`` detail (``DirectiveService.view``) in the same run.

No target in issue #19 for this view; it is measured so that a change that makes it slow
shows, and it should stay within a small multiple of the chat's detail, whose service call
it makes (then sums per unit and writes JSON). Setup, untimed: ``bench.summary``'s
organisation and history (same generator, seed and sizes), whose directives each go from
a district to its subtree. Measurement: one process, the dashboard's real web server;
A: ``DirectiveService.view`` of the directive with the most recipients, for an admin;
B: ``GET /dashboard/api/directive?id=…`` as the page asks it (launch data and scope
checked, the view, the lines summed per unit below the district, JSON); A B A B …;
medians, and the median of the per-round ratios B / A.

    .venv/bin/python -m bench.dashboard_directive [--members 200000] [--units 5300]
        [--days 38] [--rounds 15] [--seed 1] [--quick] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from app.web import web_server
from bench.dashboard import ADMIN, TOKEN, Runs, alternate, measure, settings_for
from bench.report import machine, publish, section_text
from bench.summary import NOW, QUICK, Plan, command_line, parse_args
from bot.dashboard.initdata import launch_fields, signed
from bot.kit.clock import FakeClock
from bot.services import Services
from handlers.dashboard.directive import API_DIRECTIVE, DirectiveWeb
from handlers.dashboard.web import INIT_DATA_HEADER, DashboardWeb
from storage import Storage

HEADING = "## Dashboard: the directive view of the largest directive"


async def measure_in(db: Path, runs: Runs, rounds: int) -> None:
    storage = await Storage.open(db)
    try:
        services = Services.build(settings_for(db), storage, FakeClock(NOW))
        row = await storage.db.fetchone(
            "SELECT id, recipients FROM directives ORDER BY recipients DESC, id LIMIT 1"
        )
        assert row is not None
        directive_id, runs.rows["largest"] = row[0], row[1]
        init_data = signed(TOKEN, launch_fields(ADMIN, NOW))
        actor = await services.authz.actor(ADMIN)
        pages = DashboardWeb(services, TOKEN)
        routes = pages.routes() + DirectiveWeb(pages, lambda: None).routes()
        async with (
            web_server(routes, host="127.0.0.1", port=0) as base,
            aiohttp.ClientSession() as http,
        ):
            url = f"{base}{API_DIRECTIVE}?id={directive_id}"
            body = b""

            async def detail() -> object:
                return await services.directives.view(actor, directive_id)

            async def view() -> object:
                nonlocal body
                async with http.get(url, headers={INIT_DATA_HEADER: init_data}) as response:
                    if response.status != 200:
                        raise SystemExit(f"the view answered {response.status}")
                    body = await response.read()
                return body

            chat = await services.directives.view(actor, directive_id)  # the warm-ups
            await view()
            shown = json.loads(body)
            if shown["total"]["recipients"] != chat.totals.recipients:
                raise SystemExit("the view's total differs from the chat's detail")
            runs.payload, runs.lines = len(body), len(shown["lines"])
            await alternate(runs, rounds, ("detail", detail), ("view", view))
    finally:
        await storage.close()


def render(plan: Plan, runs: Runs) -> str:
    def ms(value: float) -> str:
        return f"{value * 1000:.1f} ms"

    a = [x for x, _ in runs.pairs]
    b = [y for _, y in runs.pairs]
    ratio = statistics.median(y / x for x, y in runs.pairs)
    about = (
        f"The directive view (`GET {API_DIRECTIVE}`, the whole request through the"
        " dashboard's web server on 127.0.0.1) of the directive with the most recipients,"
        " for an admin, against the chat's `/directives` detail (`DirectiveService.view`,"
        " the call the view makes) in the same run; no target in the issue. A warm-up of"
        " each, then rounds of A and B alternating; medians, and the median of the"
        " per-round ratios."
    )
    rows = runs.rows
    facts = [
        f"Command: `{command_line('bench.dashboard_directive', plan)}`, {runs.seconds:.0f} s"
        f" in all, of which {runs.generate_s:.0f} s generating the data",
        f"Data: {rows.get('units', 0):,} units, {rows.get('members', 0):,} members,"
        f" {rows.get('directives', 0)} directives; the largest to"
        f" {rows.get('largest', 0):,} recipients; seed {plan.seed}",
        f"The view: {runs.lines} lines; {runs.payload:,} bytes",
        f"Date: {datetime.now(UTC):%Y-%m-%d}",
        f"Machine: {machine()}",
    ]
    table = [
        f"| {len(runs.pairs)} rounds | chat's detail (A) | directive view (B) | B / A |",
        "|---|---:|---:|---:|",
        f"| **median** | {ms(statistics.median(a))} | **{ms(statistics.median(b))}**"
        f" | **{ratio:.2f}×** |",
        f"| min | {ms(min(a))} | {ms(min(b))} | – |",
        f"| max | {ms(max(a))} | {ms(max(b))} | – |",
    ]
    verdict = (
        f"Verdict: no target in the issue. The view is the detail's call and then sums per"
        f" unit, so it costs about what the detail costs (B / A {ratio:.2f}×); both are"
        " dominated by reading every silent recipient (`stragglers`), which the view needs"
        " only for the unit shown: the place to look if it must get faster."
    )
    return section_text(HEADING, about, facts, table) + "\n" + verdict + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    plan = Plan(args.members, args.units, args.days, args.rounds, args.seed, quick=args.quick)
    if plan.quick:
        plan = QUICK
    publish(render(plan, measure(plan, measure_in)), args.out, HEADING)


if __name__ == "__main__":
    main()
