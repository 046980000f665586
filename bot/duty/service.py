"""A shift's life before and around duty: asking the member to confirm, one reminder, the
cut-off, declining with a reason, cover offers (first to accept wins), the start and end
prompts, no-shows, and shifts opened when their member leaves the unit. Starting and
ending duty are ``bot/duty/on_duty.py``; the roster itself ``bot/duty/roster.py``.

The shift row is the schedule (see ``storage/migrations/0008_duty.sql``): each step is a
timestamp column set in the same transaction that queues the step's messages, so a
restart neither repeats nor skips one. Messages are outbox rows of the duty kinds,
rendered at send time by ``bot/duty/schedule.py`` (which drops one that no longer applies);
their kinds and payloads are ``bot/duty/messages.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.duty.config import START_EARLY, DutySettings
from bot.duty.messages import KIND_NOTE, KIND_OFFER, KIND_PROMPT, Event, Step, message, note
from bot.kit.clock import Clock
from bot.kit.people import require_active
from bot.kit.zones import unit_zone
from bot.org.authz import Authorizer
from storage import Storage
from storage.models import Grid, Member, Shift, ShiftStatus, Unit
from storage.outbox import NewMessage
from storage.store import Connection

# Shifts one step takes per pass: a huge roster is worked through over a few ticks.
BATCH = 200
REASON_LIMIT = 200
# /duty: shifts starting within this span, at most this many.
LISTED_SPAN = timedelta(days=7)
LISTED = 10

# The secretaries to tell about a unit's shift (``Authorizer.nearest_secretaries``).
Secretaries = Callable[[Unit], Awaitable[list[Member]]]
# What one schedule step does to the shifts due, inside its transaction.
Take = Callable[[Connection, Sequence[Shift]], Awaitable[None]]
# The messages that take off buttons a step makes stale (read before the step).
Close = Callable[[Sequence[Shift], datetime], Awaitable[list[NewMessage]]]


class Verdict(StrEnum):
    """How a member's press on a shift came out."""

    DONE = "done"
    ALREADY = "already"  # already confirmed, or already theirs
    NOT_YOURS = "not_yours"  # someone else's, handed on, or unknown
    CANCELLED = "cancelled"
    OVER = "over"  # started, ended, a no-show, or its start has passed
    TAKEN = "taken"  # somebody else covered it first
    BUSY = "busy"  # another of their shifts overlaps it
    OTHER_UNIT = "other_unit"  # not a member of the grid's unit


@dataclass(frozen=True, slots=True)
class ShiftView:
    """A shift with what a message about it needs."""

    shift: Shift
    grid: Grid
    unit: Unit
    zone: ZoneInfo


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    view: ShiftView | None = None


@dataclass(frozen=True, slots=True)
class Listing:
    """``/duty``: the member's own shifts ahead, and open ones they could take."""

    mine: list[ShiftView]
    open: list[ShiftView]


def reason_problem(text: str) -> str | None:
    """Why a typed decline reason cannot be taken ("empty", "too_long"), or None."""
    reason = text.strip()
    if not reason:
        return "empty"
    if len(reason) > REASON_LIMIT:
        return "too_long"
    return None


async def release_shifts(storage: Storage, member_id: int, now: datetime) -> int:
    """A member leaves their unit (moved or deactivated): their shifts not yet started are
    opened for cover; the schedule tells the secretaries and offers them on its next pass.
    Joins the caller's transaction, so the change and the opening commit together."""
    async with storage.db.transaction() as conn:
        return await storage.shifts.release(conn, member_id, now)


