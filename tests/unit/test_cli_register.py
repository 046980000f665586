"""``muster member import | list | invites``: the member register at the console."""

from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

from app.register import qr_sheet
from tests.unit.test_cli import env, org_file, run  # noqa: F401 (env is a fixture)
from tests.unit.test_summary_charts import no_missing_glyph

REGISTER = """\
name,unit,phone,email,external_id
王芳,RIV-1,13800138000,wang@example.org,E1
Bo Chen,RIV-1,,,E2
Cy,HIL-1,+86 139 0013 9000,,
"""


def register_file(tmp_path: Path, text: str = REGISTER) -> str:
    path = tmp_path / "register.csv"
    path.write_text(text, encoding="gb18030")
    return str(path)


def test_import_list_and_not_joined(
    env: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(capsys, "org", "import", org_file(tmp_path))
    path = register_file(tmp_path)
    assert run(capsys, "member", "import", path) == (
        0, f"{path}: 3 added, 0 updated, 0 deactivated, 0 unchanged\n", "",
    )  # fmt: skip
    assert run(capsys, "member", "import", path)[1] == f"{path}: no changes (3 entries)\n"
    code, out, _ = run(capsys, "member", "list", "--unit", "RIV", "--not-joined")
    assert code == 0
    assert out.splitlines() == [
        "",
        "register: 2 expected, not joined",
        "name     unit   joined  phone           email",
        "Bo Chen  RIV-1  no      -               -",
        "王芳     RIV-1  no      +8613800138000  wang@example.org",
    ]
    out = run(capsys, "member", "list")[1]
    assert out.startswith("no members yet\n\nregister: 3 expected\n")


def test_a_bad_file_names_every_line_and_changes_nothing(
    env: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(capsys, "org", "import", org_file(tmp_path))
    bad = register_file(tmp_path, REGISTER + "Di,NOPE,,,\nEd,RIV,abc,,\n")
    assert run(capsys, "member", "import", bad) == (
        1,
        "",
        'register.csv line 5: There is no unit with the code "NOPE".\n'
        'register.csv line 6: "abc" is not a phone number.\n'
        "nothing was changed\n",
    )
    assert run(capsys, "member", "list", "--not-joined")[1] == (
        "everyone in the register has joined\n"
    )
    missing = str(tmp_path / "nope.csv")
    assert run(capsys, "member", "import", missing)[::2] == (1, "nope.csv: no such file\n")


def test_xlsx_register_and_printable_invites(
    env: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(capsys, "org", "import", org_file(tmp_path))
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [line.split(",") for line in REGISTER.splitlines()]:
        sheet.append(row)
    book.save(tmp_path / "register.xlsx")
    assert run(capsys, "member", "import", str(tmp_path / "register.xlsx"))[0] == 0

    out = tmp_path / "sheets"
    code, text, _ = run(capsys, "member", "invites", "--unit", "RIV", "--out", str(out))
    assert code == 0 and text.splitlines()[0] == "RIV-1: 2 entries, 2 invites, 1 QR pages"
    calls = openpyxl.load_workbook(out / "RIV-1-call-list.xlsx").active
    assert calls is not None
    rows = list(calls.iter_rows(values_only=True))
    assert rows[0] == ("name", "phone", "email", "joined", "invite link")
    assert [r[:4] for r in rows[1:]] == [
        ("Bo Chen", None, None, "no"),
        ("王芳", "+8613800138000", "wang@example.org", "no"),
    ]
    assert all(str(r[4]).startswith("https://t.me/riverside_bot?start=") for r in rows[1:])
    with Image.open(out / "RIV-1-qr-1.png") as image:
        assert image.format == "PNG"
    assert run(capsys, "member", "invites", "--unit", "NOPE", "--out", str(out))[::2] == (
        1, "muster: --unit: no unit with code 'NOPE'\n",
    )  # fmt: skip


def test_chinese_names_on_the_qr_sheet_have_their_glyphs() -> None:
    with no_missing_glyph(), warnings.catch_warnings():
        png = qr_sheet(
            [("王芳", "https://t.me/x?start=abc"), ("欧阳娜娜", "https://t.me/x?start=d")]
        )
    assert png.startswith(b"\x89PNG")


def test_erase_a_register_entry_of_someone_who_never_joined(
    env: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(capsys, "org", "import", org_file(tmp_path))
    run(capsys, "member", "import", register_file(tmp_path))
    assert run(capsys, "member", "erase", "--name", "Bo Chen")[::2] == (
        2, "--name needs --unit CODE\n",
    )  # fmt: skip
    assert run(capsys, "member", "erase", "--unit", "RIV-1", "--name", "Bo Chen")[::2] == (
        2, "erasing Bo Chen cannot be undone; add --yes\n",
    )  # fmt: skip
    assert run(capsys, "member", "erase", "--unit", "RIV-1", "--name", "Bo", "--yes")[::2] == (
        1, "no register entry named 'Bo' in RIV-1; see 'muster member list --unit RIV-1'\n",
    )  # fmt: skip
    assert run(capsys, "member", "erase", "--external-id", "E9", "--yes")[::2] == (
        1, "no register entry with external id 'E9'\n",
    )  # fmt: skip
    code, out, _ = run(capsys, "member", "erase", "--unit", "RIV-1", "--name", "Bo Chen", "--yes")
    assert (code, out.startswith("register entry ")) == (0, True)
    code, out, _ = run(capsys, "member", "erase", "--external-id", "E1", "--yes")
    assert code == 0
    listed = run(capsys, "member", "list")[1]
    assert "Bo Chen" not in listed and "王芳" not in listed and "13800138000" not in listed


TYPED = """\
name,unit,phone,email,external_id
Zhang San,RIV-1,+86 138 0013 8001,,E7
Li Si,RIV-1,,,E8
Wang Wu,RIV-1,+86 138 0013 8002,,E10
WANG  wu,RIV-1,+86 138 0013 8003,,E11
wang wu,RIV-1,+86 138 0013 8004,,
Wang Wu,HIL-1,+86 138 0013 8005,,E12
"""


def test_erase_finds_a_name_as_it_is_typed(
    env: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Case, spacing and full-width letters do not count; several matches are listed with
    their external ids and nothing is erased; no match says where to look."""
    run(capsys, "org", "import", org_file(tmp_path))
    run(capsys, "member", "import", register_file(tmp_path, TYPED))
    erase = ("member", "erase", "--unit", "RIV-1", "--yes", "--name")
    code, out, err = run(capsys, *erase, "  zhang  SAN ")
    assert (code, out.startswith("register entry "), err) == (0, True, "")
    code, out, err = run(capsys, *erase, "Ｌｉ\u3000ＳＩ")  # full-width, an ideographic space
    assert (code, out.startswith("register entry "), err) == (0, True, "")
    assert run(capsys, *erase, "wang wu") == (
        1,
        "",
        "3 register entries named 'wang wu' in RIV-1: Wang Wu (external id E10),"
        " WANG  wu (external id E11), wang wu (no external id); name one by --external-id\n",
    )
    assert run(capsys, *erase, "Zhao Liu")[::2] == (
        1, "no register entry named 'Zhao Liu' in RIV-1; see 'muster member list --unit RIV-1'\n",
    )  # fmt: skip
    listed = run(capsys, "member", "list", "--unit", "RIV-1")[1]
    assert "Zhang San" not in listed and "Li Si" not in listed
    assert "+8613800138001" not in listed and listed.lower().count("wang") == 3
    # The one named by its external id goes; the others stay.
    assert run(capsys, "member", "erase", "--external-id", "E11", "--yes")[0] == 0
    assert run(capsys, "member", "list", "--unit", "RIV-1")[1].lower().count("wang") == 2
