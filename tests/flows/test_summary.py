"""Coordinators' summaries as they receive them: the evening summary with numbers that
agree with /members, once per committee and day (also across a restart), late after
downtime, the weekly one, and /summary on demand with its refusals."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

import openpyxl
import pytest

from app.build import build_application
from bot.delivery.pacer import Pacer
from bot.directives.drafting import Draft
from bot.org.authz import Actor
from bot.summaries.render import SummaryText
from fakeapi import ChatDriver, FakeRequest, FakeUser
from handlers.kit.slots import SERVICES
from storage.directives import Target
from storage.models import Role
from tests.flows.conftest import Harness
from tests.flows.test_checkin import local
from tests.flows.test_on_duty import add_shift

DAY = "2026-12-01"  # a Tuesday


@dataclass
class Org:
    coord: FakeUser  # coordinator of RIV, reads English
    coord_zh: FakeUser  # coordinator of RIV too, reads Chinese
    sec: FakeUser  # secretary of RIV-1
    members: dict[str, FakeUser]


async def checkin(harness: Harness, who: FakeUser, status: str) -> None:
    member = await harness.services.storage.members.by_telegram_id(who.id)
    assert member is not None
    await harness.services.checkins.save(member, {"status": status})


@pytest.fixture
async def org(harness: Harness) -> Org:
    return await make_org(harness)


async def make_org(harness: Harness) -> Org:
    """Cora and Chen coordinate RIV, Sam is RIV-1's secretary; on DAY at 09:00 four of
    RIV-1 have checked in, Di is on leave and Ed is missing."""
    harness.clock.set(local(f"{DAY} 08:00"))
    people = {
        name: harness.person(900 + i, name)
        for i, name in enumerate(["Ann", "Bo", "Cy", "Di", "Ed"], start=1)
    }
    for person in people.values():
        await harness.join(person, "RIV-1")
    coord = harness.person(951, "Cora")
    coord_zh = harness.person(952, "Chen", language="zh")
    sec = harness.person(953, "Sam")
    await harness.join(coord, "RIV", Role.COORDINATOR)
    await harness.join(coord_zh, "RIV", Role.COORDINATOR)
    await harness.join(sec, "RIV-1", Role.SECRETARY)
    harness.clock.set(local(f"{DAY} 09:00"))
    await checkin(harness, people["Ann"], "post")
    await checkin(harness, people["Bo"], "sick")  # excused, still checked in
    await checkin(harness, people["Cy"], "problem")  # flagged
    await checkin(harness, sec, "post")
    member = await harness.services.storage.members.by_telegram_id(people["Di"].id)
    assert member is not None
    await harness.services.storage.leave.add(
        member_id=member.id,
        first_day=date(2026, 12, 1),
        last_day=date(2026, 12, 2),
        reason="annual",
        recorded_by=None,
        now=harness.clock.now(),
    )
    return Org(coord, coord_zh, sec, people)


def summaries(harness: Harness, chat_id: int) -> list[str]:
    return [m.text or "" for m in harness.api.sent_to(chat_id) if (m.text or "").startswith("📊")]


async def test_evening_summary_reaches_each_coordinator_once(harness: Harness, org: Org) -> None:
    harness.clock.set(local(f"{DAY} 19:59"))
    await harness.run_due()
    assert summaries(harness, org.coord.id) == []
    harness.clock.set(local(f"{DAY} 20:00"))
    await harness.run_due()
    [text] = summaries(harness, org.coord.id)
    # RIV-1: Ann, Bo (sick: excused), Cy (flagged) and Sam checked in, Di on leave, Ed
    # missing; RIV itself: the two coordinators, who did not check in. Nobody had joined
    # the day before: nothing to compare with (not "+4").
    assert text == (
        "📊 Riverside District — Tue 1 Dec\n\n"
        "Members 8 · checked in 4 (57%) · excused by check-in 1 · on recorded leave 1 · missing 3\n"
        "No earlier day to compare with: this is the first with members.\n\n"
        # No register: everyone expected is a member who joined (issue #18).
        "Reach: joined 8 / 8 · on Telegram 8 · fallback only 0 · unreachable 0\n\n"
        "By unit, worst first (checked in / expected, missing, change)\n"
        "• Riverside District (own members): 0/2 (0%) · missing 2 (—)"
        " · joined 2 / 2 · unreachable 0\n"
        "• Riverside Branch 1: 4/5 (80%) · missing 1 (—) · joined 6 / 6 · unreachable 0"
        " · 🚩 flags open: 1\n\n"
        "Missing in Riverside District itself: Chen, Cora\n\n"
        "Duty: no grids or shifts today.\n\n"
        "Directives today: none.\n\n"
        "Problems: 1 flagged check-in, 0 incidents on duty\n"
        "• 🚩 Cy (Riverside Branch 1)\n"
        "🚩 flags open: 1"
    )
    [text_zh] = summaries(harness, org.coord_zh.id)
    # The two "not missing" figures say where they come from: the day's answer, /leave.
    assert "成员8 · 已打卡4（57%）· 打卡告假1 · 登记请假1 · 未打卡3" in text_zh
    assert "Riverside District本级未打卡：Chen、Cora" in text_zh  # names listed with 、
    assert "<b>" not in text_zh
    assert "这是第一个有成员的日子，暂无前一日可比较。" in text_zh
    await harness.run_due()
    harness.clock.set(local(f"{DAY} 23:00"))
    await harness.run_due()
    assert len(summaries(harness, org.coord.id)) == 1
    assert summaries(harness, org.sec.id) == []  # secretaries are not sent summaries


async def test_summary_agrees_with_members(harness: Harness, org: Org) -> None:
    summary = await harness.services.summaries.compile(await harness.unit("RIV"), date(2026, 12, 1))
    days = await harness.services.checkins.day_status(Actor.console(), date(2026, 12, 1))
    [(_, tally, missing)] = [d for d in days if d[0].code == "RIV-1"]
    [line] = [x for x in summary.lines if x.unit.code == "RIV-1"]
    assert (line.counts.members, line.counts.checked_in, line.counts.on_leave) == (
        tally.members,
        tally.checked_in,
        tally.on_leave,
    )
    assert line.counts.missing == len(missing) == 1


async def test_a_summary_missed_while_down_is_sent_late_once(harness: Harness, org: Org) -> None:
    harness.clock.set(local("2026-12-02 10:00"))  # the bot was down all evening
    await harness.run_due()
    [text] = summaries(harness, org.coord.id)
    assert text.startswith(
        "📊 Riverside District — Tue 1 Dec\n\n"
        "⏰ Late: this was due at 20:00 while the bot was down.\n\n"
        "Members 8 · checked in 4 (57%)"
    )
    # A restart on the same database sends nothing again.
    storage = harness.services.storage
    app = await build_application(
        SERVICES.of(harness.app).settings,
        request=FakeRequest(harness.api),
        clock=harness.clock,
        storage=storage,
        pacer=Pacer.unlimited(),
    )
    async with ChatDriver(app, harness.api):
        harness.app = app
        await harness.run_due()
    assert len(summaries(harness, org.coord.id)) == 1


async def test_blocked_coordinator_does_not_stop_the_others(harness: Harness, org: Org) -> None:
    await harness.send(org.coord, org.coord.blocks_bot())
    harness.clock.set(local(f"{DAY} 20:00"))
    await harness.run_due()
    assert len(summaries(harness, org.coord_zh.id)) == 1
    member = await harness.services.storage.members.by_telegram_id(org.coord.id)
    assert member is not None and member.unreachable_since is not None


async def test_committee_without_members_says_nothing_to_report(harness: Harness) -> None:
    harness.clock.set(local(f"{DAY} 08:00"))
    coord = harness.person(961, "Hana")
    await harness.join(coord, "HIL", Role.COORDINATOR)  # HIL-1 is empty; Hana is in HIL
    await harness.services.storage.db.write(
        "UPDATE members SET active = 0 WHERE telegram_id = ?", (coord.id,)
    )
    summary = await harness.services.summaries.compile(
        await harness.unit("HIL-1"), date(2026, 12, 1)
    )
    assert summary.empty
    await harness.services.storage.db.write(
        "UPDATE members SET active = 1 WHERE telegram_id = ?", (coord.id,)
    )
    [answer] = await harness.send(coord, coord.command("summary", DAY, "HIL-1"))
    assert answer.text == (
        "📊 Hillside Branch 1 — Tue 1 Dec\nNothing to report: Hillside Branch 1 has no members yet."
    )


async def test_weekly_summary_on_sunday(harness: Harness, org: Org) -> None:
    harness.clock.set(local("2026-12-06 20:00"))  # Sunday
    await harness.run_due()
    weekly = [
        m.text or "" for m in harness.api.sent_to(org.coord.id) if (m.text or "").startswith("📈")
    ]
    assert len(weekly) == 1
    assert weekly[0].startswith("📈 Riverside District — the week to Sun 6 Dec")
    assert "• Mon 30 Nov: — · missing 0" in weekly[0]  # nobody had joined yet
    assert "• Tue 1 Dec: 57% · missing 3" in weekly[0]
    assert "• Sat 5 Dec: — · missing 0" in weekly[0]  # a day off


async def test_a_dated_workday_is_summed_up_as_a_working_day(
    harness: Harness, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saturday 5 December made a working day (调休, ``checkin.workdays``): its summary
    counts who is missing, and Monday compares with it rather than with Friday."""
    checkins = harness.services.checkins
    monkeypatch.setattr(
        checkins, "form", checkins.form.model_copy(update={"workdays": [date(2026, 12, 5)]})
    )
    harness.clock.set(local("2026-12-05 09:00"))
    await checkin(harness, org.members["Ann"], "post")
    harness.clock.set(local("2026-12-05 20:00"))
    await harness.run_due()
    [saturday] = [text for text in summaries(harness, org.coord.id) if "Sat 5 Dec" in text]
    assert "Members 8 · checked in 1 (12%)" in saturday and "Day off" not in saturday
    harness.clock.set(local("2026-12-06 20:00"))  # Sunday stays a day off
    await harness.run_due()
    weekly = [m.text or "" for m in harness.api.sent_to(org.coord.id) if "📈" in (m.text or "")]
    assert "• Sat 5 Dec: 12% · missing 7" in weekly[0]
    assert "• Sun 6 Dec: — · missing 0" in weekly[0]
    monday = await harness.services.summaries.compile(await harness.unit("RIV"), date(2026, 12, 7))
    assert monday.previous_day == date(2026, 12, 5)


