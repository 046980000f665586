"""The catalogues: both languages complete, nothing missing that code asks for, nothing
unused, and every message renders with the arguments it names."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fluent.syntax import FluentParser
from fluent.syntax import ast as ftl
from fluent.syntax.visitor import Visitor

from bot.i18n import LANGUAGES, Translator, read_catalogue

ROOT = Path(__file__).parents[2]
KEY = re.compile(r"^[a-z]+(-[a-z0-9]+)+$")
NOT_MESSAGES = {"utf-8", "utf-8-sig"}
# Code that talks to people; every kebab-case literal there is a message id.
SOURCES = [
    path
    for folder in ("bot", "handlers")
    for path in sorted((ROOT / folder).rglob("*.py"))
    if "fakeapi" not in path.parts
]
NUMERIC = {"count", "n", "uses", "used", "days"}


def literals(path: Path) -> Iterator[tuple[str, int]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if KEY.match(node.value) and node.value not in NOT_MESSAGES:
            yield node.value, node.lineno


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: ftl.VariableReference) -> None:
        self.names.add(node.id.name)


def variables(language: str) -> dict[str, set[str]]:
    text = read_catalogue(language)  # the main file and the per-feature ones, as the bot loads them
    found = {}
    for entry in FluentParser().parse(text).body:
        if isinstance(entry, ftl.Message):
            visitor = _Variables()
            visitor.visit(entry)
            found[entry.id.name] = visitor.names
    return found


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator()


def test_both_languages_have_the_same_messages(translator: Translator) -> None:
    english, chinese = translator.message_ids("en"), translator.message_ids("zh")
    assert sorted(english - chinese) == [], "missing from zh.ftl"
    assert sorted(chinese - english) == [], "missing from en.ftl"


def test_every_message_the_code_uses_exists(translator: Translator) -> None:
    known = translator.message_ids("en")
    missing = [
        f"{path.relative_to(ROOT)}:{line}: {key}"
        for path in SOURCES
        for key, line in literals(path)
        if key not in known
    ]
    assert missing == []


def test_no_message_is_unused(translator: Translator) -> None:
    used = {key for path in SOURCES for key, _ in literals(path)}
    assert sorted(translator.message_ids("en") - used) == []


def test_messages_take_the_same_arguments_in_both_languages() -> None:
    english, chinese = variables("en"), variables("zh")
    differ = {
        key: (english[key], chinese.get(key)) for key in english if english[key] != chinese.get(key)
    }
    assert differ == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_renders(translator: Translator, language: str) -> None:
    for key, names in variables(language).items():
        for number in (0, 1, 7):
            args: dict[str, object] = {
                name: number if name in NUMERIC else f"<{name}>" for name in names
            }
            text = translator.t(language, key, **args)
            assert text.strip(), key
            assert "{" not in text, f"{key}: unresolved placeable"
            for name in names - NUMERIC:
                # Text arguments come from users and are HTML-escaped.
                assert f"<{name}>" not in text, f"{key}: ${name} not escaped"


def test_missing_message_raises(translator: Translator) -> None:
    from bot.i18n import MissingMessageError

    with pytest.raises(MissingMessageError):
        translator.t("en", "no-such-message")
