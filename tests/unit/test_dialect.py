"""storage/dialect.py: each fragment means the same on SQLite and on PostgreSQL.

Each case is evaluated as ``SELECT <fragment>`` on SQLite with ``SQLITE``'s text and on a
real PostgreSQL 16 (``tests/pg.py``: pgserver, or ``MUSTER_TEST_POSTGRES_URL``) with
``POSTGRESQL``'s, with the same parameters, and must give the same answer."""

from __future__ import annotations

import importlib
import json
import sqlite3
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest

from storage.dialect import POSTGRESQL, SQLITE, Dialect, dollar_placeholders
from storage.units import line_of, subtree_bounds
from tests.pg import postgres_url


def test_placeholders_are_numbered_as_sqlite_numbers_them() -> None:
    sql = "SELECT ?, '?', \"a?\", ?3 -- ?\n, ? /* ? */ FROM t WHERE a = ?1 AND b = 'it''s ?'"
    assert dollar_placeholders(sql) == (
        "SELECT $1, '?', \"a?\", $3 -- ?\n, $4 /* ? */ FROM t WHERE a = $1 AND b = 'it''s ?'"
    )
    assert dollar_placeholders("UPDATE t SET a = ? WHERE id IN (?, ?)") == (
        "UPDATE t SET a = $1 WHERE id IN ($2, $3)"
    )


@pytest.fixture
async def postgres() -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(postgres_url())
    try:
        yield conn
    finally:
        await conn.close()


ROOT = "/1/"
COMMA = "','"
TEXT = "CAST(? AS TEXT)"  # a stored time is a TEXT column
UPDATE = '{"message":{"from":{"id":42}}}'
STAMPS = ("2026-11-29T08:00:00.000000Z", "2026-11-29T08:10:00.250000Z")
# (what, fragment of a dialect, parameters): one value each.
CASES: list[tuple[str, Callable[[Dialect], str], tuple[Any, ...]]] = [
    ("strpos found", lambda d: d.strpos("?", "'/'"), ("12/3/",)),
    ("strpos absent", lambda d: d.strpos("?", "'x'"), ("12/3/",)),
    ("greatest", lambda d: d.greatest("CAST(? AS INTEGER)", "CAST(? AS INTEGER)"), (3, 7)),
    ("nocase equal", lambda d: f"CASE WHEN {d.equals_nocase('?')} THEN 1 ELSE 0 END", ("Hq", "hQ")),
    ("nocase other", lambda d: f"CASE WHEN {d.equals_nocase('?')} THEN 1 ELSE 0 END", ("Hq", "hx")),
    # Quarter seconds: julianday's arithmetic is off by some microseconds.
    (
        "seconds",
        lambda d: f"ROUND({d.seconds_between(TEXT, TEXT)} * 4)",
        STAMPS[::-1],
    ),
    ("integer part", lambda d: d.integer_part("CAST(? AS DOUBLE PRECISION) / 60"), (659.5,)),
    (
        "json text",
        lambda d: d.json_text("?", "message", "from", "id"),
        ('{"message":{"from":{"id":42}}}',),
    ),
    ("json text absent", lambda d: d.json_text("?", "member"), ('{"shift":7}',)),
    ("json key", lambda d: d.json_text_of_key("?"), ('{"shift":7}', "shift")),
    ("json key text", lambda d: d.json_text_of_key("?"), ('{"grid":"N1"}', "grid")),
    ("line below", lambda d: line_of(d, "?1", "?2", "?3"), ("/1/23/45/", ROOT, len(ROOT))),
    ("line root", lambda d: line_of(d, "?1", "?2", "?3"), (ROOT, ROOT, len(ROOT))),
]


def _on_sqlite(sql: str, params: tuple[Any, ...]) -> Any:
    with sqlite3.connect(":memory:") as conn:
        return conn.execute(sql, params).fetchone()[0]


@pytest.mark.parametrize(("what", "fragment", "params"), CASES, ids=[c[0] for c in CASES])
async def test_a_fragment_means_the_same_on_both(
    postgres: Any, what: str, fragment: Callable[[Dialect], str], params: tuple[Any, ...]
) -> None:
    lite = _on_sqlite(f"SELECT {fragment(SQLITE)}", params)
    pg = await postgres.fetchval(dollar_placeholders(f"SELECT {fragment(POSTGRESQL)}"), *params)
    assert lite == pg, what


async def test_string_agg_joins_a_group_on_both(postgres: Any) -> None:
    rows = "FROM (SELECT 'a' AS v UNION ALL SELECT 'b') AS t"
    lite = _on_sqlite(f"SELECT {SQLITE.string_agg('v', COMMA)} {rows}", ())
    pg = await postgres.fetchval(f"SELECT {POSTGRESQL.string_agg('v', COMMA)} {rows}")
    assert sorted(lite.split(",")) == sorted(pg.split(",")) == ["a", "b"]


async def test_json_rows_are_the_same_rows_on_both(postgres: Any) -> None:
    chunk = json.dumps([[7, "Ann", None, "en", 2], [None, "李", "li", "zh", 3]])
    types = ("BIGINT", "TEXT", "TEXT", "TEXT", "BIGINT")
    source, items = SQLITE.json_rows("?", types)
    lite = sqlite3.connect(":memory:").execute(f"SELECT {', '.join(items)} FROM {source}", (chunk,))
    source, items = POSTGRESQL.json_rows("$1", types)
    pg = await postgres.fetch(f"SELECT {', '.join(items)} FROM {source}", chunk)
    assert (
        [tuple(r) for r in lite]
        == [tuple(r) for r in pg]
        == [
            (7, "Ann", None, "en", 2),
            (None, "李", "li", "zh", 3),
        ]
    )


def test_a_line_is_the_unit_one_level_below_the_root() -> None:
    """The path range and the line agree: every path in the range has a line in it."""
    low, high = subtree_bounds(ROOT)
    for path, line in (("/1/", "/1/"), ("/1/23/", "/1/23/"), ("/1/23/45/", "/1/23/")):
        assert low <= path < high
        assert _on_sqlite(f"SELECT {line_of(SQLITE, '?1', '?2', '?3')}", (path, ROOT, 3)) == line


def test_the_census_prepares_what_the_postgresql_dialect_writes() -> None:
    """tests/tools/sql_census.py records SQLite's text with PostgreSQL's marked in comments:
    SQLite runs it as it is, and the census reads PostgreSQL's back, nested ones too."""
    census = importlib.import_module("tests.tools.sql_census")
    marked = census._CensusDialect("sqlite")
    how = importlib.import_module("storage.reach")._how
    assert census.postgresql_text(how(marked)) == how(POSTGRESQL)
    line = line_of(marked, "?1", "?2", "?3")
    assert census.postgresql_text(line) == line_of(POSTGRESQL, "?1", "?2", "?3")
    assert _on_sqlite(f"SELECT {line}", ("/1/23/45/", ROOT, len(ROOT))) == "/1/23/"
    source, items = marked.json_rows("?", ("BIGINT",))
    pg_source, pg_items = POSTGRESQL.json_rows("?", ("BIGINT",))
    assert census.postgresql_text(f"{source} {items[0]}") == f"{pg_source} {pg_items[0]}"
