"""Leaders' reports in storage: the first filing wins, retention blanks old answers."""

from __future__ import annotations

from datetime import date

from bot.kit.clock import FakeClock
from bot.services import Services
from tests.orgdata import add_member, load_tree


async def test_first_filing_counts_and_retention_blanks_old_answers(
    services: Services, clock: FakeClock, tmp_path
) -> None:
    await load_tree(services, tmp_path)
    unit = await services.storage.units.by_code("RIV")
    assert unit is not None
    one = await add_member(services, 1, unit, "One")
    two = await add_member(services, 2, unit, "Two")
    reports, day, now = services.storage.reports, date(2026, 12, 1), clock.now()
    assert await reports.store("daily", unit.id, day, one.id, {"plans": "mine"}, now, replace=False)
    assert not await reports.store(
        "daily", unit.id, day, two.id, {"plans": "theirs"}, now, replace=False
    )
    filed = await reports.get("daily", unit.id, day)
    assert filed is not None and (filed.member_id, filed.answers) == (one.id, {"plans": "mine"})
    await services.storage.privacy.erase_before(date(2026, 12, 2), None)
    filed = await reports.get("daily", unit.id, day)
    assert filed is not None and (filed.member_id, filed.answers) == (one.id, {})
