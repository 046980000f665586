"""Keyboards for choosing among many things, page by page."""

from __future__ import annotations

from collections.abc import Sequence

from bot.org.service import TreeLine

PAGE_SIZE = 8


def unit_rows(
    lines: Sequence[TreeLine],
    page: int,
    *,
    choose: str,
    turn: str,
    previous: str,
    more: str,
) -> list[list[tuple[str, str]]]:
    """One button per unit (``choose`` + id), then ‹ › buttons (``turn`` + page) if needed."""
    pages = max(1, -(-len(lines) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    chunk = lines[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows = [
        [(f"{line.unit.name} ({line.total_members})", f"{choose}{line.unit.id}")] for line in chunk
    ]
    nav = []
    if page > 0:
        nav.append((previous, f"{turn}{page - 1}"))
    if page < pages - 1:
        nav.append((more, f"{turn}{page + 1}"))
    if nav:
        rows.append(nav)
    return rows
