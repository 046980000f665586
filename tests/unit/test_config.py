"""Configuration: every problem named by its key, env over file, the token kept out of files."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.config import ConfigError, Settings, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path | None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return caught.value.problems


def test_example_config_is_valid() -> None:
    settings = load_settings(Path(__file__).parents[2] / "config.example.toml")
    assert settings.organisation.timezone == "Asia/Shanghai"
    assert settings.invites.default_expiry == timedelta(days=7)


def test_example_config_names_every_key() -> None:
    """The example claims to comment every key: each field of each section is there, set
    or commented out (secrets, which the file refuses, by their environment variable)."""
    text = (Path(__file__).parents[2] / "config.example.toml").read_text(encoding="utf-8")
    sections: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        header = re.match(r"^\[\[?([a-z_.]+)\]\]?", line)
        if header:
            current = header.group(1)
            sections.setdefault(current.split(".")[0], []).append(current)
        sections.setdefault(current.split(".")[0], []).append(line)
    missing = []
    for section, field in Settings.model_fields.items():
        model = field.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel), section
        lines = sections.get(section, [])
        for key in model.model_fields:
            written = any(
                re.match(rf"^#?\s*{key}\s*=", line) or line == f"{section}.{key}" for line in lines
            )
            if not written and f"MUSTER_{section}__{key}".upper() not in text:
                missing.append(f"{section}.{key}")
    assert missing == []


def test_every_bad_key_is_named(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[organisation]
timezone = "Mars/Olympus"
admins = [1, "two"]
default_language = "fr"
[telegram]
api_base_url = "ftp://example"
persistence_flush_seconds = 0
[invites]
default_expiry = "7x"
[checkin]
reminders = ["09:00", "25:00"]
[surveys]
enabled = true
""",
    )
    found = problems(path)
    assert "organisation.timezone: 'Mars/Olympus' is not a known IANA timezone" in found[0]
    assert any(p.startswith("organisation.admins[1]:") and "'two'" in p for p in found)
    assert any(p.startswith("organisation.default_language:") for p in found)
    assert "telegram.api_base_url: 'ftp://example' is not an http(s) URL" in found
    assert any(p.startswith("telegram.persistence_flush_seconds:") for p in found)
    assert "invites.default_expiry: '7x' is not a duration like 30m, 12h, 7d or 2w" in found
    assert "checkin.reminders[1]: '25:00' is not a time (write it like '18:00')" in found
    assert "surveys: unknown key" in found


def test_token_in_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\ntoken = "123:abc"\n')
    [problem] = problems(path)
    assert problem.startswith("telegram.token: the token must not be in the config file")
    assert "123:abc" not in problem


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[organisation]\nname = "Riverside"\ntimezone = "UTC"\n')
    monkeypatch.setenv("MUSTER_ORGANISATION__TIMEZONE", "Asia/Shanghai")
    monkeypatch.setenv("MUSTER_ORGANISATION__ADMINS", "[42, 43]")
    settings = load_settings(path)
    assert settings.organisation.name == "Riverside"  # from the file, not lost by the merge
    assert settings.organisation.timezone == "Asia/Shanghai"
    assert settings.organisation.admins == [42, 43]


def test_bad_environment_value_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSTER_ORGANISATION__TIMEZONE", "Nowhere/City")
    assert problems(None) == [
        "organisation.timezone: 'Nowhere/City' is not a known IANA timezone (e.g. Asia/Shanghai)"
    ]


def test_token_from_environment_or_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("777:from-file\n", encoding="utf-8")
    path = write(tmp_path, f'[telegram]\ntoken_file = "{token_file}"\n')
    assert load_settings(path).telegram.resolve_token() == "777:from-file"
    monkeypatch.setenv("MUSTER_TELEGRAM__TOKEN", "888:from-env")
    settings = load_settings(path)
    assert settings.telegram.resolve_token() == "888:from-env"
    assert "888:from-env" not in repr(settings)  # never shows up in a log line


def test_unreadable_token_file_names_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, f'[telegram]\ntoken_file = "{tmp_path / "missing"}"\n')
    settings = load_settings(path)
    with pytest.raises(ConfigError) as caught:
        settings.telegram.resolve_token()
    assert caught.value.problems[0].startswith("telegram.token_file: cannot read")


