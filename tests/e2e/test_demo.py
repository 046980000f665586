"""The demo's day, end to end: the real bot long polling the Bot API stand-in over HTTP,
on the demo's clock. Every expectation is derived from the scenario's own plan (who was
made to check in, acknowledge, decline …) and checked against the stand-in's record of
the requests the bot made: what people would see in their chats, and when."""

from __future__ import annotations

import re
import socket
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from app import cli
from app.demo import Day, Played, Stage, make_plan, start_of
from app.demo.cast import DAY, WORKED, ZONE, Ack, Checkin, Fate, PersonPlan, Plan
from app.demo.stage import DemoError
from app.demo.truth import acknowledged, counts, day_before, duty, flagged, mismatches
from bot.summaries.service import Counts
from fakeapi import ApiCall, FakeBotApi
from storage.models import Role

SHANGHAI = ZoneInfo(ZONE)
SENDS = ("sendMessage", "sendPhoto", "sendDocument")
PLAN = make_plan(members=42, seed=7, language="en")
# What a member reads, in either language (a few members of the plan read Chinese).
WORDS = {
    "en": {
        "directive": "Directive from City Committee — acknowledge by 12:00 today",
        "directive reminder": (
            "⚠️ Reminder: please acknowledge the directive from City Committee (due 12:00 today)."
        ),
        "check-in reminder": "⏰ Time to check in for Mon 30 Nov. Check-in closes at 22:00.",
        "duty reminder": "⏰ Reminder: please confirm or decline your duty shift.",
        "acknowledged": "✅ Acknowledged at {time}",
        "acknowledged late": "✅ Acknowledged at {time}, after the deadline",
    },
    "zh": {
        "directive": "来自City Committee的通知 — 请于今天12:00前确认",
        "directive reminder": "⚠️ 提醒：请确认来自City Committee的通知（今天12:00截止）。",
        "check-in reminder": "⏰ 请完成11月30日 周一的打卡，22:00截止。",
        "duty reminder": "⏰ 提醒：请确认或拒绝您的值守班次。",
        "acknowledged": "✅ 已于{time}确认",
        "acknowledged late": "✅ 已于{time}确认（逾期）",
    },
}


def words(person: PersonPlan, key: str) -> str:
    return WORDS[person.language][key]


@dataclass
class Run:
    stage: Stage
    played: Played

    @property
    def api(self) -> FakeBotApi:
        return self.stage.api


async def play(database: Path, workdir: Path) -> AsyncIterator[Run]:
    async with Stage.open(database, start_of(), organisation=PLAN.words.org, zone=ZONE) as stage:
        played = await Day(stage, PLAN, workdir, lambda line: None).play()
        yield Run(stage, played)


@pytest.fixture
async def run(tmp_path: Path) -> AsyncIterator[Run]:
    async for played in play(tmp_path / "demo.db", tmp_path):
        yield played


def sent(api: FakeBotApi, chat_id: int) -> list[ApiCall]:
    """Messages that reached the chat, oldest first."""
    return [c for c in api.calls if c.ok and c.method in SENDS and c.chat_id == chat_id]


def texts(api: FakeBotApi, chat_id: int, start: str) -> list[tuple[str, str]]:
    """(local time, text as shown) of each message to the chat beginning with ``start``."""
    return [
        (when(c.at), c.message.text or "")
        for c in sent(api, chat_id)
        if c.message is not None and (c.message.text or "").startswith(start)
    ]


def when(at: datetime) -> str:
    return at.astimezone(SHANGHAI).strftime("%a %H:%M")


def everyone() -> list[PersonPlan]:
    return list(PLAN.people)


# ---------------------------------------------------------------- the facts


