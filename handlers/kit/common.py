"""What every handler needs: the services, the person's language, and a way to answer."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackContext, ConversationHandler, ExtBot, filters

from bot.delivery import raw
from bot.kit.callbacks import P
from bot.kit.i18n import Html, Translator
from bot.kit.people import InactiveMemberError, Person, language_for
from bot.org.authz import Action, Actor
from bot.org.service import TreeLine
from bot.services import Services
from handlers.kit.slots import DELIVERY, SERVICES, AnyApp
from storage.models import Member, Role

log = logging.getLogger(__name__)
T = TypeVar("T")

# Muster talks to people one by one; groups are ignored unless a flow says otherwise.
# Edits of old messages are not new requests: only fresh messages are answered.
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

Buttons = Sequence[Sequence[tuple[str, str]]]


# The bot's requests go through bot.delivery.reply_pacing.PacedReplies, whose per-request
# ``rate_limit_args`` are a dict of flags.
MusterBot = ExtBot[dict[str, bool]]


class MusterContext(CallbackContext[MusterBot, dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with the services at hand (kept in the unpersisted bot_data)."""

    @property
    def services(self) -> Services:
        return SERVICES.of(self.application)


MusterApp = Application[
    MusterBot, MusterContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]


ROLE_KEYS = {
    Role.MEMBER: "role-member",
    Role.SECRETARY: "role-secretary",
    Role.COORDINATOR: "role-coordinator",
}


def role_label(i18n: Translator, language: str, role: Role) -> str:
    return i18n.t(language, ROLE_KEYS[role])


def person_of(update: Update) -> Person:
    user = update.effective_user
    assert user is not None
    return Person(user.id, user.full_name, user.username, user.language_code)


async def actor_of(update: Update, context: MusterContext) -> Actor:
    user = update.effective_user
    assert user is not None
    return await context.services.authz.actor(user.id)


async def units_for(update: Update, context: MusterContext, action: Action) -> list[TreeLine]:
    """The units (tree order, member counts) where this person may take ``action``."""
    return await context.services.org.units_where(await actor_of(update, context), action)


async def units_or_refuse(
    reply: Reply, action: Action, detail: str, refusal: str
) -> list[TreeLine]:
    """The units where this person may take ``action``; with none anywhere, the refusal is
    audited (``detail``: the command) and said (``refusal``: its catalogue message), and
    the list is empty, for the flow to end."""
    lines = await units_for(reply.update, reply.context, action)
    if not lines:
        actor = await actor_of(reply.update, reply.context)
        await reply.context.services.authz.refuse(actor, action, detail)
        await reply.send(refusal)
    return lines


async def language_of(update: Update, context: MusterContext) -> str:
    """The member's chosen language, else their Telegram client's, else the default."""
    return (await identify(update, context))[0]


async def identify(update: Update, context: MusterContext) -> tuple[str, Member | None]:
    """The language to answer in and the member behind the update (None for a stranger),
    from one lookup that also keeps the member's Telegram profile current."""
    user = update.effective_user
    default = context.services.settings.organisation.default_language
    if user is None:
        return default, None
    member = await context.services.membership.touch(person_of(update))
    if member is not None:
        return member.language, member
    return language_for(user.language_code, default), None


def keyboard(rows: Buttons) -> InlineKeyboardMarkup:
    return _keyboard(tuple(tuple(row) for row in rows))


@functools.lru_cache(maxsize=4096)
def _keyboard(rows: tuple[tuple[tuple[str, str], ...], ...]) -> InlineKeyboardMarkup:
    """Made once per set of buttons and language: building one is a dozen PTB objects on
    every reply, and PTB's objects are frozen, so one can go with any number of messages."""
    return InlineKeyboardMarkup(
        [[raw.inline_button(text, data) for text, data in row] for row in rows]
    )


@functools.lru_cache(maxsize=4096)
def _encoded_keyboard(rows: tuple[tuple[tuple[str, str], ...], ...]) -> str:
    return raw.encoded(_keyboard(rows))


def encoded_keyboard(rows: Buttons) -> str:
    """``keyboard`` as the JSON text a raw request takes (bot/delivery/raw.py), made once."""
    return _encoded_keyboard(tuple(tuple(row) for row in rows))


