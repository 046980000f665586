"""Leaders' report rules: who answers which form for which unit, its window in the unit's
local time, one report per unit and day (the first submission files it, the unit's other
holders see it and may change it until due), and the schedule: reminders at the opening
and the configured times, the units that did not report listed once to the level above
after due, and a digest of the children's reports for the level above.

The days off are the check-in's (``[checkin]`` days_off, holidays, workdays)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.checkins.service import CheckinService, Window, WindowState
from bot.kit.clock import Clock
from bot.kit.daily import passed, remind_latest, reminders_due
from bot.kit.forms import AnswerError, check_answer
from bot.kit.people import require_active
from bot.org.authz import Actor, Authorizer
from bot.reports.config import ReportForm, ReportSettings
from bot.reports.tally import Tally
from storage import Storage
from storage.models import Member, Role, Unit
from storage.outbox import NewMessage, Priority
from storage.reports import FiledReport, ReportKind

# An escalation or digest missed while the bot was down still goes out this long after.
CATCH_UP = timedelta(hours=12)


class ReportError(AnswerError):
    """A report that cannot be taken: ``not_yours``, ``closed``, ``taken`` (the report filed
    first in ``details``); an answer's own faults come as its ``AnswerError``."""


@dataclass(frozen=True, slots=True)
class Duty:
    """A form someone answers for one of their units."""

    form: ReportForm
    unit: Unit


