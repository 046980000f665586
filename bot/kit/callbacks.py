"""Typed callback data: what a button carries, declared once per feature.

A feature claims a *family* (``Family("dw", owner=__name__)``) and declares its payloads as
frozen dataclasses in it::

    class OpenDirective(Payload, family=WATCH, tag="v"):
        directive: Id

``OpenDirective(7).pack()`` is ``"dw:v:7"``, ``OpenDirective.parse("dw:v:7")`` gives it back
(``None`` for anything else), and ``OpenDirective.pattern`` is the compiled regex a
``CallbackQueryHandler`` matches. Builders and handlers share the class, so no payload is
spelled by hand, and the wire format stays what it was: buttons already sent keep working.

Telegram caps callback data at 64 bytes: a declaration whose largest values would not fit is
refused when its module is imported, and ``pack`` checks every value it is given. A family
claimed by two modules, or a tag declared twice in one family, is refused too (``Clash``).
Generic buttons (a flow's Back / Cancel, a form's choices) are declared once as *templates*
(``Payload`` subclasses without a family) and adopted by each family that uses them."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from datetime import date
from enum import Enum
from typing import Annotated, Any, ClassVar, Self, TypeVar, dataclass_transform, get_type_hints

from bot.kit.days import LAST_DAY, plausible

LIMIT = 64  # bytes of callback data Telegram accepts
P = TypeVar("P", bound="Payload")


class Clash(ValueError):
    """Two declarations claim one prefix."""


class Wire:
    """How one field travels: the regex of its text, and the conversions both ways."""

    regex: str
    none: str | None = None  # the text standing for None, if the field may be None

    def pack(self, value: Any) -> str:
        raise NotImplementedError

    def parse(self, text: str) -> Any:
        """The value of ``text`` (which matched ``regex``); ValueError if it is not one."""
        raise NotImplementedError

    def largest(self) -> Any:
        """The value whose text is longest, for the 64-byte check."""
        raise NotImplementedError


class Digits(Wire):
    """A non-negative int of at most ``width`` digits (``none``: the text for None)."""

    def __init__(self, width: int, none: str | None = None) -> None:
        self.width, self.none = width, none
        digits = rf"\d{{1,{width}}}"
        self.regex = f"{re.escape(none)}|{digits}" if none else digits

    def pack(self, value: Any) -> str:
        if value is None and self.none is not None:
            return self.none
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"expected an int, got {value!r}")
        if not 0 <= value < 10**self.width:
            raise ValueError(f"{value} does not fit in {self.width} digits")
        return str(value)

    def parse(self, text: str) -> int | None:
        return None if text == self.none else int(text)

    def largest(self) -> int:
        return int(10**self.width - 1)


class Flag(Wire):
    """A bool, as 0 or 1."""

    regex = "[01]"

    def pack(self, value: Any) -> str:
        if not isinstance(value, bool):
            raise ValueError(f"expected a bool, got {value!r}")
        return "1" if value else "0"

    def parse(self, text: str) -> bool:
        return text == "1"

    def largest(self) -> bool:
        return True


class OneOf(Wire):
    """A str from a fixed set (or an Enum's values)."""

    def __init__(self, *values: str) -> None:
        self.values = values
        self.regex = "|".join(re.escape(v) for v in values)

    @classmethod
    def of(cls, kind: type[Enum]) -> OneOf:
        return cls(*(str(member.value) for member in kind))

    def pack(self, value: Any) -> str:
        text = str(value.value if isinstance(value, Enum) else value)
        if text not in self.values:
            raise ValueError(f"{text!r} is not one of {', '.join(self.values)}")
        return text

    def parse(self, text: str) -> str:
        return text

    def largest(self) -> str:
        return max(self.values, key=lambda v: len(v.encode()))


class Among(Wire):
    """An int from a fixed set (a few offered counts or day offsets)."""

    def __init__(self, *values: int) -> None:
        self.values = values
        self.regex = "|".join(str(v) for v in values)

    def pack(self, value: Any) -> str:
        if value not in self.values or isinstance(value, bool):
            raise ValueError(f"{value!r} is not one of {self.values}")
        return str(value)

    def parse(self, text: str) -> int:
        return int(text)

    def largest(self) -> int:
        return max(self.values, key=lambda v: len(str(v)))


class Token(Wire):
    """A str matching ``regex`` (a configured id, a duration such as ``12h``); ``longest``
    is the longest text the regex admits."""

    def __init__(self, regex: str, longest: str) -> None:
        self.regex, self.longest = regex, longest

    def pack(self, value: Any) -> str:
        if not isinstance(value, str) or not re.fullmatch(self.regex, value):
            raise ValueError(f"{value!r} does not match {self.regex}")
        return value

    def parse(self, text: str) -> str:
        return text

    def largest(self) -> str:
        return self.longest


class Day(Wire):
    """A date, as ``20261201`` (``compact``) or ``2026-12-01``; ``none``: the text for None.
    A day that does not exist, or is not plausible (forged data), does not parse."""

    def __init__(self, *, compact: bool, none: str | None = None) -> None:
        self.format = "%Y%m%d" if compact else "%Y-%m-%d"
        self.none = none
        day = r"\d{8}" if compact else r"\d{4}-\d{2}-\d{2}"
        self.regex = f"{re.escape(none)}|{day}" if none else day

    def pack(self, value: Any) -> str:
        if value is None and self.none is not None:
            return self.none
        if not isinstance(value, date):
            raise ValueError(f"expected a date, got {value!r}")
        return f"{value:{self.format}}"

    def parse(self, text: str) -> date | None:
        if text == self.none:
            return None
        compact = text.replace("-", "")
        day = date(int(compact[:4]), int(compact[4:6]), int(compact[6:8]))  # ValueError if bad
        if not plausible(day):
            raise ValueError(f"{day} is not a plausible day")
        return day

    def largest(self) -> date:
        return LAST_DAY  # every day packs as long; the last is a plausible one


# The field types features use; the metadata says how they travel.
Id = Annotated[int, Digits(12)]  # a row id
Page = Annotated[int, Digits(6)]
Index = Annotated[int, Digits(3)]  # a question's place in a form
Slug = Annotated[str, Token("[a-z0-9_]{1,24}", "x" * 24)]  # a configured choice id
Bit = Annotated[bool, Flag()]


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    wire: Wire
    optional: bool  # may be left off the end of the data (its default is None)


def _wire_of(hint: Any) -> Wire | None:
    """The Wire in an annotation (``Id``, or ``Page | None``)."""
    for meta in getattr(hint, "__metadata__", ()):
        if isinstance(meta, Wire):
            return meta
    for arg in getattr(hint, "__args__", ()):
        if (wire := _wire_of(arg)) is not None:
            return wire
    return None


@dataclass_transform(frozen_default=True)
class Payload:
    """What one button carries. Subclasses are frozen dataclasses; those with a ``family``
    are declared payloads, those without are templates for ``Family.adopt``."""

    family: ClassVar[Family | None] = None
    prefix: ClassVar[str] = ""
    pattern: ClassVar[re.Pattern[str]]
    _fields: ClassVar[tuple[_Field, ...]] = ()

    def __init_subclass__(
        cls, *, family: Family | None = None, tag: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True)(cls)
        hints = get_type_hints(cls, include_extras=True)
        fields = []
        for field in dataclasses.fields(cls):  # type: ignore[arg-type]
            wire = _wire_of(hints[field.name])
            if wire is None:
                raise TypeError(f"{cls.__name__}.{field.name}: declare how it travels")
            fields.append(_Field(field.name, wire, field.default is None))
        cls._fields = tuple(fields)
        if family is not None:
            family.declare(cls, tag)

    @classmethod
    def _compile(cls, prefix: str) -> None:
        cls.prefix = prefix
        regex = re.escape(prefix)
        for field in cls._fields:
            part = f":({field.wire.regex})"
            regex += f"(?:{part})?" if field.optional else part
        cls.pattern = re.compile(f"^{regex}$")
        longest = cls.largest().pack()
        if len(longest.encode()) > LIMIT:
            raise ValueError(f"{cls.__name__}: {longest!r} is longer than {LIMIT} bytes")

    @classmethod
    def largest(cls) -> Self:
        """The instance with the longest data, for the 64-byte check."""
        return cls(**{f.name: f.wire.largest() for f in cls._fields})

    def pack(self) -> str:
        """The callback data; ValueError for a value its field cannot carry, or data over
        64 bytes."""
        if self.family is None:
            raise TypeError(f"{type(self).__name__} is a template: adopt it in a family")
        parts = [self.prefix]
        for field in self._fields:
            value = getattr(self, field.name)
            if value is None and field.optional and field.wire.none is None:
                continue
            parts.append(field.wire.pack(value))
        data = ":".join(parts)
        if len(data.encode()) > LIMIT:
            raise ValueError(f"{data!r} is longer than {LIMIT} bytes")
        return data

    @classmethod
    def parse(cls, data: object) -> Self | None:
        """The payload ``data`` carries, or None if it is not one of this class (forged,
        damaged or from another button). A template parses as any payload adopting it."""
        if cls.family is None:
            parsed = (sub.parse(data) for sub in cls.__subclasses__())
            return next((payload for payload in parsed if payload is not None), None)
        if not isinstance(data, str):
            return None
        found = cls.pattern.match(data)
        if found is None:
            return None
        values = {}
        try:
            for field, text in zip(cls._fields, found.groups(), strict=True):
                values[field.name] = None if text is None else field.wire.parse(text)
        except ValueError:
            return None
        return cls(**values)


class Family:
    """The prefix a feature (or a flow of it) claims for its buttons; ``owner`` is the
    declaring module. ``pattern`` matches any of its payloads (a flow's stale buttons)."""

    def __init__(self, name: str, *, owner: str) -> None:
        if not re.fullmatch("[A-Za-z]{1,8}", name):
            raise ValueError(f"family {name!r}: 1 to 8 letters")
        self.name, self.owner = name, owner
        self.payloads: dict[str, type[Payload]] = {}
        self.pattern = re.compile(f"^{re.escape(name)}:")
        REGISTRY.claim(self)

    def declare(self, kind: type[Payload], tag: str | None) -> None:
        key = tag or ""
        known = self.payloads.get(key)
        if known is not None and known.__qualname__ != kind.__qualname__:
            prefix = f"{self.name}:{key}" if key else self.name
            raise Clash(
                f"{prefix!r} is declared twice: {known.__qualname__} and {kind.__qualname__}"
            )
        kind.family = self
        kind._compile(f"{self.name}:{key}" if key else self.name)
        self.payloads[key] = kind

    def adopt(self, template: type[P], tag: str) -> type[P]:
        """``template``'s payload under this family, as ``<family>:<tag>``."""
        name = f"{template.__name__}[{self.name}:{tag}]"
        made = type(name, (template,), {"__module__": template.__module__}, family=self, tag=tag)
        return made


class Tap(Payload):
    """Template: a button that carries nothing but what it is (Submit, Start over …)."""


class Chosen(Payload):
    """Template: one of a list of things (a unit, a grid …) by id."""

    id: Id


class Turned(Payload):
    """Template: a page of a long list."""

    page: Page


class Registry:
    """Every family, by name: one owner each."""

    def __init__(self) -> None:
        self.families: dict[str, Family] = {}

    def claim(self, family: Family) -> None:
        known = self.families.get(family.name)
        if known is not None and known.owner != family.owner:
            raise Clash(
                f"callback prefix {family.name!r} is claimed by {known.owner} and {family.owner}"
            )
        self.families[family.name] = family  # the same module again: re-imported

    def payloads(self) -> Iterator[type[Payload]]:
        for family in self.families.values():
            yield from family.payloads.values()

    def patterns(self) -> Sequence[re.Pattern[str]]:
        """Every pattern a handler may use: each payload's, and each family's."""
        return [*(p.pattern for p in self.payloads()), *(f.pattern for f in self.families.values())]


REGISTRY = Registry()
