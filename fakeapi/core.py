"""Transport-independent state machine of a Telegram Bot API stand-in.

Tests drive the real PTB ``Application`` against this instead of mocking PTB, so every
request goes through PTB's own serialisation and error mapping.  Responses mimic the real
server closely enough (status codes, error texts, message objects) that PTB cannot tell.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import math
import re
import time
import zlib
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fakeapi._html import HtmlEntityError, parse_html

JSON = dict[str, Any]
MethodHandler = Callable[[JSON], Any]
"""A method implementation: gets decoded params, returns the ``result`` (or an awaitable of
it) or raises :class:`ApiError`."""

# Parameters that are plain strings on the wire; everything else arriving as a string over
# HTTP (numbers, booleans, objects) is JSON-encoded, like PTB's ``json_parameters`` does.
STRING_PARAMS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "url", "action",
        "language_code", "inline_message_id", "secret_token", "business_connection_id",
        "message_effect_id", "description", "short_description", "name", "title", "query",
        "emoji", "custom_title", "first_name", "last_name", "phone_number", "vcard",
        "address", "question", "explanation", "ip_address", "file_id", "photo", "document",
        "video", "audio", "voice", "animation", "sticker", "video_note", "thumbnail",
    }
)  # fmt: skip

_SEND_PREFIXES = ("send", "edit", "copy", "forward")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class ApiError(Exception):
    """A Bot API failure; :meth:`FakeBotApi.handle` turns it into the error body."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class UploadedFile:
    """A file that arrived as a multipart part (either transport)."""

    filename: str
    content: bytes = field(repr=False)
    mime_type: str = "application/octet-stream"

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class SentMessage:
    """Snapshot of a bot message: ``raw`` is the Message object as Telegram returns it,
    ``reply_markup`` the markup as sent (reply keyboards are not echoed by Telegram)."""

    raw: JSON
    reply_markup: JSON | None = None

    @property
    def message_id(self) -> int:
        return int(self.raw["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.raw["chat"]["id"])

    @property
    def text(self) -> str | None:
        """What the user reads: the text, or the caption of a media message."""
        text = self.raw.get("text", self.raw.get("caption"))
        return None if text is None else str(text)

    @property
    def edited(self) -> bool:
        return "edit_date" in self.raw

    @property
    def keyboard(self) -> list[list[JSON]]:
        """Button rows of an inline or reply keyboard (plain-string buttons normalised)."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [[b if isinstance(b, dict) else {"text": b} for b in row] for row in rows]

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Flat ``(text, callback_data or url)`` pairs, in reading order."""
        return [
            (b["text"], b.get("callback_data", b.get("url"))) for row in self.keyboard for b in row
        ]

    def button(self, text: str) -> JSON:
        for row in self.keyboard:
            for button in row:
                if button["text"] == text:
                    return button
        raise AssertionError(
            f"no button {text!r} in message {self.message_id} ({self.text!r}); "
            f"buttons: {[t for t, _ in self.buttons]}"
        )


@dataclass(frozen=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> CallbackAnswer:
        return cls(
            str(params.get("callback_query_id")),
            params.get("text"),
            bool(params.get("show_alert", False)),
            params.get("url"),
        )


@dataclass(frozen=True)
class ApiCall:
    """One recorded request with its decoded params and the response body sent back."""

    method: str
    params: JSON
    at: datetime
    status: int
    response: JSON
    message: SentMessage | None = None  # the message sent/edited by this call, if any

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def chat_id(self) -> int | None:
        return _as_int(self.params.get("chat_id"))


@dataclass(frozen=True)
class _Limits:
    per_second: int
    per_chat_per_second: int
    group_per_minute: int
    paid_per_second: int
    edits_overall: bool = True  # False: edits count toward their chat's limits only


@dataclass
class _Fault:
    method: str | None
    chat_id: int | None
    error: ApiError
    remaining: int


@dataclass
class _Stored:
    raw: JSON
    markup: JSON | None


@dataclass
class _File:
    meta: JSON
    content: bytes


def decode_params(
    fields: Mapping[str, object], files: Mapping[str, UploadedFile] | None = None
) -> JSON:
    """Turn wire parameters (JSON-encoded strings or native values) plus multipart files into
    the params dict :meth:`FakeBotApi.handle` takes.  Shared by both transports so they agree.

    ``attach://name`` references are replaced by the named file; other files are passed under
    their part name, which is how PTB uploads e.g. ``document``.
    """
    files = dict(files or {})
    used: set[str] = set()

    def resolve(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            used.add(value[9:])
            return files[value[9:]]
        if isinstance(value, str):
            # Plain text, as from the wire: a str subclass handed over in-process (the bot's
            # Html) would make every later copy of the message cost several times more.
            return str(value)
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return value

    out: JSON = {}
    for key, value in fields.items():
        if isinstance(value, str) and key not in STRING_PARAMS:
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        out[key] = resolve(value)
    for name, upload in files.items():
        if name not in used:
            out.setdefault(name, upload)
    return out


_PATH_RE = re.compile(r"/(file/)?bot([^/]+)/(.+)$")


def split_api_path(path: str) -> tuple[bool, str, str] | None:
    """``/bot<token>/<method>`` or ``/file/bot<token>/<file_path>`` as
    ``(is_file, token, method_or_file_path)``; None for anything else."""
    match = _PATH_RE.search(path)
    if match is None:
        return None
    return match.group(1) is not None, match.group(2), match.group(3)


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value)
    return None


class FakeBotApi:
    """In-memory Bot API: answers methods, records calls, queues inbound updates.

    Not thread-safe: use it from the event loop that runs the bot.
    """

    def __init__(
        self,
        *,
        bot_id: int = 777000111,
        bot_username: str = "muster_test_bot",
        clock: Callable[[], datetime] | None = None,
        strict_chats: bool = False,
    ) -> None:
        """``strict_chats``: refuse to write to chats never seen in an inbound update, as the
        real API does (403 "bot can't initiate conversation" for private chats)."""
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.strict_chats = strict_chats
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Muster",
            "username": bot_username,
        }
        self.calls: list[ApiCall] = []
        self.chats: dict[int, JSON] = {}
        self.blocked: set[int] = set()
        self.missing_chats: set[int] = set()
        self.webhook_url = ""
        self.confirmed_offset = 0
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self._messages: dict[int, dict[int, _Stored]] = {}
        self._inbound: dict[int, dict[int, JSON]] = {}
        self._last_message_id: dict[int, int] = {}
        self._files: dict[str, _File] = {}
        self._answered: set[str] = set()
        self._faults: list[_Fault] = []
        self._queue: list[JSON] = []
        self._next_update_id = 1
        self._pushed = asyncio.Event()
        self._recorded = asyncio.Event()
        self._poller = 0
        self._methods: dict[str, tuple[str, MethodHandler]] = {}
        self.too_many_requests = 0
        self.send_times: dict[int, list[float]] = {}
        self._limits: _Limits | None = None
        self._monotonic: Callable[[], float] = time.monotonic
        self._recent_sends: deque[float] = deque()
        self._recent_free: deque[float] = deque()  # the sends without allow_paid_broadcast
        self.paid_sends = 0  # accepted sends with allow_paid_broadcast
        for name, handler in {
            "getMe": self._get_me,
            "logOut": _true,
            "close": _true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getFile": self._get_file,
        }.items():
            self.register(name, handler)
        for name in (
            "setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton",
            "pinChatMessage", "unpinChatMessage", "unpinAllChatMessages", "setMessageReaction",
            "leaveChat",
        ):  # fmt: skip
            self.register(name, _true)

    # ---------------------------------------------------------------- entry point

    def register(self, method: str, handler: MethodHandler) -> None:
        """Add or replace a method (sync or async handler); lets tests cover methods the fake
        does not know without touching it."""
        self._methods[method.lower()] = (method, handler)

    def handler(self, method: str) -> MethodHandler:
        """The handler of ``method``, for a test that wraps it (see :meth:`register`)."""
        return self._methods[method.lower()][1]

    async def handle(self, method: str, params: Mapping[str, Any]) -> tuple[int, JSON]:
        """Answer one Bot API call with ``(http_status, body)``, and record it."""
        at = self.now()
        key = method.lower()
        name, handler = self._methods.get(key, (method, None))
        params = dict(params)
        message = None
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            self._check_faults(key, params)
            paced = _is_paced(key)
            if paced:
                overall = self._counts_overall(key)
                self._check_limits(params, overall)
            result = handler(params)
            if inspect.isawaitable(result):
                result = await result
            if paced:
                self._record_send(params, overall)
            message = self._message_of(result)
            status, body = 200, {"ok": True, "result": deepcopy(result)}
        except ApiError as error:
            status, body = error.error_code, error.body()
        if status == 429:
            self.too_many_requests += 1
        self.calls.append(ApiCall(name, params, at, status, body, message))
        self._recorded.set()
        return status, body

    # ---------------------------------------------------------------- queries

    def now(self) -> datetime:
        return self.clock()

    def sent_to(self, chat_id: int) -> list[SentMessage]:
        """Bot messages currently in the chat (edits applied, deletions gone), oldest first."""
        return [_snapshot(s) for s in self._messages.get(chat_id, {}).values()]

    def last_message(self, chat_id: int) -> SentMessage:
        messages = self.sent_to(chat_id)
        if not messages:
            raise AssertionError(f"the bot has no messages in chat {chat_id}")
        return messages[-1]

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        stored = self._messages.get(chat_id, {}).get(message_id)
        return None if stored is None else _snapshot(stored)

    def calls_of(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    async def wait_for_call(
        self, method: str, *, chat_id: int | None = None, since: int = 0, within: float = 10.0
    ) -> ApiCall:
        """First successful ``method`` call (to ``chat_id``) at index >= ``since`` in
        :attr:`calls`, waiting up to ``within`` seconds: for a bot running in the background
        (polling, jobs), where there is no ``process_update`` to await."""
        try:
            async with asyncio.timeout(within):
                while True:
                    for call in self.calls[since:]:
                        wanted_chat = chat_id is None or call.chat_id == chat_id
                        if call.ok and call.method.lower() == method.lower() and wanted_chat:
                            return call
                    since = len(self.calls)
                    self._recorded.clear()
                    await self._recorded.wait()
        except TimeoutError:
            recent = [(c.method, c.status) for c in self.calls[-10:]]
            raise AssertionError(
                f"no successful {method} to {chat_id} within {within}s; last calls: {recent}"
            ) from None

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return [
            CallbackAnswer.from_params(c.params)
            for c in self.calls_of("answerCallbackQuery")
            if c.ok
        ]

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        return deepcopy(self.commands.get(_commands_key(scope, language_code), []))

    def file_bytes(self, file_id: str) -> bytes | None:
        """What the bot uploaded (or a user sent) under ``file_id``, as a test reads it."""
        stored = self._files.get(file_id)
        return None if stored is None else stored.content

    def file_content(self, file_path: str) -> bytes | None:
        """Bytes behind a ``getFile`` path, for the ``/file/bot<token>/<path>`` download."""
        for stored in self._files.values():
            if stored.meta.get("file_path") == file_path:
                return stored.content
        return None

    # ---------------------------------------------------------------- fault injection

    def fail_next(
        self,
        method: str | None,
        *,
        chat_id: int | None = None,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` matching calls fail.  ``method=None`` matches any method
        except getUpdates (so the polling loop does not swallow the fault)."""
        error = ApiError(error_code, description, retry_after)
        self._faults.append(_Fault(method and method.lower(), chat_id, error, times))

    def rate_limit(
        self, retry_after: int, *, method: str | None = None, chat_id: int | None = None
    ) -> None:
        self.fail_next(
            method,
            chat_id=chat_id,
            error_code=429,
            description=f"Too Many Requests: retry after {retry_after}",
            retry_after=retry_after,
        )

    def enforce_limits(
        self,
        per_second: int = 30,
        per_chat_per_second: int = 1,
        group_per_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
        paid_per_second: int = 1000,
        *,
        edits_overall: bool = True,
    ) -> None:
        """Answer 429 with ``retry_after``, as Telegram does, to a send or edit that would
        exceed a flood limit: ``per_second`` overall and ``per_chat_per_second`` per chat in
        any sliding second, ``group_per_minute`` per group (chat id < 0) in any sliding
        minute.  A send with ``allow_paid_broadcast`` takes ``paid_per_second`` instead of
        ``per_second``; every send counts towards ``paid_per_second``, the free ones
        towards ``per_second`` too.  Only accepted sends count.  ``clock`` is a monotonic
        clock in seconds (a fake one in tests), also used for :attr:`send_times`.
        ``edits_overall=False``: edits count toward their chat's limits only, not the
        overall ones (what Telegram's developers describe, see bot/delivery/reply_pacing.py)."""
        self._limits = _Limits(
            per_second, per_chat_per_second, group_per_minute, paid_per_second, edits_overall
        )
        self._monotonic = clock

    def _counts_overall(self, key: str) -> bool:
        limits = self._limits
        return limits is None or limits.edits_overall or not key.startswith("edit")

    def _check_limits(self, params: JSON, overall: bool = True) -> None:
        limits = self._limits
        if limits is None:
            return
        now = self._monotonic()
        chat_id = _as_int(params.get("chat_id"))
        mine = self.send_times.get(chat_id, []) if chat_id is not None else []
        waits = [_window_wait(mine, limits.per_chat_per_second, 1.0, now)]
        if overall:
            waits.append(_second_wait(self._recent_sends, limits.paid_per_second, now))
            if params.get("allow_paid_broadcast") is not True:
                waits.append(_second_wait(self._recent_free, limits.per_second, now))
        if chat_id is not None and chat_id < 0:
            waits.append(_window_wait(mine, limits.group_per_minute, 60.0, now))
        wait = max(waits)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", seconds)

    def _record_send(self, params: JSON, overall: bool = True) -> None:
        now = self._monotonic()
        if overall:
            self._recent_sends.append(now)
            if params.get("allow_paid_broadcast") is True:
                self.paid_sends += 1
            else:
                self._recent_free.append(now)
        for recent in (self._recent_sends, self._recent_free):
            while recent and recent[0] + 1.0 <= now:
                recent.popleft()
        chat_id = _as_int(params.get("chat_id"))
        if chat_id is not None:
            self.send_times.setdefault(chat_id, []).append(now)

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends and edits to the chat get 403 until unblocked."""
        self.blocked.add(chat_id)

    def chat_not_found(self, chat_id: int) -> None:
        self.missing_chats.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """Undo :meth:`block` and :meth:`chat_not_found`."""
        self.blocked.discard(chat_id)
        self.missing_chats.discard(chat_id)

    def _check_faults(self, key: str, params: JSON) -> None:
        chat_id = _as_int(params.get("chat_id"))
        for fault in self._faults:
            if fault.method is None and key == "getupdates":
                continue
            if fault.method not in (None, key):
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            raise fault.error
        if chat_id in self.missing_chats:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked and key.startswith(_SEND_PREFIXES):
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    # ---------------------------------------------------------------- inbound side

    def next_message_id(self, chat_id: int) -> int:
        """Reserve a message id; user and bot messages share one sequence per chat."""
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def observe_update(self, update: Mapping[str, Any]) -> JSON:
        """Learn what the server would know from an inbound update (chats, message ids,
        callback ids, blocks); assigns ``update_id`` if missing.  Returns the stored copy."""
        upd = deepcopy(dict(update))
        upd.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, int(upd["update_id"]) + 1)
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            if key in upd:
                self._learn_message(upd[key])
        if "callback_query" in upd and "message" in upd["callback_query"]:
            self._learn_chat(upd["callback_query"]["message"]["chat"])
        if "my_chat_member" in upd:
            member = upd["my_chat_member"]
            chat = self._learn_chat(member["chat"])
            if chat["type"] == "private":
                if member["new_chat_member"]["status"] == "kicked":
                    self.blocked.add(chat["id"])
                else:
                    self.blocked.discard(chat["id"])
        return upd

    def push_update(self, update: Mapping[str, Any]) -> JSON:
        """Queue an update for getUpdates (and wake a waiting long poll)."""
        upd = self.observe_update(update)
        self._queue.append(upd)
        self._pushed.set()
        return upd

    def push_raw(self, update: JSON) -> None:
        """Queue ``update`` for getUpdates exactly as given, unchecked: one a real server
        would not send, to see what the bot does with it."""
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._queue.append(deepcopy(update))
        self._pushed.set()

    @property
    def pending_updates(self) -> list[JSON]:
        return deepcopy(self._queue)

    def _learn_chat(self, chat: JSON) -> JSON:
        known = self.chats.setdefault(int(chat["id"]), {})
        known.update(chat)
        return known

    def know_sent(self, message: Mapping[str, Any]) -> None:
        """Remember ``message`` as one the bot sent, as it stands, as Telegram would
        whichever process sent it: a stand-in per bot instance, told what the others
        sent, can then edit it. Message ids are not moved on: the instance that sends it
        here gives it the same id and replaces it."""
        self._learn_chat(message["chat"])
        self._store(dict(message), message.get("reply_markup"))

    def _learn_message(self, message: JSON) -> None:
        chat_id = int(self._learn_chat(message["chat"])["id"])
        message_id = int(message["message_id"])
        self._inbound.setdefault(chat_id, {})[message_id] = message
        self._last_message_id[chat_id] = max(self._last_message_id.get(chat_id, 0), message_id)

    # ---------------------------------------------------------------- helpers

    def _ts(self) -> int:
        return int(self.now().timestamp())

    def _chat(self, params: JSON, *, writing: bool = True) -> JSON:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat_id = _as_int(raw)
        if chat_id is None and isinstance(raw, str) and raw.startswith("@"):
            chat_id = next(
                (cid for cid, c in self.chats.items() if c.get("username") == raw[1:]), None
            )
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.chats:
            return deepcopy(self.chats[chat_id])
        if self.strict_chats:
            if chat_id > 0 and writing:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}

    def _message_id(self, params: JSON) -> int:
        message_id = _as_int(params.get("message_id"))
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        return message_id

    def _render(self, params: JSON, key: str, *, limit: int) -> tuple[str, list[JSON]]:
        """Text or caption as displayed, with entities; validates like Telegram."""
        source = params.get(key)
        if not isinstance(source, str):
            source = "" if source is None else str(source)
        entities_key = "entities" if key == "text" else "caption_entities"
        entities: list[JSON] = list(params.get(entities_key) or [])
        if str(params.get("parse_mode") or "").lower() == "html":
            try:
                source, entities = parse_html(source)
            except HtmlEntityError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if key == "text" and not source.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(source) > limit:
            what = "message" if key == "text" else "message caption"
            raise ApiError(400, f"Bad Request: {what} is too long")
        return source, entities

    def _markup(self, params: JSON) -> JSON | None:
        markup = params.get("reply_markup")
        if isinstance(markup, str):  # tolerated: a hand-written caller may pass JSON text
            with contextlib.suppress(ValueError):
                markup = json.loads(markup)
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if len(button) < 2:
                    raise ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard",
                    )
        return markup

    def _new_message(self, params: JSON, markup: JSON | None) -> JSON:
        chat = self._chat(params)
        chat_id = int(chat["id"])
        message: JSON = {
            "message_id": self.next_message_id(chat_id),
            "from": deepcopy(self.bot_user),
            "chat": chat,
            "date": self._ts(),
        }
        reply = params.get("reply_parameters") or {}
        reply_to = _as_int(reply.get("message_id", params.get("reply_to_message_id")))
        if reply_to is not None:
            target = self._inbound.get(chat_id, {}).get(reply_to)
            if target is None and reply_to in self._messages.get(chat_id, {}):
                target = self._messages[chat_id][reply_to].raw
            if target is not None:
                message["reply_to_message"] = deepcopy(target)
            elif not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = deepcopy(markup)
        return message

    def _store(self, message: JSON, markup: JSON | None) -> JSON:
        chat_id = int(message["chat"]["id"])
        self._messages.setdefault(chat_id, {})[int(message["message_id"])] = _Stored(
            deepcopy(message), deepcopy(markup)
        )
        return message

    def _message_of(self, result: Any) -> SentMessage | None:
        if isinstance(result, dict) and "message_id" in result and "chat" in result:
            return self.message(int(result["chat"]["id"]), int(result["message_id"]))
        return None

    def _file(self, value: Any, kind: str, missing: str) -> JSON:
        """Metadata for an uploaded file or a file_id/URL reference."""
        if isinstance(value, UploadedFile):
            n = len(self._files) + 1
            ext = "." + value.filename.rsplit(".", 1)[-1] if "." in value.filename else ""
            meta: JSON = {
                "file_id": f"fake-{kind}-{n}",
                "file_unique_id": f"u{kind}{n}",
                "file_size": value.size,
                "file_path": f"{kind}s/file_{n}{ext}",
            }
            if kind == "document":
                meta |= {"file_name": value.filename, "mime_type": value.mime_type}
            self._files[meta["file_id"]] = _File(meta, value.content)
            return meta
        if isinstance(value, str) and value in self._files:
            return self._files[value].meta
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return {"file_id": f"fake-url-{zlib.crc32(value.encode())}", "file_unique_id": "url"}
        if not value:
            raise ApiError(400, f"Bad Request: {missing}")
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def register_file(self, meta: JSON, content: bytes) -> None:
        """Make a user-sent file (see ``FakeUser.document``) known: the bot can getFile,
        download or re-send it by file_id."""
        self._files[meta["file_id"]] = _File(
            {**meta, "file_path": f"files/{meta['file_id']}"}, content
        )

    def _edit(self, params: JSON, change: Callable[[JSON], None]) -> JSON | bool:
        if params.get("inline_message_id"):
            return True
        chat = self._chat(params)
        chat_id, message_id = int(chat["id"]), self._message_id(params)
        stored = self._messages.get(chat_id, {}).get(message_id)
        if stored is None:
            if message_id in self._inbound.get(chat_id, {}):
                raise ApiError(400, "Bad Request: message can't be edited")
            raise ApiError(400, "Bad Request: message to edit not found")
        markup = self._markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        edited = deepcopy(stored.raw)
        change(edited)
        edited.pop("reply_markup", None)
        if markup and markup["inline_keyboard"]:
            edited["reply_markup"] = deepcopy(markup)
        if _content(edited) == _content(stored.raw):
            raise ApiError(400, _NOT_MODIFIED)
        edited["edit_date"] = self._ts()
        return self._store(edited, markup)

    # ---------------------------------------------------------------- methods

    def _get_me(self, params: JSON) -> JSON:
        return self.bot_user | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _as_int(params.get("offset")) or 0
        limit = min(max(_as_int(params.get("limit")) or 100, 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if offset > 0:
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
            self.confirmed_offset = max(self.confirmed_offset, offset)
        elif offset < 0:
            self._queue = self._queue[offset:]
        self._poller += 1
        me = self._poller
        self._pushed.set()  # an older long poll gets terminated, as on the real server
        self._pushed.clear()
        if not self._queue and timeout > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._pushed.wait(), timeout)
        if self._poller != me:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return self._queue[:limit]

    def _set_webhook(self, params: JSON) -> bool:
        self.webhook_url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    def _delete_webhook(self, params: JSON) -> bool:
        return self._set_webhook({"drop_pending_updates": params.get("drop_pending_updates")})

    def _get_webhook_info(self, params: JSON) -> JSON:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }

    def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not _COMMAND_RE.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description must be non-empty")
        key = _commands_key(params.get("scope"), params.get("language_code") or "")
        self.commands[key] = deepcopy(commands)
        return True

    def _get_my_commands(self, params: JSON) -> list[JSON]:
        return self.commands_for(params.get("scope"), params.get("language_code") or "")

    def _delete_my_commands(self, params: JSON) -> bool:
        key = _commands_key(params.get("scope"), params.get("language_code") or "")
        self.commands.pop(key, None)
        return True

    def _send_message(self, params: JSON) -> JSON:
        text, entities = self._render(params, "text", limit=4096)
        markup = self._markup(params)
        message = self._new_message(params, markup)
        message["text"] = text
        if entities:
            message["entities"] = entities
        return self._store(message, markup)

    def _send_media(self, params: JSON, kind: str, media: JSON | list[JSON]) -> JSON:
        caption, entities = self._render(params, "caption", limit=1024)
        markup = self._markup(params)
        message = self._new_message(params, markup)
        message[kind] = media
        if caption:
            message["caption"] = caption
        if entities:
            message["caption_entities"] = entities
        return self._store(message, markup)

    def _send_photo(self, params: JSON) -> JSON:
        meta = self._file(params.get("photo"), "photo", "there is no photo in the request")
        size = {k: v for k, v in meta.items() if k != "file_path"}
        return self._send_media(params, "photo", [{"width": 1280, "height": 960} | size])

    def _send_document(self, params: JSON) -> JSON:
        meta = self._file(params.get("document"), "document", "there is no document in the request")
        document = {k: v for k, v in meta.items() if k != "file_path"}
        return self._send_media(params, "document", document)

    def _edit_message_text(self, params: JSON) -> JSON | bool:
        text, entities = self._render(params, "text", limit=4096)

        def change(message: JSON) -> None:
            if "text" not in message:
                raise ApiError(400, "Bad Request: there is no text in the message to edit")
            message["text"] = text
            message.pop("entities", None)
            if entities:
                message["entities"] = entities

        return self._edit(params, change)

    def _edit_message_caption(self, params: JSON) -> JSON | bool:
        caption, entities = self._render(params, "caption", limit=1024)

        def change(message: JSON) -> None:
            if "text" in message:
                raise ApiError(400, "Bad Request: there is no caption in the message to edit")
            message.pop("caption", None)
            message.pop("caption_entities", None)
            if caption:
                message["caption"] = caption
            if entities:
                message["caption_entities"] = entities

        return self._edit(params, change)

    def _edit_message_reply_markup(self, params: JSON) -> JSON | bool:
        return self._edit(params, lambda message: None)

    def _delete_message(self, params: JSON) -> bool:
        chat_id, message_id = int(self._chat(params)["id"]), self._message_id(params)
        for store in (self._messages, self._inbound):
            if store.get(chat_id, {}).pop(message_id, None) is not None:
                return True
        raise ApiError(400, "Bad Request: message to delete not found")

    def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if not query_id or query_id in self._answered:
            raise ApiError(400, _QUERY_TOO_OLD)
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._answered.add(query_id)
        return True

    def _send_chat_action(self, params: JSON) -> bool:
        self._chat(params)
        if not params.get("action"):
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _get_chat(self, params: JSON) -> JSON:
        return self._chat(params, writing=False) | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _get_file(self, params: JSON) -> JSON:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {k: v for k, v in stored.meta.items() if k in _FILE_KEYS}


_FILE_KEYS = ("file_id", "file_unique_id", "file_size", "file_path")
_CONTENT_KEYS = ("text", "entities", "caption", "caption_entities", "reply_markup")


def _snapshot(stored: _Stored) -> SentMessage:
    """A copy, so later edits to the chat do not change what a test already holds."""
    return SentMessage(deepcopy(stored.raw), deepcopy(stored.markup))


def _is_paced(key: str) -> bool:
    """Methods Telegram's flood limits apply to: whatever puts or changes a message."""
    return key.startswith(_SEND_PREFIXES) and key != "sendchataction"


def _window_wait(times: Sequence[float], limit: int, window: float, now: float) -> float:
    """Seconds until fewer than ``limit`` of ``times`` (ascending) lie in the sliding
    ``window`` ending now; 0 or less when a send is allowed already.

    A send at ``s`` is in the window while ``s + window > now``, the same comparison the
    pacer makes, so the two agree to the last float."""
    for inside, at in enumerate(reversed(times), start=1):
        if at + window <= now:
            break
        if inside >= limit:
            return at + window - now
    return 0.0


def _second_wait(times: deque[float], limit: int, now: float) -> float:
    """:func:`_window_wait` over one second for a deque of recent sends, which drops the
    ones that left the second first: at a thousand sends a second a walk would cost more
    than the send."""
    while times and times[0] + 1.0 <= now:
        times.popleft()
    return times[-limit] + 1.0 - now if len(times) >= limit else 0.0


def _true(params: JSON) -> bool:
    return True


def _commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code


def _content(message: JSON) -> list[Any]:
    """What a user can see change; equal content means "message is not modified"."""
    return [message.get(k) for k in _CONTENT_KEYS]
