"""Fallback channels: ways to reach a person off Telegram (email, an SMS gateway).

A channel takes a rendered plain-text message for one address and sends it, or says why
not (:class:`ChannelError`: worth a retry, or ``permanent``). Their outbox rows (the
``channel`` column, migration 0028) drain in a lane of their own (:mod:`.lane`), paced per
channel, with the outbox's guarantees, so that they never slow Telegram's sends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from storage.outbox import OutboxRow


@dataclass(frozen=True, slots=True)
class ChannelMessage:
    """One message for one address: ``key`` is stable per outbox row (a retry after a lost
    answer carries the same one, so the far side can drop the duplicate)."""

    key: str
    to: str
    subject: str
    text: str
    # Further fields for the far side (the gateway's JSON): the directive, the reply code.
    extra: Mapping[str, str | int] = field(default_factory=dict)


class ChannelError(Exception):
    """The channel did not take the message: retried with back-off unless ``permanent``
    (the address or the message is refused: trying again would not help)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Channel(Protocol):
    """A configured way out: its name (the outbox's ``channel``) and its own rate."""

    @property
    def name(self) -> str: ...

    @property
    def rate_per_second(self) -> float: ...

    async def send(self, message: ChannelMessage) -> None:
        """Hand the message over; raise :class:`ChannelError` when it was not taken."""
        ...

    async def close(self) -> None: ...


ChannelRenderer = Callable[[OutboxRow], Awaitable[ChannelMessage | None]]
"""Words a channel row at send time; ``None``: it became obsolete (acknowledged since)."""
