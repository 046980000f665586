"""Point reads on the event loop's own connection: the same rows as a read on aiosqlite's
thread, a task's own writes seen at once, and no round trip to a thread for them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.services import Services
from storage import Storage
from storage.directives import Target
from storage.models import Member
from tests.orgdata import add_member, load_tree

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
DAY = date(2026, 12, 1)
TELEGRAM_ID = 4242


async def a_member(services: Services, tmp_path: Path) -> Member:
    await load_tree(services, tmp_path)
    unit = await services.storage.units.by_code("RIV-1")
    assert unit is not None
    return await add_member(services, TELEGRAM_ID, unit, "Ann Lee")


async def save(storage: Storage, member: Member, status: str) -> bool:
    _, first = await storage.checkins.save(
        member_id=member.id,
        unit_id=member.unit_id,
        day=DAY,
        answers={"status": status},
        excused=status == "sick",
        flagged=False,
        now=NOW,
    )
    return first


async def test_point_reads_return_what_the_thread_reads(services: Services, tmp_path: Path) -> None:
    storage, db = services.storage, services.storage.db
    member = await a_member(services, tmp_path)
    await save(storage, member, "post")
    for sql, params in [
        ("SELECT * FROM members WHERE telegram_id = ?", (TELEGRAM_ID,)),
        ("SELECT * FROM units WHERE id = ?", (member.unit_id,)),
        ("SELECT * FROM checkins WHERE member_id = ? AND day = ?", (member.id, "2026-12-01")),
        ("SELECT * FROM members WHERE telegram_id = ?", (1,)),  # none
    ]:
        inline, threaded = await db.fetchone_inline(sql, params), await db.fetchone(sql, params)
        assert (dict(inline) if inline else None) == (dict(threaded) if threaded else None)
    assert await storage.members.get(member.id) == member
    unit = await storage.units.get(member.unit_id)
    assert unit is not None and unit.code == "RIV-1"


async def test_a_task_reads_its_own_writes(services: Services, tmp_path: Path) -> None:
    storage = services.storage
    member = await a_member(services, tmp_path)
    assert await storage.checkins.get(member.id, DAY) is None
    assert await save(storage, member, "post") is True
    stored = await storage.checkins.get(member.id, DAY)
    assert stored is not None and stored.answers == {"status": "post"} and not stored.excused
    # An edit of the day's check-in replaces it, and says it is not the first.
    assert await save(storage, member, "sick") is False
    edited = await storage.checkins.get(member.id, DAY)
    assert edited is not None and edited.answers == {"status": "sick"} and edited.excused
    assert edited.id == stored.id
    # A profile change committed on the writer's thread is read at once on the loop's.
    async with storage.db.transaction() as conn:
        await storage.members.update_profile(
            conn, member.id, display_name="Ann Wong", username=None, now=NOW
        )
        # Inside the transaction the read is the writer's: its own uncommitted row.
        inside = await storage.members.by_telegram_id(TELEGRAM_ID)
        assert inside is not None and inside.display_name == "Ann Wong"
    renamed = await storage.members.by_telegram_id(TELEGRAM_ID)
    assert renamed is not None and renamed.display_name == "Ann Wong"


async def test_a_rolled_back_write_is_not_read(services: Services, tmp_path: Path) -> None:
    storage = services.storage
    member = await a_member(services, tmp_path)
    with pytest.raises(RuntimeError):
        async with storage.db.transaction() as conn:
            await storage.members.update_profile(
                conn, member.id, display_name="Nobody", username=None, now=NOW
            )
            raise RuntimeError("boom")
    again = await storage.members.by_telegram_id(TELEGRAM_ID)
    assert again is not None and again.display_name == "Ann Lee"


async def test_a_check_in_step_makes_no_round_trip_to_a_thread(
    services: Services, tmp_path: Path, hops: list[str]
) -> None:
    storage = services.storage
    member = await a_member(services, tmp_path)
    hops.clear()
    # What a check-in step reads and writes: the member, their unit, today's check-in,
    # and the check-in saved.
    assert await storage.members.by_telegram_id(TELEGRAM_ID) == member
    assert await storage.units.get(member.unit_id) is not None
    assert await storage.checkins.get(member.id, DAY) is None
    assert await save(storage, member, "post") is True
    assert hops == []
    # Scans and roll-ups stay on the thread.
    await storage.units.all()
    assert len(hops) == 1 and "FROM units ORDER BY path" in hops[0]


async def test_a_point_read_in_a_transaction_goes_to_the_writer(
    services: Services, tmp_path: Path, hops: list[str]
) -> None:
    storage = services.storage
    member = await a_member(services, tmp_path)
    async with storage.db.transaction():
        hops.clear()
        assert await storage.members.get(member.id) == member
    assert len(hops) == 2 and "FROM members WHERE id" in hops[0] and hops[1] == "COMMIT"


async def test_a_press_of_acknowledge_makes_no_round_trip_to_a_thread(
    services: Services, tmp_path: Path, hops: list[str]
) -> None:
    """2,000 members press ✅ within 2 s: a transaction per press (BEGIN, UPDATE, COMMIT on
    the writer's thread, under its one lock) queued them behind each other."""
    storage = services.storage
    member = await a_member(services, tmp_path)
    directive_id = await storage.directives.create(
        author_member_id=None,
        author_telegram_id=1,
        from_unit_id=member.unit_id,
        text="Report at 18:00",
        attachment=None,
        ack_required=True,
        ack_deadline=None,
        send_at=NOW,
        targets=[Target(member.unit_id, subtree=False)],
        now=NOW,
    )
    await storage.directives.materialise(directive_id, NOW)
    [row] = await storage.db.fetchall(
        "SELECT id FROM outbox WHERE directive_id = ? AND member_id = ?", (directive_id, member.id)
    )
    await storage.outbox.mark_sent(row["id"], 77, NOW)
    hops.clear()
    later = NOW + timedelta(minutes=3)
    assert await storage.directives.acknowledge(directive_id, member.id, NOW) == (NOW, True)
    assert await storage.directives.acknowledge(directive_id, member.id, later) == (NOW, False)
    assert await storage.directives.delivered_message(directive_id, member.id) == 77
    assert hops == []
    # Not a recipient: nothing stored.
    assert await storage.directives.acknowledge(directive_id, member.id + 1, NOW) == (None, False)


async def test_an_update_is_stored_in_one_statement_on_the_loop(
    services: Services, hops: list[str]
) -> None:
    """Every update is stored before it is handled: in a burst of a thousand a second, a
    transaction each (four hops to the writer's thread, under its lock) queued them all."""
    inbox = services.storage.inbox
    update = {"update_id": 7, "message": {"text": "你好"}}
    hops.clear()
    assert await inbox.store([update, {"update_id": 8}], NOW) == {7, 8}
    assert await inbox.store([update, {"update_id": 9}], NOW) == {9}  # 7 came again
    assert hops == []
    assert [u["update_id"] for u in await inbox.unprocessed()] == [7, 8, 9]
    [stored] = [u for u in await inbox.unprocessed() if u["update_id"] == 7]
    assert stored == update
