"""The leaders' reports of a committee's subtree over days, as the workbook lists them: a
row per form, unit of its levels and working day, filed or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.reports.config import ReportForm
from bot.reports.service import ReportService
from storage.models import Unit
from storage.reports import FiledReport


@dataclass(frozen=True, slots=True)
class ReportRow:
    day: date
    form: ReportForm
    unit: Unit
    report: FiledReport | None  # None: the unit did not report
    author: str | None  # who filed it or changed it last


async def report_rows(
    reports: ReportService, committee: Unit, first: date, last: date
) -> list[ReportRow]:
    """By day, form (as configured) and unit (tree order); days off are left out, as
    nobody reports on them. One query for the whole range."""
    if not reports.forms:
        return []
    subtree = sorted(await reports.storage.units.subtree(committee), key=lambda u: u.path)
    filed = {
        (r.day, r.form, r.unit_id): (r, author)
        for r, author in await reports.storage.reports.of_subtree(committee.path, first, last)
    }
    rows: list[ReportRow] = []
    day = first
    while day <= last:
        if not reports.checkins.day_off(day):
            for form in reports.forms:
                for unit in subtree:
                    if reports.reports_for(form, unit):
                        report, author = filed.get((day, form.id, unit.id), (None, None))
                        rows.append(ReportRow(day, form, unit, report, author))
        day += timedelta(days=1)
    return rows
