"""Compiling a summary: the same number of queries however large the tree, no full scan of
the big tables, and rates that never divide by zero."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from operator import attrgetter
from pathlib import Path

import pytest

from bench.org_memory import member_rows, write_org_csv
from bot.config import Settings
from bot.kit.clock import FakeClock
from bot.org.authz import Actor
from bot.services import Services
from bot.summaries.service import Counts, line_of
from storage import Storage
from storage.checkins import UnitDay
from storage.db import Database, SqliteDatabase, migrations, to_db_time
from storage.directives import Target
from storage.models import Unit
from storage.store import Row
from storage.summaries import DirectiveDay
from tests.orgdata import load_tree

DAY = date(2026, 12, 1)
# Tables that grow with the organisation and its history, and the aliases queries give them.
BIG = (
    "checkins", "members", "leave", "shifts", "incidents", "directive_recipients", "outbox",
    "checkin_counts", "directive_counts", "answer_figures", "c", "m", "l", "s", "r", "o", "n",
    "t", "f",
)  # fmt: skip
# The biggest of them: not even all of one of its indexes (the "no full scan").
EVERY_ROW = ("checkins", "c")


@asynccontextmanager
async def traced(store: Database) -> AsyncIterator[list[str]]:
    """The SQL run on both connections inside the block, parameters filled in (SQLite's:
    a test of its query plans is skipped on PostgreSQL)."""
    if not isinstance(store, SqliteDatabase):
        pytest.skip("traces SQLite's connections")
    db = store
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
            if words[:1] != ["SCAN"]:
                continue
            if words[1] in EVERY_ROW or (words[1] in BIG and "USING" not in detail):
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


# The definitions the kept counts must agree with, written plainly: every member joined to
# their check-in of the day, every recipient to their delivery (what unit_days and
# directives computed before migration 0012 kept counts instead). Counted with CASE, which
# both stores read (PostgreSQL has no SUM of a comparison).
UNIT_DAYS = (
    "SELECT m.unit_id, COUNT(*), COUNT(c.id), COALESCE(SUM(c.excused), 0),"
    " SUM(CASE WHEN c.id IS NULL AND EXISTS (SELECT 1 FROM leave l WHERE l.member_id = m.id"
    " AND l.cancelled_at IS NULL AND l.first_day <= ?1 AND l.last_day >= ?1) THEN 1 ELSE 0 END)"
    " FROM members m LEFT JOIN checkins c ON c.member_id = m.id AND c.day = ?1"
    " WHERE m.active = 1 AND m.joined_at < ?2 AND m.unit_id IN ({})"
    " GROUP BY m.unit_id ORDER BY m.unit_id"
)
DIRECTIVES = (
    "SELECT d.id, d.text, d.ack_required, COUNT(*),"
    " SUM(CASE WHEN o.status = 'sent' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN r.acked_at IS NOT NULL THEN 1 ELSE 0 END)"
    " FROM directives d JOIN directive_recipients r ON r.directive_id = d.id"
    " LEFT JOIN outbox o ON o.directive_id = r.directive_id AND o.member_id = r.member_id"
    " AND o.kind = 'directive' WHERE d.send_at >= ? AND d.send_at < ?"
    " AND d.status != 'cancelled' AND r.unit_id IN ({}) GROUP BY d.id ORDER BY d.send_at, d.id"
)
DAYS = [DAY + timedelta(days=k) for k in range(4)]


def marks(values: Sequence[object], first: int = 3) -> str:
    return ",".join(f"?{n}" for n in range(first, first + len(values)))


async def defined_days(db: Database, unit_ids: list[int], day: date, end: datetime | None):
    joined = to_db_time(end) if end else "9999"
    rows = await db.fetchall(
        UNIT_DAYS.format(marks(unit_ids)), (day.isoformat(), joined, *unit_ids)
    )
    return [UnitDay(*r) for r in rows]


async def defined_directives(db: Database, unit_ids: list[int], start: datetime, end: datetime):
    rows = await db.fetchall(
        DIRECTIVES.format(",".join("?" * len(unit_ids))),
        (to_db_time(start), to_db_time(end), *unit_ids),
    )
    return [DirectiveDay(r[0], r[1], bool(r[2]), r[3], r[4], r[5]) for r in rows]


def rolled_by_definition(root: Unit, units: list[Unit], days: list[UnitDay]) -> dict[str, UnitDay]:
    """The definition's per-unit rows summed per summary line, in Python."""
    path_of = {u.id: u.path for u in units}
    sums: dict[str, list[int]] = {}
    for d in days:
        line = sums.setdefault(line_of(root.path, path_of[d.unit_id]), [0, 0, 0, 0])
        for k, value in enumerate((d.members, d.checked_in, d.excused, d.on_leave)):
            line[k] += value
    return {path: UnitDay(0, *values) for path, values in sums.items()}


