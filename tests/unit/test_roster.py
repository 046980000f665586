"""Roster rules without Telegram: grid files, roster files (every kind of bad row, byte-order
marks, GB18030, partial imports), one shift at a time, coverage, cancelling."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.duty.plans import Assignment
from bot.duty.reading import MAX_ROWS, Problem, RosterError, RosterFileError, describe, parse_span
from bot.duty.roster import RosterService
from bot.kit.clock import FakeClock
from bot.org.authz import Actor, PermissionDeniedError
from bot.services import Services
from storage.models import Grid, Member, Role, ShiftStatus
from tests.orgdata import load_tree

SHANGHAI = ZoneInfo("Asia/Shanghai")
URUMQI = ZoneInfo("Asia/Urumqi")
CONSOLE = Actor.console()
GRIDS = b"""code,name,unit,lat,lon,radius_m
G1,Market Street,RIV-1,31.2304,121.4737,300
G2,Hill Road,HIL-1,,,
G3,River Walk,RIV,,,
"""
HEADER = "grid,member,date,start,end,repeat_weeks\n"
SECRETARY = 705


def local(text: str, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


@pytest.fixture
async def roster(services: Services, clock: FakeClock, tmp_path: Any) -> RosterService:
    await load_tree(services, tmp_path)
    clock.set(local("2026-12-01 09:00"))  # a Tuesday morning
    storage = services.storage
    units = {u.code: u.id for u in await storage.units.all()}
    people = [
        (701, "Ann", "ann", "RIV-1"),
        (702, "Bo", "bo", "RIV"),
        (703, "Far", "far", "HIL-1"),
        (704, "Gone", "gone", "RIV-1"),
        (705, "Sam", "sam", "RIV"),
        (706, "Twin A", "twin", "RIV-1"),
        (707, "Twin B", "twin", "RIV-1"),
    ]
    async with storage.db.transaction() as conn:
        for telegram_id, name, username, code in people:
            await storage.members.add(
                conn,
                telegram_id=telegram_id,
                display_name=name,
                username=username,
                language="en",
                unit_id=units[code],
                now=clock.now(),
            )
        gone = await storage.members.by_telegram_id(704)
        sam = await storage.members.by_telegram_id(SECRETARY)
        assert gone is not None and sam is not None
        await storage.members.set_active(conn, gone.id, False, clock.now())
        await storage.members.grant(conn, sam.id, units["RIV"], Role.SECRETARY, clock.now())
    await services.roster.import_grids(CONSOLE, GRIDS, "grids.csv")
    return services.roster


def csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def found(problems: tuple[Problem, ...] | list[Problem]) -> list[tuple[int, str]]:
    return [(p.line, p.reason) for p in problems]


async def count(services: Services, table: str) -> int:
    row = await services.storage.db.fetchone(f"SELECT COUNT(*) AS n FROM {table}")
    assert row is not None
    return int(row["n"])


async def grid(services: Services, code: str) -> Grid:
    found = await services.storage.grids.by_code(code)
    assert found is not None
    return found


async def member(services: Services, telegram_id: int) -> Member:
    found = await services.storage.members.by_telegram_id(telegram_id)
    assert found is not None
    return found


# Grids -------------------------------------------------------------------------------------


async def test_a_bad_grid_file_reports_every_line_and_writes_nothing(
    roster: RosterService, services: Services
) -> None:
    before = await count(services, "grids")
    data = b"""Code,NAME,unit,lat,lon,radius_m
A1,Alpha,RIV-1,,,
A1,Alpha again,RIV-1,,,
A2,Beta,NOPE,,,
A3,Gamma,RIV,91,10,
A4,Delta,RIV,10,181,100
A5,Eps,RIV,10,,
A6,Zeta,RIV,,,100
A7,Eta,RIV,10,10,0
bad code!,Theta,RIV,,,
A8,,RIV,,,
A9,Iota,RIV,,,,extra
"""
    with pytest.raises(RosterFileError) as raised:
        await roster.import_grids(CONSOLE, data, "grids.csv")
    assert found(raised.value.problems) == [
        (3, "duplicate_code"),
        (4, "unknown_unit"),
        (5, "bad_lat"),
        (6, "bad_lon"),
        (7, "half_centre"),
        (8, "radius_without_centre"),
        (9, "bad_radius"),
        (10, "bad_code"),
        (11, "missing"),
        (12, "extra_fields"),
    ]
    assert await count(services, "grids") == before
    text = describe(services.i18n, "en", raised.value.problems[0], plain=True)
    assert text == "Line 3: The code A1 is already used on line 2."


async def test_grid_reimport_is_idempotent_and_updates_name_unit_and_centre(
    roster: RosterService, services: Services, tmp_path: Any
) -> None:
    again = await roster.import_grids(CONSOLE, GRIDS, "grids.csv")
    assert again.empty
    g2 = await grid(services, "G2")
    async with services.storage.db.transaction() as conn:
        await services.storage.grids.deactivate(conn, g2.id, services.clock.now())
    toml = b"""
