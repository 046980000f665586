"""``muster db copy`` (issue #20): the demo's day, as ``muster demo`` leaves its database, copied
from SQLite to PostgreSQL and back to a new SQLite file; every table the same (rows and
checksum) at each step, the source untouched, the root's summary the same text on each
store; and each refusal one line: a target with rows (a copy that stopped halfway among
them), a source of another schema version, bad addresses, one database twice, a missing
file, a server that does not answer."""

from __future__ import annotations

import asyncio
import hashlib
import io
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from app.cli import main
from app.dbcopy import ProgressLines
from app.demo import Options, make_plan, run
from app.demo.cast import DAY, ZONE
from app.demo.script import local
from bot.config import load_settings
from bot.kit.clock import FakeClock
from bot.services import Services
from bot.summaries.render import SummaryText
from storage import Storage
from storage.checksum import Tally, canonical, row_digest
from storage.db import latest_version, migrations
from storage.dbcopy import (
    PARENTS_FIRST,
    RUNNER_TABLE,
    CopyError,
    Rows,
    SqliteWriter,
    Table,
    copy_store,
    parse_url,
    schema,
    tally_store,
)
from storage.postgres import PostgresDatabase
from tests import pg

PLAN = make_plan(members=40, seed=3, language="en")
STAMP = "2026-11-30T02:00:00.000000Z"
# What the demo's day leaves empty, written as the bot writes it (the triggers running):
# a question's answers (0020: their history and counts), register entries (0034: reach),
# a supergroup's id past 2^31, a text with a quote, a newline, Chinese and an emoji.
EXTRA = [
    "UPDATE directive_recipients SET answer_choice = member_id % 3, answer_number = member_id,"
    f" answered_at = '{STAMP}' WHERE member_id % 2 = 0",
    "INSERT INTO register_entries (unit_id, name, phone, email, member_id, active, created_at,"
    f" updated_at) VALUES (2, '王小明', '+8613800000000', NULL, NULL, 1, '{STAMP}', '{STAMP}'),"
    f" (3, 'Ann O''Neil', NULL, 'ann@example.org', NULL, 1, '{STAMP}', '{STAMP}')",
    "INSERT INTO summary_chats (unit_id, chat_id, registered_by, registered_at)"
    f" VALUES (1, -1001234567890, NULL, '{STAMP}')",
    "INSERT INTO ptb_user_data (user_id, data) VALUES (42, '{\"note\": \"it''s\n✅ 好\"}')",
]
# Tables the triggers keep, which the copy takes as data.
KEPT = ("checkin_counts", "directive_counts", "answer_counts", "directive_answers", "unit_reach")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database of the demo's day (40 members), played once for the module."""
    out = tmp_path_factory.mktemp("demo")
    options = Options(members=40, seed=PLAN.seed, out=out)
    text, matched = asyncio.run(run(options, lambda _: None))
    assert matched, text
    conn = sqlite3.connect(out / "demo.db", isolation_level=None)
    try:
        for sql in EXTRA:
            conn.execute(sql)
    finally:
        conn.close()
    return out / "demo.db"


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Path:
    """A copy of it of this test's own."""
    path = tmp_path / "source.db"
    shutil.copyfile(demo_file, path)
    return path


@pytest.fixture
async def postgres() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database (the copy migrates it), dropped after."""
    address = await pg.fresh_database(empty=True)
    yield address
    await pg.drop_database(address)


@pytest.fixture(params=["sqlite", "postgresql"])
async def target(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A store to copy into, of either kind."""
    if request.param == "sqlite":
        yield url(tmp_path / "copy.db")
        return
    address = await pg.fresh_database(empty=True)
    yield address
    await pg.drop_database(address)


def url(path: Path) -> str:
    return f"sqlite:///{path}"  # an absolute path: sqlite:////tmp/…


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def copy(source: str, target: str, **options: object) -> None:
    checked = await copy_store(parse_url("--from", source), parse_url("--to", target), **options)  # type: ignore[arg-type]
    assert [c.table for c in checked if not c.ok] == []


async def tallies(address: str) -> dict[str, Tally]:
    return await tally_store(parse_url("--from", address))


