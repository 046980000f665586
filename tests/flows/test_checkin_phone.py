"""A check-in recorded by phone (issue #18): a secretary's ``/members`` of today has a
"📞 Name" button for the first missing members of each of their units; it records the
check-in on the member's behalf (counted everywhere, marked so, audited, the member told
once) or that they could not be reached, with a reason; only the open day, only the
member's own secretaries, only while the member is still missing in the unit listed;
/cancel and Back work; in both languages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.build import build_application
from bot.org.authz import Actor
from fakeapi import ChatDriver, FakeRequest, FakeUser, Replies, SentMessage
from storage.models import Role
from tests.flows.conftest import Harness
from tests.flows.test_checkin import labels, local
from tests.flows.test_checkin_schedule import check_in
from tests.flows.test_workbook import book_of, rows

DAY = date(2026, 12, 1)  # a Tuesday


@pytest.fixture
async def crew(harness: Harness) -> dict[str, FakeUser]:
    """Sue (English) and Su (Chinese), secretaries of Riverside District; Ann, Bo and Cy
    in Riverside Branch 1; Cai, the district's coordinator. 10:00 on Tuesday, the
    check-in open (06:00–22:00)."""
    harness.clock.set(local("2026-12-01 09:30"))
    crew = {
        "sue": harness.person(601, "Sue Secretary"),
        "su": harness.person(602, "Su", language="zh"),
        "cai": harness.person(603, "Cai"),
        "ann": harness.person(611, "Ann"),
        "bo": harness.person(612, "Bo"),
        "cy": harness.person(613, "Cy"),
    }
    await harness.join(crew["sue"], "RIV", Role.SECRETARY)
    await harness.join(crew["su"], "RIV", Role.SECRETARY)
    await harness.join(crew["cai"], "RIV", Role.COORDINATOR)
    for name in ("ann", "bo", "cy"):
        await harness.join(crew[name], "RIV-1")
    await harness.run_due()
    harness.clock.set(local("2026-12-01 10:00"))
    return crew


async def members(harness: Harness, who: FakeUser, *args: str) -> SentMessage:
    replies = await harness.send(who, who.command("members", *args))
    return replies[0]


def edited(replies: Replies) -> str:
    """The text of the one message the press left (edited or sent)."""
    [message] = replies
    return message.text or ""


async def phoned(harness: Harness, telegram_id: int) -> tuple[object, ...] | None:
    """(on behalf by, answers) of the member's check-in of the day, or None."""
    member = await harness.services.storage.members.by_telegram_id(telegram_id)
    assert member is not None
    row = await harness.services.storage.db.fetchone(
        "SELECT on_behalf_by, answers FROM checkins WHERE member_id = ? AND day = ?",
        (member.id, DAY.isoformat()),
    )
    return None if row is None else tuple(row)


async def records(harness: Harness) -> list[tuple[object, ...]]:
    found = await harness.services.storage.db.fetchall(
        "SELECT outcome, reason FROM checkin_phone ORDER BY id"
    )
    return [tuple(r) for r in found]


