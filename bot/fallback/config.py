"""The ``[fallback]`` section: which channels exist, when a directive falls back to them,
and where the acknowledge links are served. With no channel, nothing changes.

Secrets never sit in the file: the SMTP password (``MUSTER_FALLBACK__EMAIL__PASSWORD``),
the gateway's shared secret (``MUSTER_FALLBACK__GATEWAY__SECRET``) and the links' signing
key (``MUSTER_FALLBACK__LINK_SECRET``) come from the environment.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from bot.kit.durations import Duration

# Keys that must come from the environment, as ``section.key`` under ``fallback``.
SECRET_KEYS = (("email", "password"), ("gateway", "secret"), (None, "link_secret"))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmailSettings(_Strict):
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65_535)
    # STARTTLS on a plain connection (port 587); the relay's certificate is verified.
    starttls: bool = True
    username: str | None = None
    password: SecretStr | None = None
    sender: str = Field(min_length=3, pattern=r".+@.+")
    # A private CA that signed the relay's certificate, besides the system's.
    ca_file: Path | None = None
    timeout: float = Field(default=30.0, gt=0, le=300)
    rate_per_second: float = Field(default=5.0, gt=0, le=100)


class GatewaySettings(_Strict):
    url: str = Field(pattern=r"^https?://")
    secret: SecretStr  # signs every request, and verifies the gateway's inbound replies
    timeout: float = Field(default=10.0, gt=0, le=120)
    rate_per_second: float = Field(default=5.0, gt=0, le=100)


class FallbackSettings(_Strict):
    email: EmailSettings | None = None
    gateway: GatewaySettings | None = None
    # How long after sending starts the silent, the blocked and those not on Telegram get
    # the directive by their channel (once per directive).
    after: Duration = timedelta(minutes=30)
    # Where the bot's web server is reached from outside (behind the reverse proxy): the
    # email's acknowledge link is <public_url>/fallback/ack/…; unset: no links.
    public_url: str | None = Field(default=None, pattern=r"^https?://")
    link_secret: SecretStr | None = None
    # In polling mode the web server listens here (with a webhook, on the webhook's).
    listen: str = "127.0.0.1"
    port: int = Field(default=8081, ge=0, le=65_535)
    max_attempts: int = Field(default=10, ge=1, le=100)
    max_backoff_seconds: float = Field(default=600.0, ge=0, le=86_400)

    @model_validator(mode="after")
    def _links_signed(self) -> Self:
        if self.public_url is not None and self.link_secret is None:
            raise ValueError(
                "link_secret: not set; acknowledge links need it"
                " (set MUSTER_FALLBACK__LINK_SECRET, 32 characters or more)"
            )
        if self.link_secret is not None and len(self.link_secret.get_secret_value()) < 32:
            raise ValueError("link_secret: use 32 characters or more")
        return self

    @property
    def configured(self) -> bool:
        return self.email is not None or self.gateway is not None

    @property
    def links(self) -> bool:
        """Whether acknowledge links (and the gateway's inbound replies) are served."""
        return self.configured and (self.public_url is not None or self.gateway is not None)


def secrets_in_file(data: dict[str, Any]) -> list[str]:
    """The fallback secrets found in a config file, each as a problem naming its key."""
    section = data.get("fallback")
    if not isinstance(section, dict):
        return []
    found = []
    for part, key in SECRET_KEYS:
        holder = section.get(part) if part else section
        if isinstance(holder, dict) and key in holder:
            name = f"fallback.{part}.{key}" if part else f"fallback.{key}"
            env = "MUSTER_" + name.upper().replace(".", "__")
            found.append(f"{name}: secrets must not be in the config file; set {env}")
    return found