class DutyService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        authz: Authorizer,
        settings: DutySettings,
        zone: ZoneInfo,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.authz = authz
        self.settings = settings
        self.zone = zone

    # Looking -----------------------------------------------------------------

    async def view(self, shift: Shift) -> ShiftView:
        grid = await self.storage.grids.get(shift.grid_id)
        unit = await self.storage.units.get(shift.unit_id)
        assert grid is not None and unit is not None  # foreign keys
        zone = unit_zone(unit, self.zone)
        return ShiftView(shift, grid, unit, zone)

    async def find(self, shift_id: int) -> ShiftView | None:
        shift = await self.storage.shifts.get(shift_id)
        return await self.view(shift) if shift else None

    async def listing(self, member: Member) -> Listing:
        require_active(member)
        now = self.clock.now()
        until = now + LISTED_SPAN
        mine = await self.storage.shifts.of_member(
            member.id,
            (ShiftStatus.ASSIGNED, ShiftStatus.CONFIRMED, ShiftStatus.STARTED, ShiftStatus.NO_SHOW),
            ends_after=now,
            starts_before=until,
            limit=LISTED,
        )
        room = LISTED - len(mine)
        others = (
            await self.storage.shifts.open_for(
                member.id, member.unit_id, now=now, starts_before=until, limit=room
            )
            if room > 0 and member.active
            else []
        )
        return Listing([await self.view(s) for s in mine], [await self.view(s) for s in others])

    def startable(self, shift: Shift) -> bool:
        """Whether "Start duty" belongs next to the shift now (the on-duty side decides)."""
        now = self.clock.now()
        ready = shift.status in (ShiftStatus.CONFIRMED, ShiftStatus.NO_SHOW)
        return ready and shift.starts_at - START_EARLY <= now < shift.ends_at

    # A member's presses ------------------------------------------------------

    async def confirm(self, member: Member, shift_id: int) -> Outcome:
        require_active(member)
        async with self.storage.db.transaction() as conn:
            done = await self.storage.shifts.confirm(conn, shift_id, member.id, self.clock.now())
        return await self._outcome(member, shift_id, done)

    async def declinable(self, member: Member, shift_id: int) -> Outcome:
        """DONE when the member may decline the shift now (asked before the reason)."""
        require_active(member)
        shift = await self.storage.shifts.get(shift_id)
        verdict = self._why_not(member, shift)
        if verdict is Verdict.ALREADY:  # a confirmed shift may still be given up
            verdict = Verdict.DONE
        return Outcome(verdict, await self.view(shift) if shift else None)

    async def decline(
        self, member: Member, shift_id: int, reason: str, secretaries: Secretaries
    ) -> Outcome:
        """Give the shift up with a reason: it is open for cover at once, the secretaries
        are told and the unit's free members offered it, all in one transaction."""
        require_active(member)
        reason = reason.strip()
        if reason_problem(reason):
            raise ValueError("check the reason with reason_problem first")
        now = self.clock.now()
        async with self.storage.db.transaction() as conn:
            done = await self.storage.shifts.decline(conn, shift_id, member.id, reason, now)
            if done:
                opened = await self.storage.shifts.get(shift_id)
                assert opened is not None
                await self._announce(
                    conn, [opened], Event.DECLINED, secretaries, now, reason=reason
                )
        return await self._outcome(member, shift_id, done)

    async def take(self, member: Member, shift_id: int, secretaries: Secretaries) -> Outcome:
        """Cover an open shift: the first press wins; the secretaries hear who covered and
        the other members offered it that it is taken."""
        require_active(member)
        now = self.clock.now()
        async with self.storage.db.transaction() as conn:
            done = member.active and await self.storage.shifts.cover(
                conn, shift_id, member.id, member.unit_id, now
            )
            shift = await self.storage.shifts.get(shift_id)
            if done and shift is not None:
                others = [
                    message(KIND_NOTE, chat, who, note(shift_id, Event.TAKEN), now)
                    for who, chat in await self.storage.shifts.offered(shift_id)
                    if who != member.id
                ]
                notes = await self._notes([shift], Event.COVERED, secretaries, now)
                await self.storage.outbox.enqueue_many(conn, [*notes, *others], now)
        if shift is None:
            return Outcome(Verdict.NOT_YOURS)
        view = await self.view(shift)
        if done:
            return Outcome(Verdict.DONE, view)
        if shift.member_id == member.id:
            return Outcome(Verdict.ALREADY, view)
        if shift.status is ShiftStatus.CANCELLED:
            return Outcome(Verdict.CANCELLED, view)
        if shift.status is not ShiftStatus.OPEN:
            return Outcome(Verdict.TAKEN, view)
        if shift.starts_at <= now:
            return Outcome(Verdict.OVER, view)
        if not member.active or member.unit_id != shift.unit_id:
            return Outcome(Verdict.OTHER_UNIT, view)
        return Outcome(Verdict.BUSY, view)

    async def release(self, member: Member) -> int:
        """The member's shifts ahead opened for cover (see :func:`release_shifts`)."""
        return await release_shifts(self.storage, member.id, self.clock.now())

    async def _outcome(self, member: Member, shift_id: int, done: bool) -> Outcome:
        shift = await self.storage.shifts.get(shift_id)
        verdict = Verdict.DONE if done else self._why_not(member, shift)
        return Outcome(verdict, await self.view(shift) if shift else None)

    def _why_not(self, member: Member, shift: Shift | None) -> Verdict:
        """Why the member cannot confirm (or decline) the shift now."""
        if shift is None:
            return Verdict.NOT_YOURS
        if shift.status is ShiftStatus.CANCELLED:
            return Verdict.CANCELLED
        if shift.member_id != member.id:
            return Verdict.NOT_YOURS
        if shift.status not in (ShiftStatus.ASSIGNED, ShiftStatus.CONFIRMED):
            return Verdict.OVER
        if shift.starts_at <= self.clock.now():
            return Verdict.OVER
        return Verdict.ALREADY if shift.status is ShiftStatus.CONFIRMED else Verdict.DONE

    # The schedule ------------------------------------------------------------

    async def run_schedule(self, secretaries: Secretaries) -> int:
        """Every step due now, each in its own transaction with its messages; returns the
        number of shifts moved on. Steps come in the order a shift meets them, so a late
        confirmation request is recorded before the cut-off would look at the shift."""
        now, s = self.clock.now(), self.settings
        shifts = self.storage.shifts
        assigned, confirmed = (ShiftStatus.ASSIGNED,), (ShiftStatus.CONFIRMED,)
        opened = (ShiftStatus.OPEN,)

        def ids(due: Sequence[Shift]) -> list[int]:
            return [x.id for x in due]

        def prompt(step: Step, column: str) -> Take:
            async def take(conn: Connection, due: Sequence[Shift]) -> None:
                await shifts.mark(conn, ids(due), now, column)
                await self._prompt(conn, due, step, now)

            return take

        def tell(
            event: Event, column: str, status: ShiftStatus | None = None, *, close: Close
        ) -> Take:
            """Record the step, tell the secretaries, take off the buttons it ends."""

            async def take(conn: Connection, due: Sequence[Shift]) -> None:
                closing = await close(due, now)  # read before the step changes the shifts
                await shifts.mark(conn, ids(due), now, column, status=status)
                await self._tell(conn, due, event, secretaries, now)
                await self.storage.outbox.enqueue_many(conn, closing, now)

            return take

        async def ask(conn: Connection, due: Sequence[Shift]) -> None:
            # Assigned after its cut-off: asked at once, and given until the start.
            late = [x.id for x in due if x.starts_at <= now + s.cutoff_before]
            await shifts.mark(conn, [i for i in ids(due) if i not in late], now, "confirm_asked_at")
            await shifts.mark(conn, late, now, "confirm_asked_at", "cutoff_at")
            await self._prompt(conn, due, Step.ASK, now)

        async def cut_off(conn: Connection, due: Sequence[Shift]) -> None:
            closing = await self._close_asks(due, now)  # while the shifts have their member
            await shifts.open_unconfirmed(conn, ids(due), now)
            await self._announce(conn, due, Event.UNCONFIRMED, secretaries, now)
            await self.storage.outbox.enqueue_many(conn, closing, now)

        async def unanswered(due: Sequence[Shift], now: datetime) -> list[NewMessage]:
            # Asked after the cut-off and never answered: the request closes at the no-show.
            return await self._close_asks([x for x in due if x.status in assigned], now)

        async def left(conn: Connection, due: Sequence[Shift]) -> None:
            await shifts.mark(conn, ids(due), now, "cover_opened_at")
            await self._announce(conn, due, Event.LEFT, secretaries, now)

        steps: list[tuple[str, tuple[ShiftStatus, ...], dict[str, datetime], Take]] = [
            (
                "confirm_asked_at",
                assigned,
                {"starts_after": now, "starts_by": now + s.confirm_before},
                ask,
            ),
            (
                "reminded_at",
                assigned,
                {"starts_after": now + s.cutoff_before, "asked_by": now - s.remind_after},
                prompt(Step.REMIND, "reminded_at"),
            ),
            (
                "cutoff_at",
                assigned,
                {"starts_after": now, "starts_by": now + s.cutoff_before, "asked_by": now},
                cut_off,
            ),
            # Opened by a member leaving the unit, not yet announced.
            ("cover_opened_at", opened, {"starts_after": now}, left),
            # Never a stale "start now": past the grace the shift is a no-show instead.
            (
                "start_prompted_at",
                confirmed,
                {"starts_after": now - s.no_show_grace, "starts_by": now},
                prompt(Step.START, "start_prompted_at"),
            ),
            (
                "no_show_at",
                (*assigned, *confirmed),
                {"starts_by": now - s.no_show_grace},
                tell(Event.NO_SHOW, "no_show_at", ShiftStatus.NO_SHOW, close=unanswered),
            ),
            (
                "uncovered_at",
                opened,
                {"starts_by": now},
                tell(Event.UNCOVERED, "uncovered_at", close=self._close_offers),
            ),
            (
                "end_prompted_at",
                (ShiftStatus.STARTED,),
                {"ends_by": now},
                prompt(Step.END, "end_prompted_at"),
            ),
        ]
        done = 0
        for column, statuses, bounds, take in steps:
            async with self.storage.db.transaction() as conn:
                due = await shifts.due(column, statuses, limit=BATCH, **bounds)
                await take(conn, due)
            done += len(due)
        return done

    async def _prompt(
        self, conn: Connection, due: Sequence[Shift], step: Step, now: datetime
    ) -> None:
        """The step's message to each shift's member (rendered, or dropped, at send time)."""
        chats = await self.storage.shifts.member_chats([x.id for x in due])
        messages = [
            message(KIND_PROMPT, chats[x.id], x.member_id, {"shift": x.id, "step": step}, now)
            for x in due
            if x.member_id is not None and x.id in chats
        ]
        await self.storage.outbox.enqueue_many(conn, messages, now)

    async def _close_asks(self, due: Sequence[Shift], now: datetime) -> list[NewMessage]:
        """For each shift, one message per request its member was sent (the ask and the
        reminder), each to edit that request and take its Confirm / Decline off."""
        chats = await self.storage.shifts.member_chats([x.id for x in due])
        messages = []
        for x in due:
            if x.member_id is None or x.id not in chats:
                continue
            for step, asked in ((Step.ASK, x.confirm_asked_at), (Step.REMIND, x.reminded_at)):
                if asked is not None:
                    payload = {**note(x.id, Event.ASK_CLOSED), "step": step}
                    messages.append(message(KIND_NOTE, chats[x.id], x.member_id, payload, now))
        return messages

    async def _close_offers(self, due: Sequence[Shift], now: datetime) -> list[NewMessage]:
        """To each member offered one of the shifts: edit the offer, its Take button off."""
        return [
            message(KIND_NOTE, chat, who, note(x.id, Event.OFFER_CLOSED), now)
            for x in due
            for who, chat in await self.storage.shifts.offered(x.id)
        ]

    async def _tell(
        self,
        conn: Connection,
        due: Sequence[Shift],
        event: Event,
        secretaries: Secretaries,
        now: datetime,
    ) -> None:
        await self.storage.outbox.enqueue_many(
            conn, await self._notes(due, event, secretaries, now), now
        )

    async def _announce(
        self,
        conn: Connection,
        opened: Sequence[Shift],
        event: Event,
        secretaries: Secretaries,
        now: datetime,
        *,
        reason: str | None = None,
    ) -> None:
        """Shifts just opened for cover: offered to the unit's members free to take them,
        who is recorded; the secretaries are told, with how many it was offered to."""
        candidates = await self.storage.shifts.cover_candidates([x.id for x in opened])
        await self.storage.shifts.add_offers(conn, [(s, m) for s, m, _ in candidates], now)
        offers = [
            message(KIND_OFFER, chat, member_id, {"shift": shift_id}, now)
            for shift_id, member_id, chat in candidates
        ]
        counts = {x.id: sum(1 for s, _, _ in candidates if s == x.id) for x in opened}
        notes = await self._notes(opened, event, secretaries, now, counts=counts, reason=reason)
        await self.storage.outbox.enqueue_many(conn, [*notes, *offers], now)

    async def _notes(
        self,
        about: Sequence[Shift],
        event: Event,
        secretaries: Secretaries,
        now: datetime,
        *,
        counts: dict[int, int] | None = None,
        reason: str | None = None,
    ) -> list[NewMessage]:
        """A note on each shift to its unit's (nearest) secretaries; nobody is told about
        themself. The note names whoever the event is about: the member who had the
        shift, or (covered) who has it now."""
        units = {u.id: u for u in await self.storage.units.many(list({x.unit_id for x in about}))}
        told: dict[int, list[Member]] = {}
        messages = []
        for shift in about:
            if shift.unit_id not in told:
                told[shift.unit_id] = await secretaries(units[shift.unit_id])
            # Read before the step for cut-offs and no-shows, after it for the others.
            subject = shift.member_id or shift.declined_member_id
            payload = note(shift.id, event, subject=subject, reason=reason)
            if counts is not None:
                payload["count"] = counts.get(shift.id, 0)
            messages += [
                message(KIND_NOTE, secretary.telegram_id, secretary.id, payload, now)
                for secretary in told[shift.unit_id]
                if secretary.telegram_id is not None and secretary.id != subject
            ]
        return messages
