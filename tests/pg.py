"""A PostgreSQL for the tests (issue #20): the server ``MUSTER_TEST_POSTGRES_URL`` names, or
else one ``pgserver`` (PostgreSQL 16 as a pip package: `make test` needs nothing but Python)
started once per test session in a temporary directory and removed when the session ends.
A test that needs it skips, saying why, only when neither can be had."""

from __future__ import annotations

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
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield database_url(server, name)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
