"""Check-in rules: the local day and window (DST included), answer checks, one check-in a
day that edits replace, excused and flagged answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.checkins.config import CheckinSettings
from bot.checkins.service import (
    CheckinError,
    CheckinService,
    WindowState,
    local_instant,
)
from bot.kit.clock import FakeClock
from bot.kit.questions import Choice, Kind, Question, Text
from bot.services import Services
from storage.checkins import CheckinKind
from storage.models import Member, Role, Unit
from tests.orgdata import load_tree

SHANGHAI = ZoneInfo("Asia/Shanghai")


def form(**changes: object) -> CheckinSettings:
    questions = [
        Question(
            id="status",
            kind=Kind.SINGLE_CHOICE,
            prompt=Text(en="Where?", zh="在哪？"),
            choices=[
                Choice(id="post", label=Text(en="At post", zh="在岗")),
                Choice(id="sick", label=Text(en="Sick", zh="生病"), excused=True),
                Choice(id="help", label=Text(en="Help", zh="求助"), flag=True),
            ],
        ),
        Question(
            id="temp",
            kind=Kind.NUMBER,
            prompt=Text(en="Temperature", zh="体温"),
            required=False,
            min=35,
            max=42,
            unit="°C",
        ),
        Question(
            id="tasks",
            kind=Kind.MULTIPLE_CHOICE,
            prompt=Text(en="Tasks", zh="任务"),
            required=False,
            choices=[
                Choice(id="patrol", label=Text(en="Patrol", zh="巡逻")),
                Choice(id="supply", label=Text(en="Supplies", zh="物资")),
            ],
        ),
        Question(id="note", kind=Kind.TEXT, prompt=Text(en="Note", zh="备注"), required=False,
                 max_length=20),
        Question(id="where", kind=Kind.LOCATION, prompt=Text(en="Where", zh="位置"),
                 required=False),
    ]  # fmt: skip
    return CheckinSettings(questions=questions, **changes)  # type: ignore[arg-type]


@pytest.fixture
def service(services: Services, clock: FakeClock) -> CheckinService:
    return CheckinService(services.storage, clock, form(), SHANGHAI)


def test_the_form_fingerprint_follows_the_configured_questions(service: CheckinService) -> None:
    """A draft started under one form is told apart from another (its answers would not
    fit), and the same questions give the same fingerprint, also after a restart."""
    first = service.form_fingerprint()
    assert service.form_fingerprint() == first
    service.form = form()  # the same questions, configured anew
    assert service.form_fingerprint() == first
    changed = form()
    changed.questions[0].choices.pop()
    service.form = changed
    assert service.form_fingerprint() != first
    service.form = form(opens=time(7, 0))  # only the window moved: drafts still fit
    assert service.form_fingerprint() == first


def at(clock: FakeClock, local: str, zone: ZoneInfo = SHANGHAI) -> None:
    clock.set(datetime.fromisoformat(local).replace(tzinfo=zone).astimezone(UTC))


def test_window_follows_the_units_own_clock(service: CheckinService, clock: FakeClock) -> None:
    urumqi = Unit(1, "U", "Far West", None, "/1/", 0, "Asia/Urumqi")  # UTC+6, not +8
    at(clock, "2026-12-01 06:30")  # a Tuesday, 06:30 in Shanghai = 04:30 in Urumqi
    assert service.window(None).state is WindowState.OPEN
    assert service.window(urumqi).state is WindowState.NOT_YET
    at(clock, "2026-12-01 22:00")
    closed = service.window(None)
    assert closed.state is WindowState.CLOSED and closed.day == date(2026, 12, 1)
    assert service.next_opening(None) == local_instant(date(2026, 12, 2), time(6), SHANGHAI)


def test_days_off_and_holidays(services: Services, clock: FakeClock) -> None:
    checkins = CheckinService(
        services.storage, clock, form(holidays=[date(2026, 12, 25)]), SHANGHAI
    )
    at(clock, "2026-12-05 10:00")  # Saturday
    assert checkins.window(None).state is WindowState.DAY_OFF
    at(clock, "2026-12-25 10:00")  # a Friday holiday
    assert checkins.window(None).state is WindowState.DAY_OFF
    at(clock, "2026-12-24 23:00")
    # The next opening skips the holiday and the weekend after it.
    assert checkins.next_opening(None) == local_instant(date(2026, 12, 28), time(6), SHANGHAI)


def test_a_dated_workday_is_a_working_saturday(services: Services, clock: FakeClock) -> None:
    checkins = CheckinService(
        services.storage, clock, form(workdays=[date(2026, 12, 12)]), SHANGHAI
    )
    at(clock, "2026-12-12 10:00")  # the 调休 Saturday: open as on any working day
    assert checkins.window(None).state is WindowState.OPEN
    at(clock, "2026-12-05 10:00")  # other Saturdays stay off
    assert checkins.window(None).state is WindowState.DAY_OFF
    at(clock, "2026-12-11 23:00")  # Friday night: the next opening is that Saturday
    assert checkins.next_opening(None) == local_instant(date(2026, 12, 12), time(6), SHANGHAI)


def test_dst_neither_shifts_nor_doubles_a_local_time() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 09:00 local is 08:00 UTC in winter and 07:00 UTC in summer: the wall time holds.
    assert local_instant(date(2026, 3, 28), time(9), berlin).hour == 8
    assert local_instant(date(2026, 3, 29), time(9), berlin).hour == 7
    # 02:30 does not exist on 29 March; it still maps to exactly one instant.
    skipped = local_instant(date(2026, 3, 29), time(2, 30), berlin)
    assert skipped == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    # 02:30 happens twice on 25 October; it maps to one (the first).
    repeated = local_instant(date(2026, 10, 25), time(2, 30), berlin)
    assert repeated == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("question_id", "raw", "expected"),
    [
        ("status", "sick", "sick"),
        ("temp", "36.6", 36.6),
        ("temp", "36,6", 36.6),
        ("temp", 41, 41.0),
        ("temp", None, None),
        ("tasks", ["supply", "patrol"], ["patrol", "supply"]),
        ("note", "  all quiet  ", "all quiet"),
        ("where", {"lat": 31.2, "lon": 121.5}, {"lat": 31.2, "lon": 121.5}),
    ],
)
def test_good_answers(service: CheckinService, question_id: str, raw: object, expected: object):
    question = service.question(question_id)
    assert question is not None
    assert service.answer(question, raw) == expected


@pytest.mark.parametrize(
    ("question_id", "raw", "reason"),
    [
        ("status", None, "required"),
        ("status", "maybe", "unknown_choice"),
        ("status", ["post", "sick"], "unknown_choice"),
        ("temp", "hot", "not_a_number"),
        ("temp", "34.9", "out_of_range"),
        ("temp", "1e9", "not_a_number"),
        ("temp", True, "not_a_number"),
        ("tasks", ["patrol", "dance"], "unknown_choice"),
        ("note", "x" * 21, "too_long"),
        ("note", 5, "expected_text"),
        ("where", {"lat": 91, "lon": 0}, "expected_location"),
        ("where", "home", "expected_location"),
    ],
)
def test_bad_answers_say_why(
    service: CheckinService, question_id: str, raw: object, reason: str
) -> None:
    question = service.question(question_id)
    assert question is not None
    with pytest.raises(CheckinError) as caught:
        service.answer(question, raw)
    assert caught.value.reason == reason
    if reason == "out_of_range":
        assert caught.value.details == {"min": 35, "max": 42, "unit": "°C"}


async def member_in(services: Services, tmp_path: Path, code: str = "RIV-1") -> Member:
    await load_tree(services, tmp_path)
    unit = await services.storage.units.by_code(code)
    assert unit is not None
    await services.storage.members.add_many(
        [(77, "Ann", None, "en", unit.id)], services.clock.now()
    )
    member = await services.storage.members.by_telegram_id(77)
    assert member is not None
    return member


async def test_one_checkin_a_day_edits_replace_it(
    services: Services, service: CheckinService, clock: FakeClock, tmp_path: Path
) -> None:
    member = await member_in(services, tmp_path)
    at(clock, "2026-12-01 09:00")
    first, new = await service.save(member, {"status": "post", "temp": "36.8"})
    assert new and (first.excused, first.flagged) == (False, False)
    assert first.answers == {"status": "post", "temp": 36.8, "tasks": None, "note": None,
                             "where": None}  # fmt: skip
    at(clock, "2026-12-01 18:00")
    second, new = await service.save(member, {"status": "help", "note": "flooded road"})
    assert not new and second.id == first.id and second.flagged
    assert (await service.today(member)) == second
    at(clock, "2026-12-02 09:00")
    assert await service.today(member) is None  # a new day, a new check-in
    third, new = await service.save(member, {"status": "sick"})
    assert new and third.excused and third.day == date(2026, 12, 2)


async def secretary_of(services: Services, code: str = "RIV") -> Member:
    """Sam, secretary of ``code`` (Ann's unit's parent in the test tree)."""
    unit = await services.storage.units.by_code(code)
    assert unit is not None
    now = services.clock.now()
    await services.storage.members.add_many([(78, "Sam", None, "zh", unit.id)], now)
    sam = await services.storage.members.by_telegram_id(78)
    assert sam is not None
    async with services.storage.db.transaction() as conn:
        await services.storage.members.grant(conn, sam.id, unit.id, Role.SECRETARY, now)
    return sam


async def test_a_flagged_checkin_is_saved_with_its_secretaries_notice(
    services: Services, service: CheckinService, clock: FakeClock, tmp_path: Path
) -> None:
    """Once ``save`` returns, the notice is queued: a crash right after it loses nothing."""
    member = await member_in(services, tmp_path)
    sam = await secretary_of(services)
    at(clock, "2026-12-01 09:00")
    await service.save(member, {"status": "post"})
    assert await services.storage.outbox.claim(clock.now(), 10) == []  # nothing to tell
    await service.save(member, {"status": "help"})
    [row] = await services.storage.outbox.claim(clock.now(), 10)
    assert (row.kind, row.chat_id, row.member_id) == (CheckinKind.FLAG, 78, sam.id)
    assert row.payload == {"member": member.id, "day": "2026-12-01"}


async def test_a_flagged_checkin_and_its_notice_commit_together(
    services: Services,
    service: CheckinService,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    member = await member_in(services, tmp_path)
    await secretary_of(services)
    at(clock, "2026-12-01 09:00")

    async def crash(*_: object) -> None:
        raise RuntimeError("killed between the check-in and its notice")

    monkeypatch.setattr(services.storage.outbox, "enqueue_many", crash)
    with pytest.raises(RuntimeError):
        await service.save(member, {"status": "help"})
    assert await service.today(member) is None  # no flagged check-in nobody was told of


async def test_flags_not_at_once_queue_nothing(
    services: Services, clock: FakeClock, tmp_path: Path
) -> None:
    service = CheckinService(services.storage, clock, form(flags_at_once=False), SHANGHAI)
    member = await member_in(services, tmp_path)
    await secretary_of(services)
    at(clock, "2026-12-01 09:00")
    checkin, _ = await service.save(member, {"status": "help"})
    assert checkin.flagged
    assert await services.storage.outbox.claim(clock.now(), 10) == []


async def test_saving_outside_the_window_or_with_a_bad_answer_stores_nothing(
    services: Services, service: CheckinService, clock: FakeClock, tmp_path: Path
) -> None:
    member = await member_in(services, tmp_path)
    at(clock, "2026-12-01 23:00")
    with pytest.raises(CheckinError) as caught:
        await service.save(member, {"status": "post"})
    assert caught.value.reason == "closed"
    at(clock, "2026-12-01 09:00")
    with pytest.raises(CheckinError) as caught:
        await service.save(member, {"status": "post", "temp": "99"})
    assert caught.value.reason == "out_of_range"
    assert await service.today(member) is None


async def test_stored_checkins_survive_a_changed_form(
    services: Services, clock: FakeClock, tmp_path: Path
) -> None:
    member = await member_in(services, tmp_path)
    at(clock, "2026-12-01 09:00")
    old = CheckinService(services.storage, clock, form(), SHANGHAI)
    await old.save(member, {"status": "sick", "temp": "37"})
    # The organisation drops the temperature question and the "sick" choice.
    slimmer = form()
    questions = [q for q in slimmer.questions if q.id != "temp"]
    new_form = CheckinSettings(questions=questions)
    new = CheckinService(services.storage, clock, new_form, SHANGHAI)
    kept = await new.today(member)
    assert kept is not None and kept.answers["temp"] == 37.0 and kept.excused
