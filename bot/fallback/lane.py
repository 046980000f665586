"""The configured channels, as the delivery engine's channel lane drains them."""

from __future__ import annotations

from bot.delivery.channels import Channel
from bot.delivery.channels.email import EmailChannel
from bot.delivery.channels.gateway import GatewayChannel
from bot.delivery.channels.lane import ChannelLane
from bot.delivery.outgoing import Outcome
from bot.fallback.render import FallbackRenderer
from bot.fallback.service import FallbackService
from bot.kit.i18n import Translator
from storage.fallback import KIND
from storage.outbox import OutboxStatus


def channels_of(fallback: FallbackService) -> dict[str, Channel]:
    settings = fallback.settings
    channels: dict[str, Channel] = {}
    if (email := settings.email) is not None:
        channels["email"] = EmailChannel(
            host=email.host,
            port=email.port,
            sender=email.sender,
            starttls=email.starttls,
            username=email.username,
            password=email.password.get_secret_value() if email.password else None,
            timeout=email.timeout,
            rate_per_second=email.rate_per_second,
            ca_file=str(email.ca_file) if email.ca_file else None,
        )
    if (gateway := settings.gateway) is not None:
        channels["gateway"] = GatewayChannel(
            url=gateway.url,
            secret=gateway.secret.get_secret_value().encode(),
            timeout=gateway.timeout,
            rate_per_second=gateway.rate_per_second,
        )
    return channels


def build_lane(
    fallback: FallbackService, i18n: Translator, *, owner: str | None = None
) -> ChannelLane:
    """The lane for the configured channels (none configured: a lane that returns at once);
    ``owner``: this instance's id when several share PostgreSQL."""
    settings = fallback.settings

    async def failed(outcome: Outcome) -> None:
        """Each failure is audited (and counted in the directive's view)."""
        if outcome.status is not OutboxStatus.FAILED:
            return
        row = outcome.row
        await fallback.storage.audit.add(
            at=fallback.clock.now(),
            actor_telegram_id=None,
            action="fallback_failed",
            outcome="ok",  # the audit records ok or denied; the action says it failed
            unit_id=None,
            detail=f"directive {row.directive_id}: {row.channel} failed: {outcome.error}",
        )

    return ChannelLane(
        fallback.storage,
        fallback.clock,
        channels_of(fallback),
        {KIND: FallbackRenderer(fallback, i18n)},
        max_attempts=settings.max_attempts,
        max_backoff_seconds=settings.max_backoff_seconds,
        on_outcome=failed,
        owner=owner,
    )