class Reply:
    """Answers one update in the person's language."""

    def __init__(
        self, update: Update, context: MusterContext, language: str, member: Member | None = None
    ) -> None:
        self.update = update
        self.context = context
        self.language = language
        # The sender as a member when known (``Reply.to`` looks it up), else None.
        self.member = member
        self._answered = False  # the pressed button's callback query, once answered

    @classmethod
    async def to(cls, update: Update, context: MusterContext) -> Reply:
        return cls(update, context, *await identify(update, context))

    def t(self, key: str, /, **args: Any) -> Html:
        return self.context.services.i18n.t(self.language, key, **args)

    def label(self, key: str, /, **args: Any) -> str:
        """Plain text for a button or a toast (not HTML: names are not escaped)."""
        return self.context.services.i18n.plain(self.language, key, **args)

    def fold(
        self,
        items: Sequence[T],
        word: Callable[[T], str],
        *,
        count: int | None = None,
        chars: int | None = None,
    ) -> list[str]:
        """The items that fit, worded, then "…and N more" (see ``Translator.fold``)."""
        return self.context.services.i18n.fold(self.language, items, word, count=count, chars=chars)

    def duration(self, delta: timedelta) -> str:
        """``3 min``, ``1 h 30 min`` (see ``Translator.duration``)."""
        return self.context.services.i18n.duration(self.language, delta)

    def pressed(self, kind: type[P]) -> P:
        """The pressed button's payload, for a handler matched on ``kind.pattern`` (so it
        parses; a payload whose fields need more checks is parsed with ``kind.parse``)."""
        query = self.update.callback_query
        found = kind.parse(query.data if query is not None else None)
        if found is None:
            raise ValueError(f"{kind.__name__} handler got {query and query.data!r}")
        return found

    def role(self, role: Role) -> str:
        return role_label(self.context.services.i18n, self.language, role)

    async def send(self, key: str, buttons: Buttons | None = None, /, **args: Any) -> Message:
        return await self.send_text(self.t(key, **args), buttons)

    async def send_text(self, text: str, buttons: Buttons | None = None) -> Message:
        await self._answer_first()
        chat = self.update.effective_chat
        assert chat is not None
        return await self.context.bot.send_message(
            chat.id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(buttons) if buttons else None,
            disable_web_page_preview=True,
        )

    async def show(
        self, key: str, buttons: Buttons | None = None, /, *, new: bool, **args: Any
    ) -> None:
        """``show_text`` of a catalogue message."""
        await self.show_text(self.t(key, **args), buttons, new=new)

    async def show_text(self, text: str, buttons: Buttons | None, *, new: bool) -> None:
        """Send a new message, or edit the one whose button was pressed."""
        if new:
            await self.send_text(text, buttons)
        else:
            await self.edit_text(text, buttons)

    async def edit(self, key: str, buttons: Buttons | None = None, /, **args: Any) -> None:
        """Edit the message whose button was pressed; send anew if that is not possible."""
        await self.edit_text(self.t(key, **args), buttons)

    async def edit_text(self, text: str, buttons: Buttons | None = None) -> None:
        await self._answer_first()
        query = self.update.callback_query
        if query is None or query.message is None or not isinstance(query.message, Message):
            await self.send_text(text, buttons)
            return
        message = query.message
        # Telegram's answer is not read back (bot/delivery/raw.py): building the edited
        # Message from it, and PTB's encoding of the keyboard, were a quarter of a check-in
        # step's time in-process (bench.capacity). The request is message.edit_text's.
        fields = raw.html_text(text, encoded_keyboard(buttons) if buttons else None)
        try:
            await raw.edit_text(self.context.bot, message.chat_id, message.message_id, fields)
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            await self.send_text(text, buttons)

    async def toast(self, key: str, /, **args: Any) -> None:
        """Answer the pressed button with a short notice (or silently when key is empty).
        Call it before anything else is sent for the press: the person's spinner stops
        only then, and the answer takes no share of the sending limits, so it goes out at
        once (bot/delivery/reply_pacing.py)."""
        query = self.update.callback_query
        if query is not None and not self._answered:
            self._answered = True
            await answer_quietly(query, self.label(key, **args) if key else None)

    async def _answer_first(self) -> None:
        """A press that was not answered yet is answered (silently) before the reply or
        edit it causes, which may wait for its chat's limits."""
        if not self._answered and self.update.callback_query is not None:
            await self.toast("")


Callback = Callable[[Update, MusterContext], Coroutine[Any, Any, None]]


def say(key: str) -> Callback:
    """A handler that answers with one fixed message, in the person's language."""

    async def handler(update: Update, context: MusterContext) -> None:
        await (await Reply.to(update, context)).send(key)

    return handler


def toast(key: str) -> Callback:
    """A button handler that answers with one fixed notice and changes nothing."""

    async def handler(update: Update, context: MusterContext) -> None:
        await (await Reply.to(update, context)).toast(key)

    return handler


R = TypeVar("R")


def member_action(
    callback: Callable[[Update, MusterContext], Coroutine[Any, Any, R]],
) -> Callable[[Update, MusterContext], Coroutine[Any, Any, R | int]]:
    """A handler of something only an active member does. The service refuses an
    inactive member (``require_active``); here that becomes a message in their language,
    and the end of any flow the handler belongs to."""

    @functools.wraps(callback)
    async def handler(update: Update, context: MusterContext) -> R | int:
        try:
            return await callback(update, context)
        except InactiveMemberError:
            reply = await Reply.to(update, context)
            await reply.toast("")  # a press already answered stays answered
            await reply.send("member-inactive")
            return ConversationHandler.END

    return handler


async def answer_quietly(query: CallbackQuery, text: str | None = None) -> None:
    """A callback answer that fails (query too old) must not break the flow."""
    try:
        await query.answer(text)
    except TelegramError as exc:
        log.info("callback answer failed: %s", exc)


def command_args(context: MusterContext) -> list[str]:
    return list(context.args or [])


def wake_delivery(context: MusterContext) -> None:
    """Tell the outbox worker that rows were just queued, rather than wait for its tick."""
    wake_engine(context.application)


def wake_engine(app: AnyApp) -> None:
    """``wake_delivery`` outside an update (the dashboard's web requests)."""
    engine = DELIVERY.find(app)
    if engine is not None:
        engine.wake()
