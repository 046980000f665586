"""The ``muster`` command line: what an administrator sees, and one line per failure."""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno
from PIL import Image

from app.cli import configure_logging, main
from bot.org.invites import QR_BORDER, QR_SCALE
from tests.orgdata import TREE

STAMP = "2026-11-29T08:00:00.000000Z"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "cli.db"
    monkeypatch.setenv("MUSTER_STORAGE__DATABASE", str(db))
    monkeypatch.setenv("MUSTER_TELEGRAM__BOT_USERNAME", "riverside_bot")
    return db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def org_file(tmp_path: Path, text: str = TREE) -> str:
    path = tmp_path / "org.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_config_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good = tmp_path / "good.toml"
    good.write_text(
        '[organisation]\nname = "X"\nadmins = [42]\n[telegram]\nbot_username = "x_bot"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MUSTER_TELEGRAM__TOKEN", "123:abc")
    assert run(capsys, "--config", str(good), "config", "check") == (0, "configuration ok\n", "")
    bad = tmp_path / "bad.toml"
    bad.write_text('[organisation]\ntimezone = "Mars/Base"\nadmins = "me"\n', encoding="utf-8")
    code, out, err = run(capsys, "--config", str(bad), "config", "check")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("organisation.timezone: 'Mars/Base' is not a known IANA timezone")
    assert lines[1].startswith("organisation.admins:")


def test_config_check_refuses_to_switch_off_the_organisation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "off.toml"
    path.write_text('[organisation]\nfeatures_off = ["duty", "org"]\n', encoding="utf-8")
    code, out, err = run(capsys, "--config", str(path), "config", "check")
    assert (code, out) == (2, "")
    assert err == (
        "organisation.features_off: org cannot be switched off: every other feature needs it\n"
    )


def test_config_check_warns_about_what_a_valid_file_lacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Valid but unusable in earnest: no admins, no token, no bot_username. It passes
    (exit 0), and says so, one ``warning: key: problem`` line each."""
    bare = tmp_path / "bare.toml"
    bare.write_text('[organisation]\nname = "X"\n', encoding="utf-8")
    code, out, err = run(capsys, "--config", str(bare), "config", "check")
    assert (code, out) == (0, "configuration ok\n")
    assert err.splitlines() == [
        "warning: organisation.admins: empty; nobody can grant roles in chat"
        " (add your Telegram user id)",
        "warning: telegram.token: not set; `muster run` will refuse to start"
        " (set MUSTER_TELEGRAM__TOKEN or telegram.token_file)",
        "warning: telegram.bot_username: not set; invite links can be printed only by asking"
        " Telegram with the token",
    ]


def test_global_options_after_the_subcommand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``muster config check --config X`` as well as ``muster --config X config check``."""
    bad = tmp_path / "bad.toml"
    bad.write_text('[organisation]\ntimezone = "Mars/Base"\n', encoding="utf-8")
    for argv in (
        ["config", "check", "--config", str(bad)],
        ["config", "--config", str(bad), "check"],
        ["--config", str(bad), "config", "check"],
    ):
        code, _, err = run(capsys, *argv)
        assert code == 2 and err.startswith("organisation.timezone: 'Mars/Base'"), argv
    good = tmp_path / "good.toml"
    good.write_text(f'[storage]\ndatabase = "{tmp_path / "other.db"}"\n', encoding="utf-8")
    run(capsys, "org", "import", org_file(tmp_path), "--config", str(good))
    assert (tmp_path / "other.db").exists()
    assert run(capsys, "org", "show", "--config", str(good))[1].startswith("CITY  City")
    # The subcommand's --config wins over the one before it, as the last word does.
    code, _, err = run(capsys, "--config", str(good), "config", "check", "--config", str(bad))
    assert code == 2


def test_config_path_from_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSTER_CONFIG", str(tmp_path / "missing.toml"))
    code, _, err = run(capsys, "config", "check")
    assert (code, err) == (2, f"{tmp_path / 'missing.toml'}: no such config file\n")


def test_org_import_show_and_idempotence(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = org_file(tmp_path)
    code, out, _ = run(capsys, "org", "import", path)
    assert (code, out) == (0, f"{path}: 5 added, 0 renamed, 0 moved, 0 timezone changed\n")
    assert run(capsys, "org", "import", path)[:2] == (0, f"{path}: no changes\n")
    _, out, _ = run(capsys, "org", "show")
    assert out.splitlines() == [
        "CITY  City Committee  — 0 members (0 in unit)"
        " · joined 0 / 0 · on Telegram 0 · fallback only 0 · unreachable 0",
        "  HIL  Hillside District  — 0 members (0 in unit)"
        " · joined 0 / 0 · on Telegram 0 · fallback only 0 · unreachable 0",
        "    HIL-1  Hillside Branch 1 [Asia/Urumqi]  — 0 members (0 in unit)"
        " · joined 0 / 0 · on Telegram 0 · fallback only 0 · unreachable 0",
        "  RIV  Riverside District  — 0 members (0 in unit)"
        " · joined 0 / 0 · on Telegram 0 · fallback only 0 · unreachable 0",
        "    RIV-1  Riverside Branch 1  — 0 members (0 in unit)"
        " · joined 0 / 0 · on Telegram 0 · fallback only 0 · unreachable 0",
    ]


def test_bad_org_file_changes_nothing(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = org_file(tmp_path, '[[unit]]\ncode = "A"\nname = "A"\nparent = "ZZ"\n')
    code, out, err = run(capsys, "org", "import", path)
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "org.toml line 4: parent 'ZZ' of unit A is unknown",
        "nothing was changed",
    ]
    assert (
        run(capsys, "org", "show")[1] == "no units yet: load them with 'muster org import FILE'\n"
    )


def test_invite_create_list_revoke(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "org", "import", org_file(tmp_path))
    code, out, _ = run(
        capsys, "invite", "create", "--unit", "RIV-1", "--role", "member", "--uses", "20",
        "--expires", "3d", "--approval",
    )  # fmt: skip
    assert code == 0
    match = re.search(r"link:  https://t\.me/riverside_bot\?start=([A-Za-z0-9_-]{24})\n", out)
    assert match is not None
    assert "uses: 20, expires 20" in out
    assert "needs approval" in out
    token = match.group(1)
    with sqlite3.connect(env) as conn:
        query = "SELECT token_hash, max_uses, requires_approval FROM invites"
        stored = conn.execute(query).fetchall()
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(), 20, 1)]
    _, out, _ = run(capsys, "invite", "list")
    assert out.startswith("1  RIV-1  member  used 0/20  until ")
    assert run(capsys, "invite", "revoke", "1")[:2] == (0, "invite 1 for RIV-1 revoked\n")
    assert run(capsys, "invite", "revoke", "1") == (
        1,
        "",
        "muster: that invite was already revoked\n",
    )
    assert run(capsys, "invite", "list")[1] == "no usable invites\n"


