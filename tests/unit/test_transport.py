"""The aiohttp transport against a real HTTP server on 127.0.0.1: the cases of PTB's own
request tests (tests/request/test_request.py) that concern a transport, through
``BaseRequest.post`` as the bot calls it."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.payload import BytesPayload
from telegram import InputFile
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from app.build import build_application
from app.inbox import InboxRequest
from bot.config import load_settings
from bot.delivery import transport
from bot.delivery.reply_pacing import PacedReplies
from bot.delivery.requests import ENGINE_REQUEST
from bot.delivery.transport import AiohttpRequest, bulk_lane, never_sent
from handlers.kit.slots import SERVICES
from tests.unit.test_pacer import Timeline, pacer_on
from tests.unit.test_reply_pacing import Telegram
from tests.unit.test_reply_pacing import request as paced

# PTB's RetryAfter warns about its own constructor's int-or-timedelta change.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

OK = {"ok": True, "result": {"message_id": 7}}


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    headers: dict[str, str]
    form: dict[str, str]
    files: dict[str, tuple[str, bytes, str]]


@dataclass
class Server:
    """Answers ``status`` and ``body`` after ``delay`` seconds; counts the TCP connections
    it was asked on (a connection is its client's address)."""

    url: str = ""
    status: int = 200
    body: bytes = json.dumps(OK).encode()
    delay: float = 0.0
    seen: list[Seen] = field(default_factory=list)
    peers: set[object] = field(default_factory=set)
    held: set[str] = field(default_factory=set)  # chat ids answered only after ``release``
    release: asyncio.Event = field(default_factory=asyncio.Event)
    all_held: asyncio.Event = field(default_factory=asyncio.Event)  # every held one arrived

    def answer(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()

    async def handle(self, request: web.Request) -> web.Response:
        assert request.transport is not None
        self.peers.add(request.transport.get_extra_info("peername"))
        form: dict[str, str] = {}
        files: dict[str, tuple[str, bytes, str]] = {}
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[name] = (value.filename, value.file.read(), value.content_type)
            else:
                form[name] = str(value)
        self.seen.append(Seen(request.method, dict(request.headers), form, files))
        if form.get("chat_id") in self.held:
            if self.held <= {seen.form.get("chat_id") for seen in self.seen}:
                self.all_held.set()
            await self.release.wait()
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(status=self.status, body=self.body)


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server()
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", state.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.url = f"http://127.0.0.1:{runner.addresses[0][1]}/bot123:T/sendMessage"
    yield state
    await runner.cleanup()


@pytest.fixture
async def request_() -> AsyncIterator[AiohttpRequest]:
    async with AiohttpRequest() as request:
        yield request


def data(**values: Any) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in values.items()])


async def test_a_request_posts_the_form_ptb_encodes_and_returns_the_result(
    server: Server, request_: AiohttpRequest
) -> None:
    keyboard = {"inline_keyboard": [[{"text": "✅ 收到", "callback_data": "ack:1"}]]}
    result = await request_.post(
        server.url, data(chat_id=42, text="值守 <b>now</b>", reply_markup=keyboard)
    )
    assert result == OK["result"]
    [seen] = server.seen
    assert seen.method == "POST"
    assert seen.headers["User-Agent"] == AiohttpRequest.USER_AGENT
    assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen.form == {
        "chat_id": "42",
        "text": "值守 <b>now</b>",
        "reply_markup": json.dumps(keyboard),
    }


def test_a_long_text_is_quoted_once_and_the_form_is_ptbs_byte_for_byte() -> None:
    """A directive's text goes to thousands of members and into every ✅ press's edit:
    quoted once, not byte by byte for every request; the form is the one PTB encodes."""
    text = "值守 <b>Riverside</b> & all units: report at 18:00 = now + 1 hour; 100% ✅ " * 5
    keyboard = {"inline_keyboard": [[{"text": "✅ 收到", "callback_data": "ack:1"}]]}
    transport._quoted_long.cache_clear()
    for chat in (42, 43, 44):
        request = data(chat_id=chat, text=text, reply_markup=keyboard)
        body = transport._body(request)
        assert isinstance(body, BytesPayload)
        assert body._value == request.url_encoded_parameters().encode()
    assert transport._quoted_long.cache_info().misses == 2  # the text and the keyboard


