"""Grid duty before the shift: the confirmation request (in the unit's own time), one
reminder, the cut-off with cover offers, declining with a reason, cover races, start and
no-show on the schedule (also after downtime), members leaving the unit, and /duty."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.duty.buttons import (
    ConfirmShift,
    DeclineShift,
    EndDuty,
    ReportIncident,
    StartDuty,
    TakeShift,
)
from fakeapi import FakeUser
from fakeapi.core import SentMessage
from handlers.kit.slots import DELIVERY
from storage.models import Role, Shift, ShiftStatus
from storage.shifts import NewShift
from tests.flows.conftest import Harness
from tests.flows.test_checkin import local

SEC = 1501
ANN, BO, CY, DAN, FAR = 1502, 1503, 1504, 1505, 1506


@pytest.fixture
async def crew(harness: Harness) -> dict[str, FakeUser]:
    harness.clock.set(local("2026-12-01 06:00"))  # Tuesday morning in Shanghai
    people = {
        "sec": harness.person(SEC, "Sam", username="sam"),
        "ann": harness.person(ANN, "Ann", username="ann"),
        "bo": harness.person(BO, "Bo", username="bo"),
        "cy": harness.person(CY, "Cy", username="cy"),
        "dan": harness.person(DAN, "Dan", username="dan"),
        "far": harness.person(FAR, "Far", username="far", language="zh"),
    }
    await harness.join(people["sec"], "RIV", Role.SECRETARY)
    for name in ("ann", "bo", "cy", "dan"):
        await harness.join(people[name], "RIV-1")
    await harness.join(people["far"], "HIL-1")  # Asia/Urumqi: two hours behind Shanghai
    await harness.run_due()  # yesterday's check-in list, caught up: not looked at here
    return people


async def add_grid(harness: Harness, unit_code: str, code: str, name: str) -> int:
    unit = await harness.unit(unit_code)
    async with harness.services.storage.db.transaction() as conn:
        return await harness.services.storage.grids.add(
            conn,
            unit_id=unit.id,
            code=code,
            name=name,
            lat=None,
            lon=None,
            radius_m=None,
            now=harness.clock.now(),
        )


async def add_shift(
    harness: Harness, user: FakeUser, grid_id: int, start: str, hours: int = 3
) -> int:
    """A shift for ``user`` starting at local ``start`` in the grid's unit's time."""
    storage = harness.services.storage
    member = await storage.members.by_telegram_id(user.id)
    grid = await storage.grids.get(grid_id)
    assert member is not None and grid is not None
    unit = await storage.units.get(grid.unit_id)
    assert unit is not None
    zone = ZoneInfo(unit.timezone or "Asia/Shanghai")
    starts = datetime.fromisoformat(start).replace(tzinfo=zone)
    shift = NewShift(
        grid.id,
        unit.id,
        member.id,
        starts.astimezone(UTC),
        (starts + timedelta(hours=hours)).astimezone(UTC),
        starts.date().isoformat(),
    )
    async with storage.db.transaction() as conn:
        [shift_id] = await storage.shifts.add_many(
            conn, [shift], created_by=None, now=harness.clock.now()
        )
    return shift_id


async def shift(harness: Harness, shift_id: int) -> Shift:
    found = await harness.services.storage.shifts.get(shift_id)
    assert found is not None
    return found


async def at(harness: Harness, when: str) -> None:
    harness.clock.set(local(when))
    await harness.run_due()


def texts(harness: Harness, user_id: int, part: str) -> list[str]:
    return [m.text or "" for m in harness.api.sent_to(user_id) if part in (m.text or "")]


def asks(harness: Harness, user_id: int) -> list[SentMessage]:
    """Requests to confirm (and the reminder), in either language."""
    return [
        m
        for m in harness.api.sent_to(user_id)
        if "please confirm" in (m.text or "") or "请确认" in (m.text or "")
    ]


async def tonight(harness: Harness, user: FakeUser, grid_id: int, press: str | None = None) -> int:
    """A 20:00 shift for ``user``, asked about at 08:00, and that request answered with
    the button ``press``."""
    shift_id = await add_shift(harness, user, grid_id, "2026-12-01 20:00")
    await at(harness, "2026-12-01 08:00")
    if press is not None:
        await harness.send(user, user.press(asks(harness, user.id)[0], press))
    return shift_id


@pytest.fixture
async def north(harness: Harness, crew: dict[str, FakeUser]) -> int:
    return await add_grid(harness, "RIV-1", "N1", "North Street")


async def test_asked_at_the_right_time_in_the_units_timezone(
    harness: Harness, crew: dict[str, FakeUser]
) -> None:
    far = crew["far"]
    hill = await add_grid(harness, "HIL-1", "H1", "Hill Road")
    shift_id = await add_shift(harness, far, hill, "2026-12-01 20:00")  # Urumqi time
    await at(harness, "2026-12-01 09:59")  # 07:59 in Urumqi: 12 h before is 08:00 there
    assert asks(harness, FAR) == []
    await at(harness, "2026-12-01 10:00")
    [ask] = asks(harness, FAR)
    assert ask.text == (
        "📋 值守班次 — 请确认或拒绝。\nHill Road（H1）· Hillside Branch 1\n12月1日 周二 20:00–23:00"
    )
    assert ask.buttons == [
        ("✅ 确认", ConfirmShift(shift_id).pack()),
        ("❌ 拒绝", DeclineShift(shift_id).pack()),
    ]
    assert (await shift(harness, shift_id)).confirm_asked_at == local("2026-12-01 10:00")


async def test_one_reminder_then_cut_off_alert_and_offers_to_the_free_only(
    harness: Harness, crew: dict[str, FakeUser], north: int
) -> None:
    ann, dan, cy = crew["ann"], crew["dan"], crew["cy"]
    shift_id = await add_shift(harness, ann, north, "2026-12-01 20:00")
    await add_shift(harness, dan, north, "2026-12-01 21:00")  # Dan is on duty then
    [step] = await harness.send(cy, cy.command("leave"))  # Cy: on leave today
    [step] = await harness.send(cy, cy.press(step, "Annual leave"))
    [step] = await harness.send(cy, cy.press(step, "Today"))
    await harness.send(cy, cy.press(step, "Just that day"))
    await at(harness, "2026-12-01 08:00")
    [ask] = asks(harness, ANN)
    await at(harness, "2026-12-01 09:00")
    await harness.send(dan, dan.press(asks(harness, DAN)[0], "✅ Confirm"))
    await at(harness, "2026-12-01 09:59")
    assert texts(harness, ANN, "Reminder") == []
    for moment in ("2026-12-01 10:00", "2026-12-01 12:00", "2026-12-01 17:59"):
        await at(harness, moment)
    assert texts(harness, ANN, "Reminder") == [
        "⏰ Reminder: please confirm or decline your duty shift.\n"
        "North Street (N1) · Riverside Branch 1\n"
        "Tue 1 Dec 20:00–23:00"
    ]
    assert texts(harness, SEC, "cover") == []
    await at(harness, "2026-12-01 18:00")
    assert texts(harness, SEC, "has not confirmed") == [
        "⚠️ Ann has not confirmed a duty shift — cover requested.\n"
        "North Street (N1) · Riverside Branch 1\n"
        "Tue 1 Dec 20:00–23:00\n"
        "Offered to 1 member."
    ]
    [offer] = texts(harness, BO, "Cover needed")
    assert offer.startswith("🆘 Cover needed — can you take this shift?\nNorth Street (N1)")
    for nobody in (ANN, CY, DAN):
        assert texts(harness, nobody, "Cover needed") == []
    opened = await shift(harness, shift_id)
    assert (opened.status, opened.member_id) == (ShiftStatus.OPEN, None)
    assert opened.cover_opened_at == local("2026-12-01 18:00")
    # Ann's old request no longer applies (a press that crossed the edit).
    late = ann.press_data(ask.message_id, ConfirmShift(shift_id).pack())
    [toast] = (await harness.send(ann, late)).callback_answers
    assert toast.text == "This shift is no longer yours. Nothing was changed."
    await at(harness, "2026-12-01 19:00")  # nothing repeats
    assert len(texts(harness, SEC, "has not confirmed")) == 1
    assert len(texts(harness, BO, "Cover needed")) == 1


async def test_at_the_cut_off_the_requests_lose_their_buttons(
    harness: Harness, crew: dict[str, FakeUser], north: int
) -> None:
    """Regression: Confirm / Decline stayed on the request and the reminder after the
    cut-off had opened the shift for cover."""
    ann, far = crew["ann"], crew["far"]
    hill = await add_grid(harness, "HIL-1", "H1", "Hill Road")
    shift_id = await add_shift(harness, ann, north, "2026-12-01 20:00")
    far_shift = await add_shift(harness, far, hill, "2026-12-01 20:00")  # 22:00 in Shanghai
    for moment in ("2026-12-01 08:00", "2026-12-01 10:00", "2026-12-01 12:00"):
        await at(harness, moment)
    ann_asks, far_asks = asks(harness, ANN), asks(harness, FAR)
    assert [len(ann_asks), len(far_asks)] == [2, 2]  # the request and the reminder
    await at(harness, "2026-12-01 17:59")
    assert all(harness.api.message(ANN, m.message_id).buttons for m in ann_asks)  # type: ignore[union-attr]
    await at(harness, "2026-12-01 18:00")  # Ann's cut-off; Far's is at 20:00 here
    for ask in ann_asks:
        now = harness.api.message(ANN, ask.message_id)
        assert now is not None and now.buttons == []
        assert now.text == (
            "⌛ The time to confirm or decline this shift has passed.\n"
            "North Street (N1) · Riverside Branch 1\nTue 1 Dec 20:00–23:00"
        )
    assert all(harness.api.message(FAR, m.message_id).buttons for m in far_asks)  # type: ignore[union-attr]
    closed = [m.message_id for m in harness.api.sent_to(ANN) if (m.text or "").startswith("⌛")]
    assert closed == [m.message_id for m in ann_asks]  # edited, not sent again
    # A press on the old buttons says why and changes nothing.
    for verb in ("ok", "no"):
        press = ann.press_data(ann_asks[0].message_id, f"dt:{verb}:{shift_id}")
        replies = await harness.send(ann, press)
        assert [a.text for a in replies.callback_answers] == [
            "This shift is no longer yours. Nothing was changed."
        ]
        assert [m for m in replies if not m.edited] == []
    assert (await shift(harness, shift_id)).status is ShiftStatus.OPEN
    await at(harness, "2026-12-01 20:00")
    for ask in far_asks:
        now = harness.api.message(FAR, ask.message_id)
        assert now is not None and now.buttons == []
        assert now.text is not None and now.text.startswith("⌛ 此班次的确认时间已过")
    assert (await shift(harness, far_shift)).status is ShiftStatus.OPEN
    await at(harness, "2026-12-01 21:00")  # nothing repeats
    edits = harness.api.calls_of("editMessageText")
    assert len([c for c in edits if c.params["chat_id"] in (ANN, FAR)]) == 4


async def test_confirm_and_a_double_tap(
    harness: Harness, crew: dict[str, FakeUser], north: int
) -> None:
    ann = crew["ann"]
    shift_id = await add_shift(harness, ann, north, "2026-12-01 20:00")
    await at(harness, "2026-12-01 08:00")
    [ask] = asks(harness, ANN)
    [done] = await harness.send(ann, ann.press(ask, "✅ Confirm"))
    assert done.edited and done.buttons == []
    assert done.text == (
        "✅ Confirmed. A Start duty button follows when the shift begins.\n"
        "North Street (N1) · Riverside Branch 1\nTue 1 Dec 20:00–23:00"
    )
    again = await harness.send(ann, ann.press_data(ask.message_id, ConfirmShift(shift_id).pack()))
    assert [a.text for a in again.callback_answers] == ["You have already confirmed this shift."]
    confirmed = await shift(harness, shift_id)
    assert confirmed.status is ShiftStatus.CONFIRMED
    assert confirmed.confirmed_at == local("2026-12-01 08:00")
    await at(harness, "2026-12-01 18:00")  # confirmed: no reminder, no cut-off
    assert texts(harness, ANN, "Reminder") == [] and texts(harness, SEC, "North Street") == []
    # Someone else's shift cannot be confirmed with forged data.
    bo = crew["bo"]
    forged = await harness.send(bo, bo.press_data(ask.message_id, ConfirmShift(shift_id).pack()))
    assert [a.text for a in forged.callback_answers] == [
        "This shift is no longer yours. Nothing was changed."
    ]


async def test_decline_with_a_reason_bad_input_and_cancel(
    harness: Harness, crew: dict[str, FakeUser], north: int
) -> None:
    ann = crew["ann"]
    shift_id = await add_shift(harness, ann, north, "2026-12-01 20:00")
    await at(harness, "2026-12-01 08:00")
    [ask] = asks(harness, ANN)
    [question] = await harness.send(ann, ann.press(ask, "❌ Decline"))
    assert question.text == (
        "❌ Decline this shift?\nNorth Street (N1) · Riverside Branch 1\nTue 1 Dec 20:00–23:00\n"
        "Send the reason in a few words (up to 200 characters), or /cancel to keep the shift."
    )
    [again] = await harness.send(ann, ann.location(31.2, 121.5))
    assert again.text == (
        "Please type the reason as text (up to 200 characters), or /cancel to keep the shift."
    )
    [again] = await harness.send(ann, ann.message("x" * 201))
    assert again.text == (
        "That is 201 characters; the limit is 200. Send a shorter reason, or /cancel."
    )
    [kept] = await harness.send(ann, ann.command("cancel"))
    assert kept.text == "The shift is still yours. Nothing was changed."
    assert (await shift(harness, shift_id)).status is ShiftStatus.ASSIGNED
    assert texts(harness, SEC, "North Street") == []
    # Once more, with a reason.
    await harness.send(ann, ann.press(ask, "❌ Decline"))
    *tidied, done = await harness.send(ann, ann.message("  My child is sick  "))
    assert all(m.edited and m.buttons == [] for m in tidied)  # old keyboards taken off
    assert done.text == (
        "Declined. Your secretary has been told, and the shift is offered to others.\n"
        "North Street (N1) · Riverside Branch 1\nTue 1 Dec 20:00–23:00"
    )
    assert harness.api.message(ANN, ask.message_id).buttons == []  # type: ignore[union-attr]
    declined = await shift(harness, shift_id)
    assert (declined.status, declined.member_id) == (ShiftStatus.OPEN, None)
    assert declined.decline_reason == "My child is sick"
    assert declined.declined_at == local("2026-12-01 08:00")
    assert declined.declined_member_id is not None
    await harness.run_due()
    assert texts(harness, SEC, "declined") == [
        "❌ Ann declined a duty shift.\n"
        "North Street (N1) · Riverside Branch 1\nTue 1 Dec 20:00–23:00\n"
        "Reason: My child is sick\nOffered to 3 members."
    ]
    assert [len(texts(harness, who, "Cover needed")) for who in (ANN, BO, CY, DAN)] == [0, 1, 1, 1]
    # Typed text is no longer taken as a reason.
    [hint] = await harness.send(ann, ann.message("never mind"))
    assert "Decline" not in (hint.text or "")


async def test_a_decline_whose_stored_draft_lost_its_shift_is_dropped_politely(
    harness: Harness, crew: dict[str, FakeUser], north: int
) -> None:
    """A draft read back from the database is a dict; one without the shift (left by an
    older version) ends the flow with a clear answer, and the shift stays as it was."""
    ann = crew["ann"]
    shift_id = await add_shift(harness, ann, north, "2026-12-01 20:00")
    await at(harness, "2026-12-01 08:00")
    [ask] = asks(harness, ANN)
    await harness.send(ann, ann.press(ask, "❌ Decline"))
    harness.app.user_data[ANN]["duty_decline"] = {"asked": None}
    [answer] = await harness.send(ann, ann.message("My child is sick"))
    assert answer.text == (
        "This no longer applies: it was started before an update of the bot. Nothing was"
        " changed; please start again."
    )
    assert (await shift(harness, shift_id)).status is ShiftStatus.ASSIGNED
    [hint] = await harness.send(ann, ann.message("hello?"))  # the flow is over
    assert hint.text is not None and hint.text.startswith("I didn't expect a message here.")


async def test_cover_race_exactly_one_wins_and_the_others_are_told(
    harness: Harness, crew: dict[str, FakeUser], north: int
) -> None:
    ann, bo, cy = crew["ann"], crew["bo"], crew["cy"]
    shift_id = await tonight(harness, ann, north, "❌ Decline")
    await harness.send(ann, ann.message("Travelling"))
    await harness.run_due()
    [bo_offer] = [m for m in harness.api.sent_to(BO) if "Cover needed" in (m.text or "")]
    [cy_offer] = [m for m in harness.api.sent_to(CY) if "Cover needed" in (m.text or "")]
    [dan_offer] = [m for m in harness.api.sent_to(DAN) if "Cover needed" in (m.text or "")]
    [won] = await harness.send(bo, bo.press(bo_offer, "Take this shift"))
    late = await harness.send(cy, cy.press(cy_offer, "Take this shift"))
    assert won.text is not None and won.text.startswith("✅ The shift is yours.")
    assert [a.text for a in late.callback_answers] == [
        "Someone else took this shift first. Thank you all the same."
    ]
    covered = await shift(harness, shift_id)
    bo_member = await harness.services.storage.members.by_telegram_id(BO)
    assert bo_member is not None
    assert (covered.status, covered.member_id) == (ShiftStatus.CONFIRMED, bo_member.id)
    assert covered.covered_at == local("2026-12-01 08:00")
    await harness.run_due()
    assert texts(harness, SEC, "covers") == [
        "✅ Bo covers this shift.\nNorth Street (N1) · Riverside Branch 1\nTue 1 Dec 20:00–23:00"
    ]
    # The others' offers now say so, and their Take buttons are gone.
    for other, offer in ((CY, cy_offer), (DAN, dan_offer)):
        [taken] = [m for m in harness.api.sent_to(other) if "taken this shift" in (m.text or "")]
        assert (taken.message_id, taken.edited) == (offer.message_id, True)
        assert taken.buttons == [] and "North Street (N1)" in (taken.text or "")
    assert texts(harness, BO, "taken this shift") == []
    # Bo gets the start prompt for the shift he took.
    await at(harness, "2026-12-01 20:00")
    assert len(texts(harness, BO, "starts now")) == 1


async def test_start_prompt_then_no_show_alert(
    harness: Harness, crew: dict[str, FakeUser], north: int
) -> None:
    ann = crew["ann"]
    shift_id = await tonight(harness, ann, north, "✅ Confirm")
    await at(harness, "2026-12-01 19:59")
    assert texts(harness, ANN, "starts now") == []
    await at(harness, "2026-12-01 20:00")
    [start] = [m for m in harness.api.sent_to(ANN) if "starts now" in (m.text or "")]
    assert start.buttons == [("🟢 Start duty", StartDuty(shift_id).pack())]
    await at(harness, "2026-12-01 20:29")
    assert texts(harness, SEC, "North Street") == []
    await at(harness, "2026-12-01 20:30")
    assert texts(harness, SEC, "No-show") == [
        "❌ No-show: Ann has not started duty.\n"
        "North Street (N1) · Riverside Branch 1\nTue 1 Dec 20:00–23:00"
    ]
    missed = await shift(harness, shift_id)
    assert missed.status is ShiftStatus.NO_SHOW
    assert missed.no_show_at == local("2026-12-01 20:30")
    await at(harness, "2026-12-01 21:00")
    assert len(texts(harness, SEC, "No-show")) == 1


async def test_bot_down_across_the_start_no_stale_prompt_but_no_show(
    harness: Harness, crew: dict[str, FakeUser], north: int
) -> None:
    ann = crew["ann"]
    shift_id = await tonight(harness, ann, north, "✅ Confirm")
    await at(harness, "2026-12-01 19:00")
    await at(harness, "2026-12-01 20:45")  # down from 19:00 until now
    assert texts(harness, ANN, "starts now") == []
    assert len(texts(harness, SEC, "No-show")) == 1
    assert (await shift(harness, shift_id)).start_prompted_at is None


async def test_a_start_prompt_queued_before_the_grace_ran_out_is_dropped(
    harness: Harness, crew: dict[str, FakeUser], north: int
) -> None:
    ann = crew["ann"]
    await tonight(harness, ann, north, "✅ Confirm")
    harness.clock.set(local("2026-12-01 20:10"))
    from app.build import run_schedule

    await run_schedule(harness.app)  # queued, then the sender stalls past the grace
    harness.clock.set(local("2026-12-01 20:40"))
    await DELIVERY.of(harness.app).drain()
    assert texts(harness, ANN, "starts now") == []


async def test_a_restart_repeats_no_step(
    harness: Harness, crew: dict[str, FakeUser], north: int
) -> None:
    from app.build import build_application, run_schedule
    from bot.delivery.pacer import Pacer
    from fakeapi import FakeRequest

    await add_shift(harness, crew["ann"], north, "2026-12-01 20:00")
    for moment in ("2026-12-01 08:00", "2026-12-01 10:00", "2026-12-01 18:00"):
        await at(harness, moment)
    restarted = await build_application(
        harness.services.settings,
        request=FakeRequest(harness.api),
        clock=harness.clock,
        storage=harness.services.storage,
        pacer=Pacer.unlimited(),
    )
    harness.clock.advance(timedelta(minutes=5))
    assert await run_schedule(restarted) == 0
    assert await DELIVERY.of(restarted).drain() == 0
    requests = [m for m in harness.api.sent_to(ANN) if "North Street" in (m.text or "")]
    assert len(requests) == 2  # the request and the one reminder (closed at the cut-off)
    assert len(harness.api.calls_of("editMessageText")) == 2
    assert len(texts(harness, SEC, "has not confirmed")) == 1


async def test_an_open_shift_nobody_took_is_reported_once_at_the_start(
    harness: Harness, crew: dict[str, FakeUser], north: int
) -> None:
    shift_id = await add_shift(harness, crew["ann"], north, "2026-12-01 20:00")
    await at(harness, "2026-12-01 08:00")
    await at(harness, "2026-12-01 18:00")  # cut-off: open for cover
    offers = {
        who: m
        for who in (BO, CY, DAN)
        for m in harness.api.sent_to(who)
        if "Cover needed" in (m.text or "")
    }
    offer = offers[BO]
    await at(harness, "2026-12-01 20:00")
    assert texts(harness, SEC, "Uncovered") == [
        "❌ Uncovered: nobody took this shift.\n"
        "North Street (N1) · Riverside Branch 1\nTue 1 Dec 20:00–23:00"
    ]
    # The offers lose their Take button at the start (in each one's language).
    for who, sent in offers.items():
        now = harness.api.message(who, sent.message_id)
        assert now is not None and (now.text, now.buttons) == (
            "⌛ This shift has started: it can no longer be taken.\n"
            "North Street (N1) · Riverside Branch 1\nTue 1 Dec 20:00–23:00",
            [],
        )
    bo = crew["bo"]
    late = await harness.send(bo, bo.press_data(offer.message_id, TakeShift(shift_id).pack()))
    assert [a.text for a in late.callback_answers] == [
        "This shift has started or is over. Nothing was changed."
    ]
    assert [m for m in late if not m.edited] == []
    assert (await shift(harness, shift_id)).status is ShiftStatus.OPEN
    await at(harness, "2026-12-01 21:00")
    assert len(texts(harness, SEC, "Uncovered")) == 1
    # The workbook says it as /roster does (in plain words): uncovered, not "cover needed".
    sec = crew["sec"]
    [book] = await harness.send(sec, sec.command("export", "2026-12-01", "2026-12-01"))
    data = harness.api.file_bytes(book.raw["document"]["file_id"])
    assert data is not None
    rows = list(openpyxl.load_workbook(io.BytesIO(data))["Shifts"].iter_rows(values_only=True))
    status = rows[0].index("Status")
    assert [row[status] for row in rows[1:]] == ["uncovered"]
    edits = harness.api.calls_of("editMessageText")
    assert len([c for c in edits if c.params["chat_id"] in offers]) == 3  # once each


async def test_a_late_assignment_is_asked_at_once_and_not_passed_over(
    harness: Harness, crew: dict[str, FakeUser], north: int
) -> None:
    harness.clock.set(local("2026-12-01 19:00"))
    shift_id = await add_shift(harness, crew["ann"], north, "2026-12-01 20:00")
    await harness.run_due()
    assert len(asks(harness, ANN)) == 1
    assert texts(harness, SEC, "North Street") == []  # not "unconfirmed" an instant after asking
    assert (await shift(harness, shift_id)).status is ShiftStatus.ASSIGNED
    [ask] = asks(harness, ANN)
    await at(harness, "2026-12-01 20:30")
    assert len(texts(harness, SEC, "No-show")) == 1
    # Never answered: the request loses its buttons when the shift is marked a no-show.
    now = harness.api.message(ANN, ask.message_id)
    assert now is not None and now.buttons == []
    assert now.text is not None and now.text.startswith("⌛ The time to confirm or decline")


async def test_a_member_moved_away_has_their_shifts_opened(
    harness: Harness, crew: dict[str, FakeUser], north: int, admin: FakeUser
) -> None:
    ann = crew["ann"]
    confirmed = await tonight(harness, ann, north, "✅ Confirm")
    later = await add_shift(harness, ann, north, "2026-12-03 08:00")
    await harness.send(admin, admin.command("move", "@ann", "HIL-1"))
    await harness.run_due()
    for shift_id in (confirmed, later):
        opened = await shift(harness, shift_id)
        assert (opened.status, opened.member_id) == (ShiftStatus.OPEN, None)
    notes = texts(harness, SEC, "left the unit")
    assert notes == [
        "⚠️ Ann left the unit — their duty shift needs cover.\n"
        "North Street (N1) · Riverside Branch 1\nTue 1 Dec 20:00–23:00\n"
        "Offered to 3 members.",
        "⚠️ Ann left the unit — their duty shift needs cover.\n"
        "North Street (N1) · Riverside Branch 1\nThu 3 Dec 08:00–11:00\n"
        "Offered to 3 members.",
    ]
    assert len(texts(harness, BO, "Cover needed")) == 2
    assert texts(harness, ANN, "Cover needed") == []
    await at(harness, "2026-12-01 20:00")
    assert texts(harness, ANN, "starts now") == []


async def test_a_deactivated_member_has_their_shifts_opened(
    harness: Harness, crew: dict[str, FakeUser], north: int, admin: FakeUser
) -> None:
    shift_id = await add_shift(harness, crew["bo"], north, "2026-12-02 08:00")
    await harness.send(admin, admin.command("deactivate", "@bo"))
    await harness.run_due()
    assert (await shift(harness, shift_id)).status is ShiftStatus.OPEN
    assert len(texts(harness, SEC, "Bo left the unit")) == 1


async def test_duty_lists_own_shifts_with_their_buttons_and_open_ones(
    harness: Harness, crew: dict[str, FakeUser], north: int
) -> None:
    ann, bo, cy = crew["ann"], crew["bo"], crew["cy"]
    tonights = await tonight(harness, ann, north, "✅ Confirm")
    tomorrow = await add_shift(harness, ann, north, "2026-12-02 08:00")
    await add_shift(harness, ann, north, "2026-12-09 08:00")  # beyond the 7 days
    bos = await add_shift(harness, bo, north, "2026-12-02 14:00")
    await at(harness, "2026-12-01 19:50")
    # Bo gives his up from /duty, before he was even asked.
    [mine] = await harness.send(bo, bo.command("duty"))
    assert mine.text == (
        "Your duty shifts\n1. Wed 2 Dec 14:00–17:00 · North Street (N1) — ⚠️ to confirm"
    )
    assert mine.buttons == [
        ("1. ✅ Confirm", ConfirmShift(bos).pack()),
        ("1. ❌ Decline", DeclineShift(bos).pack()),
    ]
    await harness.send(bo, bo.press(mine, "1. ❌ Decline"))
    await harness.send(bo, bo.message("Exam"))
    [listing] = await harness.send(ann, ann.command("duty"))
    assert listing.text == (
        "Your duty shifts\n"
        "1. Tue 1 Dec 20:00–23:00 · North Street (N1) — ✅ confirmed\n"
        "2. Wed 2 Dec 08:00–11:00 · North Street (N1) — ⚠️ to confirm\n\n"
        "Open shifts you could take\n"
        "3. Wed 2 Dec 14:00–17:00 · North Street (N1) — 🆘 cover needed"
    )
    assert listing.buttons == [
        ("1. 🟢 Start duty", StartDuty(tonights).pack()),
        ("2. ✅ Confirm", ConfirmShift(tomorrow).pack()),
        ("2. ❌ Decline", DeclineShift(tomorrow).pack()),
        ("3. Take this shift", TakeShift(bos).pack()),
    ]
    [others] = await harness.send(cy, cy.command("duty"))
    assert others.text == (
        "Open shifts you could take\n1. Wed 2 Dec 14:00–17:00 · North Street (N1) — 🆘 cover needed"
    )
    # On duty (started as the on-duty side does it): End duty and Report incident.
    storage = harness.services.storage
    member = await storage.members.by_telegram_id(ANN)
    assert member is not None
    async with storage.db.transaction() as conn:
        started_at = local("2026-12-01 20:01")
        await storage.shifts.mark_started(
            conn, tonights, member.id, now=started_at, lat=None, lon=None, distance_m=None
        )
    harness.clock.set(local("2026-12-01 20:02"))
    [listing] = await harness.send(ann, ann.command("duty"))
    assert listing.buttons[:2] == [
        ("1. 🏁 End duty", EndDuty(tonights).pack()),
        ("1. ⚠️ Report incident", ReportIncident(tonights).pack()),
    ]
    [far] = await harness.send(crew["far"], crew["far"].command("duty"))
    assert far.text == "未来7天您没有值守班次，也没有可接的空缺班次。"
    [stranger] = await harness.send(
        harness.person(1599, "Zed"), harness.person(1599, "Zed").command("duty")
    )
    assert stranger.text is not None and stranger.text.startswith("You are not a member")