def test_invite_expiry_is_printed_in_local_time(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The organisation's time (or the unit's own), named, not UTC."""
    monkeypatch.setenv("MUSTER_ORGANISATION__TIMEZONE", "Asia/Shanghai")
    run(capsys, "org", "import", org_file(tmp_path))
    _, riv, _ = run(capsys, "invite", "create", "--unit", "RIV", "--role", "member")
    _, hil, _ = run(capsys, "invite", "create", "--unit", "HIL-1", "--role", "member")
    with sqlite3.connect(env) as conn:
        stored = [row[0] for row in conn.execute("SELECT expires_at FROM invites ORDER BY id")]
    expiry = [datetime.fromisoformat(value) for value in stored]
    shanghai = f"{expiry[0].astimezone(ZoneInfo('Asia/Shanghai')):%Y-%m-%d %H:%M} Asia/Shanghai"
    urumqi = f"{expiry[1].astimezone(ZoneInfo('Asia/Urumqi')):%Y-%m-%d %H:%M} Asia/Urumqi"
    assert f"  uses: 1, expires {shanghai}\n" in riv
    assert f"  uses: 1, expires {urumqi}\n" in hil
    _, listed, _ = run(capsys, "invite", "list")
    assert {line.split("until ")[1] for line in listed.splitlines()} == {shanghai, urumqi}


def test_invite_link_as_qr_code(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "org", "import", org_file(tmp_path))
    png = tmp_path / "riv.png"
    code, out, _ = run(
        capsys, "invite", "create", "--unit", "RIV", "--role", "member", "--qr", str(png)
    )
    assert code == 0 and f"  QR:    {png}\n" in out
    match = re.search(r"link:  (\S+)\n", out)
    assert match is not None
    # What segno encodes for the printed link, module by module, is what the PNG shows.
    expected = segno.make_qr(match.group(1), error="m", boost_error=False)
    with Image.open(png) as image:
        assert image.format == "PNG" and image.mode == "1"
        assert image.size == expected.symbol_size(scale=QR_SCALE, border=QR_BORDER)
        dark = [
            [
                image.getpixel(((x + QR_BORDER) * QR_SCALE + 5, (y + QR_BORDER) * QR_SCALE + 5))
                == 0
                for x in range(len(row))
            ]
            for y, row in enumerate(expected.matrix)
        ]
    assert dark == [[bool(module) for module in row] for row in expected.matrix]


def test_qr_needs_a_link(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "org", "import", org_file(tmp_path))
    monkeypatch.delenv("MUSTER_TELEGRAM__BOT_USERNAME")
    png = tmp_path / "q.png"
    argv = ["invite", "create", "--unit", "RIV", "--role", "member", "--qr", str(png)]
    assert run(capsys, *argv) == (
        1, "", "muster: --qr: set telegram.bot_username (or a token) to make the link\n",
    )  # fmt: skip
    assert not png.exists()
    assert run(capsys, "invite", "list")[1] == "no usable invites\n"


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["invite", "create", "--unit", "NOPE", "--role", "member"], 1,
         "muster: --unit: no unit with code 'NOPE'\n"),
        (["invite", "create", "--unit", "RIV", "--role", "member", "--expires", "7x"], 2,
         "muster: --expires: '7x' is not a duration like 30m, 12h, 7d or 2w\n"),
        (["invite", "create", "--unit", "RIV", "--role", "member", "--expires", "100d"], 2,
         "muster: --expires: 100d is longer than the maximum, 90d (invites.max_expiry)\n"),
        (["invite", "create", "--unit", "RIV", "--role", "member", "--uses", "0"], 2,
         "muster: --uses: 0 is not between 1 and 100000 (or use --unlimited)\n"),
        (["invite", "create", "--unit", "RIV", "--role", "member", "--uses", "-3"], 2,
         "muster: --uses: -3 is not between 1 and 100000 (or use --unlimited)\n"),
        (["invite", "create", "--unit", "RIV", "--role", "member", "--uses", "100001"], 2,
         "muster: --uses: 100001 is not between 1 and 100000 (or use --unlimited)\n"),
        (["invite", "create", "--unit", "RIV", "--role", "member", "--qr", "/nonexistent/q.png"],
         2, "muster: --qr: /nonexistent is not a directory\n"),
        (["invite", "create", "--unit", "RIV", "--role", "boss"], 2, None),
        (["role", "grant", "--member", "@ghost", "--unit", "RIV", "--role", "secretary"], 1,
         "muster: no member '@ghost' (name them by @username or Telegram id)\n"),
        (["frobnicate"], 2, None),
    ],
)  # fmt: skip
def test_errors_are_one_line(
    env: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    code: int,
    message: str | None,
) -> None:
    run(capsys, "org", "import", org_file(tmp_path))
    if message is not None:
        assert run(capsys, *argv) == (code, "", message)
        assert run(capsys, "invite", "list")[1] == "no usable invites\n"  # none left behind
        return
    # Usage errors come from argparse, which exits.
    with pytest.raises(SystemExit) as exited:
        main(argv)
    err = capsys.readouterr().err
    assert exited.value.code == code
    assert len(err.splitlines()) == 1 and err.startswith("muster: ")


def test_roles_members_and_audit(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "org", "import", org_file(tmp_path))
    with sqlite3.connect(env) as conn:
        unit_id = conn.execute("SELECT id FROM units WHERE code = 'RIV-1'").fetchone()[0]
        conn.execute(
            "INSERT INTO members (telegram_id, display_name, username, language, unit_id,"
            " joined_at, updated_at) VALUES (42, 'Lin', 'lin', 'zh', ?, ?, ?)",
            (unit_id, STAMP, STAMP),
        )
    argv = ["role", "grant", "--member", "@lin", "--unit", "RIV", "--role", "secretary"]
    assert run(capsys, *argv)[:2] == (0, "Lin is now secretary of RIV\n")
    assert run(capsys, *argv) == (1, "", "muster: the member already has that role\n")
    assert run(capsys, "member", "move", "--member", "42", "--unit", "HIL-1")[1] == (
        "Lin moved to HIL-1\n"
    )
    assert run(capsys, "member", "deactivate", "--member", "@lin")[1] == "Lin deactivated\n"
    _, out, _ = run(capsys, "audit")
    actions = [line.split()[4] for line in out.splitlines()]
    assert actions == ["import_org", "role_grant", "member_move", "member_deactivate"]
    assert all(line.split()[3] == "console" for line in out.splitlines())


def test_member_list(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "org", "import", org_file(tmp_path))
    assert run(capsys, "member", "list")[:2] == (0, "no members yet\n")
    with sqlite3.connect(env) as conn:
        units = dict(conn.execute("SELECT code, id FROM units"))
        conn.executemany(
            "INSERT INTO members (telegram_id, display_name, username, language, unit_id,"
            " joined_at, updated_at, unreachable_since, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (42, "Lin", "lin", "zh", units["RIV-1"], STAMP, STAMP, None, 1),
                (43, "王小明", None, "zh", units["RIV-1"], STAMP, STAMP,
                 "2026-11-30T02:00:00.000000Z", 1),
                (44, "Ann", "ann", "en", units["CITY"], "2026-11-28T20:00:00.000000Z", STAMP,
                 None, 1),
                (45, "Gone", "gone", "en", units["RIV"], STAMP, STAMP, None, 0),
                (46, "Hal", None, "en", units["HIL-1"], STAMP, STAMP, None, 1),
            ],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO roles (member_id, unit_id, role, granted_at) VALUES (?, ?, ?, ?)",
            [(1, units["RIV"], "secretary", STAMP), (3, units["CITY"], "coordinator", STAMP),
             (3, units["CITY"], "secretary", STAMP)],
        )  # fmt: skip
    code, out, _ = run(capsys, "member", "list")
    assert code == 0
    # Columns line up in a terminal, a Chinese character being two columns wide; dates are
    # the organisation's (UTC here).
    assert out.splitlines() == [
        "name    username  unit   roles                             joined      reachable",
        "Ann     @ann      CITY   coordinator CITY, secretary CITY  2026-11-28  yes",
        "Hal     -         HIL-1  -                                 2026-11-29  yes",
        "Lin     @lin      RIV-1  secretary RIV                     2026-11-29  yes",
        "王小明  -         RIV-1  -                                 2026-11-29"
        "  no, since 2026-11-30",
    ]
    code, out, _ = run(capsys, "member", "list", "--unit", "RIV")
    assert [line.split()[0] for line in out.splitlines()] == ["name", "Lin", "王小明"]
    assert run(capsys, "member", "list", "--unit", "HIL")[1].splitlines()[1].startswith("Hal ")
    assert run(capsys, "member", "list", "--unit", "NOPE") == (
        1, "", "muster: --unit: no unit with code 'NOPE'\n",
    )  # fmt: skip


def test_newer_database_is_refused(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "org", "show")[0] == 0
    with sqlite3.connect(env) as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, 'future', 'x')")
    code, _, err = run(capsys, "org", "show")
    assert code == 1
    assert err.startswith("muster: database ") and "schema version 99" in err
    assert len(err.splitlines()) == 1


def test_run_without_token_names_the_key(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run")
    assert code == 2
    assert err == "telegram.token: not set; set MUSTER_TELEGRAM__TOKEN or telegram.token_file\n"


def test_config_check_reads_the_token_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f'[telegram]\ntoken_file = "{tmp_path / "gone"}"\n', encoding="utf-8")
    code, _, err = run(capsys, "--config", str(path), "config", "check")
    assert code == 2 and err.startswith("telegram.token_file: cannot read")


def test_odd_member_names_are_just_unknown(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "org", "import", org_file(tmp_path))
    for odd in ("²", "9" * 25, "@"):
        code, _, err = run(capsys, "member", "deactivate", "--member", odd)
        assert code == 1 and err.startswith("muster: no member"), odd


def test_unreachable_telegram_creates_no_invite(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "org", "import", org_file(tmp_path))
    monkeypatch.delenv("MUSTER_TELEGRAM__BOT_USERNAME")
    monkeypatch.setenv("MUSTER_TELEGRAM__TOKEN", "123:abc")
    monkeypatch.setenv("MUSTER_TELEGRAM__API_BASE_URL", "http://127.0.0.1:9/bot")
    code, out, err = run(capsys, "invite", "create", "--unit", "RIV", "--role", "member")
    assert code == 1 and out == ""
    assert err.startswith("muster: Telegram: ") and len(err.splitlines()) == 1
    assert run(capsys, "invite", "list")[1] == "no usable invites\n"


def test_backup_and_erase(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "org", "import", org_file(tmp_path))
    with sqlite3.connect(env) as conn:
        unit_id = conn.execute("SELECT id FROM units WHERE code = 'RIV-1'").fetchone()[0]
        conn.execute(
            "INSERT INTO members (telegram_id, display_name, username, language, unit_id,"
            " joined_at, updated_at) VALUES (42, 'Lin', 'lin', 'zh', ?, ?, ?)",
            (unit_id, STAMP, STAMP),
        )
    copy = tmp_path / "copy.db"
    code, out, _ = run(capsys, "backup", str(copy))
    assert code == 0 and out.startswith(f"{copy}: ") and "a consistent copy of" in out
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT display_name FROM members").fetchall() == [("Lin",)]
    assert run(capsys, "backup", str(copy)) == (
        1, "", f"muster: {copy} exists; choose a new file name\n",
    )  # fmt: skip
    assert run(capsys, "member", "erase", "--member", "@lin") == (
        2, "", "muster: erasing Lin cannot be undone; add --yes\n",
    )  # fmt: skip
    assert run(capsys, "member", "erase", "--member", "@lin", "--yes")[:2] == (
        0, "member 1 erased\n",
    )  # fmt: skip
    with sqlite3.connect(env) as conn:
        assert conn.execute("SELECT display_name, telegram_id FROM members").fetchall() == [
            ("erased member #1", None)
        ]
    assert run(capsys, "member", "erase", "--member", "@lin", "--yes")[0] == 1  # gone
    _, out, _ = run(capsys, "audit")
    assert out.splitlines()[-1].split()[4:] == ["member_erase", "RIV-1", "member", "1"]


def test_webhook_needs_its_url_and_secret(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSTER_TELEGRAM__TOKEN", "123:abc")
    code, _, err = run(capsys, "run", "--webhook")
    assert code == 2
    assert err == "telegram.webhook_url: not set; the public URL Telegram posts to\n"
    monkeypatch.setenv("MUSTER_TELEGRAM__WEBHOOK_URL", "https://bot.example.org/telegram")
    code, _, err = run(capsys, "run", "--webhook")
    assert err == (
        "telegram.webhook_secret: not set; set MUSTER_TELEGRAM__WEBHOOK_SECRET or"
        " telegram.webhook_secret_file\n"
    )
    monkeypatch.setenv("MUSTER_TELEGRAM__WEBHOOK_SECRET", "short")
    code, _, err = run(capsys, "run", "--webhook")
    assert err == "telegram.webhook_secret: use 16 to 256 characters of A-Z, a-z, 0-9, _ and -\n"
    config = tmp_path / "c.toml"
    config.write_text('[telegram]\nwebhook_secret = "0123456789abcdef"\n', encoding="utf-8")
    code, _, err = run(capsys, "--config", str(config), "config", "check")
    assert code == 2 and err.startswith("telegram.webhook_secret: the secret must not be in")


def test_the_schedulers_per_run_lines_are_kept_out_of_the_log() -> None:
    """APScheduler logs "Running job" and "executed successfully" at INFO for every tick:
    99 of 108 lines in two minutes of a running bot."""
    root, noisy = logging.getLogger(), [logging.getLogger(n) for n in ("apscheduler", "httpx")]
    level = root.level
    try:
        configure_logging("INFO")
        root.setLevel(logging.INFO)  # what basicConfig does outside pytest's own handlers
        assert logging.getLogger("app.build").isEnabledFor(logging.INFO)  # the tick's line
        for name in ("apscheduler.executors.default", "apscheduler.scheduler", "httpx"):
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
            assert logging.getLogger(name).isEnabledFor(logging.WARNING), name
    finally:
        root.setLevel(level)
        for logger in noisy:
            logger.setLevel(logging.NOTSET)


def test_config_check_refuses_a_fallback_step_without_a_channel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ladder.toml"
    path.write_text(
        '[directives]\nladder = [{ after = "15m", step = "remind" },'
        ' { after = "90m", step = "fallback" }]\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "--config", str(path), "config", "check")
    assert (code, out) == (2, "")
    assert err == "directives.ladder[1].step: no fallback channel is configured\n"
