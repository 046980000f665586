"""The ``[dashboard]`` section: whether the Mini App is served, where Telegram opens it,
and how old its signed launch data (``initData``) may be."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.kit.durations import Duration

# Where the Mini App lives on the bot's web server (behind ``public_url``).
DASHBOARD_PATH = "/dashboard/"


class DashboardSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    # The bot's web server as reached from outside (HTTPS, the reverse proxy): Telegram
    # opens <public_url>/dashboard/. Telegram accepts only https:// for Mini Apps.
    public_url: str | None = None
    # Launch data older than this is refused (the page is reopened from the chat).
    max_age: Duration = timedelta(hours=1)
    # In polling mode the web server listens here, unless the fallback's pages are
    # served too (then on [fallback] listen/port: one server for both).
    listen: str = "127.0.0.1"
    port: int = Field(default=8081, ge=0, le=65_535)

    @field_validator("public_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https://[^\s?#]+", value):
            raise ValueError(f"{value!r} is not an https:// address (Telegram opens no other)")
        return value

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if self.enabled and self.public_url is None:
            raise ValueError(
                "public_url: not set; the dashboard needs the HTTPS address Telegram opens"
            )
        return self

    @property
    def url(self) -> str | None:
        """The Mini App's address, when it is served."""
        if not self.enabled or self.public_url is None:
            return None
        return self.public_url.rstrip("/") + DASHBOARD_PATH
