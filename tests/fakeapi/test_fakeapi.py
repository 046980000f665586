"""The fake Bot API against the real PTB Application, in-process and over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from fakeapi import (
    BotApiServer,
    ChatDriver,
    FakeBotApi,
    FakeRequest,
    FakeUser,
    UploadedFile,
)

TOKEN = "123:ABC"
NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Yes", callback_data="yes")],
            [InlineKeyboardButton("Docs", url="https://example.org/docs")],
        ]
    )
    await update.effective_message.reply_text(
        f"hello {' '.join(context.args or [])}", reply_markup=keyboard
    )


async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"got {query.data}")
    await query.edit_message_text(f"you chose {query.data}")


async def boom(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    raise RuntimeError("handler exploded")


def build_app(api: FakeBotApi) -> Application:  # type: ignore[type-arg]
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(FakeRequest(api))
        .get_updates_request(FakeRequest(api))
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("boom", boom))
    app.add_handler(CallbackQueryHandler(chosen))
    return app


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi(clock=lambda: NOW)


@pytest.fixture
def alice(api: FakeBotApi) -> FakeUser:
    return FakeUser(1001, "Alice", username="alice", api=api)


@pytest.fixture
async def drv(api: FakeBotApi) -> AsyncIterator[ChatDriver]:
    async with ChatDriver(build_app(api), api) as driver:
        yield driver


# ------------------------------------------------------------------ in-process flows


@pytest.mark.asyncio
async def test_start_command_replies_in_the_users_chat(
    api: FakeBotApi, drv: ChatDriver, alice: FakeUser
) -> None:
    replies = await drv.send(alice, alice.command("start", "tok42"))

    assert replies.texts == ["hello tok42"]
    assert replies[0].buttons == [("Yes", "yes"), ("Docs", "https://example.org/docs")]
    (call,) = api.calls_of("sendMessage")
    assert call.chat_id == alice.id
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "yes"
    assert replies[0].raw["chat"] == {
        "id": 1001,
        "type": "private",
        "first_name": "Alice",
        "username": "alice",
    }
    assert replies[0].raw["from"]["username"] == "muster_test_bot"
    assert replies[0].raw["date"] == int(NOW.timestamp())
    # the user's /start took message_id 1, so the bot's reply is 2
    assert replies[0].message_id == 2


@pytest.mark.asyncio
async def test_pressing_a_button_answers_and_edits(
    api: FakeBotApi, drv: ChatDriver, alice: FakeUser
) -> None:
    (menu,) = await drv.send(alice, alice.command("start"))

    replies = await drv.send(alice, alice.press(menu, "Yes"))

    assert [a.text for a in replies.callback_answers] == ["got yes"]
    assert drv.callback_answers == replies.callback_answers
    assert replies.texts == ["you chose yes"]
    (current,) = api.sent_to(alice.id)
    assert current.message_id == menu.message_id
    assert current.text == "you chose yes"
    assert current.edited
    assert current.buttons == []  # editMessageText without markup drops the keyboard


class Markup(str):
    """A str subclass, as a bot's own "safe HTML" type would be."""


@pytest.mark.asyncio
async def test_strings_reach_the_stand_in_as_plain_text(api: FakeBotApi) -> None:
    """Over HTTP every string is plain JSON text; in-process the stand-in must see the same,
    not the bot's str subclasses (each copy of such a message cost several times more)."""
    async with build_app(api) as app:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(Markup("Yes"), callback_data="y")]])
        await app.bot.send_message(1001, Markup("<b>hi</b>"), reply_markup=keyboard)

    (call,) = api.calls_of("sendMessage")
    button = call.params["reply_markup"]["inline_keyboard"][0][0]
    assert type(call.params["text"]) is str and type(button["text"]) is str
    (sent,) = api.sent_to(1001)
    assert type(sent.raw["text"]) is str and sent.buttons == [("Yes", "y")]


