"""On duty as a member lives it: Start duty (with or without a location, near or far from
the grid), End duty with the report, Report incident; and every press that comes too
early, too late, twice or from someone else."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.duty.buttons import EndDuty, ReportIncident, RosterCancel, StartDuty
from bot.duty.on_duty import distance_m
from bot.kit.callbacks import Payload
from fakeapi import FakeUser, SentMessage
from storage.models import Role, Shift, ShiftStatus
from storage.shifts import NewShift
from tests.flows.conftest import Harness
from tests.flows.test_checkin import local

# The grid's centre and a point about 1.1 km north of it (radius 500 m).
CENTRE = (31.2300, 121.4700)
FAR = (31.2400, 121.4700)


@dataclass
class Crew:
    ann: FakeUser  # on the shift
    bo: FakeUser  # another member of the unit
    sec: FakeUser  # RIV's secretary, reads Chinese
    shift_id: int


async def add_shift(harness: Harness, member_telegram_id: int, start: str, end: str) -> int:
    storage = harness.services.storage
    member = await storage.members.by_telegram_id(member_telegram_id)
    unit = await harness.unit("RIV-1")
    assert member is not None
    grid = await storage.grids.by_code("G-RIV-1")
    async with storage.db.transaction() as conn:
        grid_id = (
            grid.id
            if grid
            else await storage.grids.add(
                conn,
                unit_id=unit.id,
                code="G-RIV-1",
                name="Elm Street",
                lat=CENTRE[0],
                lon=CENTRE[1],
                radius_m=500,
                now=harness.clock.now(),
            )
        )
        [shift_id] = await storage.shifts.add_many(
            conn,
            [NewShift(grid_id, unit.id, member.id, local(start), local(end), start[:10])],
            created_by=None,
            now=harness.clock.now(),
        )
    return shift_id


@pytest.fixture
async def crew(harness: Harness) -> Crew:
    harness.clock.set(local("2026-12-01 08:00"))  # a Tuesday
    ann = harness.person(901, "Ann", username="ann")
    bo = harness.person(902, "Bo", username="bo")
    sec = harness.person(903, "Sam", language="zh")
    await harness.join(ann, "RIV-1")
    await harness.join(bo, "RIV-1")
    await harness.join(sec, "RIV", Role.SECRETARY)
    shift_id = await add_shift(harness, 901, "2026-12-01 18:00", "2026-12-01 22:00")
    return Crew(ann, bo, sec, shift_id)


async def shift(harness: Harness, shift_id: int) -> Shift:
    found = await harness.services.storage.shifts.get(shift_id)
    assert found is not None
    return found


async def press(harness: Harness, who: FakeUser, data: Payload) -> list[SentMessage]:
    """A duty button as the schedule's prompt or /duty would carry it."""
    anchor = harness.api.last_message(who.id)
    return await harness.send(who, who.press_data(anchor.message_id, data.pack()))


def texts(harness: Harness, chat_id: int) -> list[str]:
    return [m.text or "" for m in harness.api.sent_to(chat_id)]


async def start_with(harness: Harness, crew: Crew, where: tuple[float, float] | None) -> str:
    [ask] = await press(harness, crew.ann, StartDuty(crew.shift_id))
    assert ask.text == (
        "Start duty on Elm Street · Tue 1 Dec 18:00–22:00\n"
        "Share your location with the button below, or start without it."
    )
    assert [b["text"] for row in ask.keyboard for b in row] == [
        "📍 Share my location",
        "Start without location",
    ]
    assert ask.keyboard[0][0].get("request_location") is True
    if where is None:
        update = crew.ann.press(ask, "Start without location")
    else:
        update = crew.ann.location(*where)
    replies = await harness.send(crew.ann, update)
    return "\n".join(m.text or "" for m in replies)


