"""Answering a directive's question and the headcount (issue #16): a press recorded with
its history, refusals a member would meet, the number and reason after a choice, and the
per-unit roll-up an author watches, in both languages."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.directives.answers import AnswerStatus, Headcount, Step
from bot.directives.drafting import Draft
from bot.directives.headcount import TELEGRAM_LIMIT, headcount_text
from bot.directives.questions import Choice, NumberQuestion, Question, Reason
from bot.kit.clock import FakeClock
from bot.kit.i18n import Translator
from bot.kit.people import InactiveMemberError
from bot.org.authz import Actor, PermissionDeniedError
from bot.services import Services
from storage.answers import ChoiceCount, Tally
from storage.directives import Directive, Target
from storage.models import DirectiveStatus, Unit
from tests.orgdata import load_tree
from tests.unit.test_summaries import BIG, EVERY_ROW, traced

QUESTION = Question(
    (
        Choice("I can come", number=NumberQuestion("How many can you bring?", 0, 20)),
        Choice("I need transport"),
        Choice("I cannot", Reason.REQUIRED),
    )
)
# Telegram ids of the members, by unit code.
PEOPLE = {"CITY": [10], "RIV": [20], "RIV-1": [30, 31, 32], "HIL-1": [40, 41]}
COME, TRANSPORT, CANNOT = 0, 1, 2


async def unit(services: Services, code: str) -> Unit:
    found = await services.storage.units.by_code(code)
    assert found is not None
    return found


async def people(services: Services, tmp_path: Path) -> None:
    await load_tree(services, tmp_path)
    rows = [
        (telegram_id, f"Member {telegram_id}", None, "en", (await unit(services, code)).id)
        for code, ids in PEOPLE.items()
        for telegram_id in ids
    ]
    await services.storage.members.add_many(rows, services.clock.now())


async def send(
    services: Services, question: Question | None = QUESTION, code: str = "CITY"
) -> Directive:
    now = services.clock.now()
    draft = Draft(
        targets=(Target((await unit(services, code)).id, subtree=True),),
        text="Heavy snow tonight: who can clear the roads at 06:00?",
        attachment=None,
        ack_required=question is None,
        ack_deadline=now + timedelta(hours=2),
        send_at=None,
        question=question,
    )
    return await services.directives.create(Actor.console(), draft)


@pytest.fixture
async def asked(services: Services, tmp_path: Path) -> Directive:
    await people(services, tmp_path)
    return await send(services)


async def history(services: Services, directive: Directive, telegram_id: int) -> list[int]:
    member = await services.storage.members.by_telegram_id(telegram_id)
    assert member is not None
    return [a.choice for a in await services.storage.answers.history(directive.id, member.id)]


async def test_a_press_is_recorded_changed_and_kept(
    services: Services, asked: Directive, clock: FakeClock
) -> None:
    answers = services.answers
    first = await answers.answer(asked.id, 30, TRANSPORT)
    assert first.status is AnswerStatus.RECORDED and first.next is None
    assert first.answer is not None and first.answer.at == clock.now()
    again = await answers.answer(asked.id, 30, TRANSPORT)  # a double tap: nothing new
    assert again.status is AnswerStatus.UNCHANGED and again.answer == first.answer
    clock.advance(timedelta(minutes=5))
    changed = await answers.answer(asked.id, 30, COME)
    assert changed.status is AnswerStatus.RECORDED and changed.next is Step.NUMBER
    assert await history(services, asked, 30) == [TRANSPORT, COME]
    # An answer acknowledges: the reminder at the deadline passes over them.
    silent = await services.storage.directives.stragglers(asked.id)
    assert 30 not in {s.telegram_id for s in silent} and len(silent) == 6


async def test_presses_that_cannot_count_are_refused(
    services: Services, asked: Directive, clock: FakeClock
) -> None:
    answers = services.answers
    assert (await answers.answer(asked.id, 30, 3)).status is AnswerStatus.NO_SUCH_CHOICE
    assert (await answers.answer(asked.id, 30, -1)).status is AnswerStatus.NO_SUCH_CHOICE
    assert (await answers.answer(asked.id, 999, 0)).status is AnswerStatus.UNKNOWN  # a stranger
    assert (await answers.answer(asked.id + 50, 30, 0)).status is AnswerStatus.UNKNOWN
    # A member who is not among its recipients (added after it went out): forged.
    await services.storage.members.add_many(
        [(50, "Late", None, "en", (await unit(services, "RIV-1")).id)], clock.now()
    )
    assert (await answers.answer(asked.id, 50, 0)).status is AnswerStatus.UNKNOWN
    # ✅ on a question does not stand in for an answer.
    acked = await services.directives.acknowledge(asked.id, 31)
    assert acked.status == "not_required"
    # An inactive member is refused as for ✅.
    member = await services.storage.members.by_telegram_id(31)
    assert member is not None
    async with services.storage.db.transaction() as conn:
        await services.storage.members.set_active(conn, member.id, False, clock.now())
    with pytest.raises(InactiveMemberError):
        await answers.answer(asked.id, 31, 0)
    # Answers close at the deadline (issue #16): a second before, recorded; at it, late.
    clock.advance(timedelta(hours=2, seconds=-1))
    assert (await answers.answer(asked.id, 32, 0)).status is AnswerStatus.RECORDED
    clock.advance(timedelta(seconds=1))
    assert (await answers.answer(asked.id, 30, 0)).status is AnswerStatus.LATE
    assert (await answers.to_change(asked.id, 32)).status is AnswerStatus.LATE
    plain = await send(services, question=None)
    assert (await answers.answer(plain.id, 30, 0)).status is AnswerStatus.NOT_A_QUESTION
    later = await send(services)
    await services.directives.cancel(Actor.console(), later.id)
    assert (await answers.answer(later.id, 30, 0)).status is AnswerStatus.WITHDRAWN
    assert await history(services, asked, 30) == []


async def test_two_presses_in_flight_leave_the_latest(
    services: Services, asked: Directive, clock: FakeClock
) -> None:
    member = await services.storage.members.by_telegram_id(32)
    assert member is not None
    early, late = clock.now(), clock.now() + timedelta(seconds=1)
    store = services.storage.answers
    # The later press lands first; the earlier one, arriving after it, changes nothing.
    await asyncio.gather(
        store.record(asked.id, member.id, CANNOT, late),
        store.record(asked.id, member.id, COME, early),
    )
    current = await store.current(asked.id, member.id)
    assert current is not None and current.answer is not None
    assert (current.answer.choice, current.answer.at) == (CANNOT, late)
    assert await history(services, asked, 32) == [CANNOT]
    counts = await services.storage.db.fetchall(
        "SELECT choice, members FROM answer_counts WHERE directive_id = ? AND members > 0",
        (asked.id,),
    )
    assert [tuple(r) for r in counts] == [(CANNOT, 1)]


async def test_the_number_and_the_reason_after_a_choice(
    services: Services, asked: Directive
) -> None:
    answers = services.answers
    assert (await answers.give_number(asked.id, 30, "3")).status is AnswerStatus.NOT_ASKED
    await answers.answer(asked.id, 30, COME)
    for typed in ("21", "-1", "three", "", "2.5"):
        refused = await answers.give_number(asked.id, 30, typed)
        assert refused.status is AnswerStatus.BAD_NUMBER and refused.choice == QUESTION.choices[0]
    done = await answers.give_number(asked.id, 30, " １２ ")  # a Chinese keyboard's digits
    assert done.status is AnswerStatus.RECORDED and done.next is None
    assert done.answer is not None and done.answer.number == 12
    assert (await answers.give_reason(asked.id, 30, "why")).status is AnswerStatus.NOT_ASKED

    cannot = await answers.answer(asked.id, 31, CANNOT)
    assert cannot.next is Step.REASON
    assert (await answers.give_reason(asked.id, 31, " \n ")).status is AnswerStatus.REASON_EMPTY
    long = await answers.give_reason(asked.id, 31, "x" * 501)
    assert long.status is AnswerStatus.REASON_TOO_LONG
    given = await answers.give_reason(asked.id, 31, "  night   shift ")
    assert given.answer is not None and given.answer.reason == "night shift"
    assert given.next is None
    assert await history(services, asked, 31) == [CANNOT, CANNOT]  # the press, the reason
    # A new choice drops the old one's number.
    moved = await answers.answer(asked.id, 30, TRANSPORT)
    assert moved.answer is not None and moved.answer.number is None


async def answered(services: Services, directive: Directive) -> None:
    """RIV-1: 30 comes with 12, 31 cannot; RIV: 20 comes with 2; HIL-1: 40 needs transport,
    41 unreachable; the city's own member silent."""
    answers = services.answers
    await answers.answer(directive.id, 30, COME)
    await answers.give_number(directive.id, 30, "12")
    await answers.answer(directive.id, 31, CANNOT)
    await answers.answer(directive.id, 20, COME)
    await answers.give_number(directive.id, 20, "2")
    await answers.answer(directive.id, 40, TRANSPORT)
    member = await services.storage.members.by_telegram_id(41)
    assert member is not None
    [row] = await services.storage.db.fetchall(
        "SELECT id FROM outbox WHERE directive_id = ? AND member_id = ?",
        (directive.id, member.id),
    )
    await services.storage.outbox.mark_unreachable(row["id"], "blocked", services.clock.now())


