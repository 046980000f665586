"""On duty: starting a shift (maybe with a location, compared with the grid's centre),
ending it with the configured report, and incidents reported meanwhile.

Every change is one transaction together with the outbox messages it causes (the
secretaries' notices), so a crash leaves neither a start without its notice nor the
other way round. The service knows who must hear of what; ``bot/duty/render.py`` words
it when it is sent, in each reader's language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.duty.config import START_EARLY, DutySettings
from bot.duty.messages import KIND_INCIDENT, KIND_STARTED, message
from bot.duty.service import DutyService, Secretaries, ShiftView
from bot.kit.clock import Clock
from bot.kit.figures import DUTY, figures_of
from bot.kit.forms import AnswerError, check_answer
from bot.kit.people import require_active
from storage import Storage
from storage.incidents import Incident
from storage.models import Grid, Member, Shift, ShiftStatus, Unit

INCIDENT_TEXT_LIMIT = 1000
_EARTH_RADIUS_M = 6_371_000


class DutyError(Exception):
    """Why a duty step cannot be taken; ``reason`` maps to a catalogue message and
    ``details`` carries what the message needs."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True, slots=True)
class OnDuty:
    """A member's shift with what a message about it needs."""

    view: ShiftView
    member: Member

    @property
    def shift(self) -> Shift:
        return self.view.shift

    @property
    def grid(self) -> Grid:
        return self.view.grid

    @property
    def unit(self) -> Unit:
        return self.view.unit


@dataclass(frozen=True, slots=True)
class Started:
    duty: OnDuty
    late: bool  # started after it had been marked a no-show
    distance_m: int | None  # from the grid's centre, when both are known
    outside: bool  # farther than the grid's radius


@dataclass(frozen=True, slots=True)
class IncidentReport:
    duty: OnDuty
    incident: Incident


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Great-circle distance in metres (haversine; plenty for "inside the grid or not")."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * _EARTH_RADIUS_M * math.asin(math.sqrt(a)))


