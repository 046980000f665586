"""Typed numbers, dates and times from any keyboard: a Chinese one in full-width mode types
３７．５ or １８：００, and the Chinese full stop ends up in decimals (37。5)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from bot.duty.reading import parse_clock, parse_day, parse_radius, parse_span
from bot.kit.days import iso_day
from bot.kit.durations import parse_duration
from bot.kit.typed import parse_decimal, parse_whole


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("37.5", 37.5),
        (" 37,5 ", 37.5),
        ("37。5", 37.5),
        ("３７．５", 37.5),
        ("３７，５", 37.5),
        ("－１２", -12.0),
        ("31.230101", 31.230101),
    ],
)
def test_a_decimal_from_any_keyboard(text: str, value: float) -> None:
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", ["", "hot", "三十七", "1e9", "nan", "37..5", "3 7", "٣٧"])
def test_what_is_not_a_decimal(text: str) -> None:
    assert parse_decimal(text) is None


def test_whole_numbers() -> None:
    assert [parse_whole(t) for t in ("12", "１２", " 3 ", "1.5", "-1", "", "1234567")] == [
        12, 12, 3, None, None, None, None
    ]  # fmt: skip


def test_every_typed_parser_reads_full_width() -> None:
    assert parse_clock("１８：００") == time(18, 0)
    assert parse_span("１８：００－２２：００") == (time(18, 0), time(22, 0))
    assert parse_day("２０２６－１２－０３") == date(2026, 12, 3)
    assert iso_day("２０２６－１２－０３") == date(2026, 12, 3)
    assert parse_radius("５００") == 500
    assert parse_duration("７ｄ") == timedelta(days=7)
