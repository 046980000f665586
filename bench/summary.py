"""The root committee's daily summary over a large organisation, against a plain count of
that day's check-ins.

Target (from the issue): an organisation of 200,000 members in 5,300 units over 3 levels
with 30 days of history (6 million check-ins): compiling the root committee's daily summary
(``SummaryService.compile``) takes at most 150 ms, and at most 12× the time of
``SELECT COUNT(*) FROM checkins WHERE day = ?`` for the same day, in the same run.

Setup, untimed and once per run, in a temporary directory removed afterwards: a new
database migrated by ``Storage.open``; the tree imported through ``OrgService.import_file``
and the members inserted with ``add_many`` (as ``bench.org_memory`` does); then the history
written straight into SQLite through a plain connection, one ``INSERT … SELECT`` over the
members per day, its randomness a hash of (member, day, seed) so a seed gives the same data.

Measurement: one process, the bot's own ``Storage`` (aiosqlite, WAL, a reader connection)
and ``Services``; a discarded warm-up of both sides, then rounds of A (the plain count,
through the same connection) and B (``compile`` of the root unit for the last day),
alternating A B A B …; medians, and the median of the per-round ratios B / A.

    .venv/bin/python -m bench.summary [--members 200000] [--units 5300] [--days 38]
                                      [--rounds 15] [--seed 1] [--quick]
                                      [--store sqlite|postgresql|both] [--postgres URL]
                                      [--out docs/benchmarks.md]

``--store postgresql`` or ``both`` (issue #20): the same data copied into a new PostgreSQL
database (``bench.pgstore``: a binary COPY per table, then ``VACUUM ANALYZE``), the compile
timed there too, in the same rounds as SQLite's with ``both``, and reported in a section of
its own (target: PostgreSQL within 2× SQLite's time), with each statement's time on each
store and PostgreSQL's plan (``EXPLAIN ANALYZE``) of its slowest statement.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.org_memory import district_count, member_rows, write_org_csv
from bench.pgstore import STORES
from bench.report import machine, publish, verdict
from bot.checkins.service import local_instant
from bot.config import Settings, load_settings
from bot.kit.clock import FakeClock
from bot.org.authz import Actor
from bot.org.reach import Reach
from bot.services import Services
from bot.summaries.service import Counts, Summary
from storage import Storage
from storage.db import sqlite_only, to_db_time
from storage.directives import DirectiveKind
from storage.outbox import Priority

HEADING = "## Summaries: the root committee's day at scale"
TIME_TARGET_MS = 150.0
RATIO_TARGET = 12.0
ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 1)  # the summarised day, the last of the history (a Tuesday)
NOW = datetime(2026, 12, 1, 21, 0, tzinfo=ZONE)  # after the 20:00 daily summary
COUNT_SQL = "SELECT COUNT(*) AS n FROM checkins WHERE day = ?"
GRIDS_PER_UNIT = 400 / 5_300  # a few hundred grids in the full organisation
# The form's answers as the bot stores them (bot.checkins.config's default form), by share:
# at their post, excused (on leave, sick), asking for help (flagged).
ANSWERS = tuple(
    json.dumps({"status": choice}, ensure_ascii=False, sort_keys=True)
    for choice in ("post", "leave", "sick", "problem")
)
LATE_JOINERS = 300  # per 10,000 members: joined during the history
INACTIVE = 200  # per 10,000: left the organisation (their check-ins stay)
MOVED = 100  # per 10,000: moved to another branch after checking in
ON_LEAVE = 150  # per 10,000: a leave period somewhere in the history
# The member register (issue #18), per 10,000 members: joined through it (the rest through
# general invites), on it but never joined, with an email, and known to have blocked the bot.
REGISTERED = 9_500
NOT_JOINED = 500
WITH_EMAIL = 3_000
BLOCKED = 50
PROJECT_ROOT = Path(__file__).resolve().parents[1]


# --- data ------------------------------------------------------------------------------------


def rnd(seed: int, salt: int, *terms: str) -> str:
    """SQL for a pseudo-random integer in [0, 10000) from the integer ``terms``: a linear
    mix squared modulo a prime, so the same seed gives the same data (``random()`` cannot be
    seeded) and neighbouring ids or days do not get neighbouring values."""
    primes = (48271, 16807, 69621, 39373)
    mix = " + ".join(f"({t}) * {p}" for t, p in zip(terms, primes, strict=False))
    x = f"(({mix} + {salt * 7919 + seed * 104729}) % 2147483647)"
    return f"(({x} * {x} + {salt}) % 2147483629 % 10000)"


def db_day(day: date) -> str:
    return day.isoformat()


def at(day: date, hour: int, minute: int = 0) -> str:
    """A stored instant: ``hour:minute`` local on ``day``."""
    return to_db_time(datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE))


def bench_settings(db: Path) -> Settings:
    return load_settings(
        None,
        organisation={"name": "Riverside", "timezone": ZONE.key},
        storage={"database": db},
        # Configured, never used here: the reach figures count who email could reach.
        fallback={"email": {"host": "127.0.0.1", "sender": "muster@example.org"}},
    )


@dataclass(frozen=True, slots=True)
class Plan:
    members: int
    units: int
    days: int
    rounds: int
    seed: int
    quick: bool = False

    @property
    def first_day(self) -> date:
        return DAY - timedelta(days=self.days - 1)

    def history(self) -> list[date]:
        return [self.first_day + timedelta(days=k) for k in range(self.days)]


async def create(db: Path, tmp: Path, plan: Plan) -> None:
    """The schema (migrated as the bot does), the tree and the members, through the app."""
    storage = await Storage.open(db)
    try:
        joined = local_instant(plan.first_day - timedelta(days=90), NOW.time(), ZONE)
        services = Services.build(bench_settings(db), storage, FakeClock(joined))
        org_csv = tmp / "org.csv"
        write_org_csv(org_csv, plan.units, plan.seed)
        await services.org.import_file(Actor.console(), org_csv)
        # Committees have members of their own too, not only the branches.
        unit_ids = [unit.id for unit in await storage.units.all()]
        await storage.members.add_many(member_rows(plan.members, unit_ids, plan.seed, {}), joined)
    finally:
        await storage.close()


def fill(db: Path, plan: Plan) -> dict[str, int]:
    """Everything the summary reads, bulk written: the history of check-ins, leave, grids,
    shifts, incidents and directives. Returns the row counts."""
    seed = plan.seed
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        # A bulk load: nothing here needs to survive a crash, and the indexes fit in memory.
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-1048576")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("BEGIN")
        _members(conn, plan)
        _leave(conn, plan)
        for k, day in enumerate(plan.history()):
            _checkins(conn, plan, k, day)
        _moves(conn, seed)
        _duty(conn, plan)
        _directives(conn, plan)
        _register(conn, plan)
        conn.execute("COMMIT")
        counts = {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in (
                "units",
                "members",
                "checkins",
                "leave",
                "grids",
                "shifts",
                "incidents",
                "directives",
                "directive_recipients",
                "outbox",
                "register_entries",
            )
        }
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    return counts


def _members(conn: sqlite3.Connection, plan: Plan) -> None:
    """Some members joined during the history, some have left since."""
    seed, first = plan.seed, plan.first_day
    for k, day in enumerate(plan.history()):
        conn.execute(
            f"UPDATE members SET joined_at = ? WHERE {rnd(seed, 10, 'id')} < {LATE_JOINERS}"
            f" AND {rnd(seed, 11, 'id')} % ? = ?",
            (at(day, 10), plan.days, k),
        )
    conn.execute(
        f"UPDATE members SET active = 0, updated_at = ? WHERE {rnd(seed, 12, 'id')} < {INACTIVE}",
        (at(first, 12),),
    )


def _register(conn: sqlite3.Connection, plan: Plan) -> None:
    """The member register: most members joined through their entry, a few others never
    joined; some entries have an email; a few members blocked the bot."""
    seed, stamp = plan.seed, at(plan.first_day, 7)
    email = f"CASE WHEN {rnd(seed, 62, 'id')} < {WITH_EMAIL} THEN 'm' || id || '@example.org' END"
    for salt, share, member in ((60, REGISTERED, "id"), (61, NOT_JOINED, "NULL")):
        conn.execute(
            "INSERT INTO register_entries (unit_id, name, phone, email, external_id, member_id,"
            f" created_at, updated_at) SELECT unit_id, display_name, '+861{salt}' || printf('%08d',"
            f" id), {email}, '{salt}-' || id, {member}, ?, ?"
            f" FROM members WHERE {rnd(seed, salt, 'id')} < {share}",
            (stamp, stamp),
        )
    conn.execute(
        f"UPDATE members SET unreachable_since = ? WHERE {rnd(seed, 63, 'id')} < {BLOCKED}",
        (at(DAY, 9),),
    )


def _leave(conn: sqlite3.Connection, plan: Plan) -> None:
    """A leave period of 1-7 days for some members, one in ten of them cancelled."""
    seed = plan.seed
    start = f"date(?, '+' || ({rnd(seed, 20, 'id')} % {plan.days}) || ' days')"
    conn.execute(
        "INSERT INTO leave (member_id, first_day, last_day, reason, recorded_by, created_at,"
        " cancelled_at)"
        f" SELECT id, {start}, date({start}, '+' || ({rnd(seed, 21, 'id')} % 7) || ' days'),"
        f" CASE {rnd(seed, 22, 'id')} % 3 WHEN 0 THEN 'annual' WHEN 1 THEN 'sick'"
        " ELSE 'other' END, id, ?,"
        f" CASE WHEN {rnd(seed, 23, 'id')} < 1000 THEN ? END"
        f" FROM members WHERE {rnd(seed, 24, 'id')} < {ON_LEAVE}",
        (db_day(plan.first_day),) * 2 + (at(plan.first_day, 8), at(plan.first_day, 9)),
    )


def _checkins(conn: sqlite3.Connection, plan: Plan, k: int, day: date) -> None:
    """One day's check-ins: each unit's rate between 70 and 90 %, ±5 % from day to day; 91 %
    at their post, 8.5 % excused (on leave, sick), 0.5 % asking for help (flagged). Members
    on leave mostly do not check in. Written in a shuffled order, as they come in."""
    seed, iso, day_k = plan.seed, db_day(day), str(k)
    unit_rate = f"7000 + {rnd(seed, 30, 'm.unit_id')} % 2000"
    rate = f"({unit_rate} + {rnd(seed, 31, 'm.unit_id', day_k)} % 1000 - 500)"
    answer, shuffle = rnd(seed, 32, "m.id", day_k), rnd(seed, 33, "m.id", day_k)
    conn.execute(
        "INSERT INTO checkins (member_id, unit_id, day, answers, excused, flagged,"
        " created_at, updated_at)"
        " SELECT id, unit_id, ?, CASE WHEN a < 9100 THEN ? WHEN a < 9450 THEN ?"
        " WHEN a < 9950 THEN ? ELSE ? END, a >= 9100 AND a < 9950, a >= 9950, ?, ?"
        f" FROM (SELECT m.id, m.unit_id, {answer} AS a, {shuffle} AS shuffle"
        f" FROM members m WHERE m.joined_at < ? AND {rnd(seed, 34, 'm.id', day_k)} < {rate}"
        # Those who have left since checked in until the day they left.
        f" AND (m.active = 1 OR {rnd(seed, 36, 'm.id')} % {plan.days} > {k})"
        " AND (NOT EXISTS (SELECT 1 FROM leave l WHERE l.member_id = m.id"
        " AND l.cancelled_at IS NULL AND l.first_day <= ? AND l.last_day >= ?)"
        f" OR {rnd(seed, 35, 'm.id', day_k)} < 500)) ORDER BY shuffle",
        (iso, *ANSWERS, at(day, 8), at(day, 8), at(day + timedelta(days=1), 0), iso, iso),
    )


def _moves(conn: sqlite3.Connection, seed: int) -> None:
    """Some members moved to another branch: their earlier check-ins keep the old unit,
    the summary counts them in the new one."""
    conn.execute(
        "CREATE TEMP TABLE branch AS"
        " SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM units WHERE depth = 2"
    )
    (branches,) = conn.execute("SELECT COUNT(*) FROM branch").fetchone()
    conn.execute(
        "UPDATE members SET unit_id = (SELECT b.id FROM branch b"
        f" WHERE b.n = {rnd(seed, 40, 'members.id')} * ? / 10000)"
        f" WHERE {rnd(seed, 41, 'members.id')} < {MOVED}",
        (branches,),
    )


def _duty(conn: sqlite3.Connection, plan: Plan) -> None:
    """A grid in some branches; most have a shift a day, in every status; an incident
    reported on some of the shifts."""
    seed, first = plan.seed, plan.first_day
    conn.execute(
        "INSERT INTO grids (unit_id, code, name, lat, lon, radius_m, active, created_at,"
        " updated_at)"
        " SELECT id, 'G' || id, 'Grid ' || id, 31.2 + id * 0.0001, 121.4, 300,"
        f" {rnd(seed, 50, 'id')} >= 300, ?, ? FROM units WHERE depth = 2"
        f" ORDER BY {rnd(seed, 51, 'id')} LIMIT ?",
        (at(first, 7), at(first, 7), max(3, round(plan.units * GRIDS_PER_UNIT))),
    )
    for k, day in enumerate(plan.history()):
        status = rnd(seed, 52, "g.id", str(k))
        conn.execute(
            "INSERT INTO shifts (grid_id, unit_id, member_id, starts_at, ends_at, day, status,"
            " created_at, confirmed_at, declined_at, decline_reason)"
            " SELECT id, unit_id, CASE WHEN s = 'open' THEN NULL ELSE member END, ?, ?, ?, s,"
            " ?, CASE WHEN s IN ('confirmed', 'started', 'completed') THEN ? END,"
            " CASE WHEN declined THEN ? END, CASE WHEN declined THEN 'busy' END"
            " FROM (SELECT g.id, g.unit_id, (SELECT MIN(m.id) FROM members m"
            " WHERE m.unit_id = g.unit_id) AS member,"
            f" CASE WHEN {status} < 2000 THEN 'assigned' WHEN {status} < 5500 THEN 'confirmed'"
            f" WHEN {status} < 6500 THEN 'started' WHEN {status} < 8800 THEN 'completed'"
            f" WHEN {status} < 9300 THEN 'open' WHEN {status} < 9700 THEN 'no_show'"
            f" ELSE 'cancelled' END AS s, {rnd(seed, 53, 'g.id', str(k))} < 800 AS declined"
            f" FROM grids g WHERE {rnd(seed, 54, 'g.id', str(k))} < 9000)",
            (at(day, 18), at(day, 22), db_day(day), at(day, 7), at(day, 9), at(day, 9)),
        )
    conn.execute(
        "INSERT INTO incidents (shift_id, member_id, unit_id, day, at, text)"
        " SELECT id, member_id, unit_id, day, starts_at, 'Broken street light'"
        f" FROM shifts WHERE member_id IS NOT NULL AND status IN ('started', 'completed')"
        f" AND {rnd(seed, 55, 'id')} < 800"
    )


def _directives(conn: sqlite3.Connection, plan: Plan) -> None:
    """A directive from one district to its subtree each day; on the last day one from the
    committee to the whole organisation and three more from districts. Every recipient has
    an outbox row (mostly sent); of those asked to acknowledge, most did."""
    seed = plan.seed
    districts = district_count(plan.units)
    sends: list[tuple[date, str]] = []
    for k, day in enumerate(plan.history()):
        sends.append((day, f"D{1 + (k * 7 + seed) % districts:02d}"))
    sends.append((DAY, "ROOT"))
    sends += [(DAY, f"D{1 + (seed + i * 11) % districts:02d}") for i in (1, 2, 3)]
    for index, (day, code) in enumerate(sends):
        ack, sent_at, salt = index % 2 == 0, at(day, 10, index % 60), str(index)
        cursor = conn.execute(
            "INSERT INTO directives (author_member_id, author_telegram_id, from_unit_id, text,"
            " ack_required, send_at, status, created_at, finished_at)"
            " SELECT MIN(m.id), MIN(m.telegram_id), u.id, 'Directive ' || ?, ?, ?, 'sent', ?, ?"
            " FROM units u JOIN members m ON m.unit_id = u.id WHERE u.code = ?",
            (index, int(ack), sent_at, at(day, 9), at(day, 11), code),
        )
        directive = cursor.lastrowid
        conn.execute(
            "INSERT INTO directive_targets (directive_id, unit_id, subtree)"
            " SELECT ?, id, 1 FROM units WHERE code = ?",
            (directive, code),
        )
        conn.execute(
            "INSERT INTO directive_recipients (directive_id, member_id, unit_id, acked_at)"
            f" SELECT ?, m.id, m.unit_id, CASE WHEN ? AND {rnd(seed, 60, 'm.id', salt)} < 7000"
            " THEN ? END FROM units t, units u JOIN members m ON m.unit_id = u.id"
            " WHERE t.code = ? AND u.path >= t.path AND u.path < t.path || x'ff'"
            " AND m.active = 1 ORDER BY m.id",
            (directive, int(ack), at(day, 12), code),
        )
        conn.execute(
            "INSERT INTO outbox (kind, chat_id, member_id, directive_id, priority, status,"
            " attempts, next_attempt_at, sent_at, created_at)"
            " SELECT ?, m.telegram_id, m.id, r.directive_id, ?,"
            f" CASE WHEN {rnd(seed, 61, 'm.id', salt)} < 9700 THEN 'sent'"
            f" WHEN {rnd(seed, 62, 'm.id', salt)} < 6000 THEN 'unreachable'"
            " ELSE 'failed' END,"
            " 1, ?, ?, ? FROM directive_recipients r JOIN members m ON m.id = r.member_id"
            " WHERE r.directive_id = ? ORDER BY m.id",
            (DirectiveKind.DIRECTIVE, Priority.BULK, sent_at, sent_at, sent_at, directive),
        )
        conn.execute(
            "UPDATE directives SET recipients = (SELECT COUNT(*) FROM directive_recipients"
            " WHERE directive_id = ?) WHERE id = ?",
            (directive, directive),
        )


# --- measurement -------------------------------------------------------------------------------

# What the definitions say, written plainly (every member joined to their check-in): the
# summary's totals must be these.
REFERENCE_SQL = (
    "SELECT COUNT(*), COUNT(c.id), TOTAL(c.excused), TOTAL(c.id IS NULL AND EXISTS ("
    " SELECT 1 FROM leave l WHERE l.member_id = m.id AND l.cancelled_at IS NULL"
    " AND l.first_day <= ?1 AND l.last_day >= ?1))"
    " FROM members m LEFT JOIN checkins c ON c.member_id = m.id AND c.day = ?1"
    " WHERE m.active = 1 AND m.joined_at < ?2"
)
# Reach as README "Reach per unit" defines it, written plainly: every active register entry
# and every active member on none, each on Telegram, by email (configured) or neither.
REACH_REFERENCE_SQL = (
    "SELECT COUNT(*), TOTAL(joined), TOTAL(telegram), TOTAL(NOT telegram AND email IS NOT NULL)"
    " FROM (SELECT m.telegram_id IS NOT NULL AS joined, COALESCE(m.active = 1"
    " AND m.telegram_id IS NOT NULL AND m.unreachable_since IS NULL, 0) AS telegram, e.email"
    " FROM register_entries e LEFT JOIN members m ON m.id = e.member_id WHERE e.active = 1"
    " UNION ALL SELECT 1, m.unreachable_since IS NULL, NULL FROM members m WHERE m.active = 1"
    " AND NOT EXISTS (SELECT 1 FROM register_entries e WHERE e.member_id = m.id"
    " AND e.active = 1))"
)
# Each statement of a compile, named by what it reads (the first that matches).
QUERY_NAMES = (  # the first key found in a statement names it
    ("FROM flag_cases", "`CaseRepository.open_per_unit`"),
    ("SELECT f.day,", "`FigureRepository.rolled_up`"),
    ("FROM unit_reach", "`RegisterRepository.reach_lines`"),
    ("WITH scope AS", "`CheckinRepository.rolled_up`"),
    ("FROM grids g", "`GridRepository.coverage`"),
    ("FROM shifts s", "`ShiftRepository.status_counts`"),
    ("c.flagged = 1", "`SummaryRepository.flagged`"),
    ("FROM incidents", "`IncidentRepository.of_subtree_day`"),
    ("MAX(c.day)", "`CheckinRepository.missing`"),
    ("FROM directives d", "`SummaryRepository.directives`"),
    ("WHERE parent_id =", "`UnitRepository.children`"),
    ("WHERE id IN", "`UnitRepository.many`"),
    ("WHERE path >=", "`UnitRepository.subtree`"),
    ("unit_member_counts", "`CheckinRepository.unit_days`"),
)

Timed = Callable[[], Awaitable[object]]


@dataclass(slots=True)
class Query:
    """One statement of the compile: what it is, its plan, its time run alone."""

    name: str
    plan: list[str]
    ms: float = 0.0


@dataclass(slots=True)
class Runs:
    pairs: list[tuple[float, float]] = field(default_factory=list)  # (count A, compile B) s
    queries: list[Query] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)
    count_plan: list[str] = field(default_factory=list)
    day_checkins: int = 0
    generate_s: float = 0.0
    seconds: float = 0.0


def query_name(sql: str) -> str:
    return next((name for key, name in QUERY_NAMES if key in sql), f"`{sql[:60]}…`")


async def clock(work: Timed) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


async def traced(storage: Storage, work: Timed) -> list[str]:
    """The queries ``work`` runs, parameters filled in (as tests/unit/test_summaries.py
    reads them)."""
    statements: list[str] = []
    db = sqlite_only(storage.db, "tracing")
    connections = list({id(db.conn): db.conn, id(db.reader): db.reader}.values())
    for conn in connections:
        await conn.set_trace_callback(statements.append)
    try:
        await work()
    finally:
        for conn in connections:
            await conn.set_trace_callback(lambda _: None)
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


async def check(services: Services, summary: Summary, plan: Plan) -> list[str]:
    """The summary against the definitions and the data's shape; stops the run if off."""
    db = services.storage.db
    found: list[str] = []
    for day, counts in ((DAY, summary.total), (summary.previous_day, summary.previous)):
        end = to_db_time(services.checkins.day_end(day))
        row = await db.fetchone(REFERENCE_SQL, (day.isoformat(), end))
        assert row is not None
        expected = Counts(row[0], row[1], int(row[2]), int(row[3]))
        if counts != expected:
            raise SystemExit(f"{day}: the summary says {counts}, the definitions {expected}")
        found.append(
            f"{day}: {counts.members:,} members, {counts.checked_in:,} checked in"
            f" ({counts.checked_in / max(1, counts.expected):.1%} of those expected),"
            f" {counts.excused:,} excused, {counts.on_leave:,} on leave,"
            f" {counts.missing:,} missing"
        )
    row = await db.fetchone(REACH_REFERENCE_SQL)
    assert row is not None
    reach = summary.reach
    plain = Reach(row[0], int(row[1]), int(row[2]), int(row[3]))
    if reach != plain:
        raise SystemExit(f"reach: the summary says {reach}, the definitions {plain}")
    found.append(
        f"reach: {reach.expected:,} expected, {reach.joined:,} joined, {reach.telegram:,} on"
        f" Telegram, {reach.fallback:,} by email only, {reach.unreachable:,} unreachable"
    )
    children = sum(1 for line in summary.lines if not line.own)
    if children != district_count(plan.units) or not summary.directives:
        raise SystemExit(f"unexpected summary: {children} child units, {summary.directives}")
    found.append(
        f"{children} child units and the committee's own members, {len(summary.own_missing)}"
        f" of whom missing; {len(summary.flagged)} flagged answers; {summary.duty.grids} grids"
        f" ({summary.duty.uncovered} uncovered); {len(summary.incidents)} incidents;"
        f" {len(summary.directives)} directives to"
        f" {sum(d.recipients for d in summary.directives):,} recipients,"
        f" {sum(d.acked for d in summary.directives):,} acknowledged"
    )
    return found