async def test_on_demand_and_its_refusals(harness: Harness, org: Org) -> None:
    coord, member = org.coord, org.members["Ann"]
    harness.clock.set(local(f"{DAY} 12:00"))
    [chart, answer, book] = await harness.send(coord, coord.command("summary"))
    assert (answer.text or "").startswith("📊 Riverside District — Tue 1 Dec")
    assert chart.raw["photo"] and book.raw["document"]["file_name"] == "RIV-2026-12-01.xlsx"
    [answer] = await harness.send(coord, coord.command("summary", "2026-13-01"))
    assert answer.text == (
        "“2026-13-01” is not a date. Write it like 2026-12-01: /summary 2026-12-01"
    )
    [answer] = await harness.send(coord, coord.command("summary", "2026-12-02"))
    assert answer.text == "That day has not come yet; ask for today or an earlier day."
    [answer] = await harness.send(coord, coord.command("summary", "NOPE"))
    assert answer.text == "There is no unit with the code “NOPE”."
    [answer] = await harness.send(coord, coord.command("summary", "HIL"))
    assert answer.text == "Summaries are for coordinators and secretaries, of their own units."
    [answer] = await harness.send(member, member.command("summary"))
    assert answer.text == "Summaries are for coordinators and secretaries, of their own units."
    [_, answer, _] = await harness.send(org.sec, org.sec.command("summary", "RIV-1"))
    assert (answer.text or "").startswith("📊 Riverside Branch 1 — Tue 1 Dec")


