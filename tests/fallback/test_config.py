"""``[fallback]``: secrets only from the environment, every error naming its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '[fallback.email]\nhost = "smtp"\nsender = "a@b.c"\npassword = "x"\n',
            "fallback.email.password: secrets must not be in the config file;"
            " set MUSTER_FALLBACK__EMAIL__PASSWORD",
        ),
        (
            '[fallback.gateway]\nurl = "https://sms"\nsecret = "x"\n',
            "fallback.gateway.secret: secrets must not be in the config file;"
            " set MUSTER_FALLBACK__GATEWAY__SECRET",
        ),
        (
            '[fallback]\nlink_secret = "x"\n',
            "fallback.link_secret: secrets must not be in the config file;"
            " set MUSTER_FALLBACK__LINK_SECRET",
        ),
    ],
)
def test_a_secret_in_the_file_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(config(tmp_path, text))
    assert raised.value.problems == [problem]


def test_secrets_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSTER_FALLBACK__EMAIL__PASSWORD", "pw")
    monkeypatch.setenv("MUSTER_FALLBACK__GATEWAY__SECRET", "gw")
    monkeypatch.setenv("MUSTER_FALLBACK__LINK_SECRET", "k" * 32)
    text = (
        '[fallback]\npublic_url = "https://muster.example.org"\n'
        '[fallback.email]\nhost = "smtp.example.org"\nsender = "muster@example.org"\n'
        '[fallback.gateway]\nurl = "https://sms.example.org/send"\n'
    )
    settings = load_settings(config(tmp_path, text)).fallback
    assert settings.email is not None and settings.email.password is not None
    assert settings.email.password.get_secret_value() == "pw"
    assert settings.gateway is not None and settings.gateway.secret.get_secret_value() == "gw"
    assert settings.configured and settings.links


def test_a_gateway_without_its_secret_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(config(tmp_path, '[fallback.gateway]\nurl = "https://sms"\n'))
    assert raised.value.problems == ["fallback.gateway.secret: required but missing"]


def test_links_without_a_signing_key_are_refused(tmp_path: Path) -> None:
    text = '[fallback]\npublic_url = "https://muster.example.org"\n'
    with pytest.raises(ConfigError) as raised:
        load_settings(config(tmp_path, text))
    [problem] = raised.value.problems
    assert problem.startswith("fallback: link_secret: not set; acknowledge links need it")


def test_nothing_configured_by_default() -> None:
    assert not load_settings(None).fallback.configured
