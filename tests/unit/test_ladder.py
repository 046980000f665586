"""The escalation ladder's timing (issue #18): when each step falls due, a question's
reminder before its answers close, the urgent factor; and the tick's one query per rung,
through the index of open chases, whatever the number of directives ever sent."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.directives.config import LadderStep
from bot.directives.escalation import Escalation
from bot.directives.ladder import ChaseWording, CoordinatorList, Ladder
from bot.services import Services
from storage.directives import Directive
from storage.outbox import NewMessage
from tests.unit.test_answers import people, send
from tests.unit.test_summaries import traced


class Silent(ChaseWording):
    def secretaries(self, directive: Directive, lists: list[Escalation]) -> list[NewMessage]:
        return []

    def coordinators(self, directive: Directive, lists: list[CoordinatorList]) -> list[NewMessage]:
        return []


async def test_a_questions_reminder_goes_before_its_answers_close(
    services: Services, tmp_path: Path
) -> None:
    await people(services, tmp_path)
    ladder = services.ladder
    remind, secretaries = ladder.rungs
    asked = await send(services)  # sent now, answers by now + 2h
    assert asked.ack_deadline is not None
    assert ladder.due_at(remind, asked) == asked.ack_deadline - timedelta(minutes=30)
    assert ladder.due_at(secretaries, asked) == asked.ack_deadline + timedelta(hours=1)
    # Sent 10 minutes before its deadline: halfway.
    late = replace(asked, send_at=asked.ack_deadline - timedelta(minutes=10))
    assert ladder.due_at(remind, late) == asked.ack_deadline - timedelta(minutes=5)
    # A ✅ directive is reminded at its deadline, as always.
    plain = await send(services, question=None)
    assert ladder.due_at(remind, plain) == plain.ack_deadline


async def test_an_urgent_directives_ladder_runs_faster(services: Services, tmp_path: Path) -> None:
    await people(services, tmp_path)
    step = LadderStep.model_validate({"after": "40m", "step": "remind"})
    settings = services.settings.directives.model_copy(
        update={"urgent_factor": 0.5, "ladder": [step]}
    )
    ladder = Ladder(services.storage, services.clock, services.authz, settings)
    [rung] = ladder.rungs
    plain = await send(services, question=None)
    assert ladder.due_at(rung, plain) == plain.send_at + timedelta(minutes=40)
    assert ladder.due_at(rung, replace(plain, paid=True)) == plain.send_at + timedelta(minutes=20)


async def test_the_tick_asks_once_a_rung_through_the_index(
    services: Services, tmp_path: Path
) -> None:
    await people(services, tmp_path)
    for _ in range(3):
        await send(services, question=None)
    db = services.storage.db
    async with traced(db) as statements:
        await services.ladder.run_due(Silent())
    asked = [s for s in statements if "ladder_next IN" in s]
    assert len(asked) == len(services.ladder.rungs)  # not one a directive
    for sql in asked:
        plan = [str(row["detail"]) for row in await db.fetchall(f"EXPLAIN QUERY PLAN {sql}")]
        # A range of the chase's index (ladder_next, then when due), never a scan.
        assert any("directives_chase" in step and "<?" in step for step in plan), plan
        assert not any(step.startswith("SCAN directives") for step in plan), plan
