"""Checked in by phone (issue #18): a secretary who reached a member missing from today's
check-in records the check-in on their behalf, or that they could not reach them, with a
reason. The directives' "📞 Reached by phone" (``bot/directives/onbehalf.py``) for the
daily check-in; the rules, decided here:

- Only the member's own secretaries (``Action.RECORD_ON_BEHALF`` on the unit they were
  listed in; default deny, refusals audited): a secretary who lost the role is refused.
- Only the unit's **current open day**: the button carries the day, and a press once that
  day's window has closed (or on another day) records nothing. A past day's ``/members``
  offers no button.
- Only a member still missing: one who checked in meanwhile (themselves, or by a second
  press of the same list), moved to another unit, left, or is on recorded leave that day
  is refused, and nothing changes.
- A check-in by phone counts as any check-in (not excused, no answers), marked *on behalf
  by* the secretary; the member's own check-in the same day replaces it. "Could not be
  reached" is no check-in: it is listed with its reason, and a later call may record
  either again.
- Audited (``record_on_behalf``); the member is told the next time they write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.checkins.buttons import CheckinByPhone
from bot.checkins.service import CheckinService, WindowState
from bot.kit.i18n import Translator
from bot.kit.reach import phone_button
from bot.org.authz import Action, Actor, can
from storage.checkin_phone import PhoneOutcome, PhoneRecord, PhoneTold
from storage.checkins import Checkin, Missing, UnitDay
from storage.models import Member, Unit

PER_UNIT = 3  # missing members with a "📞" button per unit, the first listed
PHONE_BUTTONS = 10  # in one /members, worst units first (as the directive chase's list)


class PhoneStatus(StrEnum):
    RECORDED = "recorded"
    ALREADY = "already"  # checked in meanwhile: nothing written
    CLOSED = "closed"  # the day is no longer the unit's open check-in day
    MOVED = "moved"  # no longer in the unit they were listed in
    ON_LEAVE = "on_leave"
    GONE = "gone"  # no such member, or no longer active
    REASON_EMPTY = "reason_empty"  # "could not be reached" needs one (the flow checks it)


@dataclass(frozen=True, slots=True)
class PhoneCall:
    """A call a secretary may record: the member, the unit they were listed in, the day."""

    member: Member
    unit: Unit
    day: date


@dataclass(frozen=True, slots=True)
class PhoneResult:
    status: PhoneStatus
    call: PhoneCall | None = None
    reason: str | None = None  # as recorded


@dataclass(frozen=True, slots=True)
class PhoneDay:
    """A day's phone records as ``/members`` shows them: the check-ins by phone still
    standing, per unit, and the latest "could not be reached" of each member."""

    checked: dict[int, list[PhoneRecord]] = field(default_factory=dict)
    unreached: dict[int, PhoneRecord] = field(default_factory=dict)


def phone_rows(
    i18n: Translator, language: str, listed: Sequence[tuple[Missing, Unit]], day: date
) -> list[list[tuple[str, str]]]:
    """A "📞 Name" button per member ``PhoneCheckins.callable`` picked, one a row."""
    rows = []
    for member, unit in listed:
        data = CheckinByPhone(member.member_id, unit.id, day).pack()
        rows.append([phone_button(i18n, language, member.display_name, data)])
    return rows


class PhoneCheckins:
    def __init__(self, checkins: CheckinService) -> None:
        self.checkins = checkins
        self.storage = checkins.storage
        self.clock = checkins.clock
        self.authz = checkins.authz

    def callable(
        self, actor: Actor, status: Sequence[tuple[Unit, UnitDay, list[Missing]]], day: date
    ) -> list[tuple[Missing, Unit]]:
        """The missing members of ``day`` to offer a "📞" button for (no audit: the press
        is checked again): the first ``PER_UNIT`` of each unit the viewer records for
        whose open check-in day it is, in the order listed, at most ``PHONE_BUTTONS``;
        not the viewer."""
        me = actor.member.id if actor.member else None
        picked: list[tuple[Missing, Unit]] = []
        for unit, _, missing in status:
            others = [m for m in missing if m.member_id != me]  # one checks in oneself
            if not others or not can(actor, Action.RECORD_ON_BEHALF, unit):
                continue
            window = self.checkins.window(unit)
            if window.state is WindowState.OPEN and window.day == day:
                picked.extend((m, unit) for m in others[:PER_UNIT])
        return picked[:PHONE_BUTTONS]

    async def open(self, actor: Actor, member_id: int, unit_id: int, day: date) -> PhoneResult:
        """The call to record, or why not; PermissionDeniedError (audited) for anyone but
        the secretaries of the unit the member was listed in."""
        member = await self.storage.members.get(member_id)
        unit = await self.storage.units.get(unit_id)
        if member is None or unit is None or not member.active:
            return PhoneResult(PhoneStatus.GONE)
        await self.authz.check(
            actor, Action.RECORD_ON_BEHALF, unit, f"check-in by phone {member_id} {day}"
        )
        call = PhoneCall(member, unit, day)
        if member.unit_id != unit.id:
            return PhoneResult(PhoneStatus.MOVED, call)
        window = self.checkins.window(unit)
        if window.state is not WindowState.OPEN or window.day != day:
            return PhoneResult(PhoneStatus.CLOSED, call)
        if await self.storage.checkins.get(member.id, day) is not None:
            return PhoneResult(PhoneStatus.ALREADY, call)
        if await self.checkins.on_leave(member, day) is not None:
            return PhoneResult(PhoneStatus.ON_LEAVE, call)
        return PhoneResult(PhoneStatus.RECORDED, call)

    async def record(
        self,
        actor: Actor,
        member_id: int,
        unit_id: int,
        day: date,
        outcome: PhoneOutcome,
        reason: str | None = None,
    ) -> PhoneResult:
        """Record the call (checked again: the flow may have sat a while), audited in the
        transaction that writes it."""
        opened = await self.open(actor, member_id, unit_id, day)
        call = opened.call
        if opened.status is not PhoneStatus.RECORDED or call is None:
            return opened
        if outcome is PhoneOutcome.UNREACHED and not reason:
            return PhoneResult(PhoneStatus.REASON_EMPTY, call)
        by = actor.member.id if actor.member else None
        now = self.clock.now()
        async with self.storage.db.transaction():
            written = await self.storage.checkin_phone.record(
                member_id, unit_id, day, by, outcome, now, reason
            )
            if written:
                await self.authz.audit(
                    actor,
                    f"{Action.RECORD_ON_BEHALF}",
                    call.unit,
                    f"check-in {day} member {member_id}: {outcome}",
                )
        if not written:
            return PhoneResult(PhoneStatus.ALREADY, call)
        return PhoneResult(PhoneStatus.RECORDED, call, reason=reason)

    async def of_day(self, unit_ids: list[int], day: date) -> PhoneDay:
        found = PhoneDay()
        for record in await self.storage.checkin_phone.of_day(unit_ids, day):
            if record.outcome is PhoneOutcome.UNREACHED:
                found.unreached[record.member_id] = record  # oldest first: the latest stays
            elif record.current:
                found.checked.setdefault(record.unit_id, []).append(record)
        return found

    async def recorded_by(self, checkin: Checkin) -> str | None:
        """Who recorded ``checkin`` by phone (None when it is the member's own)."""
        return await self.storage.checkin_phone.recorded_by(checkin.id)

    async def untold(self, telegram_id: int) -> list[PhoneTold]:
        """What secretaries recorded by phone for the member ``telegram_id`` that they
        have not been told, marked told now (a chat's updates are handled in order)."""
        found = await self.storage.checkin_phone.untold(telegram_id)
        if found:
            await self.storage.checkin_phone.mark_told([t.id for t in found], self.clock.now())
        return found
