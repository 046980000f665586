"""The catalogues: both languages complete, nothing missing that code asks for, nothing
unused, and every message renders with the arguments it names."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fluent.syntax import FluentParser
from fluent.syntax import ast as ftl
from fluent.syntax.visitor import Visitor

from bot.kit.i18n import LANGUAGES, Html, Language, Translator, read_catalogue

ROOT = Path(__file__).parents[2]
KEY = re.compile(r"^[a-z]+(-[a-z0-9]+)+$")
NOT_MESSAGES = {"utf-8", "utf-8-sig", "yyyy-mm-dd"}  # encodings, a spreadsheet date format
# Code that talks to people; every kebab-case literal there is a message id.
SOURCES = [
    path for folder in ("app", "handlers", "bot") for path in sorted((ROOT / folder).rglob("*.py"))
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
    assert sorted(english - chinese) == [], "missing from the Chinese catalogue"
    assert sorted(chinese - english) == [], "missing from the English catalogue"


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
    from bot.kit.i18n import MissingMessageError

    with pytest.raises(MissingMessageError):
        translator.t("en", "no-such-message")
    with pytest.raises(MissingMessageError):  # after a cached message too
        translator.t("en", "checkin-submit")
        translator.t("zh", "no-such-message")


def test_a_message_is_formatted_once_per_language_and_arguments(
    translator: Translator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Button labels and a mass check-in's replies are worded on every update; formatting
    each once gives the same text, escaped as before."""
    first = {lang: translator.plain(lang, "checkin-submit") for lang in LANGUAGES}
    assert first[Language.EN] != first[Language.ZH]
    formatted: list[str] = []
    for language in LANGUAGES:
        bundle = translator.bundles[language]
        original = bundle.format_pattern

        def counted(pattern: object, args: object = None, original: object = original) -> object:
            formatted.append("x")
            return original(pattern, args)  # type: ignore[operator]

        monkeypatch.setattr(bundle, "format_pattern", counted)
    assert {lang: translator.plain(lang, "checkin-submit") for lang in LANGUAGES} == first
    assert formatted == []
    # With arguments: once per set of arguments, and a name is still escaped unless it
    # is already HTML.
    ann = translator.t("en", "list-names-more", names="Ann <3", count=2)
    assert translator.t("en", "list-names-more", names="Ann <3", count=2) == ann
    assert "Ann &lt;3" in ann and len(formatted) == 1
    assert "Ann <b>3</b>" in translator.t(
        "en", "list-names-more", names=Html("Ann <b>3</b>"), count=2
    )
    assert translator.t("en", "list-names-more", names="Bob", count=2) != ann
    assert translator.plain("en", "list-names-more", names="Ann <3", count=2) != ann
    assert len(formatted) == 4
    # An argument that cannot be a key is no error of the cache's (Fluent refuses it).
    for _ in range(2):
        with pytest.raises(ValueError, match="list-names-more"):
            translator.t("en", "list-names-more", names="Ann", count=[2])
    assert len(formatted) == 6


def test_a_day_is_worded_by_babel_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from babel.dates import format_date as babel_format

    import bot.kit.i18n
    from bot.kit.i18n import format_day

    worded: list[object] = []

    def counted(day: object, pattern: str, locale: str) -> str:
        worded.append(day)
        return babel_format(day, pattern, locale=locale)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.kit.i18n, "format_date", counted)
    day = date(2031, 11, 30)  # a day no other test words
    assert [format_day(day, "en"), format_day(day, "zh")] == ["Sun 30 Nov", "11月30日 周日"]
    assert [format_day(day, "en"), format_day(day, "zh")] == ["Sun 30 Nov", "11月30日 周日"]
    assert worded == [day, day]


# Words a Chinese reader takes for a translation (#13): the check-in is 打卡, not a one-off
# 报到; a directive is 通知, not a command (指令); duty is 值守 only; 您, never 你; one
# word per status (待顶班, 未到岗); the two "not missing" figures are 打卡告假 and 登记请假.
REJECTED_ZH = (
    "报到",
    "指令",
    "执勤",
    "值班",
    "入会",
    "你",
    "书记员",
    "免报",
    "休假",
    "缺勤",
    "替班",
)
CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]"
# Placeholders that hold Latin text (codes, @usernames, links): a space keeps them apart.
LATIN_ARGS = {"who", "code", "codes", "username", "columns", "optional", "link", "zone"}
SPACED = re.compile(rf"{CJK} \{{ \$(\w+) \}}|\{{ \$(\w+) \}} {CJK}")


def zh_messages() -> dict[str, str]:
    """Each zh message's source, comments left out."""
    text = read_catalogue("zh")
    return {
        entry.id.name: text[entry.span.start : entry.span.end]
        for entry in FluentParser().parse(text).body
        if isinstance(entry, ftl.Message) and entry.span is not None
    }


def test_zh_uses_none_of_the_rejected_words() -> None:
    found = {
        key: word for key, text in zh_messages().items() for word in REJECTED_ZH if word in text
    }
    assert found == {}


def test_zh_puts_no_space_between_chinese_and_what_is_put_in_it() -> None:
    """ "请于今天19:03前确认", not "请于 今天 19:03 前确认": Fluent adds no spaces itself."""
    spaced = {
        key: match.group(0)
        for key, text in zh_messages().items()
        for match in SPACED.finditer(text)
        if not {match.group(1), match.group(2)} & LATIN_ARGS
    }
    assert spaced == {}


def test_zh_lists_names_with_the_chinese_separator(translator: Translator) -> None:
    """No ASCII ", " next to Chinese, neither in the catalogue nor between names filled in."""
    comma = re.compile(rf"{CJK}, |, {CJK}")
    for key, names in variables("zh").items():
        args = {name: 7 if name in NUMERIC | {"lat", "lon"} else "张三" for name in names}
        assert not comma.search(translator.t("zh", key, **args)), key
    five = ["张三", "李四", "王五", "赵六", "钱七"]
    assert translator.names("zh", five[:2], str, count=2) == "张三、李四"
    assert translator.names("zh", five, str, count=2) == "张三、李四……另有3人。"
    assert translator.names("en", ["Ann", "Bo", "Cy"], str, count=2) == "Ann, Bo …and 1 more."
