"""Reports on the schedule: the reminder, the level above's list of units that did not
report, and its digest of the children's reports, each worded when sent in its reader's
language (and dropped when no longer needed)."""

from __future__ import annotations

from datetime import date

from bot.checkins.service import WindowState
from bot.delivery.outgoing import Outgoing, Renderer
from bot.kit.forms import answers_summary, text_in
from bot.kit.i18n import Html, format_day, join_html
from bot.reports.buttons import OpenReport
from bot.reports.config import ReportForm
from bot.reports.tally import unit_names
from bot.services import Services
from storage.models import Unit
from storage.outbox import OutboxRow
from storage.reports import ReportKind

TEXT_LIMIT = 4096
# Room kept for the digest's title and its "not reported" and "…and N more" lines.
DIGEST_MARGIN = 600


class ReportRenderers:
    def __init__(self, services: Services) -> None:
        self.services = services

    def table(self) -> dict[str, Renderer]:
        return {
            ReportKind.REMINDER: self.reminder,
            ReportKind.MISSING: self.missing,
            ReportKind.DIGEST: self.digest,
        }

    async def reminder(self, row: OutboxRow) -> Outgoing | None:
        """None (dropped) when the unit reported meanwhile, the window passed, or the
        reader no longer answers that form for that unit."""
        services = self.services
        reports, storage = services.reports, services.storage
        member = await storage.members.get(row.member_id or 0)
        form = reports.form(row.payload.get("form"))
        if member is None or form is None:
            return None
        unit_id = int(row.payload["unit"])
        duties = [d for d in await reports.duties(member) if d.form.id == form.id]
        duty = next((d for d in duties if d.unit.id == unit_id), None)
        if duty is None:
            return None
        window = reports.window(form, duty.unit)
        day = date.fromisoformat(row.payload["day"])
        if window.state is not WindowState.OPEN or window.day != day:
            return None
        if await reports.filed(duty, day) is not None:
            return None
        i18n, language = services.i18n, member.language
        due = window.closes.astimezone(services.checkins.zone_of(duty.unit))
        text = i18n.t(
            language,
            "report-reminder",
            title=text_in(language, form.title),
            unit=duty.unit.name,
            day=format_day(day, language),
            time=f"{due:%H:%M}",
        )
        button = (i18n.plain(language, "report-now"), OpenReport(form.id, unit_id).pack())
        return Outgoing(text=text, buttons=[[button]])

    async def _above(self, row: OutboxRow) -> tuple[ReportForm, str, Unit, date] | None:
        """A message to the level above: its form, the reader's language, the parent unit
        and the day; None when one of them is gone."""
        services = self.services
        form = services.reports.form(row.payload.get("form"))
        reader = await services.storage.members.get(row.member_id or 0)
        parent = await services.storage.units.get(int(row.payload["parent"]))
        if form is None or reader is None or parent is None:
            return None
        return form, reader.language, parent, date.fromisoformat(row.payload["day"])

    async def _units(self, row: OutboxRow) -> list[Unit]:
        return await self.services.storage.units.many([int(u) for u in row.payload["units"]])

    async def missing(self, row: OutboxRow) -> Outgoing | None:
        """The units still without a report; None when they all reported meanwhile."""
        services = self.services
        found = await self._above(row)
        if found is None:
            return None
        form, language, parent, day = found
        units = await self._units(row)
        filed = await services.storage.reports.of_units(form.id, [u.id for u in units], day)
        late = sorted((u for u in units if u.id not in filed), key=lambda u: u.name)
        if not late:
            return None
        i18n = services.i18n
        text = i18n.t(
            language,
            "report-missing",
            title=text_in(language, form.title),
            unit=parent.name,
            day=format_day(day, language),
            count=len(late),
            units=unit_names(i18n, language, late),
        )
        return Outgoing(text=text)

    async def digest(self, row: OutboxRow) -> Outgoing | None:
        """Each child's answers (who filed, when), then the children that did not report,
        folded under Telegram's 4,096 characters."""
        services = self.services
        found = await self._above(row)
        if found is None:
            return None
        form, language, parent, day = found
        i18n, storage = services.i18n, services.storage
        children = sorted(await self._units(row), key=lambda u: u.name)
        if not children:
            return None
        filed = await storage.reports.of_units(form.id, [u.id for u in children], day)
        authors = {
            m.id: m
            for m in [await storage.members.get(r.member_id or 0) for r in filed.values()]
            if m is not None
        }
        zone = services.checkins.zone_of(parent)

        def block(unit: Unit) -> Html:
            report = filed[unit.id]
            author = authors.get(report.member_id or 0)
            return i18n.t(
                language,
                "report-digest-unit",
                unit=unit.name,
                name=author.display_name if author else "—",
                time=f"{report.updated_at.astimezone(zone):%H:%M}",
                answers=answers_summary(i18n, language, form.questions, report.answers),
            )

        reported = [u for u in children if u.id in filed]
        late = [u for u in children if u.id not in filed]
        parts: list[str] = [
            i18n.t(
                language,
                "report-digest-title",
                title=text_in(language, form.title),
                unit=parent.name,
                day=format_day(day, language),
                reported=len(reported),
                total=len(children),
            )
        ]
        budget = TEXT_LIMIT - DIGEST_MARGIN - len(parts[0])
        parts += i18n.fold(language, reported, block, chars=budget, more="report-digest-more")
        if late:
            names = unit_names(i18n, language, late)
            parts.append(i18n.t(language, "report-digest-missing", count=len(late), units=names))
        return Outgoing(text=join_html("\n\n", parts))
