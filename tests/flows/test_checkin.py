"""/checkin as a member lives it: the form question by question, bad answers re-asked, a
summary, one check-in a day that a second /checkin edits, the window, flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.build import build_application
from bot.checkins.config import CheckinSettings
from fakeapi import ChatDriver, FakeRequest, FakeUser, SentMessage
from handlers.kit.slots import SERVICES
from storage.models import Role
from tests.flows.conftest import Harness
from tests.unit.test_checkins import form

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(UTC)


def labels(message: SentMessage) -> list[str]:
    return [text for text, _ in message.buttons]


def newest(replies: list[SentMessage]) -> SentMessage:
    return max(replies, key=lambda m: m.message_id)


@pytest.fixture
async def ann(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> FakeUser:
    monkeypatch.setattr(harness.services.checkins, "form", form())
    harness.clock.set(local("2026-12-01 09:00"))  # a Tuesday morning
    person = harness.person(701, "Ann")
    await harness.join(person, "RIV-1")
    return person


async def answers_of(harness: Harness, telegram_id: int) -> dict[str, Any]:
    """Today's stored check-in answers of the member with this Telegram id."""
    member = await harness.services.membership.member(telegram_id)
    assert member is not None
    stored = await harness.services.checkins.today(member)
    assert stored is not None
    return stored.answers


async def fill(harness: Harness, ann: FakeUser) -> SentMessage:
    [step] = await harness.send(ann, ann.command("checkin"))
    [step] = await harness.send(ann, ann.press(step, "At post"))
    step = newest(await harness.send(ann, ann.message("36.6")))
    [step] = await harness.send(ann, ann.press(step, "Skip"))
    [step] = await harness.send(ann, ann.press(step, "Skip"))
    [step] = await harness.send(ann, ann.press(step, "Skip"))
    return step


async def test_the_whole_form_with_bad_answers_reasked(harness: Harness, ann: FakeUser) -> None:
    [step] = await harness.send(ann, ann.command("checkin"))
    assert step.text == "Check-in 1/5 — Where?\nChoose one."
    assert labels(step) == ["At post", "Sick", "Help", "Cancel"]
    [step] = await harness.send(ann, ann.press(step, "At post"))
    assert step.text == "Check-in 2/5 — Temperature\nSend a number from 35 to 42 °C."
    [answer] = await harness.send(ann, ann.message("hot"))
    assert answer.text == ("That is not a number. Send a number from 35 to 42 °C, or /cancel.")
    [answer] = await harness.send(ann, ann.message("50"))
    assert answer.text == "That is not a number from 35 to 42 °C. Send it again, or /cancel."
    step = newest(await harness.send(ann, ann.message("36,6")))
    assert step.text is not None and step.text.startswith("Check-in 3/5 — Tasks")
    [step] = await harness.send(ann, ann.press(step, "☐ Patrol"))
    [step] = await harness.send(ann, ann.press(step, "☐ Supplies"))
    assert labels(step)[:3] == ["☑ Patrol", "☑ Supplies", "Done ✓"]
    [step] = await harness.send(ann, ann.press(step, "Done ✓"))
    [step] = await harness.send(ann, ann.press(step, "Skip"))  # the note
    assert step.text == "Check-in 5/5 — Where\nShare your location (📎 → Location)."
    [answer] = await harness.send(ann, ann.message("at home"))
    assert answer.text == "Please share a location (📎 → Location), or /cancel."
    step = newest(await harness.send(ann, ann.location(31.2304, 121.4737)))
    assert step.text == (
        "Your check-in\n• Where?: At post\n• Temperature: 36.6 °C\n• Tasks: Patrol, Supplies\n"
        "• Note: —\n• Where: 📍 31.2304, 121.4737\nSubmit it?"
    )
    [done] = await harness.send(ann, ann.press(step, "✅ Submit"))
    assert done.text == "✅ Checked in for Tue 1 Dec."
    answers = await answers_of(harness, 701)
    assert answers["temp"] == 36.6 and answers["tasks"] == ["patrol", "supply"]
    [card] = await harness.send(ann, ann.command("me"))
    assert card.text is not None and card.text.endswith("Today: Tue 1 Dec · ✅ checked in at 09:00")


