"""Asking instead of ✅ in ``/directive`` (issue #16): the presets in one tap or choices
typed one by one, a reason or a number after a choice, every bad input re-asked, Back and
/cancel at each step, a draft kept across a restart, and a preview whose buttons are the
ones members get; in both languages."""

from __future__ import annotations

import pytest

from bot.directives.buttons import AnswerChoice, ChoiceReason
from bot.directives.questions import Choice, NumberQuestion, Question, Reason
from fakeapi import ChatDriver, FakeUser, SentMessage
from storage.models import Role
from tests.flows.conftest import Harness, build_app
from tests.flows.test_directives import labels, members, no_checkins, sec, typed

__all__ = ["members", "no_checkins", "sec"]  # fixtures, used by name

PRESETS = "Use: I can come · I need transport · I cannot"


@pytest.fixture
async def chen(harness: Harness) -> FakeUser:
    """A secretary who reads Chinese."""
    person = harness.person(602, "Chen", language="zh")
    await harness.join(person, "RIV", Role.SECRETARY)
    return person


async def to_answers(
    harness: Harness, author: FakeUser, text: str = "Heavy snow: who can clear the roads?"
) -> SentMessage:
    """Targets and text, then ❓: the question's first screen."""
    [step] = await harness.send(author, author.command("directive"))
    [step] = await harness.send(author, author.press(step, labels(step)[0]))  # the district
    [step] = await harness.send(author, author.press(step, labels(step)[-2]))  # Continue
    step = typed(await harness.send(author, author.message(text)))
    [step] = await harness.send(author, author.press(step, labels(step)[2]))  # ❓
    return step


async def to_preset(harness: Harness, author: FakeUser, label: str) -> SentMessage:
    """The presets taken, then one of them opened: what follows a tap on it."""
    step = await to_answers(harness, author)
    [step] = await harness.send(author, author.press(step, PRESETS))
    [step] = await harness.send(author, author.press(step, label))
    return step


async def preview_and_send(harness: Harness, author: FakeUser, step: SentMessage) -> SentMessage:
    """Continue → 18:00 today → Now: the preview."""
    [step] = await harness.send(author, author.press(step, labels(step)[-3]))  # Continue
    [step] = await harness.send(author, author.press(step, labels(step)[1]))  # 18:00 today
    [preview] = await harness.send(author, author.press(step, labels(step)[0]))  # Now
    return preview


async def stored_question(harness: Harness) -> Question:
    [row] = await harness.services.storage.db.fetchall("SELECT question FROM directives")
    return Question.from_json(row["question"])


