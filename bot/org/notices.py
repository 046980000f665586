"""Messages for a unit's secretaries (or, where it has none, the nearest ones above), or
for the administrators, each worded in the recipient's own language, as outbox rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.delivery.outgoing import notice_message
from bot.kit.i18n import Html
from bot.services import Services
from storage.models import Unit
from storage.outbox import NewMessage


async def to_secretaries(
    services: Services,
    unit: Unit,
    text: Callable[[str], Html],
    *,
    now: datetime,
    photo: str | None = None,
    buttons: Callable[[str], list[list[tuple[str, str]]]] | None = None,
) -> list[NewMessage]:
    """``text(language)`` (and ``buttons(language)``) for each secretary."""
    return [
        notice_message(
            secretary.telegram_id,
            text(secretary.language),
            not_before=now,
            member_id=secretary.id,
            photo=photo,
            buttons=buttons(secretary.language) if buttons else (),
        )
        for secretary in await services.authz.nearest_secretaries(unit)
        if secretary.telegram_id is not None
    ]


async def to_admins(
    services: Services, text: Callable[[str], Html], *, now: datetime
) -> list[NewMessage]:
    """``text(language)`` for each administrator (``organisation.admins``)."""
    return [
        notice_message(admin.telegram_id, text(admin.language), not_before=now)
        for admin in await services.invites.admins()
    ]
