"""Check-in reminders and the secretary's list at closing time, on the schedule: once per
slot, late but never after closing, in each unit's own timezone, across restarts."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest

from fakeapi import FakeUser, Replies, SentMessage
from handlers.kit.slots import DELIVERY
from storage.models import Role
from tests.flows.conftest import Harness
from tests.flows.test_checkin import local


@pytest.fixture
async def people(harness: Harness) -> dict[str, FakeUser]:
    harness.clock.set(local("2026-12-01 07:00"))  # Tuesday, before the 09:00 reminder
    crew = {
        "sec": harness.person(801, "Sam", language="zh"),
        "ann": harness.person(802, "Ann"),
        "bo": harness.person(803, "Bo"),
        "far": harness.person(804, "Far"),
    }
    await harness.join(crew["sec"], "RIV", Role.SECRETARY)
    await harness.join(crew["ann"], "RIV-1")
    await harness.join(crew["bo"], "RIV-1")
    await harness.join(crew["far"], "HIL-1")  # Asia/Urumqi: two hours behind Shanghai
    await harness.run_due()  # Monday's closing list, caught up: not what these tests look at
    return crew


async def check_in(harness: Harness, user: FakeUser) -> None:
    [step] = await harness.send(user, user.command("checkin"))
    [step] = await harness.send(user, user.press(step, "At my post"))
    await harness.send(user, user.press(step, "✅ Submit"))


def reminders(harness: Harness, user: FakeUser) -> list[str]:
    return [m.text or "" for m in harness.api.sent_to(user.id) if "⏰" in (m.text or "")]


def methods(replies: Replies) -> list[str]:
    return [call.method for call in replies.calls]


async def reminded(harness: Harness, user: FakeUser) -> SentMessage:
    """The 09:00 reminder, as ``user`` got it."""
    harness.clock.set(local("2026-12-01 09:00"))
    await harness.run_due()
    return harness.api.last_message(user.id)


async def test_reminder_once_per_slot_only_to_the_unchecked(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    ann, bo, far = people["ann"], people["bo"], people["far"]
    await check_in(harness, ann)
    assert await harness.run_due() == 0
    harness.clock.set(local("2026-12-01 09:00"))
    await harness.run_due()
    assert reminders(harness, ann) == []
    assert reminders(harness, bo) == [
        "⏰ Time to check in for Tue 1 Dec. Check-in closes at 22:00."
    ]
    assert reminders(harness, far) == []  # 07:00 in Urumqi: not yet
    harness.clock.set(local("2026-12-01 11:00"))  # 09:00 in Urumqi
    await harness.run_due()
    assert len(reminders(harness, far)) == 1 and len(reminders(harness, bo)) == 1
    # "Check in now" opens today's form.
    [step] = await harness.send(bo, bo.press(harness.api.last_message(bo.id), "Check in now"))
    assert step.text == "Check-in 1/1 — Where are you today?\nChoose one."


async def test_after_downtime_one_reminder_and_none_after_closing(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    bo = people["bo"]
    harness.clock.set(local("2026-12-01 19:00"))  # 09:00 and 18:00 both missed
    await harness.run_due()
    assert len(reminders(harness, bo)) == 1
    harness.clock.set(local("2026-12-01 23:00"))
    await harness.run_due()
    assert len(reminders(harness, bo)) == 1  # no reminder after the window closed


async def test_closing_list_goes_to_the_secretary_once(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    await check_in(harness, people["ann"])
    harness.clock.set(local("2026-12-01 22:00"))
    await harness.run_due()
    lists = [m.text for m in harness.api.sent_to(801) if "12月1日" in (m.text or "")]
    assert lists == ["⚠️ 未打卡\nRiverside Branch 1，12月1日 周二：1人 — Bo（从未打卡）"]
    assert "Sam" not in (lists[0] or "")  # the secretary is not listed to themself
    await harness.run_due()
    again = [m.text for m in harness.api.sent_to(801) if "12月1日" in (m.text or "")]
    assert len(again) == 1


async def test_a_stale_reminder_opens_todays_form(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    bo = people["bo"]
    yesterdays = await reminded(harness, bo)
    harness.clock.set(local("2026-12-02 10:00"))
    [step] = await harness.send(bo, bo.press(yesterdays, "Check in now"))
    [step] = await harness.send(bo, bo.press(step, "At my post"))
    [done] = await harness.send(bo, bo.press(step, "✅ Submit"))
    assert done.text == "✅ Checked in for Wed 2 Dec."


async def test_a_restart_repeats_nothing(harness: Harness, people: dict[str, FakeUser]) -> None:
    from app.build import build_application, run_schedule
    from bot.delivery.pacer import Pacer
    from fakeapi import FakeRequest

    harness.clock.set(local("2026-12-01 09:30"))
    await harness.run_due()
    app2 = await build_application(
        harness.services.settings,
        request=FakeRequest(harness.api),
        clock=harness.clock,
        storage=harness.services.storage,
        pacer=Pacer.unlimited(),
    )
    harness.clock.advance(timedelta(minutes=5))
    await run_schedule(app2)
    assert await DELIVERY.of(app2).drain() == 0
    assert len(reminders(harness, people["bo"])) == 1


async def test_the_tick_logs_what_it_did_in_one_line_and_nothing_when_idle(
    harness: Harness, people: dict[str, FakeUser], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.build"):
        assert await harness.run_due() == 0
        assert caplog.records == []  # a tick that did nothing says nothing
        harness.clock.set(local("2026-12-01 09:00"))
        await harness.run_due()
    # Sam, Ann and Bo in Riverside (Far, in Urumqi, is at 07:00).
    assert [r.getMessage() for r in caplog.records] == ["tick: 3 check-in reminders"]


@pytest.mark.parametrize(
    ("who", "now", "choice", "submit", "done"),
    [
        ("bo", "Check in now", "At my post", "✅ Submit", "✅ Checked in for Tue 1 Dec."),
        ("sec", "立即打卡", "在岗", "✅ 提交", "✅ 已完成12月1日 周二的打卡。"),
    ],
)
async def test_the_reminders_button_turns_the_reminder_into_the_form(
    harness: Harness,
    people: dict[str, FakeUser],
    who: str,
    now: str,
    choice: str,
    submit: str,
    done: str,
) -> None:
    """Each step edits the reminder: no new message (each would take a share of the 30/s
    that a broadcast going out at the same time needs)."""
    user = people[who]
    reminder = await reminded(harness, user)
    replies = await harness.send(user, user.press(reminder, now))
    assert methods(replies) == ["answerCallbackQuery", "editMessageText"]
    [step] = replies
    assert step.message_id == reminder.message_id and "1/1" in (step.text or "")
    replies = await harness.send(user, user.press(step, choice))
    assert methods(replies) == ["answerCallbackQuery", "editMessageText"]
    [step] = replies
    replies = await harness.send(user, user.press(step, submit))
    assert methods(replies) == ["answerCallbackQuery", "editMessageText"]
    assert [(m.message_id, m.text) for m in replies] == [(reminder.message_id, done)]
    # Typed as a command, /checkin still answers with a message of its own.
    replies = await harness.send(user, user.command("checkin"))
    assert methods(replies) == ["sendMessage"]
    assert replies[0].message_id != reminder.message_id


async def test_an_existing_checkin_from_the_reminder_is_shown_in_place(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    bo = people["bo"]
    reminder = await reminded(harness, bo)
    await check_in(harness, bo)  # by /checkin, after the reminder came
    replies = await harness.send(bo, bo.press(reminder, "Check in now"))
    assert methods(replies) == ["answerCallbackQuery", "editMessageText"]
    [shown] = replies
    assert shown.message_id == reminder.message_id
    assert (shown.text or "").startswith("You checked in today at 09:00")
    [kept] = await harness.send(bo, bo.press(shown, "Keep it"))
    assert (kept.message_id, kept.text) == (reminder.message_id, "Your check-in stays as it is.")


@pytest.mark.parametrize(
    "refusal", ["Bad Request: message can't be edited", "Bad Request: message to edit not found"]
)
async def test_a_reminder_that_cannot_be_edited_gets_a_new_message(
    harness: Harness, people: dict[str, FakeUser], refusal: str
) -> None:
    """Too old to edit, or deleted by the member: the form comes as a new message and goes
    on from there."""
    bo = people["bo"]
    reminder = await reminded(harness, bo)
    harness.api.fail_next("editMessageText", chat_id=bo.id, error_code=400, description=refusal)
    replies = await harness.send(bo, bo.press(reminder, "Check in now"))
    assert methods(replies) == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    [step] = replies
    assert step.message_id != reminder.message_id
    assert step.text == "Check-in 1/1 — Where are you today?\nChoose one."
    [step] = await harness.send(bo, bo.press(step, "At my post"))
    [done] = await harness.send(bo, bo.press(step, "✅ Submit"))
    assert done.text == "✅ Checked in for Tue 1 Dec."
    assert done.message_id == step.message_id


async def test_a_dated_workday_gets_its_reminders(
    harness: Harness, people: dict[str, FakeUser], monkeypatch: pytest.MonkeyPatch
) -> None:
    """China's 调休: Saturday 12 December is a working day by ``checkin.workdays``."""
    bo = people["bo"]
    checkins = harness.services.checkins
    monkeypatch.setattr(
        checkins, "form", checkins.form.model_copy(update={"workdays": [date(2026, 12, 12)]})
    )
    harness.clock.set(local("2026-12-05 09:00"))  # an ordinary Saturday: no reminder
    await harness.run_due()
    assert reminders(harness, bo) == []
    harness.clock.set(local("2026-12-12 09:00"))
    await harness.run_due()
    assert reminders(harness, bo) == [
        "⏰ Time to check in for Sat 12 Dec. Check-in closes at 22:00."
    ]
