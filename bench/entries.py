"""The register entries not on Telegram in a directive's detail (issue #18): what the one
statement that lists them (``ReachRepository.entries``) adds to the press that opens the
detail of a directive to 50,000 members.

A: what the press read before (``DirectiveService.view``, then "How they were reached",
``OnBehalfService.lines``); E: what it reads now besides, the entries alone
(``OnBehalfService.entries``: every active register entry of the audience who is not a
recipient, with its fallback's state); W: E's first version, the fallback's outbox rows
joined ungrouped (SQLite scanned them for every entry).
Data: ``bench.reach``'s (bench.headcount's organisation and question, answers spread over
three hours), plus one never-joined entry for every tenth recipient, in that member's unit,
and the fallback fired: 90 % of them with an email, whose messages are sent (most),
acknowledged by the link (three in ten), failed or still to go; the rest with no address.
Rounds alternate A E W in one process; medians and the median of the per-round ratios.

    flock /work/bench.lock .venv/bin/python -m bench.entries [--members 50000]
        [--units 1300] [--rounds 15] [--quick] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.reach import Rounds, alternate, medians, opened, options, rounds_table, seeded
from bench.report import machine, publish, section_text, verdict
from bench.summary import rnd
from bot.org.authz import Actor
from storage.directives import _scope_clause
from storage.fallback import KIND
from storage.reach import _ENTRIES, EntryState, Lines

HEADING = "## Reach: the register entries not on Telegram in a directive's detail (issue #18)"
TIME_TARGET_MS = 100.0  # what the entries add to a press: half of bench.reach's target
STAMP = "2026-12-01T08:00:00.000000Z"
# W: the first version of the statement, the fallback's outbox rows not grouped by entry:
# SQLite then scans them all for every entry.
GROUPED = (
    "SELECT chat_id, MAX(status) AS status, MAX(sent_at) AS sent_at"
    " FROM outbox WHERE directive_id = ?1 AND kind = ?2 GROUP BY chat_id"
)
UNGROUPED = _ENTRIES.replace(
    GROUPED, "SELECT chat_id, status, sent_at FROM outbox WHERE directive_id = ?1 AND kind = ?2"
)


def never_joined(db: Path, directive_id: int, seed: int) -> int:
    """An entry for every tenth recipient, in their unit, and the fallback fired on them."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO register_entries (unit_id, name, email, created_at, updated_at)"
            " SELECT unit_id, 'Never ' || member_id,"
            f" CASE WHEN {rnd(seed, 90, 'member_id')} < 9000"
            " THEN 'n' || member_id || '@example.org' END, ?, ?"
            " FROM directive_recipients WHERE directive_id = ? AND member_id % 10 = 0",
            (STAMP, STAMP, directive_id),
        )
        conn.execute("UPDATE directives SET fallback_at = ? WHERE id = ?", (STAMP, directive_id))
        conn.execute(
            "INSERT INTO fallback_recipients (directive_id, entry_id, channel, code, acked_at,"
            f" via) SELECT ?, id, 'email', '1234', CASE WHEN {rnd(seed, 91, 'id')} < 3000"
            " THEN ? END, CASE WHEN "
            f"{rnd(seed, 91, 'id')} < 3000 THEN 'email' END FROM register_entries"
            " WHERE member_id IS NULL AND email IS NOT NULL",
            (directive_id, STAMP),
        )
        conn.execute(
            "INSERT INTO outbox (kind, chat_id, directive_id, priority, payload, status,"
            " next_attempt_at, created_at, sent_at, channel, address)"
            f" SELECT ?, id, ?, 5, '{{}}', CASE WHEN {rnd(seed, 92, 'id')} < 500 THEN 'failed'"
            f" WHEN {rnd(seed, 92, 'id')} < 1000 THEN 'pending' ELSE 'sent' END, ?, ?, ?,"
            " 'email', email FROM register_entries WHERE member_id IS NULL AND email IS NOT NULL",
            (KIND, directive_id, STAMP, STAMP, STAMP),
        )
        conn.execute("COMMIT")
        row = conn.execute("SELECT COUNT(*) FROM register_entries").fetchone()
        return int(row[0])
    finally:
        conn.close()


async def measure_in(db: Path, directive_id: int, entries: int, rounds: int) -> Rounds:
    async with opened(db) as (storage, services, root):
        actor = Actor.console()

        async def before() -> object:
            await services.directives.view(actor, directive_id)
            return await services.on_behalf.lines(directive_id, root.path, Lines.BELOW)

        async def entries_now() -> object:
            return await services.on_behalf.entries(directive_id, ())

        scope, params = _scope_clause(())

        async def ungrouped() -> object:
            sql = UNGROUPED.format(scope=scope)
            return await storage.db.fetchall(sql, (directive_id, KIND, *params))

        await before()  # the discarded warm-up
        found = await services.on_behalf.entries(directive_id, ())
        assert len(found) == entries, (len(found), entries)
        assert GROUPED in _ENTRIES and UNGROUPED != _ENTRIES
        states = {state: sum(e.state is state for e in found) for state in EntryState}
        print(f"entries by state: {states}", file=sys.stderr)
        sides = {"before": before, "entries": entries_now, "ungrouped": ungrouped}
        return await alternate(rounds, sides)


def main(argv: Sequence[str] | None = None) -> None:
    args, plan = options("python -m bench.entries", argv)
    members, units = plan.members, plan.units
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="muster-bench-") as name:
        db, directive_id, rows = seeded(Path(name), plan)
        entries = never_joined(db, directive_id, plan.seed)
        pairs = asyncio.run(measure_in(db, directive_id, entries, plan.rounds))
    b_ms, ratio, gain = medians(pairs)
    command = f"python -m bench.entries --members {members} --units {units} --rounds {args.rounds}"
    about = (
        "A: what opening a directive's /directives detail read before (DirectiveService.view,"
        " then the per-unit reach lines, OnBehalfService.lines). E: what the press reads"
        " besides now, the register entries of its audience who are not recipients"
        " (OnBehalfService.entries: one statement; the fallback's outbox rows grouped by"
        " entry, so SQLite indexes them on the fly). W: E's first version, those rows joined"
        " ungrouped (SQLite scanned them for every entry). In the same run, alternating"
        " A E W; medians and the median per-round ratios. Data: bench.reach's, plus a"
        " never-joined entry for every tenth recipient and the fallback fired on them"
        " (90 % with an email: sent, 30 % acknowledged by link, 5 % failed, 5 % to go)."
        " Shared machine (2 CPUs): noisy."
    )
    facts = [
        f"`flock /work/bench.lock .venv/bin/{command}`, {time.perf_counter() - started:.0f} s",
        f"{rows.get('units', 0):,} units, one directive to"
        f" {rows.get('directive_recipients', 0):,} recipients, {entries:,} register entries"
        " not on Telegram",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {machine()}",
        f"Verdict: E {b_ms:.1f} ms ≤ {TIME_TARGET_MS:.0f} ms: {verdict(b_ms <= TIME_TARGET_MS)}"
        f"; E adds {ratio:.0%} to what the press read before (A); W / E {gain:.1f}×",
    ]
    names = ("A: view + reach lines", "E: the entries", "W: the entries, ungrouped")
    table = rounds_table(pairs, names)
    publish(section_text(HEADING, about, facts, table), args.out, HEADING)


if __name__ == "__main__":
    main()
