"""Watching and chasing a question (issue #16): the author's live message becomes the
headcount as members press, a moved member counts where asked, ``/directives`` shows the
headcount within the viewer's scope with a drill-down to names (forged ones refused), the
silent are listed to their own secretaries as "not answered", and "remind now" reminds
them with the choices; in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.directives.buttons import WhoAnswered
from bot.org.authz import Actor
from fakeapi import FakeUser, SentMessage
from handlers.directives import headcount as headcount_screen
from storage.directives import Directive
from storage.models import Role
from tests.flows.conftest import Harness
from tests.flows.test_answers import QUESTION, choose, current
from tests.flows.test_directives import labels, members, no_checkins, sec

__all__ = ["members", "no_checkins", "sec"]  # fixtures, used by name

TEXT = "Heavy snow tonight: who can clear the roads at 06:00?"


async def ask(
    harness: Harness, author: FakeUser | None, unit: str = "RIV", *, watch: bool = True
) -> Directive:
    """``author`` (None: the console) asks the members under ``unit``; the author's
    message tracks it, as the composer's last screen does."""
    return await harness.issue(author, TEXT, unit=unit, question=QUESTION, watch=watch)


async def progress(harness: Harness, author: FakeUser, directive: Directive) -> list[str]:
    """The lines of the author's message as it reads now."""
    tracked = await harness.services.storage.directives.get(directive.id)
    assert tracked is not None and tracked.progress_message_id is not None
    message = harness.api.message(author.id, tracked.progress_message_id)
    assert message is not None and message.text is not None
    return message.text.split("\n")


async def press(harness: Harness, person: FakeUser, label: str) -> None:
    received = next(m for m in harness.api.sent_to(person.id) if m.buttons)
    await choose(harness, person, received, label)


@pytest.fixture
async def dee(harness: Harness) -> FakeUser:
    """A member of Riverside District itself, not of a branch."""
    person = harness.person(614, "Dee")
    await harness.join(person, "RIV")
    return person


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "✅ Directive sent: 4 of 4 · 0 unreachable",
                "",
                "Headcount — 3 of 4 answered",
                "I can come 1 (+5) · I need transport 2 · I cannot 0 · not answered 1",
                "Riverside Branch 1: I can come 1 (+5) · I need transport 1 · I cannot 0"
                " · not answered 1",
                "Riverside District (own members): I can come 0 · I need transport 1"
                " · I cannot 0 · not answered 0",
                # Its silent are reminded 30 minutes before answers close (at 18:00).
                "Chase: next: reminder at 17:30",
            ],
        ),
        (
            "zh",
            [
                "✅ 通知已发出：4/4 · 0人无法送达",
                "",
                "人数统计 — 4人中3人已答复",
                "I can come 1人（+5） · I need transport 2人 · I cannot 0人 · 未答复1人",
                "Riverside Branch 1：I can come 1人（+5） · I need transport 1人 · I cannot 0人"
                " · 未答复1人",
                "Riverside District（本级成员）：I can come 0人 · I need transport 1人"
                " · I cannot 0人 · 未答复0人",
                "催办：下一步：17:30 提醒",
            ],
        ),
    ],
)
async def test_the_authors_message_becomes_the_headcount(
    harness: Harness,
    members: list[FakeUser],
    dee: FakeUser,
    language: str,
    expected: list[str],
) -> None:
    author = harness.person(621, "Shu Secretary", language=language)
    await harness.join(author, "RIV", Role.SECRETARY)
    directive = await ask(harness, author)
    ann, bo, cy = members
    # Cy moves to Hillside after it went out: his answer counts where he was asked.
    cy_member = await harness.services.storage.members.by_telegram_id(cy.id)
    assert cy_member is not None
    await harness.services.membership.move(Actor.console(), cy_member, "HIL-1")
    await press(harness, ann, "I can come")
    await harness.send(ann, ann.message("5"))
    await press(harness, cy, "I need transport")
    await press(harness, dee, "I need transport")
    await harness.run_due()
    lines = await progress(harness, author, directive)
    assert lines == expected
    assert "Hillside" not in "\n".join(lines)
    assert bo.id  # Bo stays silent
    # /directives lists the question with how many answered, not "acknowledged".
    [listing] = await harness.send(author, author.command("directives"))
    assert listing.text is not None
    answered = {"en": "· 3 answered ·", "zh": "· 已答复3 ·"}[language]
    assert answered in listing.text and "acknowledged" not in listing.text