async def test_the_day_as_people_saw_it(run: Run) -> None:
    api = run.api
    # Each recipient got the directive once; the blocked were tried once and not reached.
    for person in PLAN.recipients:
        heading = words(person, "directive")
        got = texts(api, person.telegram_id, heading)
        if person.blocks:
            assert got == []
            refused = [c for c in api.calls if c.chat_id == person.telegram_id and c.status == 403]
            assert [c.method for c in refused][:1] == ["sendMessage"]
        else:
            assert got == [("Mon 07:30", f"{heading}\n\n{PLAN.words.directive}")], person.name
    assert texts(api, PLAN.author.telegram_id, words(PLAN.author, "directive")) == []
    # The author's progress message, and who acknowledged (the directive itself shows it).
    blocked = sum(1 for p in PLAN.people if p.blocks)
    recipients = len(PLAN.recipients)
    progress = [
        m.text for m in api.sent_to(PLAN.author.telegram_id) if "Directive sent" in (m.text or "")
    ]
    # The chase, as the default ladder ran it: the reminder at the deadline, the
    # secretaries' lists an hour later.
    assert progress == [
        f"✅ Directive sent: {recipients - blocked} of {recipients} · {blocked} unreachable"
        "\nChase: reminded 12:00 · secretaries 13:00"
    ]
    acks = Counter[str]()
    for person in PLAN.recipients:
        if person.blocks:
            continue
        [directive] = [
            m.text or ""
            for m in api.sent_to(person.telegram_id)
            if (m.text or "").startswith(words(person, "directive"))
        ]
        last = directive.rsplit("\n", 1)[-1]
        if person.acks:
            # From the reminder at the deadline, 12:00: late, and said so.
            at = "08:00" if person.ack is Ack.PROMPT else "12:30"
            key = "acknowledged" if person.ack is Ack.PROMPT else "acknowledged late"
            assert last == words(person, key).format(time=at), person.name
            acks[at] += 1
        else:
            assert last == PLAN.words.directive, person.name
    prompt = sum(1 for p in PLAN.recipients if p.acks and p.ack is Ack.PROMPT)
    assert acks == {"08:00": prompt, "12:30": acknowledged(PLAN, "CITY")[0] - prompt}

    # Reminders: to whom and when.
    reminded = {
        p.telegram_id: texts(api, p.telegram_id, words(p, "directive reminder")) for p in everyone()
    }
    assert {k: v for k, v in reminded.items() if v} == {
        p.telegram_id: [("Mon 12:00", words(p, "directive reminder"))]
        for p in PLAN.recipients
        if not p.blocks and p.ack is not Ack.PROMPT
    }
    checkin_reminders = {
        p.telegram_id: [at for at, _ in texts(api, p.telegram_id, words(p, "check-in reminder"))]
        for p in everyone()
    }
    assert {k: v for k, v in checkin_reminders.items() if v} == {
        p.telegram_id: ["Mon 09:00", "Mon 18:00"]
        if p.checkin in (Checkin.EVENING, Checkin.NEVER)
        else ["Mon 09:00"]
        for p in everyone()
        if not p.blocks and not p.leave and p.checkin is not Checkin.ON_TIME
    }
    duty_reminders = {
        p.telegram_id: [at for at, _ in texts(api, p.telegram_id, words(p, "duty reminder"))]
        for p in everyone()
    }
    assert {k: v for k, v in duty_reminders.items() if v} == {
        s.holder: ["Sun 23:00"]
        for s in PLAN.shifts
        if s.fate in (Fate.LATE_CONFIRM, Fate.UNCONFIRMED_COVERED)
    }

    # Cover: the first to press takes an open shift; the next one is told it has gone.
    toasts = [a.text for a in api.callback_answers if a.text and "took this shift" in a.text]
    late = sum(1 for s in PLAN.shifts if s.too_late is not None)
    assert toasts == ["Someone else took this shift first. Thank you all the same."] * late

    # The secretaries' escalation lists at deadline + 1 h, and the no-show alert.
    for person in everyone():
        got = texts(api, person.telegram_id, "⚠️ ")
        lists = [(at, t) for at, t in got if "past its deadline" in t]
        assert lists == expected_escalation(person), person.name
        alerts = texts(api, person.telegram_id, "❌ No-show")
        assert alerts == expected_no_show(person), person.name

    # Every number of the evening summary, for the city and for each district.
    city = PLAN.staff("CITY", Role.COORDINATOR)
    assert texts(api, city.telegram_id, "📊") == [("Mon 20:00", summary_text(PLAN, "CITY"))]
    for district in ("N", "S", "E"):
        coordinator = PLAN.staff(district, Role.COORDINATOR)
        [(at, text)] = texts(api, coordinator.telegram_id, "📊")
        assert at == "Mon 20:00"
        assert text == summary_text(PLAN, district)
    root = run.played.units["CITY"]
    assert mismatches(PLAN, await run.stage.services.summaries.compile(root, DAY)) == []