@pytest.mark.parametrize("typed", ["３７．５", "37。5"])
async def test_a_chinese_member_checks_in_from_a_chinese_keyboard(
    harness: Harness, ann: FakeUser, typed: str
) -> None:
    """The form speaks of 打卡; a full-width keyboard's number, or one with the Chinese full
    stop, is the number; a multiple choice is listed with 、."""
    mei = harness.person(704, "Mei", language="zh")
    await harness.join(mei, "RIV-1")
    [step] = await harness.send(mei, mei.command("checkin"))
    assert step.text == "打卡（1/5） — 在哪？\n请选择一项。"
    [step] = await harness.send(mei, mei.press(step, "在岗"))
    assert step.text == "打卡（2/5） — 体温\n请输入数字（35–42 °C）。"
    [answer] = await harness.send(mei, mei.message("三十七"))
    assert answer.text == "这不是数字。请重新输入（35–42 °C），或发送 /cancel。"
    [answer] = await harness.send(mei, mei.message("４５"))
    assert answer.text == "数字超出范围（35–42 °C）。请重新输入，或发送 /cancel。"
    step = newest(await harness.send(mei, mei.message(typed)))
    assert step.text is not None and step.text.startswith("打卡（3/5） — 任务")
    for label in ("☐ 巡逻", "☐ 物资", "完成 ✓", "跳过", "跳过"):
        [step] = await harness.send(mei, mei.press(step, label))
    assert step.text == (
        "您的打卡\n• 在哪？：在岗\n• 体温：37.5 °C\n• 任务：巡逻、物资\n• 备注：—\n• 位置：—\n"
        "确认提交吗？"
    )
    [done] = await harness.send(mei, mei.press(step, "✅ 提交"))
    assert done.text == "✅ 已完成12月1日 周二的打卡。"
    assert (await answers_of(harness, 704))["temp"] == 37.5


async def test_second_checkin_the_same_day_edits_it(harness: Harness, ann: FakeUser) -> None:
    step = await fill(harness, ann)
    await harness.send(ann, ann.press(step, "✅ Submit"))
    harness.clock.advance(timedelta(hours=3))
    [current] = await harness.send(ann, ann.command("checkin"))
    assert current.text is not None and current.text.startswith("You checked in today at 09:00:")
    [kept] = await harness.send(ann, ann.press(current, "Keep it"))
    assert kept.text == "Your check-in stays as it is."
    [current] = await harness.send(ann, ann.command("checkin"))
    [step] = await harness.send(ann, ann.press(current, "✏️ Change it"))
    [step] = await harness.send(ann, ann.press(step, "Sick"))
    step = newest(await harness.send(ann, ann.message("38.2")))
    for _ in range(3):
        [step] = await harness.send(ann, ann.press(step, "Skip"))
    [done] = await harness.send(ann, ann.press(step, "✅ Submit"))
    assert done.text == "✅ Check-in for Tue 1 Dec updated."
    rows = await harness.services.storage.db.fetchall("SELECT excused FROM checkins")
    assert [r["excused"] for r in rows] == [1]  # still one check-in, now excused


async def test_the_window_and_days_off(harness: Harness, ann: FakeUser) -> None:
    harness.clock.set(local("2026-12-01 05:00"))
    [answer] = await harness.send(ann, ann.command("checkin"))
    assert answer.text == "Today's check-in opens at 06:00. Come back then with /checkin."
    harness.clock.set(local("2026-12-01 22:30"))
    [answer] = await harness.send(ann, ann.command("checkin"))
    assert answer.text == "Today's check-in has closed. The next one opens Wed 2 Dec 06:00."
    harness.clock.set(local("2026-12-06 10:00"))  # Sunday
    [answer] = await harness.send(ann, ann.command("checkin"))
    assert answer.text == "No check-in is needed today (Sun 6 Dec)."


async def test_window_closing_mid_form_saves_nothing(harness: Harness, ann: FakeUser) -> None:
    harness.clock.set(local("2026-12-01 21:58"))
    step = await fill(harness, ann)
    harness.clock.set(local("2026-12-01 22:01"))
    [answer] = await harness.send(ann, ann.press(step, "✅ Submit"))
    assert answer.text is not None and answer.text.startswith("The check-in window closed")
    assert await harness.services.storage.db.fetchall("SELECT * FROM checkins") == []


async def test_a_flag_reaches_the_secretary_at_once(harness: Harness, ann: FakeUser) -> None:
    harness.clock.set(local("2026-12-01 08:00"))  # before the 09:00 reminder
    sec = harness.person(702, "Sam", language="zh")
    await harness.join(sec, "RIV", Role.SECRETARY)
    eve = harness.person(703, "Eve", language="en")
    await harness.join(eve, "RIV", Role.SECRETARY)
    [step] = await harness.send(ann, ann.command("checkin"))
    [step] = await harness.send(ann, ann.press(step, "Help"))
    for _ in range(4):
        step = newest(await harness.send(ann, ann.press(step, "Skip")))
    await harness.send(ann, ann.press(step, "✅ Submit"))
    # The flag notices, and (the bot "was down" since Monday's close) Monday's lists.
    assert await harness.run_due() == 4
    # Each secretary reads it in their own language.
    texts = [m.text or "" for m in harness.api.sent_to(702)]
    flag = "⚠️ Ann（Riverside Branch 1）在今日打卡中报告了问题：\n• 在哪？：求助"
    assert any(t.startswith(flag) for t in texts)
    texts = [m.text or "" for m in harness.api.sent_to(703)]
    flag = "⚠️ Ann (Riverside Branch 1) flagged a problem in today's check-in:\n• Where?: Help"
    assert any(t.startswith(flag) for t in texts)


