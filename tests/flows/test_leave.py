"""/leave: a member's own leave, a secretary's for members in scope; on leave means no
check-in needed and no reminders."""

from __future__ import annotations

import pytest

from fakeapi import FakeUser
from storage.models import Role
from tests.flows.conftest import Harness
from tests.flows.test_checkin import local, newest


@pytest.fixture
async def crew(harness: Harness) -> dict[str, FakeUser]:
    harness.clock.set(local("2026-12-01 07:00"))  # Tuesday
    people = {
        "ann": harness.person(901, "Ann", username="ann"),
        "bo": harness.person(902, "Bo", username="bo"),
        "sec": harness.person(903, "Sam", language="zh"),
        "far": harness.person(904, "Far", username="far"),
    }
    await harness.join(people["ann"], "RIV-1")
    await harness.join(people["bo"], "RIV-1")
    await harness.join(people["sec"], "RIV", Role.SECRETARY)
    await harness.join(people["far"], "HIL-1")
    return people


async def record(harness: Harness, who: FakeUser, *args: str) -> str | None:
    [step] = await harness.send(who, who.command("leave", *args))
    [step] = await harness.send(who, who.press(step, step.buttons[1][0]))  # the second reason
    [step] = await harness.send(who, who.press(step, step.buttons[1][0]))  # tomorrow
    [done] = await harness.send(who, who.press(step, step.buttons[1][0]))  # 3 days
    return done.text


async def test_own_leave_means_no_checkin_and_no_reminders(
    harness: Harness, crew: dict[str, FakeUser]
) -> None:
    ann = crew["ann"]
    [step] = await harness.send(ann, ann.command("leave"))
    assert step.text == "New leave — what for?"
    assert [t for t, _ in step.buttons] == ["Annual leave", "Sick leave", "Other", "Cancel"]
    assert await record(harness, ann) == (
        "✅ Ann is on leave Wed 2 Dec – Fri 4 Dec (Sick leave). "
        "No check-in or reminders on those days."
    )
    harness.clock.set(local("2026-12-02 09:30"))
    await harness.run_due()
    assert not any("⏰" in (m.text or "") for m in harness.api.sent_to(901))
    assert any("⏰" in (m.text or "") for m in harness.api.sent_to(902))  # Bo is reminded
    [answer] = await harness.send(ann, ann.command("checkin"))
    assert answer.text == "You are on leave until Fri 4 Dec: no check-in needed."
    [card] = await harness.send(ann, ann.command("me"))
    assert card.text is not None and card.text.endswith("· on leave until Fri 4 Dec")
    # At closing time Ann is not on the secretary's list; Bo is.
    harness.clock.set(local("2026-12-02 22:00"))
    await harness.run_due()
    sent = [m.text or "" for m in harness.api.sent_to(903)]
    closing = [t for t in sent if t.startswith("⚠️ 未打卡") and "12月2日" in t]
    assert closing == ["⚠️ 未打卡\nRiverside Branch 1，12月2日 周三：1人 — Bo（从未打卡）"]


async def test_secretary_records_for_a_member_in_scope_only(
    harness: Harness, crew: dict[str, FakeUser]
) -> None:
    sec = crew["sec"]
    [step] = await harness.send(sec, sec.command("leave", "@ann"))
    [step] = await harness.send(sec, sec.press(step, "病假"))
    [step] = await harness.send(sec, sec.press(step, "今天"))
    [done] = await harness.send(sec, sec.press(step, "仅当天"))
    assert done.text is not None and done.text.startswith("✅ 已登记Ann请假：12月1日 周二（病假）")
    note = harness.api.last_message(901)
    assert note.text == (
        "Your secretary recorded leave for you: Tue 1 Dec (Sick leave). "
        "No check-in is needed on those days."
    )
    # Far's unit is outside Sam's scope; Ann cannot record for Bo: refused at once.
    [done] = await harness.send(sec, sec.command("leave", "@far"))
    assert done.text == "您无权在此执行该操作。"
    ann = crew["ann"]
    [done] = await harness.send(ann, ann.command("leave", "@bo"))
    assert done.text == "You are not allowed to do that here."
    rows = await harness.services.storage.db.fetchall("SELECT member_id FROM leave")
    assert len(rows) == 1