async def measure_in(db: Path, plan: Plan, runs: Runs) -> None:
    """Warm up and check, then the A B rounds, then each statement alone with its plan."""
    storage = await Storage.open(db)
    try:
        services = Services.build(bench_settings(db), storage, FakeClock(NOW))
        root = await storage.units.by_code("ROOT")
        assert root is not None

        async def count() -> object:
            return await storage.db.fetchone(COUNT_SQL, (DAY.isoformat(),))

        async def compile_() -> object:
            return await services.summaries.compile(root, DAY)

        summary = await services.summaries.compile(root, DAY)  # the discarded warm-up
        runs.checks = await check(services, summary, plan)
        row = await storage.db.fetchone(COUNT_SQL, (DAY.isoformat(),))
        runs.day_checkins = int(row["n"]) if row else 0
        plan_rows = await storage.db.fetchall(f"EXPLAIN QUERY PLAN {COUNT_SQL}", (DAY.isoformat(),))
        runs.count_plan = [str(r["detail"]) for r in plan_rows]
        for index in range(plan.rounds):
            pair = (await clock(count), await clock(compile_))
            runs.pairs.append(pair)
            print(
                f"round {index + 1}/{plan.rounds}: count {pair[0] * 1000:.1f} ms,"
                f" compile {pair[1] * 1000:.1f} ms",
                file=sys.stderr,
            )
        for sql in await traced(storage, compile_):
            plan_rows = await storage.db.fetchall(f"EXPLAIN QUERY PLAN {sql}")
            query = Query(query_name(sql), [str(r["detail"]) for r in plan_rows])

            async def alone(sql: str = sql) -> object:
                return await storage.db.fetchall(sql)

            query.ms = statistics.median([await clock(alone) for _ in range(5)]) * 1000
            runs.queries.append(query)
    finally:
        await storage.close()