@pytest.mark.parametrize(
    ("code", "exception"),
    [
        (HTTPStatus.FORBIDDEN, Forbidden),
        (HTTPStatus.NOT_FOUND, InvalidToken),
        (HTTPStatus.UNAUTHORIZED, InvalidToken),
        (HTTPStatus.BAD_REQUEST, BadRequest),
        (HTTPStatus.CONFLICT, Conflict),
        (HTTPStatus.BAD_GATEWAY, NetworkError),
        (HTTPStatus.INTERNAL_SERVER_ERROR, NetworkError),
        (599, NetworkError),  # not a status http knows
    ],
)
@pytest.mark.parametrize("description", ["Forbidden: bot was blocked by the user", None])
async def test_an_error_status_becomes_ptbs_exception(
    server: Server,
    request_: AiohttpRequest,
    code: int,
    exception: type[TelegramError],
    description: str | None,
) -> None:
    body: dict[str, Any] = {"ok": False, "error_code": code}
    if description:
        body["description"] = description
    server.answer(code, body)
    if description:
        match = description
    elif code == 599:
        match = "Unknown HTTPError.*599"
    else:
        match = str(code)
    with pytest.raises(exception, match=match):
        await request_.post(server.url, data(chat_id=1, text="hi"))


async def test_a_429_becomes_retry_after_and_a_migration_chat_migrated(
    server: Server, request_: AiohttpRequest
) -> None:
    server.answer(429, {"ok": False, "parameters": {"retry_after": 42}})
    with pytest.raises(RetryAfter, match="Retry in 42") as flood:
        await request_.post(server.url, data(chat_id=1, text="hi"))
    assert flood.value.retry_after == 42
    server.answer(400, {"ok": False, "parameters": {"migrate_to_chat_id": -100123}})
    with pytest.raises(ChatMigrated) as migrated:
        await request_.post(server.url, data(chat_id=1, text="hi"))
    assert migrated.value.new_chat_id == -100123
    server.answer(400, {"ok": False, "parameters": {"unknown": "42"}})
    with pytest.raises(BadRequest, match=re.escape("{'unknown': '42'}")):
        await request_.post(server.url, data(chat_id=1, text="hi"))


async def test_an_answer_that_is_not_json_is_a_telegram_error(
    server: Server, request_: AiohttpRequest
) -> None:
    server.answer(200, b'{result: "not json"}')
    with pytest.raises(TelegramError, match="Invalid server response"):
        await request_.post(server.url, data(chat_id=1))
    server.answer(502, b"<html>Bad Gateway</html>")
    with pytest.raises(NetworkError, match=r"502.*Parsing.*Bad Gateway.*failed"):
        await request_.post(server.url, data(chat_id=1))


async def test_files_reach_the_server_intact_with_the_other_fields(
    server: Server, request_: AiohttpRequest
) -> None:
    chart = bytes(range(256)) * 40  # every byte value, 10 KiB
    workbook = b"PK\x03\x04" + b"\x00\xff" * 3000
    sheet = InputFile(workbook, filename='汇总 "Riverside".xlsx')
    request_data = data(
        chat_id=42,
        caption="日报 2026-11-29",
        photo=InputFile(chart, filename="chart.png"),
        document=sheet,
    )
    assert await request_.post(server.url, request_data) == OK["result"]
    [seen] = server.seen
    assert seen.headers["Content-Type"].startswith("multipart/form-data")
    assert seen.form == {"chat_id": "42", "caption": "日报 2026-11-29"}
    assert seen.files == {
        "photo": ("chart.png", chart, "image/png"),
        # httpx's (HTML5's) way with a quote in a name; the Chinese stays UTF-8
        "document": ("汇总 %22Riverside%22.xlsx", workbook, sheet.mimetype),
    }


async def test_a_slow_answer_times_out_on_the_read_timeout_unless_the_call_allows_more(
    server: Server,
) -> None:
    server.delay = 0.3
    async with AiohttpRequest(read_timeout=0.05) as request:
        with pytest.raises(TimedOut) as timed_out:
            await request.post(server.url, data(chat_id=1))
        assert not never_sent(timed_out.value)  # Telegram may have acted on it
        assert await request.post(server.url, data(chat_id=1), read_timeout=2) == OK["result"]
    async with AiohttpRequest(read_timeout=5) as request:
        with pytest.raises(TimedOut):
            await request.post(server.url, data(chat_id=1), read_timeout=0.05)


