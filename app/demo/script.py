"""One day of the demo organisation, played on the stage: people join through invite
links, record leave, confirm, decline and cover shifts, receive and acknowledge a
directive, check in, go on duty; the schedule's reminders, escalations and summaries go
out at their configured times as the clock is moved on.

Everything people do goes to the bot as Telegram updates over its long poll; everything
an administrator does goes through the same services the ``muster`` command uses. What
the bot sent in each step is recorded (``Ledger``) for the report and the test.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from app.demo.cast import (
    DAY,
    DEADLINE,
    EVE,
    FAR_M,
    RADIUS_M,
    SHIFT_END,
    SHIFT_START,
    WORKED,
    ZONE,
    Ack,
    Checkin,
    Fate,
    Plan,
    ShiftPlan,
)
from app.demo.ledger import Entry, Ledger
from app.demo.stage import DemoError, Stage
from bot.checkins.buttons import CheckInNow, LeaveFirst, LeaveLast, LeaveReason, SubmitCheckIn
from bot.checkins.service import local_instant
from bot.directives import buttons as directive
from bot.duty import buttons as duty
from bot.kit.callbacks import Payload
from bot.org.authz import Actor
from fakeapi import FakeUser
from handlers.checkins.checkin import FORM as CHECKIN_FORM
from storage.models import Role, Unit

INVITE_DAYS = 7
VISITS = 12  # households each member on duty reports having visited


def local(day: date, clock: str) -> datetime:
    """A wall-clock time of the demo's timezone as an instant."""
    hours, minutes = clock.split(":")
    return local_instant(day, time(int(hours), int(minutes)), ZoneInfo(ZONE))


@dataclass
class Step:
    """A moment of the day: what the script had people do, and what the bot sent."""

    title: str
    at: datetime
    did: str
    entries: list[Entry]


@dataclass
class Played:
    plan: Plan
    steps: list[Step] = field(default_factory=list)
    units: dict[str, Unit] = field(default_factory=dict)
    shift_ids: dict[str, int] = field(default_factory=dict)  # grid code -> shift id
    directive_id: int = 0

    @property
    def entries(self) -> list[Entry]:
        return [e for step in self.steps for e in step.entries]

    def step(self, title: str) -> Step:
        return next(s for s in self.steps if s.title == title)