def lines(headcount: Headcount) -> list[tuple[str, int, dict[int, ChoiceCount], int, int]]:
    return [
        (u.name, t.recipients, t.choices, t.not_answered, t.unreachable) for u, t in headcount.lines
    ]


async def test_the_headcount_rolls_up_the_tree_worst_first(
    services: Services, asked: Directive, clock: FakeClock
) -> None:
    await answered(services, asked)
    headcount = await services.answers.headcount(Actor.console(), asked.id)
    assert headcount is not None and headcount.root.name == "City Committee"
    assert lines(headcount) == [
        ("City Committee", 1, {}, 1, 0),
        ("Hillside District", 2, {TRANSPORT: ChoiceCount(1, 0)}, 0, 1),
        ("Riverside District", 4, {COME: ChoiceCount(2, 14), CANNOT: ChoiceCount(1, 0)}, 1, 0),
    ]
    assert (headcount.total.recipients, headcount.total.answered) == (7, 4)
    # A member moved after answering still counts where they were asked.
    member = await services.storage.members.by_telegram_id(30)
    assert member is not None
    await services.storage.members.set_unit(
        member.id, (await unit(services, "HIL-1")).id, clock.now()
    )
    assert await services.answers.headcount(Actor.console(), asked.id) == headcount
    # One level down: the district's own and its branch.
    riverside = await unit(services, "RIV")
    deeper = await services.answers.headcount(Actor.console(), asked.id, riverside.id)
    assert deeper is not None
    assert lines(deeper) == [
        ("Riverside Branch 1", 3, {COME: ChoiceCount(1, 12), CANNOT: ChoiceCount(1, 0)}, 1, 0),
        ("Riverside District", 1, {COME: ChoiceCount(1, 2)}, 0, 0),
    ]


