"""``muster db copy``: every row of one Muster store into another, empty one, then checked
(issue #20): SQLite to PostgreSQL to move an organisation, PostgreSQL to SQLite to go back.

- The source is read in one snapshot (SQLite: one read transaction on a read-only
  connection; PostgreSQL: one REPEATABLE READ, READ ONLY transaction), in batches through
  a cursor, so neither a long copy nor a 200,000-member organisation is held in memory,
  and it is never written. Its schema version must be this Muster's latest.
- The target is migrated to the latest schema and must be empty (no table of the schema
  has a row). Tables are copied in foreign-key order (``schema``), a batch per transaction,
  ids and all, with the target's triggers off: the tables the triggers keep (the summary
  counts, ``unit_reach``, ``answer_counts``, ``answer_figures``, ``directive_answers``…)
  are copied as data, since they are history the triggers could not rebuild from today's
  rows (a check-in counts where its member was that day; migrations' backfills). On
  PostgreSQL ``ALTER TABLE … DISABLE TRIGGER USER`` (the tables' owner may; the foreign
  keys stay checked), re-enabled at the end, then ``sync_ids()`` moves every identity
  sequence past its largest id. SQLite cannot switch a trigger off: they are dropped in
  the first batch's transaction and created again at the end, so an empty target always
  has them.
- Then each table is read again on both sides, the source in the same snapshot, and its
  rows counted and checksummed (storage/checksum.py).

A copy stopped halfway leaves rows in the target, which a second copy refuses: drop the
target and create it again (docs/postgresql.md, "Moving to PostgreSQL").
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import aiosqlite
import asyncpg
from asyncpg.pool import PoolConnectionProxy

from storage.checksum import Tally
from storage.db import SchemaTooNewError, SqliteDatabase, latest_version, migrations
from storage.postgres import (
    MIGRATIONS,
    SCHEMES,
    PostgresDatabase,
    StoreUnavailableError,
    check_url,
    shown,
)
from storage.repository import STORE_ERRORS
from storage.store import Database

BATCH = 5_000
RUNNER_TABLE = "schema_version"  # each store's own record of its migrations: not copied
# How to read a table that refers to itself so that parents come before children.
PARENTS_FIRST = {"units": "depth, id", "directives": "id"}  # a follow-up is newer
POSTGRES_DEFAULT_PORT = 5432
Rows = Sequence[Sequence[Any]]
# (phase: "copy", "check --from" or "check --to"; table, rows done, rows in all): after
# each batch.
Progress = Callable[[str, str, int, int], None]
# A row the target will not take: a constraint, or a value of another type than the
# column's (SQLite keeps what it is given; asyncpg checks each value against its column).
_REFUSED: tuple[type[Exception], ...] = (*STORE_ERRORS, ValueError, TypeError)


class CopyError(Exception):
    """What stops a copy, said in one line."""


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[str, ...]
    order: str | None = None  # ORDER BY, for a table that refers to itself

    def select(self) -> str:
        order = f" ORDER BY {self.order}" if self.order else ""
        return f"SELECT {', '.join(self.columns)} FROM {self.name}{order}"


@cache
def schema() -> tuple[Table, ...]:
    """The schema's tables, each after those it refers to, from SQLite's migrations applied
    to a database in memory: PostgreSQL's has the same tables, columns and foreign keys
    (tests/unit/test_pg_schema.py)."""
    conn = sqlite3.connect(":memory:")
    try:
        for _, _, sql in migrations():
            conn.executescript(sql)
        names = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
            if name != RUNNER_TABLE
        ]
        columns = {
            t: tuple(r[1] for r in conn.execute("SELECT * FROM pragma_table_info(?)", (t,)))
            for t in names
        }
        parents = {
            t: {r[2] for r in conn.execute("SELECT * FROM pragma_foreign_key_list(?)", (t,))}
            for t in names
        }
    finally:
        conn.close()
    return tuple(Table(t, columns[t], _order_of(t, parents[t])) for t in _by_keys(parents))


def _order_of(table: str, parents: set[str]) -> str | None:
    if table not in parents:
        return None
    if table not in PARENTS_FIRST:
        raise RuntimeError(f"{table} refers to itself: say in PARENTS_FIRST how to read it")
    return PARENTS_FIRST[table]


def _by_keys(parents: dict[str, set[str]]) -> list[str]:
    """Every table after the tables it refers to; by name among those ready at once."""
    waiting, ordered = dict(parents), []
    while waiting:
        ready = sorted(t for t, p in waiting.items() if not (p - {t}) & waiting.keys())
        if not ready:
            raise RuntimeError(f"foreign keys in a cycle among {sorted(waiting)}")
        ordered += ready
        for table in ready:
            del waiting[table]
    return ordered


# -- Addresses ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoreUrl:
    option: str  # "--from" or "--to", which messages name
    url: str
    path: Path | None  # SQLite's file; None for PostgreSQL

    @property
    def shown(self) -> str:
        return self.url if self.path is not None else shown(self.url)

    def same_as(self, other: StoreUrl) -> bool:
        if self.path is not None and other.path is not None:
            return self.path.resolve() == other.path.resolve()
        if self.path is None and other.path is None:
            return _server_database(self.url) == _server_database(other.url)
        return False


def _server_database(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or POSTGRES_DEFAULT_PORT, parts.path.strip("/")


def parse_url(option: str, url: str) -> StoreUrl:
    """``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` or a PostgreSQL
    address (``postgresql://user@host/database``), else ``CopyError``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)[1:]  # the third slash ends the (empty) host
        if parts.netloc or not path:
            raise CopyError(
                f"{option}: {url}: a SQLite address is sqlite:///relative/path.db or"
                " sqlite:////absolute/path.db"
            )
        return StoreUrl(option, url, Path(path))
    if parts.scheme in SCHEMES:
        if problem := check_url(url):
            raise CopyError(f"{option}: {problem}")
        return StoreUrl(option, url, None)
    scheme = f"{parts.scheme}://" if parts.scheme else "no scheme"
    raise CopyError(
        f"{option}: {shown(url)}: unknown kind of store ({scheme}); give"
        " sqlite:///path/to/muster.db or postgresql://user@host/database"
    )


# -- Reading ------------------------------------------------------------------------------


class Reader(Protocol):
    """One snapshot of a store, read table by table in batches."""

    async def version(self) -> int: ...
    async def count(self, table: Table) -> int: ...
    def batches(self, table: Table, size: int) -> AsyncIterator[Rows]: ...
    async def close(self) -> None: ...


class SqliteReader:
    """A read-only connection (``mode=ro``: nothing it runs can write the file) in one
    read transaction: everything read through it is one moment of the database."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    @classmethod
    async def open(cls, path: Path) -> SqliteReader:
        uri = path.resolve().as_uri() + "?mode=ro"  # noqa: ASYNC240 (a console command: nothing else waits)
        conn = await aiosqlite.connect(uri, uri=True, isolation_level=None)
        await conn.execute("BEGIN")  # the snapshot starts at the first read
        return cls(conn)

    async def version(self) -> int:
        found = await self.conn.execute_fetchall(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (RUNNER_TABLE,)
        )
        if not list(found):
            return 0
        rows = list(await self.conn.execute_fetchall(f"SELECT MAX(version) FROM {RUNNER_TABLE}"))
        return int(rows[0][0] or 0)

    async def count(self, table: Table) -> int:
        rows = list(await self.conn.execute_fetchall(f"SELECT COUNT(*) FROM {table.name}"))
        return int(rows[0][0])

    async def batches(self, table: Table, size: int) -> AsyncIterator[Rows]:
        async with self.conn.execute(table.select()) as cursor:
            while rows := list(await cursor.fetchmany(size)):
                yield rows

    async def close(self) -> None:
        await self.conn.close()


class PgReader:
    """One pooled connection in a REPEATABLE READ, READ ONLY transaction; each table read
    through a server-side cursor, ``size`` rows a round trip."""

    def __init__(self, db: PostgresDatabase, conn: PoolConnectionProxy[Any], owned: bool) -> None:
        self.db = db
        self.conn = conn
        self.owned = owned  # closes the database when done (the source's)

    @classmethod
    async def open(cls, db: PostgresDatabase, *, owned: bool) -> PgReader:
        conn = await db.pool.acquire()
        await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return cls(db, conn, owned)

    async def version(self) -> int:
        if not await self.conn.fetchval("SELECT to_regclass($1) IS NOT NULL", RUNNER_TABLE):
            return 0
        latest = f"SELECT COALESCE(MAX(version), 0) FROM {RUNNER_TABLE}"
        return int(await self.conn.fetchval(latest))

    async def count(self, table: Table) -> int:
        return int(await self.conn.fetchval(f"SELECT COUNT(*) FROM {table.name}"))

    async def batches(self, table: Table, size: int) -> AsyncIterator[Rows]:
        cursor = await self.conn.cursor(table.select())
        while rows := await cursor.fetch(size):
            yield rows

    async def close(self) -> None:
        with suppress(*STORE_ERRORS):
            await self.conn.execute("ROLLBACK")
        await self.db.pool.release(self.conn)
        if self.owned:
            await self.db.close()


# -- Writing ------------------------------------------------------------------------------


class Writer(Protocol):
    async def first_with_rows(self, tables: Sequence[Table]) -> str | None: ...
    async def triggers_off(self, tables: Sequence[Table]) -> None: ...
    async def write(self, table: Table, rows: Rows) -> None: ...
    async def finish(self, tables: Sequence[Table]) -> None: ...
    async def reader(self) -> Reader: ...
    async def close(self) -> None: ...


async def _first_with_rows(db: Database, tables: Sequence[Table]) -> str | None:
    for table in tables:
        if await db.fetchone(f"SELECT 1 AS found FROM {table.name} LIMIT 1") is not None:
            return table.name
    return None


class SqliteWriter:
    def __init__(self, db: SqliteDatabase, path: Path) -> None:
        self.db = db
        self.path = path
        self.triggers: list[tuple[str, str]] = []
        self.dropped = False

    async def first_with_rows(self, tables: Sequence[Table]) -> str | None:
        return await _first_with_rows(self.db, tables)

    async def triggers_off(self, tables: Sequence[Table]) -> None:
        rows = await self.db.fetchall(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        )
        self.triggers = [(r["name"], r["sql"]) for r in rows]

    async def write(self, table: Table, rows: Rows) -> None:
        marks = ", ".join("?" * len(table.columns))
        sql = f"INSERT INTO {table.name} ({', '.join(table.columns)}) VALUES ({marks})"
        async with self.db.transaction() as conn:
            if not self.dropped:
                for name, _ in self.triggers:
                    await conn.execute(f"DROP TRIGGER {name}")
            await conn.executemany(sql, [tuple(row) for row in rows])
        self.dropped = True  # committed with the rows

    async def finish(self, tables: Sequence[Table]) -> None:
        if self.dropped:
            async with self.db.transaction() as conn:
                for _, sql in self.triggers:
                    await conn.execute(sql)
            self.dropped = False

    async def reader(self) -> Reader:
        return await SqliteReader.open(self.path)

    async def close(self) -> None:
        await self.db.close()


class PgWriter:
    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    async def first_with_rows(self, tables: Sequence[Table]) -> str | None:
        return await _first_with_rows(self.db, tables)

    async def _triggers(self, tables: Sequence[Table], state: str) -> None:
        async with self.db.transaction() as conn:
            for table in tables:
                await conn.execute(f"ALTER TABLE {table.name} {state} TRIGGER USER")

    async def triggers_off(self, tables: Sequence[Table]) -> None:
        try:
            await self._triggers(tables, "DISABLE")
        except asyncpg.InsufficientPrivilegeError as exc:
            raise CopyError(
                f"--to: {shown(self.db.url)}: cannot switch the triggers off ({exc}); copy as"
                " the user who owns the tables (who ran the migrations)"
            ) from None

    async def write(self, table: Table, rows: Rows) -> None:
        async with self.db.pool.acquire() as conn:
            await conn.copy_records_to_table(table.name, records=rows, columns=table.columns)

    async def finish(self, tables: Sequence[Table]) -> None:
        await self._triggers(tables, "ENABLE")
        await self.db.write("SELECT sync_ids()")
        # The planner's statistics now, not when autovacuum next looks: until then it
        # plans every query for empty tables (docs/reliability.md, finding 7).
        await self.db.write("ANALYZE")

    async def reader(self) -> Reader:
        return await PgReader.open(self.db, owned=False)

    async def close(self) -> None:
        await self.db.close()


# -- Opening ------------------------------------------------------------------------------


async def _postgres(url: StoreUrl, *, migrate: bool) -> PostgresDatabase:
    try:
        return await PostgresDatabase.open(url.url, migrate=migrate, pool_size=2)
    except StoreUnavailableError as exc:
        raise CopyError(f"{url.option}: {str(exc).removeprefix('storage.url: ')}") from None
    except SchemaTooNewError as exc:
        raise CopyError(f"{url.option}: {exc}") from None


async def open_source(url: StoreUrl) -> Reader:
    """The source's snapshot, once its schema is known to be this Muster's latest."""
    reader: Reader
    if url.path is not None:
        if not url.path.is_file():
            raise CopyError(f"{url.option}: {url.path}: no such file")
        reader, latest = await SqliteReader.open(url.path), latest_version()
    else:
        db = await _postgres(url, migrate=False)
        try:
            reader, latest = await PgReader.open(db, owned=True), latest_version(MIGRATIONS)
        except BaseException:
            await db.close()
            raise
    try:
        try:
            version = await reader.version()
        except sqlite3.DatabaseError as exc:
            raise CopyError(f"{url.option}: {url.path}: not a SQLite database ({exc})") from None
        if version == 0:
            raise CopyError(f"{url.option}: {url.shown}: not a Muster database (no schema)")
        if version > latest:
            raise CopyError(
                f"{url.option}: {url.shown} has schema version {version}, newer than this"
                f" Muster's ({latest}): upgrade Muster first"
            )
        if version < latest:
            raise CopyError(
                f"{url.option}: {url.shown} has schema version {version}, this Muster's is"
                f" {latest}: migrate it first with: muster db migrate {url.shown}"
            )
    except BaseException:
        await reader.close()
        raise
    return reader


async def open_target(url: StoreUrl) -> Writer:
    """The target, migrated to the latest schema (a SQLite file is created if need be)."""
    if url.path is None:
        return PgWriter(await _postgres(url, migrate=True))
    if not url.path.parent.is_dir():
        raise CopyError(f"{url.option}: {url.path.parent} is not a folder")
    try:
        return SqliteWriter(await SqliteDatabase.open(url.path), url.path)
    except SchemaTooNewError as exc:
        raise CopyError(f"{url.option}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise CopyError(f"{url.option}: {url.path}: cannot open ({exc})") from None


async def migrate_store(url: StoreUrl) -> tuple[list[int], int]:
    """``muster db migrate``: the versions applied to an existing store, and its version."""
    db: SqliteDatabase | PostgresDatabase
    if url.path is not None:
        if not url.path.is_file():
            raise CopyError(f"{url.path}: no such file")
        try:
            db = await SqliteDatabase.open(url.path, migrate=False)
        except SchemaTooNewError as exc:
            raise CopyError(str(exc)) from None
    else:
        db = await _postgres(url, migrate=False)
    try:
        applied = await db.migrate()
        return applied, await db.schema_version()
    finally:
        await db.close()


# -- Copying ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checked:
    """A table's rows counted and checksummed on both sides."""

    table: str
    source: Tally
    target: Tally

    @property
    def ok(self) -> bool:
        return self.source == self.target


def _quiet(phase: str, table: str, done: int, total: int) -> None:
    pass


async def copy_store(
    source: StoreUrl, target: StoreUrl, progress: Progress = _quiet, *, batch: int = BATCH
) -> list[Checked]:
    """Copy every table of ``source`` into the empty ``target`` and check both; the check
    per table, in copy order (``CopyError`` for what stops it before or during)."""
    if source.same_as(target):
        raise CopyError(f"--from and --to are the same database ({target.shown})")
    tables = schema()
    reader = await open_source(source)
    try:
        writer = await open_target(target)
        try:
            if (full := await writer.first_with_rows(tables)) is not None:
                raise CopyError(
                    f"{target.option}: {target.shown} is not empty ({full} has rows): copy"
                    " into a new database (drop and create it again after a copy that stopped)"
                )
            totals = await _copy_rows(reader, writer, tables, progress, batch)

            def seen(phase: str, table: Table) -> Callable[[int], None]:
                return lambda done: progress(phase, table.name, done, totals[table.name])

            copied = await writer.reader()
            try:
                return [
                    Checked(
                        table.name,
                        await _tally(reader, table, batch, seen("check --from", table)),
                        await _tally(copied, table, batch, seen("check --to", table)),
                    )
                    for table in tables
                ]
            finally:
                await copied.close()
        finally:
            await writer.close()
    finally:
        await reader.close()


async def _copy_rows(
    reader: Reader, writer: Writer, tables: Sequence[Table], progress: Progress, batch: int
) -> dict[str, int]:
    """Every table's rows, batch by batch; the number of rows of each."""
    totals: dict[str, int] = {}
    await writer.triggers_off(tables)
    try:
        for table in tables:
            total = totals[table.name] = await reader.count(table)
            done = 0
            progress("copy", table.name, done, total)
            async for rows in reader.batches(table, batch):
                try:
                    await writer.write(table, rows)
                except _REFUSED as exc:
                    raise CopyError(f"{table.name}: the target refused a row: {exc}") from None
                done += len(rows)
                progress("copy", table.name, done, total)
    except BaseException:
        with suppress(*STORE_ERRORS):  # the triggers back, if the store still answers
            await writer.finish(tables)
        raise
    await writer.finish(tables)
    return totals


async def _tally(
    reader: Reader, table: Table, batch: int, seen: Callable[[int], None] | None = None
) -> Tally:
    tally = Tally()
    async for rows in reader.batches(table, batch):
        tally = tally.add(rows)
        if seen is not None:
            seen(tally.rows)
    return tally


async def tally_store(url: StoreUrl, *, batch: int = BATCH) -> dict[str, Tally]:
    """Every table's rows and checksum, in one snapshot of a store of the latest schema."""
    reader = await open_source(url)
    try:
        return {table.name: await _tally(reader, table, batch) for table in schema()}
    finally:
        await reader.close()
