"""The statement census (issue #20): every distinct SQL text the application executes,
recorded while the SQLite suite runs, then prepared on a real PostgreSQL 16.

Record (a pytest plugin, only on demand)::

    .venv/bin/python -m pytest -p tests.tools.sql_census --sql-census=census.json tests/

Check (starts a throwaway PostgreSQL with pgserver, or uses ``--url``)::

    .venv/bin/python -m tests.tools.sql_census census.json [--schema FILE] [--url URL]

Recording wraps ``storage.db.Database``'s statement methods and aiosqlite's connection
methods (the connection ``transaction()`` yields, and anything else on aiosqlite), keeping
a statement where application code (not storage/db.py's own pragmas, migrations and
transaction control, not a test's own SQL) ran it, with where and the Python types of its
parameters. Checking prepares each (``?``/``?NNN`` → ``$n``) against the PostgreSQL schema,
``storage/migrations/postgresql/``'s files in order (0035's baseline, then each twin), or,
until they exist, one read off a
migrated SQLite database (tables, unique indexes and views; good enough to prepare
against, nothing more). It lists the statements PostgreSQL refuses, with its error; those
whose parameters PostgreSQL types differently from what the suite passed (asyncpg refuses
a str for an integer, an int for text); and those with a numeric result column (asyncpg
reads it as a Decimal, where SQLite gave an int or a float).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import hashlib
import importlib
import json
import re
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from storage.dialect import POSTGRESQL, SQLITE, Dialect, dollar_placeholders

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "storage" / "migrations" / "postgresql" / "0035_baseline.sql"
_OWN = {str(Path(__file__).resolve()), str(ROOT / "storage" / "db.py")}
# Helpers that run a repository's statement for it: the repository is the origin.
_HELPERS = {str(ROOT / "storage" / "returning.py")}
# What a parameter is to a driver: enums are their str or int.
_BASES = (bool, int, float, str, bytes)
_APP = ("app", "bot", "handlers", "storage", "fakeapi", "bench")


# ------------------------------------------------------------------------- recording


class _Census:
    def __init__(self) -> None:
        self.statements: dict[str, dict[str, Any]] = {}

    def record(self, sql: str, params: Any, *, many: bool = False) -> None:
        origin = _origin()
        if origin is None:
            return
        entry = self.statements.setdefault(
            sql, {"sql": sql, "count": 0, "origins": [], "types": []}
        )
        entry["count"] += 1
        if origin not in entry["origins"] and len(entry["origins"]) < 3:
            entry["origins"].append(origin)
        rows = params if many else [params]
        if entry["count"] > 50:  # the types are known by then; keep the suite's pace
            return
        for row in rows:
            if not isinstance(row, list | tuple):
                continue
            types: list[list[str]] = entry["types"]
            while len(types) < len(row):
                types.append([])
            for seen, value in zip(types, row, strict=False):
                name = next((b.__name__ for b in _BASES if isinstance(value, b)), None)
                name = name or type(value).__name__
                if name not in seen:
                    seen.append(name)
            break  # one row of an executemany says enough

    def dump(self, path: Path) -> None:
        ordered = sorted(self.statements.values(), key=lambda e: e["origins"][0])
        path.write_text(json.dumps(ordered, indent=1, ensure_ascii=False), encoding="utf-8")


def _origin() -> str | None:
    """Where application code ran the statement (file:line), or None: storage/db.py's
    own statement (its wrapper records the caller's), or a test's own SQL."""
    frame = sys._getframe(3)  # record ← wrapper ← the caller of the wrapped method
    if frame.f_code.co_filename in _OWN:
        return None
    while frame is not None:
        name = frame.f_code.co_filename
        skipped = name in _OWN or name in _HELPERS or "aiosqlite" in name
        if not skipped and not name.startswith((sys.prefix, sys.base_prefix)):
            break
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return None
    try:
        where = Path(frame.f_code.co_filename).resolve().relative_to(ROOT)
    except ValueError:
        return None
    if where.parts[0] not in _APP:
        return None
    return f"{where}:{frame.f_lineno}"


def _wrap(census: _Census, owner: type, name: str, *, many: bool = False) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(self: Any, sql: str, params: Any = (), *args: Any, **kwargs: Any) -> Any:
        if many:  # rows may come as a generator: read once, for both
            params = list(params)
        census.record(sql, params, many=many)
        return original(self, sql, params, *args, **kwargs)

    setattr(owner, name, wrapper)


def _wrap_batch(census: _Census, owner: type, name: str) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(self: Any, batch: Iterable[tuple[str, Any]]) -> Any:
        batch = list(batch)
        batch = [(sql, list(rows)) for sql, rows in batch]
        for sql, rows in batch:
            census.record(sql, rows, many=True)
        return original(self, batch)

    setattr(owner, name, wrapper)


# While recording, the database's dialect writes each fragment as SQLite's text marked
# with PostgreSQL's in a comment before it (SQLite skips comments), so the check prepares
# what the PostgreSQL store would run: ``/*pg:TAG:HEX*/sqlite text/*lite:TAG*/``.
_MARK = re.compile(r"/\*pg:(\w+):([0-9a-f]*)\*/.*?/\*lite:\1\*/", re.S)


def _marked(pg: str, lite: str) -> str:
    tag = hashlib.sha1(f"{pg}\0{lite}".encode()).hexdigest()[:10]
    return f"/*pg:{tag}:{pg.encode().hex()}*/{lite}/*lite:{tag}*/"


def postgresql_text(sql: str) -> str:
    """The statement as the PostgreSQL dialect writes it, from a recorded one."""
    return _MARK.sub(lambda m: postgresql_text(bytes.fromhex(m.group(2)).decode("utf-8")), sql)


class _CensusDialect(Dialect):
    """SQLite's fragments, each marked with PostgreSQL's (see ``_MARK``)."""

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("_") or name in ("name", "postgresql"):
            # Its own class and fields: never equal to SQLITE (a cache keyed by dialect).
            return object.__getattribute__(self, name)
        lite, pg = getattr(SQLITE, name), getattr(POSTGRESQL, name)
        if isinstance(lite, str):  # a property
            return _marked(pg, lite)

        def fragment(*args: Any) -> Any:
            a, b = pg(*args), lite(*args)
            if isinstance(b, tuple):  # json_rows: a FROM item and its expressions
                items = [_marked(x, y) for x, y in zip(a[1], b[1], strict=True)]
                return (_marked(a[0], b[0]), items)
            return _marked(a, b)

        return fragment


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--sql-census",
        metavar="PATH",
        default=None,
        help="record every distinct SQL statement the application runs into PATH (JSON)",
    )


_CENSUS: list[_Census] = []


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("--sql-census"):
        return
    import aiosqlite

    from storage.db import SqliteDatabase as Database

    census = _Census()
    _CENSUS.append(census)
    Database.dialect = _CensusDialect("sqlite")
    for name in ("fetchone", "fetchall", "write", "write_inline", "write_returning"):
        _wrap(census, Database, name)
    _wrap(census, Database, "fetchone_inline")
    _wrap_batch(census, Database, "write_batch_inline")
    for name in ("execute", "execute_fetchall", "execute_insert"):
        _wrap(census, aiosqlite.Connection, name)
    _wrap(census, aiosqlite.Connection, "executemany", many=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    path = config.getoption("--sql-census")
    if path and _CENSUS:
        _CENSUS[0].dump(Path(path))


# -------------------------------------------------------------------------- checking

# What asyncpg accepts for a parameter of each PostgreSQL type, by Python type name.
_ACCEPTS = {
    "int2": {"int", "bool"},
    "int4": {"int", "bool"},
    "int8": {"int", "bool"},
    "float8": {"int", "float"},
    "float4": {"int", "float"},
    "numeric": {"int", "float", "Decimal"},
    "text": {"str"},
    "varchar": {"str"},
    "bpchar": {"str"},
    "bool": {"bool"},
    "jsonb": {"str"},
    "json": {"str"},
    "bytea": {"bytes"},
}


def _sqlite_schema() -> str:
    """A PostgreSQL schema read off a migrated SQLite database: columns with their
    types, primary keys, unique indexes (ON CONFLICT needs them), views. Only for
    preparing statements against until the real baseline exists."""
    import sqlite3

    from storage.db import migrations

    lite = sqlite3.connect(":memory:")
    for _version, _name, script in migrations():
        lite.executescript(script)
    kinds = {"INTEGER": "BIGINT", "REAL": "DOUBLE PRECISION", "BLOB": "BYTEA", "": "TEXT"}
    out: list[str] = []
    tables = [
        r[0]
        for r in lite.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        columns = lite.execute(f"PRAGMA table_info({table})").fetchall()
        keys = [c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]]
        parts = []
        for _cid, col, declared, _notnull, _default, pk in columns:
            kind = kinds.get(declared.upper(), declared.upper() or "TEXT")
            if pk and len(keys) == 1 and kind == "BIGINT":
                kind = "BIGSERIAL"
            parts.append(f'"{col}" {kind}')
        if keys:
            parts.append("PRIMARY KEY (" + ", ".join(f'"{k}"' for k in keys) + ")")
        out.append(f'CREATE TABLE "{table}" ({", ".join(parts)});')
    for (sql,) in lite.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql LIKE 'CREATE UNIQUE%'"
    ):
        out.append(sql.replace("COLLATE NOCASE", "") + ";")
    for (sql,) in lite.execute("SELECT sql FROM sqlite_master WHERE type = 'view'"):
        out.append(sql + ";")
    return "\n".join(out)


async def _apply_schema(conn: Any, schema: str | None) -> list[str]:
    """The schema applied; the fallback's statements one by one, so one SQLite-only
    view costs only itself (its failure is reported)."""
    if schema is not None:
        await conn.execute(schema)
        return []
    problems = []
    for statement in _sqlite_schema().split(";\n"):
        try:
            await conn.execute(statement)
        except Exception as exc:
            problems.append(f"schema (read off SQLite): {exc}: {statement[:200]}")
    return problems


async def check(census: list[dict[str, Any]], url: str, schema: str | None) -> dict[str, Any]:
    asyncpg = importlib.import_module("asyncpg")  # untyped: Any, whoever adds its stubs
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA IF EXISTS census CASCADE; CREATE SCHEMA census")
        await conn.execute("SET search_path TO census")
        schema_problems = await _apply_schema(conn, schema)
        failing, mistyped, numeric = [], [], []
        # The working tables a statement made (the register's staging) first, as it did.
        made = [e for e in census if e["sql"].lstrip().upper().startswith("CREATE ")]
        for entry in made:
            sql = dollar_placeholders(postgresql_text(entry["sql"]))
            try:
                await conn.execute(sql)
            except asyncpg.PostgresError as exc:
                failing.append({**entry, "sql": sql, "error": f"{type(exc).__name__}: {exc}"})
        for entry in census:
            sql = dollar_placeholders(postgresql_text(entry["sql"]))
            if entry in made or sql.lstrip().upper().startswith("DROP "):
                continue
            try:
                prepared = await conn.prepare(sql)
            except asyncpg.PostgresError as exc:
                failing.append({**entry, "sql": sql, "error": f"{type(exc).__name__}: {exc}"})
                continue
            wanted = [p.name for p in prepared.get_parameters()]
            for n, (kind, seen) in enumerate(zip(wanted, entry["types"], strict=False), 1):
                passed = set(seen) - {"NoneType"}
                accepted = _ACCEPTS.get(kind)
                if accepted is not None and passed - accepted:
                    problem = f"${n} is {kind}, given {sorted(passed)}"
                    mistyped.append({**entry, "sql": sql, "error": problem})
            for attribute in prepared.get_attributes():
                if attribute.type.name == "numeric":
                    problem = f"column {attribute.name} is numeric"
                    numeric.append({**entry, "sql": sql, "error": problem})
        return {
            "statements": len(census),
            "schema": schema_problems,
            "failing": failing,
            "mistyped": mistyped,
            "numeric": numeric,
        }
    finally:
        await conn.close()


def _report(result: dict[str, Any], out: Callable[[str], None]) -> None:
    for problem in result["schema"]:
        out(problem)
    for title in ("failing", "mistyped", "numeric"):
        out(f"\n== {title}: {len(result[title])}")
        for entry in result[title]:
            out(f"- {', '.join(entry['origins'])}\n  {entry['error']}\n  {entry['sql']}")
    out(
        f"\n{result['statements']} statements: {len(result['failing'])} refused,"
        f" {len(result['mistyped'])} parameter types to check,"
        f" {len(result['numeric'])} numeric results"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.tools.sql_census")
    parser.add_argument("census", type=Path, help="the JSON file --sql-census wrote")
    parser.add_argument(
        "--schema", type=Path, help=f"default: {BASELINE.parent.relative_to(ROOT)}/*.sql"
    )
    parser.add_argument("--url", help="a PostgreSQL to use (default: a pgserver of its own)")
    args = parser.parse_args(argv)
    census = json.loads(args.census.read_text(encoding="utf-8"))
    # The baseline and every later twin, in order, as a PostgreSQL store is migrated.
    files = [args.schema] if args.schema else sorted(BASELINE.parent.glob("[0-9]*.sql"))
    schema = "\n".join(f.read_text(encoding="utf-8") for f in files) if files else None
    if schema is None:
        print(f"{BASELINE.relative_to(ROOT)} is missing: a schema read off SQLite's")
    if args.url:
        result = asyncio.run(check(census, args.url, schema))
    else:
        pgserver = importlib.import_module("pgserver")
        with tempfile.TemporaryDirectory() as tmp:
            server = pgserver.get_server(tmp, cleanup_mode="stop")
            try:
                result = asyncio.run(check(census, server.get_uri(), schema))
            finally:
                server.cleanup()
    _report(result, print)
    return 1 if result["failing"] or result["mistyped"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