async def test_the_headcount_is_for_those_who_may_see_it(
    services: Services, asked: Directive
) -> None:
    member = await services.storage.members.by_telegram_id(30)
    assert member is not None
    with pytest.raises(PermissionDeniedError):
        await services.answers.headcount(await services.authz.actor(30), asked.id)
    plain = await send(services, question=None)
    assert await services.answers.headcount(Actor.console(), plain.id) is None


async def test_the_headcount_reads_in_both_languages(services: Services, asked: Directive) -> None:
    await answered(services, asked)
    headcount = await services.answers.headcount(Actor.console(), asked.id)
    assert headcount is not None
    i18n = Translator()
    assert headcount_text(i18n, "en", headcount).split("\n") == [
        "<b>Headcount</b> — <b>4</b> of 7 answered",
        "I can come 2 (+14) · I need transport 1 · I cannot 1 · not answered 2 · unreachable 1",
        "City Committee (own members): I can come 0 · I need transport 0 · I cannot 0"
        " · not answered 1",
        "Hillside District: I can come 0 · I need transport 1 · I cannot 0 · not answered 0"
        " · unreachable 1",
        "Riverside District: I can come 2 (+14) · I need transport 0 · I cannot 1 · not answered 1",
    ]
    chinese = headcount_text(i18n, "zh", headcount).split("\n")
    assert chinese[:2] == [
        "<b>人数统计</b> — 7人中<b>4</b>人已答复",
        "I can come 2人（+14） · I need transport 1人 · I cannot 1人 · 未答复2人 · 无法送达1人",
    ]
    assert chinese[2].startswith("City Committee（本级成员）：")