async def test_a_check_in_by_phone_counts_everywhere_and_the_member_is_told_once(
    harness: Harness, crew: dict[str, FakeUser]
) -> None:
    sue, bo = crew["sue"], crew["bo"]
    listed = await members(harness, sue)
    assert listed.text == (
        "Check-ins, Tue 1 Dec\n"
        "• Riverside Branch 1: 0/3 checked in — missing: Ann, Bo, Cy\n"
        "• Riverside District: 0/3 checked in — missing: Cai, Su, Sue Secretary"
    )
    # The first three of each unit, not Sue herself.
    assert labels(listed) == ["📞 Ann", "📞 Bo", "📞 Cy", "📞 Cai", "📞 Su"]
    [asked] = await harness.send(sue, sue.press(listed, "📞 Bo"))
    assert asked.text == (
        "📞 Reached by phone: Bo (Riverside Branch 1)\n"
        "Check-in for Tue 1 Dec: record that they checked in, on their behalf, or that you"
        " could not reach them. /cancel records nothing."
    )
    assert labels(asked) == ["✅ Checked in (by phone)", "🚫 Could not be reached", "Cancel"]
    done = await harness.send(sue, sue.press(asked, "✅ Checked in (by phone)"))
    assert edited(done) == "📞 Recorded for Bo, on their behalf by you: checked in for Tue 1 Dec."
    sue_member = await harness.services.storage.members.by_telegram_id(sue.id)
    assert sue_member is not None
    assert await phoned(harness, bo.id) == (sue_member.id, "{}")
    # /members counts it and says how it was made.
    again = await members(harness, sue)
    # Worst first: Riverside District now, Bo's line second.
    assert again.text is not None and again.text.splitlines()[2:4] == [
        "• Riverside Branch 1: 1/3 checked in — missing: Ann, Cy",
        "   📞 Bo: phone (on behalf by Sue Secretary)",
    ]
    assert labels(again) == ["📞 Cai", "📞 Su", "📞 Ann", "📞 Cy"]
    # So do the summary and the workbook's sheets.
    riv = await harness.unit("RIV")
    summary = await harness.services.summaries.compile(riv, DAY)
    assert summary.total.checked_in == 1
    book = await book_of(harness, crew["cai"], "summary")
    sheet = rows(book["Members"])
    by_phone = sheet[0].index("By phone")
    assert {r[0]: (r[3], r[by_phone]) for r in sheet[1:]}["Bo"] == (
        "checked in",
        "phone (on behalf by Sue Secretary)",
    )
    answers = rows(book["Answers"])
    assert [r[1] for r in answers[1:]] == ["Bo"]
    assert answers[1][answers[0].index("By phone")] == "phone (on behalf by Sue Secretary)"
    # A second press of the old list records nothing more.
    [refused] = await harness.send(sue, sue.press(listed, "📞 Bo"))
    assert refused.text == "Bo has checked in for Tue 1 Dec meanwhile: nothing was recorded."
    assert await records(harness) == [("checked_in", None)]
    audit = await harness.services.storage.audit.recent()
    assert [e.action for e in audit if e.outcome == "ok"][-1] == "record_on_behalf"
    # Bo is told the next time he writes, once.
    told = await harness.send(bo, bo.command("help"))
    assert told[0].text == (
        "📞 Your secretary Sue Secretary recorded your check-in for Tue 1 Dec by phone, at 10:00."
    )
    later = await harness.send(bo, bo.command("help"))
    assert not any((m.text or "").startswith("📞") for m in later)
    # His own check-in afterwards is his: no longer marked.
    harness.clock.advance(timedelta(minutes=30))
    [current] = await harness.send(bo, bo.command("checkin"))
    assert current.text == (
        "📞 Your secretary Sue Secretary recorded your check-in for today by phone, at 10:00."
        " You can fill in today's form yourself: your answers will replace it."
    )
    [step] = await harness.send(bo, bo.press(current, "✏️ Change it"))
    [step] = await harness.send(bo, bo.press(step, "At my post"))
    await harness.send(bo, bo.press(step, "✅ Submit"))
    assert await phoned(harness, bo.id) == (None, '{"status": "post"}')
    last = await members(harness, sue)
    assert last.text is not None and "📞 Bo" not in last.text
    [mine] = await harness.send(bo, bo.command("checkin"))
    assert mine.text is not None and mine.text.startswith("You checked in today at 10:30")
    assert (await harness.services.summaries.compile(riv, DAY)).total.checked_in == 1


