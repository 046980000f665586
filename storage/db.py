"""The SQLite connection: pragmas, numbered migrations, and serialised transactions.

``Database`` is the protocol both stores offer (storage/store.py); this module's
``SqliteDatabase`` is the embedded default, ``storage/postgres.py`` the server one."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from storage.dialect import SQLITE, Dialect
from storage.store import Database as Database  # the repositories' type, re-exported

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# Inline writes (see Database.write_inline) between two checkpoints: a few pages each, so
# about SQLite's own default of a checkpoint per 1,000 pages of log.
_CHECKPOINT_EVERY = 250
# Deleted and overwritten content is zeroed, not left in free space: an erased member or
# details past retention must not be readable from the file (or a backup of it). Every
# connection that writes sets it; it is per connection.
_SECURE_DELETE = "PRAGMA secure_delete=ON"


class SchemaTooNewError(Exception):
    """The database was written by a newer Muster; refusing to touch it."""


class SqliteOnlyError(Exception):
    """Asked of a PostgreSQL store what only SQLite's file has (a page copy, its pragmas)."""


def sqlite_only(db: Database, what: str) -> SqliteDatabase:
    """``db`` as the SQLite database ``what`` needs, or ``SqliteOnlyError`` saying so."""
    if not isinstance(db, SqliteDatabase):
        raise SqliteOnlyError(
            f"{what} works on SQLite only (storage.database); this store is PostgreSQL"
            " (storage.url)"
        )
    return db


