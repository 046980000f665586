"""The dashboard's Duty and Trends views (issue #19) against the real web server: the Duty
map has /roster's numbers and the summary's duty line, each grid coloured by its shifts,
the day's incidents pinned; Trends has the summaries' numbers of each day; both refuse as
the Today view does (a bare 401, a 403 out of scope) and say so when there is nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bench.report_figures import QUESTIONS as FIGURED
from bot.config import Settings
from bot.kit.i18n import LANGUAGES, Translator
from fakeapi import FakeUser
from handlers.dashboard.duty import DUTY_LABELS, STATE_KEYS
from handlers.dashboard.trends import REPORT_KEYS, THRESHOLD_KEYS, TRENDS_LABELS
from handlers.dashboard.web import API_DUTY, API_TRENDS, INIT_DATA_HEADER, PAGE_PATH, TABS
from storage.models import ShiftStatus
from storage.shifts import NewShift
from tests.flows.conftest import Harness
from tests.flows.test_checkin import local
from tests.flows.test_dashboard import dashboard_settings, launch, served
from tests.flows.test_summary import DAY, Org, make_org

__all__ = ["served"]  # the fixture, shared with test_dashboard

# The summary's reported questions (issue #17) as bench.report_figures has them: the
# check-in's status counted per choice, a temperature flagged at 37.3 and reported as its
# highest, households visited summed; with labels, for the charts' names.
LABELS = {
    "temp": {"en": "Temperature", "zh": "体温"},
    "visits": {"en": "Households visited", "zh": "走访户数"},
}
QUESTIONS: list[dict[str, Any]] = [
    {**q, "label": LABELS[q["id"]]} if q["id"] in LABELS else q
    for q in cast(list[dict[str, Any]], FIGURED)
]


def views_settings(tmp_path: Path) -> Settings:
    """The dashboard served, with reported questions on the check-in."""
    return dashboard_settings(tmp_path, checkin={"questions": QUESTIONS})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return views_settings(tmp_path)


@pytest.fixture
async def org(harness: Harness) -> Org:
    return await make_org(harness)


async def ask(
    served: tuple[aiohttp.ClientSession, str],
    path: str,
    init_data: str | None,
    unit: int | str | None = None,
) -> tuple[int, Any]:
    http, base = served
    headers = {INIT_DATA_HEADER: init_data} if init_data is not None else {}
    params = {"unit": str(unit)} if unit is not None else {}
    async with http.get(base + path, headers=headers, params=params) as response:
        body = await response.read()
        assert response.headers["Cache-Control"].startswith("no-store")
        return response.status, json.loads(body) if body else None


# Duty ------------------------------------------------------------------------------------


@dataclass
class Duty:
    grids: dict[str, int]  # by code
    shifts: dict[str, int]  # by member's name


async def grid(
    harness: Harness, unit: str, code: str, name: str, at: tuple[float, float] | None, radius: int
) -> int:
    storage = harness.services.storage
    async with storage.db.transaction() as conn:
        return await storage.grids.add(
            conn,
            unit_id=(await harness.unit(unit)).id,
            code=code,
            name=name,
            lat=at[0] if at else None,
            lon=at[1] if at else None,
            radius_m=radius if at else None,
            now=harness.clock.now(),
        )


async def shift(
    harness: Harness, who: FakeUser, grid_id: int, start: str, status: ShiftStatus
) -> int:
    """A three-hour shift of ``DAY`` from local ``start``, in ``status`` already (an open
    one has nobody on it)."""
    storage = harness.services.storage
    member = await storage.members.by_telegram_id(who.id)
    assert member is not None
    found = await storage.grids.get(grid_id)
    assert found is not None
    starts = datetime.fromisoformat(f"{DAY} {start}").replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    new = NewShift(
        found.id,
        found.unit_id,
        member.id,
        starts.astimezone(UTC),
        (starts + timedelta(hours=3)).astimezone(UTC),
        DAY,
    )
    async with storage.db.transaction() as conn:
        [shift_id] = await storage.shifts.add_many(
            conn, [new], created_by=None, now=harness.clock.now()
        )
        await conn.execute(
            "UPDATE shifts SET status = ?, member_id = CASE WHEN ? THEN NULL ELSE member_id END"
            " WHERE id = ?",
            (status.value, status is ShiftStatus.OPEN, shift_id),
        )
    return shift_id


@pytest.fixture
async def duty(harness: Harness, org: Org) -> Duty:
    """Riverside Branch 1's five grids on DAY at 09:00: Ann confirmed for tonight on E1,
    Bo still to confirm on E2, Cy on duty on E3 (since 08:00, an incident reported), Ed
    did not show up on E4 (06:00), nobody on E5; Riverside District's own grid R1 has no
    centre and an open shift."""
    people = org.members
    grids = {
        "E1": await grid(harness, "RIV-1", "E1", "Elm Street", (31.2300, 121.4700), 300),
        "E2": await grid(harness, "RIV-1", "E2", "East Market", (31.2320, 121.4750), 250),
        "E3": await grid(harness, "RIV-1", "E3", "Embankment", (31.2280, 121.4800), 400),
        "E4": await grid(harness, "RIV-1", "E4", "Eastgate", (31.2350, 121.4680), 200),
        "E5": await grid(harness, "RIV-1", "E5", "Elder Lane", (31.2260, 121.4650), 200),
        "R1": await grid(harness, "RIV", "R1", "Ring Road", None, 0),
    }
    shifts = {
        "Ann": await shift(harness, people["Ann"], grids["E1"], "18:00", ShiftStatus.CONFIRMED),
        "Bo": await shift(harness, people["Bo"], grids["E2"], "20:00", ShiftStatus.ASSIGNED),
        "Cy": await shift(harness, people["Cy"], grids["E3"], "08:00", ShiftStatus.STARTED),
        "Ed": await shift(harness, people["Ed"], grids["E4"], "06:00", ShiftStatus.NO_SHOW),
        "open": await shift(harness, people["Di"], grids["R1"], "19:00", ShiftStatus.OPEN),
    }
    storage = harness.services.storage
    cy = await storage.members.by_telegram_id(people["Cy"].id)
    assert cy is not None
    async with storage.db.transaction() as conn:
        await storage.incidents.add(
            conn,
            shift_id=shifts["Cy"],
            member_id=cy.id,
            unit_id=(await harness.unit("RIV-1")).id,
            day=DAY,
            now=harness.clock.now(),
            text="Water over the path",
            photo_file_id=None,
            lat=31.2285,
            lon=121.4805,
        )
    return Duty(grids, shifts)


async def test_the_duty_map_has_the_roster_s_numbers_and_colours_each_grid(
    harness: Harness, org: Org, duty: Duty, served: tuple[aiohttp.ClientSession, str]
) -> None:
    services = harness.services
    status, view = await ask(served, API_DUTY, launch(harness, org.coord))
    assert status == 200
    riv = await harness.unit("RIV")
    assert view["unit"] == {"id": riv.id, "name": "Riverside District"}
    assert view["heading"] == "Duty, Tue 1 Dec" and view["tabs"]["duty"] == "Duty"
    states = {g["code"]: g["state"] for g in view["grids"]}
    assert states == {
        "E1": "confirmed",
        "E2": "covered",
        "E3": "started",
        "E4": "no_show",
        "E5": "uncovered",
        "R1": "uncovered",
    }
    assert {x["state"]: x["count"] for x in view["legend"]} == {
        "uncovered": 2, "no_show": 1, "covered": 1, "confirmed": 1, "started": 1,
    }  # fmt: skip
    # /roster's day, and the summary's duty line, count the same.
    actor = await services.authz.actor(org.coord.id)
    roster = await services.roster.day_roster(actor, riv, date.fromisoformat(DAY))
    grids = sum(c.grids for c in roster.coverage)
    uncovered = sum(c.uncovered for c in roster.coverage)
    summary = await services.summaries.compile(riv, date.fromisoformat(DAY))
    total = view["total"]
    assert (total["grids"], total["uncovered"]) == (grids, uncovered) == (6, 3)
    assert (summary.duty.grids, summary.duty.uncovered) == (6, 3)
    assert (total["confirmed"], total["assigned"], total["started"], total["no_show"]) == (
        summary.duty.confirmed,
        summary.duty.assigned,
        summary.duty.started,
        summary.duty.no_show,
    ) == (1, 1, 1, 1)  # fmt: skip
    # The map's uncovered and no-show grids are the roster's uncovered ones.
    legend = {x["state"]: x["count"] for x in view["legend"]}
    assert legend["uncovered"] + legend["no_show"] == uncovered
    # Placed grids are drawn to scale, in the box; R1 has no centre.
    by_code = {g["code"]: g for g in view["grids"]}
    assert by_code["R1"]["x"] is None
    left, top, width, height = view["box"]
    for code in ("E1", "E2", "E3", "E4", "E5"):
        drawn = by_code[code]
        assert left < drawn["x"] - drawn["r"] and drawn["x"] + drawn["r"] < left + width
        assert top < drawn["y"] - drawn["r"] and drawn["y"] + drawn["r"] < top + height
    assert by_code["E3"]["r"] == 400.0
    assert by_code["E3"]["x"] > by_code["E1"]["x"] and by_code["E4"]["y"] < by_code["E5"]["y"]
    # A grid's shifts: member, time, state in /roster's words.
    assert by_code["E1"]["shifts"] == [
        {"time": "18:00–21:00", "name": "Ann", "status": "confirmed", "word": "confirmed"}
    ]
    assert by_code["R1"]["shifts"][0]["word"] == "⚠️ cover needed"
    assert by_code["R1"]["unit"] == "Riverside District"
    [pin] = view["pins"]
    assert (pin["name"], pin["grid"], pin["text"], pin["time"]) == (
        "Cy", "E3 Embankment", "Water over the path", "09:00",
    )  # fmt: skip
    assert pin["x"] > by_code["E1"]["x"]
    # No tile server configured: no tiles, and the page loads images from itself only.
    assert view["tiles"] == [] and view["attribution"] == ""
    http, base = served
    for path in (PAGE_PATH, API_DUTY):
        async with http.get(base + path) as response:
            csp = response.headers["Content-Security-Policy"]
        assert "img-src 'self' data:;" in csp and "https://" not in csp.split("frame-")[0]


async def test_the_duty_map_is_in_chinese_for_a_chinese_reader(
    harness: Harness, org: Org, duty: Duty, served: tuple[aiohttp.ClientSession, str]
) -> None:
    status, view = await ask(served, API_DUTY, launch(harness, org.coord_zh))
    assert status == 200 and view["lang"] == "zh"
    assert view["texts"]["legend"] == "按今晚班次显示的网格"
    assert {x["state"]: x["label"] for x in view["legend"]}["no_show"] == "缺岗"
    assert view["total"]["line"].startswith("Riverside District：网格6个，3个无人值守")


async def test_the_duty_map_is_scoped_as_the_roster(
    harness: Harness, org: Org, duty: Duty, served: tuple[aiohttp.ClientSession, str]
) -> None:
    riv, riv1 = await harness.unit("RIV"), await harness.unit("RIV-1")
    # Sam, secretary of Riverside Branch 1, sees its grids, not Riverside District's.
    status, view = await ask(served, API_DUTY, launch(harness, org.sec))
    assert status == 200 and view["unit"]["id"] == riv1.id
    assert sorted(g["code"] for g in view["grids"]) == ["E1", "E2", "E3", "E4", "E5"]
    status, refused = await ask(served, API_DUTY, launch(harness, org.sec), riv.id)
    assert (status, refused["message"]) == (403, "That unit is outside your scope.")
    audit = await harness.services.storage.audit.recent(5)
    assert any(e.outcome == "denied" and "roster" in e.detail for e in audit)
    # A member without a role, no launch data, launch data of another bot, a unit that
    # is not one.
    status, refused = await ask(served, API_DUTY, launch(harness, org.members["Ann"]))
    assert status == 403 and "no unit to watch" in refused["message"]
    assert await ask(served, API_DUTY, None) == (401, None)
    assert await ask(served, API_DUTY, launch(harness, org.coord, token="1:other")) == (401, None)
    status, refused = await ask(served, API_DUTY, launch(harness, org.coord), "x")
    assert (status, refused["message"]) == (404, "That unit no longer exists.")


async def test_a_unit_without_grids_says_so(
    harness: Harness, org: Org, served: tuple[aiohttp.ClientSession, str], admin: FakeUser
) -> None:
    hil = await harness.unit("HIL")
    status, view = await ask(served, API_DUTY, launch(harness, admin), hil.id)
    assert status == 200
    assert view["grids"] == [] and view["pins"] == [] and view["box"] is None
    assert view["texts"]["no_grids"] == "No grids here yet. Secretaries add them with /grids."
    assert view["total"]["line"] == "Hillside District: 0 grids, 0 without a shift · no shifts"


# Trends ----------------------------------------------------------------------------------


async def test_trends_have_the_summaries_numbers_of_each_day(
    harness: Harness, org: Org, served: tuple[aiohttp.ClientSession, str]
) -> None:
    """DAY as make_org leaves it (with a temperature and visits), and the day after: Ann
    and Ed check in, Ann with a fever."""
    services = harness.services
    storage = services.storage
    people = org.members

    async def save(who: FakeUser, answers: dict[str, Any]) -> None:
        member = await storage.members.by_telegram_id(who.id)
        assert member is not None
        await services.checkins.save(member, answers)

    await save(people["Ann"], {"status": "post", "temp": 36.6, "visits": 12})
    await save(people["Bo"], {"status": "sick", "temp": 38.1})
    after = date.fromisoformat(DAY) + timedelta(days=1)
    harness.clock.set(local(f"{after} 10:00"))
    await save(people["Ann"], {"status": "post", "temp": 37.9, "visits": 4})
    await save(people["Ed"], {"status": "post", "visits": 7})
    status, view = await ask(served, API_TRENDS, launch(harness, org.coord))
    assert status == 200
    riv = await harness.unit("RIV")
    assert len(view["days"]) == 30 and view["days"][-2:] == [DAY, after.isoformat()]
    assert view["heading"] == "Trends, Tue 3 Nov – Wed 2 Dec"
    charts = {chart["title"]: chart for chart in view["charts"]}
    assert list(charts) == [
        "Check-in rate",
        "?: At my post",
        "?: On leave",
        "?: Sick",
        "?: 🚩 I need help",
        "Temperature ≥ 37.3 °C: answers flagged",
        "Temperature: highest",
        "Households visited: total",
    ]
    for day in (date.fromisoformat(DAY), after):
        summary = await services.summaries.compile(riv, day)
        index = view["days"].index(day.isoformat())
        rate = charts["Check-in rate"]
        lines = {line["name"]: line["values"][index] for line in rate["lines"]}
        expected = {"All": summary.total.rate} | {
            (f"{x.unit.name} (own members)" if x.own else x.unit.name): x.counts.rate
            for x in summary.lines
        }
        assert lines == pytest.approx(expected, abs=1e-4)  # sent to 4 places
        visits = {
            line["name"]: line["values"][index]
            for line in charts["Households visited: total"]["lines"]
        }
        assert visits["All"] == summary.figures[("visits", "")].total
        flagged = charts["Temperature ≥ 37.3 °C: answers flagged"]["lines"][0]["values"][index]
        assert flagged == summary.figures[("temp", "")].flagged == 1
    # The days before anyone joined: gaps, not 0 %.
    assert charts["Check-in rate"]["lines"][0]["values"][:28] == [None] * 28
    assert charts["Temperature: highest"]["lines"][0]["values"][-2:] == [38.1, 37.9]


async def test_trends_are_scoped_and_refused_as_the_summary(
    harness: Harness, org: Org, served: tuple[aiohttp.ClientSession, str]
) -> None:
    riv = await harness.unit("RIV")
    status, refused = await ask(served, API_TRENDS, launch(harness, org.sec), riv.id)
    assert (status, refused["message"]) == (403, "That unit is outside your scope.")
    status, refused = await ask(served, API_TRENDS, launch(harness, org.coord_zh), riv.id + 999)
    assert (status, refused["message"]) == (404, "该单位已不存在。")
    assert await ask(served, API_TRENDS, launch(harness, org.coord, age=7200)) == (401, None)
    assert await ask(served, API_TRENDS, "hash=00&user=%7B%7D") == (401, None)


async def test_a_unit_with_no_data_has_empty_trends(
    harness: Harness, org: Org, served: tuple[aiohttp.ClientSession, str], admin: FakeUser
) -> None:
    hil = await harness.unit("HIL")
    status, view = await ask(served, API_TRENDS, launch(harness, admin), hil.id)
    assert status == 200
    rate = view["charts"][0]
    assert [line["name"] for line in rate["lines"]] == ["All", "Hillside Branch 1"]
    assert all(v is None for line in rate["lines"] for v in line["values"])
    assert view["texts"]["no_data"] == "No data on these days."


async def test_one_query_each_for_the_checkins_and_the_figures_of_all_days(
    harness: Harness, org: Org, served: tuple[aiohttp.ClientSession, str]
) -> None:
    services = harness.services
    riv = await harness.unit("RIV")
    actor = await services.authz.actor(org.coord.id)
    asked: list[str] = []
    db = services.storage.db
    fetchall = db.fetchall

    async def counting(sql: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(sql)
        return await fetchall(sql, *args, **kwargs)

    db.fetchall = counting  # type: ignore[method-assign]
    try:
        await services.dashboard.trends.last_days(actor, riv)
    finally:
        db.fetchall = fetchall  # type: ignore[method-assign]
    assert sum("checkin_counts" in sql for sql in asked) == 1
    assert sum("answer_figures" in sql for sql in asked) == 1
    assert len(asked) <= 3  # and the children


def test_both_languages_have_every_word_of_the_views() -> None:
    i18n = Translator()
    keys = {*DUTY_LABELS.values(), *TRENDS_LABELS.values(), *TABS.values()}
    keys |= {*STATE_KEYS.values(), *THRESHOLD_KEYS.values(), *REPORT_KEYS.values()}
    keys |= {"dashboard-duty-heading", "dashboard-trends-heading", "dashboard-trends-rate"}
    for language in LANGUAGES:
        assert keys <= i18n.message_ids(language), language
