"""The leaders' daily report beyond the evening line: the weekly summary says, per day, how
many units filed each form, and the workbook and /export carry a Reports sheet (a row per
unit and form of each working day, typed cells, units that did not report as "missing")."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.reports.config import ReportSettings
from fakeapi import FakeUser
from storage.models import Role
from tests.flows.conftest import Harness
from tests.flows.test_checkin import local
from tests.flows.test_reports import FORM, answer, at, people, settings
from tests.flows.test_workbook import book_of, rows

__all__ = ["people", "settings"]  # the fixtures, shared with test_reports

NUMBERS = {
    "id": "staff",
    "title": {"en": "Staff on duty", "zh": "在岗人数"},
    "levels": [1],
    "questions": [
        {
            "id": "staff",
            "kind": "number",
            "min": 0,
            "max": 999,
            "prompt": {"en": "Staff", "zh": "人数"},
        }
    ],
}


@pytest.fixture
async def coords(harness: Harness, people: dict[str, FakeUser]) -> dict[str, FakeUser]:
    """The city's coordinators, one reading English, one Chinese; Riverside filed its
    report at 07:20 on Tuesday 1 December, Hillside did not."""
    crew = {
        "cara": harness.person(821, "Cara"),
        "chen": harness.person(822, "Chen", language="zh"),
    }
    await harness.join(crew["cara"], "CITY", Role.COORDINATOR)
    await harness.join(crew["chen"], "CITY", Role.COORDINATOR)
    rita = people["rita"]
    await at(harness, "07:20")
    [step] = await harness.send(rita, rita.command("report"))
    step = await answer(harness, rita, step, "Patrol")
    await harness.send(rita, rita.press(step, "✅ Submit"))
    return crew


TUESDAY = datetime(2026, 12, 1)
HEAD = ["Day", "Unit", "Form", "Status", "Filed by", "Filed at"]
QUESTIONS = ["Today's arrangements", "Problems needing the level above"]


async def test_the_workbook_lists_who_reported_and_who_did_not(
    harness: Harness, coords: dict[str, FakeUser]
) -> None:
    harness.clock.set(local("2026-12-01 21:00"))
    book = await book_of(harness, coords["cara"], "summary")
    assert book.sheetnames[-2:] == ["Reports", "Definitions"]
    sheet = book["Reports"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:H3"
    table = rows(sheet)
    assert table[0] == [*HEAD, *QUESTIONS]
    found = {row[1]: row for row in table[1:]}
    # Filed at 07:20 on Shanghai's clock, a real datetime; the optional answer left empty.
    assert found["Riverside District"] == [
        TUESDAY, "Riverside District", "Leaders' daily report", "reported", "Rita",
        datetime(2026, 12, 1, 7, 20), "Patrol", None,
    ]  # fmt: skip
    assert found["Hillside District"] == [
        TUESDAY, "Hillside District", "Leaders' daily report", "missing", None, None, None, None,
    ]  # fmt: skip
    zh = rows((await book_of(harness, coords["chen"], "summary"))["日报告"])
    assert zh[0] == ["日期", "单位", "报告", "状态", "填报人", "填报时间", "今日工作安排",
                     "需上级协调解决的问题"]  # fmt: skip
    assert sorted(str(row[3]) for row in zh[1:]) == ["已报", "未报"]
    assert {row[2] for row in zh[1:]} == {"督查日报告"}


async def test_export_carries_the_reports_of_each_working_day(
    harness: Harness, coords: dict[str, FakeUser]
) -> None:
    harness.clock.set(local("2026-12-01 21:00"))
    book = await book_of(harness, coords["cara"], "export", "2026-11-28", "2026-12-01")
    table = rows(book["Reports"])
    # Saturday and Sunday are days off: nobody reports, no rows.
    assert sorted((str(row[0]), row[1], row[3]) for row in table[1:]) == [
        ("2026-11-30 00:00:00", "Hillside District", "missing"),
        ("2026-11-30 00:00:00", "Riverside District", "missing"),
        ("2026-12-01 00:00:00", "Hillside District", "missing"),
        ("2026-12-01 00:00:00", "Riverside District", "reported"),
    ]


async def test_the_weekly_summary_counts_the_reports_per_day(
    harness: Harness, coords: dict[str, FakeUser]
) -> None:
    harness.clock.set(local("2026-12-06 20:00"))  # Sunday
    await harness.run_due()

    def block(user: FakeUser) -> list[str]:
        [weekly] = [m.text or "" for m in harness.api.sent_to(user.id) if "📈" in (m.text or "")]
        lines = weekly.split("\n")
        first = next(
            i for i, line in enumerate(lines) if "reported, per day" in line or "每日已报" in line
        )
        return lines[first : first + 8]

    assert block(coords["cara"]) == [
        "Units that reported, per day",
        "• Mon 30 Nov: Leaders' daily report 0/2",
        "• Tue 1 Dec: Leaders' daily report 1/2",
        "• Wed 2 Dec: Leaders' daily report 0/2",
        "• Thu 3 Dec: Leaders' daily report 0/2",
        "• Fri 4 Dec: Leaders' daily report 0/2",
        "• Sat 5 Dec: —",
        "• Sun 6 Dec: —",
    ]
    assert block(coords["chen"])[:3] == [
        "每日已报单位",
        "• 11月30日 周一：督查日报告 0/2",
        "• 12月1日 周二：督查日报告 1/2",
    ]


async def test_each_form_has_its_own_typed_columns(
    harness: Harness,
    people: dict[str, FakeUser],
    coords: dict[str, FakeUser],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    both = ReportSettings.model_validate({"forms": [FORM, NUMBERS]})
    monkeypatch.setattr(harness.services.reports, "settings", both)
    storage = harness.services.storage
    hal = await storage.members.by_telegram_id(people["hal"].id)
    assert hal is not None
    hillside = await harness.unit("HIL")
    filed = local("2026-12-01 08:05")
    assert await storage.reports.store("staff", hillside.id, TUESDAY.date(), hal.id,
                                       {"staff": 12}, filed, replace=False)  # fmt: skip
    harness.clock.set(local("2026-12-01 21:00"))
    table = rows((await book_of(harness, coords["cara"], "summary"))["Reports"])
    assert table[0] == [
        *HEAD, *(f"Leaders' daily report: {q}" for q in QUESTIONS), "Staff on duty: Staff",
    ]  # fmt: skip
    found = {(row[1], row[2]): row for row in table[1:]}
    assert len(found) == 4  # two districts, two forms
    assert found["Hillside District", "Staff on duty"][3:] == [
        "reported", "Hal", datetime(2026, 12, 1, 8, 5), None, None, 12,
    ]  # fmt: skip
    assert isinstance(found["Hillside District", "Staff on duty"][-1], int | float)
    assert found["Riverside District", "Leaders' daily report"][6:] == ["Patrol", None, None]
    assert found["Riverside District", "Staff on duty"][3] == "missing"
