"""Long lists fold to a budget, and the rest is counted in the reader's language."""

from __future__ import annotations

from bot.kit.folding import fold
from bot.kit.i18n import Html, Translator, join_html

TEN = [f"line {n}" for n in range(10)]  # 6 characters, 7 with its newline


def test_a_count_keeps_the_first_items_and_counts_the_rest() -> None:
    folded = fold(TEN, str.upper, count=3)
    assert (folded.shown, folded.rest) == (["LINE 0", "LINE 1", "LINE 2"], 7)


def test_a_budget_in_characters_keeps_whole_lines_that_fit() -> None:
    folded = fold(TEN, str, chars=7 * 4 + 6)  # room for four lines and most of a fifth
    assert (folded.shown, folded.rest) == (TEN[:4], 6)


def test_both_budgets_the_tighter_one_wins() -> None:
    assert fold(TEN, str, count=2, chars=1000).rest == 8
    assert fold(TEN, str, count=8, chars=14).rest == 8


def test_a_list_that_fits_leaves_nothing_out_and_only_kept_items_are_worded() -> None:
    worded: list[str] = []

    def word(item: str) -> str:
        worded.append(item)
        return item

    assert fold(TEN, word).rest == 0
    worded.clear()
    fold(TEN, word, count=2)
    assert worded == TEN[:2]  # a list can hold thousands: the rest is never worded


def test_the_rest_is_worded_in_the_readers_language() -> None:
    i18n = Translator()
    assert i18n.fold("en", TEN, str, count=2) == ["line 0", "line 1", "…and 8 more."]
    assert i18n.fold("zh", TEN, str, count=2)[-1] == "……另有8项。"
    assert i18n.fold("en", TEN[:2], str, count=2) == TEN[:2]  # nothing left out: no line


def test_worded_html_stays_html_and_plain_text_is_escaped_when_joined() -> None:
    i18n = Translator()
    lines = i18n.fold("en", [Html("<b>1</b>"), "a < b"], lambda item: item, count=5)
    assert join_html("\n", lines) == "<b>1</b>\na &lt; b"
