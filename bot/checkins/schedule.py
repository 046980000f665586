"""Check-ins on the schedule: how a reminder and a flagged answer's notice render (at send
time, so one that is no longer needed is dropped), and the secretaries' lists when a
window closes."""

from __future__ import annotations

from datetime import date

from bot.checkins.buttons import CheckInNow
from bot.checkins.flagview import case_rows, flag_text
from bot.checkins.service import Unchecked, WindowState
from bot.delivery.outgoing import Outgoing, Renderer, notice_message
from bot.kit.i18n import Html, format_date_iso, format_day, join_html
from bot.services import Services
from storage.checkins import CheckinKind, Missing
from storage.outbox import NewMessage, OutboxRow

LISTED = 20  # names in one list before "…and N more"


class CheckinRenderers:
    def __init__(self, services: Services) -> None:
        self.services = services

    def table(self) -> dict[str, Renderer]:
        return {CheckinKind.REMINDER: self.reminder, CheckinKind.FLAG: self.flag}

    async def reminder(self, row: OutboxRow) -> Outgoing | None:
        """None (dropped) when the member checked in meanwhile, or the window closed."""
        services = self.services
        member = await services.storage.members.get(row.member_id or 0)
        if member is None or not member.active:
            return None
        unit = await services.storage.units.get(member.unit_id)
        window = services.checkins.window(unit)
        day = date.fromisoformat(str(row.payload.get("day")))
        if window.state is not WindowState.OPEN or window.day != day:
            return None
        if await services.checkins.today(member) is not None:
            return None
        i18n, language = services.i18n, member.language
        closes = window.closes.astimezone(services.checkins.zone_of(unit))
        text = i18n.t(
            language,
            "checkin-reminder",
            day=format_day(day, language),
            time=f"{closes:%H:%M}",
        )
        return Outgoing(
            text=text, buttons=[[(i18n.plain(language, "checkin-now"), CheckInNow().pack())]]
        )

    async def flag(self, row: OutboxRow) -> Outgoing | None:
        """A member's flagged answers, in the reader's language, with a Handled and an
        Escalate button per open case; None (dropped) when the check-in is gone or no
        longer flagged, or its cases were handled meanwhile. A payload with a ``case``
        is that case, escalated to this reader."""
        storage = self.services.storage
        reader = await storage.members.get(row.member_id or 0)
        member = await storage.members.get(int(row.payload["member"]))
        if reader is None or member is None:
            return None
        checkin = await storage.checkins.get(member.id, date.fromisoformat(row.payload["day"]))
        unit = await storage.units.get(checkin.unit_id) if checkin else None
        if checkin is None or not checkin.flagged or unit is None:
            return None
        cases = await storage.cases.of_checkin(checkin.id)
        escalated = next((c for c in cases if c.id == row.payload.get("case")), None)
        if escalated is not None:
            cases = [escalated]
        if cases and all(c.handled_at is not None for c in cases):
            return None
        i18n, language = self.services.i18n, reader.language
        questions = self.services.checkins.form.questions
        return Outgoing(
            text=flag_text(i18n, language, member, unit, questions, checkin.answers, escalated),
            buttons=case_rows(i18n, language, cases, questions),
        )


async def close_notices(services: Services, unchecked: list[Unchecked]) -> list[NewMessage]:
    """For each unit's (nearest) secretaries: their members who did not check in, with the
    date of each one's last check-in."""
    i18n, now = services.i18n, services.clock.now()
    per_secretary: dict[int, tuple[int, str, list[Html]]] = {}
    for report in unchecked:
        for secretary in await services.authz.nearest_secretaries(report.unit):
            if secretary.telegram_id is None:
                continue
            language = secretary.language
            # A secretary is not told about themself.
            others = [m for m in report.members if m.member_id != secretary.id]
            if not others:
                continue

            def name(m: Missing, language: str = language) -> str:
                if not m.last_day:
                    return i18n.t(language, "checkin-missing-name-never", name=m.display_name)
                last = format_date_iso(m.last_day)
                return i18n.t(language, "checkin-missing-name", name=m.display_name, last=last)

            line = i18n.t(
                language,
                "checkin-missing-unit",
                unit=report.unit.name,
                count=len(others),
                day=format_day(report.day, language),
                names=i18n.names(language, others, name, count=LISTED),
            )
            entry = per_secretary.setdefault(secretary.id, (secretary.telegram_id, language, []))
            entry[2].append(line)
    return [
        notice_message(
            chat_id,
            i18n.t(language, "checkin-missing", lines=join_html("\n", lines)),
            not_before=now,
            member_id=member_id,
        )
        for member_id, (chat_id, language, lines) in per_secretary.items()
    ]
