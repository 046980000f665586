"""A button that opens a Mini App (the dashboard) where the app's keyboards carry
``(label, callback data)`` pairs: its "data" is the Mini App's address behind a prefix no
callback data has (``bot/kit/callbacks.py`` prefixes are short words and a colon), and the
keyboard builders (``bot.delivery.raw.inline_button``) turn it into a ``web_app`` button."""

from __future__ import annotations

WEB_APP = "webapp:"


def web_app_button(label: str, url: str) -> tuple[str, str]:
    """A keyboard's ``(label, data)`` pair that opens the Mini App at ``url`` (https)."""
    return label, WEB_APP + url


def web_app_url(data: str) -> str | None:
    """The Mini App address of a ``web_app_button``'s data; None for callback data."""
    return data.removeprefix(WEB_APP) if data.startswith(WEB_APP) else None
