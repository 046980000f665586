"""Every button handler of the built application matches a declared payload (or a flow's
family, for its stale buttons): no screen answers data that no declaration builds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler

from bot.kit.callbacks import REGISTRY
from tests.flows.conftest import Harness


def _walk(handlers: list[BaseHandler[Any, Any, Any]]) -> Iterator[BaseHandler[Any, Any, Any]]:
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            yield from _walk(list(handler.entry_points))
            for state in handler.states.values():
                yield from _walk(list(state))
            yield from _walk(list(handler.fallbacks))
        else:
            yield handler


async def test_every_button_handler_uses_a_declared_payloads_pattern(harness: Harness) -> None:
    declared = {id(pattern) for pattern in REGISTRY.patterns()}
    buttons = [
        handler
        for group in harness.app.handlers.values()
        for handler in _walk(list(group))
        if isinstance(handler, CallbackQueryHandler)
    ]
    catch_all = [h for h in buttons if h.pattern is None]
    assert len(catch_all) == 1  # the last resort: "that button no longer applies"
    undeclared = [
        h.pattern for h in buttons if h.pattern is not None and id(h.pattern) not in declared
    ]
    assert undeclared == []
    assert len(buttons) > 60