async def test_the_headcount_is_edited_only_when_a_figure_moved(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    directive = await ask(harness, sec)
    edits = len(harness.api.calls_of("editMessageText"))
    await harness.run_due()
    assert len(harness.api.calls_of("editMessageText")) == edits  # nothing moved
    await press(harness, members[1], "I need transport")
    await harness.run_due()
    assert (await progress(harness, sec, directive))[2] == "Headcount — 1 of 3 answered"
    # Answers closed (the deadline, and the catch-up): no more edits, nothing looked at.
    harness.clock.advance(timedelta(hours=2, minutes=11))
    assert await harness.services.answers.watched() == []


async def test_the_silent_are_listed_to_their_own_secretaries_as_not_answered(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    hal = harness.person(631, "Hal Secretary", language="zh")
    await harness.join(hal, "HIL", Role.SECRETARY)
    hana = harness.person(632, "Hana")
    await harness.join(hana, "HIL-1")
    await ask(harness, None, "CITY")  # from the City Committee, to both districts
    for person in (members[0], sec, hal):  # the secretaries were asked too
        await press(harness, person, "I need transport")
    harness.clock.advance(timedelta(hours=3, minutes=1))  # deadline + grace
    await harness.run_due()

    def listed(person: FakeUser) -> list[str | None]:
        return [m.text for m in harness.api.sent_to(person.id) if m.text and "⚠️ " in m.text]

    # Each hears of their own members only, and of an answer, not an acknowledgement.
    assert listed(sec) == [
        "⚠️ 2 members have not answered a directive's question past its deadline:\n"
        "• Riverside Branch 1 (2): Bo, Cy"
    ]
    assert listed(hal) == ["⚠️ 有1名成员逾期未答复通知：\n• Hillside Branch 1（1人）：Hana"]


async def test_remind_now_reminds_the_silent_with_the_choices(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    await ask(harness, sec, watch=False)
    ann, bo, cy = members
    await press(harness, ann, "I can come")
    await harness.send(ann, ann.message("2"))
    before = len(harness.api.sent_to(ann.id))
    [listing] = await harness.send(sec, sec.command("directives"))
    [detail] = await harness.send(sec, sec.press(listing, listing.buttons[0][0]))
    replies = await harness.send(sec, sec.press(detail, "🔔 Remind now"))
    assert replies.callback_answers[0].text == "Reminder queued for 2 members."
    await harness.run_due()
    assert len(harness.api.sent_to(ann.id)) == before  # answered: not reminded
    for person, opening in ((bo, "⚠️ 提醒：请答复"), (cy, "⚠️ Reminder: please answer")):
        reminder = harness.api.last_message(person.id)
        assert reminder.text is not None and reminder.text.startswith(opening)
        assert labels(reminder) == ["I can come", "I need transport", "I cannot"]


async def open_question(harness: Harness, viewer: FakeUser) -> SentMessage:
    """``/directives``, then the newest directive."""
    [listing] = await harness.send(viewer, viewer.command("directives"))
    [detail] = await harness.send(viewer, viewer.press(listing, listing.buttons[0][0]))
    return detail


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "Answers in Riverside Branch 1"
                " · “Heavy snow tonight: who can clear the roads at 06…”",
                "I can come 1 (+5) · I need transport 0 · I cannot 1 · not answered 1",
                "• Ann — I can come (5) · 16:12",
                "• Cy — I cannot · 16:20: “Night shift”",
                "• Bo — not answered",
                "1–3 of 3",
            ],
        ),
        (
            "zh",
            [
                "Riverside Branch 1的答复 · “Heavy snow tonight: who can clear the roads at 06…”",
                "I can come 1人（+5） · I need transport 0人 · I cannot 1人 · 未答复1人",
                "• Ann — I can come（5） · 16:12",
                "• Cy — I cannot · 16:20：“Night shift”",
                "• Bo — 未答复",
                "第1–3人，共3人",
            ],
        ),
    ],
)
async def test_directives_shows_the_headcount_and_who_answered_what(
    harness: Harness, members: list[FakeUser], language: str, expected: list[str]
) -> None:
    author = harness.person(621, "Shu Secretary", language=language)
    await harness.join(author, "RIV", Role.SECRETARY)
    await ask(harness, author, watch=False)
    ann, _, cy = members
    harness.clock.advance(timedelta(minutes=12))
    await press(harness, ann, "I can come")
    await harness.send(ann, ann.message("5"))
    harness.clock.advance(timedelta(minutes=8))
    await press(harness, cy, "I cannot")
    await harness.send(cy, cy.message("Night shift"))
    detail = await open_question(harness, author)
    assert detail.text is not None
    lines = detail.text.split("\n")
    assert lines[1] == f"“{TEXT}”"
    assert lines[-1].startswith("Riverside Branch 1")
    assert "(2/3)" not in detail.text  # a question's status counts no acknowledgements
    assert labels(detail)[0] == "👥 Riverside Branch 1"
    names = current(harness, detail)
    [names] = await harness.send(author, author.press(names, "👥 Riverside Branch 1"))
    assert names.text is not None and names.text.split("\n") == expected
    back = labels(names)[-1]
    [again] = await harness.send(author, author.press(names, back))
    assert again.text == detail.text


