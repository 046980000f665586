"""A person as Telegram describes them, before or after they are a member."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import LANGUAGES


@dataclass(frozen=True, slots=True)
class Person:
    telegram_id: int
    display_name: str
    username: str | None
    language_code: str | None


def language_for(language_code: str | None, default: str) -> str:
    """Map a Telegram client language (``zh-hans``, ``en-GB`` …) onto a catalogue."""
    if language_code:
        base = language_code.lower().split("-")[0]
        if base in LANGUAGES:
            return base
    return default
