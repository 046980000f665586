"""``muster grid import`` and ``muster shift import``: what an administrator sees, one line
per problem, and nothing written unless they ask for the good rows."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.cli import main
from tests.unit.test_cli import STAMP, env, org_file, run  # noqa: F401 (env is a fixture)

GRIDS = (
    "code,name,unit,lat,lon,radius_m\n"
    "G1,Market Street,RIV-1,31.23,121.47,300\n"
    "G2,Hill Road,HIL-1,,,\n"
)
# The CLI runs on the system clock: shifts a month ahead are in the future.
DAY = (date.today() + timedelta(days=30)).isoformat()  # noqa: TID251 (the CLI checks dates against the real today)


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def loaded(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:  # noqa: F811
    """The test tree, two grids and two members (Lin in RIV-1, Mo in HIL-1)."""
    run(capsys, "org", "import", org_file(tmp_path))
    assert run(capsys, "grid", "import", write(tmp_path, "grids.csv", GRIDS))[0] == 0
    with sqlite3.connect(env) as conn:
        for telegram_id, name, code in ((42, "Lin", "RIV-1"), (43, "Mo", "HIL-1")):
            conn.execute(
                "INSERT INTO members (telegram_id, display_name, username, language, unit_id,"
                " joined_at, updated_at) SELECT ?, ?, lower(?), 'en', id, ?, ? FROM units"
                " WHERE code = ?",
                (telegram_id, name, name, STAMP, STAMP, code),
            )
    return env


def shifts(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT g.code, s.day, s.status FROM shifts s JOIN grids g ON g.id = s.grid_id"
            " ORDER BY s.id"
        ).fetchall()


def test_grid_import_reimport_and_update(
    loaded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "grids.csv", GRIDS)
    assert run(capsys, "grid", "import", path) == (0, f"{path}: no changes\n", "")
    toml = write(
        tmp_path, "grids.toml", '[[grid]]\ncode = "G2"\nname = "Hill Road East"\nunit = "HIL"\n'
    )
    assert run(capsys, "grid", "import", toml) == (0, f"{toml}: 0 added, 1 updated\n", "")
    with sqlite3.connect(loaded) as conn:
        row = conn.execute(
            "SELECT g.name, u.code FROM grids g JOIN units u ON u.id = g.unit_id"
            " WHERE g.code = 'G2'"
        ).fetchone()
    assert row == ("Hill Road East", "HIL")
    _, out, _ = run(capsys, "audit")
    assert [line.split()[4] for line in out.splitlines()].count("import_grids") == 2


def test_a_bad_grid_file_changes_nothing(
    loaded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "more.csv", "code,name,unit,lat,lon\nG3,Quay,NOPE,,\nG4,Pier,RIV,95,\n")
    code, out, err = run(capsys, "grid", "import", path)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        'more.csv line 2: There is no unit with the code "NOPE".',
        'more.csv line 3: The latitude "95" is not a number from -90 to 90.',
        "more.csv line 3: Give both lat and lon for a centre, or neither.",
        "nothing was changed",
    ]
    with sqlite3.connect(loaded) as conn:
        assert conn.execute("SELECT COUNT(*) FROM grids").fetchone() == (2,)


def test_shift_import_all_good(
    loaded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "grid,member,date,start,end,repeat_weeks\n"
        f"G1,@lin,{DAY},18:00,22:00,1\n"
        f"G2,43,{DAY},08:00,12:00,\n"
    )
    path = write(tmp_path, "shifts.csv", text)
    assert run(capsys, "shift", "import", path) == (
        0,
        f"{path}: 3 shifts from 2 rows imported\n",
        "",
    )
    later = (date.fromisoformat(DAY) + timedelta(weeks=1)).isoformat()
    assert shifts(loaded) == [
        ("G1", DAY, "assigned"),
        ("G1", later, "assigned"),
        ("G2", DAY, "assigned"),
    ]
    # Again: every row is already on the roster, and nothing is doubled.
    code, out, err = run(capsys, "shift", "import", path)
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == "nothing was changed"
    assert len(err.splitlines()) == 3 and len(shifts(loaded)) == 3


def test_shift_import_bad_rows_one_line_each_and_partial(
    loaded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "grid,member,date,start,end\n"
        f"G1,@lin,{DAY},18:00,22:00\n"
        f"G9,@lin,{DAY},18:00,22:00\n"
        f"G1,@mo,{DAY},18:00,22:00\n"
        f"G1,@lin,{DAY},18:00,noon\n"
    )
    path = write(tmp_path, "shifts.csv", text)
    code, out, err = run(capsys, "shift", "import", path)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        'shifts.csv line 3: There is no grid with the code "G9".',
        "shifts.csv line 4: Mo is not in Riverside Branch 1 or a unit below it,"
        " where grid G1 belongs.",
        'shifts.csv line 5: "noon" is not a time like 18:00.',
        "nothing was changed",
    ]
    assert shifts(loaded) == []
    code, out, err = run(capsys, "shift", "import", "--partial", path)
    assert (code, out) == (0, f"{path}: 1 shift from 1 row imported, 3 rows skipped\n")
    assert len(err.splitlines()) == 3
    assert shifts(loaded) == [("G1", DAY, "assigned")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "shifts.csv: The file is not text in UTF-8 or GB18030."),
        (b"who,when\nLin,today\n", "shifts.csv line 1: The first line must name the columns"),
        (b"x" * 1_000_001, "shifts.csv: The file is larger than 1 MB."),
    ],
)
def test_unreadable_shift_files(
    loaded: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    message: str,
) -> None:
    code, out, err = run(capsys, "shift", "import", write(tmp_path, "shifts.csv", content))
    assert (code, out) == (1, "")
    first, last = err.splitlines()
    assert first.startswith(message) and last == "nothing was changed"


@pytest.mark.usefixtures("env")
def test_missing_file_and_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "gone.csv"
    assert run(capsys, "shift", "import", str(missing)) == (
        1,
        "",
        f"muster: {missing}: no such file\n",
    )
    assert run(capsys, "grid", "import", str(missing))[2] == f"muster: {missing}: no such file\n"
    with pytest.raises(SystemExit) as exited:
        main(["shift", "import"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("muster: ")