async def assert_counts_as_defined(services: Services, unit_ids: list[int]) -> None:
    """unit_days, its roll-up per summary line and directives agree with the definitions on
    every day, with and without a join cut-off, for the whole tree and for part of it, and
    under every unit."""
    storage = services.storage
    units = await storage.units.all()
    for day in DAYS:
        for end in (services.checkins.day_end(day), None):
            for wanted in (unit_ids, unit_ids[1:3]):
                kept = sorted(
                    await storage.checkins.unit_days(wanted, day, end), key=attrgetter("unit_id")
                )
                assert kept == await defined_days(storage.db, wanted, day, end), (day, end)
            for root in units:
                inside = [u for u in units if u.path.startswith(root.path)]
                defined = await defined_days(storage.db, [u.id for u in inside], day, end)
                assert await storage.checkins.rolled_up(
                    root.path, day, end
                ) == rolled_by_definition(root, inside, defined), (root.code, day, end)
        start = services.checkins.day_end(day - timedelta(days=1))
        stop = services.checkins.day_end(day)
        for root in units:
            ids = [u.id for u in units if u.path.startswith(root.path)]
            kept_directives = await storage.summaries.directives(root.path, start, stop)
            assert kept_directives == await defined_directives(storage.db, ids, start, stop)


class Churn:
    """Random changes through the repositories, as the bot makes them (and a few it does
    not, such as deleting a check-in): what the kept counts must follow."""

    def __init__(self, services: Services, unit_ids: list[int], seed: int) -> None:
        self.services, self.storage = services, services.storage
        self.units, self.rng = unit_ids, random.Random(seed)
        self.telegram = 1000 * (seed + 1)  # distinct ids for each churn of one database
        self.members: list[int] = []
        self.leave: list[int] = []
        self.directives: list[int] = []

    def moment(self) -> datetime:
        """Some time during the days, so that members join before and after each one ends."""
        day = self.rng.choice([DAY - timedelta(days=1), *DAYS])
        return self.services.checkins.day_end(day) - timedelta(hours=self.rng.randint(1, 30))

    async def add_member(self) -> None:
        async with self.storage.db.transaction() as conn:
            member_id = await self.storage.members.add(
                conn,
                telegram_id=self.telegram + len(self.members),
                display_name=f"Member {len(self.members)}",
                username=None,
                language="en",
                unit_id=self.rng.choice(self.units),
                now=self.moment(),
            )
        self.members.append(member_id)

    async def check_in(self) -> None:
        member = await self.storage.members.get(self.rng.choice(self.members))
        assert member is not None
        await self.storage.checkins.save(
            member_id=member.id,
            unit_id=member.unit_id,
            day=self.rng.choice(DAYS),
            answers={},
            excused=self.rng.random() < 0.4,
            flagged=self.rng.random() < 0.2,
            now=self.moment(),
        )

    async def move(self) -> None:
        member_id = self.rng.choice(self.members)
        await self.storage.members.set_unit(member_id, self.rng.choice(self.units), self.moment())

    async def set_active(self) -> None:
        async with self.storage.db.transaction() as conn:
            await self.storage.members.set_active(
                conn, self.rng.choice(self.members), self.rng.random() < 0.5, self.moment()
            )

    async def take_leave(self) -> None:
        first = self.rng.choice(DAYS)
        leave = await self.storage.leave.add(
            member_id=self.rng.choice(self.members),
            first_day=first,
            last_day=first + timedelta(days=self.rng.randint(0, 2)),
            reason="annual",
            recorded_by=None,
            now=self.moment(),
        )
        self.leave.append(leave.id)

    async def cancel_leave(self) -> None:
        if self.leave:
            await self.storage.leave.cancel(self.rng.choice(self.leave), self.moment())

    async def delete_checkin(self) -> None:
        rows = await self.storage.db.fetchall("SELECT id FROM checkins ORDER BY id")
        if rows:
            await self.storage.db.write(
                "DELETE FROM checkins WHERE id = ?", (self.rng.choice(rows)["id"],)
            )

    async def send_directive(self, target: int | None = None) -> None:
        now = self.moment()
        directive_id = await self.storage.directives.create(
            author_member_id=None,
            author_telegram_id=1,
            from_unit_id=self.units[0],
            text=f"Directive {len(self.directives)}",
            attachment=None,
            ack_required=self.rng.random() < 0.5,
            ack_deadline=None,
            send_at=now,
            targets=[Target(target or self.rng.choice(self.units), subtree=True)],
            now=now,
        )
        await self.storage.directives.materialise(directive_id, now)
        self.directives.append(directive_id)

    async def deliver(self) -> None:
        """A directive's message sent, or failed, or unreachable; acknowledged, or not."""
        rows = await self.storage.db.fetchall(
            "SELECT id, directive_id, member_id FROM outbox WHERE kind = 'directive' ORDER BY id"
        )
        if not rows:
            return
        row, outbox = self.rng.choice(rows), self.storage.outbox
        fate = self.rng.choice(["sent", "sent", "failed", "unreachable", "ack", "ack", "odd"])
        if fate == "sent":
            await outbox.mark_sent(row["id"], 1, self.moment())
        elif fate == "failed":
            await outbox.mark_failed(row["id"], "bad request")
        elif fate == "unreachable":
            await outbox.mark_unreachable(row["id"], "blocked", self.moment())
        elif fate == "ack":
            await self.storage.directives.acknowledge(
                row["directive_id"], row["member_id"], self.moment()
            )
        else:
            await self.odd(row)

    async def odd(self, row: Row) -> None:
        """What no code does to a delivery or a recipient today, and the counts must follow
        all the same: a second delivery, one deleted, put back, or made another's, and a
        recipient removed."""
        db, key = self.storage.db, (row["directive_id"], row["member_id"])
        match self.rng.choice(["again", "delete", "requeue", "reassign", "unrecipient"]):
            case "again":
                await db.write(
                    "INSERT INTO outbox (kind, chat_id, member_id, directive_id, priority,"
                    " status, next_attempt_at, created_at) VALUES ('directive', 1, ?, ?, 9, ?,"
                    " 'x', 'x')",
                    (row["member_id"], row["directive_id"], self.rng.choice(["sent", "pending"])),
                )
            case "delete":
                await db.write("DELETE FROM outbox WHERE id = ?", (row["id"],))
            case "requeue":
                await db.write("UPDATE outbox SET status = 'pending' WHERE id = ?", (row["id"],))
            case "reassign":
                await db.write(
                    "UPDATE outbox SET member_id = ?, kind = ? WHERE id = ?",
                    (self.rng.choice(self.members), self.rng.choice(["directive", "x"]), row["id"]),
                )
            case _:
                await db.write(
                    "DELETE FROM directive_recipients WHERE directive_id = ? AND member_id = ?", key
                )

    async def run(self, steps: int) -> None:
        self.members = [r["id"] for r in await self.storage.db.fetchall("SELECT id FROM members")]
        for _ in range(5):
            await self.add_member()
        actions = [
            (self.add_member, 2),
            (self.check_in, 8),
            (self.move, 2),
            (self.set_active, 2),
            (self.take_leave, 2),
            (self.cancel_leave, 1),
            (self.delete_checkin, 1),
            (self.send_directive, 1),
            (self.deliver, 6),
        ]
        for _ in range(steps):
            action = self.rng.choices([a for a, _ in actions], [w for _, w in actions])[0]
            await action()