async def test_a_second_run_on_the_same_database_sends_nothing_again(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    async for first in play(database, tmp_path):
        moments = [step.at for step in first.played.steps]
    async with Stage.open(database, start_of(), organisation=PLAN.words.org, zone=ZONE) as stage:
        for moment in moments:  # every moment of the day again, the schedule run at each
            await stage.at(moment)
        await stage.settle()
        assert [c.method for c in stage.api.calls if c.method in (*SENDS, "editMessageText")] == []


async def test_a_fault_in_the_bot_stops_the_day_with_one_line(tmp_path: Path) -> None:
    """A bot that cannot answer does not leave the demo waiting: it ends with the reason."""
    async with Stage.open(
        tmp_path / "demo.db", start_of(), organisation=PLAN.words.org, zone=ZONE
    ) as stage:
        stage.api.fail_next("sendMessage", error_code=500, description="Internal Server Error")
        with pytest.raises(DemoError, match="fault"):
            await Day(stage, PLAN, tmp_path, lambda line: None).play()


# ---------------------------------------------------------------- expectations


def expected_escalation(person: PersonPlan) -> list[tuple[str, str]]:
    """A district's secretary hears at 13:00 of its members who never acknowledged (⚠️:
    unreachable), per branch by name; nobody else gets a list."""
    if person.role is not Role.SECRETARY or person.unit == "CITY":
        return []
    silent = [
        p
        for p in PLAN.recipients
        if not p.acks and PLAN.secretary_for(p.unit).telegram_id == person.telegram_id
    ]
    if not silent:
        return []
    lines = []
    for unit in sorted({p.unit for p in silent}):
        names = sorted(p.name + (" ⚠️" if p.blocks else "") for p in silent if p.unit == unit)
        lines.append(f"• {PLAN.unit(unit).name} ({len(names)}): {', '.join(names)}")
    have = "member has" if len(silent) == 1 else "members have"
    head = f"⚠️ {len(silent)} {have} not acknowledged a directive past its deadline:"
    return [("Mon 13:00", "\n".join([head, *lines]))]


def expected_no_show(person: PersonPlan) -> list[tuple[str, str]]:
    [shift] = [s for s in PLAN.shifts if s.fate is Fate.NO_SHOW]
    grid = PLAN.grid(shift.grid)
    if PLAN.secretary_for(grid.unit).telegram_id != person.telegram_id:
        return []
    holder = PLAN.person(shift.holder)
    unit = PLAN.unit(grid.unit).name
    return [
        (
            "Mon 09:30",
            f"❌ No-show: {holder.name} has not started duty.\n"
            f"{grid.name} ({grid.code}) · {unit}\nMon 30 Nov 09:00–13:00",
        )
    ]


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def percent(part: int, whole: int) -> str:
    return f"{round(part / whole * 100)}%" if whole else "—"


def change(now: int, before: int) -> str:
    return f"+{now - before}" if now > before else (f"−{before - now}" if now < before else "±0")


def reached_line(plan: Plan, code: str) -> str:
    """How the directive's recipients were reached (issue #18): on Telegram, the prompt
    within 30 minutes of 07:30 and the late from the 12:30 reminder; the blocked not
    reached; the rest silent; p50 / p90 the nearest ranks of those minutes."""
    inside = plan.subtree(code)
    people = [p for p in plan.recipients if p.unit in inside]
    minutes = sorted(30 if p.ack is Ack.PROMPT else 300 for p in people if p.acks)
    blocked = sum(1 for p in people if p.blocks)
    counts = [
        ("Telegram", len(minutes)),
        ("not reached", blocked),
        ("silent", len(people) - len(minutes) - blocked),
    ]
    parts = [f"{name} {n}" for name, n in counts if n]
    if minutes:
        said = {30: "30 min", 300: "5 h"}
        p50 = minutes[-(-len(minutes) * 50 // 100) - 1]
        p90 = minutes[-(-len(minutes) * 90 // 100) - 1]
        parts.append(f"reached in p50 {said[p50]} · p90 {said[p90]}")
    return "   reached: " + " · ".join(parts)


def reach(members: int, people: list[PersonPlan], *, full: bool = False) -> str:
    blocked = sum(1 for p in people if p.blocks)
    if not full:
        return f"joined {members} / {members} · unreachable {blocked}"
    return (
        f"joined {members} / {members} · on Telegram {members - blocked} · fallback only 0"
        f" · unreachable {blocked}"
    )


def summary_text(plan: Plan, code: str) -> str:
    """The daily summary of ``code`` as its coordinator reads it, from the plan alone."""
    today, before = counts(plan.within(code)), day_before(plan.within(code))
    parts = [
        f"📊 {plan.unit(code).name} — Mon 30 Nov",
        f"Members {today.members} · checked in {today.checked_in}"
        f" ({percent(today.checked_in, today.expected)}) · excused by check-in {today.excused}"
        f" · on recorded leave {today.on_leave} · missing {today.missing}\n"
        + (
            "No earlier day to compare with: this is the first with members."
            if before.members == 0  # nobody had joined by Friday
            else f"Against Fri 27 Nov: checked in {change(today.checked_in, before.checked_in)},"
            f" missing {change(today.missing, before.missing)}"
        ),
        # No register in the demo: everyone expected joined; who blocked the bot is
        # unreachable (no fallback channel).
        f"Reach: {reach(today.members, plan.within(code), full=True)}",
    ]
    rows: list[tuple[float, str, str]] = []
    own = [p for p in plan.people if p.unit == code]
    children = [(u.name, plan.within(u.code)) for u in plan.units if u.parent == code]
    for name, people, label in [(plan.unit(code).name, own, " (own members)")] + [
        (n, p, "") for n, p in children
    ]:
        if not people:
            continue
        c, b = counts(people), day_before(people)
        rate = c.checked_in / c.expected if c.expected else 2.0
        shown = f"{c.checked_in}/{c.expected} ({percent(c.checked_in, c.expected)})"
        moved = change(c.missing, b.missing) if b.members else "—"  # nobody the day before
        missing = f"missing {c.missing} ({moved})"
        # Nobody handles a flag in the demo: each of the day's is open at 20:00.
        opened = sum(1 for p in people if p.checks_in and p.answer == "problem")
        open_flags = f" · 🚩 flags open: {opened}" if opened else ""
        reached = f" · {reach(c.members, people)}"
        rows.append((rate, name, f"• {name}{label}: {shown} · {missing}{reached}{open_flags}"))
    heading = "By unit, worst first (checked in / expected, missing, change)"
    parts.append("\n".join([heading, *[text for _, _, text in sorted(rows)]]))
    missing_here = sorted(p.name for p in own if not p.checks_in and not p.leave)
    if missing_here:
        parts.append(f"Missing in {plan.unit(code).name} itself: {', '.join(missing_here)}")
    d = duty(plan, code)
    parts.append(
        f"Duty: grids {d.grids} · covered {d.grids - d.uncovered} · uncovered {d.uncovered}\n"
        f"shifts: to confirm {d.assigned} · confirmed {d.confirmed} · cover needed {d.open}"
        f" · on duty {d.started} · completed {d.completed} · declined {d.declined}"
        f" · no-show {d.no_show}"
    )
    acked, recipients = acknowledged(plan, code)
    title = plan.words.directive[:59] + "…"
    parts.append(
        f"Directives today\n• “{title}” — acknowledged {acked}/{recipients}"
        f" ({percent(acked, recipients)})\n" + reached_line(plan, code)
    )
    flags = sorted(flagged(plan, code), key=lambda p: p.name)
    incidents = [
        s for s in plan.shifts if s.incident and plan.grid(s.grid).unit in plan.subtree(code)
    ]
    if flags or incidents:
        lines = [
            f"Problems: {plural(len(flags), 'flagged check-in')}, "
            f"{plural(len(incidents), 'incident')} on duty"
        ]
        lines += [f"• 🚩 {p.name} ({plan.unit(p.unit).name})" for p in flags[:5]]
        if len(flags) > 5:
            lines.append(f"…and {len(flags) - 5} more.")
        lines += [
            f"• ⚠️ 11:00 {plan.unit(plan.grid(s.grid).unit).name}: {plan.words.incident}"
            for s in incidents
        ]
        if flags:
            lines.append(f"🚩 flags open: {len(flags)}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def test_muster_demo_reports_and_keeps_its_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert cli.main(["demo", "--members", "40", "--seed", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    progress = printed.err.splitlines()
    assert progress[0] == (
        "Muster demo: one day of Riverside Volunteers — 40 members and 8 staff, seed 3,"
        " samples in English"
    )
    assert progress[-2].startswith("Mon 30 Nov 20:00  daily summaries")
    assert progress[-1].startswith("Mon 30 Nov 22:00  check-in closes")
    report = printed.out
    assert "✓ Every number in the City Committee summary matches what the script did." in report
    for name in (
        "summary-CITY-2026-11-30.txt",
        "chart-CITY-2026-11-30.png",
        "workbook-CITY-2026-11-30.xlsx",
        "demo.db",
    ):
        assert f"  {name}  " in report
    summary = (out / "summary-CITY-2026-11-30.txt").read_text(encoding="utf-8")
    assert summary.startswith("📊 City Committee — Mon 30 Nov\n\nMembers 48 · ")
    assert (out / "chart-CITY-2026-11-30.png").read_bytes().startswith(b"\x89PNG")
    book = openpyxl.load_workbook(out / "workbook-CITY-2026-11-30.xlsx")
    assert book.sheetnames == [
        "Units", "Members", "Answers", "Shifts", "Duty reports", "Directives", "Definitions",
    ]  # fmt: skip
    assert book["Members"].max_row == 1 + 48
    # Nothing is left listening where the stand-in was.
    port = re.search(r"127\.0\.0\.1:(\d+)", printed.err)
    assert port is not None
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(port.group(1))), timeout=1).close()


def test_muster_demo_refuses_a_bad_size_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--members", "10"]) == 1
    printed = capsys.readouterr()
    assert printed.err == "muster demo: --members must be at least 35\n"
    assert printed.out == ""


def test_the_plan_plays_every_part() -> None:
    """The small plan still has someone in every part the day shows."""
    people = [p for p in PLAN.people if p.role is Role.MEMBER]
    assert {p.checkin for p in people if not p.blocks and not p.leave} == set(Checkin)
    assert {p.ack for p in people if not p.blocks} == set(Ack)
    assert {p.answer for p in people if p.checks_in} == {"post", "sick", "problem"}
    assert any(p.blocks for p in people) and any(p.leave for p in people)
    assert {p.language for p in people} == {"en", "zh"}
    assert {s.fate for s in PLAN.shifts} == set(Fate)
    assert sum(1 for s in PLAN.shifts if s.incident) == 1 and sum(s.far for s in PLAN.shifts) == 1
    assert all(s.worker is not None for s in PLAN.shifts if s.fate in WORKED)
    assert counts(PLAN.within("CITY")) != Counts(members=len(PLAN.people))
