"""The summary's workbook and /export's, opened as a spreadsheet would: typed cells
(numbers, local datetimes), plain-word statuses, a frozen header and an autofilter on
every sheet, the answers and duty reports, and figures that agree with the text."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from bot.kit.i18n import translator
from bot.kit.questions import Kind, Question, Text
from bot.summaries.charts import day_figure
from fakeapi import FakeUser
from tests.flows.conftest import Harness
from tests.flows.test_checkin import local
from tests.flows.test_on_duty import add_shift
from tests.flows.test_summary import DAY, Org, org

__all__ = ["org"]  # the fixture, shared with test_summary

TEMP = Question(
    id="temp",
    kind=Kind.NUMBER,
    prompt=Text(en="Temperature", zh="体温"),
    min=35,
    max=42,
    unit="°C",
    required=False,
)


@pytest.fixture
async def fay(harness: Harness, org: Org, monkeypatch: pytest.MonkeyPatch) -> FakeUser:
    """A member with a @username whose check-in answers a number question too."""
    checkins = harness.services.checkins
    form = checkins.form.model_copy(update={"questions": [*checkins.form.questions, TEMP]})
    monkeypatch.setattr(checkins, "form", form)
    harness.clock.set(local(f"{DAY} 10:00"))
    person = harness.person(961, "Fay", username="fay_w")
    await harness.join(person, "RIV-1")
    member = await harness.services.storage.members.by_telegram_id(person.id)
    assert member is not None
    harness.clock.set(local(f"{DAY} 10:30"))
    await checkins.save(member, {"status": "post", "temp": 36.6})
    return person


async def book_of(harness: Harness, who: FakeUser, *args: str) -> openpyxl.Workbook:
    replies = await harness.send(who, who.command(*args))
    [document] = [m for m in replies if "document" in m.raw]
    data = harness.api.file_bytes(document.raw["document"]["file_id"])
    assert data is not None
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(sheet: Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def by_name(sheet: Worksheet, column: str) -> dict[object, object]:
    table = rows(sheet)
    name, wanted = table[0].index("Name"), table[0].index(column)
    return {row[name]: row[wanted] for row in table[1:]}


async def test_every_sheet_has_a_frozen_header_and_a_filter(
    harness: Harness, org: Org, fay: FakeUser
) -> None:
    harness.clock.set(local(f"{DAY} 21:00"))
    book = await book_of(harness, org.coord, "summary")
    assert book.sheetnames == [
        "Units", "Members", "Answers", "Shifts", "Duty reports", "Directives", "Definitions",
    ]  # fmt: skip
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        width = len(rows(sheet)[0])
        assert sheet.auto_filter.ref == f"A1:{chr(64 + width)}{sheet.max_row}", sheet.title
    export = await book_of(harness, org.coord, "export", DAY, DAY)
    assert export.sheetnames == [
        "Days", "Answers", "Shifts", "Duty reports", "Directives", "Definitions",
    ]  # fmt: skip
    assert all(sheet.freeze_panes == "A2" and sheet.auto_filter.ref for sheet in export)


async def test_answers_are_typed_and_times_local(harness: Harness, org: Org, fay: FakeUser) -> None:
    harness.clock.set(local(f"{DAY} 21:00"))
    for book in (
        await book_of(harness, org.coord, "summary"),
        await book_of(harness, org.coord, "export", DAY, DAY),
    ):
        answers = rows(book["Answers"])
        assert answers[0] == [
            "Day", "Name", "Username", "Unit", "Time", "Excused by check-in", "Flag",
            "By phone", "Where are you today?", "Temperature (°C)",
        ]  # fmt: skip
        found = {row[1]: row for row in answers[1:]}
        assert set(found) == {"Ann", "Bo", "Cy", "Sam", "Fay"}
        # A real date and a datetime on Shanghai's clock (10:30 there, 02:30 UTC).
        assert found["Fay"] == [
            datetime(2026, 12, 1), "Fay", "@fay_w", "Riverside Branch 1",
            datetime(2026, 12, 1, 10, 30), None, None, None, "At my post", 36.6,
        ]  # fmt: skip
        assert isinstance(found["Fay"][9], float)
        assert found["Bo"][5:9] == ["yes", None, None, "Sick"]  # the choice's label, not its id
        assert found["Cy"][6:9] == ["yes", None, "I need help"]
    zh = await book_of(harness, org.coord_zh, "summary")
    header = rows(zh["打卡答案"])[0]
    assert header[-2:] == ["您今天的状态？", "体温 (°C)"]
    assert {row[1]: row[8] for row in rows(zh["打卡答案"])[1:]}["Bo"] == "生病"


async def test_members_sheet_agrees_with_the_text(
    harness: Harness, org: Org, fay: FakeUser
) -> None:
    """ "Checked in" counts the excused too, in the text, the chart's numbers and every
    sheet: filtering the members' sheet on it gives the text's number."""
    harness.clock.set(local(f"{DAY} 21:00"))
    replies = await harness.send(org.coord, org.coord.command("summary"))
    text = next(m.text for m in replies if (m.text or "").startswith("📊"))
    assert text is not None
    assert "Members 9 · checked in 5 (62%) · excused by check-in 1" in text
    summary = await harness.services.summaries.compile(await harness.unit("RIV"), date(2026, 12, 1))
    assert (summary.total.checked_in, summary.total.excused) == (5, 1)
    # The chart's bar for the branch: 5 of the 6 expected (Di is on leave), excused included.
    chart = day_figure(summary, translator(), "en")
    bars = [text.get_text() for text in chart.axes[0].texts]
    assert "5/6 (83%)" in bars
    book = await book_of(harness, org.coord, "summary")
    status = by_name(book["Members"], "Status")
    assert list(status.values()).count("checked in") == 5
    assert by_name(book["Members"], "Excused by check-in")["Bo"] == "yes"
    assert by_name(book["Members"], "Username")["Fay"] == "@fay_w"
    assert isinstance(by_name(book["Members"], "Time")["Fay"], datetime)
    units = rows(book["Units"])
    checked = units[0].index("Checked in")
    assert sum(int(str(row[checked])) for row in units[1:]) == 5
    assert len(rows(book["Answers"])) - 1 == 5
    definitions = dict((row[0], row[1]) for row in rows(book["Definitions"])[1:])
    assert str(definitions["Checked in"]).startswith("Members who sent the day's check-in")
    zh = await book_of(harness, org.coord_zh, "summary")
    assert [row[0] for row in rows(zh["口径说明"])[1:]] == [
        "成员数", "已打卡", "打卡告假", "登记请假", "未打卡", "打卡率 %",
        "应有人数", "已加入", "可经 Telegram 联系", "仅可经备用渠道联系", "无法联系",
    ]  # fmt: skip


async def test_the_decline_reason_stays_with_who_declined(harness: Harness, org: Org) -> None:
    storage = harness.services.storage
    ann = await storage.members.by_telegram_id(org.members["Ann"].id)
    ed = await storage.members.by_telegram_id(org.members["Ed"].id)
    cy = await storage.members.by_telegram_id(org.members["Cy"].id)
    assert ann is not None and ed is not None and cy is not None
    declined = await add_shift(harness, org.members["Ann"].id, f"{DAY} 18:00", f"{DAY} 22:00")
    reported = await add_shift(harness, org.members["Cy"].id, f"{DAY} 12:00", f"{DAY} 14:00")
    harness.clock.set(local(f"{DAY} 10:00"))
    async with storage.db.transaction() as conn:
        assert await storage.shifts.decline(
            conn, declined, ann.id, "Child is sick", local(f"{DAY} 10:00")
        )
        assert await storage.shifts.cover(conn, declined, ed.id, ed.unit_id, local(f"{DAY} 10:05"))
        assert await storage.shifts.mark_started(
            conn, reported, cy.id, now=local(f"{DAY} 12:00"), lat=None, lon=None, distance_m=None
        )
        assert await storage.shifts.mark_completed(
            conn, reported, cy.id, now=local(f"{DAY} 14:00"), report={"visits": 83}
        )
    harness.clock.set(local(f"{DAY} 21:00"))
    for book in (
        await book_of(harness, org.coord, "summary"),
        await book_of(harness, org.coord, "export", DAY, DAY),
    ):
        shifts = rows(book["Shifts"])
        assert shifts[0][3:] == [
            "Name", "Username", "Start", "End", "Status", "Decline reason",
        ]  # fmt: skip
        people = [(row[3], row[7], row[8]) for row in shifts[1:]]
        assert people == [
            ("Cy", "completed", None),
            ("Ann", "declined", "Child is sick"),  # the reason on the decliner's row
            ("Ed", "confirmed", None),  # who covered: no reason of theirs
        ]
        assert shifts[2][5] == datetime(2026, 12, 1, 18, 0)
        reports = rows(book["Duty reports"])
        assert reports[0][-2:] == ["How many households did you visit?", "Anything to report?"]
        assert [row[3] for row in reports[1:]] == ["Cy"]
        assert reports[1][-2:] == [83.0, None]


async def test_an_answers_sheet_too_long_says_it_was_cut(
    harness: Harness, org: Org, fay: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.summaries.service.ANSWER_ROWS", 3)
    monkeypatch.setattr("bot.summaries.sheets.ANSWER_ROWS", 3)
    harness.clock.set(local(f"{DAY} 21:00"))
    book = await book_of(harness, org.coord, "export", DAY, DAY)
    answers = rows(book["Answers"])
    assert len(answers) == 1 + 3 + 1
    assert answers[-1][:2] == [
        None,
        "…and more check-ins than one sheet holds: export fewer days or a smaller unit"
        " to see them all.",
    ]
