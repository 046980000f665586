"""Flag cases without Telegram: the mention is escaped, retention takes the notes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.checkins.flagview import case_rows
from bot.kit.i18n import mention, translator
from bot.services import Services
from storage.cases import CaseState, Rung
from tests.orgdata import add_member, load_tree


def test_the_mention_links_the_person_and_escapes_the_name() -> None:
    assert mention(42, "<b>Ann & Co</b>") == (
        '<a href="tg://user?id=42">&lt;b&gt;Ann &amp; Co&lt;/b&gt;</a>'
    )
    assert mention(None, "Ann <3") == "Ann &lt;3"  # erased: no account to link


async def test_retention_takes_the_notes_and_keeps_the_cases(
    services: Services, tmp_path: Path
) -> None:
    await load_tree(services, tmp_path)
    storage, now = services.storage, services.clock.now()
    unit = await storage.units.by_code("RIV-1")
    assert unit is not None
    ann = await add_member(services, 701, unit, "Ann")
    saved, _ = await storage.checkins.save(
        member_id=ann.id,
        unit_id=unit.id,
        day=date(2026, 11, 2),
        answers={"status": "help"},
        excused=False,
        flagged=True,
        now=now,
    )
    async with storage.db.transaction() as conn:
        [case_id] = await storage.cases.open(
            conn,
            checkin_id=saved.id,
            questions=["status"],
            member_id=ann.id,
            unit_id=unit.id,
            day=saved.day,
            rung=Rung(unit.id, "secretary"),
            now=now,
        )
        assert await storage.cases.handle(conn, case_id, None, "Called Ann", now)
        # Handled twice: the second does not win.
        assert not await storage.cases.handle(conn, case_id, ann.id, "Me too", now)
    await storage.privacy.erase_before(date(2026, 11, 3), None)
    case = await storage.cases.get(case_id)
    assert case is not None and (case.state, case.note) == (CaseState.HANDLED, None)
    # A handled case has no buttons left.
    assert case_rows(translator(), "en", [case], services.checkins.form.questions) == []
