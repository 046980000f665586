"""The PostgreSQL schema (storage/migrations/postgresql/, issue #20) is SQLite's: applied to a
real PostgreSQL, it has the tables, columns, keys, indexes, views and triggers that SQLite's
migrations leave behind, and the same writes leave the same rows in both, the tables kept
by triggers included. Every SQLite migration after the baseline has a PostgreSQL twin."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from storage.db import migrations
from tests.pg import scratch_database

BASELINE = 35
FOLDER = resources.files("storage.migrations") / "postgresql"
# The runner's own table (storage/db.py makes it on both stores), not a migration's.
RUNNER_TABLES = {"schema_version"}
# Indexes only PostgreSQL's several instances need (postgresql/0037_instances.sql): what
# the claim asks of another instance's sends, which SQLite's one process knows in memory.
PG_ONLY_INDEXES = {"outbox_chat_sending", "outbox_chat_sent"}

Schema = dict[str, Any]


def pg_migrations() -> dict[int, str]:
    return {
        int(entry.name[:4]): entry.name
        for entry in FOLDER.iterdir()
        if re.fullmatch(r"\d{4}_[a-z0-9_]+\.sql", entry.name)
    }


@pytest.fixture
def lite(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A SQLite database through every migration, as storage/db.py applies them."""
    conn = sqlite3.connect(tmp_path / "lite.db", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    for _, _, sql in migrations():
        conn.executescript(sql)
    yield conn
    conn.close()


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """An empty PostgreSQL database with the baseline and every later twin applied."""
    async with scratch_database() as url:
        conn = await asyncpg.connect(url)
        try:
            for _, name in sorted(pg_migrations().items()):
                await conn.execute((FOLDER / name).read_text(encoding="utf-8"))
        finally:
            await conn.close()
        yield url


@pytest.fixture
async def pg(pg_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(pg_url)
    yield conn
    await conn.close()


# -- The structure ------------------------------------------------------------------------

_TYPES = {"INTEGER": "integer", "TEXT": "text", "REAL": "real"}
_PG_TYPES = {"integer": "integer", "bigint": "integer", "smallint": "integer"}
_PG_TYPES |= {"text": "text", "double precision": "real"}
_TRIGGER = re.compile(
    r"CREATE\s+TRIGGER\s+(\w+)\s+(BEFORE|AFTER|INSTEAD\s+OF)\s+(INSERT|UPDATE|DELETE)"
    r"(?:\s+OF\s+(.*?))?\s+ON\s+(\w+)",
    re.IGNORECASE | re.DOTALL,
)
_ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL"}


def lite_schema(conn: sqlite3.Connection) -> Schema:
    def rows(sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return conn.execute(sql, params).fetchall()

    master = rows("SELECT type, name, tbl_name, sql FROM sqlite_master")
    tables = sorted(n for t, n, _, _ in master if t == "table" and not n.startswith("sqlite_"))
    tables = [t for t in tables if t not in RUNNER_TABLES]
    schema: Schema = {"columns": {}, "keys": {}, "foreign": {}, "checks": {}, "indexes": {}}
    for table in tables:
        info = rows('SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)', table)
        # A key's column is NOT NULL in PostgreSQL; SQLite only forgets to say so.
        schema["columns"][table] = [
            (name, _TYPES[kind], not (notnull or pk), default)
            for name, kind, notnull, default, pk in info
        ]
        keys = {("pk", tuple(n for n, *_, pk in sorted(info, key=lambda c: c[4]) if pk))}
        for name, unique, origin, partial in rows(
            'SELECT name, "unique", origin, partial FROM pragma_index_list(?)', table
        ):
            columns = tuple(
                f"lower({col})" if coll == "NOCASE" else col
                for col, coll in rows(
                    "SELECT name, coll FROM pragma_index_xinfo(?) WHERE key ORDER BY seqno", name
                )
            )
            if origin == "c":
                schema["indexes"][name] = (table, bool(unique), bool(partial), columns)
            elif origin == "u":
                keys.add(("unique", columns))
        schema["keys"][table] = keys
        schema["foreign"][table] = {
            (src, ref, dst, on_delete)
            for ref, src, dst, on_delete in rows(
                'SELECT "table", "from", "to", on_delete FROM pragma_foreign_key_list(?)', table
            )
        }
        sql = next(s for t, n, _, s in master if t == "table" and n == table)
        schema["checks"][table] = len(re.findall(r"\bCHECK\s*\(", sql, re.IGNORECASE))
    schema["views"] = {
        n: [c for (c,) in rows("SELECT name FROM pragma_table_info(?)", n)]
        for t, n, _, _ in master
        if t == "view"
    }
    schema["triggers"] = {}
    for t, name, _, sql in master:
        if t == "trigger":
            found = _TRIGGER.match(sql)
            assert found, sql
            _, timing, event, of, table = found.groups()
            of_columns = frozenset(c.strip() for c in of.split(",")) if of else frozenset()
            timing = " ".join(timing.upper().split())
            schema["triggers"][name] = (table, timing, event.upper(), of_columns)
    return schema


async def pg_schema(conn: asyncpg.Connection) -> Schema:
    schema: Schema = {"columns": {}, "keys": {}, "foreign": {}, "checks": {}, "indexes": {}}
    for r in await conn.fetch(
        "SELECT c.relname AS t, a.attname AS name, format_type(a.atttypid, NULL) AS kind,"
        " NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS dflt"
        " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
        " LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum"
        " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
        " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum"
    ):
        if r["t"] in RUNNER_TABLES:
            continue
        default = re.sub(r"::[a-z ]+$", "", r["dflt"]) if r["dflt"] is not None else None
        schema["columns"].setdefault(r["t"], []).append(
            (r["name"], _PG_TYPES[r["kind"]], r["nullable"], default)
        )
    for table in schema["columns"]:
        schema["keys"][table] = set()
        schema["foreign"][table] = set()
        schema["checks"][table] = 0
    for r in await conn.fetch(
        "SELECT c.conrelid::regclass::text AS t, c.contype::text AS kind,"
        " c.confdeltype::text AS on_delete, c.confrelid::regclass::text AS ref,"
        " ARRAY(SELECT attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)"
        "       JOIN pg_attribute ON attrelid = c.conrelid AND attnum = k.n ORDER BY k.i) AS cols,"
        " ARRAY(SELECT attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)"
        "       JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.n ORDER BY k.i) AS refs"
        " FROM pg_constraint c WHERE c.connamespace = 'public'::regnamespace"
    ):
        if r["t"] in RUNNER_TABLES:
            continue
        if r["kind"] in ("p", "u"):
            schema["keys"][r["t"]].add(("pk" if r["kind"] == "p" else "unique", tuple(r["cols"])))
        elif r["kind"] == "f":
            (src,), (dst,) = r["cols"], r["refs"]
            schema["foreign"][r["t"]].add((src, r["ref"], dst, _ON_DELETE[r["on_delete"]]))
        elif r["kind"] == "c":
            schema["checks"][r["t"]] += 1
    for r in await conn.fetch(
        "SELECT i.indexrelid::regclass::text AS name, i.indrelid::regclass::text AS t,"
        " i.indisunique AS uniq, i.indpred IS NOT NULL AS partial,"
        " ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)"
        "       FROM generate_series(1, i.indnkeyatts) k) AS cols"
        " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE c.relnamespace = 'public'::regnamespace"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid)"
    ):
        schema["indexes"][r["name"]] = (r["t"], r["uniq"], r["partial"], tuple(r["cols"]))
    views: dict[str, list[str]] = {}
    for r in await conn.fetch(
        "SELECT c.relname AS v, a.attname AS name FROM pg_class c"
        " JOIN pg_attribute a ON a.attrelid = c.oid"
        " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v' AND a.attnum > 0"
        " ORDER BY c.relname, a.attnum"
    ):
        views.setdefault(r["v"], []).append(r["name"])
    schema["views"] = views
    schema["triggers"] = {
        r["name"]: (r["t"], r["timing"], r["event"], frozenset(r["cols"]))
        for r in await conn.fetch(
            "SELECT t.trigger_name AS name, t.event_object_table AS t,"
            " t.action_timing AS timing, t.event_manipulation AS event,"
            " ARRAY(SELECT u.event_object_column FROM information_schema.triggered_update_columns u"
            "       WHERE u.trigger_name = t.trigger_name"
            "       AND u.event_object_table = t.event_object_table) AS cols"
            " FROM information_schema.triggers t WHERE t.trigger_schema = 'public'"
        )
    }
    return schema


@pytest.mark.parametrize(
    "part", ["columns", "keys", "foreign", "checks", "indexes", "views", "triggers"]
)
async def test_the_baseline_has_sqlites_schema(
    part: str, lite: sqlite3.Connection, pg: asyncpg.Connection
) -> None:
    """Tables with their columns in SQLite's order (name, kind, nullability, default);
    primary and unique keys; foreign keys with their ON DELETE; CHECK constraints per
    table; indexes (unique, partial, columns; NOCASE is lower()); views with their
    columns; triggers (table, timing, event, UPDATE OF columns). A migration that changes
    one store and not the other fails here."""
    expected, got = lite_schema(lite)[part], (await pg_schema(pg))[part]
    if part == "indexes":
        got = {name: index for name, index in got.items() if name not in PG_ONLY_INDEXES}
    assert sorted(got) == sorted(expected), "names differ"
    for name in expected:
        assert got[name] == expected[name], f"{part}: {name}"


async def test_only_rowid_ids_are_filled_in_by_postgresql(
    lite: sqlite3.Connection, pg: asyncpg.Connection
) -> None:
    """An identity column is a rowid alias in SQLite; the keys that the code fills in
    itself (a unit's counts, an update's id) stay plain."""
    identity = {
        (r["t"], r["a"])
        for r in await pg.fetch(
            "SELECT c.relname AS t, a.attname AS a FROM pg_attribute a"
            " JOIN pg_class c ON c.oid = a.attrelid WHERE a.attidentity != ''"
        )
    }
    for table, column in identity:
        info = lite.execute(
            "SELECT type, pk FROM pragma_table_info(?) WHERE name = ?", (table, column)
        ).fetchone()
        assert info == ("INTEGER", 1), (table, column)


async def test_sync_ids_moves_the_ids_past_those_given(pg: asyncpg.Connection) -> None:
    """Rows inserted with their own ids (a store copied from SQLite) leave the sequence
    behind; after sync_ids() the next row takes the largest id + 1, as on SQLite."""
    unit = (
        "INSERT INTO units (id, code, name, path, depth, created_at, updated_at)"
        " VALUES ($1, $2, 'U', $3, 0, 'x', 'x')"
    )
    await pg.execute(unit, 7, "seven", "/7/")
    await pg.execute("SELECT sync_ids()")
    added = "INSERT INTO units (code, name, path, depth, created_at, updated_at)"
    added += " VALUES ($1, 'U', $2, 0, 'x', 'x') RETURNING id"
    assert await pg.fetchval(added, "eight", "/8/") == 8
    assert await pg.fetchval("SELECT nextval('members_id_seq')") == 1  # an empty table's


def test_every_migration_after_the_baseline_has_a_postgresql_twin() -> None:
    """The runner records one version for both stores (docs/architecture.md, Storage)."""
    lite = {version: name for version, name, _ in migrations() if version > BASELINE}
    twins = pg_migrations()
    assert twins.get(BASELINE) == f"{BASELINE:04d}_baseline.sql"
    assert sorted(v for v in twins if v > BASELINE) == sorted(lite)
    assert min(twins) == BASELINE, "nothing before the baseline: it starts a store"


# -- The behaviour ------------------------------------------------------------------------

T = "2026-03-0{}T08:00:00.000000Z".format
DAY = "2026-03-0{}".format


_MEMBER = (
    "INSERT INTO members (telegram_id, display_name, unit_id, active, joined_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)


def _units_and_members() -> list[tuple[str, Sequence[Any]]]:
    unit = (
        "INSERT INTO units (code, name, parent_id, path, depth, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    return [
        (unit, ("root", "Root", None, "/1/", 0, T(1), T(1))),
        (unit, ("east", "East", 1, "/1/2/", 1, T(1), T(1))),
        (unit, ("west", "West", 1, "/1/3/", 1, T(1), T(1))),
        (_MEMBER, (101, "Ann", 2, 1, T(1), T(1))),
        (_MEMBER, (102, "Bo", 2, 1, T(1), T(1))),
        (_MEMBER, (103, "Cy", 3, 0, T(1), T(1))),
        (_MEMBER, (104, "Di", 3, 1, T(1), T(1))),
        (_MEMBER, (None, "Ed", 3, 1, T(1), T(1))),
    ]


# Check-ins saved as storage/checkins.py saves them (an upsert), with figures (0023).
_SAVE = (
    "INSERT INTO checkins (member_id, unit_id, day, answers, excused, flagged, created_at,"
    " updated_at, figures) VALUES (?, ?, ?, '{}', ?, ?, ?, ?, ?)"
    " ON CONFLICT (member_id, day) DO UPDATE SET unit_id = excluded.unit_id,"
    " answers = excluded.answers, excused = excluded.excused, flagged = excluded.flagged,"
    " updated_at = excluded.updated_at, figures = excluded.figures"
)


def _checkins() -> list[tuple[str, Sequence[Any]]]:
    """0012's counts, 0022's withdrawn cases and 0023's figures."""
    case = (
        "INSERT INTO flag_cases (checkin_id, question, member_id, unit_id, day, opened_at,"
        " moved_at, handled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    temp = '[["temp", "", {}, {}], ["mood", "{}", null, 0]]'.format
    return [
        (_SAVE, (1, 2, DAY(1), 0, 1, T(1), T(1), temp(37.5, 1, "low"))),
        (_SAVE, (2, 2, DAY(1), 1, 0, T(1), T(1), temp(36.5, 0, "good"))),
        (_SAVE, (4, 3, DAY(1), 0, 0, T(1), T(1), None)),
        (_SAVE, (3, 3, DAY(1), 1, 0, T(1), T(1), '[["n", "", 2.5, 0], ["n", "", 4, 0]]')),
        (_SAVE, (1, 2, DAY(2), 0, 0, T(2), T(2), "[]")),
        (case, (1, "temp", 1, 2, DAY(1), T(1), T(1), None)),
        (case, (1, "cough", 1, 2, DAY(1), T(1), T(1), None)),
        (case, (1, "mood", 1, 2, DAY(1), T(1), T(1), T(1))),
        # The same day again: the largest temperature taken out and looked for again.
        (_SAVE, (1, 2, DAY(1), 1, 0, T(1), T(2), temp(36.0, 0, "good"))),
        (_SAVE, (2, 3, DAY(1), 1, 0, T(1), T(2), temp(38.25, 1, "low"))),
        ("UPDATE checkins SET excused = 0 WHERE member_id = ? AND day = ?", (2, DAY(1))),
        ("UPDATE checkins SET day = ? WHERE member_id = ? AND day = ?", (DAY(3), 4, DAY(1))),
        ("UPDATE members SET unit_id = ? WHERE id = ?", (3, 1)),
        ("UPDATE members SET active = ? WHERE id = ?", (0, 2)),
        ("UPDATE members SET active = ? WHERE id = ?", (1, 3)),
        ("UPDATE members SET unit_id = ? WHERE unit_id = ?", (2, 3)),
        ("DELETE FROM checkins WHERE member_id = ?", (4,)),
        (
            "INSERT INTO grids (unit_id, code, name, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (3, "g1", "Grid", T(1), T(1)),
        ),
        (
            "INSERT INTO shifts (grid_id, unit_id, member_id, starts_at, ends_at, day,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (1, 3, 4, T(1), T(2), DAY(1), T(1)),
        ),
        ("UPDATE shifts SET status = 'completed', figures = ? WHERE id = ?", (temp(39, 1, "x"), 1)),
        ("UPDATE shifts SET figures = ? WHERE id = ?", ("[]", 1)),
    ]


def _directive() -> list[tuple[str, Sequence[Any]]]:
    """0004's reachable again, 0012's directive counts, 0020's answers, 0031's on behalf."""
    recipient = "UPDATE directive_recipients SET {} WHERE directive_id = 1 AND member_id = ?"
    delivery = (
        "INSERT INTO outbox (kind, chat_id, member_id, directive_id, priority, status,"
        " next_attempt_at, created_at) VALUES (?, ?, ?, ?, 5, ?, ?, ?)"
    )
    return [
        (
            "INSERT INTO directives (author_telegram_id, from_unit_id, text, ack_required,"
            " send_at, status, created_at) VALUES (?, ?, ?, 1, ?, 'sending', ?)",
            (101, 1, "Meet at five", T(1), T(1)),
        ),
        ("UPDATE members SET unreachable_since = ? WHERE id IN (?, ?)", (T(1), 1, 4)),
        (
            "INSERT INTO directive_recipients (directive_id, member_id, unit_id)"
            " SELECT 1, id, unit_id FROM members WHERE active = 1 ORDER BY id",
            (),
        ),
        (
            "INSERT INTO outbox (kind, chat_id, member_id, directive_id, priority,"
            " next_attempt_at, created_at) SELECT 'directive', COALESCE(m.telegram_id, 0),"
            " r.member_id, r.directive_id, 5, ?, ? FROM directive_recipients r"
            " JOIN members m ON m.id = r.member_id WHERE r.member_id != 5 ORDER BY r.member_id",
            (T(1), T(1)),
        ),
        ("UPDATE outbox SET status = 'sending' WHERE directive_id = ?", (1,)),
        ("UPDATE outbox SET status = 'sent', sent_at = ? WHERE member_id IN (?, ?)", (T(2), 1, 2)),
        (recipient.format("acked_at = ?"), (T(2), 1)),
        (
            recipient.format(
                "answer_choice = ?, answer_number = NULL, answer_reason = NULL, answered_at = ?"
            ),
            (0, T(2), 1),
        ),
        (recipient.format("answer_number = ?, answered_at = ?"), (12, T(3), 1)),
        (recipient.format("answer_reason = ?, answered_at = ?"), ("late", T(4), 1)),
        (recipient.format("answer_choice = ?, answered_at = ?"), (1, T(5), 1)),
        (recipient.format("answer_reason = NULL"), (1,)),  # erased: no new history row
        (
            recipient.format(
                "on_behalf_by = ?, answer_choice = ?, answer_number = ?, answer_reason = ?,"
                " answered_at = ?, acked_at = ?"
            ),
            (1, 1, 3, None, T(5), T(5), 2),
        ),
        (delivery, ("directive", 105, 5, 1, "sent", T(2), T(2))),  # sent as it is stored
        (delivery, ("directive", 104, 4, 1, "pending", T(3), T(3))),  # a second delivery
        (delivery, ("reminder", 104, 4, None, "pending", T(3), T(3))),
        ("UPDATE outbox SET status = 'sent' WHERE kind = 'reminder'", ()),  # 104 reachable
        ("UPDATE outbox SET status = 'cancelled' WHERE status IN ('pending', 'sending')", ()),
        ("UPDATE outbox SET status = 'sent' WHERE id = ?", (5,)),
        ("UPDATE outbox SET member_id = ? WHERE id = ?", (4, 2)),  # made another's
        ("UPDATE outbox SET kind = 'directive_copy' WHERE id = ?", (1,)),
        ("DELETE FROM outbox WHERE id = ?", (3,)),
        # Two deliveries of one recipient in one statement, and two taken out in one.
        (
            "INSERT INTO outbox (kind, chat_id, member_id, directive_id, priority, status,"
            " next_attempt_at, created_at) SELECT 'directive', 102, 2, 1, 5, s, ?, ?"
            " FROM (SELECT 'sent' AS s UNION ALL SELECT 'pending') AS v",
            (T(4), T(4)),
        ),
        ("DELETE FROM outbox WHERE member_id = ? AND kind = 'directive'", (4,)),
        ("UPDATE directive_recipients SET unit_id = ? WHERE member_id = ?", (1, 1)),
        ("DELETE FROM directive_recipients WHERE member_id = ?", (5,)),
        ("UPDATE outbox SET status = 'failed' WHERE id = ?", (5,)),
    ]


def _register() -> list[tuple[str, Sequence[Any]]]:
    """0034's reach per unit."""
    entry = (
        "INSERT INTO register_entries (unit_id, name, phone, email, member_id, active,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    return [
        (entry, (2, "Ann", None, "a@x", None, 1, T(1), T(1))),
        (entry, (2, "Bea", "+861", "b@x", None, 1, T(1), T(1))),
        (entry, (3, "Cal", "+862", None, None, 1, T(1), T(1))),
        (entry, (3, "Di", None, None, 4, 1, T(1), T(1))),  # linked to a member already
        (entry, (3, "Old", "+863", None, None, 0, T(1), T(1))),
        ("UPDATE register_entries SET member_id = ? WHERE id = ? AND member_id IS NULL", (1, 1)),
        ("UPDATE members SET unreachable_since = ? WHERE id = ?", (T(3), 1)),
        ("UPDATE members SET telegram_id = NULL WHERE id = ?", (4,)),
        ("UPDATE register_entries SET active = 0 WHERE id = ?", (2,)),
        ("UPDATE register_entries SET active = 1, email = ? WHERE id = ?", ("o@x", 5)),
        ("UPDATE register_entries SET unit_id = ? WHERE unit_id = ?", (1, 3)),
        ("UPDATE register_entries SET member_id = NULL WHERE id = ?", (1,)),
        ("UPDATE register_entries SET member_id = ? WHERE id = ?", (3, 3)),
        ("DELETE FROM register_entries WHERE id = ?", (4,)),
        (_MEMBER, (106, "Fay", 2, 1, T(4), T(4))),
        (_MEMBER, (107, "Gus", 2, 0, T(4), T(4))),
        # Many in one statement, as an import inserts them.
        (
            "INSERT INTO members (telegram_id, display_name, unit_id, active, joined_at,"
            " updated_at) SELECT 200 + id, 'Copy', unit_id, active, joined_at, updated_at"
            " FROM members WHERE id <= 5 ORDER BY id",
            (),
        ),
        (
            "INSERT INTO register_entries (unit_id, name, phone, email, member_id, created_at,"
            " updated_at) SELECT unit_id, 'Copy', CASE WHEN id % 2 = 1 THEN '+86' || id END,"
            " CASE WHEN id % 3 = 1 THEN 'c' || id || '@x' END,"
            " CASE WHEN id = 12 THEN 12 END, ?, ? FROM members WHERE id > 8 ORDER BY id",
            (T(5), T(5)),
        ),
        ("UPDATE members SET active = 1 WHERE id = ?", (7,)),
        ("DELETE FROM members WHERE id IN (?, ?)", (6, 7)),
    ]


def _numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1``, ``$2`` … (none of these statements holds
    a ``?`` inside a string)."""
    count = iter(range(1, sql.count("?") + 1))
    return re.sub(r"\?", lambda _: f"${next(count)}", sql)


async def _contents(read: Any, tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in an order both stores agree on."""
    return {
        t: sorted((tuple(r) for r in await read(f"SELECT * FROM {t}")), key=repr) for t in tables
    }


@pytest.mark.parametrize("steps", [_checkins, _directive, _register])
async def test_the_same_writes_leave_the_same_rows(
    steps: Any, lite: sqlite3.Connection, pg: asyncpg.Connection
) -> None:
    """Each statement runs alone (autocommit) on both stores, as the repositories' writes
    do, multi-row ones among them; then every table, the ones the triggers keep included
    (the counts of 0012, the answers and their counts of 0020/0031, the withdrawn cases and
    their audit of 0022, the figures of 0023, the reach of 0034, members' reachability of
    0004), holds the same rows."""
    for sql, params in [*_units_and_members(), *steps()]:
        lite.execute(sql, params)
        await pg.execute(_numbered(sql), *params)
    tables = [
        name
        for (name,) in lite.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        if name not in RUNNER_TABLES
    ]

    async def lite_read(sql: str) -> list[Any]:
        return lite.execute(sql).fetchall()

    expected = await _contents(lite_read, tables)
    got = await _contents(pg.fetch, tables)
    assert any(expected[t] for t in ("checkin_counts", "directive_counts", "unit_reach"))
    for table in tables:
        assert got[table] == expected[table], table


async def test_a_check_in_counts_where_its_member_was_moved_meanwhile(
    pg: asyncpg.Connection, pg_url: str
) -> None:
    """PostgreSQL runs transactions side by side where SQLite has one writer: a check-in
    saved while another transaction moves its member waits for the move, then counts in
    the member's new unit (not in the old one, whose count the move already took)."""
    for sql, params in _units_and_members():
        await pg.execute(_numbered(sql), *params)
    mover = await asyncpg.connect(pg_url)
    try:
        async with mover.transaction():
            await mover.execute("UPDATE members SET unit_id = 3 WHERE id = 1")
            saving = asyncio.ensure_future(
                pg.execute(_numbered(_SAVE), 1, 2, DAY(1), 0, 0, T(1), T(1), None)
            )
            blocked = "SELECT cardinality(pg_blocking_pids($1)) > 0"
            for _ in range(500):  # until the server says it waits (or it is done)
                if saving.done() or await mover.fetchval(blocked, pg.get_server_pid()):
                    break
                await asyncio.sleep(0.01)
            assert not saving.done(), "the check-in's count waits for the member's move"
        await saving
    finally:
        await mover.close()
    counts = await pg.fetch("SELECT day, unit_id, checked FROM checkin_counts WHERE checked != 0")
    assert [tuple(r) for r in counts] == [(DAY(1), 3, 1)]