async def test_a_full_pool_times_out_unsent_after_the_pool_timeout(server: Server) -> None:
    server.delay = 0.5
    async with AiohttpRequest(connection_pool_size=1, pool_timeout=0.05) as request:
        first = asyncio.create_task(request.post(server.url, data(chat_id=1)))
        await asyncio.sleep(0.05)
        with pytest.raises(TimedOut, match="Pool timeout") as timed_out:
            await request.post(server.url, data(chat_id=2))
        assert never_sent(timed_out.value)
        assert await first == OK["result"]
        assert [seen.form["chat_id"] for seen in server.seen] == ["1"]
        # a longer pool timeout for this call: it waits for the connection to come free
        server.delay = 0.1
        both = await asyncio.gather(
            request.post(server.url, data(chat_id=3)),
            request.post(server.url, data(chat_id=4), pool_timeout=2),
        )
        assert list(both) == [OK["result"]] * 2


async def test_the_outbox_and_the_replies_do_not_wait_for_each_others_connections(
    server: Server,
) -> None:
    """A burst of presses held every connection and the broadcast's sends queued behind
    them (bench.burst): the outbox's requests (``ENGINE_REQUEST``, through the reply pacer
    as the app's bot makes them) have connections of their own."""
    server.held = {"1", "2"}
    async with AiohttpRequest(connection_pool_size=1, bulk_pool_size=1, pool_timeout=0.01) as r:

        async def post(endpoint: str, values: dict[str, Any]) -> Any:
            return await r.post(server.url, data(**values))

        limiter = PacedReplies(pacer_on(Timeline()))

        def call(endpoint: str, chat: int, rate_limit_args: dict[str, bool] | None) -> Any:
            values = {"chat_id": chat, "callback_query_id": "q"}
            return limiter.process_request(
                post, (endpoint, values), {}, endpoint, values, rate_limit_args
            )

        answer = asyncio.create_task(call("answerCallbackQuery", 1, None))
        send = asyncio.create_task(call("sendMessage", 2, ENGINE_REQUEST))
        async with asyncio.timeout(5):  # both reach Telegram: neither waits for the other
            await server.all_held.wait()
        # Each kind is still bounded by its own connections.
        with pytest.raises(TimedOut, match="Pool timeout"):
            await r.post(server.url, data(chat_id=3))
        with pytest.raises(TimedOut, match="Pool timeout"), bulk_lane():
            await r.post(server.url, data(chat_id=4))
        server.release.set()
        assert [await answer, await send] == [OK["result"]] * 2


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A port whose listen queue is full: a new connection attempt gets no answer."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    queued = []
    for _ in range(4):  # fill the accept queue; the kernel then drops new SYNs
        client = socket.socket()
        client.setblocking(False)
        client.connect_ex(("127.0.0.1", port))
        queued.append(client)
    yield port
    for client in queued:
        client.close()
    listener.close()


async def test_a_connection_that_is_not_answered_times_out_unsent(unanswered_port: int) -> None:
    async with AiohttpRequest(connect_timeout=0.1) as request:
        with pytest.raises(TimedOut) as timed_out:
            await request.post(f"http://127.0.0.1:{unanswered_port}/bot1:T/getMe", None)
    assert never_sent(timed_out.value)


async def test_a_refused_connection_is_a_network_error(request_: AiohttpRequest) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError") as refused:
        await request_.post(f"http://127.0.0.1:{port}/bot1:T/getMe", None)
    assert not isinstance(refused.value, TimedOut)


async def test_an_upload_the_server_does_not_take_times_out_on_the_write_timeout() -> None:
    stalled = asyncio.Event()

    async def never_reads(request: web.Request) -> web.Response:
        await stalled.wait()  # the body stays in the socket; the client's writes block
        return web.Response()

    app = web.Application()
    app.router.add_post("/{tail:.*}", never_reads)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/bot1:T/sendDocument"
    big = InputFile(b"\x00" * (32 * 1024 * 1024), filename="big.xlsx")
    try:
        async with AiohttpRequest(
            read_timeout=0.1, connect_timeout=0.1, media_write_timeout=0.2
        ) as request:
            with pytest.raises(TimedOut):
                await request.post(url, data(chat_id=1, document=big))
    finally:
        stalled.set()
        await runner.cleanup()


async def test_connections_are_reused_up_to_the_pool_size(server: Server) -> None:
    async with AiohttpRequest(connection_pool_size=4) as request:
        for chat in range(20):
            await request.post(server.url, data(chat_id=chat))
        assert len(server.peers) == 1
        server.delay = 0.05
        await asyncio.gather(*(request.post(server.url, data(chat_id=c)) for c in range(40)))
        assert len(server.peers) == 4
        await asyncio.gather(*(request.post(server.url, data(chat_id=c)) for c in range(40)))
        assert len(server.peers) == 4  # no new connection: the four were kept
        assert len(server.seen) == 100