async def test_could_not_be_reached_needs_a_reason_back_and_cancel_in_chinese(
    harness: Harness, crew: dict[str, FakeUser]
) -> None:
    su, cy = crew["su"], crew["cy"]
    listed = await members(harness, su)
    assert labels(listed) == ["📞 Ann", "📞 Bo", "📞 Cy", "📞 Cai", "📞 Sue Secretary"]
    [asked] = await harness.send(su, su.press(listed, "📞 Cy"))
    assert asked.text == (
        "📞 已电话联系：Cy（Riverside Branch 1）\n"
        "12月1日 周二的打卡：代其记录已打卡，或记录未能联系上。发送 /cancel 则不作任何记录。"
    )
    assert labels(asked) == ["✅ 已打卡（电话）", "🚫 未能联系上", "取消"]
    why = await harness.send(su, su.press(asked, "🚫 未能联系上"))
    assert edited(why).startswith("为什么未能联系上？")
    assert labels(why[0]) == ["‹ 返回", "取消"]
    # Back: the choice again, in the same message.
    back = await harness.send(su, su.press(why[0], "‹ 返回"))
    assert edited(back).startswith("📞 已电话联系：Cy")
    assert labels(back[0]) == ["✅ 已打卡（电话）", "🚫 未能联系上", "取消"]
    await harness.send(su, su.press(back[0], "🚫 未能联系上"))
    [empty] = await harness.send(su, su.message("   "))
    assert empty.text == "这里需要简要说明。请发送，或发送 /cancel。"
    [long] = await harness.send(su, su.message("x" * 501))
    assert long.text == "超过了500个字符。请缩短后重新发送，或发送 /cancel。"
    [cancelled] = await harness.send(su, su.command("cancel"))
    assert cancelled.text == "未作任何记录。"
    assert await records(harness) == []
    # Again, to the end: listed with the reason, still missing, still callable.
    [asked] = await harness.send(su, su.press(listed, "📞 Cy"))
    await harness.send(su, su.press(asked, "🚫 未能联系上"))
    [done] = await harness.send(su, su.message("无人接听，已留言"))
    assert done.text == "📞 已由您代Cy记录：未能联系上：“无人接听，已留言”。"
    assert await records(harness) == [("unreached", "无人接听，已留言")]
    assert await phoned(harness, cy.id) is None
    again = await members(harness, su)
    assert again.text is not None and again.text.splitlines()[1] == (
        "• Riverside Branch 1：已打卡0/3 — 未打卡：Ann、Bo、Cy（未联系上：无人接听，已留言）"
    )
    assert "📞 Cy" in labels(again)
    # The workbook says so for the missing.
    book = await book_of(harness, crew["cai"], "summary")
    sheet = rows(book["Members"])
    by_phone = sheet[0].index("By phone")
    assert {r[0]: r[by_phone] for r in sheet[1:]}["Cy"] == "not reached: 无人接听，已留言"
    # Cy is told, in English, without the reason.
    told = await harness.send(cy, cy.command("help"))
    assert told[0].text == (
        "📞 Your secretary Su tried to reach you by phone for the check-in of Tue 1 Dec,"
        " at 10:00, and could not."
    )
    # A later call reaches him.
    harness.clock.advance(timedelta(minutes=20))
    [asked] = await harness.send(su, su.press(again, "📞 Cy"))
    done_replies = await harness.send(su, su.press(asked, "✅ 已打卡（电话）"))
    assert edited(done_replies) == "📞 已由您代Cy记录：已完成12月1日 周二的打卡。"
    last = await members(harness, su)
    assert last.text is not None and last.text.splitlines()[2:4] == [
        "• Riverside Branch 1：已打卡1/3 — 未打卡：Ann、Bo",
        "   📞 Cy：电话（由Su代为记录）",
    ]
    told = await harness.send(cy, cy.command("help"))
    assert told[0].text == (
        "📞 Your secretary Su recorded your check-in for Tue 1 Dec by phone, at 10:20."
    )


async def test_only_the_open_day_is_recorded(harness: Harness, crew: dict[str, FakeUser]) -> None:
    sue, su = crew["sue"], crew["su"]
    listed = await members(harness, sue)
    listed_zh = await members(harness, su)
    # A flow opened before the close, pressed after it.
    harness.clock.set(local("2026-12-01 21:59"))
    [asked] = await harness.send(sue, sue.press(listed, "📞 Ann"))
    harness.clock.set(local("2026-12-01 22:01"))
    [closed] = await harness.send(sue, sue.press(asked, "✅ Checked in (by phone)"))
    assert closed.text == (
        "The check-in for Tue 1 Dec is no longer open: nothing was recorded for Ann."
    )
    # The prompt itself says so, its buttons gone.
    assert closed.message_id == asked.message_id and labels(closed) == []
    [closed] = await harness.send(su, su.press(listed_zh, "📞 Bo"))
    assert closed.text == "12月1日 周二的打卡已结束：未为Bo作任何记录。"
    # Once closed, today's list has no buttons; nor has a past day's.
    assert labels(await members(harness, sue)) == []
    harness.clock.set(local("2026-12-02 10:00"))
    [refused] = await harness.send(sue, sue.press(listed, "📞 Cy"))
    assert refused.text is not None and refused.text.startswith("The check-in for Tue 1 Dec")
    past = await members(harness, sue, "2026-12-01")
    assert past.text is not None and past.text.startswith("Check-ins, Tue 1 Dec")
    assert labels(past) == []
    assert labels(await members(harness, sue)) == ["📞 Ann", "📞 Bo", "📞 Cy", "📞 Cai", "📞 Su"]
    assert await records(harness) == []
    assert await phoned(harness, crew["ann"].id) is None


