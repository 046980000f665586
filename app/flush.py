"""Muster's ``Application``: PTB's, with a persistence flush that is one batch.

PTB's ``update_persistence`` deep-copies every touched user's data and gathers one
coroutine, so one task, per user and per conversation; with updates handled at once that
is a few hundred tasks and copies a second, each waiting for the same transaction
(``storage/chat_state.py`` group-commits them). With Muster's own persistence the flush
hands everything to ``SQLitePersistence.store`` in one call instead: the same rows, the
same transaction, the same held-while-busy rule, the same errors reported. Any other
persistence (tests inject some) gets PTB's flush.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from telegram.ext import Application
from telegram.ext._handlers.conversationhandler import PendingState
from telegram.ext._utils.trackingdict import TrackingDict

from app.persistence import ConversationKey, SQLitePersistence
from handlers.kit.common import MusterBot, MusterContext

Conversation = tuple[str, ConversationKey, object | None]


class MusterApplication(
    Application[MusterBot, MusterContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
):
    """PTB's Application with a one-batch persistence flush (see the module)."""

    __slots__ = ("_flush_lock",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._flush_lock = asyncio.Lock()  # PTB's own is private (name-mangled)

    async def update_persistence(self) -> None:
        persistence = self.persistence
        if not isinstance(persistence, SQLitePersistence):
            await super().update_persistence()
            return
        async with self._flush_lock:
            # chat_data, bot_data and callback data are not stored (store_data): PTB
            # would keep collecting the touched chats' ids for nothing.
            self._chat_ids_to_be_updated_in_persistence = set()
            self._chat_ids_to_be_deleted_in_persistence = set()
            updated = self._user_ids_to_be_updated_in_persistence
            dropped = self._user_ids_to_be_deleted_in_persistence
            self._user_ids_to_be_updated_in_persistence = set()
            self._user_ids_to_be_deleted_in_persistence = set()
            users = [(u, self.user_data[u]) for u in updated - dropped]
            errors = await persistence.store(users, dropped, self._conversations_changed())
            for error in errors:
                await self.process_error(update=None, error=error)

    async def reread_state(self, chats: set[int], users: set[int]) -> None:
        """Take these users' data and these chats' conversation states from the store,
        as another instance left them (none of their updates is in hand here)."""
        persistence = self.persistence
        if not isinstance(persistence, SQLitePersistence):
            return
        data, states = await persistence.reread(chats, users)
        for user_id, fresh in data.items():
            if fresh:
                mine = self._user_data[user_id]
                mine.clear()
                mine.update(fresh)
            else:
                self._user_data.pop(user_id, None)
        for name, conversations in self._conversation_handler_conversations.items():
            ours = states.get(name, {})
            # Untracked: what is stored needs no writing back.
            for key in [k for k in conversations.data if k and k[0] in chats and k not in ours]:
                del conversations.data[key]
            conversations.update_no_track(ours)

    def _conversations_changed(self) -> list[Conversation]:
        """The conversation states changed since the last flush, as PTB's flush takes
        them: a state still pending (a non-blocking step running) as its old state, and
        looked at again next time."""
        changed: list[Conversation] = []
        for name, (key, state) in itertools.chain.from_iterable(
            zip(itertools.repeat(name), states.pop_accessed_write_items())
            for name, states in self._conversation_handler_conversations.items()
        ):
            if isinstance(state, PendingState):
                if state.done():
                    state = state.resolve()
                else:
                    state = state.old_state
                    self._conversation_handler_conversations[name].mark_as_accessed(key)
            changed.append((name, key, None if state is TrackingDict.DELETED else state))
        return changed
