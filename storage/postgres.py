"""PostgreSQL through asyncpg: the same methods as ``SqliteDatabase``, over a pool.

The repositories write ``?`` placeholders (SQLite's); each statement is translated to
PostgreSQL's ``$1 … $n`` once and kept (``translate``). There is no writer lock and no
inline connection: the server serialises what conflicts, and each call is one pooled
round trip, the ``_inline`` variants included. A transaction is one pooled connection from
``BEGIN`` to ``COMMIT``; nested in another of the same task, it joins it (as on SQLite).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from storage.db import SchemaTooNewError, latest_version, migrations, to_db_time
from storage.dialect import POSTGRESQL, Dialect, dollar_placeholders

log = logging.getLogger(__name__)

MIGRATIONS = "postgresql"  # storage/migrations/postgresql/NNNN_*.sql
SCHEMES = ("postgresql", "postgres")
# Connections for 2 CPUs: the server gains nothing from many more active ones than cores,
# and the bot's concurrent work (updates, the tick, the outbox) waits a moment for one.
DEFAULT_POOL_SIZE = 8
# Held (per transaction) by whoever migrates, so two instances starting at once apply
# each migration once: the second waits, then finds it recorded.
_MIGRATION_LOCK = 0x6D757374  # "must"
_SCHEMA_VERSION = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)
# Statements whose answer is rows; any other reports a count (``UPDATE 3``).
_ROWS_FIRST = frozenset({"SELECT", "VALUES", "TABLE", "SHOW", "EXPLAIN"})
_DML = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)
# Collations that order text by its bytes (SQLite's BINARY): "C", "POSIX", "C.UTF-8"….
_BYTE_ORDER = re.compile(r"C|POSIX|C\.[A-Za-z0-9-]+")
_FIRST_WORD = re.compile(r"[\s(]*([A-Za-z]+)")
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.S)


# Every statement planned for its own parameters. asyncpg prepares each statement once per
# connection, and after five runs PostgreSQL may switch it to a generic plan, made without
# the parameters: a subtree's range of paths (``path >= ? AND path < ?``) is then guessed at
# a couple of units, and the root's summary, planned as nested loops over them, went from
# 2 ms to 25 ms at 300 units and quadratic beyond (docs/benchmarks.md, "Summaries on
# PostgreSQL"). Planning each run costs the short statements a little server CPU.
SESSION_SETTINGS = {"plan_cache_mode": "force_custom_plan"}


class StoreUnavailableError(Exception):
    """The server named by ``storage.url`` could not be reached or refused us."""


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str  # with $n placeholders
    returns_rows: bool  # fetched as rows (SELECT, … RETURNING), else run for its count


@lru_cache(maxsize=4096)
def translate(sql: str) -> Statement:
    """The statement with PostgreSQL's placeholders (``dollar_placeholders``), and whether
    it answers with rows. Cached per SQL text: the repositories' statements are constants,
    and those built per call (``IN (?, ?, …)``) come in a few lengths."""
    bare = _QUOTED.sub(" ", sql)  # what a keyword inside a string or comment cannot fool
    first = _FIRST_WORD.match(bare)
    word = first.group(1).upper() if first else ""
    rows = word in _ROWS_FIRST or (word == "WITH" and not _DML.search(bare))
    return Statement(dollar_placeholders(sql), rows or bool(_RETURNING.search(bare)))


def rowcount(status: str) -> int:
    """The rows a command changed, from its status (``INSERT 0 3``, ``UPDATE 2``)."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


def _numeric(text: str) -> int | float:
    """NUMERIC as SQLite gives it: SUM of integers an int, an average a float (not the
    ``Decimal`` asyncpg would make, which the code's arithmetic does not expect)."""
    try:
        return int(text)
    except ValueError:
        return float(text)


async def _setup(conn: asyncpg.Connection[Any]) -> None:
    await conn.set_type_codec(
        "numeric", encoder=str, decoder=_numeric, schema="pg_catalog", format="text"
    )