async def test_a_branch_secretary_sees_only_their_branch(
    harness: Harness, members: list[FakeUser]
) -> None:
    rob = harness.person(641, "Rob Secretary")
    await harness.join(rob, "RIV-1", Role.SECRETARY)
    hana = harness.person(632, "Hana")
    await harness.join(hana, "HIL-1")
    directive = await ask(harness, None, "CITY")
    await press(harness, hana, "I can come")
    await harness.send(hana, hana.message("1"))
    detail = await open_question(harness, rob)
    assert detail.text is not None
    assert "Hillside" not in detail.text and "City Committee (own" not in detail.text
    assert "Headcount — 0 of 4 answered" in detail.text  # Ann, Bo, Cy and Rob himself
    assert labels(detail)[0] == "👥 Riverside Branch 1 (own members)"
    # A forged drill-down into another branch, or up to the committee, is refused.
    for code in ("HIL-1", "CITY"):
        unit = await harness.unit(code)
        forged = WhoAnswered(directive.id, unit.id, False, 0).pack()
        replies = await harness.send(rob, rob.press_data(detail.message_id, forged))
        assert replies.callback_answers[0].text == "You are not allowed to do that here."
        assert current(harness, detail).text == detail.text


async def test_a_long_list_of_names_is_paged(
    harness: Harness, sec: FakeUser, members: list[FakeUser], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(headcount_screen, "NAMES", 2)
    await ask(harness, sec, watch=False)
    detail = await open_question(harness, sec)
    [first] = await harness.send(sec, sec.press(detail, "👥 Riverside Branch 1"))
    assert first.text is not None and first.text.endswith(
        "• Ann — not answered\n• Bo — not answered\n1–2 of 3"
    )
    [second] = await harness.send(sec, sec.press(first, "More ›"))
    assert second.text is not None and second.text.endswith("• Cy — not answered\n3–3 of 3")
    follow_up = "✉️ Message those in Riverside Branch 1 who chose “I can come”"
    assert labels(second)[:3] == ["📞 Cy", "‹ Previous", follow_up]  # Sue is Cy's secretary
    assert labels(second)[-1] == "‹ Back to the headcount"
