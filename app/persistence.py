"""PTB persistence in the bot's own SQLite database, as JSON rather than pickle: the
adapter between PTB's ``BasePersistence`` and ``storage/chat_state.py`` (which stores the
JSON text and knows nothing of Telegram).

JSON keeps the stored state readable and inert (unpickling runs code), at the price that
only JSON-able values survive a restart: handlers keep ``user_data``/``chat_data`` and
conversation states to plain str/int/float/bool/None/list/str-keyed dict, or dataclasses of
those (a flow's draft), which are stored as dicts and come back as dicts: the flow turns its
draft back into its dataclass (``handlers/kit/flow.py``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import fields, is_dataclass
from functools import partial
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from storage.chat_state import ChatStateRepository, Kind, Row
from storage.db import Database

_LOGGER = logging.getLogger(__name__)

ConversationKey = tuple[int | str, ...]
ConversationDict = MutableMapping[ConversationKey, object]
CallbackData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]
Data = dict[str, Any]
Owner = tuple[Kind, int]
# Whether an update of this user or chat is being handled right now (see __init__).
Busy = Callable[[str, int], bool]
# A row, its new JSON text (None: delete it), and what to note once it is committed.
Write = tuple[Row, str | None, Callable[[], object]]


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _plain(value: object) -> object:
    """``value`` with each dataclass in it turned into the dict of its fields."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _faithful_json(value: object) -> str | None:
    """The JSON text of ``value``, or None if it would not come back equal after a restart
    (a dataclass comes back as the dict of its fields).

    Catches not only unserialisable objects but silent changes: tuples becoming lists and
    int dict keys becoming strings.
    """
    plain = value
    try:
        text = _dumps(plain)
    except TypeError:  # a dataclass in it, perhaps: walked only then (plain data is most)
        plain = _plain(value)
        try:
            text = _dumps(plain)
        except (TypeError, ValueError):
            return None
    except ValueError:
        return None
    return text if json.loads(text) == plain else None


def _key_text(key: ConversationKey) -> str:
    return _dumps(list(key))


def _parties(key: ConversationKey) -> list[Owner]:
    """The users and chats a conversation key may name (PTB keys by chat, user and/or
    message id; taking every id as either is the safe side)."""
    kinds: tuple[Kind, ...] = ("chat", "user")
    return [(kind, i) for i in key if isinstance(i, int) for kind in kinds]