async def summary_text(address: str) -> str:
    """The root's daily summary as its coordinators read it, from the store at ``address``."""
    store = parse_url("--from", address)
    where = {"database": store.path} if store.path else {"url": address}
    settings = load_settings(
        None, organisation={"name": PLAN.words.org, "timezone": ZONE}, storage=where
    )
    storage = await Storage.open(settings.storage.target)
    try:
        services = Services.build(settings, storage, FakeClock(local(DAY, "21:30")))
        root = await storage.units.by_code(PLAN.root.code)
        assert root is not None
        summary = await services.summaries.with_reach(await services.summaries.compile(root, DAY))
        return str(SummaryText(services.i18n, "en").daily(summary))
    finally:
        await storage.close()


# -- The copy ----------------------------------------------------------------------------


async def test_sqlite_to_postgresql_and_back_keeps_every_row(
    demo: Path, postgres: str, tmp_path: Path
) -> None:
    """SQLite → PostgreSQL → a new SQLite: every table's rows and checksum are the demo's at
    each step (those the triggers keep too), the source file is byte for byte as it was,
    and PostgreSQL's next ids follow the largest copied, as SQLite's would."""
    before = digest(demo)
    expected = await tallies(url(demo))
    assert all(expected[table].rows for table in KEPT)
    back = tmp_path / "back.db"
    await copy(url(demo), postgres)
    await copy(postgres, url(back))
    assert await tallies(postgres) == expected
    assert await tallies(url(back)) == expected
    assert digest(demo) == before
    conn = await asyncpg.connect(postgres)
    try:
        largest = await conn.fetchval("SELECT MAX(id) FROM units")
        added = await conn.fetchval(
            "INSERT INTO units (code, name, path, depth, created_at, updated_at)"
            " VALUES ('NEW', 'New', '/new/', 0, $1, $1) RETURNING id",
            STAMP,
        )
        assert added == largest + 1
        disabled = "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'"
        assert await conn.fetchval(disabled) == 0
    finally:
        await conn.close()


async def test_a_postgresql_copy_is_ready_to_plan_its_queries(demo: Path, postgres: str) -> None:
    """The copy leaves the planner its statistics (ANALYZE): left for autovacuum, the
    queries on a fresh copy were planned for empty tables (docs/reliability.md)."""
    await copy(url(demo), postgres)
    conn = await asyncpg.connect(postgres)
    try:
        # reltuples is -1 until a table is first analysed (PostgreSQL 14 on).
        members = await conn.fetchval("SELECT reltuples FROM pg_class WHERE relname = 'members'")
        assert members == await conn.fetchval("SELECT COUNT(*) FROM members") > 0
    finally:
        await conn.close()


async def test_postgresql_to_postgresql(demo: Path, postgres: str) -> None:
    """From one server's database to another's (here the same server's): the same rows."""
    second = await pg.fresh_database(empty=True)
    try:
        await copy(url(demo), postgres)
        await copy(postgres, second)
        assert await tallies(second) == await tallies(url(demo))
    finally:
        await pg.drop_database(second)


async def test_the_copy_shows_the_same_summary(demo: Path, postgres: str, tmp_path: Path) -> None:
    """The app opened on each copy compiles the root's summary to the same text."""
    back = tmp_path / "back.db"
    await copy(url(demo), postgres)
    await copy(postgres, url(back))
    text = await summary_text(url(demo))
    assert PLAN.root.name in text
    assert await summary_text(postgres) == text
    assert await summary_text(url(back)) == text


async def test_the_triggers_work_again_on_the_copy(demo: Path, target: str) -> None:
    """Switched off for the copy, on again after it: a check-in saved on the copy counts."""
    await copy(url(demo), target)
    store = parse_url("--to", target)
    storage = await Storage.open(store.path or target)
    try:
        db = storage.db
        row = await db.fetchone("SELECT id, unit_id FROM members WHERE active = 1 ORDER BY id")
        assert row is not None
        day = "2026-12-01"
        await db.write(
            "INSERT INTO checkins (member_id, unit_id, day, answers, excused, flagged,"
            " created_at, updated_at) VALUES (?, ?, ?, '{}', 0, 0, ?, ?)",
            (row["id"], row["unit_id"], day, STAMP, STAMP),
        )
        counted = await db.fetchone(
            "SELECT checked FROM checkin_counts WHERE day = ? AND unit_id = ?",
            (day, row["unit_id"]),
        )
        assert counted is not None and counted["checked"] == 1
    finally:
        await storage.close()


