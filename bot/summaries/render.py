"""A summary as people read it: the message text, which fits one Telegram message with
long lists folded. Rendering is separate from compiling so the numbers are computed once
and worded per reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.kit.i18n import Html, Translator, first_words, format_day, html_to_text, join_html
from bot.kit.reach import reach_parts
from bot.org.reach import Reach, figures
from bot.reports.tally import tally_lines, week_lines
from bot.summaries.reported import FigureText
from bot.summaries.service import Counts, Duty, Line, Summary
from storage.answers import Asked, ChoiceCount, Tally
from storage.incidents import Incident
from storage.models import Unit
from storage.summaries import DirectiveDay, Flagged

TEXT_LIMIT = 4096
SHOWN_LINES = 12  # child units in the message; the rest are in the workbook
SHOWN_NAMES = 15
SHOWN_ITEMS = 5  # flagged answers, incidents, directives


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


def delta(now: int, before: int) -> str:
    """``+3``, ``−2`` (a real minus sign) or ``±0``."""
    change = now - before
    return f"+{change}" if change > 0 else (f"−{-change}" if change < 0 else "±0")


class SummaryText:
    def __init__(self, i18n: Translator, language: str, *, duty: bool = True) -> None:
        self.i18n = i18n
        self.language = language
        self.duty = duty  # False: the organisation switched grid duty off, no duty line

    def t(self, key: str, /, **args: object) -> Html:
        return self.i18n.t(self.language, key, **args)

    def daily(self, summary: Summary, *, late_since: datetime | None = None) -> Html:
        """The whole message, folded to fit Telegram's 4096 characters."""
        for shown in (SHOWN_LINES, 6, 3, 0):
            text = self._daily(summary, shown, late_since)
            if len(text) <= TEXT_LIMIT:
                return text
        return _cut(text)

    def _daily(self, summary: Summary, shown: int, late_since: datetime | None) -> Html:
        day = format_day(summary.day, self.language)
        parts: list[str] = [self.t("summary-title", unit=summary.committee.name, day=day)]
        if late_since is not None:
            parts.append(self.t("summary-late", time=f"{late_since:%H:%M}"))
        if summary.empty:
            parts.append(self.t("summary-nothing", unit=summary.committee.name))
            return join_html("\n", parts)
        parts.append(self._checkins(summary))
        if summary.reach.expected:
            parts.append(
                self.t("summary-reach", figures=self._reach("reach-figures", summary.reach))
            )
        if summary.lines and not summary.day_off:
            parts.append(self._lines(summary.lines, shown))
        if summary.own_missing and not summary.day_off:
            listed = self.i18n.names(
                self.language, summary.own_missing, lambda m: m.display_name, count=SHOWN_NAMES
            )
            parts.append(self.t("summary-own-missing", unit=summary.committee.name, names=listed))
        parts.append(self._figures(summary, shown))
        if self.duty:
            parts.append(self._duty(summary.duty))
        parts.append(self._directives(summary))
        parts.append(self._questions(summary, shown))
        parts.append(tally_lines(self.i18n, self.language, summary.reports))
        parts.append(self._flags(summary))
        return join_html("\n\n", [p for p in parts if p])

    def weekly(self, week: Sequence[Summary], *, late_since: datetime | None = None) -> Html:
        """Seven days (oldest first): the rate per day, and per child unit its first and
        last day's rate, worst last day first."""
        last = week[-1]
        parts: list[str] = [
            self.t(
                "summary-week-title",
                unit=last.committee.name,
                day=format_day(last.day, self.language),
            )
        ]
        if late_since is not None:
            parts.append(self.t("summary-late", time=f"{late_since:%H:%M}"))
        if last.empty:
            parts.append(self.t("summary-nothing", unit=last.committee.name))
            return join_html("\n", parts)
        days = [
            self.t(
                "summary-week-day",
                day=format_day(s.day, self.language),
                rate="—" if s.day_off else percent(s.total.rate),
                missing=0 if s.day_off else s.total.missing,
            )
            for s in week
        ]
        parts.append(join_html("\n", [self.t("summary-week-days"), *days]))
        figures = FigureText(self.i18n, self.language, last.questions)
        trend = [
            self.t("summary-week-figures-day", day=format_day(s.day, self.language), figures=line)
            for s in week
            if (line := figures.line(s.figures, s.duty.grids))
        ]
        if trend:
            parts.append(join_html("\n", [self.t("summary-week-figures"), *trend]))
        if reports := week_lines(self.i18n, self.language, [(s.day, s.reports) for s in week]):
            parts.append(reports)
        first = {line.unit.id: line for line in week[0].lines}

        def row(line: Line) -> Html:
            before = first.get(line.unit.id)
            was = before.counts.rate if before else None
            now = line.counts.rate
            trend = (
                delta(round(now * 100), round(was * 100))
                if now is not None and was is not None
                else "—"
            )
            return self.t(
                "summary-week-unit",
                unit=line.unit.name,
                first=percent(was),
                last=percent(now),
                trend=trend,
            )

        rows = self.i18n.fold(
            self.language, last.lines, row, count=SHOWN_LINES, more="summary-more-units"
        )
        if rows:
            parts.append(join_html("\n", [self.t("summary-week-units"), *rows]))
        text = join_html("\n\n", parts)
        return text if len(text) <= TEXT_LIMIT else _cut(text)

    def _checkins(self, summary: Summary) -> Html:
        total, before = summary.total, summary.previous
        if summary.day_off:
            return self.t("summary-day-off", members=total.members)
        return join_html(
            "\n",
            [
                self.t(
                    "summary-checkins",
                    members=total.members,
                    checked=total.checked_in,
                    rate=percent(total.rate),
                    excused=total.excused,
                    leave=total.on_leave,
                    missing=total.missing,
                ),
                # Nobody was a member the day before (the first summary): no "+247".
                self.t("summary-change-first")
                if before.members == 0
                else self.t(
                    "summary-change",
                    day=format_day(summary.previous_day, self.language),
                    checked=delta(total.checked_in, before.checked_in),
                    missing=delta(total.missing, before.missing),
                ),
            ],
        )

    def _lines(self, lines: Sequence[Line], shown: int) -> Html:
        rows = self.i18n.fold(
            self.language, lines, self._line, count=shown, more="summary-more-units"
        )
        return join_html("\n", [self.t("summary-by-unit"), *rows])

    def _line(self, line: Line) -> Html:
        counts: Counts = line.counts
        name = self.t("summary-own-unit", unit=line.unit.name) if line.own else line.unit.name
        text = self.t(
            "summary-unit-line",
            unit=name,
            checked=counts.checked_in,
            expected=counts.expected,
            rate=percent(counts.rate),
            missing=counts.missing,
            # No members the day before (a first summary, a new unit): nothing to compare.
            change="—"
            if line.previous.members == 0
            else delta(counts.missing, line.previous.missing),
        )
        if line.reach.expected:
            text = join_html(" · ", [text, self._reach("reach-short", line.reach)])
        if not line.open_flags[0]:
            return text
        return join_html(" · ", [text, self._open_flags(line.open_flags)])

    def _reach(self, key: str, reach: Reach) -> Html:
        return self.t(key, **figures(reach))

    def _open_flags(self, flags: tuple[int, int]) -> Html:
        return self.t("summary-flags-open", open=flags[0], old=flags[1])

    def _duty(self, duty: Duty) -> Html:
        if duty.grids == 0 and duty.assigned + duty.confirmed + duty.open == 0:
            return self.t("summary-duty-none")
        return self.t(
            "summary-duty",
            grids=duty.grids,
            covered=duty.grids - duty.uncovered,
            uncovered=duty.uncovered,
            unconfirmed=duty.assigned,
            confirmed=duty.confirmed,
            open=duty.open,
            started=duty.started,
            completed=duty.completed,
            declined=duty.declined,
            noshow=duty.no_show,
        )

    def _figures(self, summary: Summary, shown: int) -> Html:
        """Reported answers: the committee's, then each child unit's (issue #17)."""
        figures = FigureText(self.i18n, self.language, summary.questions)
        total = figures.line(summary.figures, summary.duty.grids)
        if not total:
            return Html("")
        rows = [
            (line, text)
            for line in summary.lines
            if (text := figures.line(line.figures, line.duty.grids))
        ]

        def row(item: tuple[Line, Html]) -> Html:
            line, text = item
            name = self.t("summary-own-unit", unit=line.unit.name) if line.own else line.unit.name
            return self.t("summary-figure-unit", unit=name, figures=text)

        folded = self.i18n.fold(self.language, rows, row, count=shown, more="summary-more-units")
        return join_html("\n", [self.t("summary-figures", figures=total), *folded])

    def _directives(self, summary: Summary) -> Html:
        if not summary.directives:
            return self.t("summary-directives-none")

        def row(item: DirectiveDay) -> Html:
            title = first_words(item.text)
            if item.ack_required:
                rate = item.acked / item.recipients if item.recipients else None
                line = self.t(
                    "summary-directive-acked",
                    title=title,
                    acked=item.acked,
                    recipients=item.recipients,
                    rate=percent(rate),
                )
                reach = summary.reached.get(item.directive_id)
                if reach is None:
                    return line
                parts = reach_parts(self.i18n, self.language, reach)
                return join_html("\n", [line, self.t("summary-directive-reach", parts=parts)])
            return self.t(
                "summary-directive-sent",
                title=title,
                sent=item.sent,
                recipients=item.recipients,
            )

        rows = self.i18n.fold(self.language, summary.directives, row, count=SHOWN_ITEMS)
        return join_html("\n", [self.t("summary-directives"), *rows])

    def _questions(self, summary: Summary, shown: int) -> Html:
        """Each question asked that day: its total, then ``shown`` child units, worst
        response rate first, as the author's headcount lists them."""
        blocks: list[str] = []
        for asked in summary.asked[:SHOWN_ITEMS]:
            total = asked.total

            def line(entry: tuple[Unit, Tally], asked: Asked = asked) -> Html:
                unit, tally = entry
                name = unit.name
                if unit.id == summary.committee.id:
                    name = self.t("summary-own-unit", unit=unit.name)
                parts = self._tally(asked, tally)
                return self.t("summary-question-line", unit=name, parts=parts)

            heading = self.t(
                "summary-question",
                title=first_words(asked.text),
                answered=total.answered,
                total=total.recipients,
                parts=self._tally(asked, total),
            )
            rows = self.i18n.fold(self.language, asked.lines, line, count=shown) if shown else []
            blocks.append(join_html("\n", [heading, *rows]))
        if not blocks:
            return Html("")
        return join_html("\n", [self.t("summary-questions"), *blocks])

    def _tally(self, asked: Asked, tally: Tally) -> Html:
        """``I can come 86 (+14) · I cannot 12 · not answered 31``, every choice in order."""
        parts: list[str] = []
        for index, label in enumerate(asked.labels):
            count = tally.choices.get(index, ChoiceCount())
            key = "summary-question-sum" if count.number_sum else "summary-question-choice"
            parts.append(self.t(key, label=label, count=count.members, sum=count.number_sum))
        parts.append(self.t("summary-question-silent", count=tally.not_answered))
        return join_html(" · ", parts)

    def _flags(self, summary: Summary) -> Html:
        if not summary.flagged and not summary.incidents:
            return self._open_flags(summary.open_flags) if summary.open_flags[0] else Html("")

        def flagged(pair: tuple[Flagged, Unit]) -> Html:
            return self.t("summary-flagged-line", name=pair[0].display_name, unit=pair[1].name)

        def incident(pair: tuple[Incident, Unit]) -> Html:
            return self.t(
                "summary-incident-line",
                unit=pair[1].name,
                text=first_words(pair[0].text or "📷"),
                time=f"{pair[0].at.astimezone(summary.zone):%H:%M}",
            )

        rows = [
            *self.i18n.fold(self.language, summary.flagged, flagged, count=SHOWN_ITEMS),
            *self.i18n.fold(self.language, summary.incidents, incident, count=SHOWN_ITEMS),
        ]
        return join_html(
            "\n",
            [
                self.t(
                    "summary-problems",
                    flagged=len(summary.flagged),
                    incidents=len(summary.incidents),
                ),
                *rows,
                *([self._open_flags(summary.open_flags)] if summary.open_flags[0] else []),
            ],
        )


def _cut(text: Html) -> Html:
    """Too long even folded (names that long are rare): plain text, cut, escaped again —
    cutting HTML could split a tag and Telegram would refuse the whole message."""
    plain = html_to_text(text.replace("\n", "\x00")).replace("\x00", "\n")
    keep = TEXT_LIMIT - 1
    while True:  # escaping lengthens & and <: cut until the escaped text fits
        cut = join_html("", [plain[:keep] + "…"])
        if len(cut) <= TEXT_LIMIT:
            return cut
        keep -= 256
