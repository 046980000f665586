"""Inline keyboards: built once per set of buttons, the buttons exactly as given."""

from __future__ import annotations

from handlers.kit.common import keyboard


def test_the_same_buttons_give_the_same_keyboard_once_built() -> None:
    rows = [[("✅ Submit", "ci:ok")], [("Start over", "ci:r"), ("Cancel", "ci:x")]]
    built = keyboard(rows)
    assert [[(b.text, b.callback_data) for b in row] for row in built.inline_keyboard] == rows
    # Equal buttons (a new list, as every reply makes) get the very same frozen markup.
    assert keyboard([list(row) for row in rows]) is built
    other = keyboard([[("提交", "ci:ok")], [("重新填写", "ci:r"), ("取消", "ci:x")]])
    assert other is not built and other.inline_keyboard[0][0].text == "提交"
