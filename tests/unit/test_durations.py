"""Durations as people read them: the largest exact units, in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.kit.durations import duration_parts
from bot.kit.i18n import Translator


@pytest.mark.parametrize(
    ("delta", "parts"),
    [
        (timedelta(minutes=3), [("minutes", 3)]),
        (timedelta(minutes=90), [("hours", 1), ("minutes", 30)]),
        (timedelta(hours=2), [("hours", 2)]),
        (timedelta(days=1, minutes=5), [("days", 1), ("minutes", 5)]),
        (timedelta(seconds=59), [("minutes", 0)]),
    ],
)
def test_parts_from_the_largest_unit_down(delta: timedelta, parts: list[tuple[str, int]]) -> None:
    assert duration_parts(delta) == parts


@pytest.mark.parametrize(
    ("language", "delta", "text"),
    [
        ("en", timedelta(minutes=3), "3 min"),
        ("en", timedelta(minutes=90), "1 h 30 min"),
        ("en", timedelta(hours=2), "2 h"),
        ("en", timedelta(days=7), "7 days"),
        ("en", timedelta(days=1, hours=6), "1 day 6 h"),
        ("zh", timedelta(minutes=3), "3分钟"),
        ("zh", timedelta(minutes=90), "1小时30分钟"),
        ("zh", timedelta(days=2), "2天"),
    ],
)
def test_said_in_each_language(language: str, delta: timedelta, text: str) -> None:
    assert Translator().duration(language, delta) == text
