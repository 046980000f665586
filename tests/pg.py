"""A PostgreSQL for the tests (issue #20): the server ``MUSTER_TEST_POSTGRES_URL`` names, or
else one ``pgserver`` (PostgreSQL 16 as a pip package: `make test` needs nothing but Python)
started once per test session in a temporary directory and removed when the session ends.
A test that needs it skips, saying why, only when neither can be had.

Databases on it:

- ``clean_database()`` is what a test's store starts from (the ``store`` parameter of
  tests/conftest.py): one database per session, copied from a template migrated once, and
  emptied before each test (every table's rows deleted with triggers off, the id sequences
  restarted: 0.3 ms, where a new copy of the template takes 500 ms and migrating an empty
  one 335 ms; docs/benchmarks.md). A test that changed the schema (dropped a table) gets a
  new copy.
- ``fresh_database()``: a migrated database of a test's own; ``scratch_database()``: an
  empty one, for one block.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import os
import tempfile
import uuid
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

# Read at import: tests/conftest.py's autouse fixture hides every MUSTER_* variable from
# the tests themselves.
GIVEN_URL = os.environ.get("MUSTER_TEST_POSTGRES_URL")

_started: dict[str, Any] = {}  # "server" (kept alive for the session) and "url", or "failure"
# Names unique to this session, so sessions can share a server of the developer's own.
_PREFIX = f"muster_t{os.getpid()}"
_TEMPLATE = f"{_PREFIX}_template"
_numbers = itertools.count(1)
_template_ready = False
# The shared database, the statement that empties it, and its schema's fingerprint.
_shared: str | None = None
_emptying = ""
_schema = ""
_FINGERPRINT = (
    "SELECT md5(string_agg(c.relname || ':' || c.relkind::text, ',' ORDER BY c.relname))"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = 'public'"
)


def postgres_url() -> str:
    """The server's URL (its default database); skips the calling test without one."""
    if GIVEN_URL:
        return GIVEN_URL
    if not _started:
        try:
            with warnings.catch_warnings():  # platformdirs: no XDG_RUNTIME_DIR in CI
                warnings.simplefilter("ignore")
                from pgserver.postgres_server import get_server

                server = get_server(tempfile.mkdtemp(prefix="muster-pg-"), cleanup_mode="delete")
            # A throwaway server: durability buys the tests nothing but time.
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                server.psql(f"ALTER SYSTEM SET {setting} = off;")
            server.psql("SELECT pg_reload_conf();")
            _started.update(server=server, url=server.get_uri())
        except Exception as exc:  # any reason pgserver cannot run here is a reason to skip
            _started["failure"] = f"no PostgreSQL: pgserver could not start one ({exc})"
    if "failure" in _started:
        pytest.skip(_started["failure"])
    return str(_started["url"])


def database_url(url: str, database: str) -> str:
    """``url`` with its database replaced (host, user and options kept)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


@asynccontextmanager
async def scratch_database() -> AsyncIterator[str]:
    """A new, empty database on that server for one test, dropped after it: its URL."""
    server = postgres_url()
    name = f"muster_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" {BYTE_ORDER}')
        try:
            yield database_url(server, name)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


# What Muster asks of a database (storage/postgres.py refuses any other collation): a
# server of the developer's own may default to a language's.
BYTE_ORDER = "TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(postgres_url())
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _ensure_template() -> None:
    global _template_ready
    if _template_ready:
        return
    from storage.postgres import PostgresDatabase

    await _admin(f"DROP DATABASE IF EXISTS {_TEMPLATE}")
    await _admin(f"CREATE DATABASE {_TEMPLATE} {BYTE_ORDER}")
    db = await PostgresDatabase.open(database_url(postgres_url(), _TEMPLATE), pool_size=1)
    await db.close()
    _template_ready = True
    if GIVEN_URL:  # a server of the developer's own: leave it as it was
        atexit.register(lambda: asyncio.run(_admin(f"DROP DATABASE IF EXISTS {_TEMPLATE}")))


async def fresh_database(*, empty: bool = False) -> str:
    """The URL of a new database holding the migrated schema and nothing else (nothing at
    all when ``empty``); ``drop_database`` it after."""
    name = f"{_PREFIX}_{next(_numbers)}"
    if empty:
        await _admin(f"CREATE DATABASE {name} {BYTE_ORDER}")
    else:
        await _ensure_template()
        await _admin(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
    return database_url(postgres_url(), name)


async def drop_database(url: str) -> None:
    """Gone, with any connection a test left open to it."""
    name = urlsplit(url).path.strip("/")
    await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def clean_database() -> str:
    """The URL of the session's shared database: the migrated schema and no rows."""
    global _shared, _emptying, _schema
    if _shared is None:
        _shared = await fresh_database()
        conn = await asyncpg.connect(_shared)
        try:
            tables = await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename != 'schema_version'"
            )
            sequences = await conn.fetch(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
            )
            _schema = await conn.fetchval(_FINGERPRINT)
        finally:
            await conn.close()
        # Triggers and foreign keys off (replica role): any order, no counts kept.
        _emptying = (
            "SET lock_timeout = '5s'; SET session_replication_role = replica;"
            + "".join(f"DELETE FROM {r[0]};" for r in tables)
            + "".join(f"SELECT setval('{r[0]}', 1, false);" for r in sequences)
        )
        return _shared
    conn = await asyncpg.connect(_shared)
    try:
        if await conn.fetchval(_FINGERPRINT) == _schema:
            await conn.execute(_emptying)
            return _shared
    except asyncpg.PostgresError:
        pass  # a lock a test left behind: a new copy, below
    finally:
        await conn.close()
    await drop_database(_shared)
    _shared = None
    return await clean_database()
