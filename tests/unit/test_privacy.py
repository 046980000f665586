"""Forgetting and backups: old details erased on schedule with the counts kept, a member
erased on request (admins only, audited), and a consistent copy of the database."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import aiosqlite
import pytest

from app.backup import BackupError, backup
from bot.config import RetentionSettings
from bot.directives.drafting import Draft
from bot.directives.questions import Choice, Question, Reason
from bot.kit.clock import FakeClock
from bot.org.authz import Actor, PermissionDeniedError
from bot.org.privacy import PrivacyService
from bot.services import Services
from storage.db import to_db_time
from storage.directives import Directive, Target
from storage.models import Member
from storage.privacy import Traces
from storage.shifts import NewShift
from tests.unit.test_checkins import SHANGHAI, at, member_in

TODAY = date(2026, 12, 1)


async def checkin(services: Services, member: Member, day: date, answers: dict[str, str]) -> None:
    await services.storage.db.write(
        "INSERT INTO checkins (member_id, unit_id, day, answers, excused, flagged, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, 0, 1, ?, ?)",
        (
            member.id,
            member.unit_id,
            day.isoformat(),
            json.dumps(answers),
            to_db_time(services.clock.now()),
            to_db_time(services.clock.now()),
        ),
    )


async def duty_on(services: Services, member: Member, day: date) -> int:
    """A shift with a report, a start location and a decline reason, and an incident."""
    storage, now = services.storage, services.clock.now()
    async with storage.db.transaction() as conn:
        grid = await storage.grids.by_code("G1")
        grid_id = grid.id if grid else await storage.grids.add(
            conn, unit_id=member.unit_id, code="G1", name="Elm", lat=None, lon=None,
            radius_m=None, now=now,
        )  # fmt: skip
        start = at_local(day)
        [shift_id] = await storage.shifts.add_many(
            conn,
            [NewShift(grid_id, member.unit_id, member.id, start, start + timedelta(hours=2),
                      day.isoformat())],
            created_by=None,
            now=now,
        )  # fmt: skip
        await conn.execute(
            "UPDATE shifts SET report = '{\"visits\": 3}', start_lat = 31.2, start_lon = 121.4,"
            " decline_reason = 'sick' WHERE id = ?",
            (shift_id,),
        )
        await storage.incidents.add(
            conn, shift_id=shift_id, member_id=member.id, unit_id=member.unit_id,
            day=day.isoformat(), now=now, text="Fire at no. 3", photo_file_id="ph-1",
            lat=31.2, lon=121.4,
        )  # fmt: skip
    return shift_id


def at_local(day: date) -> datetime:
    return datetime.combine(day, time(18), tzinfo=SHANGHAI)


@pytest.fixture
def privacy(services: Services, clock: FakeClock) -> PrivacyService:
    return PrivacyService(
        services.storage, clock, services.authz, RetentionSettings(details_days=30), SHANGHAI
    )


async def details(services: Services) -> dict[str, list[object]]:
    db = services.storage.db
    return {
        "answers": [r[0] for r in await db.fetchall("SELECT answers FROM checkins ORDER BY day")],
        "reports": [r[0] for r in await db.fetchall("SELECT report FROM shifts ORDER BY day")],
        "incidents": [r[0] for r in await db.fetchall("SELECT text FROM incidents ORDER BY day")],
    }


async def test_retention_erases_old_details_and_keeps_the_counts(
    services: Services, clock: FakeClock, privacy: PrivacyService, tmp_path: Path
) -> None:
    at(clock, "2026-12-01 10:00")
    ann = await member_in(services, tmp_path)
    old, recent = TODAY - timedelta(days=31), TODAY - timedelta(days=30)
    for day in (old, recent):
        await checkin(services, ann, day, {"status": "problem"})
        await duty_on(services, ann, day)
    before = await services.storage.checkins.unit_days([ann.unit_id], old)
    erased = await privacy.retention_tick()
    assert erased is not None and (erased.checkins, erased.shifts, erased.incidents) == (1, 1, 1)
    assert await details(services) == {
        "answers": ["{}", '{"status": "problem"}'],
        "reports": [None, '{"visits": 3}'],
        "incidents": [None, "Fire at no. 3"],
    }
    # The day still counts: checked in, flagged, one shift, one incident.
    assert await services.storage.checkins.unit_days([ann.unit_id], old) == before
    flagged = await services.storage.db.fetchone(
        "SELECT flagged FROM checkins WHERE day = ?", (old.isoformat(),)
    )
    assert flagged is not None and flagged[0] == 1
    # Nothing new aged out: a pass does nothing; a day later the next day goes.
    assert await privacy.retention_tick() is None
    at(clock, "2026-12-02 10:00")
    erased = await privacy.retention_tick()
    assert erased is not None and erased.checkins == 1
    assert (await details(services))["answers"] == ["{}", "{}"]


async def test_retention_off_keeps_everything(
    services: Services, clock: FakeClock, tmp_path: Path
) -> None:
    at(clock, "2026-12-01 10:00")
    ann = await member_in(services, tmp_path)
    await checkin(services, ann, TODAY - timedelta(days=400), {"status": "post"})
    assert await services.privacy.retention_tick() is None  # details_days = 0 by default
    assert (await details(services))["answers"] == ['{"status": "post"}']


async def test_erasing_a_member(
    services: Services, clock: FakeClock, privacy: PrivacyService, tmp_path: Path
) -> None:
    at(clock, "2026-12-01 10:00")
    ann = await member_in(services, tmp_path)
    await checkin(services, ann, TODAY, {"status": "problem"})
    await duty_on(services, ann, TODAY)
    storage = services.storage
    await storage.db.write(
        'INSERT INTO ptb_user_data (user_id, data) VALUES (?, \'{"draft": "x"}\')',
        (ann.telegram_id,),
    )
    await storage.db.write(
        "INSERT INTO outbox (kind, chat_id, member_id, priority, payload, next_attempt_at,"
        " created_at) VALUES ('notice', ?, ?, 0, '{\"text\": \"hi Ann\"}', ?, ?)",
        (ann.telegram_id, ann.id, to_db_time(clock.now()), to_db_time(clock.now())),
    )
    stranger = await services.authz.actor(12345)
    with pytest.raises(PermissionDeniedError):
        await privacy.erase_member(stranger, ann)
    await privacy.erase_member(Actor.console(), ann)
    gone = await storage.members.get(ann.id)
    assert gone is not None
    assert (gone.display_name, gone.username, gone.telegram_id, gone.active) == (
        f"erased member #{ann.id}", None, None, False,
    )  # fmt: skip
    assert await storage.members.by_telegram_id(ann.telegram_id or 0) is None
    assert await details(services) == {"answers": ["{}"], "reports": [None], "incidents": [None]}
    assert await storage.db.fetchall("SELECT * FROM ptb_user_data") == []
    [row] = await storage.db.fetchall("SELECT status, payload FROM outbox")
    assert tuple(row) == ("cancelled", "{}")
    audit = await storage.db.fetchall("SELECT action, outcome, detail FROM audit_log ORDER BY id")
    assert [tuple(r) for r in audit][-2:] == [
        ("erase_member", "denied", f"erase member {ann.id}"),
        ("member_erase", "ok", f"member {ann.id}"),
    ]


async def cannot_come(services: Services, member: Member, reason: str) -> Directive:
    """A question to the member's unit, which they answer "I cannot", giving ``reason``."""
    cannot = Question((Choice("I can come"), Choice("I cannot", Reason.REQUIRED)))
    directive = await services.directives.create(
        Actor.console(),
        Draft((Target(member.unit_id, subtree=False),), "Who can come?", None, False,
              services.clock.now() + timedelta(hours=2), None, question=cannot),
    )  # fmt: skip
    await services.answers.answer(directive.id, member.telegram_id or 0, 1)
    await services.answers.give_reason(directive.id, member.telegram_id or 0, reason)
    return directive


