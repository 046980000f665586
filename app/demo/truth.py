"""What the coordinators' summary must say, derived from the script alone (never from the
bot): the demo checks its summary against these, and so does the end-to-end test."""

from __future__ import annotations

from app.demo.cast import WORKED, Fate, PersonPlan, Plan
from bot.summaries.service import Counts, Duty, Summary


def counts(people: list[PersonPlan]) -> Counts:
    """Monday's check-ins of these people, as the script played them."""
    return Counts(
        members=len(people),
        checked_in=sum(1 for p in people if p.checks_in),
        excused=sum(1 for p in people if p.checks_in and p.answer == "sick"),
        on_leave=sum(1 for p in people if p.leave),
    )


def day_before(people: list[PersonPlan]) -> Counts:
    """What Monday's summary compares with: Friday, the last working day, when nobody
    had joined yet (they join on Sunday)."""
    del people
    return Counts()


def duty(plan: Plan, unit: str) -> Duty:
    """The unit's grids and Monday's shifts by what became of them."""
    inside = plan.subtree(unit)
    grids = [g for g in plan.grids if g.unit in inside]
    shifts = [s for s in plan.shifts if plan.grid(s.grid).unit in inside]
    fates = [s.fate for s in shifts]
    # A grid counts as covered by a shift that is confirmed, started or done; one left
    # open or missed (no-show) covers nothing.
    gaps = sum(1 for f in fates if f in (Fate.NO_SHOW, Fate.DECLINED_UNCOVERED))
    return Duty(
        grids=len(grids),
        uncovered=len(grids) - len(shifts) + gaps,
        # Left open, nobody took it: by the 20:00 summary every shift has started
        # (SHIFT_START), so none still needs cover; each is uncovered.
        unfilled=fates.count(Fate.DECLINED_UNCOVERED),
        declined=sum(1 for f in fates if f in (Fate.DECLINED_COVERED, Fate.DECLINED_UNCOVERED)),
        completed=sum(1 for f in fates if f in WORKED),
        no_show=fates.count(Fate.NO_SHOW),
    )


def acknowledged(plan: Plan, unit: str) -> tuple[int, int]:
    """(acknowledged, recipients) of the day's one directive, among the unit's people."""
    inside = plan.subtree(unit)
    recipients = [p for p in plan.recipients if p.unit in inside]
    return sum(1 for p in recipients if p.acks), len(recipients)


def flagged(plan: Plan, unit: str) -> list[PersonPlan]:
    return [p for p in plan.within(unit) if p.checks_in and p.answer == "problem"]


def incidents(plan: Plan, unit: str) -> int:
    return sum(
        1 for s in plan.shifts if s.incident and plan.grid(s.grid).unit in plan.subtree(unit)
    )


def mismatches(plan: Plan, summary: Summary) -> list[str]:
    """Each number of the compiled summary that differs from what the script did."""
    found: list[str] = []
    code = summary.committee.code

    def same(what: str, bot: object, script: object) -> None:
        if bot != script:
            found.append(f"{what}: the bot counted {bot}, the script did {script}")

    same(f"{code} check-ins", summary.total, counts(plan.within(code)))
    same(f"{code} the day before", summary.previous, day_before(plan.within(code)))
    same(f"{code} duty", summary.duty, duty(plan, code))
    for line in summary.lines:
        people = (
            [p for p in plan.people if p.unit == line.unit.code]
            if line.own
            else plan.within(line.unit.code)
        )
        same(f"{line.unit.code} check-ins", line.counts, counts(people))
    same(
        "directive acknowledgements",
        [(d.acked, d.recipients) for d in summary.directives],
        [acknowledged(plan, code)],
    )
    same("flagged check-ins", len(summary.flagged), len(flagged(plan, code)))
    # Nobody handles a flag in the demo: each of the day's is a case still open.
    same("open flags", summary.open_flags, (len(flagged(plan, code)), 0))
    same("incidents", len(summary.incidents), incidents(plan, code))
    return found
