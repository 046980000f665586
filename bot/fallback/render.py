"""How a directive reads by email and by SMS, worded when sent, in the person's language
(their member's, else the organisation's): plain text, with the acknowledge link or the
reply code. A message acknowledged meanwhile (by any path) or withdrawn is not sent."""

from __future__ import annotations

import html
import re

from bot.delivery.channels import ChannelMessage
from bot.delivery.channels.email import EMAIL
from bot.directives.answers import question_of
from bot.fallback.links import ack_url
from bot.fallback.service import FallbackService
from bot.kit.i18n import Translator, format_day
from bot.kit.zones import unit_zone
from storage.models import DirectiveStatus
from storage.outbox import OutboxRow

_TAG = re.compile(r"<[^>]+>")


def plain_text(telegram_html: str) -> str:
    """A directive's Telegram HTML as plain text (tags out, entities back)."""
    return html.unescape(_TAG.sub("", telegram_html))


class FallbackRenderer:
    def __init__(self, fallback: FallbackService, i18n: Translator) -> None:
        self.fallback = fallback
        self.i18n = i18n
        self.storage = fallback.storage

    async def __call__(self, row: OutboxRow) -> ChannelMessage | None:
        assert row.directive_id is not None and row.address is not None
        entry_id = int(row.payload["entry"])
        found = await self.storage.fallback.recipient(row.directive_id, entry_id)
        directive = await self.storage.directives.get(row.directive_id)
        if found is None or directive is None or directive.ack_deadline is None:
            return None
        if found.acked_at or found.telegram_acked or directive.status is DirectiveStatus.CANCELLED:
            return None
        i18n, language = self.i18n, self.i18n.language(found.language)
        origin = await self.storage.units.get(directive.from_unit_id)
        home = await self.storage.units.get(found.unit_id)
        local = directive.ack_deadline.astimezone(unit_zone(home, self.fallback.directives.zone))
        deadline = i18n.plain(
            language, "when-day", day=format_day(local, language), time=local.strftime("%H:%M")
        )
        unit = origin.name if origin else ""
        question = question_of(directive)
        body = plain_text(directive.text)
        if row.channel == EMAIL:
            subject = i18n.plain(language, "fallback-email-subject", unit=unit, deadline=deadline)
            lines = [subject, "", body, ""]
            settings = self.fallback.settings
            if settings.public_url is not None:
                url = ack_url(
                    settings.public_url,
                    self.fallback.link_secret(),
                    directive.id,
                    entry_id,
                    directive.ack_deadline + self.fallback.late,
                )
                key = "fallback-email-answer" if question else "fallback-email-ack"
                lines.append(i18n.plain(language, key, url=url))
            lines += ["", i18n.plain(language, "fallback-email-why")]
            return ChannelMessage(f"muster-{row.id}", row.address, subject, "\n".join(lines))
        if question is not None:
            options = " · ".join(f"{n} {c.label}" for n, c in enumerate(question.choices, 1))
            reply = i18n.plain(language, "fallback-sms-answer", code=found.code, choices=options)
        else:
            reply = i18n.plain(language, "fallback-sms-ack", code=found.code, deadline=deadline)
        text = f"{unit}: {body}\n{reply}"
        extra: dict[str, str | int] = {"directive": directive.id, "code": found.code}
        return ChannelMessage(f"muster-{row.id}", row.address, "", text, extra)
