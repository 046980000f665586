"""Using a question's answers (issue #16): the export lists every recipient with their
answer (the silent too) and adds up to the headcount; the summary shows the day's
questions; a follow-up reaches exactly those who chose one answer."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.directives.buttons import MessageChosen
from bot.directives.drafting import DirectiveError, Draft
from fakeapi import FakeUser, Replies, SentMessage
from storage.directives import Directive, FollowUp, Target
from storage.models import Role
from tests.flows.conftest import Harness
from tests.flows.test_answers import ask, choose
from tests.flows.test_directives import labels, members, no_checkins, sec, typed

__all__ = ["members", "no_checkins", "sec"]  # fixtures, used by name

HOSTILE = '=HYPERLINK("http://evil.example","click")'


def received(harness: Harness, person: FakeUser, words: str) -> SentMessage:
    """The message ``person`` received with ``words`` in it, as it is now."""
    [found] = [m for m in harness.api.sent_to(person.id) if words in (m.text or "")]
    return found


async def answer(harness: Harness, person: FakeUser, label: str, *typed: str) -> None:
    """``person`` presses ``label`` under the question they received, then types ``typed``."""
    await choose(harness, person, received(harness, person, "Heavy snow"), label)
    for text in typed:
        await harness.send(person, person.message(text))


async def answered(harness: Harness, sec: FakeUser, members: list[FakeUser]) -> Directive:
    """Ann can come with 3, Bo cannot (a reason meant to run as a formula), Dee of the
    district's own members needed transport then can come, Cy says nothing."""
    await harness.join(dee(harness), "RIV")
    directive = await ask(harness, sec)
    ann, bo, _ = members
    await answer(harness, ann, "I can come", "3")
    await answer(harness, bo, "I cannot", HOSTILE)
    await answer(harness, dee(harness), "I need transport")
    harness.clock.advance(timedelta(minutes=5))
    await answer(harness, dee(harness), "I can come", "2")
    return directive


def dee(harness: Harness) -> FakeUser:
    """A member of the district's own unit (the others are in its branch)."""
    return harness.person(614, "Dee")


async def open_detail(harness: Harness, sec: FakeUser) -> SentMessage:
    [listing] = await harness.send(sec, sec.command("directives"))
    [detail] = await harness.send(sec, sec.press(listing, listing.buttons[0][0]))
    return detail


def document(replies: Replies) -> bytes:
    [sent] = [c for c in replies.calls if c.method == "sendDocument"]
    content: bytes = sent.params["document"].content
    return content


