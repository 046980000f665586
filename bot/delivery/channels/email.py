"""Email over SMTP (``[fallback.email]``), with STARTTLS and AUTH, through aiosmtplib."""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from bot.delivery.channels import ChannelError, ChannelMessage

EMAIL = "email"


class EmailChannel:
    """One SMTP session per message: a fallback sends a few a second at most, and a
    session that broke mid-way is not worth mending."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        starttls: bool = True,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        rate_per_second: float = 5.0,
        ca_file: str | None = None,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.starttls = starttls
        self.username, self.password = username, password
        self.timeout = timeout
        self._rate = rate_per_second
        # A private CA (the organisation's own relay, or a test's) besides the system's.
        self._tls = ssl.create_default_context(cafile=ca_file) if ca_file else None

    @property
    def name(self) -> str:
        return EMAIL

    @property
    def rate_per_second(self) -> float:
        return self._rate

    async def send(self, message: ChannelMessage) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(usegmt=True)
        # Stable per outbox row: a mail sent twice after a lost answer threads as one.
        mail["Message-ID"] = f"<{message.key}@muster>"
        mail.set_content(message.text)
        try:
            await aiosmtplib.send(
                mail,
                hostname=self.host,
                port=self.port,
                start_tls=self.starttls,
                username=self.username,
                password=self.password,
                timeout=self.timeout,
                tls_context=self._tls,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0] if exc.recipients else None
            code = refused.code if refused else 550
            raise ChannelError(f"SMTP {code}: recipient refused", permanent=code >= 500) from None
        except aiosmtplib.SMTPResponseException as exc:
            # 4xx: try again later (greylisting, a full queue); 5xx: refused for good.
            raise ChannelError(
                f"SMTP {exc.code}: {exc.message}"[:200], permanent=exc.code >= 500
            ) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise ChannelError(f"SMTP server: {exc!r}"[:200]) from None

    async def close(self) -> None:
        """Nothing is kept open between messages."""
