"""Grid duty on the schedule: each pass finds the shifts whose next step is due (ask to
confirm, remind, cut-off and cover, start prompt, no-show, end prompt) and queues the
messages through the outbox in the same transaction that records the step."""

from __future__ import annotations

from bot.services.container import Services


async def duty_tick(services: Services) -> int:
    """One pass; returns the number of steps taken."""
    return 0
