"""A person as Telegram describes them, before or after they are a member."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kit.i18n import LANGUAGES
from storage.models import Member


@dataclass(frozen=True, slots=True)
class Person:
    telegram_id: int
    display_name: str
    username: str | None
    language_code: str | None


class InactiveMemberError(Exception):
    """A deactivated member tried to act as one (check in, take leave, duty, acknowledge):
    they stay in the records but take no part until reactivated."""

    def __init__(self, member: Member) -> None:
        super().__init__(f"member {member.id} is inactive")
        self.member = member


def require_active(member: Member) -> None:
    """The one check every member action makes first, in the service that does it."""
    if not member.active:
        raise InactiveMemberError(member)


def language_for(language_code: str | None, default: str) -> str:
    """Map a Telegram client language (``zh-hans``, ``en-GB`` …) onto a catalogue."""
    if language_code:
        base = language_code.lower().split("-")[0]
        if base in LANGUAGES:
            return base
    return default