async def test_on_demand_summary_comes_in_the_scheduled_order(harness: Harness, org: Org) -> None:
    """Regression: /summary sent the text before the chart, the evening summary after."""
    harness.clock.set(local(f"{DAY} 12:00"))
    await harness.send(org.coord, org.coord.command("summary"))
    assert kinds(harness, org.coord.id) == ["photo", "📊", "document RIV-2026-12-01.xlsx"]


async def test_several_scopes_are_offered_as_buttons(harness: Harness, org: Org) -> None:
    coord = org.coord
    await harness.send(coord, coord.command("start", await harness.invite("HIL", Role.COORDINATOR)))
    [pick] = await harness.send(coord, coord.command("summary"))
    assert pick.text == "Which committee?"
    assert [label for label, _ in pick.buttons] == ["Riverside District", "Hillside District"]
    [answer] = await harness.send(coord, coord.press(pick, "Hillside District"))
    assert answer.text == (
        "📊 Hillside District — Tue 1 Dec\nNothing to report: Hillside District has no members yet."
    )
    [answer] = await harness.send(coord, coord.command("export", "2026-11-30", DAY))
    assert answer.text == ("You see several committees; add one of their codes: RIV, HIL")


def sheet(content: bytes, name: str) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book[name].iter_rows(values_only=True)]


