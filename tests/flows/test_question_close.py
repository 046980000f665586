"""A question's answers close at its deadline (issue #16): its silent are reminded before
it, while they can still answer (``directives.question_reminder_lead``, halfway for one
sent late), a press after it is refused politely and its buttons go, the author's headcount
says closed; a ✅ directive keeps its timing, late acknowledgements included."""

from __future__ import annotations

from datetime import timedelta

from app.build import run_schedule
from fakeapi import ChatDriver, FakeUser
from handlers.kit.slots import DELIVERY
from storage.models import Role
from tests.flows.conftest import Harness, build_app
from tests.flows.test_answers import QUESTION, current
from tests.flows.test_directives import compose, labels, members, no_checkins, sec
from tests.flows.test_ladder import send
from tests.flows.test_question_watch import ask, open_question, progress

__all__ = ["members", "no_checkins", "sec"]  # fixtures, used by name
CHOICES = ["I can come", "I need transport", "I cannot"]


def reminders(harness: Harness, person: FakeUser) -> list[str]:
    return [
        m.text or ""
        for m in harness.api.sent_to(person.id)
        if (m.text or "").startswith(("⚠️ Reminder", "⚠️ 提醒"))
    ]


async def test_the_silent_are_reminded_half_an_hour_before_answers_close(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    await ask(harness, sec)  # 16:00, answers by 18:00
    ann, bo, _ = members
    harness.clock.advance(timedelta(hours=1, minutes=30, seconds=-1))
    await harness.run_due()
    assert reminders(harness, ann) == []
    harness.clock.advance(timedelta(seconds=1))  # 17:30
    await harness.run_due()
    assert reminders(harness, ann) == [
        "⚠️ Reminder: please answer the directive from Riverside District:"
        " answers close at 18:00 today."
    ]
    assert reminders(harness, bo) == [
        "⚠️ 提醒：请答复来自Riverside District的通知，答复将于今天18:00截止。"
    ]
    assert labels(harness.api.last_message(ann.id)) == CHOICES


async def test_a_question_sent_ten_minutes_before_its_deadline_is_reminded_halfway(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    await send(harness, sec, question=QUESTION, deadline=timedelta(minutes=10))
    harness.clock.advance(timedelta(minutes=5, seconds=-1))
    await harness.run_due()
    assert reminders(harness, members[0]) == []
    harness.clock.advance(timedelta(seconds=1))  # 16:05, halfway to 16:10
    await harness.run_due()
    assert reminders(harness, members[0]) == [
        "⚠️ Reminder: please answer the directive from Riverside District:"
        " answers close at 16:10 today."
    ]


async def test_a_restart_between_the_reminder_and_the_deadline_still_reminds(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    """Down from 17:20 to 17:45: the reminder goes on restart, answerable until 18:00."""
    await ask(harness, sec)
    harness.clock.advance(timedelta(hours=1, minutes=20))
    await harness.run_due()
    harness.clock.advance(timedelta(minutes=25))
    services = harness.services
    restarted = await build_app(services.settings, services.storage, harness.clock, harness.api)
    ann = members[0]
    async with ChatDriver(restarted, harness.api) as driver:
        await run_schedule(restarted)
        await DELIVERY.of(restarted).drain()
        assert len(reminders(harness, ann)) == 1
        reminder = harness.api.last_message(ann.id)
        replies = await driver.send(ann, ann.press(reminder, "I need transport"))
        assert replies.callback_answers[0].text == "Recorded: I need transport."


async def test_down_through_the_deadline_no_reminder_goes_late(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    """Down from 17:20 to 18:05: a reminder could not be answered any more, so none goes;
    the secretary still gets the list of the silent at 19:00."""
    directive = await ask(harness, sec)
    harness.clock.advance(timedelta(hours=1, minutes=20))
    await harness.run_due()
    harness.clock.advance(timedelta(minutes=45))
    await harness.run_due()
    assert all(reminders(harness, person) == [] for person in members)
    assert (await progress(harness, sec, directive))[-1] == (
        "Chase: reminder skipped · next: secretaries at 19:00"
    )
    harness.clock.advance(timedelta(minutes=55))
    await harness.run_due()
    assert (harness.api.last_message(sec.id).text or "").startswith(
        "⚠️ 3 members have not answered a directive's question past its deadline"
    )


async def test_a_press_a_second_before_the_deadline_counts_a_second_after_does_not(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    directive = await ask(harness, sec)
    ann = members[0]
    received = harness.api.last_message(ann.id)
    harness.clock.advance(timedelta(hours=2, seconds=-1))  # 17:59:59
    replies = await harness.send(ann, ann.press(received, "I cannot"))
    assert replies.callback_answers[0].text == "Recorded: I cannot."
    await harness.send(ann, ann.message("Night shift"))
    harness.clock.advance(timedelta(seconds=2))  # 18:00:01
    replies = await harness.send(ann, ann.press(current(harness, received), "✏️ Change"))
    assert replies.callback_answers[0].text == (
        "Answers closed at 18:00; this press was not recorded."
    )
    shown = current(harness, received)
    assert shown.buttons == []
    assert (shown.text or "").endswith("Reason: Night shift\n\n⏰ Answers closed at 18:00.")
    # The author's headcount says so, with the answer that came a second before.
    await harness.run_due()
    lines = await progress(harness, sec, directive)
    assert lines[2] == "Headcount — 1 of 3 answered · closed at 18:00"


async def test_the_authors_headcount_says_closed_in_chinese(
    harness: Harness, members: list[FakeUser]
) -> None:
    chen = harness.person(622, "Chen Secretary", language="zh")
    await harness.join(chen, "RIV", Role.SECRETARY)
    directive = await ask(harness, chen)
    harness.clock.advance(timedelta(hours=1, minutes=30))
    await harness.run_due()
    harness.clock.advance(timedelta(minutes=30))
    await harness.run_due()
    lines = await progress(harness, chen, directive)
    assert lines[2] == "人数统计 — 3人中0人已答复 · 已于18:00截止"
    assert lines[-1] == "催办：已提醒 17:30 · 下一步：19:00 通知书记"
    # /directives says so too.
    detail = await open_question(harness, chen)
    assert "人数统计 — 3人中0人已答复 · 已于18:00截止" in (detail.text or "")


async def test_a_directive_to_acknowledge_keeps_its_timing_and_takes_late_acks(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    await compose(harness, sec, deadline="17:00")
    await harness.run_due()
    ann = members[0]
    harness.clock.advance(timedelta(minutes=59))
    await harness.run_due()
    assert reminders(harness, ann) == []
    harness.clock.advance(timedelta(minutes=1))  # 17:00: the reminder, at the deadline
    await harness.run_due()
    assert len(reminders(harness, ann)) == 1
    harness.clock.advance(timedelta(minutes=30))
    reminder = harness.api.last_message(ann.id)
    replies = await harness.send(ann, ann.press(reminder, "✅ Acknowledge"))
    assert replies.callback_answers[0].text == "Acknowledged at 17:30."
    delivered = next(m for m in harness.api.sent_to(ann.id) if "school gym" in (m.text or ""))
    assert (current(harness, delivered).text or "").endswith(
        "✅ Acknowledged at 17:30, after the deadline"
    )