async def test_erasing_a_member_blanks_the_reasons_they_gave(
    services: Services, clock: FakeClock, privacy: PrivacyService, tmp_path: Path
) -> None:
    """A reason for an answer is what they said: gone, now and in the history; the
    choice still counts in the headcount."""
    at(clock, "2026-12-01 10:00")
    ann = await member_in(services, tmp_path)
    directive = await cannot_come(services, ann, "Ann is in hospital")
    reasons = (
        "SELECT answer_reason FROM directive_recipients UNION ALL"
        " SELECT reason FROM directive_answers"
    )
    assert "Ann is in hospital" in [r[0] for r in await services.storage.db.fetchall(reasons)]
    await privacy.erase_member(Actor.console(), ann)
    assert {r[0] for r in await services.storage.db.fetchall(reasons)} == {None}
    headcount = await services.answers.headcount(Actor.console(), directive.id)
    assert headcount is not None and headcount.total.choices[1].members == 1


async def test_retention_blanks_old_reasons_and_keeps_the_answers(
    services: Services, clock: FakeClock, privacy: PrivacyService, tmp_path: Path
) -> None:
    at(clock, "2026-10-30 10:00")  # 32 days before: aged out when retention runs
    ann = await member_in(services, tmp_path)
    await cannot_come(services, ann, "night shift")
    at(clock, "2026-12-01 10:00")
    erased = await privacy.retention_tick()
    assert erased is not None and erased.reasons == 1
    rows = await services.storage.db.fetchall(
        "SELECT answer_choice, answer_reason FROM directive_recipients UNION ALL"
        " SELECT choice, reason FROM directive_answers"
    )
    assert [tuple(r) for r in rows] == [(1, None), (1, None), (1, None)]


@pytest.mark.sqlite_only
async def test_backup_is_a_working_copy(
    services: Services, clock: FakeClock, tmp_path: Path
) -> None:
    at(clock, "2026-12-01 10:00")
    ann = await member_in(services, tmp_path)
    target = tmp_path / "backup.db"
    size = await backup(services.storage.db, target)
    assert size == target.stat().st_size > 0
    async with aiosqlite.connect(target) as copy:
        rows = await copy.execute_fetchall("SELECT display_name FROM members")
        assert [r[0] for r in rows] == [ann.display_name]
        [check] = await copy.execute_fetchall("PRAGMA integrity_check")
        assert check[0] == "ok"
    with pytest.raises(BackupError, match="exists; choose a new file name"):
        await backup(services.storage.db, target)
    with pytest.raises(BackupError, match="is not a folder"):
        await backup(services.storage.db, tmp_path / "nowhere" / "b.db")
    assert not (tmp_path / "backup.db.part").exists()


def test_traces_are_whole_names_not_parts_of_other_words() -> None:
    """An erased "Ann" leaves "Annual leave" alone, and a Chinese name is found inside a
    sentence (Chinese has no spaces between words)."""
    ann = Traces(42, "Ann", "ann_x", "erased member #7")
    assert ann.scrub({"text": "Annual leave for Ann (@ANN_X, 42; 4217)", "from": {"id": 42}}) == {
        "text": "Annual leave for erased member #7 (@erased member #7, erased member #7; 4217)",
        "from": {"id": 0},
    }
    assert Traces(None, "张三", None, "已删除成员").scrub("张三已报到") == "已删除成员已报到"
