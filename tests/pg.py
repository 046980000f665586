"""A PostgreSQL server for the tests, and a fresh database on it per test.

``postgres_url()`` is the server's address: ``MUSTER_TEST_POSTGRES_URL`` when given (a real
server; its user needs CREATEDB), else a ``pgserver`` (a pip package bundling PostgreSQL)
started once per session in a temporary folder and deleted at exit, so the tests need
nothing but Python.

``clean_database()`` is what a test's store starts from: one database per session,
copied from a template migrated once, and emptied before each test (every table's rows
deleted with triggers off, the id sequences restarted: 0.3 ms, where a new copy of the
template takes 500 ms and migrating an empty one 335 ms; docs/postgresql.md). A test that
changed the schema (dropped a table) gets a new copy. ``fresh_database()`` is a database
of a test's own.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import os
import tempfile
import warnings
from typing import Any
from urllib.parse import urlsplit

import asyncpg

ENV_URL = "MUSTER_TEST_POSTGRES_URL"
# Read at import: the tests' autouse fixture removes every MUSTER_* variable.
_GIVEN_URL = os.environ.get(ENV_URL)
_PREFIX = f"muster_t{os.getpid()}"
_TEMPLATE = f"{_PREFIX}_template"

_server: Any = None
_template_ready = False
_numbers = itertools.count(1)
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
    """The server's address (its ``postgres`` database), starting ``pgserver`` on first use."""
    global _server
    if _GIVEN_URL:
        return _GIVEN_URL
    if _server is None:
        folder = tempfile.mkdtemp(prefix="muster-pg-")
        with warnings.catch_warnings():
            # platformdirs warns of an unset XDG_RUNTIME_DIR (as root, in CI), harmlessly.
            warnings.simplefilter("ignore")
            from pgserver.postgres_server import get_server

            _server = get_server(folder, cleanup_mode="delete")
        # A throwaway server: durability buys the tests nothing but time.
        for setting in ("fsync = off", "synchronous_commit = off", "full_page_writes = off"):
            _server.psql(f"ALTER SYSTEM SET {setting};")
        _server.psql("SELECT pg_reload_conf();")
    return str(_server.get_uri())


def database_url(name: str) -> str:
    """``postgres_url()`` with another database name."""
    return urlsplit(postgres_url())._replace(path=f"/{name}").geturl()


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
    await _admin(f"CREATE DATABASE {_TEMPLATE}")
    db = await PostgresDatabase.open(database_url(_TEMPLATE), pool_size=1)
    await db.close()
    _template_ready = True
    if _GIVEN_URL:  # a server of the developer's own: leave it as it was
        atexit.register(lambda: asyncio.run(_admin(f"DROP DATABASE IF EXISTS {_TEMPLATE}")))


async def fresh_database(*, empty: bool = False) -> str:
    """The name of a new database holding the migrated schema and nothing else (nothing
    at all when ``empty``)."""
    name = f"{_PREFIX}_{next(_numbers)}"
    if empty:
        await _admin(f"CREATE DATABASE {name}")
        return name
    await _ensure_template()
    await _admin(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
    return name


async def drop_database(name: str) -> None:
    """Gone, with any connection a test left open to it."""
    await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def clean_database() -> str:
    """The session's shared database, holding the migrated schema and no rows (its name)."""
    global _shared, _emptying, _schema
    if _shared is None:
        _shared = await fresh_database()
        conn = await asyncpg.connect(database_url(_shared))
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
    conn = await asyncpg.connect(database_url(_shared))
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