class OnDutyService:
    def __init__(
        self, storage: Storage, clock: Clock, settings: DutySettings, duty: DutyService
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.settings = settings
        self.duty_service = duty

    async def duty(self, member: Member, shift_id: int) -> OnDuty:
        """The member's own shift, or DutyError("not_yours") (someone else's, cancelled,
        handed to a cover, or made up)."""
        require_active(member)
        shift = await self.storage.shifts.get(shift_id)
        if shift is None or shift.member_id != member.id:
            raise DutyError("not_yours")
        if shift.status is ShiftStatus.CANCELLED:
            raise DutyError("cancelled")
        return OnDuty(await self.duty_service.view(shift), member)

    async def startable(self, member: Member, shift_id: int) -> OnDuty:
        """The shift if "Start duty" may be pressed now, else DutyError saying why."""
        duty = await self.duty(member, shift_id)
        shift, now = duty.shift, self.clock.now()
        if shift.status is ShiftStatus.STARTED:
            raise DutyError("already_started", at=shift.started_at)
        if shift.status is ShiftStatus.COMPLETED:
            raise DutyError("already_ended", at=shift.ended_at)
        if shift.status is ShiftStatus.OPEN:
            raise DutyError("not_yours")
        if now >= shift.ends_at:
            raise DutyError("over", at=shift.ends_at)
        if now < shift.starts_at - START_EARLY:
            raise DutyError("too_early", at=shift.starts_at - START_EARLY)
        return duty

    async def start(
        self,
        member: Member,
        shift_id: int,
        location: tuple[float, float] | None,
        secretaries: Secretaries,
    ) -> Started:
        """Start duty, once. A start far from the grid is recorded and reported, not
        refused: the secretary judges (GPS drifts, grids are drawn roughly)."""
        duty = await self.startable(member, shift_id)
        grid = duty.grid
        distance = None
        if location is not None and grid.lat is not None and grid.lon is not None:
            distance = distance_m(location[0], location[1], grid.lat, grid.lon)
        outside = distance is not None and grid.radius_m is not None and distance > grid.radius_m
        now = self.clock.now()
        late = duty.shift.status is ShiftStatus.NO_SHOW
        async with self.storage.db.transaction() as conn:
            lat, lon = location if location is not None else (None, None)
            if not await self.storage.shifts.mark_started(
                conn, shift_id, member.id, now=now, lat=lat, lon=lon, distance_m=distance
            ):
                raise DutyError("already_started", at=now)  # a double tap lost the race
            started = await self.storage.shifts.get(shift_id)
            assert started is not None
            view = replace(duty.view, shift=started)
            result = Started(OnDuty(view, member), late, distance, outside)
            if late or outside:
                payload: dict[str, Any] = {"shift": shift_id, "subject": member.id, "late": late}
                if outside:  # as judged now: the grid's radius may change before it is sent
                    payload |= {"distance": distance, "radius": grid.radius_m}
                await self._tell(conn, duty.unit, KIND_STARTED, payload, secretaries, now)
        return result

    async def endable(self, member: Member, shift_id: int) -> OnDuty:
        """The shift if "End duty" may be pressed: it was started and has not ended."""
        duty = await self.duty(member, shift_id)
        if duty.shift.status is ShiftStatus.COMPLETED:
            raise DutyError("already_ended", at=duty.shift.ended_at)
        if duty.shift.status is not ShiftStatus.STARTED:
            raise DutyError("not_started")
        return duty

    async def end(self, member: Member, shift_id: int, answers: dict[str, Any]) -> OnDuty:
        """End duty with the report; every answer is checked again (the configuration
        may have changed while the member was answering)."""
        duty = await self.endable(member, shift_id)
        try:
            report = {q.id: check_answer(q, answers.get(q.id)) for q in self.settings.report}
        except AnswerError as exc:
            raise DutyError("report_changed") from exc
        now = self.clock.now()
        async with self.storage.db.transaction() as conn:
            figures = figures_of(self.settings.report, report, DUTY)
            if not await self.storage.shifts.mark_completed(
                conn, shift_id, member.id, now=now, report=report, figures=figures
            ):
                raise DutyError("already_ended", at=now)
        ended = await self.storage.shifts.get(shift_id)
        assert ended is not None
        return OnDuty(replace(duty.view, shift=ended), member)

    async def reportable(self, member: Member, shift_id: int) -> OnDuty:
        """Incidents are reported while on duty (started, not yet ended)."""
        duty = await self.duty(member, shift_id)
        if duty.shift.status is not ShiftStatus.STARTED:
            raise DutyError("not_on_duty")
        return duty

    async def report_incident(
        self,
        member: Member,
        shift_id: int,
        *,
        text: str | None,
        photo: str | None,
        location: tuple[float, float] | None,
        secretaries: Secretaries,
    ) -> IncidentReport:
        """Keep the incident and tell the secretaries, in one transaction."""
        duty = await self.reportable(member, shift_id)
        text = (text or "").strip() or None
        if text is None and photo is None and location is None:
            raise DutyError("incident_empty")
        if text is not None and len(text) > INCIDENT_TEXT_LIMIT:
            raise DutyError("incident_too_long", limit=INCIDENT_TEXT_LIMIT, length=len(text))
        now = self.clock.now()
        lat, lon = location if location is not None else (None, None)
        async with self.storage.db.transaction() as conn:
            incident_id = await self.storage.incidents.add(
                conn,
                shift_id=shift_id,
                member_id=member.id,
                unit_id=duty.shift.unit_id,
                day=duty.shift.day,
                now=now,
                text=text,
                photo_file_id=photo,
                lat=lat,
                lon=lon,
            )
            incident = Incident(
                incident_id,
                shift_id,
                member.id,
                duty.shift.unit_id,
                duty.shift.day,
                now,
                text,
                photo,
                lat,
                lon,
            )
            result = IncidentReport(duty, incident)
            payload = {"shift": shift_id, "incident": incident_id}
            await self._tell(conn, duty.unit, KIND_INCIDENT, payload, secretaries, now)
        return result

    async def _tell(
        self,
        conn: Any,
        unit: Unit,
        kind: str,
        payload: dict[str, Any],
        secretaries: Secretaries,
        now: datetime,
    ) -> None:
        """A ``kind`` message to each of the unit's (nearest) secretaries."""
        messages = [
            message(kind, secretary.telegram_id, secretary.id, payload, now)
            for secretary in await secretaries(unit)
            if secretary.telegram_id is not None
        ]
        if messages:
            await self.storage.outbox.enqueue_many(conn, messages, now)