async def test_a_half_filled_form_survives_a_restart(harness: Harness, ann: FakeUser) -> None:
    [step] = await harness.send(ann, ann.command("checkin"))
    [step] = await harness.send(ann, ann.press(step, "At post"))
    await harness.app.update_persistence()
    app2 = await build_application(
        harness.services.settings,
        request=FakeRequest(harness.api),
        clock=harness.clock,
        storage=harness.services.storage,
    )
    SERVICES.of(app2).checkins.form = form()
    async with ChatDriver(app2, harness.api) as driver:
        replies = await driver.send(ann, ann.message("37"))
        step = newest(replies)
        assert step.text is not None and step.text.startswith("Check-in 3/5 — Tasks")


async def test_a_check_in_steps_flush_makes_no_round_trip_to_a_thread(
    harness: Harness, ann: FakeUser, hops: list[str]
) -> None:
    """A thousand members pressing at once: each step's draft and conversation state are
    stored on the loop's own connection, not queued for the writer's thread."""
    [step] = await harness.send(ann, ann.command("checkin"))
    await harness.app.update_persistence()
    db = harness.services.storage.db
    before = await db.fetchall("SELECT data FROM ptb_user_data WHERE user_id = 701")
    await harness.send(ann, ann.press(step, "At post"))
    hops.clear()
    await harness.app.update_persistence()
    assert hops == []
    after = await db.fetchall("SELECT data FROM ptb_user_data WHERE user_id = 701")
    assert [r["data"] for r in after] != [r["data"] for r in before]
    assert "post" in after[0]["data"]


async def test_a_changed_form_starts_over(
    harness: Harness, ann: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    [step] = await harness.send(ann, ann.command("checkin"))
    [step] = await harness.send(ann, ann.press(step, "At post"))
    monkeypatch.setattr(harness.services.checkins, "form", CheckinSettings())  # the default form
    replies = await harness.send(ann, ann.message("37"))
    assert replies[0].text == (
        "The form changed (or the day turned) while you were answering; let's start again."
    )
    assert newest(replies).text == "Check-in 1/1 — Where are you today?\nChoose one."


async def test_cancel_and_strangers(harness: Harness, ann: FakeUser) -> None:
    [step] = await harness.send(ann, ann.command("checkin"))
    [bye] = await harness.send(ann, ann.command("cancel"))
    assert bye.text == "Check-in cancelled. Nothing was saved."
    stranger = harness.person(799, "Zed")
    [answer] = await harness.send(stranger, stranger.command("checkin"))
    assert answer.text is not None and answer.text.startswith("You are not a member")
    replies = await harness.send(ann, ann.press(step, "At post"))  # a button from before
    assert replies.callback_answers[0].text == (
        "This button no longer applies. Nothing was changed."
    )


async def test_a_double_tap_does_not_answer_the_next_question(
    harness: Harness, ann: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_choices = form()
    monkeypatch.setattr(harness.services.checkins, "form", two_choices)
    [first] = await harness.send(ann, ann.command("checkin"))
    [second] = await harness.send(ann, ann.press_data(first.message_id, first.buttons[0][1] or ""))
    replies = await harness.send(ann, ann.press_data(first.message_id, first.buttons[0][1] or ""))
    assert replies.callback_answers[0].text == "This button no longer applies. Nothing was changed."
    assert second.text is not None and second.text.startswith("Check-in 2/5")
    [answer] = await harness.send(ann, ann.message("37"))
    assert answer.text is not None and answer.text.startswith("Check-in 3/5")


async def test_a_photo_question(
    harness: Harness, ann: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.kit.questions import Kind, Question, Text

    photo_form = CheckinSettings(
        questions=[Question(id="post", kind=Kind.PHOTO, prompt=Text(en="Your post", zh="岗位"))]
    )
    monkeypatch.setattr(harness.services.checkins, "form", photo_form)
    [step] = await harness.send(ann, ann.command("checkin"))
    assert step.text == "Check-in 1/1 — Your post\nSend a photo."
    [answer] = await harness.send(ann, ann.message("a selfie"))
    assert answer.text == "Please send a photo, or /cancel."
    step = newest(await harness.send(ann, ann.photo()))
    assert step.text == "Your check-in\n• Your post: 📷\nSubmit it?"
    await harness.send(ann, ann.press(step, "✅ Submit"))
    member = await harness.services.membership.member(701)
    assert member is not None
    stored = await harness.services.checkins.today(member)
    assert stored is not None and str(stored.answers["post"]).startswith("user-photo-")
