"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd, in its own thread): STARTTLS
on a certificate made by a test CA (trustme), AUTH required, and answers the test sets."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "muster", "s3cret-pass"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    """What the server received, and what it answers next (one per message, then 250)."""

    received: list[EmailMessage] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.answers:
            return self.answers.pop(0)
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.received.append(mail)
        return "250 OK"


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    ca_file: Path
    mailbox: Mailbox

    def settings(self) -> dict[str, Any]:
        """The ``[fallback.email]`` section that sends through this server."""
        return {
            "host": self.host,
            "port": self.port,
            "username": USER,
            "password": PASSWORD,
            "sender": "muster@example.org",
            "ca_file": str(self.ca_file),
            "timeout": 5,
        }


@contextmanager
def smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    ca = trustme.CA()
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(tls)
    ca_file = tmp_path / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    mailbox = Mailbox()

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        mailbox.logins.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)  # False: the server answers 535

    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=tls,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, ca_file, mailbox)
    finally:
        controller.stop()
