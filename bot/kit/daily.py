"""A daily form: questions that someone answers once a day in a window of their unit's
local time, reminded until they have, the silent listed when it closes. Both the members'
check-in (``[checkin]``, mapped onto this record by ``CheckinSettings.daily_form``) and
the leaders' reports (``[[reports.forms]]``, a ``ReportForm`` is one) are such forms, and
their schedules read the window and the reminders from it through the helpers below."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Field

from bot.kit.questions import Identifier, Question, Strict, Text
from storage.db import Database

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(value: object) -> object:
    if isinstance(value, str):
        match = _CLOCK.match(value.strip())
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ValueError(f"{value!r} is not a time (write it like '18:00')")
        return time(int(match.group(1)), int(match.group(2)))
    if isinstance(value, time):
        return value
    raise ValueError(f"{value!r} is not a time (write it like '18:00')")


def _weekday(value: object) -> object:
    if not isinstance(value, str) or value.lower() not in WEEKDAYS:
        raise ValueError(f"{value!r} is not a weekday ({', '.join(WEEKDAYS)})")
    return value.lower()


ClockTime = Annotated[time, BeforeValidator(_clock)]
Weekday = Annotated[str, BeforeValidator(_weekday)]


class FormRole(StrEnum):
    """Who answers a daily form (values as ``Role`` spells them): a member, once for
    themselves in their own unit, or a unit's leader, once for the unit."""

    MEMBER = "member"
    SECRETARY = "secretary"
    COORDINATOR = "coordinator"


class DailyForm(Strict):
    # Stored with each answer and carried by buttons: short and stable.
    id: Identifier
    title: Text | None = None  # the check-in's is its command's, in the catalogues
    role: FormRole
    # Which units answer, by depth below the top of the tree (0 the top committee). Empty:
    # every unit.
    levels: list[int] = Field(default_factory=list)
    # The window in each unit's local time: answers are taken from ``opens`` until ``due``,
    # when the silent are listed (a member's secretary, a unit's level above).
    opens: ClockTime
    due: ClockTime
    # Reminders to those who have not answered yet, inside the window.
    reminders: list[ClockTime] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)

    @property
    def per_member(self) -> bool:
        """One answer per member (the check-in) rather than one per unit."""
        return self.role is FormRole.MEMBER

    def reminder_times(self) -> list[time]:
        """When the silent are reminded: a unit's leaders at the opening too, members only
        at the configured times (their check-in opens early, before anyone is up)."""
        opening = [] if self.per_member else [self.opens]
        return sorted({*opening, *self.reminders})


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local wall time as an instant. Across a DST change a skipped time moves forward
    and a repeated time is taken once (its first occurrence), so a daily schedule neither
    shifts nor doubles."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(ZoneInfo("UTC"))


def reminders_due(form: DailyForm, day: date, zone: ZoneInfo, now: datetime) -> list[time]:
    """The reminder times of ``day`` that have come, while its window is still open."""
    closes = local_instant(day, form.due, zone)
    return [t for t in form.reminder_times() if local_instant(day, t, zone) <= now < closes]


def passed(day: date, at: time, zone: ZoneInfo, now: datetime, catch_up: timedelta) -> bool:
    """Whether ``at`` of ``day`` has come and is at most ``catch_up`` ago (a close or an
    escalation missed while the bot was down still goes out, if not too late)."""
    moment = local_instant(day, at, zone)
    return moment <= now < moment + catch_up


async def remind_latest(
    db: Database,
    slots: Sequence[time],
    claim: Callable[[str], Awaitable[bool]],
    remind: Callable[[], Awaitable[int]],
    done: Collection[str] = (),
) -> int:
    """Claim each slot that has come (``reminders_due``); only the latest reminds, so after
    downtime one reminder goes out, not one per missed time. Each claim and its reminders
    are one transaction (``claim`` and ``remind`` join it); a slot the caller read as
    ``done`` already is passed over without one."""
    queued = 0
    for index, slot in enumerate(slots):
        if f"{slot:%H:%M}" in done:
            continue
        async with db.transaction():
            if await claim(f"{slot:%H:%M}") and index == len(slots) - 1:
                queued += await remind()
    return queued
