"""The escalation ladder (issue #18), as an organisation configures it: remind the silent
at T+15 min, their secretaries at T+30, the coordinators above at T+60 (units under 80%,
counts only), the fallback channels at T+90; each step once, across restarts and
downtime, on the author's live message, audited, in both languages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.build import run_schedule
from bot.config import Settings, load_settings
from bot.directives.config import LadderStep
from bot.directives.questions import Choice, Question
from fakeapi import ChatDriver, FakeUser
from handlers.kit.slots import DELIVERY
from storage.directives import Directive
from storage.models import Role
from tests.conftest import ADMIN_ID
from tests.flows.conftest import Harness, build_app
from tests.flows.test_directives import crash_next_enqueue, labels, members, no_checkins, sec
from tests.flows.test_question_watch import progress

__all__ = ["members", "no_checkins", "sec"]  # fixtures, used by name

TEXT = "Sandbags to the east levee"
LADDER = [
    {"after": "15m", "step": "remind"},
    {"after": "30m", "step": "secretaries"},
    {"after": "60m", "step": "coordinators", "below": 0.8},
]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The organisation's ladder, urgent directives twice as fast, and a fallback step at
    T+90 (which `muster config check` refuses until a fallback channel is configured; the
    tests wire one by hand)."""
    loaded = load_settings(
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai", "admins": [ADMIN_ID]},
        storage={"database": tmp_path / "muster.db"},
        telegram={"bot_username": "muster_test_bot"},
        directives={"ladder": LADDER, "urgent_factor": 0.5},
    )
    fallback = LadderStep.model_validate({"after": "90m", "step": "fallback"})
    steps = [*(loaded.directives.ladder or []), fallback]
    directives = loaded.directives.model_copy(update={"ladder": steps})
    return loaded.model_copy(update={"directives": directives})


@pytest.fixture
async def cai(harness: Harness) -> FakeUser:
    """Riverside District's coordinator, who reads Chinese."""
    person = harness.person(641, "Cai Coordinator", language="zh")
    await harness.join(person, "RIV", Role.COORDINATOR)
    return person


async def send(
    harness: Harness,
    author: FakeUser | None,
    *,
    unit: str = "RIV",
    question: Question | None = None,
    deadline: timedelta = timedelta(hours=2),
    urgent: bool = False,
) -> Directive:
    """``author`` (None: the console) sends a directive to ``unit`` and below, due after
    ``deadline``; the author's message tracks it (as the composer's last screen does)."""
    return await harness.issue(
        author, TEXT, unit=unit, question=question, deadline=deadline, paid=urgent
    )


async def chase(harness: Harness, author: FakeUser, directive: Directive) -> str:
    """The chase line of the author's live message."""
    return (await progress(harness, author, directive))[-1]


def texts(harness: Harness, person: FakeUser) -> list[str]:
    return [m.text or "" for m in harness.api.sent_to(person.id)]


async def ack(harness: Harness, person: FakeUser) -> None:
    received = next(m for m in harness.api.sent_to(person.id) if TEXT in (m.text or ""))
    await harness.send(person, person.press(received, labels(received)[0]))


async def test_the_ladder_climbs_step_by_step(
    harness: Harness, sec: FakeUser, members: list[FakeUser], cai: FakeUser
) -> None:
    fallback: list[int] = []

    async def channel(directive: Directive) -> int:
        fallback.append(directive.id)
        return 1

    harness.services.ladder.fallback = channel
    directive = await send(harness, sec)
    ann, bo, _ = members
    await ack(harness, ann)
    await ack(harness, cai)
    assert await chase(harness, sec, directive) == "Chase: next: reminder at 16:15"
    # T+14: nothing yet.
    harness.clock.advance(timedelta(minutes=14))
    assert await harness.run_due() == 0
    # T+15: the silent (Bo, Cy) are reminded; Ann and Cai acknowledged.
    harness.clock.advance(timedelta(minutes=1))
    assert await harness.run_due() == 2
    assert texts(harness, bo)[-1].startswith("⚠️ 提醒：")
    assert not any("Reminder" in t for t in texts(harness, ann))
    assert await chase(harness, sec, directive) == (
        "Chase: reminded 16:15 · next: secretaries at 16:30"
    )
    await ack(harness, bo)
    # T+30: Sue gets her own silent member, by name; before the deadline, "not yet".
    harness.clock.advance(timedelta(minutes=15))
    assert await harness.run_due() == 1
    listed = harness.api.last_message(sec.id)
    assert listed.text == (
        "⚠️ 1 member has not yet acknowledged a directive:\n• Riverside Branch 1 (1): Cy"
    )
    assert labels(listed) == ["📞 Cy", "Open the directive"]  # "Reached by phone"
    # T+60: Cai, coordinator of Riverside District, gets the units under 80%: counts only.
    harness.clock.advance(timedelta(minutes=30))
    assert await harness.run_due() == 1
    coordinators = harness.api.last_message(cai.id)
    assert coordinators.text == (
        "⚠️ Riverside District下属1个单位的通知确认率低于80%：\n"
        "• Riverside Branch 1：66%（3人中1人未回复）"
    )
    assert "Cy" not in (coordinators.text or "")
    # T+90: the fallback channels, once.
    harness.clock.advance(timedelta(minutes=30))
    await harness.run_due()
    harness.clock.advance(timedelta(hours=3))
    await harness.run_due()
    assert fallback == [directive.id]
    assert await chase(harness, sec, directive) == (
        "Chase: reminded 16:15 · secretaries 16:30 · coordinators 17:00 · fallback 17:30"
    )
    steps = await harness.services.storage.ladder.steps(directive.id)
    assert [(s.step, s.skipped, s.count) for s in steps] == [
        ("remind", False, 2),
        ("secretaries", False, 1),
        ("coordinators", False, 1),
        ("fallback", False, 1),
    ]
    audited = [
        e for e in await harness.services.storage.audit.recent() if e.action == "directive_step"
    ]
    assert [e.detail for e in audited] == [
        f"directive {directive.id}: remind (step 1), 2 messages",
        f"directive {directive.id}: secretaries (step 2), 1 messages",
        f"directive {directive.id}: coordinators (step 3), 1 messages",
        f"directive {directive.id}: fallback (step 4), 1 messages",
    ]