class SQLitePersistence(BasePersistence[Data, Data, Data]):
    """user_data, chat_data and conversation states in the ``ptb_*`` tables.

    bot_data is never stored: it holds live service objects. PTB is not asked for chat_data
    either (``store_data``): no handler keeps anything there. Callback data is not stored
    either (arbitrary callback data is not used).

    Writes are group-committed by the repository: Muster's flush hands every changed user
    and conversation to ``store`` in one call (``app/flush.py``; PTB's own
    ``update_persistence`` calls the ``update_*`` methods all at once, a task each), and
    every write queued before the batch runs goes into one transaction with one
    ``executemany`` per kind of statement (PTB interleaves users, chats and conversations;
    grouping only runs of one kind made that two statements per person). A row whose JSON is
    what the database already holds is not written at all: PTB reports every user and chat
    an update touched, changed or not, and an empty dict is never stored (absent means empty
    on load).

    With updates handled at once (``busy``), PTB's flush copies the data of every user and
    chat an earlier update touched, also while a later update of theirs is half-way (its
    draft changed, its conversation state not yet): stored, a crash would restart that
    update on a state no step ever left (a form one question ahead of its conversation,
    every button "no longer applies"). So the data and conversation states of a user or
    chat with an update running are *held*: not written now, but once it is done (PTB
    reports its data again then; a held conversation state is written with it, unless a
    newer one comes). ``held()`` says whose, so that the inbox does not mark their updates
    processed before what they changed is stored.
    """

    __slots__ = ("_busy", "_conversations", "_deferred", "_held", "_repo", "_stored")

    def __init__(
        self, db: Database, *, update_interval: float = 1.0, busy: Busy | None = None
    ) -> None:
        super().__init__(
            # chat_data: no handler keeps anything there (a chat's state is in the tables),
            # and PTB would copy and hand over every touched chat's empty dict at each flush.
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._repo = ChatStateRepository(db)
        # What the database holds per handler name, so unchanged states are not rewritten.
        self._conversations: dict[str, dict[ConversationKey, object]] = {}
        # hash of the stored JSON per ("user"|"chat", id), for the rows that exist; a hash
        # rather than the text keeps this small for a large organisation.
        self._stored: dict[Owner, int] = {}
        self._busy: Busy = busy or (lambda kind, ident: False)
        self._held: set[Owner] = set()  # data not written: its owner was busy
        # Conversation states not written (a party to them was busy), by (name, key).
        self._deferred: dict[tuple[str, ConversationKey], object | None] = {}

    # --- loading (called once, by Application.initialize) -------------------------------

    async def get_user_data(self) -> dict[int, Data]:
        return await self._load("user")

    async def get_chat_data(self) -> dict[int, Data]:
        return await self._load("chat")

    async def _load(self, kind: Kind) -> dict[int, Data]:
        loaded = {}
        for owner, text in (await self._repo.data(kind)).items():
            loaded[owner] = json.loads(text)
            self._stored[(kind, owner)] = hash(text)
        return loaded

    async def get_bot_data(self) -> Data:
        return {}

    async def get_callback_data(self) -> CallbackData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        """Loaded once per handler name; PTB keeps its own copy and reports changes back."""
        if name not in self._conversations:
            rows = await self._repo.conversations(name)
            self._conversations[name] = {
                tuple(json.loads(key)): json.loads(state) for key, state in rows.items()
            }
        return dict(self._conversations[name])

    async def reread(
        self, chats: Iterable[int], users: Iterable[int]
    ) -> tuple[dict[int, Data], dict[str, dict[ConversationKey, object]]]:
        """What another instance sharing the store may have changed since this one
        loaded it (``app/inbox.py``, when a chat is claimed): these users' data and these
        chats' conversation states as stored now, which is also what this instance then
        knows to be stored."""
        users, chats = set(users), set(chats)
        stored = await self._repo.users_data(users)
        data: dict[int, Data] = {}
        for user_id in users:
            text = stored.get(user_id)
            if text is None:
                self._stored.pop(("user", user_id), None)
                data[user_id] = {}
            else:
                self._stored[("user", user_id)] = hash(text)
                data[user_id] = json.loads(text)
        for cached in self._conversations.values():
            for key in [k for k in cached if k and k[0] in chats]:
                del cached[key]
        states: dict[str, dict[ConversationKey, object]] = {}
        for name, key_text, state in await self._repo.chat_conversations(chats):
            ident, value = tuple(json.loads(key_text)), json.loads(state)
            self._conversations.setdefault(name, {})[ident] = value
            states.setdefault(name, {})[ident] = value
        return data, states

    # --- writing (called by Application.update_persistence) -----------------------------

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """None means the conversation ended: its row is deleted."""
        await self._apply(self._plan_conversation(name, key, new_state))

    def _plan_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> list[Write]:
        """The write for a newly reported state, or none: the state is held while a party
        to it is busy."""
        self._deferred.pop((name, key), None)  # this state is newer
        if any(self._busy(*owner) for owner in _parties(key)):
            self._deferred[name, key] = new_state
            return []
        return self._conversation_write(name, key, new_state)

    def _conversation_write(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> list[Write]:
        cached = self._conversations.setdefault(name, {})
        row = (name, _key_text(key))
        if new_state is None:
            if key not in cached:
                return []
            return [(("conversation", *row), None, partial(cached.pop, key, None))]
        if key in cached and cached[key] == new_state:
            return []
        state = _faithful_json(new_state)
        if state is None:
            # A programming error in a handler; PTB routes it to the error handlers.
            raise TypeError(f"conversation {name!r} state {new_state!r} is not JSON-able")
        stored = partial(cached.__setitem__, key, new_state)
        return [(("conversation", *row), state, stored)]

    def held(self) -> set[Owner]:
        """The users and chats whose data or conversation state is not yet written
        because an update of theirs was running at the flush."""
        return self._held | {o for (_, key) in self._deferred for o in _parties(key)}

    def _released(self) -> list[Write]:
        """The writes of the held conversation states whose parties are no longer busy."""
        ready = [
            (name, key)
            for name, key in self._deferred
            if not any(self._busy(*owner) for owner in _parties(key))
        ]
        writes: list[Write] = []
        for name, key in ready:
            writes += self._conversation_write(name, key, self._deferred.pop((name, key)))
        return writes

    async def update_user_data(self, user_id: int, data: Data) -> None:
        await self._apply(self._plan_data("user", user_id, data))

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        await self._apply(self._plan_data("chat", chat_id, data))

    async def drop_user_data(self, user_id: int) -> None:
        await self._apply(self._drop("user", user_id))

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._apply(self._drop("chat", chat_id))

    def _plan_data(self, kind: Kind, owner: int, data: Data) -> list[Write]:
        if self._busy(kind, owner):  # half changed: PTB reports it again once done
            self._held.add((kind, owner))
            return []
        self._held.discard((kind, owner))
        return self._released() + self._data_write(kind, owner, data)

    def _data_write(self, kind: Kind, owner: int, data: Data) -> list[Write]:
        """The write that stores ``data`` (read now: the JSON text is the copy), or none."""
        if not data:
            return self._drop(kind, owner)
        text = self._data_json(kind, owner, data)
        if text is None or self._stored.get((kind, owner)) == hash(text):
            return []
        stored = partial(self._stored.__setitem__, (kind, owner), hash(text))
        return [((kind, owner), text, stored)]

    def _drop(self, kind: Kind, owner: int) -> list[Write]:
        if (kind, owner) not in self._stored:
            return []
        gone = partial(self._stored.pop, (kind, owner), None)
        return [((kind, owner), None, gone)]

    async def store(
        self,
        users: Iterable[tuple[int, Data]],
        dropped_users: Iterable[int],
        conversations: Iterable[tuple[str, ConversationKey, object | None]],
    ) -> list[Exception]:
        """A whole flush in one batch: what ``update_conversation``, ``update_user_data``
        and ``drop_user_data`` called for each would do, without a task and a wait per
        row (``MusterApplication.update_persistence``). Each user's dict is read now and
        not kept, so it needs no copy. Returns the errors, as PTB's gather would: a state
        that is not JSON-able, or the batch's failure."""
        errors: list[Exception] = []
        writes: list[Write] = []
        for name, key, state in conversations:
            try:
                writes += self._plan_conversation(name, key, state)
            except TypeError as error:
                errors.append(error)
        for user_id, data in users:
            if self._busy("user", user_id):
                self._held.add(("user", user_id))
            else:
                self._held.discard(("user", user_id))
                writes += self._data_write("user", user_id, data)
        for user_id in dropped_users:
            writes += self._drop("user", user_id)
        writes += self._released()
        try:
            await self._apply(writes)
        except Exception as error:  # the next flush tries again: nothing marked stored
            errors.append(error)
        return errors

    async def _apply(self, writes: list[Write]) -> None:
        """Add the writes to the next batch, wait until that batch is committed, then note
        what the database holds.

        Only then, so a batch that fails (and rolls back) leaves nothing marked as stored."""
        if not writes:
            return
        await self._repo.write_batch((row, text) for row, text, _ in writes)
        for *_, stored in writes:
            stored()

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
        """Writes the held conversation states (PTB calls this at shutdown, when nothing
        runs) and waits for a batch still committing."""
        await self._apply(self._released())
        await self._repo.flush()
