"""The HTTP transport of every Bot API call: a PTB ``BaseRequest`` over aiohttp.

PTB's default ``HTTPXRequest`` spends about 1–2 ms of CPU on each request here, five to ten
times a raw aiohttp client, and its connection pool does more work the more connections are
open (encode/httpcore#1035); ``bench/transport.py`` measures both. This one keeps PTB's
contract: ``do_request`` returns the status and the body, and PTB's ``BaseRequest.post``
turns statuses into exceptions; the part done here is mapping the client's own failures
(timeouts to ``TimedOut``, anything else of aiohttp's to ``NetworkError``).

The timeouts mean what PTB's mean, with one difference aiohttp imposes:

- ``pool_timeout``: waiting for one of ``connection_pool_size`` connections to come free.
  When it runs out the request was *not* sent (``never_sent`` tells the retry logic so).

Bulk sends (the outbox's, made inside ``bulk_lane()``) may get connections of their own,
``bulk_pool_size`` of them: then a burst of presses, each holding a connection or two, never
makes the broadcast wait for one, nor the broadcast a press (bench/burst.py measured both).
- ``connect_timeout``: opening a connection (``never_sent`` too).
- ``read_timeout``: waiting for the answer, reset by every chunk that arrives.
- ``write_timeout``: aiohttp cannot time the sending of a body alone, so a request is bounded
  as a whole by connect + write + read time (no bound when any of them is ``None``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import ssl
import urllib.request
from collections.abc import Iterator
from urllib.parse import quote_plus

import aiohttp
import certifi
import httpx  # noqa: TID251 (its timeouts, raised inside PTB, are mapped like ours)
from aiohttp.payload import BytesPayload
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput  # the type BaseRequest.do_request is declared with
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

# Connections to the Bot API at once: PTB's own default for the bot's request. The delivery
# workers (at most 64) and concurrent updates share them; aiohttp's pool stays cheap when
# many are open, unlike httpx's.
POOL_SIZE = 256
# Long polling holds one connection; nothing else goes through that request.
GET_UPDATES_POOL_SIZE = 1
# Whether the running task's requests are bulk sends (see bulk_lane).
_BULK: contextvars.ContextVar[bool] = contextvars.ContextVar("bulk", default=False)

_POOL_MESSAGE = (  # PTB's wording, so logs read the same whichever transport is used
    "Pool timeout: All connections in the connection pool are occupied. Request was *not*"
    " sent to Telegram. Consider adjusting the connection pool size or the pool timeout."
)
_FORM = "application/x-www-form-urlencoded"
# How httpx (and browsers, HTML5) write a file name in a multipart header: quotes and
# control characters percent-encoded, other characters (Chinese names) as UTF-8.
_FILENAME_ESCAPES = str.maketrans(
    {'"': "%22", **{chr(c): f"%{c:02X}" for c in range(0x20) if c != 0x1B}}
)


@contextlib.contextmanager
def bulk_lane() -> Iterator[None]:
    """Requests made inside (by this task) are bulk sends: with a ``bulk_pool_size`` they
    take the bulk connections, not the interactive ones."""
    token = _BULK.set(True)
    try:
        yield
    finally:
        _BULK.reset(token)


class PoolTimeout(TimeoutError):
    """No connection came free within the pool timeout: the request was not sent."""


def never_sent(error: TimedOut) -> bool:
    """Whether a timed-out request certainly never reached Telegram (no connection was
    made or none was free), so sending it again cannot duplicate it. Knows this transport's
    causes and HTTPXRequest's (an injected request may still be one)."""
    return isinstance(
        error.__cause__,
        PoolTimeout | aiohttp.ConnectionTimeoutError | httpx.PoolTimeout | httpx.ConnectTimeout,
    )


@functools.lru_cache(maxsize=64)
def _client_timeout(
    read: float | None, write: float | None, connect: float | None
) -> aiohttp.ClientTimeout:
    # Few distinct combinations occur (the defaults, getUpdates' long poll, uploads).
    total = None if None in (read, write, connect) else (read or 0) + (write or 0) + (connect or 0)
    return aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)


