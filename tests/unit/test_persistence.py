"""SQLitePersistence: JSON round trips across a reopened database, and a real PTB restart."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from app.flush import MusterApplication
from app.persistence import SQLitePersistence
from fakeapi import ChatDriver, FakeBotApi, FakeRequest, FakeUser
from fakeapi.driver import AnyApplication
from storage.chat_state import ChatStateRepository
from storage.db import SqliteDatabase


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    database = await SqliteDatabase.open(tmp_path / "muster.db")
    yield database
    await database.close()


async def reopen(db: SqliteDatabase) -> SqliteDatabase:
    """Close and open again: the simulated restart."""
    await db.close()
    return await SqliteDatabase.open(db.path)


async def test_conversations_survive_restart(db: SqliteDatabase) -> None:
    persistence = SQLitePersistence(db)
    assert await persistence.get_conversations("t") == {}
    await persistence.update_conversation("t", (42, 42), 1)
    await persistence.update_conversation("t", (42, 7), "ask_name")
    await persistence.update_conversation("other", (1,), [1, "x"])
    db = await reopen(db)
    try:
        persistence = SQLitePersistence(db)
        assert await persistence.get_conversations("t") == {(42, 42): 1, (42, 7): "ask_name"}
        assert await persistence.get_conversations("other") == {(1,): [1, "x"]}
        row = await db.fetchone("SELECT key FROM ptb_conversations WHERE name = 'other'")
        assert row is not None and json.loads(row["key"]) == [1]
    finally:
        await db.close()


async def test_storage_keeps_the_state_as_json_text_in_one_commit(db: SqliteDatabase) -> None:
    """The repository under the adapter: text in, the same text out; writes gathered at
    once go in one batch, the last write of a row winning."""
    state = ChatStateRepository(db)
    await asyncio.gather(
        state.set_data("user", 7, '{"lang":"zh"}'),
        state.set_data("chat", 7, '{"n":1}'),
        state.set_conversation("t", "[7,7]", '"ask"'),
        state.set_conversation("t", "[7,7]", '"done"'),
    )
    assert await state.data("user") == {7: '{"lang":"zh"}'}
    assert await state.data("chat") == {7: '{"n":1}'}
    assert await state.conversations("t") == {"[7,7]": '"done"'}
    await state.drop_data("user", 7)
    await state.drop_conversation("t", "[7,7]")
    assert await state.data("user") == {}
    assert await state.conversations("t") == {}


async def test_ending_a_conversation_deletes_its_row(db: SqliteDatabase) -> None:
    persistence = SQLitePersistence(db)
    await persistence.get_conversations("t")
    await persistence.update_conversation("t", (42, 42), 1)
    await persistence.update_conversation("t", (42, 42), None)
    assert await db.fetchall("SELECT * FROM ptb_conversations") == []
    assert await SQLitePersistence(db).get_conversations("t") == {}


async def test_non_json_conversation_state_raises(db: SqliteDatabase) -> None:
    with pytest.raises(TypeError, match="not JSON-able"):
        await SQLitePersistence(db).update_conversation("t", (1,), object())


async def test_user_and_chat_data_survive_restart(db: SqliteDatabase) -> None:
    persistence = SQLitePersistence(db)
    await persistence.update_user_data(42, {"lang": "en", "draft": {"title": "Rally"}})
    await persistence.update_user_data(42, {"lang": "uk"})  # the upsert replaces
    await persistence.update_chat_data(-100, {"pinned": [1, 2]})
    db = await reopen(db)
    try:
        persistence = SQLitePersistence(db)
        assert await persistence.get_user_data() == {42: {"lang": "uk"}}
        assert await persistence.get_chat_data() == {-100: {"pinned": [1, 2]}}
        assert await persistence.get_bot_data() == {}
        assert await persistence.get_callback_data() is None
    finally:
        await db.close()


@dataclass
class _Draft:
    unit: int | None = None
    days: list[str] = field(default_factory=list)
    pair: tuple[int, int] | None = None


async def test_a_dataclass_draft_is_stored_as_the_dict_of_its_fields(db: SqliteDatabase) -> None:
    persistence = SQLitePersistence(db)
    await persistence.update_user_data(42, {"leave": _Draft(3, ["2026-12-01"])})
    await persistence.update_user_data(43, {"leave": _Draft(pair=(1, 2))})  # would be a list
    await persistence.flush()
    db = await reopen(db)
    try:
        loaded = await SQLitePersistence(db).get_user_data()
        assert loaded == {42: {"leave": {"unit": 3, "days": ["2026-12-01"], "pair": None}}}
    finally:
        await db.close()


async def test_drop_user_and_chat_data(db: SqliteDatabase) -> None:
    persistence = SQLitePersistence(db)
    await persistence.update_user_data(42, {"a": 1})
    await persistence.update_user_data(43, {"a": 2})
    await persistence.update_chat_data(42, {"a": 1})
    await persistence.drop_user_data(42)
    await persistence.drop_chat_data(42)
    assert await persistence.get_user_data() == {43: {"a": 2}}
    assert await persistence.get_chat_data() == {}


@pytest.mark.parametrize("bad", [object(), {1: "int keys come back as str"}, (1, 2), float("nan")])
async def test_unfaithful_user_data_is_skipped_with_warning(
    db: SqliteDatabase, caplog: pytest.LogCaptureFixture, bad: object
) -> None:
    persistence = SQLitePersistence(db)
    await persistence.update_user_data(42, {"lang": "en"})
    with caplog.at_level(logging.WARNING, logger="app.persistence"):
        await persistence.update_user_data(42, {"lang": "uk", "oops": bad})
    assert "'oops'" in caplog.text and "42" in caplog.text
    assert await persistence.get_user_data() == {42: {"lang": "en"}}  # old row kept


# --- a real Application across a restart, driven through the in-process fake Bot API -------

ASK = 1
ODD = ("not", "JSON")  # a tuple would come back as a list


def build_app(
    database: SqliteDatabase,
    api: FakeBotApi,
    answers: list[str],
    app_class: type[AnyApplication] = Application,
) -> AnyApplication:
    """A two-step persistent conversation: /start asks for a city, the next text answers;
    /odd moves it to a state that is not JSON-able (a handler's bug)."""

    async def odd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        return ODD

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and context.user_data is not None
        context.user_data["started"] = True
        await update.message.reply_text("Which city?")
        return ASK

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and update.message.text is not None
        assert context.user_data == {"started": True}  # restored from the database
        answers.append(update.message.text)
        await update.message.reply_text(f"Noted: {update.message.text}")
        return ConversationHandler.END

    app = (
        ApplicationBuilder()
        .application_class(app_class)
        .token("123:ABC")
        .request(FakeRequest(api))
        .get_updates_request(FakeRequest(api))
        .persistence(SQLitePersistence(database))
        .build()
    )
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("start", start), CommandHandler("odd", odd)],
            states={ASK: [MessageHandler(filters.TEXT & ~filters.COMMAND, answer)], ODD: []},
            fallbacks=[],
            name="t",
            persistent=True,
        )
    )
    return app