async def test_the_workbook_lists_members_and_units(harness: Harness, org: Org) -> None:
    harness.clock.set(local(f"{DAY} 12:00"))
    [_, _, book] = await harness.send(org.coord, org.coord.command("summary"))
    data = harness.api.file_bytes(book.raw["document"]["file_id"])
    assert data is not None
    members = sheet(data, "Members")
    assert members[0] == [
        "Name", "Username", "Unit", "Status", "Time", "Excused by check-in", "Flag", "By phone",
    ]  # fmt: skip
    statuses = {row[0]: row[3] for row in members[1:]}
    # An excused check-in is a check-in, as in the text ("excused" says which).
    assert statuses == {
        "Chen": "missing",
        "Cora": "missing",
        "Ann": "checked in",
        "Bo": "checked in",
        "Cy": "checked in",
        "Di": "on recorded leave",
        "Ed": "missing",
        "Sam": "checked in",
    }
    units = sheet(data, "Units")
    assert units[0][5:7] == ["Excused by check-in", "On recorded leave"]
    assert units[1:] == [
        # ... then reach (issue #18): expected, joined, on Telegram, fallback only,
        # unreachable; no register, so the members.
        ["RIV", "Riverside District", 1, 2, 0, 0, 0, 2, 0, 2, 2, 2, 0, 0],
        ["RIV-1", "Riverside Branch 1", 2, 6, 4, 1, 1, 1, 80, 6, 6, 6, 0, 0],
    ]