async def test_coordinators_get_units_rolled_up_worst_first(
    harness: Harness, members: list[FakeUser]
) -> None:
    """From the City Committee to both districts: its coordinator hears of each district
    (rolled up from its branches) under the rate, worst first, and nothing of the rest."""
    cora = harness.person(651, "Cora Coordinator")
    await harness.join(cora, "CITY", Role.COORDINATOR)
    hana, hugo = harness.person(632, "Hana"), harness.person(633, "Hugo")
    for person in (hana, hugo):
        await harness.join(person, "HIL-1")
    dee = harness.person(614, "Dee")
    await harness.join(dee, "RIV")
    await send(harness, None, unit="CITY")
    for person in (members[0], dee, cora):
        await ack(harness, person)
    harness.clock.advance(timedelta(minutes=60))
    await harness.run_due()
    assert harness.api.last_message(cora.id).text == (
        "⚠️ 2 units of City Committee under 80% acknowledged a directive:\n"
        "• Hillside District: 0% (2 of 2 silent)\n"
        "• Riverside District: 50% (2 of 4 silent)"
    )


async def test_downtime_runs_the_latest_step_and_skips_those_it_overtook(
    harness: Harness, sec: FakeUser, members: list[FakeUser], cai: FakeUser
) -> None:
    """Down from T+10 to T+70: the coordinators hear once; no late reminder and no late
    secretaries' list go out in a burst, and the author sees they were skipped."""
    directive = await send(harness, sec)
    before = {p.id: len(harness.api.sent_to(p.id)) for p in (*members, sec)}
    harness.clock.advance(timedelta(minutes=70))
    await harness.run_due()
    assert {p.id: len(harness.api.sent_to(p.id)) for p in (*members, sec)} == before
    assert harness.api.last_message(cai.id).text is not None
    assert "低于80%" in (harness.api.last_message(cai.id).text or "")
    # (No fallback channel is wired here: there is no next step.)
    assert await chase(harness, sec, directive) == (
        "Chase: reminder skipped · secretaries skipped · coordinators 17:10"
    )


async def test_each_step_once_across_a_restart_and_a_crash(
    harness: Harness,
    sec: FakeUser,
    members: list[FakeUser],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    directive = await send(harness, sec)
    harness.clock.advance(timedelta(minutes=15))
    assert await harness.run_due() == 3  # the three members reminded
    # The same database, a new Application: nothing is done again.
    services = harness.services
    restarted = await build_app(services.settings, services.storage, harness.clock, harness.api)
    sent = len(harness.api.calls_of("sendMessage"))
    async with ChatDriver(restarted, harness.api):
        await run_schedule(restarted)
        assert await DELIVERY.of(restarted).drain() == 0
        assert len(harness.api.calls_of("sendMessage")) == sent
        # The secretaries' step dies while queuing: nothing is recorded, the next tick
        # sends the list, once.
        harness.clock.advance(timedelta(minutes=15))
        crash_next_enqueue(harness, monkeypatch)
        with pytest.raises(RuntimeError):
            await run_schedule(restarted)
        assert await harness.services.storage.ladder.steps(directive.id) == [
            *(await harness.services.storage.ladder.steps(directive.id))[:1]
        ]
        for _ in range(3):
            await run_schedule(restarted)
            await DELIVERY.of(restarted).drain()
    lists = [t for t in texts(harness, sec) if t.startswith("⚠️ 3 members have not yet")]
    assert len(lists) == 1


async def test_an_urgent_directive_climbs_its_ladder_twice_as_fast(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    await send(harness, sec, urgent=True)
    harness.clock.advance(timedelta(minutes=7))
    assert await harness.run_due() == 0
    harness.clock.advance(timedelta(minutes=1))  # T+8 ≥ 15 min × 0.5
    assert await harness.run_due() == 3
    assert (harness.api.last_message(members[0].id).text or "").startswith("⚠️ Reminder")


async def test_a_questions_member_steps_stop_when_its_answers_close(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    """Past its deadline a question's silent cannot answer any more: no reminder, no
    fallback; their secretaries still hear who did not answer."""
    services = harness.services
    called: list[int] = []

    async def channel(directive: Directive) -> int:
        called.append(directive.id)
        return 0

    services.ladder.fallback = channel
    question = Question((Choice("I can come"), Choice("I cannot")))
    directive = await send(harness, sec, question=question, deadline=timedelta(minutes=20))
    harness.clock.advance(timedelta(minutes=15))  # T+15: before 16:20, answerable
    assert await harness.run_due() == 3
    harness.clock.advance(timedelta(minutes=15))  # T+30, answers closed at T+20
    assert await harness.run_due() == 1
    assert harness.api.last_message(sec.id).text == (
        "⚠️ 3 members have not answered a directive's question past its deadline:\n"
        "• Riverside Branch 1 (3): Ann, Bo, Cy"
    )
    for _ in range(2):  # T+60, the coordinators (none here); T+90, no fallback
        harness.clock.advance(timedelta(minutes=30))
        await harness.run_due()
    assert called == []
    steps = await services.storage.ladder.steps(directive.id)
    assert [(s.step, s.skipped) for s in steps] == [
        ("remind", False),
        ("secretaries", False),
        ("coordinators", False),
        ("fallback", True),
    ]