async def test_presets_in_one_tap_previewed_as_members_see_them(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    step = await to_answers(harness, sec)
    assert step.text == (
        "Answers — what can members answer? Type the first choice (at most 32 characters), "
        "or tap the usual ones below."
    )
    assert labels(step) == [PRESETS, "‹ Back", "Cancel"]
    [step] = await harness.send(sec, sec.press(step, PRESETS))
    assert step.text == (
        "Answers — members tap one of these:\n"
        "1. I can come\n2. I need transport\n3. I cannot — reason optional\n"
        "Type another choice to add it (at most 6), or tap one to ask a reason or a number "
        "after it."
    )
    assert labels(step) == [
        "1. I can come", "2. I need transport", "3. I cannot", "Continue ›", "‹ Back", "Cancel"
    ]  # fmt: skip
    [step] = await harness.send(sec, sec.press(step, "Continue ›"))
    assert step.text is not None and step.text.startswith("By when must members answer?")
    assert "Answers close then; those who have not answered are reminded shortly before" in (
        step.text
    )
    [step] = await harness.send(sec, sec.press(step, "18:00 today"))
    [preview] = await harness.send(sec, sec.press(step, "Now"))
    assert preview.text == (
        "Preview — 3 members in 1 unit will receive this. Sending: Now. "
        "After a tap: “I cannot” — reason optional.\n"
        "────────\n"
        "Directive from Riverside District — answer by 18:00 today\n\n"
        "Heavy snow: who can clear the roads?"
    )
    shown = ["I can come", "I need transport", "I cannot"]
    assert labels(preview) == [*shown, "✅ Send", "‹ Back", "Cancel"]
    # A tap on the preview's choice says what it is and records nothing.
    replies = await harness.send(sec, sec.press(preview, "I cannot"))
    assert replies.callback_answers[0].text == (
        "Members will answer with this button; a tap on the preview records nothing."
    )
    assert list(replies) == []
    [done] = await harness.send(sec, sec.press(preview, "✅ Send"))
    assert done.text == "Sending… 0 / 3 sent · 0 unreachable"
    assert await stored_question(harness) == Question(
        (Choice("I can come"), Choice("I need transport"), Choice("I cannot", Reason.OPTIONAL))
    )
    [created] = [
        e for e in await harness.services.storage.audit.recent() if e.action == "directive_create"
    ]
    assert created.detail.endswith("asks: I can come / I need transport / I cannot")
    await harness.run_due()
    ann = harness.api.last_message(members[0].id)
    assert labels(ann) == shown  # the preview's buttons are the member's
    assert AnswerChoice.parse(ann.buttons[2][1]) is not None
    replies = await harness.send(members[0], members[0].press(ann, "I can come"))
    assert replies.callback_answers[0].text == "Recorded: I can come."


async def test_typed_choices_with_a_reason_and_a_number(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    step = await to_answers(harness, sec)
    for label in ("Coming", "  Not   coming ", "<b>Bus</b> & car"):
        step = typed(await harness.send(sec, sec.message(label)))
    # Spaces tidied; a label reads as typed (not taken for HTML).
    assert labels(step)[:3] == ["1. Coming", "2. Not coming", "3. <b>Bus</b> & car"]
    assert step.text is not None and "\n3. <b>Bus</b> & car\n" in step.text
    [step] = await harness.send(sec, sec.press(step, "3. <b>Bus</b> & car"))
    [step] = await harness.send(sec, sec.press(step, "Remove this choice"))
    [step] = await harness.send(sec, sec.press(step, "2. Not coming"))
    assert step.text == (
        "Choice 2: Not coming\nShould members who tap it be asked why, or for a number?"
    )
    assert labels(step) == [
        "● No reason", "Reason optional", "Reason required", "Ask a number",
        "Remove this choice", "‹ Back", "Cancel",
    ]  # fmt: skip
    [step] = await harness.send(sec, sec.press(step, "Reason required"))
    assert step.text is not None and step.text.startswith(
        "Choice 2: Not coming — reason required\n"
    )
    assert labels(step)[:3] == ["No reason", "Reason optional", "● Reason required"]
    [step] = await harness.send(sec, sec.press(step, "‹ Back"))
    [step] = await harness.send(sec, sec.press(step, "1. Coming"))
    [step] = await harness.send(sec, sec.press(step, "Ask a number"))
    assert step.text == (
        "What number should members who tap “Coming” send? Type the question, or tap the usual one."
    )
    [step] = await harness.send(sec, sec.press(step, "How many people can you bring?"))
    assert step.text == (
        "“How many people can you bring?” — from what to what? Type the smallest and the "
        "largest, like 0-20, or the smallest alone."
    )
    step = typed(await harness.send(sec, sec.message("０－２０")))  # a full-width keyboard
    assert step.text is not None and step.text.startswith(
        "Choice 1: Coming — then “How many people can you bring?” (0–20)\n"
    )
    assert "No number" in labels(step)
    [step] = await harness.send(sec, sec.press(step, "‹ Back"))
    preview = await preview_and_send(harness, sec, step)
    assert preview.text is not None
    assert "After a tap: “Coming” — then “How many people can you bring?” (0–20), " in preview.text
    assert "“Not coming” — reason required." in preview.text
    assert labels(preview)[:2] == ["Coming", "Not coming"]
    await harness.send(sec, sec.press(preview, "✅ Send"))
    assert await stored_question(harness) == Question(
        (
            Choice("Coming", number=NumberQuestion("How many people can you bring?", 0, 20)),
            Choice("Not coming", Reason.REQUIRED),
        )
    )
    await harness.run_due()
    ann = members[0]
    replies = await harness.send(ann, ann.press(harness.api.last_message(ann.id), "Coming"))
    [asked] = [m for m in replies if not m.edited]
    assert asked.text is not None and asked.text.startswith("How many people can you bring?")


async def test_bad_choices_and_bounds_are_reasked(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    step = await to_answers(harness, sec)
    [answer] = await harness.send(sec, sec.message("   "))
    assert answer.text == "Choice 1 has no text. Type a short label for it, or /cancel."
    [answer] = await harness.send(sec, sec.location(31.2, 121.4))
    assert answer.text == "Please type it as text, or /cancel."
    [answer] = await harness.send(sec, sec.message("x" * 33))
    assert answer.text == (
        "Choice 1 has 33 characters; a button shows at most 32. Shorten it and send it "
        "again, or /cancel."
    )
    step = typed(await harness.send(sec, sec.message("Yes")))
    assert "Continue ›" not in labels(step)  # one choice is not a question yet
    [answer] = await harness.send(sec, sec.message("YES "))
    assert answer.text == "Choice 2, “YES”, is already offered. Type a different one, or /cancel."
    for label in ("No", "Maybe", "Later", "Elsewhere", "Not sure"):
        step = typed(await harness.send(sec, sec.message(label)))
    [answer] = await harness.send(sec, sec.message("Seventh"))
    assert answer.text == (
        "A question can offer at most 6 choices: more do not fit on a phone's screen. "
        "Remove one, or /cancel."
    )
    # Removing one makes room again.
    [step] = await harness.send(sec, sec.press(step, "6. Not sure"))
    [step] = await harness.send(sec, sec.press(step, "Remove this choice"))
    assert labels(step)[5] == "Continue ›"
    [step] = await harness.send(sec, sec.press(step, "1. Yes"))
    [step] = await harness.send(sec, sec.press(step, "Ask a number"))
    [answer] = await harness.send(sec, sec.message("   "))
    assert answer.text is not None and answer.text.startswith(
        "The number question after choice 1 has no text."
    )
    [answer] = await harness.send(sec, sec.message("?" * 201))
    assert answer.text is not None and answer.text.startswith(
        "The number question after choice 1 has 201 characters; the limit is 200."
    )
    step = typed(await harness.send(sec, sec.message("How many cars?")))
    [answer] = await harness.send(sec, sec.location(31.2, 121.4))
    assert answer.text == "Please type it as text, or /cancel."
    [answer] = await harness.send(sec, sec.message("lots"))
    assert answer.text == "That is not a range. Type two whole numbers like 0-20, or /cancel."
    replies = await harness.send(sec, sec.message("20-5"))
    assert replies.texts[0] is not None and replies.texts[0].startswith(
        "20 to 5 is not a range: the smallest must be 0 or more and not above the largest"
    )
    # Two steps: the smallest, then the largest.
    step = typed(await harness.send(sec, sec.message("1")))
    assert step.text == "And the largest (at least 1)?"
    [answer] = await harness.send(sec, sec.message("many"))
    assert answer.text == "That is not a whole number. Type the largest, like 20, or /cancel."
    step = typed(await harness.send(sec, sec.message("４")))
    assert step.text is not None and step.text.startswith(
        "Choice 1: Yes — then “How many cars?” (1–4)"
    )
    [bye] = await harness.send(sec, sec.command("cancel"))
    assert bye.text == "Cancelled. Nothing was sent."
    assert await harness.services.storage.db.fetchall("SELECT * FROM directives") == []


async def test_back_walks_every_step_and_keeps_the_choices(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    step = await to_preset(harness, sec, "1. I can come")
    [step] = await harness.send(sec, sec.press(step, "Ask a number"))
    step = typed(await harness.send(sec, sec.message("How many?")))
    [step] = await harness.send(sec, sec.press(step, "‹ Back"))  # bounds → the number question
    assert step.text is not None and step.text.startswith("What number should members")
    [step] = await harness.send(sec, sec.press(step, "‹ Back"))  # → the choice
    assert step.text is not None and step.text.startswith("Choice 1: I can come\n")
    [step] = await harness.send(sec, sec.press(step, "‹ Back"))  # → the choices
    [step] = await harness.send(sec, sec.press(step, "Continue ›"))
    [step] = await harness.send(sec, sec.press(step, "18:00 today"))
    [step] = await harness.send(sec, sec.press(step, "‹ Back"))  # send time → deadline
    assert step.text is not None and step.text.startswith("By when must members answer?")
    [step] = await harness.send(sec, sec.press(step, "‹ Back"))  # deadline → the choices
    assert labels(step)[0] == "1. I can come"
    [step] = await harness.send(sec, sec.press(step, "‹ Back"))  # → ✅ or answers
    assert step.text == "Should members acknowledge it with one tap?"
    # Answers again: the choices are still there; ✅ instead drops them.
    [step] = await harness.send(sec, sec.press(step, "❓ Ask for an answer"))
    assert labels(step)[:3] == ["1. I can come", "2. I need transport", "3. I cannot"]
    [step] = await harness.send(sec, sec.press(step, "‹ Back"))
    [step] = await harness.send(sec, sec.press(step, "Yes, by a deadline"))
    assert step.text is not None and step.text.startswith("By when must it be acknowledged?")
    [step] = await harness.send(sec, sec.press(step, "18:00 today"))
    [preview] = await harness.send(sec, sec.press(step, "Now"))
    assert labels(preview) == ["✅ Send", "‹ Back", "Cancel"]
    await harness.send(sec, sec.press(preview, "✅ Send"))
    [row] = await harness.services.storage.db.fetchall("SELECT question FROM directives")
    assert row["question"] is None


async def test_cancel_button_mid_question(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    step = await to_preset(harness, sec, "3. I cannot")
    [bye] = await harness.send(sec, sec.press(step, "Cancel"))
    assert bye.text == "Cancelled. Nothing was sent."
    # A stale button of the cancelled draft changes nothing.
    stale = ChoiceReason(Reason.REQUIRED.value).pack()
    replies = await harness.send(sec, sec.press_data(step.message_id, stale))
    assert replies.callback_answers[0].text == "This button no longer applies. Nothing was changed."


async def test_a_draft_stored_mid_question_survives_a_restart(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    step = await to_answers(harness, sec)
    typed(await harness.send(sec, sec.message("Coming")))
    await harness.app.update_persistence()
    services = harness.services
    app2 = await build_app(services.settings, services.storage, harness.clock, harness.api)
    async with ChatDriver(app2, harness.api) as driver:
        step = typed(await driver.send(sec, sec.message("Not coming")))
        assert labels(step)[:3] == ["1. Coming", "2. Not coming", "Continue ›"]
        [step] = await driver.send(sec, sec.press(step, "Continue ›"))
        [step] = await driver.send(sec, sec.press(step, "18:00 today"))
        [preview] = await driver.send(sec, sec.press(step, "Now"))
        assert labels(preview)[:2] == ["Coming", "Not coming"]
        await driver.send(sec, sec.press(preview, "✅ Send"))
    assert await stored_question(harness) == Question((Choice("Coming"), Choice("Not coming")))


async def test_asking_in_chinese(harness: Harness, chen: FakeUser, members: list[FakeUser]) -> None:
    step = await to_answers(harness, chen, "今晚大雪：谁能来清扫道路？")
    assert labels(step)[0] == "使用：我能到 · 我需要接送 · 我来不了"
    [answer] = await harness.send(chen, chen.message("长" * 33))
    assert (
        answer.text == "第1个选项有33个字符，按钮最多显示32个。请删减后重新发送，或发送 /cancel。"
    )
    [step] = await harness.send(chen, chen.press(step, "使用：我能到 · 我需要接送 · 我来不了"))
    [answer] = await harness.send(chen, chen.message("我能到"))
    assert answer.text == "第4个选项“我能到”与已有选项重复。请换一个，或发送 /cancel。"
    [step] = await harness.send(chen, chen.press(step, "1. 我能到"))
    assert step.text == "第1个选项：我能到\n成员点选后，是否要说明原因或填写数字？"
    [step] = await harness.send(chen, chen.press(step, "填写数字"))
    [step] = await harness.send(chen, chen.press(step, "您能带几个人来？"))
    [answer] = await harness.send(chen, chen.message("很多"))
    assert answer.text == "这不是有效的范围。请输入两个整数，如 0-20，或发送 /cancel。"
    step = typed(await harness.send(chen, chen.message("0至10")))
    assert step.text is not None and step.text.startswith(
        "第1个选项：我能到 — 再问“您能带几个人来？”（0–10）"
    )
    [step] = await harness.send(chen, chen.press(step, "‹ 返回"))
    [step] = await harness.send(chen, chen.press(step, "下一步 ›"))
    assert step.text is not None and step.text.startswith("答复截止时间？")
    [step] = await harness.send(chen, chen.press(step, labels(step)[1]))
    [preview] = await harness.send(chen, chen.press(step, "立即"))
    assert preview.text is not None
    assert (
        "点选后：“我能到” — 再问“您能带几个人来？”（0–10）、“我来不了” — 可说明原因。"
        in preview.text
    )
    assert labels(preview)[:3] == ["我能到", "我需要接送", "我来不了"]
    await harness.send(chen, chen.press(preview, "✅ 发送"))
    await harness.run_due()
    # Members read the author's labels as typed, whatever their own language.
    assert labels(harness.api.last_message(members[0].id)) == ["我能到", "我需要接送", "我来不了"]
