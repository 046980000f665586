"""Directives as secretaries and members live them: compose, receive, acknowledge, chase."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from telegram import Message

from bot.delivery.pacer import Slot
from bot.directives.buttons import Acknowledge, ToggleTarget
from fakeapi import FakeUser, SentMessage
from handlers.kit.slots import DELIVERY
from storage.models import Role
from tests.flows.conftest import Harness


@pytest.fixture(autouse=True)
def no_checkins(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Check-in reminders would join these tests' counts of what was sent."""
    form = harness.services.checkins.form.model_copy(
        update={"days_off": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}
    )
    monkeypatch.setattr(harness.services.checkins, "form", form)


@pytest.fixture
async def sec(harness: Harness) -> FakeUser:
    sue = harness.person(601, "Sue Secretary", username="sue")
    await harness.join(sue, "RIV", Role.SECRETARY)
    return sue


@pytest.fixture
async def members(harness: Harness) -> list[FakeUser]:
    people = [
        harness.person(611, "Ann"),
        harness.person(612, "Bo", language="zh"),
        harness.person(613, "Cy"),
    ]
    for person in people:
        await harness.join(person, "RIV-1")
    return people


def labels(message: SentMessage) -> list[str]:
    return [text for text, _ in message.buttons]


def typed(replies: list[SentMessage]) -> SentMessage:
    """After typed input the next step is a new message; the old one loses its keyboard."""
    new = max(replies, key=lambda m: m.message_id)
    assert all(m.buttons == [] for m in replies if m is not new)
    return new


async def compose(
    harness: Harness,
    sec: FakeUser,
    text: str = "Report to the school gym by 20:00.",
    *,
    ack: bool = True,
    deadline: str = "21:00",
    send: str = "Now",
    unit: str = "☐ Riverside District (4)",
) -> SentMessage:
    """Walk the whole /directive flow for the Riverside subtree; return the final message."""
    [step] = await harness.send(sec, sec.command("directive"))
    [step] = await harness.send(sec, sec.press(step, unit))
    [step] = await harness.send(sec, sec.press(step, "Continue ›"))
    step = typed(await harness.send(sec, sec.message(text)))
    if ack:
        [step] = await harness.send(sec, sec.press(step, "Yes, by a deadline"))
        step = typed(await harness.send(sec, sec.message(deadline)))
    else:
        [step] = await harness.send(sec, sec.press(step, "No"))
    [step] = await harness.send(sec, sec.press(step, send))
    assert step.text is not None and step.text.startswith("Preview")
    [done] = await harness.send(sec, sec.press(step, "✅ Send"))
    return done


