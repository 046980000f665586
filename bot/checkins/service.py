"""Daily check-in rules: the day and its window in the unit's local time, what counts as a
valid answer, and storing one check-in per member per day (edits replace it).

The ``/checkin`` conversation (being built) asks the configured questions one by one and
hands each raw answer to :meth:`CheckinService.answer` for checking.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.checkins.cases import CaseService, flagged_questions
from bot.checkins.config import CheckinSettings
from bot.kit.clock import Clock
from bot.kit.daily import WEEKDAYS, DailyForm, passed, remind_latest, reminders_due
from bot.kit.daily import local_instant as local_instant  # where the wings import it from
from bot.kit.figures import figures_of
from bot.kit.forms import AnswerError, check_answer
from bot.kit.people import require_active
from bot.kit.questions import CHOICE_KINDS, Question
from bot.kit.zones import unit_zone
from bot.org.authz import Action, Actor, Authorizer
from storage import Storage
from storage.checkins import Checkin, CheckinKind, Missing, UnitDay
from storage.leave import Leave
from storage.models import Member, Role, Unit
from storage.outbox import NewMessage, Priority

_VIEWERS = (Role.SECRETARY, Role.COORDINATOR)
# A window close missed while the bot was down is still reported this long afterwards.
CLOSE_CATCH_UP = timedelta(hours=12)

# A flagged answer, for the unit's secretaries (payload: the member and the day).


class CheckinError(Exception):
    """An answer or moment that cannot be taken; ``reason`` is catalogue-friendly and
    ``details`` carries what the message needs (bounds, unit, opening time …)."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


class LeaveProblem(StrEnum):
    """Why leave cannot be recorded or cancelled (a ``CheckinError``'s reason)."""

    IN_PAST = "leave_in_past"
    BACKWARDS = "leave_backwards"  # the last day before the first
    TOO_LONG = "leave_too_long"
    OVERLAP = "leave_overlap"
    UNKNOWN_REASON = "unknown_reason"  # not one of the configured reasons
    UNKNOWN_LEAVE = "unknown_leave"


class WindowState(StrEnum):
    OPEN = "open"
    NOT_YET = "not_yet"  # before today's opening
    CLOSED = "closed"  # after today's closing
    DAY_OFF = "day_off"  # a configured weekday off or holiday


@dataclass(frozen=True, slots=True)
class Window:
    state: WindowState
    day: date  # the local day the member would check in for
    opens: datetime  # today's opening and closing, as instants (UTC)
    closes: datetime