async def test_conversation_continues_after_application_restart(db: SqliteDatabase) -> None:
    api = FakeBotApi()
    ann = FakeUser(42, "Ann", api=api)
    answers: list[str] = []

    app = build_app(db, api, answers)
    async with ChatDriver(app, api) as chat:
        assert (await chat.send(ann, ann.command("start"))).texts == ["Which city?"]
        # Nothing is written until update_persistence runs (interval loop, stop or shutdown).
        assert await db.fetchall("SELECT * FROM ptb_conversations") == []
        await app.update_persistence()
        rows = await db.fetchall("SELECT name, key, state FROM ptb_conversations")
        assert [tuple(row) for row in rows] == [("t", "[42,42]", str(ASK))]

    db = await reopen(db)
    try:
        app = build_app(db, api, answers)
        async with ChatDriver(app, api) as chat:
            replies = await chat.send(ann, ann.message("Kyiv"))
        assert replies.texts == ["Noted: Kyiv"]  # step 2 ran: the conversation was restored
        assert answers == ["Kyiv"]
        assert await db.fetchall("SELECT * FROM ptb_conversations") == []  # ended, deleted
        user_row = await db.fetchone("SELECT data FROM ptb_user_data WHERE user_id = 42")
        assert user_row is not None and json.loads(user_row["data"]) == {"started": True}
    finally:
        await db.close()


