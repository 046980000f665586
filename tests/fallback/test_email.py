"""Email over SMTP against a real server on 127.0.0.1: STARTTLS on a test CA, AUTH, and
the faults a mail relay can answer with."""

from __future__ import annotations

from pathlib import Path

from bot.delivery.channels import ChannelMessage
from bot.delivery.channels.email import EmailChannel
from tests.fallback.refusal import refusal
from tests.fallback.smtp import PASSWORD, USER, SmtpServer, free_port, smtp_server

MESSAGE = ChannelMessage("fb-7", "li.wei@example.org", "Directive: sandbags", "Bring sandbags.")


def channel(server: SmtpServer, **overrides: object) -> EmailChannel:
    options: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "sender": "muster@example.org",
        "username": USER,
        "password": PASSWORD,
        "ca_file": str(server.ca_file),
        "timeout": 5.0,
    }
    options.update(overrides)
    return EmailChannel(**options)  # type: ignore[arg-type]


async def test_sends_over_starttls_with_auth(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as server:
        await channel(server).send(MESSAGE)
    [mail] = server.mailbox.received
    assert (mail["To"], mail["From"], mail["Subject"]) == (
        "li.wei@example.org",
        "muster@example.org",
        "Directive: sandbags",
    )
    assert mail["Message-ID"] == "<fb-7@muster>"
    assert mail.get_content() == "Bring sandbags.\r\n"  # SMTP lines end in CRLF
    assert server.mailbox.logins and all(ok for _, ok in server.mailbox.logins)


async def test_chinese_text_arrives_intact(tmp_path: Path) -> None:
    text = ChannelMessage("fb-8", "wang@example.cn", "通知：防汛", "请于18:00前确认。")
    with smtp_server(tmp_path) as server:
        await channel(server).send(text)
    [mail] = server.mailbox.received
    assert (mail["Subject"], mail.get_content()) == ("通知：防汛", "请于18:00前确认。\r\n")


async def test_a_wrong_password_fails_for_good(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as server:
        error = await refusal(channel(server, password="wrong"), MESSAGE)
    assert error.permanent and error.reason.startswith("SMTP 535")


async def test_a_4xx_is_retried_and_a_5xx_is_not(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as server:
        server.mailbox.answers += ["451 4.3.0 Try again later", "554 5.7.1 Rejected"]
        later = await refusal(channel(server), MESSAGE)
        refused = await refusal(channel(server), MESSAGE)
    assert (later.permanent, later.reason) == (False, "SMTP 451: 4.3.0 Try again later")
    assert (refused.permanent, refused.reason) == (True, "SMTP 554: 5.7.1 Rejected")
    assert server.mailbox.received == []


async def test_a_server_down_is_worth_a_retry(tmp_path: Path) -> None:
    down = SmtpServer("127.0.0.1", free_port(), tmp_path / "none.pem", None)  # type: ignore[arg-type]
    error = await refusal(channel(down, ca_file=None, timeout=2.0), MESSAGE)
    assert not error.permanent and error.reason.startswith("SMTP server:")


async def test_a_certificate_from_an_unknown_ca_is_refused(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as server:
        error = await refusal(channel(server, ca_file=None), MESSAGE)
    assert not error.permanent  # the relay may be fixed; the failure shows meanwhile
    assert server.mailbox.received == []
