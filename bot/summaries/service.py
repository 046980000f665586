"""Coordinators' summaries: a committee's subtree on a day, rolled up per child unit, worst
first, against the day before; and when each committee's summary falls due.

Numbers come from the same repository queries ``/members`` and ``/directives`` use, so a
summary agrees with what those show for the same day; each is one query over the whole
subtree, never one per unit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.checkins.service import CheckinService, local_instant
from bot.config import SummarySettings
from bot.duty.plans import UnitCoverage
from bot.duty.roster import RosterService
from bot.kit.clock import Clock
from bot.kit.daily import WEEKDAYS
from bot.kit.questions import Question
from bot.org.authz import Action, Actor, Authorizer
from bot.org.reach import Reach, ReachService
from bot.reports.book import ReportRow, report_rows
from bot.reports.config import ReportForm
from bot.reports.service import ReportService
from bot.reports.tally import Tally
from bot.summaries.reported import Reported, reported
from storage import Storage
from storage.answers import Asked
from storage.checkins import Missing, UnitDay
from storage.exports import AnswerRow, MemberDay, ShiftRow
from storage.figures import Figures, summed
from storage.incidents import Incident
from storage.models import Unit
from storage.reach import Reached
from storage.summaries import DirectiveDay, DirectiveReach, Flagged

DAILY, WEEKLY = "daily", "weekly"
Questions = Callable[[Unit, Sequence[int]], Awaitable[list[Asked]]]
# A summary missed while the bot was down is still sent this long after it fell due.
CATCH_UP = timedelta(hours=24)
# Check-ins on a workbook's answers sheet at most: a root committee's month would be
# millions of rows, more than a sheet holds (1,048,576) or memory affords. One more is
# read, to tell the reader the sheet was cut.
ANSWER_ROWS = 250_000


class SummaryError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Counts:
    """Check-ins of a set of members on a day."""

    members: int = 0
    checked_in: int = 0  # with a check-in (excused answers included)
    excused: int = 0  # of those, with an answer that excuses them
    on_leave: int = 0  # no check-in needed: on leave

    @classmethod
    def of(cls, days: Sequence[UnitDay]) -> Counts:
        # One pass (a root committee's summary makes thousands of these, most of one unit).
        members = checked_in = excused = on_leave = 0
        for day in days:
            members += day.members
            checked_in += day.checked_in
            excused += day.excused
            on_leave += day.on_leave
        return cls(members, checked_in, excused, on_leave)

    @classmethod
    def one(cls, day: UnitDay | None) -> Counts:
        if day is None:
            return cls()
        return cls(day.members, day.checked_in, day.excused, day.on_leave)

    @property
    def missing(self) -> int:
        return max(0, self.members - self.checked_in - self.on_leave)

    @property
    def expected(self) -> int:
        return self.members - self.on_leave

    @property
    def rate(self) -> float | None:
        """Checked in of those expected to (as ``/members`` ranks units); None when nobody
        was expected — nothing to divide."""
        return self.checked_in / self.expected if self.expected > 0 else None


@dataclass(frozen=True, slots=True)
class Duty:
    """Grid duty of a set of units on a day, summed from ``RosterService.coverage``."""

    grids: int = 0
    uncovered: int = 0
    assigned: int = 0
    confirmed: int = 0
    open: int = 0  # cover needed (its start ahead)
    unfilled: int = 0  # open when it started: counted in ``uncovered`` grids instead
    declined: int = 0
    started: int = 0
    completed: int = 0
    no_show: int = 0

    @classmethod
    def of(cls, entries: Sequence[UnitCoverage]) -> Duty:
        return cls(**{f.name: sum(getattr(e, f.name) for e in entries) for f in fields(cls)})


@dataclass(frozen=True, slots=True)
class Line:
    """One child unit of the committee with everything below it (or the committee's own
    members, ``own``)."""

    unit: Unit
    counts: Counts
    previous: Counts
    duty: Duty = Duty()
    own: bool = False
    open_flags: tuple[int, int] = (0, 0)  # flag cases open, and of those older than 24 h
    figures: Figures = field(default_factory=dict)  # of reported answers (issue #17)
    reach: Reach = field(default_factory=Reach)  # who it expects, reachable how (#18)


@dataclass(slots=True)
class Summary:
    committee: Unit
    day: date
    zone: ZoneInfo  # the committee's: times are shown in it
    day_off: bool
    total: Counts
    previous: Counts  # on ``previous_day``
    previous_day: date
    lines: list[Line]  # worst rate first
    duty: Duty
    own_missing: list[Missing]  # the committee's own unit's members without a check-in
    flagged: list[tuple[Flagged, Unit]]
    directives: list[DirectiveDay]
    incidents: list[tuple[Incident, Unit]]
    open_flags: tuple[int, int] = (0, 0)  # flag cases open, and of those older than 24 h
    # Reported answers: the forms' questions that have figures, and the committee's total.
    questions: list[Reported] = field(default_factory=list)
    figures: Figures = field(default_factory=dict)
    reports: list[Tally] = field(default_factory=list)  # which units filed each leaders' form
    # The day's directives that asked a question, with their tallies per child unit
    # (issue #16).
    asked: list[Asked] = field(default_factory=list)
    # How the committee's members were reached for each of the day's directives that asked
    # for an answer, and how fast (issue #18), by id: filled by ``with_reach`` only.
    reached: dict[int, Reached] = field(default_factory=dict)
    reach: Reach = field(default_factory=Reach)  # the subtree's, when compiled (#18)

    @property
    def empty(self) -> bool:
        """Nobody to report on: say so rather than show 0 %."""
        return self.total.members == 0


@dataclass(frozen=True, slots=True)
class BookParts:
    """What a summary's workbook shows beyond the summary: every unit of the subtree with
    its own members' counts, each member's day, and the shifts. Read only when a workbook
    is made, so that compiling the summary never builds a row per unit."""

    units: dict[int, Unit]
    per_unit: dict[int, Counts]
    members: list[MemberDay]
    shifts: list[ShiftRow]
    answers: list[AnswerRow]
    questions: list[Question]  # the check-in form's, for the answers' columns
    report_questions: list[Question]  # the end-of-duty report's
    leader_reports: list[ReportRow] = field(default_factory=list)  # the leaders' forms'
    forms: list[ReportForm] = field(default_factory=list)  # those forms: no sheet if none
    reach: dict[int, Reach] = field(default_factory=dict)  # each unit's own (issue #18)


@dataclass(frozen=True, slots=True)
class Export:
    """A committee's days ``first``..``last``: per unit and day, its own members' counts."""

    committee: Unit
    first: date
    last: date
    capped: bool  # the range asked for was longer than allowed
    units: list[Unit]
    days: list[tuple[date, dict[int, Counts]]]
    shifts: list[ShiftRow]
    directives: list[DirectiveDay]
    zone: ZoneInfo  # the committee's: a unit without its own timezone keeps this one
    answers: list[AnswerRow]
    questions: list[Question]
    report_questions: list[Question]
    leader_reports: list[ReportRow] = field(default_factory=list)
    forms: list[ReportForm] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Due:
    """A committee's summary that is due now and was just claimed."""

    committee: Unit
    kind: str
    period: date
    due_at: datetime
    late: bool