def to_db_time(moment: datetime) -> str:
    """UTC, fixed width, so that string order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def from_db_time(text: str) -> datetime:
    # fromisoformat reads what to_db_time writes ("…Z" is UTC) about seventy times faster
    # than strptime: the delivery engine reads several times per message it sends.
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not UTC:
        raise ValueError(f"not a stored UTC time: {text!r}")
    return moment


def migrations(folder: str | None = None) -> list[tuple[int, str, str]]:
    """(version, file name, SQL) for every bundled migration, in order: SQLite's, or those
    in a subfolder of ``storage/migrations`` (``"postgresql"``), numbered alike.

    The numbers only need to increase, not to be consecutive: there is no 0009. Grid duty's
    schema came in two commits, 0008 and then 0010 (the history does not say why 0009 was
    skipped); the gap is kept because renumbering 0010 onwards would make databases already
    at 0010 or later re-apply or skip migrations."""
    found = []
    where = resources.files("storage.migrations")
    if folder is not None:
        where = where.joinpath(folder)
        if not where.is_dir():
            return []
    for entry in where.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    return found


def latest_version(folder: str | None = None) -> int:
    found = migrations(folder)
    return found[-1][0] if found else 0


def _busy(exc: sqlite3.OperationalError) -> bool:
    """SQLite answered BUSY (BUSY_SNAPSHOT too): someone else is writing."""
    return exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY


# The database whose transaction the running task is inside, if any.
_in_transaction: ContextVar[SqliteDatabase | None] = ContextVar("muster_transaction", default=None)


class SqliteDatabase:
    """A writer connection in autocommit mode, written only through ``transaction()``,
    and a read-only connection for everything else.

    The lock keeps one task's transaction from interleaving with another's on the writer.
    Reads outside a transaction go to the reader, which (in WAL mode) sees only committed
    data: a tick never reads another task's half-done, maybe rolled-back, transaction.
    Reads inside a transaction use the writer, so they see that transaction's own rows.
    """

    dialect: Dialect = SQLITE

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.conn = conn
        self.reader = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._inline: sqlite3.Connection | None = None  # see write_inline()
        self._inline_writes = 0
        self._checkpoint: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: str | Path, *, migrate: bool = True) -> SqliteDatabase:
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        conn.row_factory = aiosqlite.Row
        try:
            if str(path) != ":memory:":
                await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA busy_timeout=5000")
            await conn.execute(_SECURE_DELETE)
            db = cls(conn, str(path))
            version = await db.schema_version()
            if version > latest_version():
                raise SchemaTooNewError(
                    f"database {path} has schema version {version}, newer than this "
                    f"Muster understands ({latest_version()}); upgrade Muster"
                )
            if migrate:
                await db.migrate()
            if str(path) != ":memory:":
                db.reader = await aiosqlite.connect(str(path), isolation_level=None)
                db.reader.row_factory = aiosqlite.Row
                await db.reader.execute("PRAGMA query_only=ON")
                await db.reader.execute("PRAGMA busy_timeout=5000")
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        if self._checkpoint is not None:
            await asyncio.wait([self._checkpoint])
        if self._inline is not None:
            self._inline.close()
        if self.reader is not self.conn:
            await self.reader.close()
        await self.conn.close()

    async def schema_version(self) -> int:
        row = await self.fetchone(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'"
        )
        if row is None:
            return 0
        row = await self.fetchone("SELECT MAX(version) AS v FROM schema_version")
        return int(row["v"]) if row and row["v"] is not None else 0

    async def migrate(self) -> list[int]:
        """Apply the migrations newer than the recorded version; return the ones applied."""
        applied = []
        async with self._lock:
            await self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            current = await self.schema_version()
            for version, name, sql in migrations():
                if version <= current:
                    continue
                # executescript commits first, so the script carries its own transaction.
                await self.conn.executescript(
                    "BEGIN;\n"
                    + sql
                    + "\nINSERT INTO schema_version (version, name, applied_at) VALUES "
                    + f"({version}, '{name}', '{to_db_time(datetime.now(UTC))}');\nCOMMIT;"  # noqa: TID251 (when a migration ran: the wall clock)
                )
                applied.append(version)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception.

        Nested in another transaction of the same task, it joins it: a service can wrap
        several repository writes (and their audit entry) into one commit.
        """
        if _in_transaction.get() is self:
            yield self.conn
            return
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            marker = _in_transaction.set(self)
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            finally:
                _in_transaction.reset(marker)
            await self.conn.execute("COMMIT")

    def _for_reading(self) -> aiosqlite.Connection:
        return self.conn if _in_transaction.get() is self else self.reader

    # One round trip to the connection's thread each (execute + fetch + close would be
    # three): on the delivery path every round trip is measurable.
    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        rows = await self._for_reading().execute_fetchall(sql, tuple(params))
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self._for_reading().execute_fetchall(sql, tuple(params)))

    async def write(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One statement as its own transaction (autocommit), in one round trip; returns
        the number of rows it changed."""
        if _in_transaction.get() is self:
            cursor = await self.conn.execute(sql, tuple(params))
            return cursor.rowcount
        async with self._lock:
            cursor = await self.conn.execute(sql, tuple(params))
            return cursor.rowcount

    async def write_inline(self, sql: str, params: Iterable[Any] = ()) -> int:
        """``write()``, done on the event loop's own thread when nothing else is writing.

        A round trip to the writer's thread waits for the GIL and for two turns of a busy
        event loop, far longer than a small write takes; a caller that must wait for its
        commit (the delivery engine, after every send) loses that time many times over.
        Here the statement runs on a second connection of this thread, which never waits
        for a lock: when the writer (or another process) is writing, SQLite answers BUSY
        at once and it is ``write()`` after all, as it is in a transaction or for a
        database in memory. One statement is atomic, so it cannot land inside another
        transaction. That connection leaves checkpoints to the writer, so a checkpoint
        never stalls the loop.
        """
        cursor = self._try_inline(sql, params)
        return cursor.rowcount if cursor is not None else await self.write(sql, params)

    async def write_returning(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """One statement with a RETURNING clause as its own transaction; returns the rows
        it names. Inline like ``write_inline`` when it can be, else one round trip."""
        cursor = self._try_inline(sql, params)
        if cursor is not None:
            return cursor.fetchall()
        if _in_transaction.get() is self:
            return list(await self.conn.execute_fetchall(sql, tuple(params)))
        async with self._lock:
            return list(await self.conn.execute_fetchall(sql, tuple(params)))

    async def fetchone_inline(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        """``fetchone()`` on the loop's own connection (see ``write_inline``), without a
        round trip to a thread: for point reads only, one row by a primary key or a unique
        index (a member by Telegram id, a unit by id, a member's check-in of a day…).

        Such a read is a few B-tree pages already in SQLite's page cache, some microseconds,
        less than the hop it saves (a future, a thread switch, two turns of the loop); a
        scan or a roll-up could hold the loop for milliseconds and stays on the thread.
        In WAL mode a reader never waits for the writer, so it does not block the loop
        either; it sees what is committed, so a task reads its own committed writes. In a
        transaction it is the writer's read (that transaction's own rows), and when SQLite
        answers BUSY (WAL recovery by another connection) it is ``fetchone()`` after all.
        """
        cursor = self._try_inline(sql, params, write=False)
        if cursor is None:
            return await self.fetchone(sql, params)
        # Read to the end, so the statement's read transaction closes at once.
        return next(iter(cursor.fetchall()), None)

    async def write_batch_inline(
        self, batch: Iterable[tuple[str, Sequence[Sequence[Any]]]]
    ) -> None:
        """One transaction of an ``executemany`` per (statement, rows), on the loop's own
        connection when nothing else is writing (see ``write_inline``), else in
        ``transaction()`` on the writer's thread: a hop per statement there. The rows of
        a batch are few and short (a person's draft and conversation state), so the loop
        holds them less long than the hops would take."""
        batch = list(batch)
        if self._try_inline_batch(batch):
            return
        async with self.transaction() as conn:
            for sql, rows in batch:
                await conn.executemany(sql, rows)

    def _try_inline_batch(self, batch: list[tuple[str, Sequence[Sequence[Any]]]]) -> bool:
        """The batch committed on the loop's own connection, or False: the writer must."""
        inline = self._inline_connection()
        if inline is None:
            return False
        try:
            inline.execute("BEGIN IMMEDIATE")  # BUSY at once while anyone else writes
            for sql, rows in batch:
                inline.executemany(sql, rows)
            inline.execute("COMMIT")
        except BaseException as exc:
            if inline.in_transaction:
                inline.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and _busy(exc):
                return False
            raise
        self._wrote_inline()
        return True

    def _inline_connection(self) -> sqlite3.Connection | None:
        """The loop's own connection, or None where only the writer may run it."""
        if _in_transaction.get() is self or self.path == ":memory:":
            return None
        if self._inline is None:
            inline = sqlite3.connect(self.path, isolation_level=None)
            inline.row_factory = sqlite3.Row
            inline.execute("PRAGMA foreign_keys=ON")
            inline.execute("PRAGMA synchronous=NORMAL")
            inline.execute("PRAGMA busy_timeout=0")
            inline.execute("PRAGMA wal_autocheckpoint=0")
            inline.execute(_SECURE_DELETE)
            self._inline = inline
        return self._inline

    def _try_inline(
        self, sql: str, params: Iterable[Any], *, write: bool = True
    ) -> sqlite3.Cursor | None:
        """The statement run on the loop's own connection, or None: the writer must."""
        inline = self._inline_connection()
        if inline is None:
            return None
        try:
            cursor = inline.execute(sql, tuple(params))
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
            return None
        if write:
            self._wrote_inline()
        return cursor

    def _wrote_inline(self) -> None:
        self._inline_writes += 1
        if self._inline_writes % _CHECKPOINT_EVERY == 0 and (
            self._checkpoint is None or self._checkpoint.done()
        ):
            self._checkpoint = asyncio.create_task(self._checkpoint_wal())

    async def truncate_wal(self) -> bool:
        """Copy the write-ahead log into the database and empty it, so page images from
        before an erasure are not left in the -wal file; False if a reader (maybe in
        another process) kept part of it, for now."""
        if self.path == ":memory:":
            return True
        async with self._lock:
            rows = await self.conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
        busy = next(iter(rows))[0]
        return not busy

    async def _checkpoint_wal(self) -> None:
        """What SQLite's automatic checkpoint would do after the inline writes, in the
        writer's thread: copy the write-ahead log back into the database file."""
        async with self._lock:
            # Failing (e.g. while closing) loses nothing: the next checkpoint catches up.
            with contextlib.suppress(sqlite3.Error):
                await self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