@pytest.mark.asyncio
async def test_press_rejects_unknown_and_url_buttons(drv: ChatDriver, alice: FakeUser) -> None:
    (menu,) = await drv.send(alice, alice.command("start"))
    with pytest.raises(AssertionError, match=r"no button 'Nope'.*\['Yes', 'Docs'\]"):
        alice.press(menu, "Nope")
    with pytest.raises(AssertionError, match="url"):
        alice.press(menu, "Docs")


@pytest.mark.asyncio
async def test_handler_errors_are_raised_from_send(drv: ChatDriver, alice: FakeUser) -> None:
    with pytest.raises(RuntimeError, match="handler exploded"):
        await drv.send(alice, alice.command("boom"))


@pytest.mark.asyncio
async def test_injected_faults_surface_as_ptb_errors(
    api: FakeBotApi, drv: ChatDriver, alice: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = drv.application.bot
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # opt in to PTB 23's retry_after type

    api.block(alice.id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "hi")
    api.unblock(alice.id)

    api.rate_limit(7, method="sendMessage")
    with pytest.raises(RetryAfter) as excinfo:
        await bot.send_message(alice.id, "hi")
    assert excinfo.value.retry_after == timedelta(seconds=7)

    api.chat_not_found(-100555)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(-100555, "hi")

    api.fail_next(None, chat_id=alice.id, error_code=400, description="Bad Request: nope")
    with pytest.raises(BadRequest, match=r"(?i)nope"):
        await bot.send_chat_action(alice.id, "typing")

    await bot.send_message(alice.id, "finally")
    assert [c.status for c in api.calls_of("sendMessage")] == [403, 429, 400, 200]
    assert api.last_message(alice.id).text == "finally"


@pytest.mark.asyncio
async def test_blocking_via_my_chat_member_update(
    api: FakeBotApi, drv: ChatDriver, alice: FakeUser
) -> None:
    await drv.send(alice, alice.blocks_bot())
    with pytest.raises(Forbidden):
        await drv.application.bot.send_message(alice.id, "hi")
    await drv.send(alice, alice.unblocks_bot())
    await drv.application.bot.send_message(alice.id, "hi")


@pytest.mark.asyncio
async def test_edit_rules_match_telegram(api: FakeBotApi, drv: ChatDriver) -> None:
    bot = drv.application.bot
    sent = await bot.send_message(42, "one")

    await bot.edit_message_text("two", chat_id=42, message_id=sent.message_id)
    assert [m.text for m in api.sent_to(42)] == ["two"]

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("two", chat_id=42, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=42, message_id=999)

    await bot.delete_message(42, sent.message_id)
    assert api.sent_to(42) == []


@pytest.mark.asyncio
async def test_html_is_rendered_and_validated(api: FakeBotApi, drv: ChatDriver) -> None:
    bot = drv.application.bot
    message = await bot.send_message(7, "<b>Hi</b> &lt;3", parse_mode=ParseMode.HTML)
    assert message.text == "Hi <3"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 0, 2)]
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(7, "<b>Tom & <Jerry>", parse_mode=ParseMode.HTML)


@pytest.mark.asyncio
async def test_document_upload_and_download(api: FakeBotApi, drv: ChatDriver) -> None:
    bot = drv.application.bot
    await bot.send_document(7, document=b"a,b\n1,2\n", filename="roster.csv", caption="roster")

    upload = api.calls_of("sendDocument")[0].params["document"]
    assert upload == UploadedFile("roster.csv", b"a,b\n1,2\n", "text/csv")
    sent = api.last_message(7)
    assert sent.text == "roster"
    assert sent.raw["document"]["file_size"] == 8

    file = await bot.get_file(sent.raw["document"]["file_id"])
    assert await file.download_as_bytearray() == bytearray(b"a,b\n1,2\n")


@pytest.mark.asyncio
async def test_commands_are_stored_per_scope_and_language(drv: ChatDriver) -> None:
    bot = drv.application.bot
    await bot.set_my_commands([("start", "Start")])
    await bot.set_my_commands([("start", "Starten")], language_code="de")
    assert [c.description for c in await bot.get_my_commands()] == ["Start"]
    assert [c.description for c in await bot.get_my_commands(language_code="de")] == ["Starten"]
    await bot.delete_my_commands(language_code="de")
    assert await bot.get_my_commands(language_code="de") == ()