async def test_start_near_the_grid(harness: Harness, crew: Crew) -> None:
    harness.clock.set(local("2026-12-01 18:02"))
    said = await start_with(harness, crew, (31.2302, 121.4701))
    assert said == (
        "✅ On duty on Elm Street since 18:02.\n"
        "While on duty on Elm Street: report an incident at any time, and end duty when "
        "you are done."
    )
    buttons = harness.api.last_message(901).buttons
    assert buttons == [
        ("⚠️ Report incident", ReportIncident(crew.shift_id).pack()),
        ("🏁 End duty", EndDuty(crew.shift_id).pack()),
    ]
    started = await shift(harness, crew.shift_id)
    assert started.status is ShiftStatus.STARTED
    assert started.started_at == local("2026-12-01 18:02")
    assert started.start_distance_m is not None and started.start_distance_m < 50
    await harness.run_due()
    assert not any("开始值守" in t for t in texts(harness, 903))  # nothing to report


async def test_start_far_from_the_grid_is_kept_and_reported(harness: Harness, crew: Crew) -> None:
    harness.clock.set(local("2026-12-01 17:50"))  # 10 minutes early is fine
    said = await start_with(harness, crew, FAR)
    assert "Your location is 1,112 m from the grid's centre; your secretary has been told." in said
    assert (await shift(harness, crew.shift_id)).status is ShiftStatus.STARTED
    await harness.run_due()
    [notice] = [t for t in texts(harness, 903) if "开始值守" in t]
    assert notice == (
        "🟢 Ann于17:50在Elm Street（Riverside Branch 1）开始值守。\n"
        "📍 距网格中心1,112米（半径500米）。"
    )


async def test_start_without_location_and_typing_instead(harness: Harness, crew: Crew) -> None:
    harness.clock.set(local("2026-12-01 18:00"))
    [ask] = await press(harness, crew.ann, StartDuty(crew.shift_id))
    [again] = await harness.send(crew.ann, crew.ann.message("I'm here"))
    assert again.text == (
        "Please press “📍 Share my location” or “Start without location”, or send /cancel."
    )
    assert (await shift(harness, crew.shift_id)).status is ShiftStatus.ASSIGNED
    replies = await harness.send(crew.ann, crew.ann.press(ask, "Start without location"))
    assert replies[0].text == "✅ On duty on Elm Street since 18:00."
    started = await shift(harness, crew.shift_id)
    assert started.status is ShiftStatus.STARTED and started.start_lat is None


async def test_start_pressed_twice_too_early_too_late_or_by_someone_else(
    harness: Harness, crew: Crew
) -> None:
    harness.clock.set(local("2026-12-01 17:00"))
    [early] = await press(harness, crew.ann, StartDuty(crew.shift_id))
    assert early.text == "Too early: you can start this duty from Tue 1 Dec 17:45."
    [other] = await press(harness, crew.bo, StartDuty(crew.shift_id))
    assert other.text == "This shift is not yours (any more). Send /duty to see your shifts."
    [forged] = await press(harness, crew.ann, StartDuty(99999))
    assert forged.text == other.text
    harness.clock.set(local("2026-12-01 18:05"))
    await start_with(harness, crew, None)
    [twice] = await press(harness, crew.ann, StartDuty(crew.shift_id))
    assert twice.text == "You are already on duty (since Tue 1 Dec 18:05)."
    late_id = await add_shift(harness, 901, "2026-12-01 06:00", "2026-12-01 08:00")
    harness.clock.set(local("2026-12-04 09:00"))  # days later
    [late] = await press(harness, crew.ann, StartDuty(late_id))
    assert late.text == (
        "This shift is over (it ended Tue 1 Dec 08:00); it can no longer be started."
    )
    assert (await shift(harness, late_id)).status is ShiftStatus.ASSIGNED


async def test_a_no_show_starting_late_is_reported(harness: Harness, crew: Crew) -> None:
    storage = harness.services.storage
    await storage.db.write(
        "UPDATE shifts SET status = 'no_show', no_show_at = ? WHERE id = ?",
        ("2026-12-01T10:30:00.000000Z", crew.shift_id),
    )
    harness.clock.set(local("2026-12-01 18:40"))
    await start_with(harness, crew, None)
    started = await shift(harness, crew.shift_id)
    assert started.status is ShiftStatus.STARTED and started.no_show_at is not None
    await harness.run_due()
    [notice] = [t for t in texts(harness, 903) if "开始值守" in t]
    assert notice.endswith("⏰ 迟到：已在未到岗提醒之后。")