async def test_a_proxy_in_the_environment_is_used_as_httpx_would(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where Telegram is reached through a proxy (HTTPS_PROXY and the like), the bot still
    gets there: the test server stands in for the proxy of a host that cannot resolve."""
    proxy = server.url.split("/bot")[0]
    monkeypatch.setenv("HTTP_PROXY", proxy)
    async with AiohttpRequest() as request:
        url = "http://api.telegram.invalid/bot123:T/sendMessage"
        assert await request.post(url, data(chat_id=1)) == OK["result"]
    assert [seen.form for seen in server.seen] == [{"chat_id": "1"}]
    monkeypatch.delenv("HTTP_PROXY")
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError):  # no proxy: the name does not resolve
            await request.post(url, data(chat_id=2))


async def test_shutdown_closes_the_session_and_initialize_opens_a_new_one(
    server: Server,
) -> None:
    request = AiohttpRequest()
    await request.initialize()
    session = request._session
    await request.initialize()  # twice: still the one session
    assert request._session is session and session is not None
    await request.post(server.url, data(chat_id=1))
    await request.shutdown()
    await request.shutdown()  # twice: nothing more to do
    assert session.closed
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(server.url, "POST")
    async with request:  # another cycle, as PTB's Application does on restart
        assert await request.post(server.url, data(chat_id=2)) == OK["result"]
    assert request._session is not None and request._session.closed
    assert [seen.form["chat_id"] for seen in server.seen] == ["1", "2"]


async def test_a_request_made_before_initialize_opens_its_session(server: Server) -> None:
    request = AiohttpRequest()
    try:
        assert await request.post(server.url, data(chat_id=1)) == OK["result"]
    finally:
        await request.shutdown()


async def test_the_default_timeouts_and_pool_size_are_ptbs() -> None:
    request = AiohttpRequest()
    assert request.read_timeout == 5.0
    assert AiohttpRequest(read_timeout=None).read_timeout is None
    with pytest.raises(ValueError, match="connection_pool_size"):
        AiohttpRequest(connection_pool_size=0)
    with pytest.raises(ValueError, match="bulk_pool_size"):
        AiohttpRequest(bulk_pool_size=-1)


async def test_a_reply_is_sent_again_only_when_its_timeout_says_it_never_left(
    server: Server, unanswered_port: int
) -> None:
    """The reply pacer's retry rule reads this transport's causes as it read httpx's."""
    server.delay = 0.3
    async with AiohttpRequest(connection_pool_size=1, pool_timeout=0.01) as request:
        busy = asyncio.create_task(request.post(server.url, data(chat_id=1)))
        await asyncio.sleep(0.05)
        failures = [await failure_of(request.post(server.url, data(chat_id=2)))]  # pool
        await busy
        failures.append(
            await failure_of(request.post(server.url, data(chat_id=3), read_timeout=0.01))
        )
    async with AiohttpRequest(connect_timeout=0.05) as request:
        unanswered = f"http://127.0.0.1:{unanswered_port}/bot1:T/sendMessage"
        failures.append(await failure_of(request.post(unanswered, data(chat_id=4))))
    pool, read, connect = failures
    for error, tries in ((pool, 2), (connect, 2), (read, 1)):
        timeline = Timeline()
        telegram = Telegram(timeline, errors=[error])
        if tries == 1:  # a read timeout: Telegram may have the message; not sent twice
            with pytest.raises(TimedOut):
                await paced(PacedReplies(pacer_on(timeline)), telegram)
        else:
            assert await paced(PacedReplies(pacer_on(timeline)), telegram) == {"message_id": 2}
        assert len(telegram.times) == tries


async def failure_of(call: Awaitable[object]) -> TimedOut:
    with pytest.raises(TimedOut) as failed:
        await call
    return failed.value


async def test_the_application_sends_everything_over_this_transport(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSTER_TELEGRAM__TOKEN", "123:T")
    app = await build_application(load_settings(None, storage={"database": tmp_path / "m.db"}))
    try:
        assert isinstance(app.bot.request, AiohttpRequest)
        polling = app.bot._request[0]  # getUpdates' own, behind the inbox
        assert isinstance(polling, InboxRequest) and isinstance(polling.inner, AiohttpRequest)
        assert polling.inner is not app.bot.request
    finally:
        await SERVICES.of(app).storage.close()