class Stop(Exception):
    """The copy interrupted (a crash, Ctrl-C) in the middle of a table."""


async def test_a_copy_stopped_halfway_leaves_a_target_a_second_copy_refuses(
    demo: Path, target: str
) -> None:
    """Rows already committed stay; the triggers are back; a second copy refuses the
    target, naming its first table with rows (the recovery: a new target)."""

    def stop_in_members(phase: str, table: str, done: int, total: int) -> None:
        if phase == "copy" and table == "members" and done > 0:
            raise Stop

    with pytest.raises(Stop):
        await copy(url(demo), target, progress=stop_in_members, batch=10)
    with pytest.raises(CopyError) as refused:
        await copy(url(demo), target)
    assert "is not empty (answer_counts has rows)" in str(refused.value)
    assert await triggers_off(target) == 0


async def triggers_off(address: str) -> int:
    """How many of the schema's triggers the store lacks or has switched off."""
    store = parse_url("--to", address)
    if store.path is None:
        server = await asyncpg.connect(address)
        try:
            sql = "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'"
            return int(await server.fetchval(sql))
        finally:
            await server.close()
    fresh = sqlite3.connect(":memory:")
    for _, _, sql in migrations():
        fresh.executescript(sql)
    schema_triggers = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    wanted = {name for (name,) in fresh.execute(schema_triggers)}
    conn = sqlite3.connect(store.path)
    try:
        return len(wanted - {name for (name,) in conn.execute(schema_triggers)})
    finally:
        conn.close()


async def test_a_user_who_does_not_own_the_tables_is_told(demo: Path, postgres: str) -> None:
    """Switching triggers off is for the tables' owner (who migrated them): another user
    with every other right it needs is told so in one line."""
    await (await PostgresDatabase.open(postgres)).close()  # migrated by its owner
    other = f"copier_{uuid.uuid4().hex[:8]}"
    owner = await asyncpg.connect(postgres)
    try:
        await owner.execute(f"CREATE ROLE {other} LOGIN")
        await owner.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {other}")
        await owner.execute(f"GRANT CREATE ON SCHEMA public TO {other}")  # the migrations' check
        as_other = urlunsplit(urlsplit(postgres)._replace(netloc=f"{other}@"))
        with pytest.raises(CopyError, match=r"^--to: .*: cannot switch the triggers off \("):
            await copy_store(parse_url("--from", url(demo)), parse_url("--to", as_other))
    finally:
        await owner.execute(f"DROP OWNED BY {other}")
        await owner.execute(f"DROP ROLE {other}")
        await owner.close()


# -- The command line --------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_prints_the_check(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "db", "copy", "--from", url(demo), "--to", url(tmp_path / "c.db"))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        "table                  rows (from)  rows (to)  checksum (from)   checksum (to)"
    )
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:-1]}
    assert sorted(rows) == sorted(t.name for t in schema())
    assert all(cells[-1] == "ok" and cells[0] == cells[1] for cells in rows.values())
    assert rows["members"][0] == f"{len(PLAN.people)}"
    assert lines[-1].startswith(f"copied {len(rows)} tables, ")
    assert lines[-1].endswith("every table's rows and checksum match")


def test_a_difference_is_shown_and_fails(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A target that did not get every row (here: one inbox row lost) fails the check."""
    write = SqliteWriter.write

    async def losing(self: SqliteWriter, table: Table, rows: Rows) -> None:
        await write(self, table, rows[1:] if table.name == "inbox" else rows)

    monkeypatch.setattr(SqliteWriter, "write", losing)
    code, out, err = cli(capsys, "db", "copy", "--from", url(demo), "--to", url(tmp_path / "c.db"))
    assert code == 1
    assert err == "muster: the copy differs from the source in 1 table(s): inbox\n"
    inbox = next(line for line in out.splitlines() if line.startswith("inbox "))
    source_rows, target_rows, source_sum, target_sum, verdict = inbox.split()[1:]
    assert int(source_rows) == int(target_rows) + 1
    assert source_sum != target_sum and verdict == "DIFFERENT"


def older(path: Path, upto: int) -> None:
    """A SQLite database through the migrations up to version ``upto`` only."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        f"CREATE TABLE {RUNNER_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL)"
    )
    for version, name, sql in migrations():
        if version <= upto:
            conn.executescript(sql)
            conn.execute(f"INSERT INTO {RUNNER_TABLE} VALUES (?, ?, ?)", (version, name, STAMP))
    conn.close()


