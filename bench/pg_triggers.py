"""What the triggers cost the hot writes on each store (issue #20): SQLite through its
migrations, PostgreSQL through storage/migrations/postgresql/ (a pgserver it starts, or the
server MUSTER_BENCH_POSTGRES_URL names). Each round makes a fresh database per store and
side, A with the user triggers off (dropped on SQLite, disabled on PostgreSQL; foreign keys
stay checked), B with them, alternating A B; medians, and the median of per-round B / A.

The writes, the same statements on both stores (``?`` numbered for PostgreSQL): a directive
materialised for N members (its recipients and its outbox rows, one transaction, as
``DirectiveRepository.materialise``), then K deliveries marked sent, K acknowledgements and
K check-ins saved with figures (the upsert of storage/checkins.py), each statement its own
transaction, as the delivery engine and the presses write them. SQLite runs as the app runs
it (WAL, synchronous=NORMAL); PostgreSQL with pgserver's defaults (a commit waits for its
WAL flush), so compare each store's B with its own A.

    flock /work/bench.lock .venv/bin/python -m bench.pg_triggers [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sqlite3
import statistics
import tempfile
import time
import uuid
import warnings
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from storage.db import migrations

STAMP = "2026-03-01T08:00:00.000000Z"
MATERIALISE = [
    "INSERT INTO directive_recipients (directive_id, member_id, unit_id)"
    " SELECT 1, id, unit_id FROM members WHERE active = 1",
    "INSERT INTO outbox (kind, chat_id, member_id, directive_id, priority, next_attempt_at,"
    " created_at) SELECT 'directive', m.telegram_id, m.id, r.directive_id, 5, ?, ?"
    " FROM directive_recipients r JOIN members m ON m.id = r.member_id"
    " WHERE r.directive_id = 1 ORDER BY m.id",
]
SENT = "UPDATE outbox SET status = 'sent', message_id = ?, sent_at = ? WHERE id = ?"
ACKED = "UPDATE directive_recipients SET acked_at = ? WHERE directive_id = 1 AND member_id = ?"
SAVE = (
    "INSERT INTO checkins (member_id, unit_id, day, answers, excused, flagged, created_at,"
    " updated_at, figures) VALUES (?, ?, '2026-03-01', '{}', 0, 0, ?, ?, ?)"
    " ON CONFLICT (member_id, day) DO UPDATE SET unit_id = excluded.unit_id,"
    " answers = excluded.answers, excused = excluded.excused, flagged = excluded.flagged,"
    " updated_at = excluded.updated_at, figures = excluded.figures"
)
FIGURES = '[["temp", "", {}, 0], ["mood", "good", null, 0]]'
PARTS = ("materialise N", "K sent", "K acknowledged", "K check-ins")


def setup_rows(n: int) -> list[tuple[str, Sequence[Any]]]:
    rows: list[tuple[str, Sequence[Any]]] = [
        (
            "INSERT INTO units (id, code, name, parent_id, path, depth, created_at,"
            " updated_at) VALUES (?, ?, 'U', ?, ?, ?, 'x', 'x')",
            (i, f"u{i}", None if i == 1 else 1, "/1/" if i == 1 else f"/1/{i}/", int(i > 1)),
        )
        for i in range(1, 102)
    ]
    rows += [
        (
            "INSERT INTO members (id, telegram_id, display_name, unit_id, active, joined_at,"
            " updated_at) VALUES (?, ?, 'M', ?, 1, 'x', 'x')",
            (i, 10_000 + i, 2 + i % 100),
        )
        for i in range(1, n + 1)
    ]
    rows.append(
        (
            "INSERT INTO directives (id, author_telegram_id, from_unit_id, text, ack_required,"
            " send_at, status, created_at) VALUES (1, 1, 1, 'Go', 1, 'x', 'sending', 'x')",
            (),
        )
    )
    return rows


def workload(k: int) -> list[list[tuple[str, Sequence[Any]]]]:
    """The four parts' statements; the first part is one transaction."""
    return [
        [(MATERIALISE[0], ()), (MATERIALISE[1], (STAMP, STAMP))],
        [(SENT, (i, STAMP, i)) for i in range(1, k + 1)],
        [(ACKED, (STAMP, i)) for i in range(1, k + 1)],
        [
            (SAVE, (i, 2 + i % 100, STAMP, STAMP, FIGURES.format(36 + i % 3)))
            for i in range(1, k + 1)
        ],
    ]