async def test_someone_elses_leave_is_not_shown_outside_scope(
    harness: Harness, crew: dict[str, FakeUser]
) -> None:
    """Regression: ``/leave @bo`` listed Bo's leave (dates and reason) to anyone."""
    await record(harness, crew["sec"], "@bo")
    ann = crew["ann"]
    [answer] = await harness.send(ann, ann.command("leave", "@bo"))
    assert answer.text == "You are not allowed to do that here."
    denied = [e for e in await harness.services.storage.audit.recent() if e.outcome == "denied"]
    assert [(e.actor_telegram_id, e.action) for e in denied] == [(901, "manage_leave")]
    # Bo's own /leave still shows it to him.
    bo = crew["bo"]
    [overview] = await harness.send(bo, bo.command("leave"))
    assert overview.text is not None and "Sick leave" in overview.text


async def test_bad_dates_overlaps_and_cancelling(
    harness: Harness, crew: dict[str, FakeUser]
) -> None:
    ann = crew["ann"]
    [step] = await harness.send(ann, ann.command("leave"))
    [step] = await harness.send(ann, ann.press(step, "Other"))
    [answer] = await harness.send(ann, ann.message("next week"))
    assert answer.text == "That is not a date I understand. Type it like 2026-12-03, or /cancel."
    step = newest(await harness.send(ann, ann.message("2026-12-10")))
    assert step.text == "From Thu 10 Dec until which day (inclusive)? Choose, or type a date."
    [answer] = await harness.send(ann, ann.message("2026-12-08"))
    assert answer.text is not None and answer.text.startswith("The last day comes before")
    [done] = await harness.send(ann, ann.message("12-12"))
    assert done.text is not None and done.text.startswith(
        "✅ Ann is on leave Thu 10 Dec – Sat 12 Dec"
    )
    # Overlapping leave is refused; the overview offers cancelling.
    [overview] = await harness.send(ann, ann.command("leave"))
    assert overview.text == "Leave of Ann\n• Thu 10 Dec – Sat 12 Dec · Other"
    [step] = await harness.send(ann, ann.press(overview, "➕ Add leave"))
    [step] = await harness.send(ann, ann.press(step, "Annual leave"))
    step = newest(await harness.send(ann, ann.message("2026-12-11")))
    [answer] = await harness.send(ann, ann.press(step, "Just that day"))
    assert answer.text == (
        "That overlaps leave already recorded (Thu 10 Dec – Sat 12 Dec). Cancel that first "
        "with /leave."
    )
    [overview] = await harness.send(ann, ann.command("leave"))
    [gone] = await harness.send(ann, ann.press(overview, "Cancel: Thu 10 Dec – Sat 12 Dec"))
    assert gone.text == "Leave of Ann on Thu 10 Dec – Sat 12 Dec cancelled."
    [step] = await harness.send(ann, ann.command("leave"))
    assert step.text == "New leave — what for?"  # nothing left to list
    [step] = await harness.send(ann, ann.press(step, "Other"))
    [answer] = await harness.send(ann, ann.message("2026-11-20"))
    assert answer.text == (
        "Leave cannot start before today. Choose today or a later day, or type one, or /cancel."
    )
    await harness.send(ann, ann.command("cancel"))
    assert len(await harness.services.storage.db.fetchall("SELECT * FROM leave")) == 1