async def test_end_duty_with_the_report(harness: Harness, crew: Crew) -> None:
    harness.clock.set(local("2026-12-01 17:00"))
    [early] = await press(harness, crew.ann, EndDuty(crew.shift_id))
    assert early.text == "This duty has not been started, so it cannot be ended."
    harness.clock.set(local("2026-12-01 18:00"))
    await start_with(harness, crew, CENTRE)
    harness.clock.set(local("2026-12-01 22:01"))
    [first] = await press(harness, crew.ann, EndDuty(crew.shift_id))
    assert first.text == (
        "End of duty 1/2 — How many households did you visit?\nSend a number from 0 to 10,000."
    )
    [bad] = await harness.send(crew.ann, crew.ann.message("lots"))
    assert bad.text == ("That is not a number. Send a number from 0 to 10,000, or /cancel.")
    [photo] = await harness.send(crew.ann, crew.ann.photo())
    assert photo.text == bad.text
    [second] = await harness.send(crew.ann, crew.ann.message("12"))
    assert second.text is not None and second.text.startswith("End of duty 2/2")
    [summary] = await harness.send(crew.ann, crew.ann.press(second, "Skip"))
    assert summary.text == (
        "Your end-of-duty report\n"
        "• How many households did you visit?: 12\n"
        "• Anything to report?: —\n"
        "Submit it to end duty."
    )
    [done] = await harness.send(crew.ann, crew.ann.press(summary, "✅ Submit and end duty"))
    assert done.text == "🏁 Duty on Elm Street ended at 22:01. Report saved — thank you."
    ended = await shift(harness, crew.shift_id)
    assert ended.status is ShiftStatus.COMPLETED
    assert ended.report == {"visits": 12.0, "notes": None}
    assert ended.ended_at == local("2026-12-01 22:01")
    [again] = await press(harness, crew.ann, EndDuty(crew.shift_id))
    assert again.text == "This duty has already ended (Tue 1 Dec 22:01)."


async def test_end_duty_cancelled_keeps_the_duty_going(harness: Harness, crew: Crew) -> None:
    harness.clock.set(local("2026-12-01 18:00"))
    await start_with(harness, crew, None)
    await press(harness, crew.ann, EndDuty(crew.shift_id))
    [cancelled] = await harness.send(crew.ann, crew.ann.command("cancel"))
    assert cancelled.text == "Nothing was changed."
    assert (await shift(harness, crew.shift_id)).status is ShiftStatus.STARTED


async def test_incident_with_text_photo_and_location(harness: Harness, crew: Crew) -> None:
    harness.clock.set(local("2026-12-01 17:00"))
    [closed] = await press(harness, crew.ann, ReportIncident(crew.shift_id))
    assert closed.text == "You can report incidents only while on duty on this shift."
    harness.clock.set(local("2026-12-01 18:00"))
    await start_with(harness, crew, None)
    harness.clock.set(local("2026-12-01 19:15"))
    [ask] = await press(harness, crew.ann, ReportIncident(crew.shift_id))
    assert ask.text == (
        "Report an incident on Elm Street\n"
        "Send text, a photo (a caption is fine) and/or a location, then press “Send”."
    )
    [empty] = await harness.send(crew.ann, crew.ann.press(ask, "📨 Send"))
    assert empty.text == "Add some text, a photo or a location first."
    [odd] = await harness.send(crew.ann, crew.ann.document("notes.pdf", b"%PDF"))
    assert odd.text == (
        "Only text, a photo or a location can be added. Send one of those, or /cancel."
    )
    await harness.send(crew.ann, crew.ann.photo(caption="Water main burst at no. 12"))
    [added] = await harness.send(crew.ann, crew.ann.location(31.2301, 121.4702))
    assert added.text == "Added: text, photo, location. Send more, or press “Send”."
    [sent] = await harness.send(crew.ann, crew.ann.press(added, "📨 Send"))
    assert sent.text == "📨 Incident sent to your secretary."
    [incident] = await harness.services.storage.incidents.of_shift(crew.shift_id)
    assert incident.text == "Water main burst at no. 12"
    assert incident.photo_file_id is not None and incident.lat == pytest.approx(31.2301)
    await harness.run_due()
    photos = [c for c in harness.api.calls_of("sendPhoto") if c.params.get("chat_id") == 903]
    assert [c.params["photo"] for c in photos] == [incident.photo_file_id]
    [notice] = [t for t in texts(harness, 903) if t.startswith("⚠️ 事件")]
    assert notice == (
        "⚠️ 事件：Elm Street（Riverside Branch 1）19:15，上报人Ann：\n"
        "Water main burst at no. 12\n📍 31.23010, 121.47020"
    )


