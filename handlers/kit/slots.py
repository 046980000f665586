"""Typed entries of PTB's ``bot_data``: the live objects the composition root hands the
screens and the entry points (never persisted, see ``app/persistence.py``).

Each entry is a ``Slot``; nothing else reads ``bot_data`` by a string key, so a renamed or
mistyped entry is a mypy error rather than a ``KeyError`` in the middle of an update."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, cast

from telegram.ext import Application

from bot.delivery.engine import DeliveryEngine
from bot.services import Services

T = TypeVar("T")
AnyApp = Application[Any, Any, Any, Any, Any, Any]


class Slot(Generic[T]):
    """One entry of ``bot_data``, holding a ``T``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def of(self, app: AnyApp) -> T:
        """The entry; a KeyError names it when the app was not built with it."""
        return cast(T, app.bot_data[self.name])

    def find(self, app: AnyApp) -> T | None:
        return cast(T | None, app.bot_data.get(self.name))

    def put(self, app: AnyApp, value: T) -> None:
        app.bot_data[self.name] = value


SERVICES: Slot[Services] = Slot("services")
DELIVERY: Slot[DeliveryEngine] = Slot("delivery")
