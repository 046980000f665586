"""Secretaries building the roster in chat: /grids, /assign, a roster CSV sent as a file,
and /roster with each unit's coverage and cancelling a shift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from bot.duty.buttons import GridAdd, GridOff, GridUnit, UploadConfirm
from bot.org.authz import Actor
from fakeapi import FakeUser, SentMessage
from storage.models import Role, ShiftStatus
from tests.flows.conftest import Harness
from tests.flows.test_checkin import labels, local, newest

CONSOLE = Actor.console()
GRIDS = b"""code,name,unit,lat,lon,radius_m
G1,Market Street,RIV-1,31.2304,121.4737,300
G2,Hill Road,HIL-1,,,
G3,River Walk,RIV,,,
"""


@dataclass
class Crew:
    sec: FakeUser  # secretary of RIV
    ann: FakeUser  # members of RIV-1
    bo: FakeUser
    far: FakeUser  # member of HIL-1
    cora: FakeUser  # coordinator of CITY


@pytest.fixture
async def crew(harness: Harness) -> Crew:
    harness.clock.set(local("2026-12-01 09:00"))  # a Tuesday morning
    crew = Crew(
        sec=harness.person(801, "Sam", username="sam"),
        ann=harness.person(802, "Ann", username="ann"),
        bo=harness.person(803, "Bo", username="bo"),
        far=harness.person(804, "Far", username="far"),
        cora=harness.person(805, "Cora", username="cora"),
    )
    await harness.join(crew.sec, "RIV", Role.SECRETARY)
    await harness.join(crew.ann, "RIV-1")
    await harness.join(crew.bo, "RIV-1")
    await harness.join(crew.far, "HIL-1")
    await harness.join(crew.cora, "CITY", Role.COORDINATOR)
    await harness.services.roster.import_grids(CONSOLE, GRIDS, "grids.csv")
    return crew


async def shifts(harness: Harness) -> list[tuple[str, str, str, str, str]]:
    rows = await harness.services.storage.db.fetchall(
        "SELECT g.code, m.display_name AS name, s.starts_at, s.ends_at, s.status FROM shifts s"
        " JOIN grids g ON g.id = s.grid_id LEFT JOIN members m ON m.id = s.member_id"
        " ORDER BY s.id"
    )
    return [(r["code"], r["name"], r["starts_at"], r["ends_at"], r["status"]) for r in rows]


def at(text: str) -> str:
    """A local Shanghai time as the database stores it."""
    return local(text).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def toasts(replies: list[SentMessage] | object) -> list[str | None]:
    return [a.text for a in getattr(replies, "callback_answers", [])]


# /grids ----------------------------------------------------------------------------------


async def test_grids_list_add_and_deactivate(harness: Harness, crew: Crew) -> None:
    sec = crew.sec
    [step] = await harness.send(sec, sec.command("grids"))
    assert step.text == "Whose grids? Choose a unit (2)."
    assert labels(step) == ["Riverside District (3)", "Riverside Branch 1 (2)"]
    [listing] = await harness.send(sec, sec.press(step, "Riverside Branch 1 (2)"))
    assert listing.text == (
        "Grids of Riverside Branch 1 (1)\n• G1 Market Street · 📍 31.2304, 121.4737, 300 m"
    )
    assert labels(listing) == ["✖ G1 Market Street", "➕ Add a grid", "‹ Units"]
    [step] = await harness.send(sec, sec.press(listing, "➕ Add a grid"))
    assert step.text == (
        'New grid in Riverside Branch 1. Send its code: letters, digits, "-", "_" or "."'
        " (e.g. RIV-1-G3)."
    )
    [answer] = await harness.send(sec, sec.message("G 4"))
    assert answer.text == 'The code "G 4" must be 1–32 letters, digits, "-", "_" or ".".'
    [answer] = await harness.send(sec, sec.message("g1"))
    assert answer.text == "The code g1 is already used by another grid. Choose another code."
    [step] = await harness.send(sec, sec.message("G4"))
    assert step.text == "Code G4. Now send the grid's name (e.g. Market Street)."
    [step] = await harness.send(sec, sec.message("Quay"))
    assert labels(step) == ["Skip", "‹ Back", "Cancel"]
    [answer] = await harness.send(sec, sec.message("by the river"))
    assert answer.text == "Please send a location (📎 → Location), press Skip, or /cancel."
    [step] = await harness.send(sec, sec.location(31.2, 121.4))
    assert labels(step) == ["200 m", "500 m", "1,000 m", "‹ Back", "Cancel"]
    [answer] = await harness.send(sec, sec.message("far"))
    assert answer.text is not None and answer.text.startswith("That is not a number of metres")
    [listing] = await harness.send(sec, sec.message("750"))
    assert listing.text == (
        "✅ Grid G4 Quay added.\n\n"
        "Grids of Riverside Branch 1 (2)\n"
        "• G1 Market Street · 📍 31.2304, 121.4737, 300 m\n"
        "• G4 Quay · 📍 31.2000, 121.4000, 750 m"
    )
    g4 = await harness.services.storage.grids.by_code("G4")
    riv1 = await harness.unit("RIV-1")
    assert g4 is not None and (g4.unit_id, g4.lat, g4.lon, g4.radius_m) == (
        riv1.id, 31.2, 121.4, 750,
    )  # fmt: skip
    # Deactivating asks first, and says what becomes of the shifts ahead.
    [ask] = await harness.send(sec, sec.press(listing, "✖ G4 Quay"))
    assert ask.text == (
        "Deactivate grid G4 Quay? No new shifts can be put on it.\nIt has no shifts ahead."
    )
    [listing] = await harness.send(sec, sec.press(ask, "✖ Deactivate"))
    assert listing.text is not None and listing.text.startswith(
        "✅ Grid G4 Quay deactivated.\n\nGrids of Riverside Branch 1 (1)\n"
    )
    g4 = await harness.services.storage.grids.by_code("G4")
    assert g4 is not None and not g4.active
    replies = await harness.send(
        sec, sec.press_data(ask.message_id, GridOff(g4.id).pack())
    )  # again
    assert toasts(replies) == ["This button no longer applies. Nothing was changed."]


async def test_adding_a_grid_back_cancel_and_a_skipped_centre(harness: Harness, crew: Crew) -> None:
    sec = crew.sec
    [step] = await harness.send(sec, sec.command("grids"))
    [listing] = await harness.send(sec, sec.press(step, "Riverside District (3)"))
    [step] = await harness.send(sec, sec.press(listing, "➕ Add a grid"))
    [back] = await harness.send(sec, sec.press(step, "‹ Back"))
    assert back.text == "Grids of Riverside District (1)\n• G3 River Walk"
    [step] = await harness.send(sec, sec.press(back, "➕ Add a grid"))
    await harness.send(sec, sec.message("R2"))
    [answer] = await harness.send(sec, sec.command("cancel"))
    assert answer.text == "Cancelled. No grid was added."
    assert await harness.services.storage.grids.by_code("R2") is None
    [step] = await harness.send(sec, sec.command("grids"))
    [listing] = await harness.send(sec, sec.press(step, "Riverside District (3)"))
    [step] = await harness.send(sec, sec.press(listing, "➕ Add a grid"))
    await harness.send(sec, sec.message("R2"))
    [step] = await harness.send(sec, sec.message("Bridge"))
    [step2] = await harness.send(sec, sec.press(step, "‹ Back"))
    assert step2.text == "Code R2. Now send the grid's name (e.g. Market Street)."
    [step] = await harness.send(sec, sec.message("Old Bridge"))
    [listing] = await harness.send(sec, sec.press(step, "Skip"))
    assert listing.text == (
        "✅ Grid R2 Old Bridge added.\n\nGrids of Riverside District (2)\n"
        "• G3 River Walk\n• R2 Old Bridge"
    )


async def test_grids_only_for_secretaries_in_scope(harness: Harness, crew: Crew) -> None:
    for person in (crew.cora, crew.ann):
        [answer] = await harness.send(person, person.command("grids"))
        assert answer.text == "Only secretaries and coordinators can do that, for their own units."
    sec = crew.sec
    [step] = await harness.send(sec, sec.command("grids"))
    hil1 = await harness.unit("HIL-1")
    replies = await harness.send(sec, sec.press_data(step.message_id, GridUnit(hil1.id).pack()))
    assert toasts(replies) == ["You are not allowed to do that here."]
    g2 = await harness.services.storage.grids.by_code("G2")
    assert g2 is not None
    replies = await harness.send(sec, sec.press_data(step.message_id, GridOff(g2.id).pack()))
    assert toasts(replies) == ["This button no longer applies. Nothing was changed."]
    assert (await harness.services.storage.grids.by_code("G2")) == g2
    replies = await harness.send(sec, sec.press_data(step.message_id, GridAdd(hil1.id).pack()))
    assert toasts(replies) == ["You are not allowed to do that here."]


# /assign -----------------------------------------------------------------------------------


async def _to_time_step(harness: Harness, sec: FakeUser, who: str) -> SentMessage:
    [step] = await harness.send(sec, sec.command("assign"))
    [step] = await harness.send(sec, sec.press(step, "Riverside Branch 1 (2)"))
    [step] = await harness.send(sec, sec.press(step, "G1 Market Street"))
    [step] = await harness.send(sec, sec.press(step, who))
    [step] = await harness.send(sec, sec.press(step, "Today"))
    return step


async def test_assign_step_by_step_with_bad_input_and_back(harness: Harness, crew: Crew) -> None:
    sec = crew.sec
    [step] = await harness.send(sec, sec.command("assign"))
    assert step.text == "New shift — which unit? Choose (2), or type part of its name."
    [step] = await harness.send(sec, sec.press(step, "Riverside Branch 1 (2)"))
    assert step.text == "Which grid of Riverside Branch 1?"
    assert labels(step) == ["G1 Market Street", "‹ Back", "Cancel"]
    [step] = await harness.send(sec, sec.press(step, "G1 Market Street"))
    assert step.text == "Who is on duty at G1 Market Street? Choose (2), or type part of a name."
    assert labels(step) == ["Ann", "Bo", "‹ Back", "Cancel"]
    [answer] = await harness.send(sec, sec.message("Zed"))
    assert answer.text == 'No member matches "Zed". Type another name, or choose above.'
    [step] = await harness.send(sec, sec.message("@bo"))
    assert labels(step) == ["Bo", "‹ Back", "Cancel"]
    [step] = await harness.send(sec, sec.press(step, "Bo"))
    assert step.text == "Which day? Choose, or type a date like 2026-12-03."
    [answer] = await harness.send(sec, sec.message("soon"))
    assert answer.text == "That is not a date I understand. Type it like 2026-12-03, or /cancel."
    [answer] = await harness.send(sec, sec.message("2026-11-30"))
    assert answer.text == "That day has passed. Choose today or a later day."
    [step] = await harness.send(sec, sec.press(step, "Today"))
    assert step.text == (
        "Tue 1 Dec: send the start and end time like 18:00-22:00. An end before the start"
        " means the next morning."
    )
    [answer] = await harness.send(sec, sec.message("evening"))
    assert answer.text == "That is not a time span like 18:00-22:00. Send it again, or /cancel."
    [answer] = await harness.send(sec, sec.message("18:00-18:00"))
    assert answer.text == "The shift starts and ends at 18:00: it would last no time at all."
    [answer] = await harness.send(sec, sec.message("08:00-10:00"))
    assert answer.text == "The shift on Tue 1 Dec at 08:00 would start in the past."
    [date_step] = await harness.send(sec, sec.press(step, "‹ Back"))
    assert date_step.text == "Which day? Choose, or type a date like 2026-12-03."
    step = newest(await harness.send(sec, sec.message("12-02")))
    assert step.text is not None and step.text.startswith("Wed 2 Dec: send the start")
    [step] = await harness.send(sec, sec.message("22:00-06:00"))
    assert labels(step) == [
        "Only once", "+ 1 week", "+ 4 weeks", "+ 8 weeks", "+ 12 weeks", "‹ Back", "Cancel",
    ]  # fmt: skip
    [answer] = await harness.send(sec, sec.message("13"))
    assert answer.text == "Send a whole number of weeks from 0 to 12, or /cancel."
    [preview] = await harness.send(sec, sec.press(step, "+ 1 week"))
    assert preview.text == (
        "New shift\nGrid: G1 Market Street (Riverside Branch 1)\nMember: Bo\n"
        "When: Wed 2 Dec 22:00–06:00\nWeekly until Wed 9 Dec (2 shifts)"
    )
    [step] = await harness.send(sec, sec.press(preview, "‹ Back"))
    [preview] = await harness.send(sec, sec.press(step, "Only once"))
    assert preview.text is not None and "Weekly" not in preview.text
    [done] = await harness.send(sec, sec.press(preview, "✅ Save"))
    assert done.text == (
        "✅ Saved: Bo at G1 Market Street, Wed 2 Dec 22:00–06:00. They are asked to confirm"
        " 12 h before."
    )
    assert await shifts(harness) == [
        ("G1", "Bo", at("2026-12-02 22:00"), at("2026-12-03 06:00"), "assigned"),
    ]
    # The member hears of it when asked to confirm, not now.
    assert not any("Market Street" in (m.text or "") for m in harness.api.sent_to(803))


@pytest.mark.parametrize(
    ("language", "before", "said"),
    [
        ("en", timedelta(minutes=3), "They are asked to confirm 3 min before."),
        ("en", timedelta(minutes=90), "They are asked to confirm 1 h 30 min before."),
        ("en", timedelta(days=1), "They are asked to confirm 1 day before."),
        ("zh", timedelta(minutes=3), "系统会在开始前3分钟请其确认。"),
        ("zh", timedelta(minutes=90), "系统会在开始前1小时30分钟请其确认。"),
    ],
)
async def test_assign_says_how_long_before_in_exact_units(
    harness: Harness,
    crew: Crew,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    before: timedelta,
    said: str,
) -> None:
    """A lead time in minutes is not rounded down to "0 h"."""
    settings = harness.services.settings
    duty = settings.duty.model_copy(update={"confirm_before": before})
    monkeypatch.setattr(settings, "duty", duty)
    sec = crew.sec
    member = await harness.services.membership.member(sec.id)
    assert member is not None
    await harness.services.membership.set_language(member, language)

    def label(key: str) -> str:
        return harness.services.i18n.plain(language, key)

    [step] = await harness.send(sec, sec.command("assign"))
    unit = next(u for u in labels(step) if u.startswith("Riverside Branch 1"))
    [step] = await harness.send(sec, sec.press(step, unit))
    [step] = await harness.send(sec, sec.press(step, "G1 Market Street"))
    [step] = await harness.send(sec, sec.press(step, "Bo"))
    [step] = await harness.send(sec, sec.press(step, label("assign-today")))
    [step] = await harness.send(sec, sec.message("22:00-23:00"))
    [preview] = await harness.send(sec, sec.press(step, label("assign-repeat-none")))
    [done] = await harness.send(sec, sec.press(preview, label("assign-save")))
    assert done.text is not None and done.text.endswith(said), done.text


async def test_assign_refuses_overlaps_and_cancels(harness: Harness, crew: Crew) -> None:
    sec = crew.sec
    await harness.services.roster.import_file(
        CONSOLE, b"grid,member,date,start,end\nG3,@ann,2026-12-01,17:00,19:00\n", "r.csv"
    )
    step = await _to_time_step(harness, sec, "Ann")
    [answer] = await harness.send(sec, sec.message("18:00-22:00"))
    assert answer.text == "Ann already has a shift on Tue 1 Dec, 17:00–19:00."
    [answer] = await harness.send(sec, sec.command("cancel"))
    assert answer.text == "Cancelled. No shift was saved."
    [answer] = await harness.send(sec, sec.message("19:00-22:00"))
    assert answer.text == "I didn't expect a message here. Send /help to see what you can do."
    assert len(await shifts(harness)) == 1
    # Cancel from a button edits the flow's message.
    step = await _to_time_step(harness, sec, "Bo")
    [gone] = await harness.send(sec, sec.press(step, "Cancel"))
    assert gone.text == "Cancelled. No shift was saved." and gone.message_id == step.message_id


async def test_assign_rechecks_scope_at_save(harness: Harness, crew: Crew) -> None:
    sec = crew.sec
    await _to_time_step(harness, sec, "Ann")
    [step] = await harness.send(sec, sec.message("18:00-22:00"))
    [preview] = await harness.send(sec, sec.press(step, "Only once"))
    sam = await harness.services.membership.member(801)
    assert sam is not None
    await harness.services.membership.revoke(CONSOLE, sam, "RIV", Role.SECRETARY)
    [answer] = await harness.send(sec, sec.press(preview, "✅ Save"))
    assert answer.text == "Only secretaries and coordinators can do that, for their own units."
    assert await shifts(harness) == []
    [answer] = await harness.send(crew.ann, crew.ann.command("assign"))
    assert answer.text == "Only secretaries and coordinators can do that, for their own units."


# A roster file sent to the bot -------------------------------------------------------------


async def test_upload_all_good(harness: Harness, crew: Crew) -> None:
    sec = crew.sec
    data = "\ufeffGrid,Member,Date,Start,End,Repeat_weeks\n".encode() + (
        b"G1,@ann,2026-12-02,18:00,22:00,1\nG3,@bo,2026-12-02,08:00,12:00,\n"
    )
    [answer] = await harness.send(sec, sec.document("roster.csv", data, mime_type="text/csv"))
    assert answer.text == (
        "✅ 3 shifts imported from roster.csv (2 rows). Members are asked to confirm before each"
        " shift."
    )
    assert await shifts(harness) == [
        ("G1", "Ann", at("2026-12-02 18:00"), at("2026-12-02 22:00"), "assigned"),
        ("G1", "Ann", at("2026-12-09 18:00"), at("2026-12-09 22:00"), "assigned"),
        ("G3", "Bo", at("2026-12-02 08:00"), at("2026-12-02 12:00"), "assigned"),
    ]
    entry = (await harness.services.storage.audit.recent(1))[0]
    assert (entry.action, entry.actor_telegram_id) == ("import_shifts", 801)


async def test_upload_with_bad_rows_offers_the_good_ones(harness: Harness, crew: Crew) -> None:
    sec = crew.sec
    data = (
        b"grid,member,date,start,end,repeat_weeks\n"
        b"G1,@ann,2026-12-02,18:00,22:00,1\n"
        b"G9,@ann,2026-12-03,18:00,22:00\n"
        b"G2,@far,2026-12-02,18:00,22:00\n"
    )
    [offer] = await harness.send(sec, sec.document("roster.csv", data))
    assert offer.text == (
        "⚠️ roster.csv: 2 of 3 rows have problems. Nothing is imported yet.\n"
        'Line 3: There is no grid with the code "G9".\n'
        "Line 4: Grid G2 is outside your units."
    )
    assert labels(offer) == ["Import the good row (2 shifts)", "Cancel"]
    assert await shifts(harness) == []
    [done] = await harness.send(sec, sec.press(offer, "Import the good row (2 shifts)"))
    assert done.text == "✅ 2 shifts imported from 1 row; 2 skipped."
    assert [s[:2] for s in await shifts(harness)] == [("G1", "Ann"), ("G1", "Ann")]
    replies = await harness.send(sec, sec.press_data(offer.message_id, UploadConfirm().pack()))
    assert toasts(replies) == ["This button no longer applies. Nothing was changed."]
    assert len(await shifts(harness)) == 2


ONE_GOOD_ROW = (
    b"grid,member,date,start,end\nG1,@ann,2026-12-02,18:00,22:00\nG9,@ann,2026-12-03,18:00,22:00\n"
)


async def test_an_upload_kept_as_a_dict_by_the_old_code_is_still_imported(
    harness: Harness, crew: Crew
) -> None:
    sec = crew.sec
    [offer] = await harness.send(sec, sec.document("roster.csv", ONE_GOOD_ROW))
    file_id = harness.app.user_data[sec.id]["roster_upload"].file
    old = {"file": file_id, "name": "roster.csv", "good": 1}  # as the old code kept it
    harness.app.user_data[sec.id]["roster_upload"] = old
    [done] = await harness.send(sec, sec.press(offer, "Import the good row (1 shift)"))
    assert done.text == "✅ 1 shift imported from 1 row; 1 skipped."


async def test_an_upload_kept_by_an_older_version_in_another_shape_is_not_imported(
    harness: Harness, crew: Crew
) -> None:
    """The file in hand is read back from the database as a dict; one that no longer fits
    is dropped: its Import button answers that it no longer applies."""
    sec = crew.sec
    [offer] = await harness.send(sec, sec.document("roster.csv", ONE_GOOD_ROW))
    harness.app.user_data[sec.id]["roster_upload"] = {"file_id": "x", "rows_ok": 1}
    replies = await harness.send(sec, sec.press(offer, "Import the good row (1 shift)"))
    assert toasts(replies) == ["This button no longer applies. Nothing was changed."]
    assert await shifts(harness) == []


async def test_upload_rechecked_at_confirm_and_cancelled(harness: Harness, crew: Crew) -> None:
    sec = crew.sec
    data = (
        b"grid,member,date,start,end\n"
        b"G1,@ann,2026-12-02,18:00,22:00\n"
        b"G1,@bo,2026-12-02,18:00,22:00\n"
        b"G1,@nobody,2026-12-02,18:00,22:00\n"
    )
    [offer] = await harness.send(sec, sec.document("week.csv", data))
    assert labels(offer) == ["Import the 2 good rows (2 shifts)", "Cancel"]
    # Meanwhile Bo gets a shift at that time.
    await harness.services.roster.import_file(
        CONSOLE, b"grid,member,date,start,end\nG3,@bo,2026-12-02,20:00,23:00\n", "x.csv"
    )
    [again] = await harness.send(sec, sec.press(offer, "Import the 2 good rows (2 shifts)"))
    assert again.message_id == offer.message_id
    assert again.text == (
        "The roster changed since the file was checked. Here is how it stands now:\n"
        "⚠️ week.csv: 2 of 3 rows have problems. Nothing is imported yet.\n"
        "Line 3: Bo already has a shift on Wed 2 Dec, 20:00–23:00.\n"
        'Line 4: There is no member "@nobody". Name them by @username or Telegram id.'
    )
    [gone] = await harness.send(sec, sec.press(again, "Cancel"))
    assert gone.text == "Cancelled. Nothing was imported."
    assert len(await shifts(harness)) == 1


async def test_files_that_are_not_a_roster(harness: Harness, crew: Crew) -> None:
    sec = crew.sec
    [answer] = await harness.send(sec, sec.document("roster.xlsx", b"PK\x03\x04"))
    assert answer.text == (
        "Please send the roster as a .csv file with the columns grid,member,date,start,end"
        " (and optionally repeat_weeks)."
    )
    [answer] = await harness.send(sec, sec.document("roster.csv", b"\x89PNG\r\n\x1a\n\x00"))
    assert answer.text == (
        "⚠️ roster.csv cannot be imported. Nothing was changed.\n"
        'The file is not text in UTF-8 or GB18030. In Excel choose "Save as" → "CSV UTF-8"'
        " and try again."
    )
    [answer] = await harness.send(sec, sec.document("roster.csv", b"name,day\nAnn,today\n"))
    assert answer.text is not None and answer.text.endswith(
        "Line 1: The first line must name the columns grid,member,date,start,end"
        " (optionally also repeat_weeks)."
    )
    big = sec.document("roster.csv", b"x")
    big["message"]["document"]["file_size"] = 2_000_000
    [answer] = await harness.send(sec, big)
    assert answer.text == "The file is larger than 1 MB. Split it and send the parts."
    # GB18030, as Chinese Excel saves it.
    chinese = "grid,member,date,start,end\nG1,@ann,2026-12-02,18：00,22：00\n".encode("gb18030")
    [answer] = await harness.send(sec, sec.document("排班.csv", chinese))
    assert answer.text is not None and answer.text.startswith("✅ 1 shift imported from 排班.csv")
    # Members cannot import; for them a file is just unexpected.
    ann = crew.ann
    [answer] = await harness.send(ann, ann.document("roster.csv", b"grid,member,date,start,end\n"))
    assert answer.text == "I didn't expect a message here. Send /help to see what you can do."
    assert len(await shifts(harness)) == 1


# /roster -----------------------------------------------------------------------------------


async def _roster_day(harness: Harness) -> None:
    """Shifts on Wed 2 Dec in every state, and one on Thursday."""
    data = (
        b"grid,member,date,start,end\n"
        b"G1,@ann,2026-12-02,08:00,12:00\n"  # 1: confirmed
        b"G1,@bo,2026-12-02,18:00,22:00\n"  # 2: assigned
        b"G3,@bo,2026-12-02,08:00,12:00\n"  # 3: started
        b"G2,@far,2026-12-02,08:00,12:00\n"  # 4: no-show
        b"G1,@ann,2026-12-03,08:00,12:00\n"  # 5: Thursday
    )
    assert (await harness.services.roster.import_file(CONSOLE, data, "r.csv")).written == 5
    for shift_id, status in ((1, ShiftStatus.CONFIRMED), (3, ShiftStatus.STARTED)):
        await harness.services.storage.db.write(
            "UPDATE shifts SET status = ? WHERE id = ?", (status.value, shift_id)
        )
    await harness.services.storage.db.write("UPDATE shifts SET status = 'no_show' WHERE id = 4")


async def test_roster_shows_a_day_with_coverage_and_cancels(harness: Harness, crew: Crew) -> None:
    await _roster_day(harness)
    harness.clock.set(local("2026-12-02 07:00"))
    sec = crew.sec
    [step] = await harness.send(sec, sec.command("roster"))
    assert step.text == "Roster — which unit? (2)"
    [day] = await harness.send(sec, sec.press(step, "Riverside District (3)"))
    assert day.text == (
        "Roster — Riverside District, Wed 2 Dec\n"
        "Riverside District: 1 grid, 0 without a shift · 1 on duty\n"
        "Riverside Branch 1: 1 grid, 0 without a shift · 1 to confirm · 1 confirmed\n"
        "\n"
        "G3 River Walk\n"
        "  08:00–12:00 Bo · on duty\n"
        "G1 Market Street (Riverside Branch 1)\n"
        "  08:00–12:00 Ann · confirmed\n"
        "  18:00–22:00 Bo · to confirm"
    )
    coverage = await harness.services.roster.coverage(await harness.unit("RIV"), date(2026, 12, 2))
    riv1 = next(c for c in coverage if c.unit.code == "RIV-1")
    assert (riv1.grids, riv1.uncovered, riv1.assigned, riv1.confirmed) == (1, 0, 1, 1)
    assert labels(day) == ["‹ Tue 1 Dec", "Thu 3 Dec ›", "✖ Cancel a shift", "‹ Units"]
    [later] = await harness.send(sec, sec.press(day, "Thu 3 Dec ›"))
    assert later.text == (
        "Roster — Riverside District, Thu 3 Dec\n"
        "Riverside District: 1 grid, 1 without a shift · no shifts\n"
        "Riverside Branch 1: 1 grid, 0 without a shift · 1 to confirm\n"
        "\n"
        "G3 River Walk — ⚠️ no shift\n"
        "G1 Market Street (Riverside Branch 1)\n"
        "  08:00–12:00 Ann · to confirm"
    )
    [day] = await harness.send(sec, sec.press(later, "‹ Wed 2 Dec"))
    [choose] = await harness.send(sec, sec.press(day, "✖ Cancel a shift"))
    assert choose.text == "Which shift of Wed 2 Dec do you want to cancel?"
    assert labels(choose) == ["08:00–12:00 G1 Ann", "18:00–22:00 G1 Bo", "‹ Back"]
    [ask] = await harness.send(sec, sec.press(choose, "18:00–22:00 G1 Bo"))
    assert ask.text == (
        "Cancel this shift?\nG1 Market Street, Wed 2 Dec 18:00–22:00, Bo\nBo will be told."
    )
    replies = await harness.send(sec, sec.press(ask, "✖ Cancel the shift"))
    assert toasts(replies) == ["Shift cancelled."]
    [day] = list(replies)
    assert day.text is not None and "  18:00–22:00 Bo · cancelled" in day.text
    assert "Riverside Branch 1: 1 grid, 0 without a shift · 1 confirmed" in day.text
    await harness.run_due()
    assert harness.api.last_message(803).text == (
        "Your duty shift at G1 Market Street on Wed 2 Dec, 18:00–22:00 was cancelled by your"
        " secretary."
    )
    again = dict(ask.buttons)["✖ Cancel the shift"]
    assert again is not None
    replies = await harness.send(sec, sec.press_data(ask.message_id, again))
    assert toasts(replies) == ["This button no longer applies. Nothing was changed."]
    statuses = [s[4] for s in await shifts(harness)]
    assert statuses == ["confirmed", "cancelled", "started", "no_show", "assigned"]
    # A shift of Far's (HIL-1) is outside Sam's units, whatever the button says.
    far = b"grid,member,date,start,end\nG2,@far,2026-12-03,08:00,12:00\n"
    await harness.services.roster.import_file(CONSOLE, far, "far.csv")
    riv = await harness.unit("RIV")
    for forged in (f"rs:c:6:{riv.id}", f"rs:k:6:{riv.id}"):
        replies = await harness.send(sec, sec.press_data(ask.message_id, forged))
        assert toasts(replies) == ["You are not allowed to do that here."]
        assert list(replies) == []
    assert (await shifts(harness))[5][:2] == ("G2", "Far")
    assert (await shifts(harness))[5][4] == "assigned"


async def test_an_open_shift_whose_start_passed_is_uncovered_not_cover_needed(
    harness: Harness, crew: Crew
) -> None:
    """Regression: /roster still said "need cover" for an open shift that had started."""
    data = (
        b"grid,member,date,start,end\n"
        b"G1,@ann,2026-12-02,08:00,12:00\n"  # opened, and nobody took it by 08:00
        b"G1,@bo,2026-12-02,18:00,22:00\n"  # opened, still ahead
    )
    assert (await harness.services.roster.import_file(CONSOLE, data, "r.csv")).written == 2
    await harness.services.storage.db.write(
        "UPDATE shifts SET status = 'open', declined_member_id = member_id, member_id = NULL"
    )
    harness.clock.set(local("2026-12-02 10:00"))
    sec = crew.sec
    [step] = await harness.send(sec, sec.command("roster"))
    [day] = await harness.send(sec, sec.press(step, "Riverside District (3)"))
    assert day.text is not None
    assert "Riverside Branch 1: 1 grid, 1 without a shift · 1 need cover · 1 uncovered" in day.text
    assert day.text.endswith(
        "G1 Market Street (Riverside Branch 1)\n"
        "  08:00–12:00 — · ❌ uncovered\n"
        "  18:00–22:00 — · ⚠️ cover needed"
    )
    coverage = await harness.services.roster.coverage(await harness.unit("RIV"), date(2026, 12, 2))
    riv1 = next(c for c in coverage if c.unit.code == "RIV-1")
    assert (riv1.open, riv1.unfilled, riv1.shifts) == (1, 1, 2)
    # In Chinese too.
    cora = await harness.services.membership.member(crew.cora.id)
    assert cora is not None
    await harness.services.membership.set_language(cora, "zh")
    [step] = await harness.send(crew.cora, crew.cora.command("roster"))
    [day] = await harness.send(crew.cora, crew.cora.press(step, "City Committee (5)"))
    assert day.text is not None
    assert "  08:00–12:00 — · ❌ 无人值守\n  18:00–22:00 — · ⚠️ 待顶班" in day.text
    assert "待顶班1 · 无人值守1" in day.text


async def test_coordinators_see_their_subtree_without_cancelling(
    harness: Harness, crew: Crew
) -> None:
    await _roster_day(harness)
    cora = crew.cora
    cora_lang = await harness.services.membership.member(805)
    assert cora_lang is not None
    await harness.services.membership.set_language(cora_lang, "zh")
    [step] = await harness.send(cora, cora.command("roster"))
    [day] = await harness.send(cora, cora.press(step, "City Committee (5)"))
    [later] = await harness.send(cora, cora.press(day, labels(day)[1]))
    assert later.text == (
        "排班——City Committee，12月2日 周三\n"
        "Hillside Branch 1：网格1个，1个无人值守 · 未到岗1\n"
        "Riverside District：网格1个，0个无人值守 · 值守中1\n"
        "Riverside Branch 1：网格1个，0个无人值守 · 待确认1 · 已确认1\n"
        "\n"
        "G2 Hill Road（Hillside Branch 1）\n"
        "  08:00–12:00 Far · ❌ 未到岗\n"
        "G3 River Walk（Riverside District）\n"
        "  08:00–12:00 Bo · 值守中\n"
        "G1 Market Street（Riverside Branch 1）\n"
        "  08:00–12:00 Ann · 已确认\n"
        "  18:00–22:00 Bo · 待确认"
    )
    assert "✖ 取消班次" not in labels(later)
    replies = await harness.send(cora, cora.press_data(later.message_id, "rs:k:2:1"))
    assert toasts(replies) == ["您无权在此执行该操作。"]
    assert (await shifts(harness))[1][4] == "assigned"
    ann = crew.ann
    [answer] = await harness.send(ann, ann.command("roster"))
    assert answer.text == "Only secretaries and coordinators can do that, for their own units."


async def test_a_long_day_folds_into_one_message(harness: Harness, crew: Crew) -> None:
    many = "code,name,unit\n" + "".join(
        f"L{n:03},A rather long street name number {n},RIV-1\n" for n in range(150)
    )
    await harness.services.roster.import_grids(CONSOLE, many.encode(), "many.csv")
    sec = crew.sec
    [step] = await harness.send(sec, sec.command("roster"))
    [day] = await harness.send(sec, sec.press(step, "Riverside Branch 1 (2)"))
    assert day.text is not None and len(day.text) <= 4096
    assert day.text.splitlines()[1] == (
        "Riverside Branch 1: 151 grids, 151 without a shift · no shifts"
    )
    assert day.text.splitlines()[-1].startswith("…and ") and day.text.endswith(" more.")


async def test_many_bad_rows_show_the_first_twenty(harness: Harness, crew: Crew) -> None:
    rows = "".join(f"X{n},@ann,2026-12-02,18:00,22:00\n" for n in range(25))
    data = ("grid,member,date,start,end\n" + rows).encode()
    [offer] = await harness.send(crew.sec, crew.sec.document("roster.csv", data))
    assert offer.text is not None
    lines = offer.text.splitlines()
    assert lines[0] == "⚠️ roster.csv: 25 of 25 rows have problems. Nothing is imported yet."
    assert lines[1] == 'Line 2: There is no grid with the code "X0".'
    assert len(lines) == 1 + 20 + 2 and lines[-2] == "…and 5 more."
    assert lines[-1] == "No row can be imported. Correct the file and send it again."
    assert labels(offer) == []


async def test_days_and_places_that_cannot_be(harness: Harness, crew: Crew) -> None:
    """Regression: a typed day in year 9999, a forged roster day in year 1 and a file's
    9999 date overflowed; a grid centre off the globe was stored."""
    sec = crew.sec
    [step] = await harness.send(sec, sec.command("assign"))
    [step] = await harness.send(sec, sec.press(step, "Riverside Branch 1 (2)"))
    [step] = await harness.send(sec, sec.press(step, "G1 Market Street"))
    [step] = await harness.send(sec, sec.press(step, "Ann"))
    [answer] = await harness.send(sec, sec.message("9999-12-31"))
    assert answer.text == "That is not a date I understand. Type it like 2026-12-03, or /cancel."
    await harness.send(sec, sec.command("cancel"))
    riv1 = await harness.unit("RIV-1")
    replies = await harness.send(sec, sec.press_data(step.message_id, f"rs:d:{riv1.id}:00010101"))
    assert toasts(replies) == ["This button no longer applies. Nothing was changed."]
    data = b"grid,member,date,start,end\nG1,@ann,9999-12-31,22:00,06:00\n"
    [answer] = await harness.send(sec, sec.document("roster.csv", data, mime_type="text/csv"))
    assert answer.text is not None and '"9999-12-31" is not a date like 2026-12-01.' in answer.text
    assert await shifts(harness) == []
    [step] = await harness.send(sec, sec.command("grids"))
    [listing] = await harness.send(sec, sec.press(step, "Riverside Branch 1 (2)"))
    [step] = await harness.send(sec, sec.press(listing, "➕ Add a grid"))
    await harness.send(sec, sec.message("G9"))
    await harness.send(sec, sec.message("Nowhere Lane"))
    [answer] = await harness.send(sec, sec.location(95.0, 200.0))
    assert answer.text == "Please send a location (📎 → Location), press Skip, or /cancel."
