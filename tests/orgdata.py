"""Small organisation trees for tests."""

from __future__ import annotations

from pathlib import Path

from bot.services.authz import Actor
from bot.services.container import Services

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