class ReportService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        authz: Authorizer,
        checkins: CheckinService,
        settings: ReportSettings,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.authz = authz
        self.checkins = checkins  # the days off and each unit's timezone
        self.settings = settings

    @property
    def forms(self) -> list[ReportForm]:
        return self.settings.forms

    def form(self, form_id: str | None) -> ReportForm | None:
        return next((f for f in self.forms if f.id == form_id), None)

    @staticmethod
    def reports_for(form: ReportForm, unit: Unit) -> bool:
        """Whether ``unit`` is of one of the form's levels."""
        return not form.levels or unit.depth in form.levels

    def window(self, form: ReportForm, unit: Unit, now: datetime | None = None) -> Window:
        """Where today stands for the form in ``unit`` (``closes`` is the due time)."""
        return self.checkins.window_of(form, unit, now)

    async def duties(self, member: Member) -> list[Duty]:
        """Every form ``member`` answers, for each of their units of its levels."""
        if not member.active:
            return []
        grants = await self.storage.members.roles_of(member.id)
        units = {u.id: u for u in await self.storage.units.many([g.unit_id for g in grants])}
        return [
            Duty(form, units[g.unit_id])
            for form in self.forms
            for g in grants
            if g.role == Role(form.role)
            and g.unit_id in units
            and self.reports_for(form, units[g.unit_id])
        ]

    async def duty(self, member: Member, form_id: str, unit_id: int) -> Duty:
        """The duty a button names, checked against the member's roles now: a forged or
        outdated button (not their unit, not their role any more) is refused."""
        found = next(
            (d for d in await self.duties(member) if d.form.id == form_id and d.unit.id == unit_id),
            None,
        )
        if found is None:
            # Audited like any refused privileged step: a forged button is worth knowing of.
            actor = Actor(member.telegram_id, member, (), is_admin=False)
            unit = await self.storage.units.get(unit_id)
            detail = f"report {form_id} of unit {unit_id}"
            await self.authz.audit(actor, "file_report", unit, detail, outcome="denied")
            raise ReportError("not_yours")
        return found

    async def filed(self, duty: Duty, day: date) -> FiledReport | None:
        return await self.storage.reports.get(duty.form.id, duty.unit.id, day)

    async def author(self, report: FiledReport) -> Member | None:
        """Who filed the report, or changed it last."""
        return await self.storage.members.get(report.member_id) if report.member_id else None

    async def save(
        self,
        member: Member,
        duty: Duty,
        raw: dict[str, Any],
        *,
        replacing: bool,
        day: date | None = None,
    ) -> tuple[FiledReport, bool]:
        """Check every answer again and store the unit's report of today: filed, when it
        is the first (``replacing`` False), else changed. (report, whether first).
        ReportError ``taken`` when another holder filed first meanwhile (their report is
        in ``details``), ``closed`` past due, or an answer's reason."""
        require_active(member)
        duty = await self.duty(member, duty.form.id, duty.unit.id)  # still theirs?
        window = self.window(duty.form, duty.unit)
        # A form begun for a day that has turned is not filed for the next one.
        if window.state is not WindowState.OPEN or (day is not None and day != window.day):
            raise ReportError("closed")
        answers = {q.id: check_answer(q, raw.get(q.id)) for q in duty.form.questions}
        reports, now = self.storage.reports, self.clock.now()
        args = (duty.form.id, duty.unit.id, window.day, member.id, answers, now)
        # Changing needs the filed report; filing, that there is none (else it is taken).
        first = not replacing and await reports.store(*args, replace=False)
        if not first and not (replacing and await reports.store(*args, replace=True)):
            raise ReportError("taken", report=await self.filed(duty, window.day))
        saved = await self.filed(duty, window.day)
        assert saved is not None
        return saved, first

    async def units_of(self, form: ReportForm) -> list[Unit]:
        return [u for u in await self.storage.units.all() if self.reports_for(form, u)]

    # The schedule -------------------------------------------------------------

    async def run_schedule(self) -> tuple[int, int, int]:
        """Reminders, escalations and digests due now, each once per form, timezone and
        day, claimed in the transaction that queues them. After downtime only the latest
        missed reminder goes out, and only while the window is open; an escalation or a
        digest still goes out within ``CATCH_UP``. (reminders, escalations, digests)."""
        reminded = escalated = digests = 0
        now = self.clock.now()
        everything = await self.storage.units.all()
        for form in self.forms:
            groups: dict[str, list[Unit]] = {}
            for unit in everything:
                if self.reports_for(form, unit):
                    groups.setdefault(self.checkins.zone_of(unit).key, []).append(unit)
            for name, units in groups.items():
                zone = ZoneInfo(name)
                day = now.astimezone(zone).date()
                if self.checkins.day_off(day):
                    continue
                # One read per tick tells what is done today, so that a tick with nothing
                # due takes no write lock (the claims below still decide, in their
                # transactions).
                done = await self.storage.reports.runs(form.id, name, day)
                group = _Group(form, name, zone, day, units, done)
                reminded += await self._remind(group, now)
                escalated += await self._above_once(group, form.due, ReportKind.MISSING, now)
                digest_at = max(form.digest, form.due)
                digests += await self._above_once(group, digest_at, ReportKind.DIGEST, now)
        return reminded, escalated, digests

    async def _remind(self, group: _Group, now: datetime) -> int:
        async def claim(slot: str) -> bool:
            return await self._claim(group, slot, now)

        async def remind() -> int:
            messages = await self._reminders(group.form, group.day, group.units, now)
            async with self.storage.db.transaction() as conn:  # joins remind_latest's
                await self.storage.outbox.enqueue_many(conn, messages, now)
            return len(messages)

        slots = reminders_due(group.form, group.day, group.zone, now)
        return await remind_latest(self.storage.db, slots, claim, remind, group.done)

    async def _claim(self, group: _Group, slot: str, now: datetime) -> bool:
        return await self.storage.reports.claim_run(group.form.id, group.name, group.day, slot, now)

    async def _reminders(
        self, form: ReportForm, day: date, units: list[Unit], now: datetime
    ) -> list[NewMessage]:
        filed = await self.storage.reports.of_units(form.id, [u.id for u in units], day)
        waiting = [u.id for u in units if u.id not in filed]
        holders = await self.storage.members.holders(waiting, Role(form.role.value))
        return [
            NewMessage(
                ReportKind.REMINDER,
                member.telegram_id,
                member.id,
                None,
                Priority.REMINDER,
                {"form": form.id, "unit": unit_id, "day": day.isoformat()},
                now,
            )
            for unit_id, member in holders
            if member.telegram_id is not None and member.active
        ]

    async def _above_once(self, group: _Group, at: time, kind: ReportKind, now: datetime) -> int:
        """At ``at`` (or within ``CATCH_UP`` after), once: the level above's list of the
        units that did not report (``MISSING``), or its digest (``DIGEST``)."""
        if not passed(group.day, at, group.zone, now, CATCH_UP) or kind.value in group.done:
            return 0
        async with self.storage.db.transaction() as conn:
            if not await self._claim(group, kind.value, now):
                return 0
            units = [u for u in group.units if u.parent_id is not None]
            if kind is ReportKind.MISSING:
                ids = [u.id for u in units]
                filed = await self.storage.reports.of_units(group.form.id, ids, group.day)
                units = [u for u in units if u.id not in filed]
            messages = await self._above(group.form, group.day, units, kind, now)
            await self.storage.outbox.enqueue_many(conn, messages, now)
        return len(messages)

    async def _above(
        self, form: ReportForm, day: date, units: Sequence[Unit], kind: ReportKind, now: datetime
    ) -> list[NewMessage]:
        """One message per parent unit and each of its nearest secretaries, naming the
        parent and its ``units``; the renderer reads their reports when it is sent."""
        parents = {u.parent_id for u in units if u.parent_id is not None}
        messages: list[NewMessage] = []
        for parent in await self.storage.units.many(sorted(parents)):
            payload = {"form": form.id, "day": day.isoformat(), "parent": parent.id}
            # The units, not all the parent's children: siblings on another clock are
            # another group's, with their own due time and digest.
            payload["units"] = [u.id for u in units if u.parent_id == parent.id]
            messages += [
                NewMessage(kind, reader.telegram_id, reader.id, None, Priority.NOTICE, payload, now)
                for reader in await self.authz.nearest_secretaries(parent)
                if reader.telegram_id is not None
            ]
        return messages

    async def reported(self, committee: Unit, day: date) -> list[Tally]:
        """For the summary: per form, how many of the committee's subtree's units of its
        levels reported on ``day``, and which did not."""
        if not self.forms or self.checkins.day_off(day):
            return []
        tallies: list[Tally] = []
        subtree = await self.storage.units.subtree(committee)
        for form in self.forms:
            units = [u for u in subtree if self.reports_for(form, u)]
            if not units:
                continue
            filed = await self.storage.reports.of_units(form.id, [u.id for u in units], day)
            tallies.append(Tally(form, len(units), [u for u in units if u.id not in filed]))
        return tallies


@dataclass(frozen=True, slots=True)
class _Group:
    """A form's units of one timezone, on their local day."""

    form: ReportForm
    name: str  # the timezone's name
    zone: ZoneInfo
    day: date
    units: list[Unit]
    done: set[str]  # the slots claimed already
