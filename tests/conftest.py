"""Shared fixtures: a fresh database, a fake clock, and the services over them.

The store is a parameter: every test that uses ``settings``/``storage`` runs on both
stores, SQLite and PostgreSQL (tests/pg.py: a pgserver, or ``MUSTER_TEST_POSTGRES_URL``);
``MUSTER_TEST_STORES=sqlite`` (or ``postgresql``) picks one. Tests that touch no store run
once.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.config import Settings, load_settings
from bot.kit.clock import FakeClock
from bot.services import Services
from storage import Storage
from tests import pg

ADMIN_ID = 900_000_001
STORES_ENV = "MUSTER_TEST_STORES"
# Read at import: _clean_env below removes every MUSTER_* variable from the tests.
STORES = [
    s.strip() for s in os.environ.get(STORES_ENV, "sqlite,postgresql").split(",") if s.strip()
]
if not STORES or (unknown := set(STORES) - {"sqlite", "postgresql"}):
    raise ValueError(f"{STORES_ENV}: sqlite, postgresql or both (got {os.environ[STORES_ENV]!r})")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's MUSTER_* variables."""
    import os

    for key in list(os.environ):
        if key.startswith("MUSTER_"):
            monkeypatch.delenv(key)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: reads SQLite's file or connections; skipped on PostgreSQL"
    )


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch, store: str) -> list[str]:
    """What went to an aiosqlite connection's thread since the fixture began: every
    aiosqlite call is one ``Connection._execute`` (a future, a queue, a wake-up)."""
    if store != "sqlite":
        pytest.skip("counts SQLite's thread hops")
    seen: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Callable[..., Any], *args: Any) -> Any:
        seen.append(str(args[0]) if args else getattr(fn, "__name__", "?"))
        return await original(self, fn, *args)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return seen


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# One store: no parameter, so the tests keep their names; several: each test per store.
@pytest.fixture(params=STORES if len(STORES) > 1 else None)
def store(request: pytest.FixtureRequest) -> str:
    """The store the test runs on: "sqlite" or "postgresql"."""
    chosen = str(getattr(request, "param", STORES[0]))
    if chosen != "sqlite" and request.node.get_closest_marker("sqlite_only"):
        pytest.skip("SQLite only")
    return chosen


@pytest.fixture
async def clean_postgres_database() -> str:
    """The session's PostgreSQL database of the migrated schema, emptied (its address)."""
    return await pg.clean_database()


@pytest.fixture
async def empty_postgres_database() -> AsyncIterator[str]:
    """A new PostgreSQL database with nothing in it (its address), dropped after."""
    url = await pg.fresh_database(empty=True)
    yield url
    await pg.drop_database(url)


@pytest.fixture
def store_settings(store: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """The ``storage`` section for the test's store."""
    if store == "postgresql":
        return {"url": request.getfixturevalue("clean_postgres_database")}
    return {"database": tmp_path / "muster.db"}


def store_env(settings: Settings) -> tuple[str, str]:
    """The environment variable and value that point the CLI at the test's store."""
    if settings.storage.url:
        return "MUSTER_STORAGE__URL", settings.storage.url
    return "MUSTER_STORAGE__DATABASE", str(settings.storage.database)


@pytest.fixture
def settings(store_settings: dict[str, Any]) -> Settings:
    return load_settings(
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai", "admins": [ADMIN_ID]},
        storage=store_settings,
        telegram={"bot_username": "muster_test_bot"},
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's migrated SQLite file: each test's ``storage`` starts from a copy
    (migrating a new file for each test took two to three times as long as copying one)."""
    path = tmp_path_factory.mktemp("template") / "muster.db"
    asyncio.run(_migrated(path))
    return path


async def _migrated(path: Path) -> None:
    await (await Storage.open(path)).close()


def _from_template(target: str | Path, template: Path) -> None:
    if isinstance(target, Path) and not target.exists():
        shutil.copyfile(template, target)


@pytest.fixture
async def storage(settings: Settings, sqlite_template: Path) -> AsyncIterator[Storage]:
    target = settings.storage.target
    _from_template(target, sqlite_template)
    opened = await Storage.open(target)
    yield opened
    await opened.close()


@pytest.fixture
def services(settings: Settings, storage: Storage, clock: FakeClock) -> Services:
    return Services.build(settings, storage, clock)