async def test_incident_cancelled_sends_nothing(harness: Harness, crew: Crew) -> None:
    harness.clock.set(local("2026-12-01 18:00"))
    await start_with(harness, crew, None)
    await press(harness, crew.ann, ReportIncident(crew.shift_id))
    await harness.send(crew.ann, crew.ann.message("false alarm"))
    [cancelled] = await harness.send(crew.ann, crew.ann.command("cancel"))
    assert cancelled.text == "Nothing was changed."
    assert await harness.services.storage.incidents.of_shift(crew.shift_id) == []
    await harness.run_due()
    assert not any(t.startswith("⚠️ 事件") for t in texts(harness, 903))


async def test_typed_text_and_a_captioned_photo_both_reach_the_secretary(
    harness: Harness, crew: Crew
) -> None:
    """Regression: the photo's caption replaced the text typed before it, though the bot
    had said "Added: text, photo"."""
    harness.clock.set(local("2026-12-01 18:00"))
    await start_with(harness, crew, None)
    harness.clock.set(local("2026-12-01 19:15"))
    await press(harness, crew.ann, ReportIncident(crew.shift_id))
    await harness.send(crew.ann, crew.ann.message("Water main burst at no. 12"))
    await harness.send(crew.ann, crew.ann.message("  Road flooded  "))
    [added] = await harness.send(crew.ann, crew.ann.photo(caption="The corner by the school"))
    assert added.text == "Added: text, photo. Send more, or press “Send”."
    await harness.send(crew.ann, crew.ann.press(added, "📨 Send"))
    said = "Water main burst at no. 12\nRoad flooded\nThe corner by the school"
    [incident] = await harness.services.storage.incidents.of_shift(crew.shift_id)
    assert incident.text == said
    await harness.run_due()
    # The photo, then the notice with every word typed or captioned, in order.
    to_sec = [c for c in harness.api.calls if str(c.params.get("chat_id")) == "903"]
    at = [c.method for c in to_sec].index("sendPhoto")
    photo, notice = to_sec[at : at + 2]
    assert photo.params["photo"] == incident.photo_file_id
    assert notice.method == "sendMessage" and "Elm Street" in notice.params["text"]
    assert notice.params["text"].endswith("Ann：\n" + said)


async def test_too_long_incident_text_is_refused_and_can_be_fixed(
    harness: Harness, crew: Crew
) -> None:
    harness.clock.set(local("2026-12-01 18:00"))
    await start_with(harness, crew, None)
    await press(harness, crew.ann, ReportIncident(crew.shift_id))
    [long] = await harness.send(crew.ann, crew.ann.message("x" * 1001))
    assert long.text == "The text has 1,001 characters; the limit is 1,000. Send a shorter one."
    await harness.send(crew.ann, crew.ann.message("y" * 600))
    # Parts add up: one that would take the whole past the limit is refused whole.
    [long] = await harness.send(crew.ann, crew.ann.photo(caption="z" * 400))
    assert long.text == "The text has 1,001 characters; the limit is 1,000. Send a shorter one."
    [added] = await harness.send(crew.ann, crew.ann.message("Short now"))
    assert added.text == "Added: text. Send more, or press “Send”."
    [sent] = await harness.send(crew.ann, crew.ann.press(added, "📨 Send"))
    assert sent.text == "📨 Incident sent to your secretary."
    [incident] = await harness.services.storage.incidents.of_shift(crew.shift_id)
    assert (incident.text, incident.photo_file_id) == ("y" * 600 + "\nShort now", None)


def test_distance_is_plausible() -> None:
    assert distance_m(*CENTRE, *CENTRE) == 0
    assert 1100 < distance_m(*CENTRE, *FAR) < 1125  # 0.01° of latitude ≈ 1.11 km


