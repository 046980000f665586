from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 23's retry_after type, so PTB does not warn on every 429."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
