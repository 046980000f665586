"""Small organisation trees for tests."""

from __future__ import annotations

from pathlib import Path

from bot.org.authz import Actor
from bot.services import Services
from storage.models import Member, Role, Unit

TREE = """\
[[unit]]
code = "CITY"
name = "City Committee"

[[unit]]
code = "RIV"
name = "Riverside District"
parent = "CITY"

[[unit]]
code = "HIL"
name = "Hillside District"
parent = "CITY"

[[unit]]
code = "RIV-1"
name = "Riverside Branch 1"
parent = "RIV"

[[unit]]
code = "HIL-1"
name = "Hillside Branch 1"
parent = "HIL"
timezone = "Asia/Urumqi"
"""


async def load_tree(services: Services, tmp_path: Path, text: str = TREE) -> None:
    path = tmp_path / "org.toml"
    path.write_text(text, encoding="utf-8")
    await services.org.import_file(Actor.console(), path)


async def add_member(
    services: Services, telegram_id: int, unit: Unit, name: str, role: Role | None = None
) -> Member:
    """A member of ``unit`` (and its ``role`` holder, when given), as a join would add."""
    async with services.storage.db.transaction() as conn:
        member_id = await services.storage.members.add(
            conn,
            telegram_id=telegram_id,
            display_name=name,
            username=name.lower(),
            language="en",
            unit_id=unit.id,
            now=services.clock.now(),
        )
        if role is not None:
            await services.storage.members.grant(
                conn, member_id, unit.id, role, services.clock.now()
            )
    member = await services.storage.members.by_telegram_id(telegram_id)
    assert member is not None
    return member
