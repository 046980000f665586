"""The PostgreSQL store: ``?`` translated, counts, transactions, the migration runner, and
what a wrong ``storage.url`` tells the administrator. Runs on the session's PostgreSQL
(tests/pg.py) whatever MUSTER_TEST_STORES says: the driver is tested in every run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.backup import BackupError, backup
from app.cli import main
from bot.config import ConfigError, load_settings
from storage import PostgresDatabase, SchemaTooNewError, Storage, StoreUnavailableError
from storage import postgres as pgmodule
from storage.errors import INTEGRITY_ERRORS
from storage.postgres import Statement, check_url, rowcount, shown, translate

TABLE = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INTEGER NOT NULL)"


@pytest.fixture
async def db(empty_postgres_database: str) -> AsyncIterator[PostgresDatabase]:
    opened = await PostgresDatabase.open(empty_postgres_database, migrate=False, pool_size=3)
    await opened.write(TABLE)
    yield opened
    await opened.close()


def test_placeholders_are_numbered_outside_quotes_and_comments() -> None:
    sql = "SELECT '?', \"a?\", ? -- what?\nFROM t /* ? */ WHERE name = 'it''s ?' AND n IN (?, ?)"
    assert translate(sql) == Statement(
        "SELECT '?', \"a?\", $1 -- what?\nFROM t /* ? */ WHERE name = 'it''s ?' AND n IN ($2, $3)",
        True,
    )
    assert translate(sql) is translate(sql)  # translated once
    assert translate("SELECT ?2, ?1, ?, ?1").sql == "SELECT $2, $1, $3, $1"


@pytest.mark.parametrize(
    ("sql", "rows"),
    [
        ("SELECT 1", True),
        ("  (SELECT 1) UNION SELECT 2", True),
        ("WITH x AS (SELECT 1) SELECT * FROM x", True),
        ("UPDATE t SET n = 1", False),
        ("INSERT INTO t VALUES (?, ?, ?) RETURNING id", True),
        ("WITH x AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT * FROM x)", False),
        ("DELETE FROM t WHERE name = 'RETURNING'", False),
        ("CREATE TABLE u (id INTEGER)", False),
    ],
)
def test_a_statement_answers_with_rows_or_a_count(sql: str, rows: bool) -> None:
    assert translate(sql).returns_rows is rows


def test_rowcount_comes_from_the_status() -> None:
    assert [rowcount(s) for s in ("INSERT 0 3", "UPDATE 2", "DELETE 0", "CREATE TABLE")] == [
        3,
        2,
        0,
        -1,
    ]


async def test_reads_writes_and_rows_as_sqlite_gives_them(db: PostgresDatabase) -> None:
    assert await db.write("INSERT INTO t VALUES (?, ?, ?)", (1, "a?", 5)) == 1
    await db.write_inline("INSERT INTO t VALUES (?, ?, ?)", (2, "b", 7))
    [returned] = await db.write_returning(
        "INSERT INTO t VALUES (?, ?, ?) RETURNING id, name", (3, "c", 9)
    )
    assert (returned["id"], returned[1]) == (3, "c")
    assert await db.write("UPDATE t SET n = n + 1 WHERE n > ?", (5,)) == 2
    row = await db.fetchone("SELECT id, name, n FROM t WHERE name = '?' OR id = ?", (1,))
    assert row is not None
    assert (row["name"], row[0], dict(row), list(row.keys())) == (
        "a?",
        1,
        {"id": 1, "name": "a?", "n": 5},
        ["id", "name", "n"],
    )
    assert await db.fetchone_inline("SELECT name FROM t WHERE id = ?", (99,)) is None
    # SUM of integers an int, an average a float, as SQLite gives them (not Decimal).
    total = await db.fetchone("SELECT SUM(n::bigint) AS s, AVG(n) AS a, COUNT(*) AS c FROM t")
    assert total is not None
    assert (total["s"], total["a"], total["c"]) == (23, 23 / 3, 3)
    assert type(total["s"]) is int and type(total["a"]) is float
    rows = await db.fetchall("SELECT id FROM t ORDER BY id")
    assert [r[0] for r in rows] == [1, 2, 3]


async def test_a_transaction_commits_or_rolls_back_whole(
    db: PostgresDatabase, empty_postgres_database: str
) -> None:
    other = await PostgresDatabase.open(empty_postgres_database, migrate=False)
    async with db.transaction() as conn:
        cursor = await conn.execute("INSERT INTO t VALUES (?, ?, ?)", (1, "a", 1))
        assert cursor.rowcount == 1 and cursor.lastrowid is None
        await conn.executemany("INSERT INTO t VALUES (?, ?, ?)", [(2, "b", 2), (3, "c", 3)])
        # Inside, reads see the transaction's rows; another instance does not, yet.
        assert len(await db.fetchall("SELECT id FROM t")) == 3
        assert len(await other.fetchall("SELECT id FROM t")) == 0
        changed = await conn.execute("UPDATE t SET n = 0 WHERE id > ?", (1,))
        assert changed.rowcount == 2
        rows = await conn.execute_fetchall("SELECT id FROM t WHERE n = ?", (0,))
        assert [r["id"] for r in rows] == [2, 3]
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM t")
            raise RuntimeError("boom")
    assert len(await other.fetchall("SELECT id FROM t")) == 3
    await other.close()


async def test_a_connection_goes_back_to_the_pool_without_a_statement(
    db: PostgresDatabase,
) -> None:
    """asyncpg's default reset (``… UNLISTEN *; RESET ALL``) was a second round trip for
    every statement on the pool; what a transaction leaves open is still rolled back."""
    sent: list[str] = []
    async with db.pool.acquire() as conn:
        conn.add_query_logger(lambda record: sent.append(record.query))
        await conn.execute("BEGIN")
        await conn.execute("INSERT INTO t VALUES (9, 'left open', 9)")
    assert sent == ["BEGIN", "INSERT INTO t VALUES (9, 'left open', 9)", "ROLLBACK"]
    sent.clear()
    assert (await db.fetchone("SELECT COUNT(*) AS n FROM t"))["n"] == 0
    assert sent == ["SELECT COUNT(*) AS n FROM t"]  # the pool's only connection: no reset


async def test_a_nested_transaction_joins_the_outer_one(db: PostgresDatabase) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as outer:
            await outer.execute("INSERT INTO t VALUES (1, 'a', 1)")
            async with db.transaction() as inner:
                assert inner is outer
                await inner.execute("INSERT INTO t VALUES (2, 'b', 2)")
            await db.write("INSERT INTO t VALUES (3, 'c', 3)")  # in it too
            raise RuntimeError("after the inner one ended")
    assert await db.fetchall("SELECT id FROM t") == []


async def test_a_statement_run_again_and_again_is_planned_for_its_parameters(
    db: PostgresDatabase,
) -> None:
    """PostgreSQL would switch a statement prepared on a connection to a generic plan
    after five runs; a subtree's range of paths is then guessed at a couple of rows, and
    the root's summary went quadratic (docs/benchmarks.md)."""
    await db.write("INSERT INTO t SELECT g, 'p' || g, g FROM generate_series(1, 500) g")
    sql = "SELECT COUNT(*) FROM t WHERE name >= ? AND name < ?"
    async with db.transaction() as conn:  # one connection, whose prepared statements count
        for _ in range(8):
            assert (await conn.execute_fetchall(sql, ("p", "q")))[0][0] == 500
        plans = await conn.execute_fetchall(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE 'SELECT COUNT(*) FROM t %'"
        )
    assert [tuple(row) for row in plans] == [(0, 8)]


