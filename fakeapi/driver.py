"""Feed one update at a time to a PTB ``Application`` and collect what the bot did.

``process_update`` runs the handlers to completion (for the default ``block=True``), so a
flow test needs no polling, sleeps or timeouts: send, then assert on the returned replies.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from telegram import Update
from telegram.ext import Application

from fakeapi.core import JSON, ApiCall, CallbackAnswer, FakeBotApi, SentMessage
from fakeapi.people import FakeUser

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class Replies(list[SentMessage]):
    """Messages sent or edited in the sender's chat while one update was handled, in order.

    ``everywhere`` also holds messages to other chats (e.g. notifications to organisers),
    ``calls`` every API call made, failed ones included.
    """

    def __init__(self, calls: list[ApiCall], chat_id: int | None) -> None:
        self.calls = calls
        self.everywhere = [c.message for c in calls if c.message is not None]
        super().__init__(m for m in self.everywhere if m.chat_id == chat_id)
        ok = [c for c in calls if c.ok]
        self.callback_answers = [
            CallbackAnswer.from_params(c.params) for c in ok if c.method == "answerCallbackQuery"
        ]
        self.deleted = [
            int(c.params["message_id"])
            for c in ok
            if c.method == "deleteMessage" and c.chat_id == chat_id
        ]

    @property
    def texts(self) -> list[str | None]:
        return [m.text for m in self]

    def to(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.everywhere if m.chat_id == chat_id]


class ChatDriver:
    """Drives an application with updates built by :class:`FakeUser`.

    With ``raise_errors`` (default) an exception escaping a handler is re-raised from
    :meth:`send` instead of only being logged by PTB, so a broken flow fails its test.
    Handlers registered with ``block=False`` still run in the background and may finish
    after :meth:`send` returns; use ``FakeBotApi.wait_for_call`` for those.
    """

    def __init__(
        self, application: AnyApplication, api: FakeBotApi, *, raise_errors: bool = True
    ) -> None:
        self.application = application
        self.api = api
        self.errors: list[BaseException] = []
        self.callback_answers: list[CallbackAnswer] = []
        self._raise_errors = raise_errors
        if raise_errors:
            application.add_error_handler(self._record_error)

    async def __aenter__(self) -> ChatDriver:
        """Initialises the application (getMe etc.); shut down again on exit."""
        await self.application.initialize()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.application.shutdown()

    async def send(self, user: FakeUser, update: JSON) -> Replies:
        """Process ``update`` (sent by ``user``) and return what the bot did in reply."""
        sender = _sender(update)
        if sender is not None and sender != user.id:
            raise ValueError(f"update was built by user {sender}, not {user.id}")
        update = self.api.observe_update(update)
        calls_before, errors_before = len(self.api.calls), len(self.errors)
        await self.application.process_update(Update.de_json(update, self.application.bot))
        replies = Replies(self.api.calls[calls_before:], _chat_id(update) or user.id)
        self.callback_answers.extend(replies.callback_answers)
        if self._raise_errors and len(self.errors) > errors_before:
            raise self.errors[errors_before]
        return replies

    async def _record_error(self, update: object, context: Any) -> None:
        if context.error is not None:
            self.errors.append(context.error)


def _payload(update: JSON) -> JSON:
    return next((v for k, v in update.items() if k != "update_id" and isinstance(v, dict)), {})


def _sender(update: JSON) -> int | None:
    sender = _payload(update).get("from")
    return int(sender["id"]) if sender else None


def _chat_id(update: JSON) -> int | None:
    payload = _payload(update)
    chat = payload.get("chat") or payload.get("message", {}).get("chat")
    return int(chat["id"]) if chat else None