@contextmanager
def generated(plan: Plan) -> Iterator[tuple[Path, dict[str, int]]]:
    """A database in a temporary directory (removed after) holding the plan's organisation
    and history, and its row counts; also for ``bench.dashboard``."""
    with tempfile.TemporaryDirectory(prefix="muster-bench-") as name:
        tmp = Path(name)
        db = tmp / "summary.db"
        asyncio.run(create(db, tmp, plan))
        rows = fill(db, plan)
        print(f"data generated: {rows}", file=sys.stderr)
        yield db, rows


def measure(plan: Plan) -> Runs:
    runs = Runs()
    started = time.perf_counter()
    with generated(plan) as (db, runs.rows):
        runs.generate_s = time.perf_counter() - started
        asyncio.run(measure_in(db, plan, runs))
    runs.seconds = time.perf_counter() - started
    return runs


# --- the report ----------------------------------------------------------------------------------


def results_table(runs: Runs) -> tuple[list[str], bool, bool]:
    a_ms = statistics.median(a for a, _ in runs.pairs) * 1000
    b_ms = statistics.median(b for _, b in runs.pairs) * 1000
    ratio = statistics.median(b / a for a, b in runs.pairs)
    time_ok, ratio_ok = b_ms <= TIME_TARGET_MS, ratio <= RATIO_TARGET
    rows = [
        f"| {len(runs.pairs)} rounds | plain count (A) | root summary (B) | B / A | target |",
        "|---|---:|---:|---:|---|",
        f"| **median** | {a_ms:.1f} ms | **{b_ms:.1f} ms** | – |"
        f" ≤ {TIME_TARGET_MS:.0f} ms: {verdict(time_ok)} |",
        f"| **ratio, median of the per-round ratios** | – | – | **{ratio:.1f}×** |"
        f" ≤ {RATIO_TARGET:.0f}×: {verdict(ratio_ok)} |",
        f"| min | {min(a for a, _ in runs.pairs) * 1000:.1f} ms"
        f" | {min(b for _, b in runs.pairs) * 1000:.1f} ms | – | – |",
        f"| max | {max(a for a, _ in runs.pairs) * 1000:.1f} ms"
        f" | {max(b for _, b in runs.pairs) * 1000:.1f} ms | – | – |",
    ]
    return rows, time_ok, ratio_ok