async def _keep(conn: asyncpg.Connection[Any]) -> None:
    """A pooled connection's reset when it goes back to the pool: nothing to undo.
    asyncpg's default sends ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``
    at every release, i.e. a second round trip for every statement run on the pool (half
    the statements an update cost, docs/benchmarks.md). Muster leaves no session state on
    a pooled connection: its session locks and any listening are on connections of their
    own (storage/coordination.py), and asyncpg still rolls back a transaction left open
    before calling this."""


class PgCursor:
    """A statement's outcome inside a transaction, read as aiosqlite's cursor is."""

    __slots__ = ("_rows", "rowcount")

    lastrowid = None  # PostgreSQL has none: INSERT … RETURNING id

    def __init__(self, rows: list[Any], count: int) -> None:
        self._rows = rows
        self.rowcount = count

    async def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    async def fetchall(self) -> list[Any]:
        return self._rows


class PgConnection:
    """The connection a transaction yields: aiosqlite's ``execute`` / ``executemany`` /
    ``execute_fetchall`` over one asyncpg connection."""

    __slots__ = ("raw",)

    def __init__(self, raw: PoolConnectionProxy[Any]) -> None:
        self.raw = raw

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> PgCursor:
        return await _run(self.raw, sql, tuple(parameters or ()))

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> PgCursor:
        rows = [tuple(p) for p in parameters]
        if rows:
            await self.raw.executemany(translate(sql).sql, rows)
        return PgCursor([], len(rows))

    async def execute_fetchall(
        self, sql: str, parameters: Iterable[Any] | None = None
    ) -> list[Any]:
        return list(await self.raw.fetch(translate(sql).sql, *tuple(parameters or ())))


async def _run(raw: Any, sql: str, params: tuple[Any, ...]) -> PgCursor:
    """One statement on a connection (or the pool), one round trip: rows when it answers
    with rows, else the count its status reports."""
    statement = translate(sql)
    if statement.returns_rows:
        rows = list(await raw.fetch(statement.sql, *params))
        return PgCursor(rows, len(rows))
    return PgCursor([], rowcount(await raw.execute(statement.sql, *params)))


# The database whose transaction the running task is inside, with its connection.
_in_transaction: ContextVar[tuple[PostgresDatabase, PgConnection] | None] = ContextVar(
    "muster_pg_transaction", default=None
)


def check_url(url: str) -> str | None:
    """What is wrong with ``url`` as a PostgreSQL address, or None."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        return f"must start with postgresql:// (got {parts.scheme or 'no'} scheme)"
    if not parts.path.strip("/") and "dbname=" not in parts.query:
        return "names no database (postgresql://user@host/DATABASE)"
    return None


def shown(url: str) -> str:
    """The address without its password, for messages."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


