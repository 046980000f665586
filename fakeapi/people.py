"""Inbound updates built from a person's point of view, so flow tests read like a chat log.

Builders only return update dicts; feed them to ``FakeBotApi.push_update`` (polling) or
``ChatDriver.send`` (in-process).  Bind a user to the api (``FakeUser(..., api=api)``) to get
the api clock's dates, message ids shared with the bot's messages, and buttons pressed on the
message as it currently is (not a stale snapshot).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fakeapi._html import utf16_len
from fakeapi.core import JSON, FakeBotApi, SentMessage

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?")
_ids = itertools.count(1)


@dataclass
class FakeUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str = "en"
    api: FakeBotApi | None = field(default=None, kw_only=True, repr=False, compare=False)
    _local_ids: dict[int, int] = field(default_factory=dict, init=False, repr=False)

    @property
    def user_dict(self) -> JSON:
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        user["language_code"] = self.language_code
        return user

    @property
    def private_chat(self) -> JSON:
        chat: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    # ---------------------------------------------------------------- private chat

    def message(self, text: str) -> JSON:
        """A text message; a leading ``/command`` gets its ``bot_command`` entity, as the
        server adds one."""
        return self._message(self.private_chat, **_text(text))

    def command(self, cmd: str, *args: str) -> JSON:
        return self.message(" ".join([f"/{cmd.removeprefix('/')}", *args]))

    def location(self, latitude: float, longitude: float) -> JSON:
        return self._message(
            self.private_chat, location={"latitude": latitude, "longitude": longitude}
        )

    def photo(self, *, caption: str | None = None, width: int = 1280, height: int = 960) -> JSON:
        n = next(_ids)
        size = {
            "file_id": f"user-photo-{n}",
            "file_unique_id": f"uph{n}",
            "width": width,
            "height": height,
            "file_size": width * height // 10,
        }
        if self.api is not None:
            self.api.register_file(size, b"")
        return self._message(self.private_chat, photo=[size], **_caption(caption))

    def document(
        self,
        file_name: str,
        content: bytes = b"",
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> JSON:
        """A file upload; with a bound api the bot can getFile and download ``content``."""
        n = next(_ids)
        document = {
            "file_id": f"user-document-{n}",
            "file_unique_id": f"udoc{n}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        if self.api is not None:
            self.api.register_file(document, content)
        return self._message(self.private_chat, document=document, **_caption(caption))

    def press(self, message: SentMessage, button_text: str) -> JSON:
        """Tap a button: callback_query for inline callback buttons, a text message for reply
        keyboard buttons; URL and other buttons send the bot nothing, so they fail loudly."""
        if self.api is not None:
            current = self.api.message(message.chat_id, message.message_id)
            if current is None:
                raise AssertionError(f"message {message.message_id} ({message.text!r}) is gone")
            message = current
        button = message.button(button_text)
        if not (message.reply_markup or {}).get("inline_keyboard"):
            return self._message(message.raw["chat"], text=button_text)
        if "callback_data" not in button:
            kinds = sorted(set(button) - {"text"})
            raise AssertionError(
                f"button {button_text!r} is a {kinds} button: the bot gets no update for it"
            )
        return self._callback(message.raw, str(button["callback_data"]))

    def press_data(self, message_id: int, data: str, *, chat_id: int | None = None) -> JSON:
        """A callback_query with arbitrary (possibly forged or stale) data."""
        chat_id = self.id if chat_id is None else chat_id
        current = self.api.message(chat_id, message_id) if self.api else None
        if current is not None:
            return self._callback(current.raw, data)
        # date 0 is how Telegram marks a message the bot can no longer access
        inaccessible = {"message_id": message_id, "chat": self._chat(chat_id), "date": 0}
        return self._callback(inaccessible, data)

    def blocks_bot(self) -> JSON:
        """The ``my_chat_member`` update Telegram sends when the user blocks the bot; the api
        then answers 403 to sends."""
        return self._chat_member("member", "kicked")

    def unblocks_bot(self) -> JSON:
        return self._chat_member("kicked", "member")

    # ---------------------------------------------------------------- groups

    def message_in_group(self, chat_id: int, text: str, *, title: str = "Test group") -> JSON:
        return self._message(self._chat(chat_id, title), **_text(text))

    def command_in_group(
        self, chat_id: int, cmd: str, *args: str, title: str = "Test group"
    ) -> JSON:
        return self.message_in_group(
            chat_id, " ".join([f"/{cmd.removeprefix('/')}", *args]), title=title
        )

    # ---------------------------------------------------------------- internals

    def _ts(self) -> int:
        now = self.api.now() if self.api is not None else datetime.now(UTC)
        return int(now.timestamp())

    def _chat(self, chat_id: int, title: str = "Test group") -> JSON:
        if chat_id == self.id:
            return self.private_chat
        if self.api is not None and chat_id in self.api.chats:
            return dict(self.api.chats[chat_id])
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": title}

    def _next_message_id(self, chat_id: int) -> int:
        if self.api is not None:
            return self.api.next_message_id(chat_id)
        self._local_ids[chat_id] = self._local_ids.get(chat_id, 0) + 1
        return self._local_ids[chat_id]

    def _message(self, chat: JSON, **content: Any) -> JSON:
        message: JSON = {
            "message_id": self._next_message_id(int(chat["id"])),
            "from": self.user_dict,
            "chat": chat,
            "date": self._ts(),
        }
        return {"message": message | content}

    def _callback(self, message: JSON, data: str) -> JSON:
        query = {
            "id": f"{self.id}{next(_ids):06d}",
            "from": self.user_dict,
            "message": message,
            "chat_instance": str(-int(message["chat"]["id"])),
            "data": data,
        }
        return {"callback_query": query}

    def _chat_member(self, old: str, new: str) -> JSON:
        if self.api is None:
            raise ValueError("blocks_bot/unblocks_bot need FakeUser(..., api=api)")
        bot, date = self.api.bot_user, self._ts()
        return {
            "my_chat_member": {
                "chat": self.private_chat,
                "from": self.user_dict,
                "date": date,
                "old_chat_member": _member(bot, old),
                "new_chat_member": _member(bot, new),
            }
        }


def _member(user: JSON, status: str) -> JSON:
    member: JSON = {"user": user, "status": status}
    if status == "kicked":
        member["until_date"] = 0
    return member


def _text(text: str) -> JSON:
    content: JSON = {"text": text}
    match = _COMMAND_RE.match(text)
    if match:
        length = utf16_len(match.group(0))
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return content


def _caption(caption: str | None) -> JSON:
    return {} if caption is None else {"caption": caption}
