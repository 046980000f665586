"""Which units filed a form's report on a day, as the evening summary shows it: a line per
form, "Leaders' daily report: 12 of 14 units · missing: East, North"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.kit.folding import fold
from bot.kit.forms import text_in
from bot.kit.i18n import Html, Translator, format_day, join_html, join_list
from bot.reports.config import ReportForm
from storage.models import Unit

LISTED = 10  # unit names in one list before "…and N more"


@dataclass(frozen=True, slots=True)
class Tally:
    form: ReportForm
    units: int  # of the form's levels, in the committee's subtree
    missing: list[Unit]

    @property
    def reported(self) -> int:
        return self.units - len(self.missing)


def unit_names(i18n: Translator, language: str, units: Sequence[Unit], count: int = LISTED) -> Html:
    """The first units' names, then how many more (counted as units, not people)."""
    folded = fold(units, lambda u: u.name, count=count)
    listed = join_list(language, folded.shown)
    if not folded.rest:
        return listed
    return i18n.t(language, "report-units-more", names=listed, count=folded.rest)


def tally_lines(i18n: Translator, language: str, tallies: Sequence[Tally]) -> Html:
    """One line per form (empty when no form applies)."""

    def line(tally: Tally) -> Html:
        text = i18n.t(
            language,
            "report-summary-line",
            title=text_in(language, tally.form.title),
            reported=tally.reported,
            total=tally.units,
        )
        if not tally.missing:
            return text
        units = unit_names(i18n, language, tally.missing)
        return join_html(" · ", [text, i18n.t(language, "report-summary-missing", units=units)])

    return join_html("\n", [line(t) for t in tallies])


def week_lines(
    i18n: Translator, language: str, week: Sequence[tuple[date, Sequence[Tally]]]
) -> Html:
    """The weekly summary's block: per day, how many units filed each form ("Tue 1 Dec:
    Leaders' daily report 12/14"); a day off shows "—". Empty when no day had a form."""
    if not any(tallies for _, tallies in week):
        return Html("")

    def form(tally: Tally) -> Html:
        title = text_in(language, tally.form.title)
        return i18n.t(
            language, "report-week-form", title=title, reported=tally.reported, total=tally.units
        )

    days = [
        i18n.t(
            language,
            "report-week-day",
            day=format_day(day, language),
            forms=join_html(" · ", [form(t) for t in tallies]) if tallies else "—",
        )
        for day, tallies in week
    ]
    return join_html("\n", [i18n.t(language, "report-week"), *days])
