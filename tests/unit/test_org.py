"""Organisation import: validated whole, idempotent, moves and renames keep members."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kit.clock import FakeClock
from bot.org.authz import Actor
from bot.org.service import OrgFileError
from bot.services import Services
from tests.orgdata import TREE, load_tree


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def import_problems(services: Services, path: Path) -> list[str]:
    with pytest.raises(OrgFileError) as caught:
        await services.org.import_file(Actor.console(), path)
    return caught.value.problems


async def test_import_builds_the_tree_and_show_counts_members(
    services: Services, tmp_path: Path, clock: FakeClock
) -> None:
    await load_tree(services, tmp_path)
    storage = services.storage
    branch = await storage.units.by_code("RIV-1")
    city = await storage.units.by_code("CITY")
    assert branch is not None and city is not None
    assert [u.code for u in await storage.units.ancestors(branch)] == ["CITY", "RIV"]
    await storage.members.add_many(
        [(1, "Ann", None, "en", branch.id), (2, "Bo", None, "zh", city.id)], clock.now()
    )
    lines = await services.org.tree()
    assert [(line.unit.code, line.own_members, line.total_members) for line in lines] == [
        ("CITY", 1, 2),
        ("HIL", 0, 0),
        ("HIL-1", 0, 0),
        ("RIV", 0, 1),
        ("RIV-1", 1, 1),
    ]
    hil1 = await storage.units.by_code("HIL-1")
    assert hil1 is not None and hil1.timezone == "Asia/Urumqi"


async def test_reimport_is_a_no_op(services: Services, tmp_path: Path) -> None:
    await load_tree(services, tmp_path)
    before = await services.storage.units.all()
    audit_before = await services.storage.audit.recent()
    changes = await services.org.import_file(Actor.console(), tmp_path / "org.toml")
    assert changes.empty
    assert await services.storage.units.all() == before
    assert await services.storage.audit.recent() == audit_before


async def test_edited_file_moves_and_renames_keeping_members(
    services: Services, tmp_path: Path, clock: FakeClock
) -> None:
    await load_tree(services, tmp_path)
    storage = services.storage
    branch = await storage.units.by_code("RIV-1")
    assert branch is not None
    await storage.members.add_many([(1, "Ann", None, "en", branch.id)], clock.now())
    edited = TREE.replace(
        'code = "RIV-1"\nname = "Riverside Branch 1"\nparent = "RIV"',
        'code = "RIV-1"\nname = "Hillside Branch 2"\nparent = "HIL"',
    )
    path = write(tmp_path, "edited.toml", edited)
    changes = await services.org.import_file(Actor.console(), path)
    assert changes.moved == ("RIV-1",) and changes.renamed == ("RIV-1",)
    moved = await storage.units.by_code("RIV-1")
    hil = await storage.units.by_code("HIL")
    assert moved is not None and hil is not None
    assert moved.id == branch.id and moved.parent_id == hil.id and moved.name == "Hillside Branch 2"
    assert [m.display_name for m in await storage.members.in_units([moved.id])] == ["Ann"]
    assert await storage.members.count_in_subtree(hil.path) == 1
    riv = await storage.units.by_code("RIV")
    assert riv is not None and await storage.members.count_in_subtree(riv.path) == 0


async def test_moving_a_subtree_moves_its_descendants(services: Services, tmp_path: Path) -> None:
    await load_tree(services, tmp_path)
    edited = TREE.replace(
        'code = "RIV"\nname = "Riverside District"\nparent = "CITY"',
        'code = "RIV"\nname = "Riverside District"\nparent = "HIL"',
    )
    await services.org.import_file(Actor.console(), write(tmp_path, "e.toml", edited))
    storage = services.storage
    leaf = await storage.units.by_code("RIV-1")
    assert leaf is not None
    assert [u.code for u in await storage.units.ancestors(leaf)] == ["CITY", "HIL", "RIV"]
    assert leaf.depth == 3


async def test_every_problem_is_listed_with_its_line_and_nothing_changes(
    services: Services, tmp_path: Path
) -> None:
    await load_tree(services, tmp_path)
    before = await services.storage.units.all()
    path = write(
        tmp_path,
        "bad.toml",
        """\
[[unit]]
code = "A"
name = "Alpha"
parent = "B"

[[unit]]
code = "B"
name = "Beta"
parent = "A"

[[unit]]
code = "A"
name = "Alpha again"

[[unit]]
code = "C"
name = "Gamma"
parent = "NOPE"

