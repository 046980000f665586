"""PostgreSQL for the benchmarks that compare it with SQLite (issue #20): the server, a
database filled from a bench's SQLite file, and the CPU its server processes used.

The server is ``--postgres URL`` when given, else ``MUSTER_BENCH_POSTGRES_URL``, else a
pgserver (PostgreSQL 16 as a pip package) started in a temporary directory, with its
defaults (``bench.pg_triggers.postgres``): a commit waits for its WAL flush, as a
production server's does.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg

from bench.pg_triggers import postgres
from tests.pg import BYTE_ORDER, database_url

STORES = ("sqlite", "postgresql", "both")


def server(given: str | None) -> tuple[str, Any]:
    """The server's URL (its default database) and what keeps a started one alive. A
    started one is stopped and removed on the way out, a SIGTERM's too."""
    if given:
        return given, None
    signal.signal(signal.SIGTERM, _leave)
    return postgres()


def _leave(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: databases dropped, pgserver's cleanup runs


def stores(choice: str) -> tuple[str, ...]:
    """``--store``'s value as the stores to measure, SQLite first."""
    return ("sqlite", "postgresql") if choice == "both" else (choice,)


async def new_database(server_url: str, prefix: str = "muster_bench") -> str:
    """A new, empty database comparing text byte by byte, as Muster requires: its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" {BYTE_ORDER}')
    finally:
        await admin.close()
    return database_url(server_url, name)


async def drop_database(server_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[-1].split("?", 1)[0]
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def copy_from_sqlite(source: Path, server_url: str) -> tuple[str, float]:
    """A new database holding ``source``'s rows (migrated, then each table one binary
    COPY, as ``bench.dbcopy``'s floor does), vacuumed and analysed as autovacuum would
    leave it: its URL and the seconds it took."""
    from bench.dbcopy import plain_copy  # which builds on bench.summary, which uses this

    started = time.perf_counter()
    url = await new_database(server_url)
    await plain_copy(source, url)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return url, time.perf_counter() - started


async def server_pids(url: str) -> list[int]:
    """The server's processes: the postmaster (from ``pg_postmaster_pid``, or
    ``data_directory``'s ``postmaster.pid``) and its children. Empty when it is not on
    this machine."""
    conn = await asyncpg.connect(url)
    try:
        data = await conn.fetchval("SHOW data_directory")
    finally:
        await conn.close()
    return tree_of(Path(data))


def tree_of(data: Path) -> list[int]:
    """The postmaster of the server in ``data`` and its children's process ids."""
    try:
        postmaster = int((data / "postmaster.pid").read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return []
    children = Path(f"/proc/{postmaster}/task/{postmaster}/children")
    try:
        return [postmaster, *map(int, children.read_text(encoding="utf-8").split())]
    except OSError:
        return []


def process_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) process ``pid`` has used, 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerCpu:
    """The CPU the server's processes use between :meth:`start` and :meth:`stop`.

    Backends come and go with connections, so the children are listed again at the end
    and a backend that exited between the two reads is not counted (each measured phase
    keeps its connections open from start to end, so none does)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._before: dict[int, float] = {}

    async def start(self) -> None:
        self._before = {pid: process_cpu(pid) for pid in await server_pids(self.url)}

    async def stop(self) -> float:
        return sum(
            process_cpu(pid) - self._before.get(pid, 0.0) for pid in await server_pids(self.url)
        )
