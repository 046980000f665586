"""What every multi-step conversation shares: its draft in ``user_data`` (persisted, so a
half-finished flow survives a restart) and its Back / Cancel buttons.

A draft is a dataclass (``DraftFlow``); ``Flow`` is what a flow has besides its draft."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from telegram import Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.kit.callbacks import Family, Tap
from bot.kit.typed import MAX_REASON, ReasonProblem, checked_reason
from handlers.kit.common import PRIVATE, MusterContext, Reply, say, toast

Handlers = Sequence[BaseHandler[Any, Any, Any]]
D = TypeVar("D")
log = logging.getLogger(__name__)


class StaleDraftError(Exception):
    """The stored draft no longer fits the flow (stored by an older version)."""


class Flow:
    def __init__(self, key: str, family: Family, cancelled: str) -> None:
        self.key = key  # where the draft lives in user_data
        self.family = family  # whose buttons; the flow's stale ones get a toast
        self.back = family.adopt(Tap, "b")
        self.cancel_button = family.adopt(Tap, "x")
        self.cancelled = cancelled  # the message saying the flow was left, nothing done

    def end(self, context: MusterContext) -> int:
        if context.user_data is not None:
            context.user_data.pop(self.key, None)
        return ConversationHandler.END

    def controls(self, reply: Reply, back: bool = True) -> list[tuple[str, str]]:
        row = [(reply.t("button-back"), self.back().pack())] if back else []
        return [*row, (reply.t("button-cancel"), self.cancel_button().pack())]

    async def cancel(self, update: Update, context: MusterContext) -> int:
        """Cancel button or /cancel: say nothing was done, and forget the draft."""
        reply = await Reply.to(update, context)
        if update.callback_query is not None:
            await reply.toast("")
            await reply.edit(self.cancelled)
        else:
            await reply.send(self.cancelled)
        return self.end(context)

    def conversation(
        self,
        *,
        entry_points: Handlers,
        states: dict[object, list[BaseHandler[Any, Any, Any]]],
    ) -> ConversationHandler[Any]:
        """The flow's ConversationHandler, persistent under its key, with the fallbacks
        every flow has: Cancel and /cancel, starting over, a toast for this flow's stale
        buttons, and a hint for anything typed where a button was expected."""
        # Tracked per user, not per message: a flow moves between messages. PTB warns
        # about exactly that; it is intended here.
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message=".*per_message=False", category=PTBUserWarning
            )
            return ConversationHandler(
                entry_points=list(entry_points),
                states={
                    state: [self._guarded(handler) for handler in handlers]
                    for state, handlers in states.items()
                },
                fallbacks=[
                    CallbackQueryHandler(self.cancel, pattern=self.cancel_button.pattern),
                    CommandHandler("cancel", self.cancel),
                    *entry_points,
                    CallbackQueryHandler(toast("button-stale"), pattern=self.family.pattern),
                    MessageHandler(PRIVATE & ~filters.COMMAND, say("use-buttons")),
                ],
                name=self.key,
                persistent=True,
                allow_reentry=True,
            )

    def _guarded(self, handler: BaseHandler[Any, Any, Any]) -> BaseHandler[Any, Any, Any]:
        """A step whose stored draft no longer fits says so and ends the flow, instead of
        failing (a draft left by an older version, read back after an upgrade)."""
        step: Callable[[Update, MusterContext], Awaitable[object]] = handler.callback

        async def guarded(update: Update, context: MusterContext) -> object:
            try:
                return await step(update, context)
            except StaleDraftError:
                reply = await Reply.to(update, context)
                if update.callback_query is not None:
                    await reply.toast("")
                await reply.send("draft-stale")
                return self.end(context)

        handler.callback = guarded
        return handler


class DraftFlow(Flow, Generic[D]):
    """A flow whose draft is the dataclass ``D``: JSON-able fields, each with a default
    (``app/persistence.py`` stores it as a dict, which comes back as a dict)."""

    def __init__(self, key: str, family: Family, cancelled: str, kind: type[D]) -> None:
        super().__init__(key, family, cancelled)
        self.kind = kind

    def fresh(self, context: MusterContext) -> D:
        """A new, empty draft (the flow starts over)."""
        assert context.user_data is not None
        draft = context.user_data[self.key] = self.kind()
        return draft

    def state(self, context: MusterContext) -> D:
        """The draft; StaleDraftError when the one stored cannot be read back."""
        draft = restore(context, self.key, self.kind)
        if draft is None:
            raise StaleDraftError(self.key)
        return draft


def restore(context: MusterContext, key: str, kind: type[D]) -> D | None:
    """The ``kind`` dataclass kept in ``user_data[key]`` (a new one when there is none),
    read back from the dict persistence stored; None, and dropped, when that dict no
    longer fits ``kind`` (left by an older version)."""
    assert context.user_data is not None
    held = context.user_data.get(key)
    if isinstance(held, kind):
        return held
    try:
        draft = kind() if held is None else kind(**held) if isinstance(held, dict) else None
    # Fields renamed or gone since it was stored, or a value its type no longer takes.
    except (TypeError, ValueError, KeyError):
        draft = None
    if draft is None:
        log.info("draft %s no longer fits, dropped", key)
        context.user_data.pop(key, None)
        return None
    context.user_data[key] = draft
    return draft


async def typed_reason(reply: Reply) -> str | None:
    """The reason typed at a flow's step (why a member could not be reached by phone, the
    reason a choice recorded for them asks), its spaces folded; None, with what is wrong
    said, when it is empty or too long (the step asks again)."""
    message = reply.update.message
    text = message.text if isinstance(message, Message) else None
    reason, problem = checked_reason(text or "")
    if problem is ReasonProblem.TOO_LONG:
        await reply.send("phone-reason-too-long", limit=MAX_REASON)
        return None
    if problem is not None:
        await reply.send("phone-reason-empty")
        return None
    return reason