def test_a_long_headcount_is_folded_to_one_message() -> None:
    question = Question(tuple(Choice(f"{'Choice':<28}{n}") for n in range(6)))
    units = [Unit(n, f"U{n}", f"Branch unit number {n} of the district", 1, f"/1/{n}/", 1, None)
             for n in range(2, 600)]  # fmt: skip
    tally = Tally(90, {n: ChoiceCount(10, 0) for n in range(6)}, 3)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    directive = Directive(
        id=1, author_member_id=None, author_telegram_id=0, from_unit_id=1, text="x",
        attachment_kind=None, attachment_file_id=None, attachment_name=None, ack_required=True,
        ack_deadline=None, send_at=now, status=DirectiveStatus.SENT, recipients=53_820,
        progress_chat_id=None, progress_message_id=None, progress_text=None, reminded_at=None,
        escalated_at=None, created_at=now, finished_at=None, cancelled_at=None,
        question=question.to_json(),
    )  # fmt: skip
    headcount = Headcount(
        directive,
        question,
        Unit(1, "ROOT", "Province", None, "/1/", 0, None),
        [(u, tally) for u in units],
        tally,
    )
    i18n = Translator()
    # The author's message carries the delivery (and paid) lines above it, in the limit too.
    above = "✅ Directive sent: 53,820 of 53,820 · 0 unreachable\n⚡ Paid · " + "x" * 150
    for language in ("en", "zh"):
        for text in (
            headcount_text(i18n, language, headcount),
            headcount_text(i18n, language, headcount, above=above),
            headcount_text(i18n, language, headcount, above=above, limit=TELEGRAM_LIMIT // 2),
        ):
            assert len(text) <= TELEGRAM_LIMIT
            assert text.split("\n")[-1].startswith(("…and", "……另有"))
        assert len(headcount_text(i18n, language, headcount, limit=2000)) <= 2000


async def test_the_roll_up_reads_no_big_table_whole(services: Services, asked: Directive) -> None:
    await answered(services, asked)
    db = services.storage.db
    async with traced(db) as statements:
        await services.storage.answers.rolled_up(asked.id, (await unit(services, "CITY")).path)
    [sql] = [s for s in statements if s.lstrip().upper().startswith("WITH")]
    scans = []
    for row in await db.fetchall(f"EXPLAIN QUERY PLAN {sql}"):
        words = str(row["detail"]).split()
        if words[:1] == ["SCAN"] and (
            words[1] in EVERY_ROW or (words[1] in (*BIG, "answer_counts") and "USING" not in words)
        ):
            scans.append(row["detail"])
    assert scans == []


async def test_a_press_makes_no_round_trip_to_a_thread(
    services: Services, asked: Directive, hops: list[str]
) -> None:
    """A press is the hot path of a mobilisation, as ✅ is (tests/unit/test_point_reads.py):
    point reads and one statement on the loop's own connection, no transaction on the
    writer's thread; the history and the counts are kept by triggers in that statement."""
    hops.clear()
    pressed = await services.answers.answer(asked.id, 30, TRANSPORT)
    again = await services.answers.answer(asked.id, 30, TRANSPORT)
    shown = await services.answers.seen(pressed, 30)
    assert (pressed.status, again.status) == (AnswerStatus.RECORDED, AnswerStatus.UNCHANGED)
    assert shown.origin == "City Committee" and shown.zone is not None
    assert hops == []
    assert await history(services, asked, 30) == [TRANSPORT]