[[unit]]
code = "D"
name = "Delta"
parent = "D"
""",
    )
    found = await import_problems(services, path)
    # Each at the line of the offending key.
    assert "bad.toml line 12: code A is already used at bad.toml line 2" in found
    assert "bad.toml line 18: parent 'NOPE' of unit C is unknown" in found
    assert "bad.toml line 23: unit D is its own parent" in found
    assert any(p.startswith("bad.toml line 4: parents form a cycle: A → B → A") for p in found)
    assert await services.storage.units.all() == before


async def test_cycle_through_stored_units_is_caught(services: Services, tmp_path: Path) -> None:
    """CITY under RIV-1 would make CITY its own ancestor through units not in the file."""
    await load_tree(services, tmp_path)
    path = write(tmp_path, "c.toml", '[[unit]]\ncode = "CITY"\nname = "City"\nparent = "RIV-1"\n')
    found = await import_problems(services, path)
    assert len(found) == 1 and "parents form a cycle" in found[0]


async def test_field_problems(services: Services, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "f.toml",
        """\
[[unit]]
code = "bad code!"
name = "X"

[[unit]]
code = "OK"

[[unit]]
code = "TZ"
name = "Zoned"
timezone = "Moon/Base"
colour = "red"
""",
    )
    found = await import_problems(services, path)
    assert found == [
        "f.toml line 2: code 'bad code!' must be 1-32 letters, digits, '_', '.' or '-'",
        "f.toml line 5: name is missing for unit OK",  # no key: the entry's line
        "f.toml line 11: timezone 'Moon/Base' is not a known IANA timezone",
        "f.toml line 12: unknown key(s) colour",
    ]


async def test_every_kind_of_problem_at_once(services: Services, tmp_path: Path) -> None:
    """A bad timezone does not hide an unknown parent or a duplicate code: all are listed,
    in file order, each at its key's line."""
    path = write(
        tmp_path,
        "mixed.toml",
        """\
[[unit]]
code = "CITY"
name = "City"
timezone = "Asia/Shanghia"

[[unit]]
name = "Riverside"
code = "RIV"
parent = "CTY"

[[unit]]
code = "CITY"
name = "City again"
""",
    )
    assert await import_problems(services, path) == [
        "mixed.toml line 4: timezone 'Asia/Shanghia' is not a known IANA timezone",
        "mixed.toml line 9: parent 'CTY' of unit RIV is unknown",
        "mixed.toml line 12: code CITY is already used at mixed.toml line 2",
    ]
    assert await services.storage.units.all() == []


async def test_csv_import_with_line_numbers(services: Services, tmp_path: Path) -> None:
    good = write(
        tmp_path,
        "org.csv",
        "code,name,parent,timezone\nCITY,City,,\nD1,District 1,CITY,\n"
        "B1,Branch 1,D1,Asia/Shanghai\n",
    )
    changes = await services.org.import_file(Actor.console(), good)
    assert changes.added == ("CITY", "D1", "B1")
    bad = write(tmp_path, "bad.csv", "code,name,parent\nX1,Ex,\nX2,Ex2,MISSING\nX1,Dup,\n")
    found = await import_problems(services, bad)
    assert found == [
        "bad.csv line 3: parent 'MISSING' of unit X2 is unknown",
        "bad.csv line 4: code X1 is already used at bad.csv line 2",
    ]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("x.json", "{}", "expected a .toml or .csv file"),
        ("x.csv", "id,title\n1,a\n", "header must name the columns code,name,parent"),
        ("x.toml", "[[unit]\n", "not valid TOML"),
        ("x.toml", "[other]\na = 1\n", "unknown table(s) other"),
    ],
)
async def test_unusable_files(
    services: Services, tmp_path: Path, name: str, text: str, expected: str
) -> None:
    found = await import_problems(services, write(tmp_path, name, text))
    assert expected in found[0]


async def test_missing_file(services: Services, tmp_path: Path) -> None:
    found = await import_problems(services, tmp_path / "absent.toml")
    assert found == [f"{tmp_path / 'absent.toml'}: no such file"]


async def test_only_admins_import(services: Services, tmp_path: Path) -> None:
    from bot.org.authz import PermissionDeniedError

    path = write(tmp_path, "org.toml", TREE)
    stranger = Actor(telegram_id=5, member=None, grants=(), is_admin=False)
    with pytest.raises(PermissionDeniedError):
        await services.org.import_file(stranger, path)
    assert await services.storage.units.all() == []
    [entry] = await services.storage.audit.recent()
    assert (entry.actor_telegram_id, entry.action, entry.outcome) == (5, "import_org", "denied")


async def test_scoped_tree_shows_only_the_subtree(
    services: Services, tmp_path: Path, clock: FakeClock
) -> None:
    await load_tree(services, tmp_path)
    storage = services.storage
    riv = await storage.units.by_code("RIV")
    branch = await storage.units.by_code("RIV-1")
    hill = await storage.units.by_code("HIL-1")
    assert riv is not None and branch is not None and hill is not None
    await storage.members.add_many(
        [(1, "Ann", None, "en", branch.id), (2, "Bo", None, "en", hill.id)], clock.now()
    )
    lines = await services.org.tree([riv])
    assert [(line.unit.code, line.own_members, line.total_members) for line in lines] == [
        ("RIV", 0, 1),
        ("RIV-1", 1, 1),
    ]
