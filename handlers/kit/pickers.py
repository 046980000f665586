"""Keyboards for choosing among many things, page by page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from bot.kit.callbacks import Payload
from bot.org.service import TreeLine

PAGE_SIZE = 8
T = TypeVar("T")
Button = tuple[str, str]
Make = Callable[[int], Payload]  # a payload from an id or a page number


def paged(
    items: Sequence[T],
    page: int,
    *,
    button: Callable[[T], Button],
    turn: Make,
    previous: str,
    more: str,
) -> list[list[Button]]:
    """One ``button`` per item of the page, ``PAGE_SIZE`` a page, then ‹ › buttons
    (``turn(page)``) if there are other pages. A page out of range (a list that shrank
    since the keyboard was sent, or forged data) shows the nearest one."""
    page = page_of(len(items), page)
    rows = [[button(item)] for item in items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]]
    nav = turns(len(items), page, turn=turn, previous=previous, more=more)
    return [*rows, nav] if nav else rows


def page_of(count: int, page: int, size: int = PAGE_SIZE) -> int:
    """``page`` within the pages of ``count`` items (the nearest one if out of range)."""
    return min(max(page, 0), max(1, -(-count // size)) - 1)


def turns(
    count: int, page: int, *, turn: Make, previous: str, more: str, size: int = PAGE_SIZE
) -> list[Button]:
    """The ‹ › buttons around page ``page`` of ``count`` items, ``size`` a page."""
    nav = []
    if page > 0:
        nav.append((previous, turn(page - 1).pack()))
    if (page + 1) * size < count:
        nav.append((more, turn(page + 1).pack()))
    return nav


def unit_rows(
    lines: Sequence[TreeLine],
    page: int,
    *,
    choose: Make,
    turn: Make,
    previous: str,
    more: str,
) -> list[list[tuple[str, str]]]:
    """One button per unit (``choose(id)``), then ‹ › buttons (``turn(page)``) if needed."""

    def button(line: TreeLine) -> Button:
        return f"{line.unit.name} ({line.total_members})", choose(line.unit.id).pack()

    return paged(lines, page, button=button, turn=turn, previous=previous, more=more)
