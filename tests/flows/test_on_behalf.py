"""On behalf (issue #18): a secretary records what a silent member said on the phone from
their list of the silent ("📞 Reached by phone"): it counts as the member's answer, marked
with who recorded it, is audited, is recorded once, and the member is told the next time
they write; only the member's own secretaries may; bad input is refused with a clear
message, and /cancel records nothing; in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakeapi import FakeUser, SentMessage
from storage.models import Role
from storage.reach import How, Lines
from tests.flows.conftest import Harness
from tests.flows.test_answers import ask, choose
from tests.flows.test_directives import compose, labels, members, no_checkins, sec

__all__ = ["members", "no_checkins", "sec"]  # fixtures, used by name


async def silent_list(
    harness: Harness, sec: FakeUser, members: list[FakeUser], people: int = 4
) -> SentMessage:
    """Ann acknowledges; Bo and Cy stay silent past the deadline and its grace: Sue's list
    (the directive goes to the ``people`` under Riverside District, Sue among them)."""
    await compose(harness, sec, deadline="17:00", unit=f"☐ Riverside District ({people})")
    await harness.run_due()
    ann = members[0]
    await harness.send(ann, ann.press(harness.api.last_message(ann.id), "✅ Acknowledge"))
    harness.clock.advance(timedelta(hours=2))
    await harness.run_due()
    return harness.api.last_message(sec.id)


async def recipient(
    harness: Harness, telegram_id: int, member_id: int | None = None
) -> tuple[object, ...]:
    """(acknowledged, on behalf by, not reached because) of the only directive."""
    if member_id is None:
        member = await harness.services.storage.members.by_telegram_id(telegram_id)
        assert member is not None
        member_id = member.id
    row = await harness.services.storage.db.fetchone(
        "SELECT acked_at IS NOT NULL, on_behalf_by, unreached FROM directive_recipients"
        " WHERE member_id = ?",
        (member_id,),
    )
    assert row is not None
    return tuple(row)


async def test_an_acknowledgement_by_phone_counts_once_and_the_member_is_told(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    listed = await silent_list(harness, sec, members)
    assert labels(listed) == ["📞 Bo", "📞 Cy", "Open the directive"]
    [asked] = await harness.send(sec, sec.press(listed, "📞 Cy"))
    assert asked.text is not None and asked.text.startswith(
        "📞 Reached by phone: Cy (Riverside Branch 1)"
    )
    assert labels(asked) == ["✅ Acknowledged", "🚫 Could not be reached", "Cancel"]
    [done] = await harness.send(sec, sec.press(asked, "✅ Acknowledged"))
    assert done.text == "📞 Recorded for Cy, on their behalf by you: acknowledged."
    sue = await harness.services.storage.members.by_telegram_id(sec.id)
    assert sue is not None
    assert await recipient(harness, 613) == (1, sue.id, None)
    # A second press of the same list records nothing more.
    [again] = await harness.send(sec, sec.press(listed, "📞 Cy"))
    assert again.text == "Cy has been heard from meanwhile: nothing was recorded."
    phoned = await harness.services.storage.db.fetchone("SELECT COUNT(*) FROM directive_phone")
    assert phoned is not None and phoned[0] == 1
    audit = await harness.services.storage.audit.recent()
    assert [e.action for e in audit if e.outcome == "ok"][-1] == "record_on_behalf"
    # Cy is told the next time they write, once.
    cy = members[2]
    replies = await harness.send(cy, cy.command("help"))
    told = [m.text or "" for m in replies]
    assert told[0].startswith(
        "📞 Your secretary Sue Secretary recorded that you acknowledged the directive"
        " “Report to the school gym by 20:00.”, by phone on"
    )
    replies = await harness.send(cy, cy.command("help"))
    assert not any((m.text or "").startswith("📞") for m in replies)


@pytest.fixture
async def su(harness: Harness) -> FakeUser:
    """A second secretary of Riverside District, who reads Chinese."""
    person = harness.person(602, "Su", language="zh")
    await harness.join(person, "RIV", Role.SECRETARY)
    return person


async def test_could_not_be_reached_needs_a_reason_and_cancel_records_nothing_in_chinese(
    harness: Harness, sec: FakeUser, su: FakeUser, members: list[FakeUser]
) -> None:
    await silent_list(harness, sec, members, people=5)
    listed = harness.api.last_message(su.id)
    assert labels(listed) == ["📞 Su", "📞 Bo", "📞 Cy", "查看通知"]
    [asked] = await harness.send(su, su.press(listed, "📞 Bo"))
    assert labels(asked) == ["✅ 已确认", "🚫 未能联系上", "取消"]
    [why] = await harness.send(su, su.press(asked, "🚫 未能联系上"))
    assert why.text is not None and why.text.startswith("为什么未能联系上？")
    [empty] = await harness.send(su, su.message("   "))
    assert empty.text == "这里需要简要说明。请发送，或发送 /cancel。"
    [long] = await harness.send(su, su.message("x" * 501))
    assert long.text == "超过了500个字符。请缩短后重新发送，或发送 /cancel。"
    [cancelled] = await harness.send(su, su.command("cancel"))
    assert cancelled.text == "未作任何记录。"
    assert await recipient(harness, 612) == (0, None, None)
    # Again, to the end: counted as not reached, still silent (not acknowledged).
    [asked] = await harness.send(su, su.press(listed, "📞 Bo"))
    await harness.send(su, su.press(asked, "🚫 未能联系上"))
    [done] = await harness.send(su, su.message("无人接听，已留言"))
    assert done.text == "📞 已由您代Bo记录：未能联系上：“无人接听，已留言”。"
    assert await recipient(harness, 612) == (0, None, "无人接听，已留言")
    # Sue's view: Bo not reached (with the reason, to his secretaries), Cy silent.
    [listing] = await harness.send(sec, sec.command("directives"))
    [detail] = await harness.send(sec, sec.press(listing, listing.buttons[0][0]))
    assert detail.text is not None and detail.text.endswith(
        "Riverside Branch 1: Telegram 1 · not reached 1 · silent 1"
        " · reached in p50 1 min · p90 1 min"
    )
    replies = await harness.send(sec, sec.press(detail, "CSV"))
    [document] = [c for c in replies.calls if c.method == "sendDocument"]
    content = document.params["document"].content.decode("utf-8-sig")
    assert "Bo,sent,2026-11-29 16:00,,not reached: 无人接听，已留言" in content
    # Bo is told, in Chinese, without the reason.
    bo = members[1]
    replies = await harness.send(bo, bo.command("help"))
    told = replies[0].text or ""
    assert told.startswith("📞 您的书记Su于")
    assert told.endswith("通过电话代您记录：通知“Report to the school gym by 20:00.”未能联系上您。")
    # A member's own ✅ afterwards counts as theirs, on Telegram.
    delivered = next(m for m in harness.api.sent_to(bo.id) if "✅ 确认收到" in labels(m))
    await harness.send(bo, bo.press(delivered, "✅ 确认收到"))
    assert await recipient(harness, 612) == (1, None, "无人接听，已留言")
    reached = await harness.services.storage.reach.members(1)
    assert [r.how for r in reached.values()].count(How.TELEGRAM) == 2


async def test_only_the_members_own_secretaries_may_record(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    listed = await silent_list(harness, sec, members)
    data = listed.buttons[0][1]
    assert data is not None and len(data.encode()) <= 64
    ann = members[0]
    coordinator = harness.person(631, "Cai")
    await harness.join(coordinator, "RIV", Role.COORDINATOR)
    other = harness.person(632, "Hal")
    await harness.join(other, "HIL", Role.SECRETARY)
    for person in (ann, coordinator, other):
        shown = await harness.send(person, person.command("help"))
        replies = await harness.send(person, person.press_data(shown[-1].message_id, data))
        assert replies.callback_answers[0].text == "You are not allowed to do that here."
    assert await recipient(harness, 612) == (0, None, None)
    audit = await harness.services.storage.audit.recent()
    denied = [e for e in audit if e.action == "record_on_behalf" and e.outcome == "denied"]
    assert len(denied) == 3


async def drill_down(harness: Harness, sec: FakeUser) -> SentMessage:
    """Sue's /directives, the newest question, Riverside Branch 1's names."""
    [listing] = await harness.send(sec, sec.command("directives"))
    [detail] = await harness.send(sec, sec.press(listing, listing.buttons[0][0]))
    [names] = await harness.send(sec, sec.press(detail, "👥 Riverside Branch 1"))
    return names


async def test_an_answer_by_phone_after_answers_closed_counts_in_the_headcount(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    """Recording after the deadline is accepted (a call is often written down after the
    emergency), with its real time; the members' own presses are refused then."""
    directive = await ask(harness, sec)
    harness.clock.advance(timedelta(hours=2, minutes=5))  # answers closed at 18:00
    names = await drill_down(harness, sec)
    assert labels(names)[:3] == ["📞 Ann", "📞 Bo", "📞 Cy"]
    [asked] = await harness.send(sec, sec.press(names, "📞 Ann"))
    assert labels(asked) == [
        "I can come", "I need transport", "I cannot", "🚫 Could not be reached", "Cancel"
    ]  # fmt: skip
    [number] = await harness.send(sec, sec.press(asked, "I can come"))
    assert number.text == (
        "How many can you bring?\n"
        "Send the number they gave, a whole number from 0 to 20, or /cancel."
    )
    [bad] = await harness.send(sec, sec.message("lots"))
    assert bad.text == "That is not a whole number from 0 to 20. Send it again, or /cancel."
    [done] = await harness.send(sec, sec.message("５"))
    assert done.text == ("📞 Recorded for Ann, on their behalf by you: answered “I can come” (5).")
    # The reason a choice requires, for Cy.
    names = await drill_down(harness, sec)
    [asked] = await harness.send(sec, sec.press(names, "📞 Cy"))
    [why] = await harness.send(sec, sec.press(asked, "I cannot"))
    assert why.text == (
        "They chose “I cannot”: send the reason they gave, in a few words, or /cancel."
    )
    await harness.send(sec, sec.message("night shift"))
    headcount = await harness.services.answers.for_author(directive)
    assert headcount is not None
    total = headcount.total
    assert (total.answered, total.choices[0].members, total.choices[0].number_sum) == (2, 1, 5)
    names = await drill_down(harness, sec)
    assert names.text is not None
    assert "• Ann — I can come (5) · 18:05 · phone (on behalf by Sue Secretary)" in names.text
    assert (
        "• Cy — I cannot · 18:05: “night shift” · phone (on behalf by Sue Secretary)" in names.text
    )
    assert "• Bo — not answered" in names.text
    assert labels(names)[0] == "📞 Bo"  # only the silent have the button