@pytest.mark.parametrize("seed", range(4))
async def test_kept_counts_follow_every_change(
    services: Services, tmp_path: Path, seed: int
) -> None:
    await load_tree(services, tmp_path)
    unit_ids = [u.id for u in await services.storage.units.all()]
    await Churn(services, unit_ids, seed).run(250)
    await assert_counts_as_defined(services, unit_ids)


@pytest.mark.sqlite_only
async def test_counts_of_a_database_from_before_them(settings: Settings, tmp_path: Path) -> None:
    """Migration 0012 counts what is already there (a database of version 11 with a day's
    check-ins, leave and directives in it)."""
    db = await SqliteDatabase.open(settings.storage.database, migrate=False)
    await db.conn.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL)"
    )
    for version, name, sql in migrations():
        if version < 12:
            await db.conn.executescript(
                f"BEGIN;\n{sql}\nINSERT INTO schema_version VALUES ({version}, '{name}', 'x');"
                "\nCOMMIT;"
            )
    storage = Storage(db)
    services = Services.build(settings, storage, FakeClock())
    try:
        await load_tree(services, tmp_path)
        unit_ids = [u.id for u in await storage.units.all()]
        await Churn(services, unit_ids, seed=7).run(150)
        assert await db.migrate() == [v for v, _, _ in migrations() if v >= 12]
        await assert_counts_as_defined(services, unit_ids)
        await Churn(services, unit_ids, seed=8).run(100)  # and keeps them from then on
        await assert_counts_as_defined(services, unit_ids)
    finally:
        await storage.close()


