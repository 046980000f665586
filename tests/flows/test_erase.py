"""``muster member erase`` leaves nothing of the person in the database file: not in a
table (inbox, outbox, audit log …), not in free space, not in the write-ahead log, not in
a backup made afterwards."""

from __future__ import annotations

import json
import struct
from datetime import date
from pathlib import Path

import pytest

from app.backup import backup
from bot.config import RetentionSettings
from bot.org.authz import Actor
from fakeapi import FakeUser
from storage.db import SqliteDatabase
from storage.models import Role
from tests.flows.conftest import Harness
from tests.flows.test_checkin import local, newest
from tests.unit.test_checkins import form

TELEGRAM_ID = 987_654_321
NAME = "Zebulon Quixbury"
USERNAME = "zquixbury"
NOTE = "needle-in-note"


def traces(data: bytes) -> list[bytes]:
    """Which of the person's traces ``data`` holds (their id as text, or as SQLite stores
    an integer: four bytes, big-endian)."""
    needles = [
        NAME.encode(),
        USERNAME.encode(),
        NOTE.encode(),
        str(TELEGRAM_ID).encode(),
        struct.pack(">i", TELEGRAM_ID),
    ]
    return [n for n in needles if n in data]


def files(harness: Harness) -> dict[str, bytes]:
    store = harness.services.storage.db
    if not isinstance(store, SqliteDatabase):
        pytest.skip("reads SQLite's file")
    db = Path(store.path)
    wal = db.with_name(db.name + "-wal")
    return {
        "db": db.read_bytes(),
        "wal": wal.read_bytes() if wal.exists() else b"",
    }


async def send_through_inbox(harness: Harness, who: FakeUser, update: dict[str, object]) -> None:
    """As the running bot receives it: stored in the inbox first, then handled."""
    update = {**update, "update_id": harness.api.observe_update(update)["update_id"]}
    await harness.services.storage.inbox.store([update], harness.clock.now())
    await harness.send(who, update)


@pytest.fixture
async def zeb(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> FakeUser:
    """Zeb checks in, flagging a problem with a note (so the secretary's notice names
    him), takes a day of leave (audited under his Telegram id), all through the inbox."""
    monkeypatch.setattr(harness.services.checkins, "form", form())
    harness.clock.set(local("2026-12-01 08:00"))
    await harness.join(harness.person(702, "Sam", language="zh"), "RIV", Role.SECRETARY)
    zeb = harness.person(TELEGRAM_ID, NAME, username=USERNAME)
    await harness.join(zeb, "RIV-1")
    update = zeb.command("checkin")
    await send_through_inbox(harness, zeb, update)
    step = harness.api.last_message(TELEGRAM_ID)
    [step] = await harness.send(zeb, zeb.press(step, "Help"))
    for _ in range(2):
        step = newest(await harness.send(zeb, zeb.press(step, "Skip")))
    step = newest(await harness.send(zeb, zeb.message(NOTE)))
    step = newest(await harness.send(zeb, zeb.press(step, "Skip")))
    await harness.send(zeb, zeb.press(step, "✅ Submit"))
    await harness.run_due()
    member = await harness.services.storage.members.by_telegram_id(TELEGRAM_ID)
    assert member is not None
    actor = await harness.services.authz.actor(TELEGRAM_ID)
    day = date(2026, 12, 3)
    await harness.services.checkins.record_leave(actor, member, day, day, "other")
    sam = harness.person(702, "Sam", language="zh")  # his secretary looks at his leave
    await send_through_inbox(harness, sam, sam.command("leave", f"@{USERNAME}"))
    await harness.send(sam, sam.command("cancel"))
    return zeb


@pytest.mark.sqlite_only
async def test_erase_leaves_no_trace_in_the_file_its_log_or_a_later_backup(
    harness: Harness, zeb: FakeUser
) -> None:
    """Regression: after an erase the inbox kept his raw updates, the outbox the flag
    notice naming him, the audit log his Telegram id, and the file's free pages all of it."""
    storage = harness.services.storage
    notices = [m.text or "" for m in harness.api.sent_to(702)]
    assert any(t.startswith(f"⚠️ {NAME}（Riverside Branch 1）") for t in notices)
    before = files(harness)
    assert traces(before["db"] + before["wal"])  # the test can see them at all
    member = await storage.members.by_telegram_id(TELEGRAM_ID)
    assert member is not None

    await harness.services.privacy.erase_member(Actor.console(), member)

    after = files(harness)
    assert traces(after["db"]) == []
    assert traces(after["wal"]) == []
    copy = harness.tmp_path / "after-erase.db"
    await backup(storage.db, copy)
    assert traces(copy.read_bytes()) == []
    # The notice to the secretary is still recorded as sent, without its text.
    rows = await storage.db.fetchall(
        "SELECT status FROM outbox WHERE chat_id = 702 AND payload = '{}'"
    )
    assert [r["status"] for r in rows] == ["sent", "sent"]  # the join notice, the flag
    # The audit log keeps what was done, by whom no longer.
    audit = await storage.audit.recent()
    assert [e.actor_telegram_id for e in audit if e.action == "leave_record"] == [0]
    # The inbox keeps others' updates (naming him no more), none of his.
    rows = await storage.db.fetchall("SELECT payload FROM inbox")
    assert [json.loads(r["payload"])["message"]["text"] for r in rows] == [
        f"/leave @erased member #{member.id}"
    ]
    # What he counted for stays: one check-in that day, flagged.
    [row] = await storage.db.fetchall("SELECT answers, flagged FROM checkins")
    assert (row["answers"], row["flagged"]) == ("{}", 1)


@pytest.mark.sqlite_only
async def test_retention_leaves_no_old_details_in_the_file(
    harness: Harness, zeb: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Answers blanked by retention are not left readable in free space or the log, nor
    in the flag notice that quoted them."""
    privacy = harness.services.privacy
    monkeypatch.setattr(privacy, "settings", RetentionSettings(details_days=30))
    assert NOTE.encode() in b"".join(files(harness).values())
    harness.clock.set(local("2027-01-15 08:00"))
    erased = await privacy.retention_tick()
    assert erased is not None and (erased.checkins, erased.messages) == (1, 2)
    assert NOTE.encode() not in b"".join(files(harness).values())
