"""The database: migrations recorded, WAL and foreign keys on, newer schemas refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import SchemaTooNewError, SqliteDatabase
from storage.db import latest_version, migrations


async def test_migrations_are_applied_once_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    db = await SqliteDatabase.open(path)
    assert await db.schema_version() == latest_version()
    assert await db.migrate() == []
    journal = await db.fetchone("PRAGMA journal_mode")
    async with db.transaction() as conn, conn.execute("PRAGMA foreign_keys") as cursor:
        keys = await cursor.fetchone()
    assert journal is not None and journal[0] == "wal"
    assert keys is not None and keys[0] == 1
    await db.close()
    reopened = await SqliteDatabase.open(path)
    rows = await reopened.fetchall("SELECT version, name FROM schema_version")
    assert [(r["version"], r["name"]) for r in rows] == [(v, n) for v, n, _ in migrations()]
    await reopened.close()


async def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    db = await SqliteDatabase.open(path)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'future', 'x')"
        )
    await db.close()
    with pytest.raises(SchemaTooNewError, match="schema version 999"):
        await SqliteDatabase.open(path)


async def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    db = await SqliteDatabase.open(tmp_path / "t.db")
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO units (code, name, path, depth, created_at, updated_at)"
                " VALUES ('A', 'A', '/1/', 0, 'x', 'x')"
            )
            raise RuntimeError("boom")
    assert await db.fetchall("SELECT * FROM units") == []
    await db.close()