async def test_deliveries_beyond_one_count_as_the_join_counts_them(
    services: Services, tmp_path: Path
) -> None:
    """A recipient with two deliveries is two joined rows, then one again when either goes
    (whichever way it goes)."""
    await load_tree(services, tmp_path)
    unit_ids = [u.id for u in await services.storage.units.all()]
    churn = Churn(services, unit_ids, seed=0)
    await churn.run(0)  # five members
    root = await services.storage.units.by_code("CITY")
    assert root is not None
    await churn.send_directive(root.id)
    db = services.storage.db
    [row] = await db.fetchall(
        "SELECT id, directive_id, member_id FROM outbox WHERE kind = 'directive' LIMIT 1"
    )
    await services.storage.directives.acknowledge(
        row["directive_id"], row["member_id"], churn.moment()
    )
    for status in ("sent", "pending"):
        await db.write(
            "INSERT INTO outbox (kind, chat_id, member_id, directive_id, priority, status,"
            " next_attempt_at, created_at) VALUES ('directive', 1, ?, ?, 9, ?, 'x', 'x')",
            (row["member_id"], row["directive_id"], status),
        )
    await assert_counts_as_defined(services, unit_ids)
    for gone in (f"id = {row['id']}", "status = 'sent'"):  # three deliveries, two, one
        await db.write(f"DELETE FROM outbox WHERE member_id = ? AND {gone}", (row["member_id"],))
        await assert_counts_as_defined(services, unit_ids)
    await db.write("UPDATE outbox SET kind = 'notice' WHERE member_id = ?", (row["member_id"],))
    await assert_counts_as_defined(services, unit_ids)
    [(recipients,)] = await db.fetchall("SELECT SUM(recipients) FROM directive_counts")
    assert recipients == len(await db.fetchall("SELECT 1 FROM directive_recipients"))


def test_an_overlong_summary_is_cut_as_plain_text() -> None:
    """Folding cannot shorten a committee name: the text is cut without splitting a tag."""
    from datetime import date as day_
    from zoneinfo import ZoneInfo

    from bot.kit.i18n import translator
    from bot.summaries.render import TEXT_LIMIT, SummaryText
    from bot.summaries.service import Counts, Duty, Summary
    from storage.models import Unit

    unit = Unit(1, "BIG", "<b>&" * 2000, None, "/1/", 0, None)
    summary = Summary(
        committee=unit, day=day_(2026, 12, 1), zone=ZoneInfo("UTC"), day_off=False,
        total=Counts(members=3, checked_in=1), previous=Counts(), previous_day=day_(2026, 11, 30),
        lines=[], duty=Duty(), own_missing=[], flagged=[], directives=[], incidents=[],
    )  # fmt: skip
    text = SummaryText(translator(), "en").daily(summary)
    assert len(text) <= TEXT_LIMIT
    assert text.startswith("📊 &lt;b&gt;&amp;") and text.endswith("…")
    assert "<" not in text  # no tag left half-open
