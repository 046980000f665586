"""Days that people type or buttons carry: only those a plan can be about.

``date`` allows the years 1 to 9999, and a day at either end overflows the arithmetic done
with it (the day before, a week later, midnight in UTC). A mistyped or forged year is
refused as "not a date" instead.
"""

from __future__ import annotations

import re
from datetime import date

from bot.kit.typed import typed

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
_MONTH_DAY = re.compile(r"^\s*(?:(\d{4})-)?(\d{1,2})-(\d{1,2})\s*$")


def plausible(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def iso_day(text: str) -> date | None:
    """``2026-12-01`` as a date, or None when it is not one (or not a plausible one)."""
    try:
        day = date.fromisoformat(typed(text))
    except ValueError:
        return None
    return day if plausible(day) else None


def typed_day(text: str, today: date) -> date | None:
    """``2026-12-03`` or ``12-03`` (this year, or next if that is past)."""
    match = _MONTH_DAY.match(typed(text))
    if not match:
        return None
    year, month, day = match.groups()
    try:
        found = date(int(year) if year else today.year, int(month), int(day))
        if not year and found < today:
            found = found.replace(year=found.year + 1)  # 29 Feb may not be there then
    except ValueError:
        return None
    return found if plausible(found) else None