def numbered(sql: str) -> str:
    count = iter(range(1, sql.count("?") + 1))
    return re.sub(r"\?", lambda _: f"${next(count)}", sql)


def run_sqlite(folder: Path, n: int, k: int, triggers: bool) -> list[float]:
    path = folder / f"{uuid.uuid4().hex}.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    for _, _, sql in migrations():
        conn.executescript(sql)
    if not triggers:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            conn.execute(f"DROP TRIGGER {name}")
    conn.execute("BEGIN")
    for sql, params in setup_rows(n):
        conn.execute(sql, params)
    conn.execute("COMMIT")
    times = []
    for i, part in enumerate(workload(k)):
        start = time.perf_counter()
        if i == 0:
            conn.execute("BEGIN")
        for sql, params in part:
            conn.execute(sql, params)
        if i == 0:
            conn.execute("COMMIT")
        times.append(time.perf_counter() - start)
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return times


async def run_postgres(server: str, n: int, k: int, triggers: bool) -> list[float]:
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    conn = await asyncpg.connect(urlunsplit(urlsplit(server)._replace(path="/" + name)))
    try:
        folder = resources.files("storage.migrations") / "postgresql"
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".sql"):
                await conn.execute(entry.read_text(encoding="utf-8"))
        if not triggers:
            await conn.execute(
                "DO $$ DECLARE t record; BEGIN FOR t IN SELECT tablename FROM pg_tables"
                " WHERE schemaname = 'public' LOOP EXECUTE format("
                "'ALTER TABLE %I DISABLE TRIGGER USER', t.tablename); END LOOP; END $$"
            )
        async with conn.transaction():
            for sql, params in setup_rows(n):
                await conn.execute(numbered(sql), *params)
        await conn.execute("SELECT sync_ids()")
        times = []
        for i, part in enumerate(workload(k)):
            start = time.perf_counter()
            if i == 0:
                async with conn.transaction():
                    for sql, params in part:
                        await conn.execute(numbered(sql), *params)
            else:
                statement = await conn.prepare(numbered(part[0][0]))
                for _, params in part:
                    await statement.fetch(*params)
            times.append(time.perf_counter() - start)
        return times
    finally:
        await conn.close()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


def postgres() -> tuple[str, Any]:
    given = os.environ.get("MUSTER_BENCH_POSTGRES_URL")
    if given:
        return given, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import get_server

        server = get_server(tempfile.mkdtemp(prefix="muster-bench-pg-"), cleanup_mode="delete")
    return server.get_uri(), server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows, 1 round")
    args = parser.parse_args()
    n, k, rounds = (2_000, 200, 1) if args.quick else (20_000, 2_000, 3)
    url, _server = postgres()
    folder = Path(tempfile.mkdtemp(prefix="muster-bench-"))
    got: dict[tuple[str, bool], list[list[float]]] = {}
    for _ in range(rounds):
        for triggers in (False, True):
            got.setdefault(("SQLite", triggers), []).append(run_sqlite(folder, n, k, triggers))
            got.setdefault(("PostgreSQL", triggers), []).append(
                asyncio.run(run_postgres(url, n, k, triggers))
            )
    folder.rmdir()
    print(f"N = {n:,} members, K = {k:,}, {rounds} round(s), A B alternating")
    print("| write | store | A: triggers off | B: triggers on | B / A |")
    print("|---|---|---:|---:|---:|")
    for p, part in enumerate(PARTS):
        for store in ("SQLite", "PostgreSQL"):
            a = [r[p] for r in got[(store, False)]]
            b = [r[p] for r in got[(store, True)]]
            ratio = statistics.median(y / x for x, y in zip(a, b, strict=True))
            print(
                f"| {part} | {store} | {statistics.median(a) * 1000:.0f} ms"
                f" | {statistics.median(b) * 1000:.0f} ms | {ratio:.2f}× |"
            )


if __name__ == "__main__":
    main()