async def test_a_member_who_checked_in_moved_or_went_on_leave_meanwhile(
    harness: Harness, crew: dict[str, FakeUser]
) -> None:
    sue, ann = crew["sue"], crew["ann"]
    listed = await members(harness, sue)
    # Ann checks in herself while Sue is on the phone.
    [asked] = await harness.send(sue, sue.press(listed, "📞 Ann"))
    await check_in(harness, ann)
    [refused] = await harness.send(sue, sue.press(asked, "✅ Checked in (by phone)"))
    assert refused.text == "Ann has checked in for Tue 1 Dec meanwhile: nothing was recorded."
    assert await phoned(harness, ann.id) == (None, '{"status": "post"}')
    # Bo is moved to Hillside Branch 1.
    storage = harness.services.storage
    bo = await storage.members.by_telegram_id(crew["bo"].id)
    assert bo is not None
    await harness.services.membership.move(Actor.console(), bo, "HIL-1")
    [refused] = await harness.send(sue, sue.press(listed, "📞 Bo"))
    assert refused.text == "Bo has moved to another unit meanwhile: nothing was recorded."
    # Cy's leave is recorded for today.
    cy = await storage.members.by_telegram_id(crew["cy"].id)
    assert cy is not None
    await harness.services.checkins.record_leave(Actor.console(), cy, DAY, DAY, "sick")
    [refused] = await harness.send(sue, sue.press(listed, "📞 Cy"))
    assert refused.text == "Cy is on recorded leave on Tue 1 Dec: nothing was recorded."
    assert await records(harness) == []


async def test_only_the_members_own_secretaries_and_not_after_losing_the_role(
    harness: Harness, crew: dict[str, FakeUser]
) -> None:
    sue, cai, ann = crew["sue"], crew["cai"], crew["ann"]
    # A coordinator sees the day, without buttons; a forged press is refused.
    shown = await members(harness, cai)
    assert shown.text is not None and shown.text.startswith("Check-ins, Tue 1 Dec")
    assert labels(shown) == []
    listed = await members(harness, sue)
    data = listed.buttons[0][1]
    assert data is not None and len(data.encode()) <= 64
    other = harness.person(632, "Hal")
    await harness.join(other, "HIL", Role.SECRETARY)
    for person in (ann, cai, other):
        [help_text, *_] = await harness.send(person, person.command("help"))
        replies = await harness.send(person, person.press_data(help_text.message_id, data))
        assert replies.callback_answers[0].text == "You are not allowed to do that here."
    # Sue loses the role: her list's buttons, and a flow she had open, are refused.
    [asked] = await harness.send(sue, sue.press(listed, "📞 Bo"))
    sue_member = await harness.services.storage.members.by_telegram_id(sue.id)
    assert sue_member is not None
    await harness.services.membership.revoke(Actor.console(), sue_member, "RIV", Role.SECRETARY)
    [refused] = await harness.send(sue, sue.press(asked, "✅ Checked in (by phone)"))
    assert refused.text == "You are not allowed to do that here."
    assert refused.message_id == asked.message_id and labels(refused) == []
    replies = await harness.send(sue, sue.press(listed, "📞 Ann"))
    assert replies.callback_answers[0].text == "You are not allowed to do that here."
    assert await records(harness) == []
    audit = await harness.services.storage.audit.recent()
    denied = [e for e in audit if e.action == "record_on_behalf" and e.outcome == "denied"]
    assert len(denied) == 5


async def test_erasure_and_retention_forget_why_someone_was_not_reached(
    harness: Harness, crew: dict[str, FakeUser]
) -> None:
    sue = crew["sue"]
    listed = await members(harness, sue)
    for name in ("Ann", "Bo"):
        [asked] = await harness.send(sue, sue.press(listed, f"📞 {name}"))
        await harness.send(sue, sue.press(asked, "🚫 Could not be reached"))
        await harness.send(sue, sue.message(f"{name}'s phone is off"))
    storage = harness.services.storage
    ann = await storage.members.by_telegram_id(crew["ann"].id)
    assert ann is not None
    await storage.privacy.erase_member(ann.id, "—", harness.clock.now())
    assert await records(harness) == [("unreached", None), ("unreached", "Bo's phone is off")]
    await storage.privacy.erase_before(DAY + timedelta(days=1), None)
    assert await records(harness) == [("unreached", None), ("unreached", None)]
    shown = await members(harness, sue)
    assert shown.text is not None and "Bo (not reached)" in shown.text


async def test_the_reason_step_survives_a_restart(
    harness: Harness, crew: dict[str, FakeUser]
) -> None:
    sue = crew["sue"]
    listed = await members(harness, sue)
    [asked] = await harness.send(sue, sue.press(listed, "📞 Ann"))
    await harness.send(sue, sue.press(asked, "🚫 Could not be reached"))
    await harness.app.update_persistence()
    restarted = await build_application(
        harness.services.settings,
        request=FakeRequest(harness.api),
        clock=harness.clock,
        storage=harness.services.storage,
    )
    async with ChatDriver(restarted, harness.api) as driver:
        [done] = await driver.send(sue, sue.message("no answer"))
    assert done.text == (
        "📞 Recorded for Ann, on their behalf by you: could not be reached: “no answer”."
    )
    assert await records(harness) == [("unreached", "no answer")]