[[grid]]
code = "g1"
name = "Market Street North"
unit = "RIV"
lat = 31.3
lon = 121.5
radius_m = 500

[[grid]]
code = "G2"
name = "Hill Road"
unit = "HIL-1"

[[grid]]
code = "G4"
name = "New Lane"
unit = "RIV-1"
"""
    changes = await roster.import_grids(CONSOLE, toml, "grids.toml")
    assert (changes.added, changes.updated) == (("G4",), ("g1", "G2"))
    g1 = await grid(services, "G1")
    riv = await services.storage.units.by_code("RIV")
    assert riv is not None
    assert (g1.code, g1.name, g1.unit_id, g1.lat, g1.lon, g1.radius_m) == (
        "G1", "Market Street North", riv.id, 31.3, 121.5, 500,
    )  # fmt: skip
    assert (await grid(services, "G2")).active  # named again: active again
    assert (await roster.import_grids(CONSOLE, toml, "grids.toml")).empty
    actions = [e.action for e in await services.storage.audit.recent(10)]
    assert actions.count("import_grids") == 2  # the first import and the update


async def test_a_secretary_imports_grids_only_within_scope(
    roster: RosterService, services: Services
) -> None:
    sam = await services.authz.actor(SECRETARY)
    data = b"code,name,unit\nS1,Mine,RIV-1\nS2,Not mine,HIL-1\nG2,Moved in,RIV\n"
    with pytest.raises(RosterFileError) as raised:
        await roster.import_grids(sam, data, "grids.csv")
    # G2 belongs to HIL-1 now: moving it into RIV needs scope over HIL-1 too.
    assert found(raised.value.problems) == [(3, "unit_scope"), (4, "unit_scope")]
    ok = await roster.import_grids(sam, b"code,name,unit\nS1,Mine,RIV-1\n", "grids.csv")
    assert ok.added == ("S1",)


async def test_adding_and_deactivating_a_grid_in_chat(
    roster: RosterService, services: Services
) -> None:
    sam = await services.authz.actor(SECRETARY)
    riv1 = await services.storage.units.by_code("RIV-1")
    hil1 = await services.storage.units.by_code("HIL-1")
    assert riv1 is not None and hil1 is not None
    assert (await roster.code_problem("G1")) == Problem("code_taken", details={"code": "G1"})
    assert (await roster.code_problem("no spaces")) is not None
    added = await roster.add_grid(sam, riv1, "G9", " Side Street ", lat=31.0, lon=121.0)
    assert (added.name, added.lat, added.radius_m) == ("Side Street", 31.0, None)
    with pytest.raises(RosterError) as taken:
        await roster.add_grid(sam, riv1, "g9", "Again")
    assert taken.value.problem.reason == "code_taken"
    with pytest.raises(PermissionDeniedError):
        await roster.add_grid(sam, hil1, "H9", "Not mine")
    off = await roster.deactivate_grid(sam, added.id)
    assert not (await grid(services, "G9")).active and off.code == "G9"
    with pytest.raises(RosterError):
        await roster.deactivate_grid(sam, added.id)
    # The code of a deactivated grid may be used again: the grid comes back.
    back = await roster.add_grid(sam, riv1, "G9", "Side Street", radius_m=100)
    assert back.id == added.id and back.active and back.lat is None


# Roster files ------------------------------------------------------------------------------


async def test_a_good_file_with_bom_repeats_and_midnight(
    roster: RosterService, services: Services
) -> None:
    data = "\ufeffGRID,Member,Date,Start,End,Repeat_Weeks\r\n".encode() + (
        b"g1,@ann,2026-12-01,18:00,22:00,2\r\n"
        b"G3,702,2026/12/1,22:00,02:00,\r\n"
        b"G2,@far,2026-12-02,08:00,12:00,0\r\n"
    )
    check = await roster.check_file(CONSOLE, data)
    assert check.problems == () and check.rows == 3 and check.shifts == 5
    first, night, far = check.good
    assert [s.day for s in first.spans] == [date(2026, 12, d) for d in (1, 8, 15)]
    assert first.spans[1].starts_at == local("2026-12-08 18:00")
    assert (night.spans[0].starts_at, night.spans[0].ends_at) == (
        local("2026-12-01 22:00"),
        local("2026-12-02 02:00"),
    )
    # HIL-1 keeps Urumqi time: 08:00 there is 10:00 in Shanghai.
    assert far.spans[0].starts_at == local("2026-12-02 08:00", URUMQI)
    done = await roster.import_file(CONSOLE, data, "roster.csv")
    assert done.written == 5
    rows = await services.storage.db.fetchall(
        "SELECT id, series_id, day, status, created_by FROM shifts ORDER BY id"
    )
    assert [(r["series_id"], r["day"], r["status"]) for r in rows] == [
        (1, "2026-12-01", "assigned"),
        (1, "2026-12-08", "assigned"),
        (1, "2026-12-15", "assigned"),
        (None, "2026-12-01", "assigned"),
        (None, "2026-12-02", "assigned"),
    ]
    entry = (await services.storage.audit.recent(1))[0]
    assert (entry.action, entry.detail) == (
        "import_shifts",
        "roster.csv: 5 shifts from 3 rows, 0 rows skipped",
    )


async def test_every_kind_of_bad_row_is_reported_with_its_line(
    roster: RosterService, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        roster, "settings", roster.settings.model_copy(update={"max_repeat_weeks": 4})
    )
    await roster.import_file(CONSOLE, csv("G3,@bo,2026-12-03,08:00,12:00"), "a.csv")
    data = csv(
        "G1,@ann,2026-12-01,18:00,22:00",  # 2: good
        "NOPE,@ann,2026-12-02,18:00,22:00",  # 3: unknown grid
        "G1,@ghost,2026-12-02,18:00,22:00",  # 4: unknown member
        "G1,@gone,2026-12-02,18:00,22:00",  # 5: inactive member
        "G1,@twin,2026-12-02,18:00,22:00",  # 6: two members with that username
        "G1,@far,2026-12-02,18:00,22:00",  # 7: not in RIV-1 or below
        "G3,@far,2026-12-02,18:00,22:00",  # 8: nor in RIV
        "G1,@ann,2026-12-32,18:00,22:00",  # 9: no such date
        "G1,@ann,2026-12-02,25:00,22:00",  # 10: no such time
        "G1,@ann,2026-12-02,18:00,18:00",  # 11: zero length
        "G1,@ann,2026-11-30,18:00,22:00",  # 12: in the past
        "G1,@ann,2026-12-01,08:00,10:00",  # 13: started an hour ago
        "G1,@ann,2026-12-01,21:00,23:00",  # 14: overlaps line 2
        "G3,@bo,2026-12-03,11:00,13:00",  # 15: overlaps a stored shift
        "G3,@bo,2026-12-03,08:00,12:00",  # 16: that very shift again
        "G1,@ann,2026-12-05,18:00,22:00,5",  # 17: more repeats than allowed
        "G1,@ann,2026-12-05,18:00,22:00,x",  # 18: not a number
        "G1,,2026-12-05,18:00,",  # 19: member and end missing
        "G1,@ann,2026-12-24,18:00,22:00,1",  # 20: good, with a repeat on the 31st
        "G3,@bo,2026-12-24,07:00,09:00,1",  # 21: its repeat overlaps the stored one
    )
    await roster.import_file(CONSOLE, csv("G3,@bo,2026-12-31,08:00,10:00"), "b.csv")
    check = await roster.check_file(CONSOLE, data)
    assert found(check.problems) == [
        (3, "unknown_grid"),
        (4, "unknown_member"),
        (5, "inactive_member"),
        (6, "ambiguous_member"),
        (7, "member_outside"),
        (8, "member_outside"),
        (9, "bad_date"),
        (10, "bad_time"),
        (11, "zero_length"),
        (12, "past"),
        (13, "past"),
        (14, "overlap_file"),
        (15, "overlap_existing"),
        (16, "already_there"),
        (17, "bad_repeat"),
        (18, "bad_repeat"),
        (19, "missing"),
        (21, "overlap_existing"),
    ]
    assert [p.line for p in check.good] == [2, 20]
    assert (check.rows, check.bad_rows) == (20, 18)
    say = {p.line: describe(services.i18n, "en", p, plain=True) for p in check.problems}
    assert say[7] == (
        "Line 7: Far is not in Riverside Branch 1 or a unit below it, where grid G1 belongs."
    )
    assert say[14] == "Line 14: Ann already has a shift at that time on line 2."
    assert say[15] == "Line 15: Bo already has a shift on Thu 3 Dec, 08:00–12:00."
    assert say[19] == "Line 19: Missing: member, end."
    assert say[21] == "Line 21: Bo already has a shift on Thu 31 Dec, 08:00–10:00."
    zh = describe(services.i18n, "zh", check.problems[0])
    assert zh == "第3行：没有代码为“NOPE”的网格。"
    before = await count(services, "shifts")
    assert (await roster.import_file(CONSOLE, data, "c.csv")).written == 0
    assert await count(services, "shifts") == before


async def test_partial_imports_write_the_good_rows_only_as_agreed(
    roster: RosterService, services: Services
) -> None:
    data = csv(
        "G1,@ann,2026-12-02,18:00,22:00",
        "G1,@ghost,2026-12-02,18:00,22:00",
        "G3,@bo,2026-12-02,18:00,22:00,1",
    )
    assert (await roster.import_file(CONSOLE, data, "r.csv")).written == 0
    # The person agreed to import 3 good rows, but only 2 are: nothing is written.
    assert (await roster.import_file(CONSOLE, data, "r.csv", partial=True, expect=3)).written == 0
    done = await roster.import_file(CONSOLE, data, "r.csv", partial=True, expect=2)
    assert (done.written, done.check.bad_rows) == (3, 1)
    assert await count(services, "shifts") == 3
    # The same file again: the good rows are now already on the roster.
    again = await roster.import_file(CONSOLE, data, "r.csv", partial=True)
    assert again.written == 0
    assert found(again.check.problems) == [
        (2, "already_there"), (3, "unknown_member"), (4, "already_there"),
    ]  # fmt: skip


async def test_a_secretary_uploads_only_for_grids_in_scope(
    roster: RosterService, services: Services
) -> None:
    sam = await services.authz.actor(SECRETARY)
    data = csv("G1,@ann,2026-12-02,18:00,22:00", "G2,@far,2026-12-02,18:00,22:00")
    check = await roster.check_file(sam, data)
    assert found(check.problems) == [(3, "grid_scope")]
    done = await roster.import_file(sam, data, "r.csv", partial=True)
    assert done.written == 1
    shift = await services.storage.shifts.get(1)
    assert shift is not None and shift.created_by == sam.member.id  # type: ignore[union-attr]


async def test_encodings_bom_gb18030_and_refusals(roster: RosterService) -> None:
    # Chinese Excel saves GB18030; a full-width colon shows it was decoded as such.
    chinese = "grid,member,date,start,end\nG1,@ann,2026-12-02,18：00,22：00\n".encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        chinese.decode("utf-8")
    check = await roster.check_file(CONSOLE, chinese)
    assert check.problems == () and check.shifts == 1
    assert check.good[0].spans[0].starts_at == local("2026-12-02 18:00")
    utf16 = "grid,member,date,start,end\n".encode("utf-16")
    refused = [
        (utf16, "not_text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not_text"),
        (b"x" * 1_000_001, "too_big"),
        (b"grid,member,date\nG1,@ann,2026-12-02\n", "bad_header"),
        (b"grid,member,date,start,end,colour\n", "unknown_columns"),
        (b"grid,member,date,start,end\n\n,,,,\n", "no_rows"),
        (HEADER.encode() + b'"G1' + b"x" * 200_000 + b"\n", "bad_csv"),
        (HEADER.encode() + b"G1,@ann,2026-12-02,18:00,22:00\n" * (MAX_ROWS + 1), "too_many_rows"),
    ]
    for data, reason in refused:
        check = await roster.check_file(CONSOLE, data)
        assert [p.reason for p in check.problems] == [reason]
        assert not check.readable and check.good == ()


def test_time_spans_as_people_type_them() -> None:
    assert parse_span("18:00-22:00") == (time(18), time(22))
    assert parse_span(" 8:30 – 12:00 ") == (time(8, 30), time(12))
    assert parse_span("22：00至06：00") == (time(22), time(6))
    assert parse_span("20:00-24:00") == (time(20), time(0))
    for bad in ("18-22", "24:00-02:00", "18:00", "18:00-22:60", "evening"):
        assert parse_span(bad) is None, bad


# One shift at a time ---------------------------------------------------------------------------


async def test_assign_checks_like_a_file_and_stores_a_series(
    roster: RosterService, services: Services
) -> None:
    sam = await services.authz.actor(SECRETARY)
    g1, g2 = await grid(services, "G1"), await grid(services, "G2")
    ann, far = await member(services, 701), await member(services, 703)
    day = date(2026, 12, 2)
    with pytest.raises(RosterError) as outside:
        await roster.check_assignment(sam, Assignment(g1.id, far.id, day, time(18), time(22)))
    assert outside.value.problem.reason == "member_outside"
    with pytest.raises(RosterError) as scope:
        await roster.check_assignment(sam, Assignment(g2.id, far.id, day, time(18), time(22)))
    assert scope.value.problem.reason == "grid_scope"
    with pytest.raises(RosterError) as repeats:
        await roster.check_assignment(sam, Assignment(g1.id, ann.id, day, time(18), time(22), 13))
    assert repeats.value.problem.reason == "bad_repeat"
    plan = await roster.assign(sam, Assignment(g1.id, ann.id, day, time(22), time(6), 2))
    assert len(plan.spans) == 3 and plan.spans[0].ends_at == local("2026-12-03 06:00")
    with pytest.raises(RosterError) as clash:
        await roster.assign(sam, Assignment(g1.id, ann.id, date(2026, 12, 17), time(5), time(7)))
    assert clash.value.problem.reason == "overlap_existing"
    series = await services.storage.db.fetchall("SELECT series_id FROM shifts")
    assert [r["series_id"] for r in series] == [1, 1, 1]
    assert (await services.storage.audit.recent(1))[0].action == "assign_shift"


# Looking and cancelling ------------------------------------------------------------------------


async def _status(services: Services, shift_id: int, status: ShiftStatus, **more: str) -> None:
    sets = ", ".join(["status = ?", *(f"{k} = ?" for k in more)])
    await services.storage.db.write(
        f"UPDATE shifts SET {sets} WHERE id = ?", (status.value, *more.values(), shift_id)
    )


async def test_coverage_per_unit_in_a_constant_number_of_queries(
    roster: RosterService, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    await roster.import_grids(CONSOLE, b"code,name,unit\nG5,Quay,RIV-1\n", "more.csv")
    data = csv(
        "G1,@ann,2026-12-02,08:00,12:00",  # shift 1: confirmed
        "G1,@ann,2026-12-02,18:00,22:00",  # 2: assigned
        "G5,706,2026-12-02,08:00,12:00",  # 3: declined, now open
        "G3,@bo,2026-12-02,13:00,17:00",  # 4: started
        "G2,@far,2026-12-02,08:00,12:00",  # 5: no-show
        "G2,@far,2026-12-02,13:00,17:00",  # 6: cancelled
        "G3,@bo,2026-12-03,08:00,12:00",  # 7: another day
    )
    assert (await roster.import_file(CONSOLE, data, "r.csv")).written == 7
    await _status(services, 1, ShiftStatus.CONFIRMED)
    await _status(services, 3, ShiftStatus.OPEN, declined_at="2026-12-01T02:00:00.000000Z")
    await _status(services, 4, ShiftStatus.STARTED)
    await _status(services, 5, ShiftStatus.NO_SHOW)
    await _status(services, 6, ShiftStatus.CANCELLED)
    city = await services.storage.units.by_code("CITY")
    assert city is not None
    calls: list[str] = []
    real = services.storage.db.fetchall

    async def counted(sql: str, params: Any = ()) -> Any:
        calls.append(sql)
        return await real(sql, params)

    monkeypatch.setattr(services.storage.db, "fetchall", counted)
    coverage = {c.unit.code: c for c in await roster.coverage(city, date(2026, 12, 2))}
    assert len(calls) == 3
    assert set(coverage) == {"CITY", "RIV", "HIL", "RIV-1", "HIL-1"}
    riv1, riv, hil1 = coverage["RIV-1"], coverage["RIV"], coverage["HIL-1"]
    assert (riv1.grids, riv1.uncovered, riv1.assigned, riv1.confirmed) == (2, 1, 1, 1)
    assert (riv1.open, riv1.declined, riv1.shifts) == (1, 1, 3)
    assert (riv.grids, riv.uncovered, riv.started) == (1, 0, 1)
    assert (hil1.grids, hil1.uncovered, hil1.no_show, hil1.cancelled, hil1.shifts) == (
        1, 1, 1, 1, 1,
    )  # fmt: skip
    assert coverage["CITY"].grids == 0 and coverage["CITY"].shifts == 0
    # Only the units below RIV, with the same query count.
    calls.clear()
    riv_unit = await services.storage.units.by_code("RIV")
    assert riv_unit is not None
    assert [c.unit.code for c in await roster.coverage(riv_unit, date(2026, 12, 2))] == [
        "RIV", "RIV-1",
    ]  # fmt: skip
    assert len(calls) == 3


async def test_day_roster_is_scoped_and_lists_empty_grids(
    roster: RosterService, services: Services
) -> None:
    data = csv("G1,@ann,2026-12-02,08:00,12:00", "G2,@far,2026-12-02,08:00,12:00")
    await roster.import_file(CONSOLE, data, "r.csv")
    sam = await services.authz.actor(SECRETARY)
    riv = await services.storage.units.by_code("RIV")
    hil = await services.storage.units.by_code("HIL")
    assert riv is not None and hil is not None
    day = await roster.day_roster(sam, riv, date(2026, 12, 2))
    assert [(g.grid.code, [e.member_name for e in g.entries]) for g in day.grids] == [
        ("G3", []),
        ("G1", ["Ann"]),
    ]
    with pytest.raises(PermissionDeniedError):
        await roster.day_roster(sam, hil, date(2026, 12, 2))


async def test_cancelling_tells_the_member_through_the_outbox(
    roster: RosterService, services: Services
) -> None:
    await roster.import_file(CONSOLE, csv("G1,@ann,2026-12-02,08:00,12:00"), "r.csv")
    await roster.import_file(CONSOLE, csv("G2,@far,2026-12-02,08:00,12:00"), "r.csv")
    sam = await services.authz.actor(SECRETARY)
    with pytest.raises(PermissionDeniedError):
        await roster.cancel_shift(sam, 2)
    done = await roster.cancel_shift(sam, 1)
    assert done.member is not None and done.member.display_name == "Ann"
    shift = await services.storage.shifts.get(1)
    assert shift is not None and shift.status is ShiftStatus.CANCELLED
    assert shift.cancelled_at == services.clock.now()
    # Queued with its cause, worded when sent (in the member's language at that time).
    rows = await services.storage.db.fetchall("SELECT kind, chat_id, payload FROM outbox")
    assert [(r["kind"], r["chat_id"], r["payload"]) for r in rows] == [
        ("duty_cancelled", 701, '{"shift":1}')
    ]
    with pytest.raises(RosterError):
        await roster.cancel_shift(sam, 1)
    # An open shift has nobody to tell.
    await _status(services, 2, ShiftStatus.OPEN)
    await services.storage.db.write("UPDATE shifts SET member_id = NULL WHERE id = 2")
    await roster.cancel_shift(CONSOLE, 2)
    assert await count(services, "outbox") == 1


def test_a_refusal_quotes_a_long_input_shortened() -> None:
    """A pasted book as a grid code must not make the answer longer than Telegram takes."""
    from bot.duty.reading import ECHO_LIMIT, Problem, describe
    from bot.kit.i18n import translator

    text = describe(translator(), "en", Problem("bad_code", details={"code": "G" * 5000}))
    assert f'"{"G" * (ECHO_LIMIT - 1)}…"' in text and len(text) < 200