async def test_a_past_first_day_is_refused_at_that_step_and_asked_again(
    harness: Harness, crew: dict[str, FakeUser]
) -> None:
    """Regression: a past first day was accepted at "From which day?" and refused only
    after the last day was chosen, and then the flow ended instead of asking again."""
    for who, reason, refusal, later in (
        (
            crew["ann"],
            "Other",
            "Leave cannot start before today. Choose today or a later day, or type one, "
            "or /cancel.",
            "From Thu 3 Dec until which day (inclusive)? Choose, or type a date.",
        ),
        (
            crew["sec"],
            "其他",
            "请假不能早于今天开始。请选择或输入今天或之后的日期，或发送 /cancel。",
            "",
        ),
    ):
        [step] = await harness.send(who, who.command("leave"))
        [step] = await harness.send(who, who.press(step, reason))
        [answer] = await harness.send(who, who.message("2026-11-30"))
        assert answer.text == refusal
        # Still at the first day: a good one now moves on to the last day.
        step = newest(await harness.send(who, who.message("2026-12-03")))
        if later:
            assert step.text == later
        else:
            assert step.text is not None and "12月3日" in step.text
        [done] = await harness.send(who, who.press(step, step.buttons[0][0]))
        assert done.text is not None and done.text.startswith(("✅ Ann", "✅ 已登记Sam"))
    rows = await harness.services.storage.db.fetchall("SELECT first_day FROM leave")
    assert [r["first_day"] for r in rows] == ["2026-12-03", "2026-12-03"]


async def test_members_shows_each_units_day(harness: Harness, crew: dict[str, FakeUser]) -> None:
    from tests.flows.test_checkin_schedule import check_in

    harness.clock.set(local("2026-12-01 10:00"))
    await check_in(harness, crew["ann"])
    sec = crew["sec"]
    [step] = await harness.send(sec, sec.command("leave", "@bo"))
    [step] = await harness.send(sec, sec.press(step, "病假"))
    [step] = await harness.send(sec, sec.press(step, "今天"))
    await harness.send(sec, sec.press(step, "仅当天"))
    [status, reach] = await harness.send(sec, sec.command("members"))
    assert status.text == (
        "打卡情况（12月1日 周二）\n"
        "• Riverside District：已打卡0/1 — 未打卡：Sam\n"
        "• Riverside Branch 1：已打卡1/2，登记请假1人"
    )
    # Then reach as it stands (issue #18): no register, so the members who joined.
    assert reach.text == (
        "当前联系情况（已加入/应有）\n"
        "Riverside District：已加入3/3 · 可经 Telegram 联系3 · 仅可经备用渠道联系0 · 无法联系0\n"
        "• Riverside Branch 1：已加入2/2 · 无法联系0"
    )
    # Nobody had joined yet the day before: no members then; reach is today's.
    [status, _] = await harness.send(sec, sec.command("members", "2026-11-30"))
    assert status.text == "11月30日 周一：您的单位没有成员。"
    [answer] = await harness.send(sec, sec.command("members", "yesterday"))
    assert answer.text == "日期格式不对。请用 /members 或 /members 2026-12-01。"
    [answer] = await harness.send(sec, sec.command("members", "2027-01-01"))
    assert answer.text == "那一天还没到。"
    ann = crew["ann"]
    [answer] = await harness.send(ann, ann.command("members"))
    assert answer.text == "Only secretaries and coordinators can see their units' check-ins."


async def test_days_the_calendar_cannot_go_past_are_refused(
    harness: Harness, crew: dict[str, FakeUser]
) -> None:
    """Regression: leave from 9999-12-31 for three days overflowed; "02-29" typed in a
    leap year once that day had passed asked for 29 Feb of the next year, which is not."""
    ann = crew["ann"]
    for when, typed in (("2026-12-01 07:00", "9999-12-31"), ("2028-03-01 07:00", "02-29")):
        harness.clock.set(local(when))
        [step] = await harness.send(ann, ann.command("leave"))
        [step] = await harness.send(ann, ann.press(step, "Annual leave"))
        [answer] = await harness.send(ann, ann.message(typed))
        assert (
            answer.text == "That is not a date I understand. Type it like 2026-12-03, or /cancel."
        )
        await harness.send(ann, ann.command("cancel"))
    assert await harness.services.storage.db.fetchall("SELECT * FROM leave") == []
