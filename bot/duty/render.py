"""Duty's notices about what was done to a shift: a start after the no-show alert or far
from the grid, an incident reported on duty (to the secretaries), a shift cancelled (to its
member). The services queue each kind with its cause, in the same transaction; it is worded
here when sent, in the reader's language, as the schedule's prompts and notes are
(``bot/duty/schedule.py``). A notice stays true, so it is dropped only when what it is
about is gone."""

from __future__ import annotations

from datetime import date

from bot.delivery.outgoing import Attachment, Outgoing, Renderer
from bot.duty.messages import KIND_CANCELLED, KIND_INCIDENT, KIND_STARTED
from bot.duty.service import ShiftView
from bot.duty.wording import grid_label
from bot.kit.i18n import Html, format_day
from bot.services import Services
from storage.models import AttachmentKind, Member
from storage.outbox import OutboxRow


class DutyNotices:
    """The renderers of these kinds (``DutyRenderers`` adds the schedule's)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def table(self) -> dict[str, Renderer]:
        return {
            KIND_STARTED: self.started,
            KIND_INCIDENT: self.incident,
            KIND_CANCELLED: self.cancelled,
        }

    async def _read(self, row: OutboxRow) -> tuple[ShiftView, Member] | None:
        """The row's shift (as it is now) and its recipient; None when either is gone."""
        storage = self.services.storage
        shift = await storage.shifts.get(int(row.payload["shift"]))
        member = await storage.members.get(row.member_id or 0)
        if shift is None or member is None:
            return None
        return await self.services.duty.view(shift), member

    async def _name(self, member_id: int) -> str:
        """The display name of the member the notice is about."""
        member = await self.services.storage.members.get(member_id)
        return member.display_name if member else "—"

    async def started(self, row: OutboxRow) -> Outgoing | None:
        """A late start (after the no-show alert) or a start far from the grid."""
        found = await self._read(row)
        if found is None:
            return None
        view, reader = found
        i18n, language = self.services.i18n, reader.language
        at = (view.shift.started_at or view.shift.starts_at).astimezone(view.zone)
        notes = []
        if row.payload.get("late"):
            notes.append(i18n.t(language, "onduty-notice-late"))
        if "distance" in row.payload:
            distance, radius = row.payload["distance"] or 0, row.payload.get("radius") or 0
            notes.append(
                i18n.t(language, "onduty-notice-outside", distance=distance, radius=radius)
            )
        text = i18n.t(
            language,
            "onduty-start-notice",
            name=await self._name(int(row.payload["subject"])),
            grid=view.grid.name,
            unit=view.unit.name,
            time=f"{at:%H:%M}",
            notes=Html("\n".join(notes)),
        )
        return Outgoing(text=text)

    async def incident(self, row: OutboxRow) -> Outgoing | None:
        """An incident, with its photo just before the text."""
        found = await self._read(row)
        incident = await self.services.storage.incidents.get(int(row.payload["incident"]))
        if found is None or incident is None:
            return None
        view, reader = found
        i18n, language = self.services.i18n, reader.language
        at = incident.at.astimezone(view.zone)
        where = (
            i18n.t(
                language,
                "onduty-incident-where",
                lat=f"{incident.lat:.5f}",
                lon=f"{incident.lon:.5f}",
            )
            if incident.lat is not None and incident.lon is not None
            else ""
        )
        text = i18n.t(
            language,
            "onduty-incident-notice",
            name=await self._name(incident.member_id),
            grid=view.grid.name,
            unit=view.unit.name,
            time=f"{at:%H:%M}",
            text=incident.text or "—",
            where=Html(where),
        )
        photo = incident.photo_file_id
        return Outgoing(
            text=text, attachment=Attachment(AttachmentKind.PHOTO, photo) if photo else None
        )

    async def cancelled(self, row: OutboxRow) -> Outgoing | None:
        """The member's shift was cancelled by their secretary."""
        found = await self._read(row)
        if found is None:
            return None
        view, reader = found
        language = reader.language
        starts, ends = (
            view.shift.starts_at.astimezone(view.zone),
            view.shift.ends_at.astimezone(view.zone),
        )
        text = self.services.i18n.t(
            language,
            "roster-cancelled-notice",
            grid=grid_label(view.grid),
            day=format_day(date.fromisoformat(view.shift.day), language),
            time=f"{starts:%H:%M}–{ends:%H:%M}",
        )
        return Outgoing(text=text)