def _worst_first(line: Line) -> tuple[float, str]:
    rate = line.counts.rate
    return (rate if rate is not None else 2.0, line.unit.name)


class SummaryService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        authz: Authorizer,
        checkins: CheckinService,
        roster: RosterService,
        settings: SummarySettings,
        reports: ReportService | None = None,
        *,
        asked: Questions | None = None,
        reach: ReachService | None = None,
    ) -> None:
        """``asked``: the directives wing's tallies of the day's questions under a
        committee (``AnswerService.asked``), given by the composition root."""
        self.storage = storage
        self.reports = reports
        self.asked = asked
        self.reach = reach
        self.clock = clock
        self.authz = authz
        self.checkins = checkins
        self.roster = roster
        self.settings = settings

    def today(self, unit: Unit) -> date:
        return self.clock.now().astimezone(self.checkins.zone_of(unit)).date()

    async def compile(self, committee: Unit, day: date) -> Summary:
        """The committee's subtree on ``day``; a constant number of queries, each summed
        per child unit inside SQLite (a root committee has thousands of units)."""
        storage = self.storage
        root = committee.path
        previous = self.working_day_before(day)
        end, previous_end = self.checkins.day_end(day), self.checkins.day_end(previous)
        today = await storage.checkins.rolled_up(root, day, end)
        before = await storage.checkins.rolled_up(root, previous, previous_end)
        figures = await storage.figures.rolled_up(root, day)
        coverage = await self.roster.coverage_found(committee, day)
        duty: dict[str, list[UnitCoverage]] = {}
        for entry in coverage.values():
            duty.setdefault(line_of(root, entry.unit.path), []).append(entry)
        # Cases open when the day ended (or now, for today's), per line like the rest.
        flags: dict[str, tuple[int, int]] = {}
        at = min(self.clock.now(), end)
        for path, (open_, old) in (await self.checkins.cases.open_flags_per_unit(root, at)).items():
            was = flags.get(line_of(root, path), (0, 0))
            flags[line_of(root, path)] = (was[0] + open_, was[1] + old)
        reach = await self.reach.lines(committee) if self.reach else {}
        lines: list[Line] = []
        if root in today and today[root].members:
            lines.append(
                Line(
                    committee,
                    Counts.one(today[root]),
                    Counts.one(before.get(root)),
                    Duty.of(duty.get(root, [])),
                    own=True,
                    open_flags=flags.get(root, (0, 0)),
                    figures=figures.get(root, {}),
                    reach=reach.get(root, Reach()),
                )
            )
        for child in await storage.units.children(committee.id):
            lines.append(
                Line(
                    child,
                    Counts.one(today.get(child.path)),
                    Counts.one(before.get(child.path)),
                    Duty.of(duty.get(child.path, [])),
                    open_flags=flags.get(child.path, (0, 0)),
                    figures=figures.get(child.path, {}),
                    reach=reach.get(child.path, Reach()),
                )
            )
        lines.sort(key=_worst_first)
        zone = self.checkins.zone_of(committee)
        start, end = self.day_bounds(committee, day)
        flagged = await storage.summaries.flagged(root, day)
        incidents = await storage.incidents.of_subtree_day(root, day.isoformat())
        named = {
            u.id: u
            for u in await storage.units.many(
                list({f.unit_id for f in flagged} | {i.unit_id for i in incidents})
            )
        }
        directives = await storage.summaries.directives(root, start, end)
        ids = [d.directive_id for d in directives]
        return Summary(
            committee=committee,
            day=day,
            zone=zone,
            day_off=self.checkins.day_off(day),
            total=Counts.of(list(today.values())),
            previous=Counts.of(list(before.values())),
            previous_day=previous,
            lines=lines,
            duty=Duty.of(list(coverage.values())),
            own_missing=await storage.checkins.missing([committee.id], day, end),
            flagged=[(f, named[f.unit_id]) for f in flagged if f.unit_id in named],
            directives=directives,
            incidents=[(i, named[i.unit_id]) for i in incidents if i.unit_id in named],
            open_flags=(sum(o for o, _ in flags.values()), sum(o for _, o in flags.values())),
            questions=self.reported(),
            figures=summed(list(figures.values())),
            reports=await self.reports.reported(committee, day) if self.reports else [],
            asked=await self.asked(committee, ids) if self.asked else [],
            reach=sum(reach.values(), Reach()),
        )

    async def with_reach(self, summary: Summary) -> Summary:
        """``summary`` with how each directive's recipients were reached: only the daily
        text shows it, and it reads every recipient (percentiles cannot be kept counts),
        so ``compile`` (the dashboard's, the week's) does not pay for it."""
        chased = [d.directive_id for d in summary.directives if d.ack_required]
        summary.reached = await self.storage.reach.whole(chased, summary.committee.path)
        return summary

    def reported(self) -> list[Reported]:
        """The questions whose figures a summary shows: the check-in's, then the
        end-of-duty report's."""
        return reported(self.checkins.form.questions, self.roster.settings.report)

    def day_bounds(self, committee: Unit, day: date) -> tuple[datetime, datetime]:
        """The committee's ``day``, midnight to midnight in its time: whose directives
        its summary counts."""
        zone = self.checkins.zone_of(committee)
        start = local_instant(day, datetime.min.time(), zone)
        return start, local_instant(day + timedelta(days=1), datetime.min.time(), zone)

    async def directive_lines(self, committee: Unit, day: date) -> dict[str, DirectiveReach]:
        """The day's directives per line of the committee's summary (keyed as
        ``line_of``): each line's sums are those of its own unit's summary."""
        return await self.storage.summaries.directives_per_line(
            committee.path, *self.day_bounds(committee, day)
        )

    async def book_parts(self, summary: Summary) -> BookParts:
        """The rest of what the summary's workbook shows (see :class:`BookParts`)."""
        storage, committee, day = self.storage, summary.committee, summary.day
        units = {u.id: u for u in await storage.units.subtree(committee)}
        end = self.checkins.day_end(day)
        days = await storage.checkins.unit_days(list(units), day, end)
        return BookParts(
            units=units,
            per_unit={d.unit_id: Counts.one(d) for d in days},
            members=await storage.exports.member_days(committee.path, day, end),
            shifts=await storage.exports.shifts(committee.path, day, day),
            answers=await storage.exports.answers(committee.path, day, day, ANSWER_ROWS + 1),
            questions=self.checkins.form.questions,
            report_questions=self.roster.settings.report,
            **await self._leader_reports(committee, day, day),
            reach=(await self.reach.of_units(list(units.values()))).own if self.reach else {},
        )

    async def _leader_reports(self, committee: Unit, first: date, last: date) -> dict[str, Any]:
        """The leaders' reports of the days, and their forms, for a workbook."""
        if self.reports is None:
            return {}
        rows = await report_rows(self.reports, committee, first, last)
        return {"leader_reports": rows, "forms": self.reports.forms}

    def working_day_before(self, day: date) -> date:
        """The day a summary compares with: the last day before ``day`` on which a check-in
        was expected (a Monday compares with Friday, not with Sunday's empty day off)."""
        previous = day - timedelta(days=1)
        for _ in range(7):
            if not self.checkins.day_off(previous):
                return previous
            previous -= timedelta(days=1)
        return day - timedelta(days=1)  # every day is off: the day before, then

    async def for_viewer(self, actor: Actor, unit: Unit, day: date) -> Summary:
        """On demand: the viewer must see the unit (coordinators and secretaries of it or
        above, admins); a day after today in the unit's time is refused."""
        await self.authz.check(actor, Action.VIEW_UNIT, unit, f"summary {day.isoformat()}")
        if day > self.today(unit):
            raise SummaryError("future_day")
        return await self.compile(unit, day)

    async def export(self, actor: Actor, unit: Unit, first: date, last: date) -> Export:
        """Days ``first``..``last`` for an XLSX: the range is capped at ``max_export_days``
        (ending at ``last``), a range ending in the future or backwards is refused."""
        await self.authz.check(actor, Action.VIEW_UNIT, unit, f"export {first}..{last}")
        if last > self.today(unit):
            raise SummaryError("future_day")
        if first > last:
            raise SummaryError("backwards")
        longest = timedelta(days=self.settings.max_export_days - 1)
        capped = last - first > longest
        if capped:
            first = last - longest
        units = await self.storage.units.subtree(unit)
        ids = [u.id for u in units]
        days = []
        day = first
        while day <= last:
            counts = await self.storage.checkins.unit_days(ids, day, self.checkins.day_end(day))
            days.append((day, {d.unit_id: Counts.one(d) for d in counts}))
            day += timedelta(days=1)
        zone = self.checkins.zone_of(unit)
        start = local_instant(first, datetime.min.time(), zone)
        end = local_instant(last + timedelta(days=1), datetime.min.time(), zone)
        return Export(
            committee=unit,
            first=first,
            last=last,
            capped=capped,
            units=units,
            days=days,
            shifts=await self.storage.exports.shifts(unit.path, first, last),
            directives=await self.storage.summaries.directives(unit.path, start, end),
            zone=zone,
            answers=await self.storage.exports.answers(unit.path, first, last, ANSWER_ROWS + 1),
            questions=self.checkins.form.questions,
            report_questions=self.roster.settings.report,
            **await self._leader_reports(unit, first, last),
        )

    async def register_chat(self, actor: Actor, unit: Unit, chat_id: int, on: bool) -> bool:
        """A group chat gets the committee's summaries too (``on``), or no longer; False
        when nothing changed. Coordinators of the unit (or above) and admins only."""
        await self.authz.check(actor, Action.SUMMARY_CHAT, unit, f"chat {chat_id} {on}")
        member_id = actor.member.id if actor.member else None
        if on:
            changed = await self.storage.summaries.register_chat(
                unit.id, chat_id, member_id, self.clock.now()
            )
        else:
            changed = await self.storage.summaries.unregister_chat(unit.id, chat_id)
        if changed:
            await self.authz.audit(
                actor, "summary_chat_on" if on else "summary_chat_off", unit, str(chat_id)
            )
        return changed

    async def due(self) -> list[Due]:
        """Every committee summary due now (daily at ``daily_at``, weekly on ``weekly_on``
        too) and not yet sent; one missed while the bot was down stays due, marked late,
        for ``CATCH_UP``; one that fell due before the committee had a coordinator (or a
        group chat) is not owed to anyone. The caller claims each
        (``storage.summaries.claim``) in the transaction that queues it."""
        now = self.clock.now()
        found: list[Due] = []
        since = dict(await self.storage.summaries.committees())
        for unit in await self.storage.units.many(list(since)):
            zone = self.checkins.zone_of(unit)
            today = now.astimezone(zone).date()
            for day in (today - timedelta(days=1), today):
                due_at = local_instant(day, self.settings.daily_at, zone)
                if not since[unit.id] <= due_at <= now < due_at + CATCH_UP:
                    continue
                kinds = [DAILY]
                if WEEKDAYS[day.weekday()] == self.settings.weekly_on:
                    kinds.append(WEEKLY)
                for kind in kinds:
                    if not await self.storage.summaries.done(unit.id, kind, day):
                        late = now - due_at > self.settings.late_after
                        found.append(Due(unit, kind, day, due_at, late))
        return found

    async def week(self, committee: Unit, last_day: date) -> list[Summary]:
        """The seven days ending ``last_day``, oldest first."""
        return [
            await self.compile(committee, last_day - timedelta(days=back))
            for back in range(6, -1, -1)
        ]

    def zone_of(self, unit: Unit) -> ZoneInfo:
        return self.checkins.zone_of(unit)


def line_of(root: str, path: str) -> str:
    """The path of the summary line a unit at ``path`` counts in: the unit one level below
    the committee at ``root`` that it is in (or is), or ``root`` itself for the committee's
    own ('/1/7/42/' under '/1/' is in '/1/7/'). SQL's twin: CheckinRepository.rolled_up."""
    if path == root:
        return root
    return path[: path.index("/", len(root)) + 1]
