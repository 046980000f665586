"""Using a question's answers (issue #16): the export lists every recipient with their
answer (the silent too) and adds up to the headcount; the summary shows the day's
questions; a follow-up reaches exactly those who chose one answer."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import timedelta

from fakeapi import FakeUser, Replies, SentMessage
from storage.directives import Directive
from tests.flows.conftest import Harness
from tests.flows.test_answers import ask
from tests.flows.test_directives import members, no_checkins, sec

__all__ = ["members", "no_checkins", "sec"]  # fixtures, used by name

HOSTILE = '=HYPERLINK("http://evil.example","click")'


async def answer(harness: Harness, person: FakeUser, label: str, *typed: str) -> None:
    """``person`` presses ``label`` under the directive they received, then types ``typed``."""
    received = harness.api.last_message(person.id)
    await harness.send(person, person.press(received, label))
    for text in typed:
        await harness.send(person, person.message(text))


async def answered(harness: Harness, sec: FakeUser, members: list[FakeUser]) -> Directive:
    """Ann can come with 3, Bo cannot (a reason meant to run as a formula), Dee of the
    district's own members needed transport then can come, Cy says nothing."""
    dee = harness.person(614, "Dee")
    await harness.join(dee, "RIV")
    directive = await ask(harness, sec)
    ann, bo, _ = members
    await answer(harness, ann, "I can come", "3")
    await answer(harness, bo, "I cannot", HOSTILE)
    await answer(harness, dee, "I need transport")
    harness.clock.advance(timedelta(minutes=5))
    await answer(harness, dee, "I can come", "2")
    return directive


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
    assert table[0][6:] == ["Answer", "Number", "Reason", "Answered at", "Changes"]
    rows = {row[2]: row for row in table[1:]}
    assert rows["Ann"][6:] == ["I can come", "3", "", "2026-11-29 16:00", "0"]
    # A reason typed to run as a formula is shown as typed, never run.
    assert rows["Bo"][6:] == ["I cannot", "", "'" + HOSTILE, "2026-11-29 16:00", "0"]
    assert rows["Cy"][6:] == ["not answered", "", "", "", ""]
    assert rows["Dee"][6:] == ["I can come", "2", "", "2026-11-29 16:05", "1"]
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
    assert [c.value for c in rows[0][6:]] == ["答复", "数量", "原因", "答复时间", "更改次数"]
    by_name = {row[2].value: row for row in rows[1:]}
    assert by_name["Cy"][6].value == "未答复"
    # A string, not a formula: the workbook holds the reason as typed.
    assert (by_name["Bo"][8].value, by_name["Bo"][8].data_type) == (HOSTILE, "s")
