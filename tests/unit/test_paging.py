"""One page of buttons at a time, with ‹ › to turn: the one paging rule of every picker."""

from __future__ import annotations

from bot.duty.buttons import AssignGrids
from handlers.kit.pickers import PAGE_SIZE, paged

ITEMS = [str(n) for n in range(PAGE_SIZE * 2 + 3)]  # three pages, the last short


def turn(page: int) -> str:
    return AssignGrids(page).pack()


def page(number: int) -> list[list[tuple[str, str]]]:
    return paged(
        ITEMS, number, button=lambda i: (i, f"pick:{i}"), turn=AssignGrids, previous="‹", more="›"
    )


def test_the_first_page_shows_its_items_and_only_a_way_forward() -> None:
    *rows, nav = page(0)
    assert [row[0][1] for row in rows] == [f"pick:{n}" for n in range(PAGE_SIZE)]
    assert nav == [("›", turn(1))]


def test_a_middle_page_turns_both_ways_and_the_last_only_back() -> None:
    assert page(1)[-1] == [("‹", turn(0)), ("›", turn(2))]
    *rows, nav = page(2)
    assert [row[0][0] for row in rows] == ITEMS[PAGE_SIZE * 2 :]
    assert nav == [("‹", turn(1))]


def test_a_page_out_of_range_shows_the_nearest_one() -> None:
    # A list that shrank since the keyboard was sent, or forged callback data.
    assert page(99) == page(2)
    assert page(-1) == page(0)


def test_a_single_page_has_no_turning_row() -> None:
    rows = paged(["a"], 0, button=lambda i: (i, i), turn=AssignGrids, previous="‹", more="›")
    assert rows == [[("a", "a")]]
