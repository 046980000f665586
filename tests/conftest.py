"""Shared fixtures: a fresh database, a fake clock, and the services over them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.config import Settings, load_settings
from bot.kit.clock import FakeClock
from bot.services import Services
from storage import Storage

ADMIN_ID = 900_000_001


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's MUSTER_* variables."""
    import os

    for key in list(os.environ):
        if key.startswith("MUSTER_"):
            monkeypatch.delenv(key)


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What went to an aiosqlite connection's thread since the fixture began: every
    aiosqlite call is one ``Connection._execute`` (a future, a queue, a wake-up)."""
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


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai", "admins": [ADMIN_ID]},
        storage={"database": tmp_path / "muster.db"},
        telegram={"bot_username": "muster_test_bot"},
    )


@pytest.fixture
async def storage(settings: Settings) -> AsyncIterator[Storage]:
    opened = await Storage.open(settings.storage.database)
    yield opened
    await opened.close()


@pytest.fixture
def services(settings: Settings, storage: Storage, clock: FakeClock) -> Services:
    return Services.build(settings, storage, clock)