class CheckinService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        form: CheckinSettings,
        zone: ZoneInfo,
        authz: Authorizer | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.form = form
        self.zone = zone
        self.authz = authz or Authorizer(storage, clock, set())
        self.cases = CaseService(storage, clock, self.authz)
        self._fingerprint: tuple[CheckinSettings, str] | None = None  # see form_fingerprint
        self._daily: tuple[CheckinSettings, DailyForm] | None = None  # see daily

    @property
    def daily(self) -> DailyForm:
        """``[checkin]`` as the daily form its window and schedule read (made once per
        form: a form is replaced, not changed in place)."""
        if self._daily is None or self._daily[0] is not self.form:
            self._daily = (self.form, self.form.daily_form())
        return self._daily[1]

    def form_fingerprint(self) -> str:
        """Changes when the configured questions do, so a half-filled draft can tell.
        Worked out once per form (every answer checks it; dumping the questions each
        time was most of a step's own work); a form is replaced, not changed in place."""
        form = self.form
        if self._fingerprint is None or self._fingerprint[0] is not form:
            questions = [q.model_dump(mode="json") for q in form.questions]
            text = json.dumps(questions, sort_keys=True).encode()
            self._fingerprint = (form, hashlib.sha1(text).hexdigest()[:12])
        return self._fingerprint[1]

    def zone_of(self, unit: Unit | None) -> ZoneInfo:
        return unit_zone(unit, self.zone)

    def window(self, unit: Unit | None, now: datetime | None = None) -> Window:
        """Where today stands for a member of ``unit``."""
        return self.window_of(self.daily, unit, now)

    def window_of(self, form: DailyForm, unit: Unit | None, now: datetime | None = None) -> Window:
        """Today's window of a daily form (the check-in, a leaders' report) from its
        ``opens`` to its ``due`` in ``unit``'s local time, on the check-in's days."""
        zone = self.zone_of(unit)
        moment = now or self.clock.now()
        day = moment.astimezone(zone).date()
        start, end = local_instant(day, form.opens, zone), local_instant(day, form.due, zone)
        if self.day_off(day):
            state = WindowState.DAY_OFF
        elif moment < start:
            state = WindowState.NOT_YET
        elif moment >= end:
            state = WindowState.CLOSED
        else:
            state = WindowState.OPEN
        return Window(state, day, start, end)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.form.questions if q.id == question_id), None)

    def answer(self, question: Question, raw: Any) -> Any:
        """The stored form of one answer (see ``bot.kit.forms.check_answer``), or CheckinError
        saying what is wrong with it."""
        try:
            return check_answer(question, raw)
        except AnswerError as exc:
            raise CheckinError(exc.reason, **exc.details) from None

    def verdict(self, answers: dict[str, Any]) -> tuple[bool, bool]:
        """(excused, flagged) from the answers, by the form's choices and thresholds."""
        excused = flagged = False
        for question in self.form.questions:
            value = answers.get(question.id)
            flagged |= question.flags(value)
            if question.kind not in CHOICE_KINDS or value is None:
                continue
            chosen = set(value if isinstance(value, list) else [value])
            excused |= any(c.excused for c in question.choices if c.id in chosen)
        return excused, flagged

    async def save(self, member: Member, raw: dict[str, Any]) -> tuple[Checkin, bool]:
        """Check every answer again (the form may have changed mid-way) and store today's
        check-in, or replace it; (check-in, whether it is the first today)."""
        require_active(member)
        unit = await self.storage.units.get(member.unit_id)
        window = self.window(unit)
        if window.state is not WindowState.OPEN:
            raise CheckinError(window.state.value, opens=window.opens, closes=window.closes)
        answers = {q.id: self.answer(q, raw.get(q.id)) for q in self.form.questions}
        excused, flagged = self.verdict(answers)
        now = self.clock.now()
        fields: dict[str, Any] = dict(
            member_id=member.id,
            unit_id=member.unit_id,
            day=window.day,
            answers=answers,
            figures=figures_of(self.form.questions, answers),
            excused=excused,
            flagged=flagged,
            now=now,
        )
        if not (flagged and unit is not None):
            return await self.storage.checkins.save(**fields)  # one statement, no notice
        at_once = self.form.flags_at_once
        notices = await self._flag_notices(member, unit, window.day, now) if at_once else []
        # The notice and the cases commit with the check-in that causes them: a crash in
        # between would store a flagged answer nobody is told about.
        async with self.storage.db.transaction() as conn:
            saved = await self.storage.checkins.save(**fields)
            questions = flagged_questions(self.form.questions, answers)
            await self.cases.open(
                conn, member, saved[0].id, member.unit_id, window.day, questions, now
            )
            await self.storage.outbox.enqueue_many(conn, notices, now)
        return saved

    async def _flag_notices(
        self, member: Member, unit: Unit, day: date, now: datetime
    ) -> list[NewMessage]:
        """A flagged answer goes to the unit's (nearest) secretaries at once; each notice is
        worded in its reader's language when sent (``CheckinRenderers.flag``)."""
        payload = {"member": member.id, "day": day.isoformat()}
        return [
            NewMessage(CheckinKind.FLAG, chat_id, secretary.id, None, Priority.NOTICE, payload, now)
            for secretary in await self.authz.nearest_secretaries(unit)
            if (chat_id := secretary.telegram_id) is not None
        ]

    async def today(self, member: Member) -> Checkin | None:
        unit = await self.storage.units.get(member.unit_id)
        return await self.storage.checkins.get(member.id, self.window(unit).day)

    def day_end(self, day: date) -> datetime:
        """The end of ``day`` in the organisation's time: who had joined by then counts
        as a member that day (in /members and in the summaries alike)."""
        return local_instant(day + timedelta(days=1), time(0, 0), self.zone)

    def day_off(self, day: date) -> bool:
        """A configured weekday off or holiday: no check-in is expected, unless the day is
        one of the dated ``workdays`` (a 调休 Saturday)."""
        if day in self.form.workdays:
            return False
        return WEEKDAYS[day.weekday()] in self.form.days_off or day in self.form.holidays

    async def run_schedule(
        self, notices: Callable[[list[Unchecked]], Awaitable[list[NewMessage]]]
    ) -> tuple[int, int]:
        """Reminders due now and windows that have closed, once each per timezone and
        day, recorded in the same transaction as the work so a restart repeats nothing.
        After downtime only the latest missed reminder goes out, and only while the window
        is still open. At a close, ``notices`` turns the units' lists of members who did
        not check in into messages for their secretaries.
        Returns (reminders queued, notices queued)."""
        now = self.clock.now()
        groups: dict[str, list[Unit]] = {}
        for unit in await self.storage.units.all():
            groups.setdefault(unit_zone(unit, self.zone).key, []).append(unit)
        queued = noticed = 0
        for name, units in groups.items():
            zone = ZoneInfo(name)
            ids = [u.id for u in units]
            today = now.astimezone(zone).date()
            for day in (today - timedelta(days=1), today):
                if self.day_off(day):
                    continue
                if day == today:
                    queued += await self._remind(name, zone, day, ids, now)
                if passed(day, self.daily.due, zone, now, CLOSE_CATCH_UP):
                    noticed += await self._close(name, day, units, now, notices)
        return queued, noticed

    async def _close(
        self,
        name: str,
        day: date,
        units: list[Unit],
        now: datetime,
        notices: Callable[[list[Unchecked]], Awaitable[list[NewMessage]]],
    ) -> int:
        async with self.storage.db.transaction() as conn:
            if not await self.storage.checkins.claim_run(name, day, "close", now):
                return 0
            missing = await self.storage.checkins.missing([u.id for u in units], day)
            by_unit = {u.id: u for u in units}
            unchecked = [
                Unchecked(by_unit[unit_id], day, [m for m in missing if m.unit_id == unit_id])
                for unit_id in sorted({m.unit_id for m in missing})
            ]
            messages = await notices(unchecked) if unchecked else []
            await self.storage.outbox.enqueue_many(conn, messages, now)
        return len(messages)

    async def _remind(
        self, name: str, zone: ZoneInfo, day: date, ids: list[int], now: datetime
    ) -> int:
        checkins = self.storage.checkins

        async def claim(slot: str) -> bool:
            return await checkins.claim_run(name, day, slot, now)

        async def remind() -> int:
            return await checkins.queue_reminders(ids, day, Priority.REMINDER, now)

        slots = reminders_due(self.daily, day, zone, now)
        return await remind_latest(self.storage.db, slots, claim, remind)

    # Looking -----------------------------------------------------------------

    async def day_status(
        self, actor: Actor, day: date
    ) -> list[tuple[Unit, UnitDay, list[Missing]]]:
        """Each unit in the viewer's scope on ``day``: counts and who is missing, worst
        check-in rate first. A day in the future is refused."""
        if day > self.window(None).day + timedelta(days=1):
            raise CheckinError("future_day")
        roots = None if actor.is_admin else actor.scopes(*_VIEWERS)
        if roots == []:
            await self.authz.check(actor, Action.VIEW_UNIT, None, "check-in status")
        units: list[Unit] = []
        for root in roots if roots is not None else []:
            units.extend(await self.storage.units.subtree(root))
        if roots is None:
            units = await self.storage.units.all()
        ids = [u.id for u in units]
        end = self.day_end(day)
        days = {d.unit_id: d for d in await self.storage.checkins.unit_days(ids, day, end)}
        missing = await self.storage.checkins.missing(ids, day, end)
        by_unit = {u.id: u for u in units}
        out = [
            (by_unit[unit_id], tally, [m for m in missing if m.unit_id == unit_id])
            for unit_id, tally in days.items()
        ]

        def rate(item: tuple[Unit, UnitDay, list[Missing]]) -> tuple[float, str]:
            unit, tally, _ = item
            expected = tally.members - tally.on_leave
            return (tally.checked_in / expected if expected else 1.0, unit.name)

        return sorted(out, key=rate)

    # Leave -------------------------------------------------------------------

    async def may_manage_leave(self, actor: Actor, member: Member) -> None:
        """Members manage their own leave (while active); secretaries that of members in
        their scope."""
        if actor.member is not None and actor.member.id == member.id:
            require_active(actor.member)
            return
        unit = await self.storage.units.get(member.unit_id)
        await self.authz.check(actor, Action.MANAGE_LEAVE, unit, f"leave of member {member.id}")

    async def check_leave_start(self, member: Member, first: date) -> date:
        """Refuse a first day of leave before the member's today (asked at that step, so
        the flow can ask again); return that today."""
        today = self.window(await self.storage.units.get(member.unit_id)).day
        if first < today:
            raise CheckinError(LeaveProblem.IN_PAST)
        return today

    async def record_leave(
        self, actor: Actor, member: Member, first: date, last: date, reason: str
    ) -> Leave:
        await self.may_manage_leave(actor, member)
        if reason not in {r.id for r in self.form.leave_reasons}:
            raise CheckinError(LeaveProblem.UNKNOWN_REASON)
        today = await self.check_leave_start(member, first)
        if last < first:
            raise CheckinError(LeaveProblem.BACKWARDS)
        if (last - first).days > 365:
            raise CheckinError(LeaveProblem.TOO_LONG)
        for other in await self.storage.leave.upcoming(member.id, today):
            if other.first_day <= last and first <= other.last_day:
                raise CheckinError(LeaveProblem.OVERLAP, first=other.first_day, last=other.last_day)
        async with self.storage.db.transaction():
            leave = await self.storage.leave.add(
                member_id=member.id,
                first_day=first,
                last_day=last,
                reason=reason,
                recorded_by=actor.member.id if actor.member else None,
                now=self.clock.now(),
            )
            await self.authz.audit(
                actor, "leave_record", None, f"member {member.id}: {first}..{last} {reason}"
            )
        return leave

    async def cancel_leave(self, actor: Actor, leave_id: int) -> tuple[Leave, Member]:
        leave = await self.storage.leave.get(leave_id)
        member = await self.storage.members.get(leave.member_id) if leave else None
        if leave is None or member is None:
            raise CheckinError(LeaveProblem.UNKNOWN_LEAVE)
        await self.may_manage_leave(actor, member)
        async with self.storage.db.transaction():
            if not await self.storage.leave.cancel(leave_id, self.clock.now()):
                raise CheckinError(LeaveProblem.UNKNOWN_LEAVE)
            await self.authz.audit(actor, "leave_cancel", None, f"leave {leave_id}")
        return leave, member

    async def upcoming_leave(self, member: Member) -> list[Leave]:
        today = self.window(await self.storage.units.get(member.unit_id)).day
        return await self.storage.leave.upcoming(member.id, today)

    async def on_leave(self, member: Member, day: date) -> Leave | None:
        return next(
            (
                leave
                for leave in await self.storage.leave.upcoming(member.id, day)
                if leave.first_day <= day
            ),
            None,
        )

    def next_opening(self, unit: Unit | None) -> datetime:
        """When check-ins open next (today's opening if still ahead)."""
        window = self.window(unit)
        if window.state is WindowState.NOT_YET:
            return window.opens
        zone = self.zone_of(unit)
        day = window.day + timedelta(days=1)
        for _ in range(366):  # a form with every day off must not loop forever
            if not self.day_off(day):
                break
            day += timedelta(days=1)
        return local_instant(day, self.daily.opens, zone)


@dataclass(frozen=True, slots=True)
class Unchecked:
    """At a window's close: one unit's members who did not check in that day."""

    unit: Unit
    day: date
    members: list[Missing]
