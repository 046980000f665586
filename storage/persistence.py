"""PTB persistence in the bot's own SQLite database, as JSON rather than pickle.

JSON keeps the stored state readable and inert (unpickling runs code), at the price that
only JSON-able values survive a restart: handlers keep ``user_data``/``chat_data`` and
conversation states to plain str/int/float/bool/None/list/str-keyed dict.
"""

from __future__ import annotations

import json
import logging
from collections.abc import MutableMapping
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from storage.db import Database

_LOGGER = logging.getLogger(__name__)

ConversationKey = tuple[int | str, ...]
ConversationDict = MutableMapping[ConversationKey, object]
CallbackData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]
Data = dict[str, Any]

_UPSERT_CONVERSATION = (
    "INSERT INTO ptb_conversations (name, key, state) VALUES (?, ?, ?) "
    "ON CONFLICT (name, key) DO UPDATE SET state = excluded.state"
)
_UPSERT_USER = (
    "INSERT INTO ptb_user_data (user_id, data) VALUES (?, ?) "
    "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data"
)
_UPSERT_CHAT = (
    "INSERT INTO ptb_chat_data (chat_id, data) VALUES (?, ?) "
    "ON CONFLICT (chat_id) DO UPDATE SET data = excluded.data"
)


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _faithful_json(value: object) -> str | None:
    """The JSON text of ``value``, or None if it would not come back equal after a restart.

    Catches not only unserialisable objects but silent changes: tuples becoming lists and
    int dict keys becoming strings.
    """
    try:
        text = _dumps(value)
    except (TypeError, ValueError):
        return None
    return text if json.loads(text) == value else None


def _key_text(key: ConversationKey) -> str:
    return _dumps(list(key))


class SQLitePersistence(BasePersistence[Data, Data, Data]):
    """user_data, chat_data and conversation states in the ``ptb_*`` tables.

    bot_data is never stored: it holds live service objects. Callback data is not stored
    either (arbitrary callback data is not used). Every update is its own committed
    transaction, so ``flush`` has nothing left to do.
    """

    __slots__ = ("_conversations", "_db")

    def __init__(self, db: Database, *, update_interval: float = 1.0) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=True, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._db = db
        # What the database holds per handler name, so unchanged states are not rewritten.
        self._conversations: dict[str, dict[ConversationKey, object]] = {}

    # --- loading (called once, by Application.initialize) -------------------------------

    async def get_user_data(self) -> dict[int, Data]:
        rows = await self._db.fetchall("SELECT user_id, data FROM ptb_user_data")
        return {int(row["user_id"]): json.loads(row["data"]) for row in rows}

    async def get_chat_data(self) -> dict[int, Data]:
        rows = await self._db.fetchall("SELECT chat_id, data FROM ptb_chat_data")
        return {int(row["chat_id"]): json.loads(row["data"]) for row in rows}

    async def get_bot_data(self) -> Data:
        return {}

    async def get_callback_data(self) -> CallbackData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        """Loaded once per handler name; PTB keeps its own copy and reports changes back."""
        if name not in self._conversations:
            rows = await self._db.fetchall(
                "SELECT key, state FROM ptb_conversations WHERE name = ?", (name,)
            )
            self._conversations[name] = {
                tuple(json.loads(row["key"])): json.loads(row["state"]) for row in rows
            }
        return dict(self._conversations[name])

    # --- writing (called by Application.update_persistence) -----------------------------

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """None means the conversation ended: its row is deleted."""
        cached = self._conversations.setdefault(name, {})
        if key in cached and cached[key] == new_state:
            return
        if new_state is None:
            async with self._db.transaction() as conn:
                await conn.execute(
                    "DELETE FROM ptb_conversations WHERE name = ? AND key = ?",
                    (name, _key_text(key)),
                )
            cached.pop(key, None)
            return
        state = _faithful_json(new_state)
        if state is None:
            # A programming error in a handler; PTB routes it to the error handlers.
            raise TypeError(f"conversation {name!r} state {new_state!r} is not JSON-able")
        async with self._db.transaction() as conn:
            await conn.execute(_UPSERT_CONVERSATION, (name, _key_text(key), state))
        cached[key] = new_state

    async def update_user_data(self, user_id: int, data: Data) -> None:
        text = self._data_json("user", user_id, data)
        if text is not None:
            async with self._db.transaction() as conn:
                await conn.execute(_UPSERT_USER, (user_id, text))

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        text = self._data_json("chat", chat_id, data)
        if text is not None:
            async with self._db.transaction() as conn:
                await conn.execute(_UPSERT_CHAT, (chat_id, text))

    async def drop_user_data(self, user_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (user_id,))

    async def drop_chat_data(self, chat_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM ptb_chat_data WHERE chat_id = ?", (chat_id,))

    @staticmethod
    def _data_json(kind: str, owner: int, data: Data) -> str | None:
        """JSON for one user's/chat's dict; None (and a warning) keeps the old row instead."""
        text = _faithful_json(data)
        if text is None:
            bad = [k for k, v in data.items() if not (isinstance(k, str) and _faithful_json(v))]
            _LOGGER.warning(
                "not persisting %s_data of %s %d: key(s) %s hold values that are not JSON-able",
                kind,
                kind,
                owner,
                ", ".join(map(repr, bad)) or "(unknown)",
            )
        return text

    # --- not used ------------------------------------------------------------------------

    async def update_bot_data(self, data: Data) -> None:
        """bot_data holds live objects and is never stored."""

    async def update_callback_data(self, data: CallbackData) -> None:
        """Callback data is not stored."""

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        """The in-memory copy is authoritative; nothing else writes these tables."""

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        """As refresh_user_data."""

    async def refresh_bot_data(self, bot_data: Data) -> None:
        """bot_data is not stored."""

    async def flush(self) -> None:
        """Every write is already committed."""