async def test_export_lists_every_answer_and_adds_up_to_the_headcount(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    directive = await answered(harness, sec, members)
    detail = await open_detail(harness, sec)
    text = document(await harness.send(sec, sec.press(detail, "CSV"))).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    # How each was reached comes last (issue #18: tests/flows/test_on_behalf.py).
    assert table[0][6:] == ["Answer", "Number", "Reason", "Answered at", "Changes", "Reached by"]
    rows = {row[2]: row for row in table[1:]}
    assert rows["Ann"][6:] == ["I can come", "3", "", "2026-11-29 16:00", "0", "Telegram"]
    # A reason typed to run as a formula is shown as typed, never run.
    assert rows["Bo"][6:] == ["I cannot", "", "'" + HOSTILE, "2026-11-29 16:00", "0", "Telegram"]
    assert rows["Cy"][6:] == ["not answered", "", "", "", "", ""]
    assert rows["Dee"][6:] == ["I can come", "2", "", "2026-11-29 16:05", "1", "Telegram"]
    # Per unit, the export's answers are the headcount's.
    headcount = await harness.services.answers.headcount(
        await harness.services.authz.actor(sec.id), directive.id
    )
    assert headcount is not None
    labels = [c.label for c in headcount.question.choices]
    exported = Counter((row[0], row[6]) for row in table[1:])
    counted = Counter[tuple[str, str]]()
    sums = Counter[str]()
    for unit, tally in headcount.lines:
        for index, count in tally.choices.items():
            counted[(unit.code, labels[index])] += count.members
            sums[unit.code] += count.number_sum
        counted[(unit.code, "not answered")] += tally.not_answered
    assert +exported == +counted
    brought = Counter[str]()
    for row in table[1:]:
        brought[row[0]] += int(row[7] or 0)
    assert +brought == +sums == Counter({"RIV-1": 3, "RIV": 2})


async def test_export_in_chinese_and_as_a_workbook(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    import openpyxl

    await answered(harness, sec, members)
    storage = harness.services.storage
    author = await storage.members.by_telegram_id(sec.id)
    assert author is not None
    await storage.members.set_language(author.id, "zh", harness.clock.now())
    detail = await open_detail(harness, sec)
    data = document(await harness.send(sec, sec.press(detail, "XLSX")))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows()]
    assert [c.value for c in rows[0][6:]] == [
        "答复", "数量", "原因", "答复时间", "更改次数", "联系方式"
    ]  # fmt: skip
    by_name = {row[2].value: row for row in rows[1:]}
    assert by_name["Cy"][6].value == "未答复"
    # A string, not a formula: the workbook holds the reason as typed.
    assert (by_name["Bo"][8].value, by_name["Bo"][8].data_type) == (HOSTILE, "s")
    # Times are spreadsheet datetimes (the organisation's local time), text only in a CSV.
    answered_at = by_name["Bo"][9].value
    assert isinstance(answered_at, datetime) and answered_at.tzinfo is None
    assert isinstance(by_name["Bo"][4].value, datetime)  # sent


CAN_COME = "✉️ Message those who chose “I can come”"


async def test_a_follow_up_reaches_exactly_those_with_that_answer_when_it_is_sent(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    directive = await answered(harness, sec, members)
    ann, bo, cy = members
    detail = await open_detail(harness, sec)
    assert [label for label in labels(detail) if label.startswith("✉️")] == [
        CAN_COME,
        "✉️ Message those who chose “I need transport”",
        "✉️ Message those who chose “I cannot”",
    ]
    [step] = await harness.send(sec, sec.press(detail, CAN_COME))
    assert step.text is not None and step.text.startswith(
        "Follow-up to the 2 members in Riverside District who chose “I can come”."
        " It goes to whoever has that answer when it is sent.\n\nNow send the text"
    )
    assert harness.api.message(sec.id, detail.message_id) == detail  # the detail stays
    # Before it is sent, Ann changes her mind and Cy answers: as documented, the answers
    # current when it is sent decide.
    await answer(harness, ann, "I cannot", "On duty")
    await answer(harness, cy, "I can come", "1")
    step = typed(await harness.send(sec, sec.message("Those who can come: meet at 05:45.")))
    [step] = await harness.send(sec, sec.press(step, "Yes, by a deadline"))
    step = typed(await harness.send(sec, sec.message("21:00")))
    [step] = await harness.send(sec, sec.press(step, "Now"))
    assert step.text is not None
    assert step.text.startswith(
        "✉️ Only to those who chose “I can come” (as they have answered when it is sent).\n"
        "Preview — 2 members in 1 unit will receive this."
    )
    [done] = await harness.send(sec, sec.press(step, "✅ Send"))
    await harness.run_due()

    def got(person: FakeUser) -> list[SentMessage]:
        return [m for m in harness.api.sent_to(person.id) if "meet at 05:45" in (m.text or "")]

    assert [len(got(p)) for p in (ann, bo, cy, dee(harness))] == [0, 0, 1, 1]
    # Its own acknowledgement; an answer changed after it went out adds nobody.
    await harness.send(cy, cy.press(got(cy)[0], "✅ Acknowledge"))
    await answer(harness, ann, "I can come", "4")
    await harness.run_due()
    assert got(ann) == []
    storage = harness.services.storage
    follow_up = (await storage.directives.recent([], 1))[0]
    assert (follow_up.follow_up, follow_up.recipients) == (FollowUp(directive.id, 0), 2)
    silent = await storage.directives.stragglers(follow_up.id)
    assert [s.display_name for s in silent] == ["Dee"]
    assert done.text is not None and done.text.startswith("Sending")


async def test_a_units_drill_down_offers_the_follow_up_for_that_unit_only(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    await answered(harness, sec, members)
    detail = await open_detail(harness, sec)
    # The district's own members: the detail's buttons already cover the whole district.
    [own] = await harness.send(sec, sec.press(detail, "👥 Riverside District (own members)"))
    assert not [label for label in labels(own) if label.startswith("✉️")]
    detail = await open_detail(harness, sec)
    [branch] = await harness.send(sec, sec.press(detail, "👥 Riverside Branch 1"))
    assert "Ann — I can come (3)" in (branch.text or "")
    came = "✉️ Message those in Riverside Branch 1 who chose “I can come”"
    assert [label for label in labels(branch) if label.startswith("✉️")] == [
        came,
        "✉️ Message those in Riverside Branch 1 who chose “I need transport”",
        "✉️ Message those in Riverside Branch 1 who chose “I cannot”",
    ]
    # Only Ann chose it there (Dee, who also did, is the district's own).
    [step] = await harness.send(sec, sec.press(branch, came))
    assert (step.text or "").startswith(
        "Follow-up to the 1 member in Riverside Branch 1 who chose “I can come”."
    )


async def test_follow_up_refused_out_of_scope_for_nobody_and_withdrawn(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    directive = await answered(harness, sec, members)
    storage = harness.services.storage
    author = await storage.members.by_telegram_id(sec.id)
    assert author is not None
    await storage.members.set_language(author.id, "zh", harness.clock.now())
    detail = await open_detail(harness, sec)
    assert "✉️ 通知选择“I cannot”的成员" in labels(detail)
    riv1 = await harness.unit("RIV-1")
    # Nobody in the branch needed transport (Dee, who did, is the district's own).
    nobody = MessageChosen(directive.id, 1, riv1.id).pack()
    replies = await harness.send(sec, sec.press_data(detail.message_id, nobody))
    assert replies.callback_answers[0].text == "Riverside Branch 1没有成员选择“I need transport”。"
    assert list(replies) == []
    # Another district's secretary may not message Riverside's members.
    hal = harness.person(630, "Hal")
    await harness.join(hal, "HIL", Role.SECRETARY)
    forged = MessageChosen(directive.id, 0, riv1.id).pack()
    replies = await harness.send(hal, hal.press_data(1, forged))
    assert replies.callback_answers[0].text == "You are not allowed to do that here."
    assert list(replies) == []
    # Withdrawn: nobody to follow up.
    await storage.db.write(
        "UPDATE directives SET status = 'cancelled' WHERE id = ?", (directive.id,)
    )
    replies = await harness.send(sec, sec.press_data(detail.message_id, forged))
    assert replies.callback_answers[0].text == "该问题已撤回，没有可以后续通知的成员。"


async def test_a_scheduled_follow_up_takes_the_answers_current_when_it_starts(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    directive = await answered(harness, sec, members)
    services = harness.services
    now = harness.clock.now()
    draft = Draft(
        targets=(Target((await harness.unit("RIV")).id, subtree=True),),
        text="Those who cannot come: tell your group leader.",
        attachment=None,
        ack_required=False,
        ack_deadline=None,
        send_at=now + timedelta(minutes=30),
        follow_up=FollowUp(directive.id, 2),
    )
    actor = await services.authz.actor(sec.id)
    assert await services.directives.audience(actor, draft.targets, draft.follow_up) == 1
    follow_up = await services.directives.create(actor, draft)
    _, bo, cy = members
    await answer(harness, cy, "I cannot", "Ill")  # joins those who cannot
    await answer(harness, bo, "I need transport")  # leaves them
    harness.clock.advance(timedelta(minutes=31))
    await harness.run_due()
    stored = await services.storage.directives.get(follow_up.id)
    assert stored is not None and stored.recipients == 1
    assert "tell your group leader" in (harness.api.last_message(cy.id).text or "")
    assert all("group leader" not in (m.text or "") for m in harness.api.sent_to(bo.id))
    # A follow-up to an answer the question does not have is refused.
    with pytest.raises(DirectiveError):
        await services.directives.create(actor, replace(draft, follow_up=FollowUp(directive.id, 5)))
