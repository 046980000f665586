"""What each figure of a summary counts, defined once: the text, the chart, the units'
and members' sheets and the Definitions sheet all follow these words.

"Checked in" counts every member who sent the day's check-in, those whose answer excuses
them (sick, leave) included; "excused by check-in" is a part of it, never added to it.
The numbers themselves are ``Counts`` (``bot/summaries/service.py``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Figure:
    name: str  # catalogue key of its column header
    definition: str  # catalogue key of what it counts


FIGURES = (
    Figure("summary-col-members", "summary-def-members"),
    Figure("summary-col-checked", "summary-def-checked"),
    Figure("summary-col-excused", "summary-def-excused"),
    Figure("summary-col-leave", "summary-def-leave"),
    Figure("summary-col-missing", "summary-def-missing"),
    Figure("summary-col-rate", "summary-def-rate"),
)

# A member's status on the members' sheet: an excused check-in is a check-in (the
# "excused" column says which), so filtering "checked in" gives the text's number.
_MEMBER_STATUS_KEYS = {
    "checked_in": "summary-status-checked-in",
    "excused": "summary-status-checked-in",
    "on_leave": "summary-status-on-leave",
    "missing": "summary-status-missing",
}


def member_status_key(status: str) -> str:
    return _MEMBER_STATUS_KEYS[status]