def queries_table(runs: Runs) -> list[str]:
    rows = ["| Statement of the compile (in order) | alone, median of 5 |", "|---|---:|"]
    rows += [f"| {q.name} | {q.ms:.1f} ms |" for q in runs.queries]
    total = sum(q.ms for q in runs.queries)
    compile_ms = statistics.median(b for _, b in runs.pairs) * 1000
    rows += [
        f"| all {len(runs.queries)} statements | {total:.1f} ms |",
        "| the rest of the compile's median (Python: rows to objects, rolling up)"
        f" | {compile_ms - total:.1f} ms |",
    ]
    return rows


def plans_block(runs: Runs) -> list[str]:
    """Each statement's plan, once (the two days' unit_days share theirs, for one), after
    the plain count's."""
    lines, seen = ["```", "the plain count (A):", *(f"    {d}" for d in runs.count_plan)], set()
    for query in runs.queries:
        key = (query.name, tuple(query.plan))
        if key not in seen:
            seen.add(key)
            lines.append(f"{query.name.strip('`')}:")
            lines += [f"    {detail}" for detail in query.plan]
    lines.append("```")
    return lines


def render(plan: Plan, runs: Runs) -> str:
    table, time_ok, ratio_ok = results_table(runs)
    command = command_line("bench.summary", plan)
    rows = runs.rows
    about = [
        f"Targets: compiling the root committee's daily summary (`SummaryService.compile`)"
        f" in at most {TIME_TARGET_MS:.0f} ms, and in at most {RATIO_TARGET:.0f}× the time of"
        f" a plain count of the day's check-ins (`{COUNT_SQL.replace(' AS n', '')}`) in the same"
        " run. Both run in one process through the bot's own `Storage` (aiosqlite, WAL, the"
        " reader connection, default page cache) and `Services`, on a warm cache: one"
        " discarded compile first, then rounds of A (the count) and B (the compile)"
        " alternating; shown are medians, and the ratio is the median of the per-round"
        " ratios.",
        "The data, generated once per run into a temporary directory: the tree and the"
        " members through the bot (`OrgService.import_file`, `MemberRepository.add_many`),"
        " 1 committee, the districts, the rest branches, members at random in all units; then"
        " the history straight into SQLite by `INSERT … SELECT`, deterministic for a seed:"
        f" {plan.days} days{SIX_MILLION if plan.days == default_plan().days else ''}, each"
        " unit checking in at 70-90 % ±5 % a day, 8.5 % of answers excusing (leave, sick),"
        " 0.5 % flagged (asking for help); 3 % of the members joined during the history, 2 %"
        " have left (checking in until then), 1 % moved to another branch after checking in"
        " (the summary counts them in their new unit), 1.5 % have a leave period of 1-7 days"
        " (one in ten cancelled) and mostly do not check in then; a grid in some branches"
        " with a shift on most days in every status and incidents on some; a directive from"
        " a district to its subtree each day, and on the summarised day one from the"
        " committee to the whole organisation and three from districts, each recipient with"
        " an outbox row (97 % sent) and, where asked, 70 % acknowledged. The member register"
        " (issue #18): 95 % of the members joined through an entry of their own, entries for"
        " 5 % more never joined, 30 % of the entries have an email (the email channel is"
        " configured), 0.5 % of the members blocked the bot.",
        "Before timing, the summary's totals for the day and the working day before are"
        " checked against the definitions written plainly (every active member who had joined"
        " by the end of the day, joined to their check-in of the day), and its shape against"
        " the data's (every district a line, directives present), and its reach against the"
        " definitions written plainly (every active entry and every active member on none).",
    ]
    facts = [
        f"- Command: `{command}`, {runs.seconds:.0f} s in all, of which {runs.generate_s:.0f} s"
        " generating the data",
        f"- Data: {rows.get('units', 0):,} units, {rows.get('members', 0):,} members,"
        f" {rows.get('checkins', 0):,} check-ins ({runs.day_checkins:,} on the summarised day"
        f" {DAY.isoformat()}), {rows.get('leave', 0):,} leave periods, {rows.get('grids', 0)}"
        f" grids, {rows.get('shifts', 0):,} shifts, {rows.get('incidents', 0):,} incidents,"
        f" {rows.get('directives', 0)} directives to {rows.get('directive_recipients', 0):,}"
        f" recipients; seed {plan.seed}",
        *(f"- Summary: {line}" for line in runs.checks),
        f"- Date: {datetime.now(UTC):%Y-%m-%d}",
        f"- Machine: {machine()}",
    ]
    verdicts = f"Verdict: time {verdict(time_ok)}, ratio to the plain count {verdict(ratio_ok)}."
    blocks = [
        HEADING,
        *(textwrap.fill(p, 92, break_on_hyphens=False) for p in about),
        facts,
        table,
        queries_table(runs),
        "Query plans (`EXPLAIN QUERY PLAN`) of the plain count and of the compile's statements:",
        plans_block(runs),
        verdicts,
    ]
    return "\n\n".join(b if isinstance(b, str) else "\n".join(b) for b in blocks) + "\n"


