"""Compiling a summary: the same number of queries however large the tree, no full scan of
the big tables, and rates that never divide by zero."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import pytest

from bench.org_memory import member_rows, write_org_csv
from bot.services.authz import Actor
from bot.services.container import Services
from bot.services.summaries import Counts
from storage.db import Database

DAY = date(2026, 12, 1)
# Tables that grow with the organisation and its history, and the aliases queries give them.
BIG = (
    "checkins", "members", "leave", "shifts", "incidents", "directive_recipients", "outbox",
    "c", "m", "l", "s", "r", "o",
)  # fmt: skip


@asynccontextmanager
async def traced(db: Database) -> AsyncIterator[list[str]]:
    """The SQL run on both connections inside the block, parameters filled in."""
    statements: list[str] = []
    for conn in {id(db.conn): db.conn, id(db.reader): db.reader}.values():
        await conn.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        for conn in (db.conn, db.reader):
            await conn.set_trace_callback(lambda _: None)


async def grow(services: Services, tmp_path: Path, units: int) -> None:
    org = tmp_path / f"org-{units}.csv"
    write_org_csv(org, units, seed=1)
    await services.org.import_file(Actor.console(), org)
    branches = [u.id for u in await services.storage.units.all() if u.depth == 2]
    rows = list(member_rows(units * 5, branches, 1, {}))
    await services.storage.members.add_many(rows, services.clock.now())


async def queries(services: Services) -> list[str]:
    root = await services.storage.units.by_code("ROOT")
    assert root is not None
    async with traced(services.storage.db) as statements:
        await services.summaries.compile(root, DAY)
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


async def test_query_count_does_not_grow_with_the_tree(services: Services, tmp_path: Path) -> None:
    await grow(services, tmp_path, 12)
    small = await queries(services)
    await services.storage.db.write("DELETE FROM members")
    await grow(services, tmp_path, 120)  # the same tree file grows: 10x the units
    large = await queries(services)
    assert len(small) == len(large) <= 12


async def test_no_full_scan_of_a_big_table(services: Services, tmp_path: Path) -> None:
    await grow(services, tmp_path, 40)
    db = services.storage.db
    scans = []
    for sql in await queries(services):
        for row in await db.fetchall(f"EXPLAIN QUERY PLAN {sql}"):
            detail = str(row["detail"])
            words = detail.split()
            if words[:1] == ["SCAN"] and words[1] in BIG and "USING" not in detail:
                scans.append((detail, sql[:120]))
    assert scans == []


@pytest.mark.parametrize(
    ("counts", "rate", "missing"),
    [
        (Counts(), None, 0),  # nobody: no rate rather than a division by zero
        (Counts(members=2, on_leave=2), None, 0),  # everyone on leave
        (Counts(members=4, checked_in=1, on_leave=1), 1 / 3, 2),
    ],
)
def test_rates(counts: Counts, rate: float | None, missing: int) -> None:
    assert counts.rate == rate and counts.missing == missing
