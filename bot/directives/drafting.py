"""What a secretary composes, checked piece by piece as they go: the text, the times they
type or pick (local to a zone), and what a paid broadcast of the draft would cost."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.config import FREE_PER_SECOND, MESSAGES_PER_STAR
from bot.directives.questions import Question
from bot.kit.days import plausible
from bot.kit.typed import typed
from storage.directives import FollowUp, Target
from storage.models import AttachmentKind

# Telegram allows 4,096 characters; Muster adds a heading and the acknowledgement line.
MAX_TEXT = 3900
HALF_HOUR = timedelta(minutes=30)
_CLOCK_TIME = re.compile(r"^\s*(\d{1,2})[:：.](\d{2})\s*$")
_DATE_TIME = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2})[:：.](\d{2})\s*$")


class Refusal(StrEnum):
    """Why a draft (or an action on a directive) was refused: each the author can fix."""

    EMPTY_TEXT = "empty_text"
    TEXT_TOO_LONG = "text_too_long"
    BAD_TIME = "bad_time"
    PAST_TIME = "past_time"
    DEADLINE_PAST = "deadline_past"
    DEADLINE_BEFORE_SEND = "deadline_before_send"
    NO_RECIPIENTS = "no_recipients"
    UNKNOWN_UNIT = "unknown_unit"
    PAID_OFF = "paid_off"
    PAID_OVER_CAP = "paid_over_cap"
    UNKNOWN_DIRECTIVE = "unknown_directive"
    CANNOT_REMIND = "cannot_remind"
    NO_SUCH_ANSWER = "no_such_answer"  # a follow-up's answer that is no longer there
    CANNOT_CANCEL = "cannot_cancel"


class TargetMode(StrEnum):
    """How a unit is picked as a target (kept in the persisted draft by value)."""

    ALL = "all"  # the unit and every unit below it
    ONE = "one"  # the unit alone


class DirectiveError(Exception):
    """Something the author can fix, and why."""

    def __init__(self, reason: Refusal | str) -> None:
        super().__init__(reason)
        # A code that is no Refusal fails here, where it is raised.
        self.reason = Refusal(reason)


def check_text(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        raise DirectiveError(Refusal.EMPTY_TEXT)
    if len(stripped) > MAX_TEXT:
        raise DirectiveError(Refusal.TEXT_TOO_LONG)
    return stripped


def parse_local_time(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """``18:00`` (its next occurrence) or ``2026-12-01 18:00``, local to ``zone``; UTC out.

    Raises DirectiveError ``bad_time`` or ``past_time``.
    """
    local_now = now.astimezone(zone)
    text = typed(text)
    if match := _CLOCK_TIME.match(text):
        hour, minute = int(match.group(1)), int(match.group(2))
        day = local_now.date()
        when = _local(day, hour, minute, zone)
        if when <= now:
            when = _local(day + timedelta(days=1), hour, minute, zone)
        return when
    if match := _DATE_TIME.match(text):
        year, month, dom, hour, minute = (int(g) for g in match.groups())
        try:
            day = date(year, month, dom)
        except ValueError:
            raise DirectiveError(Refusal.BAD_TIME) from None
        if not plausible(day):
            raise DirectiveError(Refusal.BAD_TIME)
        when = _local(day, hour, minute, zone)
        if when <= now:
            raise DirectiveError(Refusal.PAST_TIME)
        return when
    raise DirectiveError(Refusal.BAD_TIME)


def quick_times(
    now: datetime, zone: ZoneInfo, *, hours: tuple[int, ...], clock: tuple[str, ...]
) -> list[datetime]:
    """Preset choices, earliest first: in N hours, rounded up to the next half hour on the
    local clock (people set deadlines at 18:00 or 18:30, not 17:03), and the next
    occurrence of each HH:MM; a time two presets share is offered once."""
    ahead = [_half_hour_up(now + timedelta(hours=h), zone) for h in hours]
    return sorted({*ahead, *(parse_local_time(text, zone, now) for text in clock)})


def _half_hour_up(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)  # local: a zone may be 45 minutes off UTC
    past = timedelta(minutes=local.minute % 30, seconds=local.second)
    past += timedelta(microseconds=local.microsecond)
    return moment + (HALF_HOUR - past) % HALF_HOUR


def _local(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise DirectiveError(Refusal.BAD_TIME)
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def paid_estimate(recipients: int, rate: int) -> int:
    """Whole Stars (rounded up) a paid broadcast to ``recipients`` at ``rate`` a second
    is estimated to cost. Sending takes ``recipients / rate`` seconds, begun seconds
    counted whole, and in each of them the first 30 messages are free (what the free rate
    would have sent in the same time); each of the rest costs 0.1 Star. 1,000 at
    1,000/s: (1,000 - 30) x 0.1 = 97 Stars. The engine counts as it sends the same way."""
    free = FREE_PER_SECOND * math.ceil(recipients / rate)
    charged = max(0, recipients - free)
    return -(-charged // MESSAGES_PER_STAR)


@dataclass(frozen=True, slots=True)
class Draft:
    """What a secretary composed, checked piece by piece as they went."""

    targets: tuple[Target, ...]
    text: str
    attachment: tuple[AttachmentKind, str, str | None] | None  # kind, file_id, file name
    ack_required: bool
    ack_deadline: datetime | None
    send_at: datetime | None  # None: now
    urgent: bool = False  # a paid broadcast
    # Answers asked instead of ✅ (bot/directives/questions.py); an answer acknowledges,
    # so a question is sent with ack_required and its deadline (migration 0020).
    question: Question | None = None
    follow_up: FollowUp | None = None  # to those who chose one answer of another


@dataclass(frozen=True, slots=True)
class PaidQuote:
    """What a paid broadcast of a draft would cost, for the preview."""

    members: int
    rate: int
    estimate_stars: int
    cap_stars: int

    @property
    def within_cap(self) -> bool:
        return self.estimate_stars <= self.cap_stars
