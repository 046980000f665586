"""``[[reports.forms]]``: each mistake named by its key (``muster config check``)."""

from __future__ import annotations

from pathlib import Path

from tests.unit.test_config import problems, write

GOOD = """
[[reports.forms]]
id = "daily"
title = { en = "Daily report", zh = "督查日报告" }
levels = [1]
opens = "07:00"
due = "10:00"
digest = "10:30"
questions = [{ id = "plans", kind = "text", prompt = { en = "Plans", zh = "安排" } }]
"""


def test_a_good_form_loads(tmp_path: Path) -> None:
    from bot.config import load_settings

    [form] = load_settings(write(tmp_path, GOOD)).reports.forms
    assert (form.id, form.role, form.levels) == ("daily", "secretary", [1])


def test_window_reminders_digest_and_questions_are_checked(tmp_path: Path) -> None:
    text = GOOD.replace('due = "10:00"', 'due = "06:00"\nreminders = ["11:00"]')
    text = text.replace('digest = "10:30"', 'digest = "05:00"')
    text = text.replace("levels = [1]", "levels = [-1]")
    text += text.replace(
        'kind = "text"',
        'kind = "number", choices = [{ id = "a", label = { en = "A", zh = "甲" } }]',
    )
    assert problems(write(tmp_path, text)) == [
        "reports.forms[0].due: 06:00 is not after opens 07:00",
        "reports.forms[0].reminders[0]: 11:00 is outside the window 07:00-06:00 (the opening"
        " reminds anyway)",
        "reports.forms[0].digest: 05:00 is before due 06:00; the digest compiles the reports"
        " once nobody can change them",
        "reports.forms[0].levels: a level is a depth from the top, 0 or more",
        "reports.forms[1].id: 'daily' is already used by another form",
        "reports.forms[1].due: 06:00 is not after opens 07:00",
        "reports.forms[1].reminders[0]: 11:00 is outside the window 07:00-06:00 (the opening"
        " reminds anyway)",
        "reports.forms[1].digest: 05:00 is before due 06:00; the digest compiles the reports"
        " once nobody can change them",
        "reports.forms[1].levels: a level is a depth from the top, 0 or more",
        "reports.forms[1].questions[0].choices: only choice questions have choices",
    ]


def test_unknown_role_and_empty_form_are_named(tmp_path: Path) -> None:
    text = GOOD.replace("levels = [1]", 'role = "member"').replace(
        'questions = [{ id = "plans", kind = "text", prompt = { en = "Plans", zh = "安排" } }]', ""
    )
    [problem] = problems(write(tmp_path, text))
    assert problem.startswith("reports.forms[0].role:")
    text = GOOD.replace(
        'questions = [{ id = "plans", kind = "text", prompt = { en = "Plans", zh = "安排" } }]',
        "questions = []",
    )
    assert problems(write(tmp_path, text)) == [
        "reports.forms[0].questions: the form needs at least one question"
    ]