async def test_compose_send_and_progress(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    [step] = await harness.send(sec, sec.command("directive"))
    assert step.text is not None and step.text.startswith("New directive — who should receive it?")
    assert labels(step) == [
        "☐ Riverside District (4)",
        "☐ Riverside Branch 1 (3)",
        "Continue ›",
        "Cancel",
    ]
    [step] = await harness.send(sec, sec.press(step, "☐ Riverside District (4)"))
    # The district counts Sue, its secretary; she wrote it, so she does not receive it.
    assert step.text is not None
    assert step.text.endswith("Selected: 1 unit · 3 members (not counting you)")
    assert labels(step)[:2] == ["☑ Riverside District (4)", "☑ Riverside Branch 1 (3)"]
    replies = await harness.send(sec, sec.press(step, "☑ Riverside Branch 1 (3)"))
    assert replies.callback_answers[0].text == (
        "Already included: Riverside District is selected with every unit below it."
    )
    assert list(replies) == []  # nothing changes
    # A second tap: the district alone (nobody but Sue, the author), a third: nothing.
    [step] = await harness.send(sec, sec.press(step, "☑ Riverside District (4)"))
    assert step.text is not None
    assert step.text.endswith("Selected: 1 unit · 0 members (not counting you)")
    assert labels(step)[:2] == ["◉ Riverside District (4)", "☐ Riverside Branch 1 (3)"]
    [step] = await harness.send(sec, sec.press(step, "◉ Riverside District (4)"))
    [step] = await harness.send(sec, sec.press(step, "☐ Riverside Branch 1 (3)"))
    assert step.text is not None and step.text.endswith("Selected: 1 unit · 3 members")
    [step] = await harness.send(sec, sec.press(step, "Continue ›"))
    assert step.text is not None and step.text.startswith("Now send the text of the directive")
    step = typed(await harness.send(sec, sec.message("Sandbags < 5 kg to the east levee")))
    assert step.text == "Should members acknowledge it with one tap?"
    [step] = await harness.send(sec, sec.press(step, "Yes, by a deadline"))
    assert labels(step)[:4] == ["17:00 today", "18:00 today", "19:00 today", "09:00 tomorrow"]
    [step] = await harness.send(sec, sec.press(step, "18:00 today"))
    assert labels(step)[:3] == ["Now", "17:00 today", "08:00 tomorrow"]
    [preview] = await harness.send(sec, sec.press(step, "Now"))
    assert preview.text is not None
    assert preview.text.startswith("Preview — 3 members in 1 unit will receive this. Sending: Now.")
    assert "Directive from Riverside District — acknowledge by 18:00 today" in preview.text
    [done] = await harness.send(sec, sec.press(preview, "✅ Send"))
    assert done.message_id == preview.message_id
    assert done.text == "Sending… 0 / 3 sent · 0 unreachable"

    assert await harness.run_due() == 3
    for person in members:
        [received] = harness.api.sent_to(person.id)[-1:]
        assert Acknowledge.parse(replies_data(received)) is not None
    ann = harness.api.last_message(611)
    assert ann.text == (
        "Directive from Riverside District — acknowledge by 18:00 today\n\n"
        "Sandbags < 5 kg to the east levee"
    )
    assert labels(ann) == ["✅ Acknowledge"]
    bo = harness.api.last_message(612)
    assert bo.text is not None and bo.text.startswith("来自Riverside District的通知")
    assert labels(bo) == ["✅ 确认收到"]
    progress = harness.api.message(601, done.message_id)
    assert progress is not None
    # The chase to come (the default ladder: the reminder at the deadline).
    assert (
        progress.text == "✅ Directive sent: 3 of 3 · 0 unreachable\nChase: next: reminder at 18:00"
    )


async def test_acknowledge_once_and_message_edited(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    await compose(harness, sec)
    await harness.run_due()
    ann = members[0]
    received = harness.api.last_message(ann.id)
    harness.clock.advance(timedelta(minutes=12))
    replies = await harness.send(ann, ann.press(received, "✅ Acknowledge"))
    assert replies.callback_answers[0].text == "Acknowledged at 16:12."
    # The answer goes first: the spinner stops before the edit is even asked for.
    assert [call.method for call in replies.calls][:2] == [
        "answerCallbackQuery", "editMessageText",
    ]  # fmt: skip
    edited = harness.api.message(ann.id, received.message_id)
    assert edited is not None and edited.buttons == []
    assert edited.text is not None and edited.text.endswith("✅ Acknowledged at 16:12")
    harness.clock.advance(timedelta(minutes=5))
    replies = await harness.send(ann, ann.press_data(received.message_id, replies_data(received)))
    assert replies.callback_answers[0].text == "Already acknowledged at 16:12."
    # Someone who did not receive it cannot acknowledge it.
    stranger = harness.person(699, "Zed")
    replies = await harness.send(stranger, stranger.press_data(1, replies_data(received)))
    assert replies.callback_answers[0].text is not None
    assert "no longer applies" in replies.callback_answers[0].text


async def test_a_press_is_answered_and_edited_at_once(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    """The edit is asked for while the answer is still on its way, not a round trip later:
    in a burst of presses each press holds one of the updates handled at once meanwhile."""
    await compose(harness, sec)
    await harness.run_due()
    ann = members[0]
    received = harness.api.last_message(ann.id)
    answer, edit = (harness.api.handler(m) for m in ("answerCallbackQuery", "editMessageText"))
    editing = asyncio.Event()

    def edit_seen(params: dict[str, Any]) -> Any:
        editing.set()
        return edit(params)

    async def answer_once_editing(params: dict[str, Any]) -> Any:
        await asyncio.wait_for(editing.wait(), timeout=5)  # a guard: set at once, if ever
        return answer(params)

    harness.api.register("editMessageText", edit_seen)
    harness.api.register("answerCallbackQuery", answer_once_editing)
    replies = await harness.send(ann, ann.press(received, "✅ Acknowledge"))
    assert [a.text for a in replies.callback_answers] == ["Acknowledged at 16:00."]
    edited = harness.api.message(ann.id, received.message_id)
    assert edited is not None and (edited.text or "").endswith("✅ Acknowledged at 16:00")


async def test_a_press_builds_no_message_from_the_edits_answer(
    harness: Harness, sec: FakeUser, members: list[FakeUser], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram's answer to the edit is not turned into a Message (its chat, sender, every
    entity of the directive): nobody reads it, and in a burst of presses building it was an
    eighth of a press's CPU. The only Message built is the pressed one, in the update."""
    await compose(harness, sec)
    await harness.run_due()
    ann = members[0]
    received = harness.api.last_message(ann.id)
    built: list[int] = []
    de_json = Message.de_json

    def counted(data: dict[str, Any], bot: Any = None) -> Message:
        built.append(data["message_id"])
        return de_json(data, bot)

    monkeypatch.setattr(Message, "de_json", counted)
    replies = await harness.send(ann, ann.press(received, "✅ Acknowledge"))
    assert [a.text for a in replies.callback_answers] == ["Acknowledged at 16:00."]
    assert [call.method for call in replies.calls] == ["answerCallbackQuery", "editMessageText"]
    edited = harness.api.message(ann.id, received.message_id)
    assert edited is not None and (edited.text or "").endswith("✅ Acknowledged at 16:00")
    assert built == [received.message_id]


def replies_data(message: SentMessage) -> str:
    data = message.buttons[0][1]
    assert data is not None
    return data


async def test_deadline_reminder_then_escalation(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    await compose(harness, sec, deadline="17:00")
    await harness.run_due()
    ann = members[0]
    await harness.send(ann, ann.press(harness.api.last_message(ann.id), "✅ Acknowledge"))
    harness.clock.advance(timedelta(hours=1))  # 17:00 local: the deadline
    assert await harness.run_due() == 2  # Bo and Cy, not Ann
    bo_reminder = harness.api.last_message(612)
    assert bo_reminder.text is not None and bo_reminder.text.startswith("⚠️ 提醒：")
    assert harness.api.last_message(611).text is not None
    assert "Reminder" not in (harness.api.last_message(611).text or "")
    assert await harness.run_due() == 0  # reminded once only
    # Bo acknowledges from the reminder: both messages settle.
    replies = await harness.send(members[1], members[1].press(bo_reminder, "✅ 确认收到"))
    assert replies.callback_answers[0].text == "已于17:00确认。"
    harness.clock.advance(timedelta(hours=1))  # deadline + grace
    assert await harness.run_due() == 1
    escalation = harness.api.last_message(601)
    assert escalation.text == (
        "⚠️ 1 member has not acknowledged a directive past its deadline:\n"
        "• Riverside Branch 1 (1): Cy"
    )
    assert labels(escalation) == ["📞 Cy", "Open the directive"]  # reached by phone
    assert await harness.run_due() == 0  # listed once only


async def test_unreachable_members_are_counted_and_reported(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    harness.api.block(613)
    done = await compose(harness, sec, ack=False)
    await harness.run_due()
    progress = harness.api.message(601, done.message_id)
    assert progress is not None
    assert progress.text == "✅ Directive sent: 2 of 3 · 1 unreachable"
    notice = harness.api.last_message(601)
    assert notice.text == (
        "⚠️ 1 member of Riverside Branch 1 could not be reached "
        "(they blocked the bot or left Telegram): Cy ⚠️"
    )
    cy = await harness.services.storage.members.by_telegram_id(613)
    assert cy is not None
    row = await harness.services.storage.db.fetchone(
        "SELECT unreachable_since FROM members WHERE id = ?", (cy.id,)
    )
    assert row is not None and row[0] is not None
    # A second directive, later, does not report Cy again.
    harness.clock.advance(timedelta(minutes=30))
    await compose(harness, sec, ack=False, text="Second")
    await harness.run_due()
    assert harness.api.last_message(601).text == "✅ Directive sent: 2 of 3 · 1 unreachable"
    # Cy unblocks the bot and writes: reachable again.
    harness.api.unblock(613)
    await harness.send(members[2], members[2].command("me"))
    again = await harness.services.storage.members.by_telegram_id(613)
    assert again is not None and again.unreachable_since is None


def crash_next_enqueue(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next queuing of messages dies (the process killed right there); then all is well."""
    outbox = harness.services.storage.outbox
    enqueue_many = outbox.enqueue_many

    async def crash(*_: object) -> None:
        monkeypatch.setattr(outbox, "enqueue_many", enqueue_many)
        raise RuntimeError("killed while queuing")

    monkeypatch.setattr(outbox, "enqueue_many", crash)


async def test_a_crash_while_queuing_the_escalation_loses_no_list(
    harness: Harness, sec: FakeUser, members: list[FakeUser], monkeypatch: pytest.MonkeyPatch
) -> None:
    await compose(harness, sec, deadline="17:00")
    await harness.run_due()
    harness.clock.advance(timedelta(hours=1))  # the deadline: reminders
    await harness.run_due()
    harness.clock.advance(timedelta(hours=1))  # deadline + grace
    crash_next_enqueue(harness, monkeypatch)
    with pytest.raises(RuntimeError):
        await harness.run_due()
    assert await harness.run_due() == 1  # after the restart, the list still goes out
    escalation = harness.api.last_message(601).text or ""
    assert escalation.startswith("⚠️ 3 members have not acknowledged a directive")


async def test_a_crash_while_queuing_the_unreachable_notice_loses_it_not(
    harness: Harness, sec: FakeUser, members: list[FakeUser], monkeypatch: pytest.MonkeyPatch
) -> None:
    harness.api.block(613)
    done = await compose(harness, sec, ack=False)
    await DELIVERY.of(harness.app).drain()  # sent; the directive not closed yet
    crash_next_enqueue(harness, monkeypatch)
    with pytest.raises(RuntimeError):
        await harness.run_due()
    await harness.run_due()
    progress = harness.api.message(601, done.message_id)
    assert progress is not None
    assert progress.text == "✅ Directive sent: 2 of 3 · 1 unreachable"
    assert harness.api.last_message(601).text == (
        "⚠️ 1 member of Riverside Branch 1 could not be reached "
        "(they blocked the bot or left Telegram): Cy ⚠️"
    )


async def test_bad_input_is_reasked(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    [step] = await harness.send(sec, sec.command("directive"))
    replies = await harness.send(sec, sec.press(step, "Continue ›"))
    assert replies.callback_answers[0].text == "Choose at least one unit first."
    [step] = await harness.send(sec, sec.press(step, "☐ Riverside Branch 1 (3)"))
    [step] = await harness.send(sec, sec.press(step, "Continue ›"))
    [answer] = await harness.send(sec, sec.location(31.2, 121.4))
    assert answer.text is not None and answer.text.startswith("That kind of message cannot")
    [answer] = await harness.send(sec, sec.message("x" * 3901))
    assert answer.text == (
        "That text has 3,901 characters; the limit is 3,900 (Telegram allows 4,096 and Muster "
        "adds a heading). Shorten it and send it again, or /cancel."
    )
    [answer] = await harness.send(sec, sec.message("   "))
    assert answer.text is not None and answer.text.startswith("The directive has no text.")
    step = typed(await harness.send(sec, sec.message("Stay home tonight.")))
    [step] = await harness.send(sec, sec.press(step, "Yes, by a deadline"))
    [answer] = await harness.send(sec, sec.message("25:99"))
    assert answer.text is not None and answer.text.startswith("That is not a time I understand.")
    [answer] = await harness.send(sec, sec.message("0001-01-01 00:00"))  # overflowed UTC
    assert answer.text is not None and answer.text.startswith("That is not a time I understand.")
    [answer] = await harness.send(sec, sec.message("2020-01-01 10:00"))
    assert answer.text is not None and answer.text.startswith("That time has already passed.")
    [answer] = await harness.send(sec, sec.message("later please"))
    assert answer.text is not None and answer.text.startswith("That is not a time")
    [bye] = await harness.send(sec, sec.command("cancel"))
    assert bye.text == "Cancelled. Nothing was sent."
    rows = await harness.services.storage.db.fetchall("SELECT * FROM directives")
    assert rows == []


async def test_a_directive_at_the_length_limit_is_previewed_and_sent(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    """Regression: a text over 2,500 characters failed at the preview (Fluent's limit)."""
    text = "Sandbags and pumps to the levee. " * 117  # 3,861 characters
    done = await compose(harness, sec, text.strip(), ack=False)
    assert done.text == "Sending… 0 / 3 sent · 0 unreachable"
    assert await harness.run_due() == 3
    received = harness.api.last_message(611)
    assert received.text is not None and received.text.endswith(text.strip())


async def test_zero_member_units_and_scope(harness: Harness, sec: FakeUser) -> None:
    # Nobody in RIV-1 yet: continuing is refused with a reason.
    [step] = await harness.send(sec, sec.command("directive"))
    [step] = await harness.send(sec, sec.press(step, "☐ Riverside Branch 1 (0)"))
    replies = await harness.send(sec, sec.press(step, "Continue ›"))
    assert replies.callback_answers[0].text is not None
    assert replies.callback_answers[0].text.startswith("Nobody would receive it")
    # A unit outside her scope, by forged data, is refused.
    hill = await harness.unit("HIL-1")
    replies = await harness.send(sec, sec.press_data(step.message_id, ToggleTarget(hill.id).pack()))
    assert replies.callback_answers[0].text == "You are not allowed to do that here."
    member = harness.person(620, "Mo")
    await harness.join(member, "RIV-1")
    [answer] = await harness.send(member, member.command("directive"))
    assert answer.text is not None and answer.text.startswith("Only secretaries can send")


async def test_scope_lost_before_send_is_refused(
    harness: Harness, sec: FakeUser, members: list[FakeUser], admin: FakeUser
) -> None:
    [step] = await harness.send(sec, sec.command("directive"))
    [step] = await harness.send(sec, sec.press(step, "☐ Riverside Branch 1 (3)"))
    [step] = await harness.send(sec, sec.press(step, "Continue ›"))
    step = typed(await harness.send(sec, sec.message("Evacuate.")))
    [step] = await harness.send(sec, sec.press(step, "No"))
    [preview] = await harness.send(sec, sec.press(step, "Now"))
    await harness.send(admin, admin.command("ungrant", "@sue", "secretary", "RIV"))
    [answer] = await harness.send(sec, sec.press(preview, "✅ Send"))
    assert answer.text is not None and answer.text.startswith("Only secretaries can send")
    assert await harness.run_due() == 0
    assert await harness.services.storage.db.fetchall("SELECT * FROM directives") == []


async def test_scheduled_directive_waits_and_can_be_withdrawn(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    done = await compose(harness, sec, ack=False, send="08:00 tomorrow")
    assert done.text == (
        "⏳ Scheduled for 08:00 tomorrow. You will see the progress here when it goes out."
    )
    assert await harness.run_due() == 0
    harness.clock.advance(timedelta(hours=16))  # 08:00 tomorrow, local
    assert await harness.run_due() == 3
    progress = harness.api.message(601, done.message_id)
    assert progress is not None and progress.text == "✅ Directive sent: 3 of 3 · 0 unreachable"
    # A second one is withdrawn before its time: nobody ever gets it.
    await compose(harness, sec, ack=False, send="08:00 tomorrow", text="Withdraw me")
    [listing] = await harness.send(sec, sec.command("directives"))
    assert listing.text is not None and listing.text.startswith("Recent directives\n1.")
    assert "⏳ scheduled" in listing.text
    assert labels(listing) == [
        "1. Tue 1 Dec · Withdraw me",
        "2. Mon 30 Nov · Report to the school gy…",
    ]
    [detail] = await harness.send(sec, sec.press(listing, "1. Tue 1 Dec · Withdraw me"))
    [confirm] = await harness.send(sec, sec.press(detail, "Withdraw this directive"))
    [after] = await harness.send(sec, sec.press(confirm, "Yes, withdraw it"))
    assert after.text is not None and "❌ withdrawn" in after.text
    harness.clock.advance(timedelta(days=1))
    assert await harness.run_due() == 0
    assert all("Withdraw me" not in (m.text or "") for m in harness.api.sent_to(611))


async def test_watch_remind_and_export(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    await compose(harness, sec)
    await harness.run_due()
    ann = members[0]
    await harness.send(ann, ann.press(harness.api.last_message(ann.id), "✅ Acknowledge"))
    [listing] = await harness.send(sec, sec.command("directives"))
    assert listing.text is not None
    assert "sent 3/3 · ✅ 1 acknowledged · 0 unreachable" in listing.text
    [detail] = await harness.send(
        sec, sec.press(listing, "1. Sun 29 Nov · Report to the school gy…")
    )
    assert detail.text is not None
    assert "• Riverside Branch 1: 1/3 acknowledged (33%)" in detail.text
    assert detail.text.endswith(
        "Not acknowledged (2): Bo, Cy\n\n"
        "How they were reached\n"
        "Riverside Branch 1: Telegram 1 · silent 2 · reached in p50 1 min · p90 1 min"
    )
    # Sue is their secretary: "📞 Reached by phone" for each (tests/flows/test_on_behalf.py).
    assert labels(detail) == [
        "📞 Bo", "📞 Cy", "🔔 Remind now", "CSV", "XLSX", "‹ All directives"
    ]  # fmt: skip
    replies = await harness.send(sec, sec.press(detail, "🔔 Remind now"))
    assert replies.callback_answers[0].text == "Reminder queued for 2 members."
    replies = await harness.send(sec, sec.press(detail, "🔔 Remind now"))  # a double tap
    assert replies.callback_answers[0].text == (
        "Reminders are already on their way to everyone silent."
    )
    assert await harness.run_due() == 2
    replies = await harness.send(sec, sec.press(detail, "CSV"))
    [document] = [c for c in replies.calls if c.method == "sendDocument"]
    upload = document.params["document"]
    content = upload.content.decode("utf-8-sig")
    assert content.splitlines()[0] == (
        "Unit code,Unit,Member,Delivery,Sent at,Acknowledged at,Reached by"
    )
    assert "RIV-1,Riverside Branch 1,Ann,sent,2026-11-29 16:00,2026-11-29 16:00,Telegram" in content
    replies = await harness.send(sec, sec.press(detail, "XLSX"))
    [document] = [c for c in replies.calls if c.method == "sendDocument"]
    assert document.params["document"].content[:2] == b"PK"  # a zip: an XLSX workbook
    # A coordinator of another district sees nothing of it.
    other = harness.person(630, "Hal")
    await harness.join(other, "HIL", Role.COORDINATOR)
    [listing] = await harness.send(other, other.command("directives"))
    assert listing.text == "No directives yet in your scope."
    replies = await harness.send(other, other.press_data(listing.message_id, replies_data(detail)))
    assert replies.callback_answers[0].text == "You are not allowed to do that here."


async def test_cancelled_directive_refuses_acknowledgement(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    await compose(harness, sec)
    await harness.run_due()
    directive = (await harness.services.storage.directives.recent([], 1))[0]
    actor = await harness.services.authz.actor(sec.id)
    # Sent already: it can no longer be withdrawn.
    from bot.directives.drafting import DirectiveError

    with pytest.raises(DirectiveError):
        await harness.services.directives.cancel(actor, directive.id)
    await harness.services.storage.db.write(
        "UPDATE directives SET status = 'cancelled' WHERE id = ?", (directive.id,)
    )
    ann = members[0]
    replies = await harness.send(ann, ann.press(harness.api.last_message(ann.id), "✅ Acknowledge"))
    assert replies.callback_answers[0].text == "This directive was withdrawn."
    edited = harness.api.last_message(ann.id)
    assert edited.buttons == []
    assert edited.text is not None and edited.text.endswith("❌ This directive was withdrawn.")


async def test_restart_mid_send_resumes_without_duplicates(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    await compose(harness, sec, ack=False)
    storage = harness.services.storage
    # A worker claimed two messages and the process died before sending them.
    claimed = await storage.outbox.claim(harness.clock.now(), 2)
    assert len(claimed) == 2
    assert await storage.outbox.recover() == 2  # what the next start does first
    assert await harness.run_due() == 3
    for person in members:
        received = [m for m in harness.api.sent_to(person.id) if "Report to" in (m.text or "")]
        assert len(received) == 1


async def test_author_blocking_the_bot_does_not_stop_delivery(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    await compose(harness, sec, ack=False)
    harness.api.block(601)  # the author blocks the bot mid-send: progress edits fail
    assert await harness.run_due() == 3
    for person in members:
        assert "Report to" in (harness.api.last_message(person.id).text or "")
    directive = (await harness.services.storage.directives.recent([], 1))[0]
    assert directive.status == "sent"


async def test_formatting_kept_and_attachment_sent_first(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    [step] = await harness.send(sec, sec.command("directive"))
    [step] = await harness.send(sec, sec.press(step, "☐ Riverside Branch 1 (3)"))
    [step] = await harness.send(sec, sec.press(step, "Continue ›"))
    # A document first, then the text with a bold word (as Telegram sends entities).
    step = typed(await harness.send(sec, sec.document("route-map.pdf", b"%PDF-1.4")))
    assert step.text is not None
    assert step.text.startswith("Attachment received route-map.pdf. Now send the text")
    update = sec.message("Follow the route: north gate first.")
    update["message"]["entities"] = [{"type": "bold", "offset": 11, "length": 5}]
    step = typed(await harness.send(sec, update))
    [step] = await harness.send(sec, sec.press(step, "No"))
    [preview] = await harness.send(sec, sec.press(step, "Now"))
    assert preview.text is not None and "With a document route-map.pdf." in preview.text
    await harness.send(sec, sec.press(preview, "✅ Send"))
    mark = len(harness.api.calls)
    await harness.run_due()
    to_ann = [c for c in harness.api.calls[mark:] if c.chat_id == 611]
    assert [c.method for c in to_ann] == ["sendDocument", "sendMessage"]
    assert to_ann[1].params["text"].endswith("Follow the <b>route</b>: north gate first.")


async def test_photo_with_caption_becomes_the_text(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    [step] = await harness.send(sec, sec.command("directive"))
    [step] = await harness.send(sec, sec.press(step, "☐ Riverside Branch 1 (3)"))
    [step] = await harness.send(sec, sec.press(step, "Continue ›"))
    step = typed(await harness.send(sec, sec.photo(caption="Flood line as of noon")))
    assert step.text == "Should members acknowledge it with one tap?"
    [step] = await harness.send(sec, sec.press(step, "No"))
    [preview] = await harness.send(sec, sec.press(step, "Now"))
    assert preview.text is not None and "With a photo." in preview.text
    await harness.send(sec, sec.press(preview, "✅ Send"))
    mark = len(harness.api.calls)
    await harness.run_due()
    methods = [c.method for c in harness.api.calls[mark:] if c.chat_id == 612]
    assert methods == ["sendPhoto", "sendMessage"]


async def test_time_presets_are_sorted_round_times_in_the_authors_unit_zone(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    # Riverside keeps Kathmandu time (UTC+5:45): 13:48 there when the author starts.
    await harness.services.storage.db.write(
        "UPDATE units SET timezone = 'Asia/Kathmandu' WHERE code = 'RIV'"
    )
    harness.clock.advance(timedelta(minutes=3))
    [step] = await harness.send(sec, sec.command("directive"))
    [step] = await harness.send(sec, sec.press(step, "☐ Riverside Branch 1 (3)"))
    [step] = await harness.send(sec, sec.press(step, "Continue ›"))
    step = typed(await harness.send(sec, sec.message("Check the pumps.")))
    [step] = await harness.send(sec, sec.press(step, "Yes, by a deadline"))
    assert step.text is not None and step.text.endswith("(Asia/Kathmandu).")
    # In 1 and 3 hours (14:48, 16:48) rounded up to the half hour; then 18:00 and 09:00.
    assert labels(step)[:4] == ["15:00 today", "17:00 today", "18:00 today", "09:00 tomorrow"]
    [step] = await harness.send(sec, sec.press(step, "17:00 today"))
    assert labels(step)[:3] == ["Now", "15:00 today", "08:00 tomorrow"]
    [step] = await harness.send(sec, sec.press(step, "15:00 today"))
    assert step.text is not None and "acknowledge by 17:00 today" in step.text
    harness.clock.advance(timedelta(minutes=19))  # 14:07: an hour on is 15:07, so 15:30
    [step] = await harness.send(sec, sec.press(step, "‹ Back"))
    assert labels(step)[:3] == ["Now", "15:30 today", "08:00 tomorrow"]


async def test_text_with_html_characters_reads_as_typed_everywhere(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    typed_text = "water level < 3 m & rising > 2 cm/h at the north gauge"
    await compose(harness, sec, typed_text, ack=False, send="08:00 tomorrow")
    # Cut on the plain text: never inside "&amp;", never shown as "&lt;".
    line = "1. 2026-11-30 08:00 · “water level < 3 m & rising > 2 cm/h at …”"
    button = "1. Mon 30 Nov · water level < 3 m & ris…"
    coordinator = harness.person(640, "Cora", language="zh")
    await harness.join(coordinator, "RIV", Role.COORDINATOR)
    details = []
    zh_button = "1. 11月30日 周一 · water level < 3 m & ris…"
    for viewer, label in ((coordinator, zh_button), (sec, button)):
        [listing] = await harness.send(viewer, viewer.command("directives"))
        assert listing.text is not None and line in listing.text
        assert labels(listing) == [label]
        [detail] = await harness.send(viewer, viewer.press(listing, label))
        assert detail.text is not None and f"“{typed_text}”" in detail.text
        details.append(detail)
    [confirm] = await harness.send(sec, sec.press(details[-1], "Withdraw this directive"))
    assert confirm.text is not None
    opening = "“water level < 3 m & rising > 2 cm/h at …”"
    assert confirm.text.startswith(f"Withdraw the directive from Riverside District, {opening}?")
    # On the wire: escaped exactly once.
    wire = str(harness.api.calls_of("editMessageText")[-1].params["text"])
    assert "“water level &lt; 3 m &amp; rising &gt; 2 cm/h at …”" in wire


@pytest.mark.parametrize(
    ("language", "final"),
    [
        ("en", "❌ Directive withdrawn: 2 of 10 sent · 8 not sent · 0 unreachable"),
        ("zh", "❌ 通知已撤回：已发2/10 · 8条未发出 · 0人无法送达"),
    ],
)
async def test_withdrawing_mid_send_holds_back_the_claimed_messages_too(
    harness: Harness,
    sec: FakeUser,
    members: list[FakeUser],
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    final: str,
) -> None:
    extra = [harness.person(614 + n, f"Extra {n}") for n in range(7)]
    for person in extra:
        await harness.join(person, "RIV-1")
    recipients = [*members, *extra]
    storage = harness.services.storage
    engine = DELIVERY.of(harness.app)
    # One worker: it claims four rows at a time, ahead of its sends, deterministically.
    monkeypatch.setattr(engine, "settings", engine.settings.model_copy(update={"concurrency": 1}))
    done = await compose(harness, sec, ack=False, unit="☐ Riverside District (11)")

    def delivered() -> int:
        return sum(
            "Report to" in (m.text or "") for p in recipients for m in harness.api.sent_to(p.id)
        )

    seen: dict[str, object] = {}
    pace = engine.pacer.acquire

    async def acquire(chat_id: int, *, reply: bool = False, overall: bool = True) -> Slot:
        """Two sent, the third rendered and waiting for its slot: the author withdraws."""
        if not reply and "toast" not in seen and delivered() == 2:
            row = await storage.db.fetchone(
                "SELECT COUNT(*) AS n FROM outbox WHERE status = 'sending' AND kind = 'directive'"
            )
            seen["claimed"] = row["n"] if row else 0
            [listing] = await harness.send(sec, sec.command("directives"))
            [detail] = await harness.send(sec, sec.press(listing, listing.buttons[0][0]))
            [confirm] = await harness.send(sec, sec.press(detail, "Withdraw this directive"))
            seen["confirm"] = confirm.text
            replies = await harness.send(sec, sec.press(confirm, "Yes, withdraw it"))
            seen["toast"] = replies.callback_answers[0].text
            seen["delivered"] = delivered()
            await storage.db.write(
                "UPDATE members SET language = ? WHERE telegram_id = ?", (language, sec.id)
            )
        return await pace(chat_id, reply=reply, overall=overall)

    monkeypatch.setattr(engine.pacer, "acquire", acquire)
    await harness.run_due()

    assert seen["claimed"] == 2  # the one about to go and the one claimed ahead
    assert "8 unsent messages will not go out" in str(seen["confirm"])
    assert seen["toast"] == "Directive withdrawn: 8 unsent messages were held back."
    assert seen["delivered"] == 2
    assert delivered() == 2  # nothing after "withdrawn"
    counts = await storage.outbox.counts(1, "directive")
    assert (counts["sent"], counts["cancelled"], counts["sending"]) == (2, 8, 0)
    progress = harness.api.message(sec.id, done.message_id)
    assert progress is not None and progress.text == final
    assert await harness.run_due() == 0  # the tally is final: no more edits
