"""Grid duty on the schedule: each pass finds the shifts whose next step is due (ask to
confirm, remind, cut-off and cover, start prompt, no-show, end prompt) and queues the
messages through the outbox in the same transaction that records the step (the rules are
``DutyService.run_schedule``). The messages render here, at send time, in the recipient's
language; a prompt or offer that no longer applies is dropped."""

from __future__ import annotations

from bot.delivery.outgoing import Outgoing, Renderer
from bot.duty import buttons as b
from bot.duty.messages import EDITING, KIND_NOTE, KIND_OFFER, KIND_PROMPT, OPENING, Event, Step
from bot.duty.render import DutyNotices
from bot.duty.service import ShiftView
from bot.kit.i18n import Html, Translator, format_day
from bot.services import Services
from storage.models import Member, ShiftStatus
from storage.outbox import OutboxRow

_PROMPTS = {
    Step.ASK: "duty-ask",
    Step.REMIND: "duty-remind",
    Step.START: "duty-start-now",
    Step.END: "duty-end-now",
}
_NOTES = {
    Event.DECLINED: "duty-note-declined",
    Event.UNCONFIRMED: "duty-note-unconfirmed",
    Event.LEFT: "duty-note-left",
    Event.NO_SHOW: "duty-note-no-show",
    Event.UNCOVERED: "duty-note-uncovered",
    Event.COVERED: "duty-note-covered",
    Event.TAKEN: "duty-note-taken",
    Event.ASK_CLOSED: "duty-note-ask-closed",
    Event.OFFER_CLOSED: "duty-note-offer-closed",
}


async def duty_tick(services: Services) -> int:
    """One pass; returns the number of steps taken."""
    return await services.duty.run_schedule(services.authz.nearest_secretaries)


def when_text(view: ShiftView, language: str) -> str:
    """``Sun 29 Nov 20:00–23:00`` in the unit's time; the end's day too when it differs."""
    start = view.shift.starts_at.astimezone(view.zone)
    end = view.shift.ends_at.astimezone(view.zone)
    if start.date() == end.date():
        return f"{format_day(start, language)} {start:%H:%M}–{end:%H:%M}"
    return f"{format_day(start, language)} {start:%H:%M} – {format_day(end, language)} {end:%H:%M}"


def shift_text(i18n: Translator, language: str, view: ShiftView) -> Html:
    """The grid, its unit and the time span, as every duty message shows a shift."""
    return i18n.t(
        language,
        "duty-shift",
        grid=view.grid.name,
        code=view.grid.code,
        unit=view.unit.name,
        when=when_text(view, language),
    )


class DutyRenderers(DutyNotices):
    """The schedule's prompts, offers and notes, and the notices of what was done."""

    def table(self) -> dict[str, Renderer]:
        return {KIND_PROMPT: self.prompt, KIND_OFFER: self.offer, KIND_NOTE: self.note} | (
            super().table()
        )

    def _label(self, member: Member, key: str) -> str:
        return self.services.i18n.plain(member.language, key)

    async def prompt(self, row: OutboxRow) -> Outgoing | None:
        """Ask / remind / start / end, or None once the shift has moved on (confirmed,
        declined, handed on, started, past the no-show grace …)."""
        found = await self._read(row)
        if found is None:
            return None
        view, member = found
        shift, now, settings = view.shift, self.services.clock.now(), self.services.settings.duty
        step = Step(row.payload["step"])
        if shift.member_id != member.id:
            return None
        if step is Step.ASK or step is Step.REMIND:
            until = (
                shift.starts_at if step is Step.ASK else shift.starts_at - settings.cutoff_before
            )
            if shift.status is not ShiftStatus.ASSIGNED or now >= until:
                return None
            buttons = [
                (self._label(member, "duty-button-confirm"), b.ConfirmShift(shift.id).pack()),
                (self._label(member, "duty-button-decline"), b.DeclineShift(shift.id).pack()),
            ]
        elif step is Step.START:
            late = now >= shift.starts_at + settings.no_show_grace
            if shift.status is not ShiftStatus.CONFIRMED or late:
                return None
            buttons = [(self._label(member, "duty-button-start"), b.StartDuty(shift.id).pack())]
        else:
            if shift.status is not ShiftStatus.STARTED:
                return None
            buttons = [(self._label(member, "onduty-end-button"), b.EndDuty(shift.id).pack())]
        i18n, language = self.services.i18n, member.language
        text = i18n.t(language, _PROMPTS[step], shift=shift_text(i18n, language, view))
        return Outgoing(text=text, buttons=[buttons])

    async def offer(self, row: OutboxRow) -> Outgoing | None:
        """Cover needed, or None once taken, cancelled or started."""
        found = await self._read(row)
        if found is None:
            return None
        view, member = found
        if view.shift.status is not ShiftStatus.OPEN:
            return None
        if self.services.clock.now() >= view.shift.starts_at:
            return None
        i18n, language = self.services.i18n, member.language
        text = i18n.t(language, "duty-offer", shift=shift_text(i18n, language, view))
        take = (self._label(member, "duty-button-take"), b.TakeShift(view.shift.id).pack())
        return Outgoing(text=text, buttons=[[take]])

    async def note(self, row: OutboxRow) -> Outgoing | None:
        """What happened to a shift: it stays true, so it is never dropped; but one meant
        to edit an earlier message (an offer, a request) is, when there is none."""
        found = await self._read(row)
        if found is None:
            return None
        view, member = found
        i18n, language = self.services.i18n, member.language
        event = Event(row.payload["event"])
        subject = await self.services.storage.members.get(int(row.payload.get("subject", 0)))
        offers = (
            i18n.t(language, "duty-offered", count=int(row.payload.get("count", 0)))
            if event in OPENING
            else Html("")
        )
        text = i18n.t(
            language,
            _NOTES[event],
            name=subject.display_name if subject else "—",
            shift=shift_text(i18n, language, view),
            reason=str(row.payload.get("reason", "")),
            offers=offers,
        )
        if event not in EDITING:
            return Outgoing(text=text)
        # The offer or request itself says so, and loses its buttons.
        earlier: dict[str, str | int] = {"shift": view.shift.id}
        if event is Event.ASK_CLOSED:
            kind, earlier["step"] = KIND_PROMPT, str(row.payload["step"])
        else:
            kind = KIND_OFFER
        edit = await self.services.storage.outbox.last_sent(kind, member.id, **earlier)
        if edit is None and event is not Event.TAKEN:  # never sent: no buttons to take off
            return None
        return Outgoing(text=text, edit=edit)
