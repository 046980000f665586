"""The ``[dashboard]`` section: whether the Mini App is served, where Telegram opens it,
and how old its signed launch data (``initData``) may be."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Self
from urllib.parse import urlsplit

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
    # Optional map tiles under the Duty view's grids: a URL template with {z}, {x} and {y}
    # (Web Mercator, e.g. an OpenStreetMap tile server). Unset, the map is plain SVG and
    # the page loads nothing from elsewhere.
    tiles: str | None = None
    # Shown under the map when tiles are drawn (most tile servers' terms require it).
    tiles_attribution: str = ""

    @field_validator("public_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https://[^\s?#]+", value):
            raise ValueError(f"{value!r} is not an https:// address (Telegram opens no other)")
        return value

    @field_validator("tiles")
    @classmethod
    def _tile_template(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.fullmatch(r"https://[^\s/?#{}]+/[^\s#]*", value):
            raise ValueError(
                f"{value!r} is not an https:// address (the page's policy loads no other)"
            )
        missing = [part for part in ("{z}", "{x}", "{y}") if part not in value]
        if missing:
            raise ValueError(
                f"{value!r} lacks {', '.join(missing)} (a tile is found by z, x and y)"
            )
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

    @property
    def tiles_origin(self) -> str | None:
        """The tile server's origin (scheme and host), which the page's policy allows."""
        if self.tiles is None:
            return None
        parts = urlsplit(self.tiles)
        return f"{parts.scheme}://{parts.netloc}"