class Day:
    def __init__(
        self, stage: Stage, plan: Plan, workdir: Path, progress: Callable[[str], None]
    ) -> None:
        self.stage = stage
        self.plan = plan
        self.workdir = workdir
        self.progress = progress
        self.ledger = Ledger(stage.api, stage.services.storage)
        self.played = Played(plan)
        self.users = {
            p.telegram_id: FakeUser(
                p.telegram_id,
                p.first_name,
                p.last_name,
                language_code="zh-Hans" if p.language == "zh" else "en",
                api=stage.api,
            )
            for p in plan.people
        }
        # Nobody has a part in two shifts (see cast._shifts).
        self.duty_of = {
            who: s for s in plan.shifts for who in (s.holder, s.cover) if who is not None
        }

    async def play(self) -> Played:
        """The whole day, step by step; returns what was done and sent."""
        await self.organisation()
        await self.joining()
        await self.roster()
        await self.leave()
        await self.shifts_asked()
        await self.cover(Fate.DECLINED_COVERED, local(EVE, "21:30"))
        await self.schedule("duty reminders", local(EVE, "23:00"))
        await self.late_confirmation()
        await self.blocking()
        await self.schedule("duty cut-off", local(DAY, "07:00"))
        await self.cover(Fate.UNCONFIRMED_COVERED, local(DAY, "07:20"))
        await self.directive()
        await self.check_in(Checkin.ON_TIME, local(DAY, "07:45"))
        await self.acknowledge(Ack.PROMPT, local(DAY, "08:00"), "directive")
        await self.schedule("09:00 reminders, duty starts", local(DAY, "09:00"))
        await self.start_duty()
        await self.schedule("no-show check", local(DAY, "09:30"))
        await self.check_in(Checkin.LATE, local(DAY, "10:00"))
        await self.incident()
        await self.schedule("directive deadline", local(DAY, "12:00"))
        await self.acknowledge(Ack.LATE, local(DAY, "12:30"), "directive reminder")
        await self.schedule("escalation, duty ends", local(DAY, "13:00"))
        await self.end_duty()
        await self.schedule("18:00 reminders", local(DAY, "18:00"))
        await self.check_in(Checkin.EVENING, local(DAY, "18:30"))
        await self.schedule("daily summaries", local(DAY, "20:00"))
        await self.schedule("check-in closes", local(DAY, "22:00"), notices="closing list")
        return self.played

    # ------------------------------------------------------------ the steps

    async def organisation(self) -> None:
        """What an administrator does with ``muster org import``, ``muster grid import``
        and ``muster invite create``."""
        services, plan = self.stage.services, self.plan
        async with self.step("organisation", local(EVE, "20:30")) as did:
            org = self.workdir / "org.toml"
            org.write_text(_org_toml(plan), encoding="utf-8")
            await services.org.import_file(Actor.console(), org)
            await services.roster.import_grids(Actor.console(), _grid_csv(plan), "grids.csv")
            for unit in await services.storage.units.all():
                self.played.units[unit.code] = unit
            branches = sum(1 for u in plan.units if u.is_branch)
            did.append(
                f"{len(plan.units)} units ({len(plan.units) - branches} committees,"
                f" {branches} branches), {len(plan.grids)} grids"
            )

    async def joining(self) -> None:
        services, plan = self.stage.services, self.plan
        async with self.step("joining", local(EVE, "20:30"), replies="reply: welcome") as did:
            tokens: dict[tuple[str, Role], str] = {}
            groups = Counter((p.unit, p.role) for p in plan.people)
            for (unit_code, role), uses in groups.items():  # one link per unit and role
                created = await services.invites.create(
                    Actor.console(),
                    self.played.units[unit_code],
                    role,
                    uses=uses,
                    expires_in=timedelta(days=INVITE_DAYS),
                    approval=False,
                )
                tokens[(unit_code, role)] = created.token
            for person in plan.people:
                token = tokens[(person.unit, person.role)]
                self.stage.push(self.users[person.telegram_id].command("start", token))
            await self.stage.settle()
            tree = await services.org.tree()
            joined = sum(line.own_members for line in tree)
            if joined != len(plan.people):
                raise DemoError(f"{joined} of {len(plan.people)} people could join")
            did.append(f"{joined} people through {len(tokens)} invite links")

    async def roster(self) -> None:
        """``muster shift import``: one shift on each rostered grid, Monday 09:00–13:00."""
        services, plan = self.stage.services, self.plan
        async with self.step("roster", local(EVE, "20:40")) as did:
            data = _shift_csv(plan)
            done = await services.roster.import_file(Actor.console(), data, "roster.csv")
            if done.written != len(plan.shifts):
                problems = [p.reason for p in done.check.problems]
                raise DemoError(f"the roster was not imported: {problems}")
            root = self.played.units[plan.root.code]
            grids = {g.id: g.code for g in (await services.storage.grids.in_subtree(root.path))}
            for shift, _ in await services.storage.shifts.day_in_subtree(
                root.path, DAY.isoformat()
            ):
                self.played.shift_ids[grids[shift.grid_id]] = shift.id
            did.append(f"{done.written} shifts on {len(plan.grids)} grids")

    async def leave(self) -> None:
        takers = [p.telegram_id for p in self.plan.people if p.leave]
        async with self.step("leave", local(EVE, "20:45"), replies="reply: /leave") as did:
            await self.send(self.users[t].command("leave") for t in takers)
            await self.press(takers, LeaveReason("annual"))
            await self.press(takers, LeaveFirst(1))  # tomorrow
            await self.press(takers, LeaveLast(0))  # that day only
            did.append(f"{len(takers)} members recorded leave for Monday with /leave")

    async def shifts_asked(self) -> None:
        plan = self.plan
        confirm = [s for s in plan.shifts if s.fate in (Fate.DONE, Fate.NO_SHOW)]
        decline = [
            s for s in plan.shifts if s.fate in (Fate.DECLINED_COVERED, Fate.DECLINED_UNCOVERED)
        ]
        async with self.step("shifts asked", local(EVE, "21:00"), replies="reply: duty") as did:
            await self.press(
                [s.holder for s in confirm], lambda who: self._data(duty.ConfirmShift, who)
            )
            await self.press(
                [s.holder for s in decline], lambda who: self._data(duty.DeclineShift, who)
            )
            await self.send(self.users[s.holder].message(plan.words.decline) for s in decline)
            did.append(f"{len(confirm)} confirmed, {len(decline)} declined with a reason")

    async def cover(self, fate: Fate, when: datetime) -> None:
        shifts = [s for s in self.plan.shifts if s.fate is fate]
        title = "cover taken" if fate is Fate.DECLINED_COVERED else "cover taken after cut-off"
        async with self.step(title, when, replies="reply: duty") as did:
            for shift in shifts:
                data = duty.TakeShift(self.played.shift_ids[shift.grid])
                assert shift.cover is not None
                # The one too late presses right after, before the bot has taken the
                # button off their offer.
                pressing = [shift.cover]
                if shift.too_late is not None:
                    pressing.append(shift.too_late)
                await self.press(pressing, data)
            late = sum(1 for s in shifts if s.too_late is not None)
            did.append(f"{count(len(shifts), 'open shift')} taken")
            if late:
                did.append(f"{count(late, 'member')} pressed too late")

    async def late_confirmation(self) -> None:
        late = [s for s in self.plan.shifts if s.fate is Fate.LATE_CONFIRM]
        async with self.step(
            "late confirmation", local(EVE, "23:30"), replies="reply: duty"
        ) as did:
            await self.press(
                [s.holder for s in late], lambda who: self._data(duty.ConfirmShift, who)
            )
            did.append(f"{len(late)} confirmed from the reminder")

    async def blocking(self) -> None:
        blockers = [p.telegram_id for p in self.plan.people if p.blocks]
        async with self.step("blocked", local(DAY, "06:30")) as did:
            await self.send(self.users[b].blocks_bot() for b in blockers)
            did.append(f"{count(len(blockers), 'member')} blocked the bot")

    async def directive(self) -> None:
        """The city committee's secretary writes it in the real ``/directive`` flow: the
        whole organisation, acknowledge by 12:00, send now."""
        author = self.plan.author.telegram_id
        user = self.users[author]
        root = self.played.units[self.plan.root.code]
        async with self.step("directive", local(DAY, "07:30"), replies="reply: /directive") as did:
            await self.send([user.command("directive")])
            await self.press([author], directive.ToggleTarget(root.id))
            await self.press([author], directive.TargetsDone())
            await self.send([user.message(self.plan.words.directive)])
            await self.press([author], directive.NeedAck(True))
            await self.send([user.message(f"{DEADLINE:%H:%M}")])
            await self.press([author], directive.When(None))  # send now
            await self.press([author], directive.SendDirective())
            await self.stage.tick()
            reached = next(p for p in self.plan.recipients if not p.blocks)
            _, ack = self.stage.button_from(reached.telegram_id, directive.Acknowledge)
            self.played.directive_id = ack.directive
            did.append(
                f"{self.plan.author.name} sent one to everyone, acknowledge by {DEADLINE:%H:%M}"
            )

    async def check_in(self, kind: Checkin, when: datetime) -> None:
        people = [p for p in self.plan.people if p.checks_in and p.checkin is kind]
        ids = [p.telegram_id for p in people]
        titles = {
            Checkin.ON_TIME: "check-ins on time",
            Checkin.LATE: "late check-ins",
            Checkin.EVENING: "evening check-ins",
        }
        async with self.step(
            titles[kind], when, replies="reply: /checkin", notices="flagged check-in"
        ) as did:
            if kind is Checkin.ON_TIME:
                await self.send(self.users[t].command("checkin") for t in ids)
            else:  # from the reminder's "Check in now"
                await self.press(ids, CheckInNow())
            await self.press(ids, self._answer)
            await self.press(ids, SubmitCheckIn())
            how = "with /checkin" if kind is Checkin.ON_TIME else "from the reminder"
            did.append(f"{len(ids)} checked in {how}")

    async def acknowledge(self, kind: Ack, when: datetime, where: str) -> None:
        ids = [p.telegram_id for p in self.plan.recipients if p.acks and p.ack is kind]
        title = "acknowledgements" if kind is Ack.PROMPT else "late acknowledgements"
        async with self.step(title, when, replies="reply: acknowledged") as did:
            await self.press(ids, directive.Acknowledge(self.played.directive_id))
            did.append(f"{len(ids)} acknowledged from the {where}")

    async def start_duty(self) -> None:
        working = [s for s in self.plan.shifts if s.fate in WORKED]
        async with self.step(
            "duty started",
            local(DAY, "09:05"),
            replies="reply: on duty",
            notices="started far away",
        ) as did:
            workers = [self._worker(s) for s in working]
            await self.press(workers, lambda who: self._data(duty.StartDuty, who))
            await self.send(self.users[self._worker(s)].location(*self._where(s)) for s in working)
            far = sum(1 for s in working if s.far)
            did.append(f"{len(working)} started duty and shared their location ({far} far away)")

    async def incident(self) -> None:
        shifts = [s for s in self.plan.shifts if s.incident]
        async with self.step(
            "incident", local(DAY, "11:00"), replies="reply: on duty", notices="incident report"
        ) as did:
            workers = [self._worker(s) for s in shifts]
            await self.press(workers, lambda who: self._data(duty.ReportIncident, who))
            await self.send(self.users[w].message(self.plan.words.incident) for w in workers)
            await self.press(workers, duty.SendIncident())
            did.append(f"{count(len(workers), 'incident')} reported on duty")

    async def end_duty(self) -> None:
        working = [self._worker(s) for s in self.plan.shifts if s.fate in WORKED]
        async with self.step("duty ended", local(DAY, "13:10"), replies="reply: on duty") as did:
            await self.press(working, lambda who: self._data(duty.EndDuty, who))
            await self.send(self.users[w].message(str(VISITS)) for w in working)
            await self.send(self.users[w].message(self.plan.words.notes) for w in working)
            await self.press(working, duty.SubmitReport())
            did.append(f"{len(working)} ended duty with their report")

    # ------------------------------------------------------------ helpers

    @asynccontextmanager
    async def step(
        self, title: str, when: datetime, *, replies: str = "", notices: str = "notice"
    ) -> AsyncIterator[list[str]]:
        """Move the clock to ``when`` (the schedule runs), let the body act, let the bot
        finish and run the schedule once more, as its next tick would; then record what
        was sent and print the step's line."""
        await self.stage.at(when)
        did: list[str] = []
        yield did
        await self.stage.settle()
        await self.stage.tick()
        entries = await self.ledger.read(len(self.played.steps), replies or title, notices)
        step = Step(title, when, "; ".join(did), entries)
        self.played.steps.append(step)
        self.progress(progress_line(step, self.ledger))

    async def schedule(self, title: str, when: datetime, *, notices: str = "notice") -> None:
        """Nobody acts: the clock moves on and the schedule does what has come due."""
        async with self.step(title, when, notices=notices):
            pass

    async def send(self, updates: Iterable[dict[str, object]]) -> None:
        for update in updates:
            self.stage.push(update)
        await self.stage.settle()

    async def press(self, people: Sequence[int], data: Payload | Callable[[int], Payload]) -> None:
        """Each person taps the button carrying ``data`` on the newest message that has
        it (the bot has answered their last update, so it is the one on their screen)."""
        for who in people:
            value = (data if isinstance(data, Payload) else data(who)).pack()
            message = self.stage.message_with(who, value)
            self.stage.push(self.users[who].press_data(message.message_id, value))
        await self.stage.settle()

    def _data(self, kind: type[duty.ShiftButton], who: int) -> duty.ShiftButton:
        """A duty button for the shift the person holds, covers or works."""
        return kind(self.played.shift_ids[self.duty_of[who].grid])

    def _answer(self, who: int) -> Payload:
        """The check-in form's first question, answered as the person's plan says."""
        answer = self.plan.person(who).answer
        assert answer is not None  # only those who check in are asked
        return CHECKIN_FORM.choose(0, answer)

    @staticmethod
    def _worker(shift: ShiftPlan) -> int:
        assert shift.worker is not None
        return shift.worker

    def _where(self, shift: ShiftPlan) -> tuple[float, float]:
        """At the grid's centre, or (the one who is far away) well outside its radius."""
        grid = self.plan.grid(shift.grid)
        return (grid.lat + (FAR_M / 111_000 if shift.far else 0.0), grid.lon)


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def progress_line(step: Step, ledger: Ledger) -> str:
    at = step.at.astimezone(ZoneInfo(ZONE))
    counts = ledger.counts(step.entries)
    sent = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    failed = sum(1 for e in step.entries if not e.delivered)
    parts = [step.did] if step.did else []
    if sent:
        parts.append(f"sent {sent}")
    if failed:
        parts.append(f"{failed} not delivered (blocked)")
    return f"{at:%a %d %b %H:%M}  {step.title:<30} {' · '.join(parts) or 'nothing due'}"


def _org_toml(plan: Plan) -> str:
    blocks = []
    for unit in plan.units:
        lines = ["[[unit]]", f"code = {json.dumps(unit.code)}"]
        lines.append(f"name = {json.dumps(unit.name, ensure_ascii=False)}")
        if unit.parent:
            lines.append(f"parent = {json.dumps(unit.parent)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _grid_csv(plan: Plan) -> bytes:
    rows = ["code,name,unit,lat,lon,radius_m"]
    rows += [f"{g.code},{g.name},{g.unit},{g.lat:.5f},{g.lon:.5f},{RADIUS_M}" for g in plan.grids]
    return ("\n".join(rows) + "\n").encode()


def _shift_csv(plan: Plan) -> bytes:
    rows = ["grid,member,date,start,end"]
    rows += [
        f"{s.grid},{s.holder},{DAY.isoformat()},{SHIFT_START:%H:%M},{SHIFT_END:%H:%M}"
        for s in plan.shifts
    ]
    return ("\n".join(rows) + "\n").encode()
