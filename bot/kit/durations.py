"""Human durations such as ``7d`` or ``12h``, used by the config and the CLI, and their
parts as a message says them (worded by ``bot.kit.i18n.Translator.duration``)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator

from bot.kit.typed import typed

_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_PATTERN = re.compile(r"^\s*(\d{1,5})\s*([mhdw])\s*$")


def parse_duration(text: str) -> timedelta:
    """Parse ``30m``, ``12h``, ``7d`` or ``2w``; raise ValueError with a readable reason."""
    match = _PATTERN.match(typed(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30m, 12h, 7d or 2w")
    amount, unit = int(match.group(1)), match.group(2)
    if amount == 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return timedelta(**{_UNITS[unit]: amount})


def format_duration(delta: timedelta) -> str:
    """The shortest exact form of ``delta`` in the units ``parse_duration`` reads."""
    minutes = int(delta.total_seconds() // 60)
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


# The units a message says a duration in, largest first, in minutes.
SPOKEN_UNITS = (("days", 24 * 60), ("hours", 60), ("minutes", 1))


def duration_parts(delta: timedelta) -> list[tuple[str, int]]:
    """``delta`` in whole minutes, from the largest unit down, leaving out units with
    nothing in them: 90 minutes is ``[("hours", 1), ("minutes", 30)]``."""
    left = max(int(delta.total_seconds() // 60), 0)
    parts = []
    for unit, size in SPOKEN_UNITS:
        if left >= size:
            parts.append((unit, left // size))
            left %= size
    return parts or [("minutes", 0)]


def _to_duration(value: object) -> object:
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, (int, float)):
        # A bare number would silently mean seconds.
        raise ValueError(f"{value!r} has no unit; write it like '30m', '12h' or '7d'")
    return value


# A config value written with its unit ("12h"); a bare number is refused.
Duration = Annotated[timedelta, BeforeValidator(_to_duration)]