def test_missing_file_and_broken_toml(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope.toml") == [f"{tmp_path / 'nope.toml'}: no such config file"]
    broken = write(tmp_path, "[organisation\nname = 1")
    [problem] = problems(broken)
    assert "not valid TOML" in problem


def test_default_expiry_longer_than_max(tmp_path: Path) -> None:
    path = write(tmp_path, '[invites]\ndefault_expiry = "30d"\nmax_expiry = "7d"\n')
    assert problems(path) == ["invites.default_expiry: longer than invites.max_expiry"]


def test_bare_numbers_are_not_durations(tmp_path: Path) -> None:
    path = write(tmp_path, "[invites]\ndefault_expiry = 7\n")
    assert problems(path) == [
        "invites.default_expiry: 7 has no unit; write it like '30m', '12h' or '7d'"
    ]


def test_unparsable_environment_value_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSTER_ORGANISATION__ADMINS", "123456, 789")
    [problem] = problems(None)
    assert problem.startswith("organisation: a MUSTER_ORGANISATION__… environment value")


def test_checkin_form_is_checked_as_a_whole(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[checkin]
opens = "08:00"
closes = "07:00"
reminders = ["06:00"]
days_off = ["sat", "caturday"]

[[checkin.questions]]
id = "status"
kind = "single_choice"
prompt = { en = "Where?", zh = "在哪？" }

[[checkin.questions]]
id = "status"
kind = "number"
prompt = { en = "Temperature", zh = "体温" }
min = 42
max = 35

[[checkin.questions]]
id = "Bad Id"
kind = "dance"
prompt = { en = "?" }
""",
    )
    found = problems(path)
    assert (
        "checkin.days_off[1]: 'caturday' is not a weekday (mon, tue, wed, thu, fri, sat, sun)"
        in found
    )
    assert any(p.startswith("checkin.questions[2].id: 'Bad Id' must be") for p in found)
    assert any(p.startswith("checkin.questions[2].kind:") for p in found)
    assert "checkin.questions[2].prompt.zh: required but missing" in found


def test_checkin_cross_checks(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[checkin]
opens = "08:00"
closes = "07:00"
reminders = ["06:00"]

[[checkin.questions]]
id = "status"
kind = "single_choice"
prompt = { en = "Where?", zh = "在哪？" }

[[checkin.questions]]
id = "status"
kind = "number"
prompt = { en = "Temperature", zh = "体温" }
min = 42
max = 35
""",
    )
    assert problems(path) == [
        "checkin.closes: 07:00 is not after checkin.opens 08:00",
        "checkin.reminders[0]: 06:00 is outside the window 08:00-07:00",
        "checkin.questions[0].choices: a single_choice question needs choices",
        "checkin.questions[1].id: 'status' is already used by questions[0]",
        "checkin.questions[1].max: 35 is not above min 42",
    ]


def test_workdays_must_be_days_off_otherwise(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[checkin]
holidays = ["2026-10-10"]
workdays = ["2026-12-12", "2026-12-08", "2026-10-10", "2026-12-12"]
""",
    )
    assert problems(path) == [
        "checkin.workdays[1]: 2026-12-08 is a tue, a working day anyway (not in checkin.days_off)",
        "checkin.workdays[2]: 2026-10-10 is also in checkin.holidays; keep it in one",
        "checkin.workdays: a date is listed twice",
    ]


def test_duty_settings_are_checked(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[duty]
confirm_before = "2h"
cutoff_before = "3h"
no_show_grace = 30
[[duty.report]]
id = "where"
kind = "location"
prompt = { en = "Where?", zh = "哪里？" }
[[duty.report]]
id = "where"
kind = "number"
prompt = { en = "How many?", zh = "多少？" }
min = 5
max = 1
""",
    )
    found = problems(path)
    assert any(p.startswith("duty.no_show_grace:") and "no unit" in p for p in found)
    path.write_text(path.read_text().replace("no_show_grace = 30\n", ""))
    assert problems(path) == [
        "duty.cutoff_before: must be shorter than duty.confirm_before",
        "duty.remind_after: the reminder would come after the cut-off "
        "(make it shorter than confirm_before - cutoff_before)",
        "duty.report[0].kind: location is not allowed here (number, text, single_choice)",
        "duty.report[1].id: 'where' is listed twice",
        "duty.report[1].max: 1 is not above min 5",
    ]


def test_example_duty_section() -> None:
    settings = load_settings(Path(__file__).parents[2] / "config.example.toml")
    assert settings.duty.confirm_before == timedelta(hours=12)
    assert [q.id for q in settings.duty.report] == ["visits", "notes"]


def test_updates_handled_at_once_as_shipped_bounded_and_configurable() -> None:
    """256 at once, as PTB's stock setup: at 64, with a press holding its slot for two
    round trips of 50 ms or more, 2,000 presses in 2 s queued up (bench.burst)."""
    example = Path(__file__).parents[2] / "config.example.toml"
    assert load_settings(None).telegram.concurrent_updates == 256
    assert load_settings(example).telegram.concurrent_updates == 256
    assert load_settings(None, telegram={"concurrent_updates": 8}).telegram.concurrent_updates == 8
    with pytest.raises(ConfigError) as caught:
        load_settings(None, telegram={"concurrent_updates": 5000})
    assert "telegram.concurrent_updates" in str(caught.value)


def test_flag_escalate_after_is_checked(tmp_path: Path) -> None:
    path = write(tmp_path, '[checkin]\nflag_escalate_after = "soon"\n')
    assert problems(path) == [
        "checkin.flag_escalate_after: 'soon' is not a duration like 30m, 12h, 7d or 2w"
    ]
    path = write(tmp_path, '[checkin]\nflag_escalate_after = "30m"\n')
    assert problems(path) == [
        "checkin.flag_escalate_after: less than an hour gives nobody time to answer"
    ]
    path = write(tmp_path, '[checkin]\nflag_escalate_after = "24h"\n')
    assert load_settings(path).checkin.flag_escalate_after == timedelta(hours=24)
    assert load_settings(write(tmp_path, "")).checkin.flag_escalate_after is None  # off


LADDER = """[directives]
urgent_factor = 0.5
ladder = [
  { after = "15m", step = "remind" },
  { after = "30m", step = "secretaries" },
  { after = "60m", step = "coordinators", below = 0.8 },
]
"""


def test_the_ladder_example_loads_and_no_ladder_is_todays_chase(tmp_path: Path) -> None:
    from bot.directives.config import StepKind
    from bot.directives.ladder import Rung, ladder_of

    settings = load_settings(write(tmp_path, LADDER))
    assert ladder_of(settings.directives) == (
        Rung(0, StepKind.REMIND, timedelta(minutes=15)),
        Rung(1, StepKind.SECRETARIES, timedelta(minutes=30)),
        Rung(2, StepKind.COORDINATORS, timedelta(minutes=60), below=0.8),
    )
    assert settings.directives.urgent_factor == 0.5
    # Without a ladder: the reminder at the deadline, the secretaries escalation_grace later.
    default = load_settings(write(tmp_path, '[directives]\nescalation_grace = "2h"\n'))
    assert ladder_of(default.directives) == (
        Rung(0, StepKind.REMIND, timedelta(0), from_deadline=True),
        Rung(1, StepKind.SECRETARIES, timedelta(hours=2), from_deadline=True),
    )


def test_ladder_errors_name_the_step_and_key(tmp_path: Path) -> None:
    text = """[directives]
ladder = [
  { after = "30m", step = "remind", below = 0.5 },
  { after = "30m", step = "secretaries" },
  { after = "20m", step = "coordinators" },
  { after = "2h", step = "fallback" },
]
"""
    assert problems(write(tmp_path, text)) == [
        "directives.ladder[0].below: only a coordinators step lists units under a rate",
        "directives.ladder[1].after: 30m is not after the step before it (30m);"
        " list the steps in the order they run",
        "directives.ladder[2].after: 20m is not after the step before it (30m);"
        " list the steps in the order they run",
        "directives.ladder[3].step: no fallback channel is configured",
    ]
    text = """[directives]
urgent_factor = 2
ladder = [{ after = "soon", step = "call" }, { after = "1h", step = "coordinators", below = 80 }]
"""
    found = problems(write(tmp_path, text))
    assert [line.split(":")[0] for line in found] == [
        "directives.ladder[0].after",
        "directives.ladder[0].step",
        "directives.ladder[1].below",
        "directives.urgent_factor",
    ]
    assert (
        found[0] == "directives.ladder[0].after: 'soon' is not a duration like 30m, 12h, 7d or 2w"
    )


def test_claim_lease_is_bounded_and_named(tmp_path: Path) -> None:
    """Several instances: a chat waits this long for a dead instance's claim to run out."""
    assert load_settings(None).cluster.claim_lease_seconds == 10
    path = write(tmp_path, "[cluster]\nclaim_lease_seconds = 1\n")
    [problem] = problems(path)
    assert problem.startswith("cluster.claim_lease_seconds: ")