# ------------------------------------------------------------------ core, no PTB


@pytest.mark.asyncio
async def test_unknown_method_and_case_insensitivity(api: FakeBotApi) -> None:
    assert await api.handle("fooBar", {}) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    status, body = await api.handle("SENDMESSAGE", {"chat_id": 5, "text": "x"})
    assert status == 200
    assert body["result"]["text"] == "x"
    assert api.calls[-1].method == "sendMessage"


@pytest.mark.asyncio
async def test_get_updates_offset_limit_and_long_poll(api: FakeBotApi, alice: FakeUser) -> None:
    first = api.push_update(alice.message("a"))
    api.push_update(alice.message("b"))

    _, body = await api.handle("getUpdates", {"limit": 1})
    assert [u["update_id"] for u in body["result"]] == [first["update_id"]]
    _, body = await api.handle("getUpdates", {"offset": first["update_id"] + 1})
    assert [u["message"]["text"] for u in body["result"]] == ["b"]
    assert api.confirmed_offset == first["update_id"] + 1

    offset = first["update_id"] + 2
    _, body = await api.handle("getUpdates", {"offset": offset, "timeout": 0.05})
    assert body["result"] == []

    poll = asyncio.create_task(api.handle("getUpdates", {"offset": offset, "timeout": 10}))
    await asyncio.sleep(0)
    api.push_update(alice.message("c"))
    _, body = await asyncio.wait_for(poll, 1)
    assert [u["message"]["text"] for u in body["result"]] == ["c"]


# ------------------------------------------------------------------ real HTTP


def build_http_app(server: BotApiServer, token: str = TOKEN) -> Application:  # type: ignore[type-arg]
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )


@pytest.mark.asyncio
async def test_polling_over_http(api: FakeBotApi, alice: FakeUser) -> None:
    async with BotApiServer(api, TOKEN) as server:
        app = build_http_app(server)
        app.add_handler(CommandHandler("start", start))
        await app.initialize()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            api.push_update(alice.command("start", "via", "http"))
            reply = await api.wait_for_call("sendMessage", chat_id=alice.id, within=10)
            assert reply.message is not None
            assert reply.message.text == "hello via http"
            assert api.last_message(alice.id).text == "hello via http"
            assert api.last_message(alice.id).buttons[0] == ("Yes", "yes")

            # multipart upload through PTB's HTTPX backend
            await app.bot.send_document(alice.id, b"xyz", filename="a.txt")
            assert api.last_message(alice.id).raw["document"]["file_name"] == "a.txt"
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
    assert api.confirmed_offset > 0  # the update was confirmed, not redelivered


@pytest.mark.asyncio
async def test_wrong_token_over_http_is_invalid_token(api: FakeBotApi) -> None:
    async with BotApiServer(api, TOKEN) as server:
        app = build_http_app(server, token="999:WRONG")
        with pytest.raises(InvalidToken, match="rejected"):
            await app.initialize()
        await app.bot.shutdown()  # a failed initialize leaves the HTTP client open
    assert api.calls == []  # rejected before reaching the api


@pytest.mark.asyncio
async def test_server_accepts_get_query_and_json_bodies(api: FakeBotApi) -> None:
    async with BotApiServer(api, TOKEN) as server, aiohttp.ClientSession() as http:
        url = f"{server.base_url}{TOKEN}"
        async with http.get(f"{url}/sendMessage", params={"chat_id": "5", "text": "7"}) as resp:
            assert resp.status == 200
            assert (await resp.json())["result"]["text"] == "7"  # text stays a string
        markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        body = {"chat_id": 5, "text": "j", "reply_markup": markup}
        async with http.post(f"{url}/sendMessage", json=body) as resp:
            assert (await resp.json())["result"]["reply_markup"] == markup
        async with http.post(f"{url}/noSuchMethod") as resp:
            assert resp.status == 404
        async with http.get(f"{server.base_file_url}{TOKEN}/nope") as resp:
            assert resp.status == 404
    assert [m.text for m in api.sent_to(5)] == ["7", "j"]
