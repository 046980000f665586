"""A directive that asks (issue #16), as members live it: the choices as buttons, a press
shown under the directive with one "✏️ Change" button, the number or reason asked after
it, a changed answer, late, withdrawn and forged presses refused, and only the silent
reminded; in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.directives.drafting import Draft
from bot.directives.questions import Choice, NumberQuestion, Question, Reason
from fakeapi import FakeUser, Replies, SentMessage
from storage.directives import Directive, Target
from tests.flows.conftest import Harness
from tests.flows.test_directives import labels, members, no_checkins, sec

__all__ = ["members", "no_checkins", "sec"]  # fixtures, used by name

QUESTION = Question(
    (
        Choice("I can come", number=NumberQuestion("How many can you bring?", 0, 20)),
        Choice("I need transport"),
        Choice("I cannot", Reason.REQUIRED),
    )
)
CHANGE = ["✏️ Change"]


async def ask(harness: Harness, sec: FakeUser, question: Question = QUESTION) -> Directive:
    """Sue asks Riverside's members (compose's screens for it come later) and it goes out."""
    services = harness.services
    draft = Draft(
        targets=(Target((await harness.unit("RIV")).id, subtree=True),),
        text="Heavy snow tonight: who can clear the roads at 06:00?",
        attachment=None,
        ack_required=False,
        ack_deadline=harness.clock.now() + timedelta(hours=2),
        send_at=None,
        question=question,
    )
    directive = await services.directives.create(await services.authz.actor(sec.id), draft)
    await harness.run_due()
    return directive


def current(harness: Harness, message: SentMessage) -> SentMessage:
    found = harness.api.message(message.chat_id, message.message_id)
    assert found is not None
    return found


async def press_after_close(
    harness: Harness, person: FakeUser, message: SentMessage, label: str
) -> tuple[str | None, SentMessage]:
    """``person`` presses ``label`` a second after answers closed (at the deadline, 18:00):
    the toast, and the message then."""
    harness.clock.advance(timedelta(hours=2, seconds=1))
    replies = await harness.send(person, person.press(message, label))
    return replies.callback_answers[0].text, current(harness, message)


async def choose(harness: Harness, person: FakeUser, message: SentMessage, label: str) -> Replies:
    """``person`` presses ``label`` under ``message`` as it is now, through its "✏️ Change"
    button first when they have answered already."""
    shown = current(harness, message)
    if labels(shown) in (CHANGE, ["✏️ 更改"]):
        await harness.send(person, person.press(shown, labels(shown)[0]))
        shown = current(harness, message)
    return await harness.send(person, person.press(shown, label))


async def test_members_answer_and_change_their_answer(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    directive = await ask(harness, sec)
    ann = members[0]
    received = harness.api.last_message(ann.id)
    assert received.text == (
        "Directive from Riverside District — answer by 18:00 today\n\n"
        "Heavy snow tonight: who can clear the roads at 06:00?"
    )
    assert labels(received) == ["I can come", "I need transport", "I cannot"]
    # The choice travels as its index, never its label: a few bytes whatever the label.
    assert [data for _, data in received.buttons] == [f"qa:{directive.id}:{n}" for n in range(3)]
    harness.clock.advance(timedelta(minutes=12))
    replies = await harness.send(ann, ann.press(received, "I need transport"))
    assert replies.callback_answers[0].text == "Recorded: I need transport."
    assert [call.method for call in replies.calls][:2] == ["answerCallbackQuery", "editMessageText"]
    shown = current(harness, received)
    assert shown.text is not None and shown.text.endswith(
        "✅ You answered: I need transport · 16:12"
    )
    # One button, not the choices again: a small edit for each press.
    assert labels(shown) == CHANGE
    assert [data for _, data in shown.buttons] == [f"qc:{directive.id}"]
    # "Change" brings the choices back, the current one marked, and records nothing.
    replies = await harness.send(ann, ann.press(shown, "✏️ Change"))
    assert replies.callback_answers[0].text is None
    choosing = current(harness, received)
    assert choosing.text == shown.text
    assert labels(choosing) == ["I can come", "● I need transport", "I cannot"]
    # A double tap changes nothing; another choice replaces the answer (history kept).
    replies = await harness.send(ann, ann.press(choosing, "● I need transport"))
    assert replies.callback_answers[0].text == "That is already your answer: I need transport."
    assert labels(current(harness, received)) == CHANGE
    await harness.send(ann, ann.press(current(harness, received), "✏️ Change"))
    harness.clock.advance(timedelta(minutes=3))
    replies = await harness.send(ann, ann.press(current(harness, received), "I can come"))
    [asked] = [m for m in replies if not m.edited]
    assert asked.text == "How many can you bring?\nSend a whole number from 0 to 20, or /cancel."
    for typed in ("lots", "21", "-2"):
        [again] = await harness.send(ann, ann.message(typed))
        assert again.text == "That is not a whole number from 0 to 20. Send it again, or /cancel."
    replies = await harness.send(ann, ann.message("３"))  # a full-width digit
    assert replies.texts[-1] == "✅ Thank you, your answer is recorded."
    shown = current(harness, received)
    assert shown.text is not None and shown.text.endswith("✅ You answered: I can come (3) · 16:15")
    assert labels(shown) == CHANGE
    member = await harness.services.storage.members.by_telegram_id(ann.id)
    assert member is not None
    kept = await harness.services.storage.answers.history(directive.id, member.id)
    assert [(a.choice, a.number) for a in kept] == [(1, None), (0, None), (0, 3)]


async def test_a_reason_is_asked_in_the_members_language(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    await ask(harness, sec)
    bo = members[1]  # reads Chinese; the labels are shown as the author typed them
    received = harness.api.last_message(bo.id)
    assert received.text is not None
    assert received.text.startswith("来自Riverside District的通知 — 请于今天18:00前答复")
    replies = await harness.send(bo, bo.press(received, "I cannot"))
    assert replies.callback_answers[0].text == "已记录：I cannot。"
    [asked] = [m for m in replies if not m.edited]
    assert asked.text == "您选择了“I cannot”，请简要说明原因，或发送 /cancel。"
    [again] = await harness.send(bo, bo.message("   "))
    assert again.text == "选择“I cannot”需要说明原因。请简要说明，或发送 /cancel。"
    replies = await harness.send(bo, bo.message("今晚值守"))
    assert replies.texts[-1] == "✅ 已记录，谢谢。"
    shown = current(harness, received)
    assert shown.text is not None
    assert shown.text.endswith("✅ 您的答复：I cannot · 16:00\n原因：今晚值守")
    assert labels(shown) == ["✏️ 更改"]


async def test_cancel_keeps_the_choice_without_the_number(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    directive = await ask(harness, sec)
    cy = members[2]
    await harness.send(cy, cy.press(harness.api.last_message(cy.id), "I can come"))
    [done] = await harness.send(cy, cy.command("cancel"))
    assert done.text == "Your answer stands as it is."
    headcount = await harness.services.answers.headcount(
        await harness.services.authz.actor(sec.id), directive.id
    )
    assert headcount is not None
    assert (headcount.total.answered, headcount.total.choices[0].number_sum) == (1, 0)


async def test_late_withdrawn_and_forged_presses_are_refused(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    directive = await ask(harness, sec)
    ann = members[0]
    received = harness.api.last_message(ann.id)
    # Forged: for a choice that does not exist, or by someone it was not sent to.
    replies = await harness.send(ann, ann.press_data(received.message_id, f"qa:{directive.id}:7"))
    assert "no longer applies" in (replies.callback_answers[0].text or "")
    stranger = harness.person(699, "Zed")
    replies = await harness.send(stranger, stranger.press_data(1, f"qa:{directive.id}:0"))
    assert "no longer applies" in (replies.callback_answers[0].text or "")
    # Once answers close: refused, and the buttons go.
    toast, shown = await press_after_close(harness, ann, received, "I can come")
    assert toast == "Answers closed at 18:00; this press was not recorded."
    assert shown.buttons == []
    assert shown.text is not None and shown.text.endswith("⏰ Answers closed at 18:00.")
    # Withdrawn.
    later = await ask(harness, sec)
    await harness.services.storage.db.write(
        "UPDATE directives SET status = 'cancelled' WHERE id = ?", (later.id,)
    )
    fresh = harness.api.last_message(ann.id)
    replies = await harness.send(ann, ann.press(fresh, "I cannot"))
    assert replies.callback_answers[0].text == "This directive was withdrawn."
    assert current(harness, fresh).buttons == []


@pytest.mark.parametrize(
    ("person", "expected"), [(1, "⚠️ 提醒：请答复"), (2, "⚠️ Reminder: please answer")]
)
async def test_only_the_silent_are_reminded_with_the_choices(
    harness: Harness, sec: FakeUser, members: list[FakeUser], person: int, expected: str
) -> None:
    await ask(harness, sec)
    ann = members[0]
    await harness.send(ann, ann.press(harness.api.last_message(ann.id), "I need transport"))
    before = len(harness.api.sent_to(ann.id))
    harness.clock.advance(timedelta(hours=1, minutes=30))  # 17:30: half an hour before 18:00
    await harness.run_due()
    assert len(harness.api.sent_to(ann.id)) == before  # answered: not reminded
    someone = members[person]
    reminder = harness.api.last_message(someone.id)
    assert reminder.text is not None and reminder.text.startswith(expected)
    assert labels(reminder) == ["I can come", "I need transport", "I cannot"]
    # Answering from the reminder is answering: both messages show it.
    await harness.send(someone, someone.press(reminder, "I need transport"))
    delivered = next(m for m in harness.api.sent_to(someone.id) if m.buttons)
    change = "✏️ 更改" if person == 1 else "✏️ Change"
    for message in (reminder, delivered):
        assert labels(current(harness, message)) == [change]
    # Changing from the reminder shows the choices there.
    await harness.send(someone, someone.press(current(harness, reminder), change))
    assert labels(current(harness, reminder))[1] == "● I need transport"


async def test_change_is_refused_once_answers_close_or_for_another_directive(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    directive = await ask(harness, sec)
    ann, bo = members[0], members[1]
    received = harness.api.last_message(ann.id)
    await harness.send(ann, ann.press(received, "I need transport"))
    # Forged: "Change" for a directive never sent to the presser, or that does not exist.
    stranger = harness.person(699, "Zed")
    for who, data in ((stranger, f"qc:{directive.id}"), (ann, f"qc:{directive.id + 50}")):
        replies = await harness.send(who, who.press_data(received.message_id, data))
        assert "no longer applies" in (replies.callback_answers[0].text or "")
    assert labels(current(harness, received)) == CHANGE
    # Bo, who reads Chinese, presses "Change" after answers closed: told so, buttons gone.
    bo_received = harness.api.last_message(bo.id)
    await harness.send(bo, bo.press(bo_received, "I need transport"))
    toast, late = await press_after_close(harness, bo, current(harness, bo_received), "✏️ 更改")
    assert toast == "答复已于18:00截止，这次点击未被记录。"
    assert late.buttons == []
    assert late.text is not None and late.text.endswith("⏰ 答复已于18:00截止。")
    member = await harness.services.storage.members.by_telegram_id(bo.id)
    assert member is not None
    assert len(await harness.services.storage.answers.history(directive.id, member.id)) == 1


async def test_a_message_left_unedited_by_a_crash_is_corrected_by_the_next_press(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    """The answer was stored, then the bot died before editing the message: the member
    presses again, nothing is stored twice, and the message shows the answer."""
    directive = await ask(harness, sec)
    cy = members[2]
    received = harness.api.last_message(cy.id)
    await harness.services.answers.answer(directive.id, cy.id, 1)  # stored, never shown
    assert current(harness, received).text == received.text
    replies = await harness.send(cy, cy.press(received, "I need transport"))
    assert replies.callback_answers[0].text == "That is already your answer: I need transport."
    shown = current(harness, received)
    assert shown.text is not None and shown.text.endswith("I need transport · 16:00")
    assert labels(shown) == CHANGE
    member = await harness.services.storage.members.by_telegram_id(cy.id)
    assert member is not None
    assert len(await harness.services.storage.answers.history(directive.id, member.id)) == 1