def test_an_older_source_is_refused_until_migrated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    versions = [version for version, _, _ in migrations()]
    old = tmp_path / "old.db"
    older(old, versions[-3])
    target = url(tmp_path / "c.db")
    code, out, err = cli(capsys, "db", "copy", "--from", url(old), "--to", target)
    assert (code, out) == (1, "")
    assert err == (
        f"muster: --from: {url(old)} has schema version {versions[-3]}, this Muster's is"
        f" {latest_version()}: migrate it first with: muster db migrate {url(old)}\n"
    )
    assert cli(capsys, "db", "migrate", url(old)) == (
        0,
        f"applied {versions[-2]}, {versions[-1]}: now at schema version {versions[-1]}\n",
        "",
    )
    assert cli(capsys, "db", "migrate", url(old))[1] == (
        f"already at schema version {versions[-1]}\n"
    )
    assert cli(capsys, "db", "copy", "--from", url(old), "--to", target)[0] == 0


def test_a_newer_source_is_refused(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = latest_version() + 1
    with sqlite3.connect(demo) as conn:
        conn.execute(f"INSERT INTO {RUNNER_TABLE} VALUES (?, 'x', ?)", (newer, STAMP))
    code, out, err = cli(capsys, "db", "copy", "--from", url(demo), "--to", url(tmp_path / "c"))
    assert (code, out) == (1, "")
    assert err == (
        f"muster: --from: {url(demo)} has schema version {newer}, newer than this Muster's"
        f" ({latest_version()}): upgrade Muster first\n"
    )


def test_a_target_with_rows_is_refused(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = url(tmp_path / "c.db")
    assert cli(capsys, "db", "copy", "--from", url(demo), "--to", target)[0] == 0
    code, out, err = cli(capsys, "db", "copy", "--from", url(demo), "--to", target)
    assert (code, out) == (1, "")
    assert err == (
        f"muster: --to: {target} is not empty (answer_counts has rows): copy into a new"
        " database (drop and create it again after a copy that stopped)\n"
    )


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        (
            "mysql://muster:secret@db/muster",
            "T",
            "--from: mysql://muster:***@db/muster: unknown kind of store (mysql://); give"
            " sqlite:///path/to/muster.db or postgresql://user@host/database",
        ),
        (
            "S",
            "muster.db",
            "--to: muster.db: unknown kind of store (no scheme); give"
            " sqlite:///path/to/muster.db or postgresql://user@host/database",
        ),
        (
            "sqlite://host/muster.db",
            "T",
            "--from: sqlite://host/muster.db: a SQLite address is sqlite:///relative/path.db"
            " or sqlite:////absolute/path.db",
        ),
        (
            "S",
            "postgresql://muster@db",
            "--to: names no database (postgresql://user@host/DATABASE)",
        ),
        ("S", "sqlite:///source.db", "--from and --to are the same database (sqlite:///source.db)"),
        ("sqlite:///missing.db", "T", "--from: missing.db: no such file"),
        ("sqlite:///notes.txt", "T", "--from: notes.txt: not a SQLite database"),
        ("S", "sqlite:///nowhere/c.db", "--to: nowhere is not a folder"),
        (
            "S",
            "postgresql://muster:secret@127.0.0.1:1/muster",
            "--to: cannot connect to postgresql://muster:***@127.0.0.1:1/muster: ",
        ),
    ],
)
def test_bad_addresses_are_one_line_each(
    source: str,
    target: str,
    message: str,
    demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Relative paths are the folder's where the command runs (here the test's own, which
    holds source.db, the demo's copy, and notes.txt); S and T: a good source and target."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("not a database\n" * 100, encoding="utf-8")
    source = url(demo) if source == "S" else source
    target = url(tmp_path / "c.db") if target == "T" else target
    code, out, err = cli(capsys, "db", "copy", "--from", source, "--to", target)
    assert (code, out) == (1, "")
    assert err.startswith(f"muster: {message}")
    assert err.count("\n") == 1 and err.endswith("\n")


# -- Parts -------------------------------------------------------------------------------


def test_every_table_is_copied_after_those_it_refers_to() -> None:
    conn = sqlite3.connect(":memory:")
    for _, _, sql in migrations():
        conn.executescript(sql)
    tables = schema()
    names = [table.name for table in tables]
    every = "SELECT name FROM sqlite_master WHERE type = 'table' AND name != ?"
    assert sorted(names) == sorted(name for (name,) in conn.execute(every, (RUNNER_TABLE,)))
    for position, table in enumerate(tables):
        keys = conn.execute("SELECT * FROM pragma_foreign_key_list(?)", (table.name,))
        for parent in {row[2] for row in keys}:
            if parent == table.name:
                assert table.order == PARENTS_FIRST[parent]
            else:
                assert names.index(parent) < position, (table.name, parent)
        columns = conn.execute("SELECT name FROM pragma_table_info(?)", (table.name,))
        assert table.columns == tuple(name for (name,) in columns)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("postgresql://ann@db/muster", "postgres://bo:pw@db:5432/muster", True),
        ("postgresql://ann@db/muster", "postgresql://ann@db:5433/muster", False),
        ("postgresql://ann@db/muster", "postgresql://ann@db/muster2", False),
        ("sqlite:///muster.db", "sqlite:///./x/../muster.db", True),
        ("sqlite:///muster.db", "postgresql://ann@db/muster", False),
    ],
)
def test_one_database_is_one_database_however_named(
    a: str, b: str, same: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same server, port and database whoever connects; the same file by any path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").mkdir()
    assert parse_url("--from", a).same_as(parse_url("--to", b)) is same


def test_each_value_has_one_canonical_text() -> None:
    assert [canonical(v) for v in (None, 37, -1001234567890, 37.0, 0.1, "", "好 ✅")] == [
        "N",
        "I37",
        "I-1001234567890",
        "R37.0",
        "R0.1",
        "T0:",
        "T3:好 ✅",
    ]
    with pytest.raises(TypeError):
        canonical(True)
    # No two rows share a text: a text's length says where it ends, and types differ.
    assert row_digest(("a", "bc")) != row_digest(("ab", "c"))
    assert row_digest(("1",)) != row_digest((1,)) != row_digest((1.0,))


def test_a_tally_is_the_same_in_any_order_and_counts_repeats() -> None:
    rows = [(1, "Ann", None), (2, "Bo", 2.5), (3, "Cy", 0.0)]
    assert Tally().add(rows) == Tally().add(reversed(rows)) == Tally().add(rows[:1]).add(rows[1:])
    twice = Tally().add(rows + rows[:1])
    assert twice.rows == 4 and twice != Tally().add(rows[1:])
    assert Tally().add([]).hex == "0000000000000000"


def test_progress_is_a_line_every_few_seconds_and_a_shown_tables_end() -> None:
    moments = iter([0.0, 0.5, 1.0, 2.5, 3.0, 3.5, 6.0, 6.5])
    out = io.StringIO()
    progress = ProgressLines(out, now=lambda: next(moments), every=2.0)
    progress("copy", "units", 10, 10)  # 0.5: too soon, a table not shown
    progress("copy", "members", 100, 300)  # 1.0: too soon
    progress("copy", "members", 200, 300)  # 2.5: shown
    progress("copy", "members", 300, 300)  # 3.0: its end
    progress("copy", "checkins", 100, 900)  # 3.5: too soon
    progress("copy", "checkins", 900, 900)  # 6.0: shown (time), its end
    progress("check --from", "units", 10, 10)  # 6.5: too soon
    assert out.getvalue().splitlines() == [
        "copy members: 200 / 300 rows",
        "copy members: 300 / 300 rows",
        "copy checkins: 900 / 900 rows",
    ]