async def test_a_flush_hands_over_no_chat_data(
    db: SqliteDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No handler keeps anything in chat_data, so PTB is not asked to copy and hand over
    every touched chat's (empty) dict at each flush; user data is still stored."""
    api = FakeBotApi()
    ann = FakeUser(42, "Ann", api=api)
    app = build_app(db, api, [])
    handed: list[int] = []

    async def spy(self: SQLitePersistence, chat_id: int, data: dict[str, Any]) -> None:
        handed.append(chat_id)

    monkeypatch.setattr(SQLitePersistence, "update_chat_data", spy)
    async with ChatDriver(app, api) as chat:
        await chat.send(ann, ann.command("start"))
        await app.update_persistence()

    assert handed == []
    row = await db.fetchone("SELECT data FROM ptb_user_data WHERE user_id = 42")
    assert row is not None and json.loads(row["data"]) == {"started": True}


@asynccontextmanager
async def traced(db: SqliteDatabase) -> AsyncIterator[list[str]]:
    """The SQL statements the writer connection runs inside the block."""
    statements: list[str] = []
    await db.conn.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        await db.conn.set_trace_callback(lambda _: None)


async def test_a_busy_users_data_and_conversation_are_held_until_it_is_done(
    db: SqliteDatabase,
) -> None:
    """While an update of user 42 runs, its half-changed data and its conversation state
    are not written, and ``held`` names it; once done, the data PTB reports again is
    written, and so is the held state (unless a newer one came)."""
    busy = {("user", 42)}
    persistence = SQLitePersistence(db, busy=lambda kind, ident: (kind, ident) in busy)
    await persistence.update_user_data(42, {"draft": {"i": 1}})
    await persistence.update_conversation("checkin", (42, 42), 0)
    await persistence.update_user_data(7, {"draft": {"i": 0}})  # not busy: written
    assert persistence.held() == {("user", 42), ("chat", 42)}
    assert [r["user_id"] for r in await db.fetchall("SELECT user_id FROM ptb_user_data")] == [7]
    assert await db.fetchall("SELECT key FROM ptb_conversations") == []

    busy.clear()  # done; PTB reports its data again, the state it left is the held one
    await persistence.update_user_data(42, {"draft": {"i": 1}})
    assert persistence.held() == set()
    rows = await db.fetchall("SELECT key, state FROM ptb_conversations")
    assert [(json.loads(r["key"]), json.loads(r["state"])) for r in rows] == [([42, 42], 0)]

    busy.add(("chat", 42))  # a newer state replaces a held one; flush() writes it
    await persistence.update_conversation("checkin", (42, 42), 1)
    await persistence.update_conversation("checkin", (42, 42), 2)
    busy.clear()
    await persistence.flush()
    row = await db.fetchone("SELECT state FROM ptb_conversations")
    assert row is not None and json.loads(row["state"]) == 2


def gathered_writes(persistence: SQLitePersistence) -> list[Coroutine[Any, Any, None]]:
    """A flush as PTB gathers it: each person's rows side by side, and (9, 9) ended."""
    writes = []
    for person in range(1, 51):
        writes += [
            persistence.update_conversation("t", (person, person), "confirm"),
            persistence.update_user_data(person, {"draft": person}),
        ]
    return [*writes, persistence.update_conversation("t", (9, 9), None)]


async def flushed_rows_are_stored(db: SqliteDatabase, persistence: SQLitePersistence) -> None:
    conversations = await reopen_conversations(db)
    # (9, 9) was set and then ended in the same flush: the last word counts, as in order.
    assert len(conversations) == 49 and (9, 9) not in conversations
    assert conversations[(7, 7)] == "confirm"
    assert (await persistence.get_user_data())[50] == {"draft": 50}


async def test_a_flush_is_one_transaction_on_the_loops_own_connection(
    db: SqliteDatabase, hops: list[str]
) -> None:
    """update_persistence gathers its writes: when nothing else is writing they are
    committed together, once, without a round trip to the writer's thread."""
    persistence = SQLitePersistence(db)
    await persistence.get_user_data()
    await persistence.get_conversations("t")
    await persistence.update_conversation("t", (9, 9), "ask")
    assert db._inline is not None
    statements: list[str] = []
    db._inline.set_trace_callback(statements.append)
    hops.clear()
    await asyncio.gather(*gathered_writes(persistence))
    assert hops == []
    assert [s for s in statements if s.startswith(("BEGIN", "COMMIT"))] == [
        "BEGIN IMMEDIATE",
        "COMMIT",
    ]
    await flushed_rows_are_stored(db, persistence)


async def test_while_another_connection_writes_a_flush_goes_to_the_writer(
    db: SqliteDatabase, hops: list[str]
) -> None:
    """SQLite answers BUSY on the loop's connection at once: the flush then waits on the
    writer's thread, in one executemany per kind of statement, however many people it
    covers and in whatever order PTB reports them."""
    persistence = SQLitePersistence(db)
    await persistence.get_user_data()
    await persistence.get_conversations("t")
    await persistence.update_conversation("t", (9, 9), "ask")
    other = sqlite3.connect(db.path, isolation_level=None)  # another process, say
    other.execute("BEGIN IMMEDIATE")
    hops.clear()
    flush = asyncio.gather(*gathered_writes(persistence))
    # Until the flush waits for the lock on the writer's thread (a hop is recorded as it
    # is queued; an Event would take a second patch of aiosqlite).
    while not hops:  # noqa: ASYNC110
        await asyncio.sleep(0)
    other.execute("ROLLBACK")
    other.close()
    await flush
    assert [h.split()[0] for h in hops] == ["BEGIN", "INSERT", "INSERT", "DELETE", "COMMIT"]
    await flushed_rows_are_stored(db, persistence)


async def reopen_conversations(db: SqliteDatabase) -> dict[tuple[int | str, ...], object]:
    return dict(await SQLitePersistence(db).get_conversations("t"))


async def test_unchanged_and_empty_data_are_not_written(db: SqliteDatabase) -> None:
    persistence = SQLitePersistence(db)
    await persistence.get_user_data()
    await persistence.update_user_data(1, {"a": 1})
    async with traced(db) as statements:
        await persistence.update_user_data(1, {"a": 1})  # unchanged
        await persistence.update_user_data(2, {})  # empty, never stored
    assert statements == []
    await persistence.update_user_data(1, {})  # emptied: the row goes
    assert await db.fetchall("SELECT * FROM ptb_user_data") == []


async def test_failed_batch_is_retried_by_the_next_flush(db: SqliteDatabase) -> None:
    """A batch that rolls back leaves nothing marked as stored."""
    persistence = SQLitePersistence(db)
    await persistence.get_user_data()
    await db.conn.execute("DROP TABLE ptb_user_data")
    with pytest.raises(Exception, match="ptb_user_data"):
        await persistence.update_user_data(1, {"a": 1})
    await db.conn.execute(
        "CREATE TABLE ptb_user_data (user_id INTEGER PRIMARY KEY, data TEXT NOT NULL)"
    )
    await persistence.update_user_data(1, {"a": 1})
    assert await persistence.get_user_data() == {1: {"a": 1}}


@pytest.mark.parametrize("app_class", [Application, MusterApplication])
async def test_a_flush_stores_every_person_and_reports_a_bad_state(
    db: SqliteDatabase, app_class: type[AnyApplication]
) -> None:
    """PTB's flush and Muster's one-batch flush store the same rows, and a state that is
    not JSON-able reaches the error handlers without keeping the others from being stored."""
    api = FakeBotApi()
    app = build_app(db, api, [], app_class)
    errors: list[str] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(str(context.error))

    app.add_error_handler(on_error)
    async with ChatDriver(app, api) as chat:
        for person in range(1, 6):
            await chat.send(
                FakeUser(person, "P", api=api), FakeUser(person, "P", api=api).command("start")
            )
        bad = FakeUser(9, "Bad", api=api)
        await chat.send(bad, bad.command("odd"))
        await app.update_persistence()

    assert errors == ["conversation 't' state ('not', 'JSON') is not JSON-able"]
    conversations = await reopen_conversations(db)
    assert conversations == {(p, p): ASK for p in range(1, 6)}
    users = await SQLitePersistence(db).get_user_data()
    assert users == {p: {"started": True} for p in range(1, 6)}


async def test_muster_flushes_everyone_in_one_batch_without_a_task_each(db: SqliteDatabase) -> None:
    """Muster's flush hands its persistence every changed person at once: no task per
    user and per conversation (PTB's gather), which cost each check-in step CPU."""
    api = FakeBotApi()
    app = build_app(db, api, [], MusterApplication)
    created: list[object] = []
    loop = asyncio.get_running_loop()

    def counting(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        created.append(coro)
        return asyncio.Task(coro, loop=loop, **kwargs)

    async with ChatDriver(app, api) as chat:
        for person in range(1, 51):
            user = FakeUser(person, "P", api=api)
            await chat.send(user, user.command("start"))
        loop.set_task_factory(counting)
        try:
            await app.update_persistence()
        finally:
            loop.set_task_factory(None)

    assert len(created) <= 1  # the batch's commit
    assert len(await reopen_conversations(db)) == 50
    assert len(await SQLitePersistence(db).get_user_data()) == 50
