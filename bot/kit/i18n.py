"""Catalogues (Project Fluent, ``bot/locales/*.ftl``) and locale-aware dates.

Every user-visible string goes through ``Translator.t``. Arguments that are plain ``str``
are HTML-escaped, because every message is sent with HTML parse mode and names come
from users; wrap pre-rendered HTML in ``Html`` to pass it through.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, TypeVar

from babel import Locale
from babel.dates import format_date
from fluent.runtime import FluentBundle, FluentResource, resolver
from fluent.syntax import ast

from bot.kit.durations import duration_parts
from bot.kit.folding import fold

# Fluent refuses an argument longer than 2,500 characters (a guard meant for untrusted
# catalogues). Ours are trusted, and arguments carry people's text: a directive of up to
# MAX_TEXT characters goes into its preview whole, escaped HTML is longer than it reads.
resolver.MAX_PART_LENGTH = 100_000


class Language(StrEnum):
    """The languages Muster speaks, as stored with each member and named in the settings."""

    EN = "en"
    ZH = "zh"


LANGUAGES = tuple(Language)
_LOCALES = {"en": "en", "zh": "zh_Hans_CN"}
_BABEL = {"en": "en_GB", "zh": "zh_Hans_CN"}
# "Sun 29 Nov" and "11月29日 周日", as UX.md asks.
_DAY_PATTERN = {"en": "EEE d MMM", "zh": "M月d日 EEE"}
_FORMATTED_KEPT = 20_000  # messages kept formatted (see Translator.t): a few MB at most
T = TypeVar("T")
_DURATION_KEYS = {"days": "duration-days", "hours": "duration-hours", "minutes": "duration-minutes"}


class Html(str):
    """Already-safe HTML: passed into a message without escaping."""

    __slots__ = ()


class _Raw(Html):
    """Plain text headed for a plain-text destination: not escaped."""

    __slots__ = ()


def join_html(separator: str, parts: Iterable[str]) -> Html:
    """Join rendered messages (``Html``, passed through) and plain text (escaped)."""
    return Html(separator.join(p if isinstance(p, Html) else _esc(p) for p in parts))


@cache
def list_separator(language: str) -> str:
    """What goes between the items of a list: ``, `` in English, ``、`` in Chinese (CLDR's
    pattern for the middle of a list; its last-item form, "and"/"和", would be wrong before a
    "…and 3 more")."""
    pattern: str = Locale.parse(_BABEL[language]).list_patterns["standard"]["middle"]
    return pattern.replace("{0}", "").replace("{1}", "")


def join_list(language: str, items: Iterable[str]) -> Html:
    """Names, labels or codes as the language lists them: "Ann, Bob" / "张三、李四"."""
    return join_html(list_separator(language), items)


class MissingMessageError(KeyError):
    pass


def read_catalogue(language: str) -> str:
    """``locales/<language>.ftl`` and then every ``locales/<language>/*.ftl`` (one file per
    feature, in name order), as one catalogue."""
    locales = resources.files("bot") / "locales"
    texts = [(locales / f"{language}.ftl").read_text(encoding="utf-8")]
    folder = locales / language
    if folder.is_dir():
        parts = sorted((e for e in folder.iterdir() if e.name.endswith(".ftl")), key=_name)
        texts += [part.read_text(encoding="utf-8") for part in parts]
    return "\n".join(texts)


def _name(entry: Traversable) -> str:
    return entry.name


class Translator:
    def __init__(self, default_language: str = "en") -> None:
        self.default_language = default_language
        self.bundles: dict[str, FluentBundle] = {}
        self._ids: dict[str, set[str]] = {}
        # Messages as formatted, by language, key and arguments (their types too: a str is
        # escaped, the same text as Html is not). In a mass check-in everyone gets the same
        # few texts, and catalogues do not change while running; oldest out past the bound.
        self._formatted: dict[tuple[Any, ...], Html] = {}
        for language in LANGUAGES:
            resource = FluentResource(read_catalogue(language))
            junk = [e for e in resource.body if isinstance(e, ast.Junk)]
            if junk:
                snippet = (junk[0].content or "")[:60]
                raise ValueError(f"{language}.ftl: cannot parse {snippet!r}")
            # Isolation marks (U+2068/9) would show up as junk around names in Telegram.
            bundle = FluentBundle([_LOCALES[language]], use_isolating=False)
            bundle.add_resource(resource)
            self.bundles[language] = bundle
            self._ids[language] = {e.id.name for e in resource.body if isinstance(e, ast.Message)}

    def language(self, language: str | None) -> str:
        return language if language in self.bundles else self.default_language

    def t(self, language: str | None, key: str, /, **args: Any) -> Html:
        """The message, HTML-safe: it can be passed on as an argument without re-escaping."""
        language = self.language(language)
        known = (language, key, *args.items(), *map(type, args.values()))
        try:
            cached = self._formatted.get(known)
            keep = True
        except TypeError:  # an argument that cannot be a key (a list …): not kept
            cached, keep = None, False
        if cached is not None:
            return cached
        bundle = self.bundles[language]
        if not bundle.has_message(key):
            raise MissingMessageError(f"{key} ({language})")
        message = bundle.get_message(key)
        assert message.value is not None, key
        safe = {
            name: value if isinstance(value, Html) or not isinstance(value, str) else _esc(value)
            for name, value in args.items()
        }
        text, errors = bundle.format_pattern(message.value, safe)
        if errors:
            raise ValueError(f"{key}: {errors}")
        if keep:
            if len(self._formatted) >= _FORMATTED_KEPT:
                del self._formatted[next(iter(self._formatted))]
            self._formatted[known] = Html(text)
        return Html(text)

    def plain(self, language: str | None, key: str, /, **args: Any) -> str:
        """For text that is not HTML (button labels, toasts): arguments unescaped, and
        the catalogue's own markup must not be used in such messages."""
        raw = {k: _Raw(v) if isinstance(v, str) else v for k, v in args.items()}
        return str(self.t(language, key, **raw))

    def names(
        self, language: str | None, people: Sequence[T], word: Callable[[T], str], *, count: int
    ) -> Html:
        """The first ``count`` names, listed as the language lists them, then how many
        are left out."""
        language = self.language(language)
        folded = fold(people, word, count=count)
        listed = join_list(language, folded.shown)
        if not folded.rest:
            return listed
        return self.t(language, "list-names-more", names=listed, count=folded.rest)

    def fold(
        self,
        language: str | None,
        items: Sequence[T],
        word: Callable[[T], str],
        *,
        count: int | None = None,
        chars: int | None = None,
        more: str = "list-more",
    ) -> list[str]:
        """The lines of the items that fit the budget (see ``bot.kit.folding.fold``),
        then "…and N more" (the message ``more``) when some are left out."""
        folded = fold(items, word, count=count, chars=chars)
        if not folded.rest:
            return folded.shown
        return [*folded.shown, self.t(language, more, count=folded.rest)]

    def duration(self, language: str | None, delta: timedelta) -> str:
        """``3 min``, ``1 h 30 min``, ``2 days`` / ``3分钟``, ``1小时30分钟``: every
        duration a person reads is said this way (largest exact units, whole minutes)."""
        first, *rest = (
            self.plain(language, _DURATION_KEYS[unit], n=n) for unit, n in duration_parts(delta)
        )
        for part in rest:  # "1 h 30 min", "1小时30分钟": the catalogue knows the spacing
            first = self.plain(language, "duration-joined", first=first, rest=part)
        return first

    def message_ids(self, language: str) -> set[str]:
        return set(self._ids[language])


def mention(telegram_id: int | None, name: str) -> Html:
    """The person's name, linked so a tap opens a chat with them (plain when the person
    has no Telegram account any more)."""
    if telegram_id is None:
        return Html(_esc(name))
    return Html(f'<a href="tg://user?id={int(telegram_id)}">{_esc(name)}</a>')


def _esc(value: str) -> str:
    return html.escape(value, quote=False)


@cache
def translator(default_language: str = "en") -> Translator:
    return Translator(default_language)


@lru_cache(maxsize=4096)
def format_day(day: date | datetime, language: str) -> str:
    """``Sun 29 Nov`` / ``11月29日 周日``. Kept: Babel takes longer to word a date than
    the rest of a check-in's reply, and every person's reply names the same few days."""
    return format_date(day, _DAY_PATTERN.get(language, "EEE d MMM"), locale=_BABEL[language])


def format_date_iso(day: date | datetime) -> str:
    return day.strftime("%Y-%m-%d")


def html_to_text(text: str) -> str:
    """Telegram HTML as plain text on one line (tags dropped, entities decoded), for a
    spreadsheet cell or a one-line mention."""
    out, inside = [], False
    for char in text:
        if char == "<":
            inside = True
        elif char == ">":
            inside = False
        elif not inside:
            out.append(char)
    return " ".join(html.unescape("".join(out)).split())


def first_words(text: str, limit: int = 60) -> str:
    """The opening of a text written in Telegram HTML, as plain text on one line of at
    most ``limit`` characters ("…" included): cut after the markup is gone, so never
    inside a tag or an entity, and escaped once by the message it goes into."""
    plain = html_to_text(text)
    return plain if len(plain) <= limit else plain[: limit - 1] + "…"