def command_line(module: str, plan: Plan) -> str:
    """The command that runs ``module`` (this benchmark or one on its data) with ``plan``."""
    command = f"python -m {module}"
    if plan.quick:
        command += " --quick"
    elif plan != default_plan(plan.seed):
        command += (
            f" --members {plan.members} --units {plan.units} --days {plan.days}"
            f" --rounds {plan.rounds}"
        )
    if plan.seed != 1:
        command += f" --seed {plan.seed}"
    return command


def default_plan(seed: int = 1) -> Plan:
    """The issue's organisation; 38 days hold its 6 million check-ins at these rates."""
    return Plan(members=200_000, units=5_300, days=38, rounds=15, seed=seed)


SIX_MILLION = (
    " (the issue's 30 days of everyone is 6 million check-ins; at these rates 38 days hold as many)"
)
QUICK = Plan(members=5_000, units=300, days=5, rounds=3, seed=1, quick=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.summary", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--members", type=int, help="members (default 200000)")
    parser.add_argument("--units", type=int, help="units in the tree (default 5300)")
    parser.add_argument("--days", type=int, help="days of history (default 38)")
    parser.add_argument("--rounds", type=int, help="A/B rounds (default 15)")
    parser.add_argument("--seed", type=int, default=1, help="data generator seed")
    parser.add_argument("--out", type=Path, help="write the results section into this file")
    parser.add_argument(
        "--store",
        choices=STORES,
        default="sqlite",
        help="which store to time; postgresql or both: the section on PostgreSQL (issue #20)",
    )
    parser.add_argument(
        "--postgres", help="PostgreSQL server URL (default: a pgserver started for the run)"
    )
    parser.add_argument(
        "--lock", type=Path, help="hold this file's lock while timing (/work/bench.lock)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 5000 members, 300 units, 5 days, 3 rounds",
    )
    args = parser.parse_args(argv)
    base = QUICK if args.quick else default_plan()
    for name in ("members", "units", "days", "rounds"):
        if getattr(args, name) is None:
            setattr(args, name, getattr(base, name))
    if args.units < 3 or args.members < args.units or args.days < 2 or args.rounds < 1:
        parser.error("need --units >= 3, --members >= --units, --days >= 2, --rounds >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    plan = Plan(args.members, args.units, args.days, args.rounds, args.seed, quick=args.quick)
    if args.store != "sqlite":
        from bench import summary_stores  # it builds on this module

        summary_stores.main(plan, args.store, args.postgres, args.lock, args.out)
        return
    section = render(plan, measure(plan))
    publish(section, args.out, HEADING)


if __name__ == "__main__":
    main()
