"""The state the bot keeps per conversation, user and chat (its ``ptb_*`` tables), as JSON
text in and JSON text out: what the text means is the caller's (``app/persistence.py``,
the adapter that lets PTB keep its conversations here). JSON rather than pickle keeps the
stored state readable and inert (unpickling runs code).

Writes are group-committed: every write queued before a batch runs goes into one
transaction, each caller returning once it is committed, with one ``executemany`` per kind
of statement, on the loop's own connection when nothing else is writing, else on the
writer's thread (``Database.write_batch_inline``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, Literal

from storage.db import Database

Kind = Literal["user", "chat"]
# A row's identity: ("user" | "chat", id) or ("conversation", handler name, key text).
Row = tuple[str | int, ...]
# A row and its new JSON text, or None to delete it.
StateWrite = tuple[Row, str | None]

_UPSERT_CONVERSATION = (
    "INSERT INTO ptb_conversations (name, key, state) VALUES (?, ?, ?) "
    "ON CONFLICT (name, key) DO UPDATE SET state = excluded.state"
)
_DELETE_CONVERSATION = "DELETE FROM ptb_conversations WHERE name = ? AND key = ?"
_UPSERT_USER = (
    "INSERT INTO ptb_user_data (user_id, data) VALUES (?, ?) "
    "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data"
)
_UPSERT_CHAT = (
    "INSERT INTO ptb_chat_data (chat_id, data) VALUES (?, ?) "
    "ON CONFLICT (chat_id) DO UPDATE SET data = excluded.data"
)

_UPSERT_DATA = {"user": _UPSERT_USER, "chat": _UPSERT_CHAT}
_DELETE_DATA = {
    "user": "DELETE FROM ptb_user_data WHERE user_id = ?",
    "chat": "DELETE FROM ptb_chat_data WHERE chat_id = ?",
}
_SELECT_DATA = {
    "user": "SELECT user_id AS id, data FROM ptb_user_data",
    "chat": "SELECT chat_id AS id, data FROM ptb_chat_data",
}


class ChatStateRepository:
    """Conversation states by (handler name, key text); user and chat data by id."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # The row's identity -> the last statement for it (each sets or deletes the whole
        # row, so only the last counts and the batch's order among rows does not matter).
        self._pending: dict[tuple[Any, ...], tuple[str, tuple[Any, ...]]] = {}
        self._commit: asyncio.Future[None] | None = None

    # --- reading --------------------------------------------------------------------

    async def data(self, kind: Kind) -> dict[int, str]:
        """Every stored user's (or chat's) data: id -> JSON text."""
        return {int(row["id"]): row["data"] for row in await self._db.fetchall(_SELECT_DATA[kind])}

    async def conversations(self, name: str) -> dict[str, str]:
        """The states of one conversation handler: key text -> state JSON text."""
        rows = await self._db.fetchall(
            "SELECT key, state FROM ptb_conversations WHERE name = ?", (name,)
        )
        return {row["key"]: row["state"] for row in rows}

    async def users_data(self, user_ids: Iterable[int]) -> dict[int, str]:
        """These users' stored data (those without a row have none): id -> JSON text."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = await self._db.fetchall(
            f"SELECT user_id AS id, data FROM ptb_user_data WHERE user_id IN ({marks})", ids
        )
        return {int(row["id"]): row["data"] for row in rows}

    async def chat_conversations(self, chats: Iterable[int]) -> list[tuple[str, str, str]]:
        """Every conversation state whose key starts with one of these chats (PTB's keys
        are ``[chat, user]`` here): (handler name, key text, state text)."""
        patterns = [p for chat in sorted(set(chats)) for p in (f"[{chat}]", f"[{chat},%")]
        if not patterns:
            return []
        where = " OR ".join(["key = ? OR key LIKE ?"] * (len(patterns) // 2))
        rows = await self._db.fetchall(
            f"SELECT name, key, state FROM ptb_conversations WHERE {where}", patterns
        )
        return [(row["name"], row["key"], row["state"]) for row in rows]

    # --- writing (each returns once its batch is committed) -------------------------

    async def set_data(self, kind: Kind, owner: int, text: str) -> None:
        await self.write_batch([((kind, owner), text)])

    async def drop_data(self, kind: Kind, owner: int) -> None:
        await self.write_batch([((kind, owner), None)])

    async def set_conversation(self, name: str, key: str, state: str) -> None:
        await self.write_batch([(("conversation", name, key), state)])

    async def drop_conversation(self, name: str, key: str) -> None:
        await self.write_batch([(("conversation", name, key), None)])

    async def write_batch(self, writes: Iterable[StateWrite]) -> None:
        """Add each row's new text (None: delete it) to the next batch and wait until that
        batch is committed: a whole flush queued by one call (``app/flush.py``).

        Callers note what the database holds only after this returns, so a batch that
        fails (and rolls back) leaves nothing marked as stored."""
        queued = False
        for row, text in writes:
            self._pending.pop(row, None)  # the newest last, as the batch's order was
            self._pending[row] = _statement(row, text)
            queued = True
        if not queued:
            return
        if self._commit is None:
            # Created now, run after the calls gathered with this one have queued theirs.
            self._commit = asyncio.ensure_future(self._commit_pending())
        await asyncio.shield(self._commit)

    async def flush(self) -> None:
        """Wait for a batch still committing."""
        if self._commit is not None:
            await asyncio.shield(self._commit)

    async def _commit_pending(self) -> None:
        batch, self._pending, self._commit = self._pending, {}, None
        by_statement: dict[str, list[tuple[Any, ...]]] = {}
        for sql, params in batch.values():
            by_statement.setdefault(sql, []).append(params)
        await self._db.write_batch_inline(by_statement.items())


def _statement(row: Row, text: str | None) -> tuple[str, tuple[Any, ...]]:
    """The statement that sets ``row`` to ``text`` (or deletes it), with its parameters."""
    if row[0] == "conversation":
        _, name, key = row
        if text is None:
            return _DELETE_CONVERSATION, (name, key)
        return _UPSERT_CONVERSATION, (name, key, text)
    kind, owner = row
    if text is None:
        return _DELETE_DATA[str(kind)], (owner,)
    return _UPSERT_DATA[str(kind)], (owner, text)
