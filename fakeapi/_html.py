"""Telegram's ``parse_mode=HTML`` rendering: plain text plus ``MessageEntity`` dicts.

The real server strips the tags and rejects malformed markup; doing the same here means tests
see what a user sees and catch unescaped ``<`` in user-supplied names.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

_ENTITY_OF_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "tg-emoji": "custom_emoji",
    "blockquote": "blockquote",
    "span": "spoiler",  # only <span class="tg-spoiler"> is allowed
}


class HtmlEntityError(ValueError):
    """Raised with the text Telegram puts after "Bad Request: can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Entity offsets and lengths count UTF-16 code units, as in the Bot API."""
    return len(text.encode("utf-16-le")) // 2


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.position = 0  # not "offset": HTMLParser uses that name itself
        self.stack: list[tuple[str, dict[str, Any]]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        kind = _ENTITY_OF_TAG.get(tag)
        if kind is None or (tag == "span" and attributes.get("class") != "tg-spoiler"):
            raise HtmlEntityError(f'Unsupported start tag "{tag}" at byte offset {self._pos()}')
        entity: dict[str, Any] = {"type": kind, "offset": self.position}
        if tag == "a":
            entity["url"] = attributes.get("href") or ""
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = attributes.get("emoji-id") or ""
        elif tag == "code" and self.stack and self.stack[-1][0] == "pre":
            language = (attributes.get("class") or "").removeprefix("language-")
            if language:
                self.stack[-1][1]["language"] = language
            entity["type"] = ""  # <pre><code> is one pre entity, not two
        self.stack.append((tag, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            raise HtmlEntityError(f"Unexpected end tag at byte offset {self._pos()}")
        _, entity = self.stack.pop()
        entity["length"] = self.position - entity["offset"]
        if entity["type"] and entity["length"] > 0:
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.position += utf16_len(data)

    def _pos(self) -> int:
        return self.getpos()[1]


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Render ``source`` like Telegram does for ``parse_mode=HTML``."""
    parser = _Parser()
    parser.feed(source)
    parser.close()
    if parser.stack:
        tag = parser.stack[-1][0]
        raise HtmlEntityError(f'Can\'t find end tag corresponding to start tag "{tag}"')
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.parts), entities