async def test_a_location_off_the_globe_is_not_taken(harness: Harness, crew: Crew) -> None:
    """Regression: a forged location (latitude 95, longitude 200) was stored as where
    duty started, and as where an incident happened."""
    harness.clock.set(local("2026-12-01 18:00"))
    await press(harness, crew.ann, StartDuty(crew.shift_id))
    [again] = await harness.send(crew.ann, crew.ann.location(95.0, 200.0))
    assert again.text == (
        "Please press “📍 Share my location” or “Start without location”, or send /cancel."
    )
    assert (await shift(harness, crew.shift_id)).status is ShiftStatus.ASSIGNED
    await harness.send(crew.ann, crew.ann.location(*CENTRE))
    [ask] = await press(harness, crew.ann, ReportIncident(crew.shift_id))
    [odd] = await harness.send(crew.ann, crew.ann.location(95.0, 200.0))
    assert odd.text == (
        "Only text, a photo or a location can be added. Send one of those, or /cancel."
    )
    [empty] = await harness.send(crew.ann, crew.ann.press(ask, "📨 Send"))
    assert empty.text == "Add some text, a photo or a location first."


async def set_language(harness: Harness, user: FakeUser, language: str) -> None:
    member = await harness.services.storage.members.by_telegram_id(user.id)
    assert member is not None
    await harness.services.storage.members.set_language(member.id, language, harness.clock.now())


async def test_duty_notices_are_worded_when_sent_in_the_readers_language(
    harness: Harness, crew: Crew
) -> None:
    """A start far from the grid and an incident are queued with their cause and worded at
    send time: the secretary who switched from Chinese to English meanwhile reads English."""
    harness.clock.set(local("2026-12-01 17:50"))
    await start_with(harness, crew, FAR)
    harness.clock.set(local("2026-12-01 19:15"))
    await press(harness, crew.ann, ReportIncident(crew.shift_id))
    await harness.send(crew.ann, crew.ann.message("Water main burst at no. 12"))
    [sent] = await harness.send(crew.ann, crew.ann.press(harness.api.last_message(901), "📨 Send"))
    assert sent.text == "📨 Incident sent to your secretary."
    kinds = await harness.services.storage.db.fetchall(
        "SELECT kind FROM outbox WHERE chat_id = 903 ORDER BY id"
    )
    assert [r["kind"] for r in kinds] == ["duty_started", "duty_incident"]
    await set_language(harness, crew.sec, "en")
    await harness.run_due()
    assert [t for t in texts(harness, 903) if "Ann" in t] == [
        "🟢 Ann started duty on Elm Street (Riverside Branch 1) at 17:50.\n"
        "📍 1,112 m from the grid's centre (radius 500 m).",
        "⚠️ Incident on Elm Street (Riverside Branch 1) at 19:15, reported by Ann:\n"
        "Water main burst at no. 12",
    ]


async def test_a_cancelled_shift_is_told_in_the_members_language_when_sent(
    harness: Harness, crew: Crew
) -> None:
    """The member hears of the cancellation in the language they have when it is sent."""
    unit = await harness.unit("RIV-1")
    await harness.send(crew.sec, crew.sec.command("roster"))
    await press(harness, crew.sec, RosterCancel(crew.shift_id, unit.id))
    assert (await shift(harness, crew.shift_id)).status is ShiftStatus.CANCELLED
    await set_language(harness, crew.ann, "zh")
    await harness.run_due()
    assert texts(harness, 901)[-1] == (
        "您在G-RIV-1 Elm Street的值守（12月1日 周二 18:00–22:00）已被书记取消。"
    )
    await set_language(harness, crew.ann, "en")
    bo_shift = await add_shift(harness, 902, "2026-12-02 08:00", "2026-12-02 12:00")
    await harness.send(crew.sec, crew.sec.command("roster"))
    await press(harness, crew.sec, RosterCancel(bo_shift, unit.id))
    await harness.run_due()
    assert texts(harness, 902)[-1] == (
        "Your duty shift at G-RIV-1 Elm Street on Wed 2 Dec, 08:00–12:00 was cancelled"
        " by your secretary."
    )