class PostgresDatabase:
    """A pool of connections to one PostgreSQL database, with ``SqliteDatabase``'s methods."""

    dialect: Dialect = POSTGRESQL

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self.pool = pool
        self.url = url

    @classmethod
    async def open(
        cls, url: str, *, migrate: bool = True, pool_size: int = DEFAULT_POOL_SIZE
    ) -> PostgresDatabase:
        if problem := check_url(url):
            raise StoreUnavailableError(f"storage.url: {problem}")
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=1,
                max_size=pool_size,
                init=_setup,
                reset=_keep,
                timeout=10,
                server_settings=SESSION_SETTINGS,
            )
        except (
            OSError,
            TimeoutError,
            ValueError,  # an address asyncpg cannot read (a port that is not a number)
            asyncpg.PostgresError,
            asyncpg.InterfaceError,
        ) as exc:
            reason = str(exc) or type(exc).__name__
            raise StoreUnavailableError(
                f"storage.url: cannot connect to {shown(url)}: {reason}"
            ) from None
        db = cls(pool, url)
        try:
            await db._check_collation()
            version = await db.schema_version()
            if version > latest_version(MIGRATIONS):
                raise SchemaTooNewError(
                    f"database {shown(url)} has schema version {version}, newer than this "
                    f"Muster understands ({latest_version(MIGRATIONS)}); upgrade Muster"
                )
            if migrate:
                await db.migrate()
        except BaseException:
            await pool.close()
            raise
        return db

    async def close(self) -> None:
        await self.pool.close()

    async def _check_collation(self) -> None:
        """Refuse a database that does not compare text byte by byte, as SQLite does: a
        subtree is a range of unit paths (``path >= '/1/' AND path < '/10'``) and stored
        times compare as text, and a language's collation (en_US ignores '/' and '-' at
        first) would silently put units and days in the wrong ranges."""
        row = await self.fetchone(
            "SELECT datcollate, datlocprovider::text AS provider FROM pg_database"
            " WHERE datname = current_database()"
        )
        if row is None:
            return
        collate, provider = str(row["datcollate"]), str(row["provider"])
        if provider == "c" and _BYTE_ORDER.fullmatch(collate):
            return
        raise StoreUnavailableError(
            f"storage.url: database {shown(self.url)} collates text as {collate!r}"
            f"{' (ICU)' if provider == 'i' else ''}; Muster needs byte order: create it with"
            " CREATE DATABASE … TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
        )

    async def schema_version(self) -> int:
        exists = await self.fetchone("SELECT to_regclass('schema_version') IS NOT NULL AS e")
        if exists is None or not exists["e"]:
            return 0
        row = await self.fetchone("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version")
        return int(row["v"]) if row is not None else 0

    async def migrate(self) -> list[int]:
        """Apply the migrations newer than the recorded version, each in a transaction of
        its own under an advisory lock; return the ones applied (by this instance)."""
        applied = []
        async with self.pool.acquire() as conn:
            for version, name, sql in migrations(MIGRATIONS):
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
                    await conn.execute(_SCHEMA_VERSION)
                    current = await conn.fetchval(
                        "SELECT COALESCE(MAX(version), 0) FROM schema_version"
                    )
                    if version <= current:
                        continue
                    await conn.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_version (version, name, applied_at)"
                        " VALUES ($1, $2, $3)",
                        version,
                        name,
                        to_db_time(datetime.now(UTC)),  # noqa: TID251 (when a migration ran: the wall clock)
                    )
                applied.append(version)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgConnection]:
        """BEGIN … COMMIT on one pooled connection, or ROLLBACK on any exception; nested
        in another transaction of the same task, it joins it."""
        current = _in_transaction.get()
        if current is not None and current[0] is self:
            yield current[1]
            return
        async with self.pool.acquire() as raw:
            conn = PgConnection(raw)
            tx = raw.transaction()
            await tx.start()
            marker = _in_transaction.set((self, conn))
            try:
                yield conn
            except BaseException:
                await tx.rollback()
                raise
            finally:
                _in_transaction.reset(marker)
            await tx.commit()

    def _target(self) -> Any:
        """The transaction's connection when this task is in one, else the pool."""
        current = _in_transaction.get()
        return current[1].raw if current is not None and current[0] is self else self.pool

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Any:
        return await self._target().fetchrow(translate(sql).sql, *tuple(params))

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        return list(await self._target().fetch(translate(sql).sql, *tuple(params)))

    async def write(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One statement as its own transaction (autocommit); the rows it changed."""
        return (await _run(self._target(), sql, tuple(params))).rowcount

    async def write_returning(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        return await self.fetchall(sql, params)

    # SQLite's shortcuts on the loop's own thread have nothing to save here.
    write_inline = write
    fetchone_inline = fetchone

    async def write_batch_inline(
        self, batch: Iterable[tuple[str, Sequence[Sequence[Any]]]]
    ) -> None:
        async with self.transaction() as conn:
            for sql, rows in batch:
                await conn.executemany(sql, rows)

    async def truncate_wal(self) -> bool:
        """Nothing to do here: the server's log and old row versions are its own to
        recycle (VACUUM, WAL recycling); see docs/postgresql.md."""
        log.info(
            "PostgreSQL: erased rows' old versions stay in the server's files until VACUUM"
            " and WAL recycling reclaim them; Muster cannot zero them as on SQLite"
        )
        return True
