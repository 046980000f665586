"""``Feature``: the one record through which a feature plugs into the app.

Each wing (``handlers/<feature>/__init__.py``) exports its ``FEATURE``; ``app/features.py``
lists them and ``build_application`` loops over the ones switched on: their screens, their
schedule step, their outbox renderers and their commands in the menu and ``/help``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.config import FeatureName, Settings
from bot.delivery.engine import DeliveryEngine
from bot.delivery.outgoing import Renderer
from bot.org.authz import Actor
from bot.services import Services
from handlers.kit.common import MusterApp, MusterBot
from storage.models import Role
from storage.outbox import OutboxRow

Register = Callable[[MusterApp], None]
Prepare = Callable[[Sequence[OutboxRow]], Awaitable[None]]


class Audience(Enum):
    """Who sees a command in the menu and ``/help``."""

    STRANGER = 1  # not (yet) a member
    MEMBER = 2  # an active member
    WATCHER = 3  # a secretary or coordinator
    SECRETARY = 4
    ADMIN = 5
    ANYONE = 6

    def admits(self, actor: Actor) -> bool:
        if self is Audience.STRANGER:
            return actor.member is None and not actor.is_admin
        if self is Audience.MEMBER:
            return actor.member is not None and actor.member.active
        if self is Audience.WATCHER:
            return actor.is_admin or bool({Role.SECRETARY, Role.COORDINATOR} & actor.roles)
        if self is Audience.SECRETARY:
            return actor.is_admin or Role.SECRETARY in actor.roles
        if self is Audience.ADMIN:
            return actor.is_admin
        return True


@dataclass(frozen=True)
class MenuCommand:
    command: str
    description: str  # catalogue key of its one-line description
    audience: Audience
    # Its place in the menu, lowest first: everyday commands, then the staff's, then the
    # admin's, then those for anyone.
    rank: int


@dataclass(frozen=True)
class Tick:
    """What a schedule step may use: it asks the database what is due and does it."""

    services: Services
    bot: MusterBot
    delivery: DeliveryEngine


# (what, how many) for the tick's log line, e.g. ("duty step", 3).
Done = Sequence[tuple[str, int]]
ScheduleStep = Callable[[Tick], Awaitable[Done]]


@dataclass(frozen=True)
class Outbox:
    """A feature's outgoing message kinds, each with the renderer that words it when sent,
    and an optional look-up of a claimed batch at once (the engine's ``prepare``)."""

    renderers: Mapping[str, Renderer]
    prepare: Prepare | None = None


class RendererTable(Protocol):
    """A wing's renderers, as one object (``DutyRenderers``, …)."""

    def table(self) -> dict[str, Renderer]: ...


def outbox_from(renderers: Callable[[Services], RendererTable]) -> Callable[[Services], Outbox]:
    """The ``outbox`` of a wing whose renderers need no ``prepare``."""

    def outbox(services: Services) -> Outbox:
        return Outbox(renderers(services).table())

    return outbox


def counted(what: str, step: Callable[[Services], Awaitable[int]]) -> ScheduleStep:
    """A ``schedule`` step that is one call returning how much it did (``what``s)."""

    async def run(tick: Tick) -> Done:
        return [(what, await step(tick.services))]

    return run


@dataclass(frozen=True)
class Feature:
    name: FeatureName
    # Its handlers, in three passes over all features, since PTB tries them in order:
    # ``first`` ahead of every flow (the hot ✅), ``flows`` (conversations, and what must
    # come before plain commands), then ``screens`` (plain commands and buttons).
    flows: tuple[Register, ...] = ()
    screens: tuple[Register, ...] = ()
    first: tuple[Register, ...] = ()
    schedule: ScheduleStep | None = None
    outbox: Callable[[Services], Outbox] | None = None
    commands: tuple[MenuCommand, ...] = ()
    # Its sections of ``Settings`` (``bot/config.py``), checked by ``muster config check``.
    config: tuple[str, ...] = ()
    # ``bot/locales/{en,zh}/<catalogue>.ftl``.
    catalogue: str = ""
    # Whether the settings give it anything to do; a feature with nothing configured (no
    # report forms) stays out, so its commands are not offered. None: always in.
    configured: Callable[[Settings], bool] | None = None

    def __post_init__(self) -> None:
        if not self.catalogue:
            object.__setattr__(self, "catalogue", str(self.name))


def registrations(features: Sequence[Feature]) -> list[Register]:
    """Every feature's handler registrations, in the order PTB should try them."""
    return [
        *(register for feature in features for register in feature.first),
        *(register for feature in features for register in feature.flows),
        *(register for feature in features for register in feature.screens),
    ]


def outbox_of(features: Sequence[Feature], services: Services) -> Outbox:
    """The renderers of every feature's message kinds, and one ``prepare`` calling theirs."""
    renderers: dict[str, Renderer] = {}
    prepares: list[Prepare] = []
    for feature in features:
        if feature.outbox is None:
            continue
        outbox = feature.outbox(services)
        if clash := renderers.keys() & outbox.renderers.keys():
            raise ValueError(f"{feature.name}: message kinds {sorted(clash)} claimed twice")
        renderers.update(outbox.renderers)
        if outbox.prepare is not None:
            prepares.append(outbox.prepare)

    async def prepare(rows: Sequence[OutboxRow]) -> None:
        for each in prepares:
            await each(rows)

    return Outbox(renderers, prepare if prepares else None)