class AiohttpRequest(BaseRequest):
    """``BaseRequest`` over one ``aiohttp.ClientSession`` (made on first use, in the event
    loop that uses it); the arguments and defaults are ``HTTPXRequest``'s."""

    __slots__ = (
        "_bulk_pool_size",
        "_bulk_slots",
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_slots",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = POOL_SIZE,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        bulk_pool_size: int = 0,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        if bulk_pool_size < 0:
            raise ValueError("bulk_pool_size must not be negative")
        self._pool_size = connection_pool_size
        self._bulk_pool_size = bulk_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        self._bulk_slots: asyncio.Semaphore | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds the long-poll time to it for getUpdates)."""
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._open()

    async def shutdown(self) -> None:
        if self._session is None or self._session.closed:
            log.debug("This AiohttpRequest is already shut down. Returning.")
            return
        await self._session.close()

    def _open(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        # The semaphore is the pool: waiting on it is what pool_timeout bounds, so that a
        # pool timeout is known not to have sent anything. The connector's own limit only
        # backs it up.
        self._slots = asyncio.Semaphore(self._pool_size)
        self._bulk_slots = asyncio.Semaphore(self._bulk_pool_size or 1)
        # Certificates and proxies as httpx finds them: certifi's CA bundle (a host without
        # system CAs still reaches Telegram), HTTPS_PROXY/HTTP_PROXY/NO_PROXY from the
        # environment (aiohttp reads them on every request, so only when any is set).
        tls = ssl.create_default_context(cafile=certifi.where())
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._pool_size + self._bulk_pool_size, ssl=tls),
            headers={"User-Agent": self.USER_AGENT},
            cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none; skip the work
            timeout=aiohttp.ClientTimeout(total=None),  # each request passes its own
            trust_env=bool(urllib.request.getproxies()),
        )
        return self._session, self._slots

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._slots is None:
            session, slots = self._open()
        elif self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        else:
            session, slots = self._session, self._slots
        if self._bulk_pool_size and _BULK.get():
            assert self._bulk_slots is not None  # made with _slots
            slots = self._bulk_slots
        files = request_data is not None and request_data.contains_files
        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._read_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if files else self._write_timeout
        if isinstance(connect_timeout, DefaultValue):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = self._pool_timeout
        body = _body(request_data)
        await _acquire(slots, pool_timeout)
        try:
            async with session.request(
                method,
                url,
                data=body,
                timeout=_client_timeout(read_timeout, write_timeout, connect_timeout),
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's timeouts are TimeoutErrors (and ClientErrors)
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # The class name says what happened when the message is empty, as PTB's does.
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        finally:
            slots.release()


async def _acquire(slots: asyncio.Semaphore, wait: float | None) -> None:
    if not slots.locked():  # the usual case, without the cost of a timeout
        await slots.acquire()
        return
    try:
        async with asyncio.timeout(wait):
            await slots.acquire()
    except TimeoutError:
        raise TimedOut(_POOL_MESSAGE) from PoolTimeout(_POOL_MESSAGE)


def _quoted(value: str) -> str:
    """``value`` as ``urlencode`` quotes it (``quote_plus``). A long one, a message's text or
    keyboard, is quoted once: a directive's text goes to thousands of members and into
    every ✅ press's edit alike, and quoting it byte by byte was a tenth of a press's CPU."""
    return _quoted_long(value) if len(value) >= _LONG else quote_plus(value)


_LONG = 64  # shorter ones (ids, flags) cost less to quote than to look up and keep
_quoted_long = functools.lru_cache(maxsize=256)(quote_plus)


def _body(request_data: RequestData | None) -> BytesPayload | aiohttp.FormData | None:
    """The form as HTTPXRequest sends it: URL-encoded, or multipart when there are files."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        fields = "&".join(
            f"{_quoted(name)}={_quoted(value)}"
            for name, value in request_data.json_parameters.items()
        )
        return BytesPayload(fields.encode(), content_type=_FORM) if fields else None
    # quote_fields=False: names as UTF-8, as httpx sends them (and Telegram reads them)
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(
            name, content, filename=filename.translate(_FILENAME_ESCAPES), content_type=mimetype
        )
    return form