async def test_a_constraint_refusal_is_an_integrity_error(db: PostgresDatabase) -> None:
    await db.write("INSERT INTO t VALUES (1, 'a', 1)")
    with pytest.raises(INTEGRITY_ERRORS):
        await db.write("INSERT INTO t VALUES (1, 'again', 1)")
    with pytest.raises(INTEGRITY_ERRORS):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO t VALUES (2, NULL, 1)")
    await db.write_batch_inline(
        [("INSERT INTO t VALUES (?, ?, ?)", [(4, "d", 4)]), ("DELETE FROM t WHERE id = ?", [(1,)])]
    )
    assert [r["id"] for r in await db.fetchall("SELECT id FROM t")] == [4]


MIGRATIONS = [
    (1, "0001_first.sql", "CREATE TABLE first (id INTEGER); SELECT pg_sleep(0.2);"),
    (2, "0002_second.sql", "CREATE TABLE second (id INTEGER);"),
]


async def test_the_runner_applies_records_and_applies_once(
    empty_postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    postgres_database = empty_postgres_database
    monkeypatch.setattr(pgmodule, "migrations", lambda folder: MIGRATIONS)
    monkeypatch.setattr(pgmodule, "latest_version", lambda folder: 2)
    # Two instances starting at once: each migration is applied by exactly one of them.
    first, second = await asyncio.gather(
        PostgresDatabase.open(postgres_database, migrate=False),
        PostgresDatabase.open(postgres_database, migrate=False),
    )
    applied = await asyncio.gather(first.migrate(), second.migrate())
    assert sorted(applied[0] + applied[1]) == [1, 2]
    rows = await first.fetchall("SELECT version, name FROM schema_version ORDER BY version")
    assert [(r["version"], r["name"]) for r in rows] == [
        (1, "0001_first.sql"),
        (2, "0002_second.sql"),
    ]
    assert await first.schema_version() == 2
    assert await first.migrate() == []
    await first.write("INSERT INTO schema_version VALUES (3, 'future', 'x')")
    await first.close()
    await second.close()
    with pytest.raises(SchemaTooNewError, match="schema version 3"):
        await PostgresDatabase.open(postgres_database)


async def test_a_migration_that_fails_leaves_nothing(
    empty_postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    postgres_database = empty_postgres_database
    broken = [MIGRATIONS[1], (3, "0003_broken.sql", "CREATE TABLE third (id INTEGER); SELEC 1;")]
    monkeypatch.setattr(pgmodule, "migrations", lambda folder: broken)
    monkeypatch.setattr(pgmodule, "latest_version", lambda folder: 3)
    with pytest.raises(Exception, match="SELEC"):
        await PostgresDatabase.open(postgres_database)
    db = await PostgresDatabase.open(postgres_database, migrate=False)
    try:
        assert await db.schema_version() == 2
        left = await db.fetchone("SELECT to_regclass('third') AS t")
        assert left is not None and dict(left) == {"t": None}
    finally:
        await db.close()


def test_a_wrong_url_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(None, storage={"url": "mysql://u:secret@h/db"})
    assert refused.value.problems == [
        "storage.url: must start with postgresql:// (got mysql scheme)"
    ]
    with pytest.raises(ConfigError) as both:
        load_settings(None, storage={"url": "postgresql://h/db", "database": tmp_path / "m.db"})
    assert [p.split(":")[0] for p in both.value.problems] == ["storage.url"]
    assert check_url("postgresql://h") == "names no database (postgresql://user@host/DATABASE)"
    assert shown("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"
    chosen = load_settings(None, storage={"url": "postgres://h/db"}).storage
    assert chosen.target == "postgres://h/db"
    assert load_settings(None).storage.target == Path("muster.db")


def test_an_unreachable_server_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MUSTER_STORAGE__URL", "postgresql://muster:secret@127.0.0.1:9/muster")
    assert main(["audit"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1
    assert err.startswith(
        "muster: storage.url: cannot connect to postgresql://muster:***@127.0.0.1:9"
    )
    assert "secret" not in err
    monkeypatch.setenv("MUSTER_STORAGE__URL", "sqlite:///muster.db")
    assert main(["audit"]) == 2
    assert (
        capsys.readouterr().err
        == "storage.url: must start with postgresql:// (got sqlite scheme)\n"
    )


async def test_what_only_sqlite_has_refuses_or_does_nothing(
    clean_postgres_database: str, tmp_path: Path
) -> None:
    storage = await Storage.open(clean_postgres_database)
    try:
        with pytest.raises(BackupError, match=r"SQLite only .*pg_dump"):
            await backup(storage.db, tmp_path / "copy.db")
        assert not (tmp_path / "copy.db").exists()
        assert await storage.db.truncate_wal()
    finally:
        await storage.close()


async def test_an_unreachable_server_is_refused_when_opening() -> None:
    with pytest.raises(StoreUnavailableError, match=r"storage\.url: cannot connect"):
        await Storage.open("postgresql://127.0.0.1:9/muster")


@pytest.mark.parametrize(
    ("collate", "provider", "accepted"),
    [
        ("C", "c", True),
        ("POSIX", "c", True),
        ("C.UTF-8", "c", True),
        ("C.utf8", "c", True),
        ("en_US.UTF-8", "c", False),
        ("zh_CN.UTF-8", "c", False),
        ("C", "i", False),  # ICU orders by language whatever datcollate says
    ],
)
async def test_only_a_database_in_byte_order_is_accepted(
    monkeypatch: pytest.MonkeyPatch, collate: str, provider: str, accepted: bool
) -> None:
    """Unit subtrees are ranges of paths and times compare as text: a language's
    collation would put units in the wrong subtree, so it is refused at start."""
    db = PostgresDatabase(None, "postgresql://muster:s3cret@db.example/muster")  # type: ignore[arg-type]

    async def the_database(sql: str, params: object = ()) -> dict[str, str]:
        return {"datcollate": collate, "provider": provider}

    monkeypatch.setattr(db, "fetchone", the_database)
    if accepted:
        await db._check_collation()
        return
    with pytest.raises(StoreUnavailableError) as refused:
        await db._check_collation()
    message = str(refused.value)
    assert message.startswith("storage.url: database ")
    assert f"collates text as {collate!r}" in message
    assert "LC_COLLATE 'C'" in message and "s3cret" not in message


async def test_the_tests_databases_are_in_byte_order(empty_postgres_database: str) -> None:
    """What tests/pg.py creates passes the check on the real server (pgserver or
    MUSTER_TEST_POSTGRES_URL, whatever its default collation)."""
    db = await PostgresDatabase.open(empty_postgres_database, migrate=False, pool_size=1)
    try:
        await db._check_collation()
    finally:
        await db.close()