async def test_the_members_own_answer_replaces_the_one_recorded_by_phone(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    await ask(harness, sec)
    names = await drill_down(harness, sec)
    [asked] = await harness.send(sec, sec.press(names, "📞 Ann"))
    await harness.send(sec, sec.press(asked, "I need transport"))
    # A second press of the same (stale) button: heard from already.
    [again] = await harness.send(sec, sec.press(names, "📞 Ann"))
    assert again.text == "Ann has been heard from meanwhile: nothing was recorded."
    harness.clock.advance(timedelta(minutes=10))
    ann = members[0]
    delivered = next(m for m in harness.api.sent_to(ann.id) if "I can come" in labels(m))
    await choose(harness, ann, delivered, "I cannot")
    sue = await harness.services.storage.members.by_telegram_id(sec.id)
    member = await harness.services.storage.members.by_telegram_id(ann.id)
    assert sue is not None and member is not None
    rows = await harness.services.storage.db.fetchall(
        "SELECT choice, on_behalf_by FROM directive_answers WHERE member_id = ? ORDER BY id",
        (member.id,),
    )
    assert [tuple(r) for r in rows] == [(1, sue.id), (2, None)]
    assert await recipient(harness, ann.id) == (1, None, None)


async def test_reach_time_per_unit_from_known_times(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    """p50 / p90 by the nearest rank, per line of the headcount and for the whole: Ann
    answers after 1 minute, Bo after 3, Cy (by phone) after 10; 3 of 3 reached."""
    directive = await ask(harness, sec)
    ann, bo, _ = members
    for person, after, label in ((ann, 1, "I can come"), (bo, 2, "I need transport")):
        harness.clock.advance(timedelta(minutes=after))
        delivered = next(m for m in harness.api.sent_to(person.id) if label in labels(m))
        await choose(harness, person, delivered, label)
    harness.clock.advance(timedelta(minutes=7))
    names = await drill_down(harness, sec)
    [asked] = await harness.send(sec, sec.press(names, "📞 Cy"))
    await harness.send(sec, sec.press(asked, "I need transport"))
    riv = await harness.unit("RIV")
    branch = await harness.unit("RIV-1")
    reach = harness.services.on_behalf
    lines = await reach.lines(directive.id, riv.path, Lines.BELOW)
    line = lines[branch.path]
    assert line.counts == {How.TELEGRAM: 2, How.PHONE: 1}
    assert line.p50 == pytest.approx(180, abs=0.1)
    assert line.p90 == pytest.approx(600, abs=0.1)
    [whole] = (await reach.lines(directive.id, riv.path, Lines.ALL)).values()
    assert whole.reached == 3 and whole.p90 == pytest.approx(600, abs=0.1)
    # In the question's detail, under its headcount.
    [listing] = await harness.send(sec, sec.command("directives"))
    [detail] = await harness.send(sec, sec.press(listing, listing.buttons[0][0]))
    assert detail.text is not None and detail.text.endswith(
        "How they were reached\n"
        "Riverside Branch 1: Telegram 2 · 📞 phone 1 · reached in p50 3 min · p90 10 min"
    )


async def test_erasure_and_retention_forget_why_someone_was_not_reached(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    """The reason is a detail of a person: erasing them, or retention, drops it; that they
    were not reached still counts."""
    listed = await silent_list(harness, sec, members)
    for name in ("Bo", "Cy"):
        [asked] = await harness.send(sec, sec.press(listed, f"📞 {name}"))
        await harness.send(sec, sec.press(asked, "🚫 Could not be reached"))
        await harness.send(sec, sec.message(f"{name}'s phone is off"))
    storage = harness.services.storage
    bo = await storage.members.by_telegram_id(612)
    assert bo is not None
    await storage.privacy.erase_member(bo.id, "—", harness.clock.now())
    assert await recipient(harness, 0, bo.id) == (0, None, "")
    assert await recipient(harness, 613) == (0, None, "Cy's phone is off")
    await storage.privacy.erase_before(harness.clock.now().date() + timedelta(days=2), None)
    assert await recipient(harness, 613) == (0, None, "")
    reasons = await storage.db.fetchall("SELECT reason FROM directive_phone")
    assert [r[0] for r in reasons] == [None, None]
    reached = await storage.reach.members(1)
    assert [r.how for r in reached.values()].count(How.UNREACHED) == 2