async def test_a_failing_chart_does_not_stop_the_summary(
    harness: Harness, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> bytes:
        raise RuntimeError("no fonts today")

    monkeypatch.setattr("handlers.summaries.summary.day_chart", broken)
    harness.clock.set(local(f"{DAY} 12:00"))
    [text, note, book] = await harness.send(org.coord, org.coord.command("summary"))
    assert (text.text or "").startswith("📊 Riverside District")
    assert note.text == "(The chart could not be drawn this time; the numbers above are complete.)"
    assert book.raw["document"]["file_name"] == "RIV-2026-12-01.xlsx"


async def test_export_a_range(harness: Harness, org: Org) -> None:
    coord = org.coord
    harness.clock.set(local("2026-12-03 12:00"))
    [book] = await harness.send(coord, coord.command("export", "2026-11-30", "2026-12-02"))
    assert book.raw["document"]["file_name"] == "RIV-2026-11-30-2026-12-02.xlsx"
    [answer] = await harness.send(coord, coord.command("export", "2026-12-02", "2026-11-30"))
    assert answer.text == "The first day comes after the last one. Send them the other way round."
    [answer] = await harness.send(coord, coord.command("export", "2026-12-01"))
    assert (answer.text or "").startswith("Send the first and last day: /export")
    [answer] = await harness.send(coord, coord.command("export", "2026-12-01", "2026-12-09"))
    assert answer.text == "That day has not come yet; ask for today or an earlier day."
    [capped, book] = await harness.send(coord, coord.command("export", "2026-01-01", "2026-12-02"))
    assert capped.text == "An export covers at most 31 days: here 2026-11-02 to 2026-12-02."
    assert book.raw["document"]["file_name"] == "RIV-2026-11-02-2026-12-02.xlsx"
    [answer] = await harness.send(
        org.members["Ann"], org.members["Ann"].command("export", "2026-12-01", "2026-12-02", "RIV")
    )
    assert answer.text == "Summaries are for coordinators and secretaries, of their own units."


async def test_summaries_here_in_a_private_chat_says_it_works_in_a_group(
    harness: Harness, org: Org
) -> None:
    [answer] = await harness.send(org.coord, org.coord.command("summaries_here", "RIV"))
    assert answer.text == (
        "/summaries_here and /summaries_stop work in a group chat: add me to the group, then "
        "send it there with the committee's code, e.g. /summaries_here RIV."
    )
    li = harness.person(7309, "Li", language="zh")
    [answer] = await harness.send(li, li.command("summaries_stop"))
    assert answer.text == (
        "/summaries_here 和 /summaries_stop 需要在群聊中使用：请先把我拉进群，"
        "再在群里发送并附上委员会代码，例如 /summaries_here RIV。"
    )


async def test_a_group_chat_gets_the_committee_summary(harness: Harness, org: Org) -> None:
    group = -100777
    coord, member = org.coord, org.members["Ann"]
    [answer] = await harness.send(coord, coord.command_in_group(group, "summaries_here"))
    assert answer.text == (
        "Send it with the committee's code: /summaries_here RIV (or /summaries_stop RIV)."
    )
    [answer] = await harness.send(member, member.command_in_group(group, "summaries_here", "RIV"))
    assert (
        answer.text == "Only a coordinator of Riverside District can send its summaries to a group."
    )
    [answer] = await harness.send(coord, coord.command_in_group(group, "summaries_here", "RIV"))
    assert answer.text == "This group will get Riverside District's summaries too."
    [answer] = await harness.send(coord, coord.command_in_group(group, "summaries_here", "RIV"))
    assert answer.text == "This group already gets Riverside District's summaries."
    harness.clock.set(local(f"{DAY} 20:00"))
    await harness.run_due()
    assert len(summaries(harness, group)) == 1
    assert len(summaries(harness, coord.id)) == 1
    [answer] = await harness.send(coord, coord.command_in_group(group, "summaries_stop", "RIV"))
    assert answer.text == "This group will no longer get Riverside District's summaries."
    harness.clock.set(local("2026-12-02 20:00"))
    await harness.run_due()
    assert len(summaries(harness, group)) == 1
    assert len(summaries(harness, coord.id)) == 2
    audit = await harness.services.storage.db.fetchall(
        "SELECT action, outcome FROM audit_log WHERE action LIKE 'summary_chat%'"
    )
    assert [tuple(r) for r in audit] == [
        ("summary_chat", "denied"),
        ("summary_chat_on", "ok"),
        ("summary_chat_off", "ok"),
    ]


def kinds(harness: Harness, chat_id: int) -> list[str]:
    """What the chat got from the summary on, in order: photo, text or document."""
    out = []
    for m in harness.api.sent_to(chat_id):
        if "photo" in m.raw:
            out.append("photo")
        elif "document" in m.raw:
            out.append(f"document {m.raw['document']['file_name']}")
        elif (m.text or "").startswith(("📊", "📎", "(")):
            out.append((m.text or "")[:1])
    return out


async def test_the_evening_summary_carries_its_chart_and_workbook(
    harness: Harness, org: Org
) -> None:
    harness.clock.set(local(f"{DAY} 20:00"))
    await harness.run_due()
    charts = []
    for coordinator in (org.coord, org.coord_zh):
        assert kinds(harness, coordinator.id) == [
            "photo", "📊", "document RIV-2026-12-01.xlsx", "📎",
        ]  # fmt: skip
        [photo] = [m for m in harness.api.sent_to(coordinator.id) if "photo" in m.raw]
        charts.append(harness.api.file_bytes(photo.raw["photo"][-1]["file_id"]))
    english, chinese = charts
    assert english and chinese and english != chinese  # each worded in its reader's language
    [book] = [m for m in harness.api.sent_to(org.coord_zh.id) if "document" in m.raw]
    data = harness.api.file_bytes(book.raw["document"]["file_id"])
    assert data is not None and sheet(data, "成员")[0] == [
        "姓名", "用户名", "单位", "状态", "时间", "打卡告假", "标记", "电话联系",
    ]  # fmt: skip
    # The two "not missing" figures are named apart, as in the text.
    statuses = {row[0]: [row[3], row[5]] for row in sheet(data, "成员")[1:]}
    assert (statuses["Bo"], statuses["Di"], statuses["Ed"]) == (
        ["已打卡", "是"], ["登记请假", None], ["未打卡", None],
    )  # fmt: skip
    assert sheet(data, "单位")[0] == [
        "代码", "单位", "层级", "成员数", "已打卡", "打卡告假", "登记请假", "未打卡", "打卡率 %",
        "应有人数", "已加入", "可经 Telegram 联系", "仅可经备用渠道联系", "无法联系",
    ]  # fmt: skip


async def test_a_failing_chart_or_workbook_leaves_the_text(
    harness: Harness, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> bytes:
        raise RuntimeError("out of ink")

    monkeypatch.setattr("bot.summaries.schedule.day_chart", broken)
    monkeypatch.setattr("bot.summaries.schedule.workbook", broken)
    harness.clock.set(local(f"{DAY} 20:00"))
    await harness.run_due()
    assert kinds(harness, org.coord.id) == ["📊", "("]
    [note] = [m.text for m in harness.api.sent_to(org.coord.id) if (m.text or "").startswith("(")]
    assert note == "(The spreadsheet could not be made this time; the numbers above are complete.)"


async def test_directive_numbers_agree_with_directives_view(harness: Harness, org: Org) -> None:
    """A directive of the day is counted in the summary as /directives shows it to the
    same coordinator."""
    services = harness.services
    riv = await harness.unit("RIV")
    directive = await services.directives.create(
        Actor.console(),
        Draft(
            targets=(Target(riv.id, subtree=True),),
            text="<b>Sandbags</b> to the east levee &amp; the bridge.",
            attachment=None,
            ack_required=True,
            ack_deadline=local(f"{DAY} 18:00"),
            send_at=None,
        ),
    )
    await harness.run_due()
    for name in ("Ann", "Bo"):
        await services.directives.acknowledge(directive.id, org.members[name].id)
    summary = await services.summaries.compile(riv, date(2026, 12, 1))
    [line] = summary.directives
    coordinator = await services.authz.actor(org.coord.id)
    view = await services.directives.view(coordinator, directive.id)
    assert (
        (line.recipients, line.sent, line.acked)
        == (
            view.totals.recipients,
            view.totals.sent,
            view.totals.acked,
        )
        == (8, 8, 2)
    )
    text = SummaryText(services.i18n, "en").daily(await services.summaries.with_reach(summary))
    # The title is plain text again, escaped once for HTML.
    assert (
        "• “Sandbags to the east levee &amp; the bridge.” — acknowledged 2/8 (25%)\n"
        "   reached: Telegram 2 · silent 6 · reached in p50 1 min · p90 1 min"
    ) in text  # how they were reached, and how fast (issue #18)
    assert "   联系情况：Telegram 2人 · 未答复6人 · 联系用时 p50 1分钟 · p90 1分钟" in (
        SummaryText(services.i18n, "zh").daily(summary)
    )


async def test_impossible_days_are_not_dates(harness: Harness, org: Org) -> None:
    """Regression: a forged day on a committee button, and a year at the ends of the
    calendar in /summary or /export, failed instead of being refused."""
    coord = org.coord
    riv = await harness.unit("RIV")
    replies = await harness.send(coord, coord.press_data(1, f"sm:{riv.id}:2026-99-99"))
    assert [a.text for a in replies.callback_answers] == [
        "This button no longer applies. Nothing was changed."
    ]
    for command, args in (("summary", ()), ("export", ("0001-01-02", "RIV"))):
        [answer] = await harness.send(coord, coord.command(command, "0001-01-01", *args))
        assert answer.text == (
            "“0001-01-01” is not a date. Write it like 2026-12-01: /summary 2026-12-01"
        )


async def test_export_shows_shift_times_in_the_organisations_zone(
    harness: Harness, org: Org
) -> None:
    """Regression: /export wrote a shift of a unit without a timezone of its own in UTC
    (10:00 for an 18:00 shift in Shanghai); the organisation's zone is that unit's clock.
    The cells are spreadsheet datetimes, which carry no zone: the wall clock is written."""
    await add_shift(harness, org.members["Ann"].id, f"{DAY} 18:00", f"{DAY} 22:00")
    harness.clock.set(local("2026-12-02 12:00"))
    [book] = await harness.send(org.coord, org.coord.command("export", DAY, DAY))
    data = harness.api.file_bytes(book.raw["document"]["file_id"])
    assert data is not None
    header, *rows = sheet(data, "Shifts")
    start, end = header.index("Start"), header.index("End")
    assert [(row[start], row[end]) for row in rows] == [
        (datetime(2026, 12, 1, 18, 0), datetime(2026, 12, 1, 22, 0))
    ]
