"""Long lists folded to a budget: the first items that fit, and how many are left out.

A message lists the worst or first few of a long list and says how many more there are
(docs/UX.md); ``Translator.fold`` words that last line in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Folded:
    shown: list[str]  # the kept items, worded
    rest: int  # how many items were left out


def fold(
    items: Sequence[T],
    word: Callable[[T], str],
    *,
    count: int | None = None,
    chars: int | None = None,
) -> Folded:
    """Word ``items`` in order while they fit: at most ``count`` of them and, one line
    each, at most ``chars`` characters. Only the kept items are worded (a list can hold
    thousands); the budget in characters leaves no room for the "more" line, so callers
    keep a margin below Telegram's limit."""
    shown: list[str] = []
    size = 0
    for item in items[:count]:
        text = word(item)
        if chars is not None and size + len(text) + 1 > chars:
            break
        shown.append(text)
        size += len(text) + 1
    return Folded(shown, len(items) - len(shown))
