"""How directives read on a phone, in each member's language and local time.

Pure functions of stored rows: the delivery engine, the acknowledgement handler and the
composer's preview all render the same message the same way.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.directives.asking import answer_buttons
from bot.directives.buttons import Acknowledge
from bot.kit.i18n import Html, Translator, format_day
from storage.directives import Directive
from storage.fallback import ChannelTally
from storage.models import DirectiveStatus

# The words of a directive's state and of a recipient's delivery, in /directives,
# its exports and the dashboard.
STATE_KEYS = {
    "scheduled": "watch-state-scheduled",
    "sending": "watch-state-sending",
    "sent": "watch-state-sent",
    "cancelled": "watch-state-cancelled",
}
DELIVERY_KEYS = {
    "pending": "delivery-pending",
    "sending": "delivery-pending",
    "sent": "delivery-sent",
    "unreachable": "delivery-unreachable",
    "failed": "delivery-failed",
    "cancelled": "delivery-cancelled",
}


def local_when(
    i18n: Translator, language: str, moment: datetime, zone: ZoneInfo, now: datetime
) -> str:
    """``18:00``, ``18:00 tomorrow`` or ``Mon 30 Nov 18:00`` — the shortest that is clear."""
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    clock = local.strftime("%H:%M")
    days = (local.date() - today).days
    if days == 0:
        return i18n.t(language, "when-today", time=clock)
    if days == 1:
        return i18n.t(language, "when-tomorrow", time=clock)
    return i18n.t(language, "when-day", day=format_day(local, language), time=clock)


def directive_text(
    i18n: Translator,
    language: str,
    directive: Directive,
    from_unit: str,
    zone: ZoneInfo,
    now: datetime,
    *,
    acked_at: datetime | None = None,
) -> str:
    """Heading (who from, by when) over the author's text, and the acknowledgement line
    once there is one."""
    if directive.question is not None and directive.ack_deadline is not None:
        deadline = local_when(i18n, language, directive.ack_deadline, zone, now)
        heading = i18n.t(language, "directive-heading-answer", unit=from_unit, deadline=deadline)
    elif directive.ack_required and directive.ack_deadline is not None:
        deadline = local_when(i18n, language, directive.ack_deadline, zone, now)
        heading = i18n.t(language, "directive-heading-ack", unit=from_unit, deadline=deadline)
    else:
        heading = i18n.t(language, "directive-heading", unit=from_unit)
    parts = [heading, Html(directive.text)]
    if acked_at is not None:
        at = acked_at.astimezone(zone).strftime("%H:%M")
        # A ✅ after the deadline still counts (issue #16), and says it came late.
        due = directive.ack_deadline
        late = due is not None and acked_at > due
        key = "directive-acknowledged-late" if late else "directive-acknowledged-at"
        parts.append(i18n.t(language, key, time=at))
    elif directive.status is DirectiveStatus.CANCELLED:
        parts.append(i18n.t(language, "directive-withdrawn-line"))
    return "\n\n".join(parts)


def ack_buttons(
    i18n: Translator, language: str, directive: Directive
) -> list[list[tuple[str, str]]]:
    if directive.question is not None:  # answered, not acknowledged
        return answer_buttons(directive)
    if not directive.ack_required or directive.status is DirectiveStatus.CANCELLED:
        return []
    return [[(i18n.t(language, "button-acknowledge"), Acknowledge(directive.id).pack())]]


def channel_lines(
    i18n: Translator, language: str, directive: Directive, tallies: list[ChannelTally]
) -> list[str]:
    """Under the delivery line, a line per fallback channel: "email: 41 sent · 2 failed"."""
    names = {"email": "fallback-channel-email", "gateway": "fallback-channel-gateway"}
    return [
        i18n.t(
            language,
            "fallback-tally",
            channel=i18n.t(language, names.get(t.channel, "fallback-channel-gateway")),
            sent=t.sent,
            failed=t.failed,
            pending=t.pending,
            acked=t.acked,
            question=int(directive.question is not None),
        )
        for t in tallies
    ]


def reminder_text(
    i18n: Translator,
    language: str,
    directive: Directive,
    from_unit: str,
    zone: ZoneInfo,
    now: datetime,
) -> str:
    deadline = (
        local_when(i18n, language, directive.ack_deadline, zone, now)
        if directive.ack_deadline
        else ""
    )
    key = "directive-reminder-answer" if directive.question else "directive-reminder"
    return i18n.t(language, key, unit=from_unit, deadline=deadline)
