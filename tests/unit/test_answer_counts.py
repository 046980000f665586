"""A property of the headcount (issue #16): whatever members answer, change, and however
they are moved and directives withdrawn, the per-unit tallies the triggers keep equal a
plain count over the stored current answers, under every unit of the tree."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import load_settings
from bot.kit.clock import FakeClock
from bot.org.authz import Actor
from bot.services import Services
from bot.summaries.service import line_of
from storage import Storage
from storage.answers import ChoiceCount, Tally
from tests.unit.test_answers import PEOPLE, people, send

MEMBERS = [telegram_id for ids in PEOPLE.values() for telegram_id in ids]
UNITS = list(PEOPLE)

step = st.one_of(
    st.tuples(st.just("answer"), st.integers(0, 1), st.sampled_from(MEMBERS), st.integers(-1, 3)),
    st.tuples(st.just("number"), st.integers(0, 1), st.sampled_from(MEMBERS), st.integers(-2, 25)),
    st.tuples(st.just("reason"), st.integers(0, 1), st.sampled_from(MEMBERS), st.just("busy")),
    st.tuples(st.just("move"), st.integers(0, 1), st.sampled_from(MEMBERS), st.sampled_from(UNITS)),
    st.tuples(st.just("unreachable"), st.integers(0, 1), st.sampled_from(MEMBERS), st.just("")),
    st.tuples(st.just("withdraw"), st.integers(0, 1), st.sampled_from(MEMBERS), st.just("")),
)


async def plainly(services: Services, directive_id: int, root: str) -> dict[str, Tally]:
    """The definition: every recipient row, counted in Python."""
    rows = await services.storage.db.fetchall(
        "SELECT u.path, r.answer_choice, r.answer_number, o.status = 'unreachable'"
        " FROM directive_recipients r JOIN units u ON u.id = r.unit_id"
        " LEFT JOIN outbox o ON o.directive_id = r.directive_id AND o.member_id = r.member_id"
        " AND o.kind = 'directive' WHERE r.directive_id = ?",
        (directive_id,),
    )
    lines: dict[str, Tally] = {}
    for path, choice, number, unreachable in rows:
        if not path.startswith(root):
            continue
        tally = lines.setdefault(line_of(root, path), Tally())
        tally.recipients += 1
        if choice is not None:
            was = tally.choices.get(choice, ChoiceCount())
            tally.choices[choice] = ChoiceCount(was.members + 1, was.number_sum + (number or 0))
        elif unreachable:
            tally.unreachable += 1
    return lines


async def scenario(folder: Path, steps: list[tuple[str, int, int, int | str]]) -> None:
    config = load_settings(
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai", "admins": [1]},
        storage={"database": folder / "muster.db"},
        telegram={"bot_username": "muster_test_bot"},
    )
    storage = await Storage.open(config.storage.database)
    clock = FakeClock()
    services = Services.build(config, storage, clock)
    try:
        await people(services, folder)
        directives = [await send(services), await send(services, code="RIV")]
        units = {u.code: u for u in await storage.units.all()}
        withdrawn: set[int] = set()
        for action, which, telegram_id, value in steps:
            clock.advance(timedelta(seconds=1))
            directive = directives[which]
            member = await storage.members.by_telegram_id(int(telegram_id))
            assert member is not None
            if action == "answer":
                await services.answers.answer(directive.id, member.telegram_id or 0, int(value))
            elif action == "number":
                await services.answers.give_number(directive.id, telegram_id, str(value))
            elif action == "reason":
                await services.answers.give_reason(directive.id, telegram_id, str(value))
            elif action == "move":
                await storage.members.set_unit(member.id, units[str(value)].id, clock.now())
            elif action == "unreachable":
                await storage.db.write(
                    "UPDATE outbox SET status = 'unreachable' WHERE directive_id = ?"
                    " AND member_id = ?",
                    (directive.id, member.id),
                )
            elif directive.id not in withdrawn:
                await services.directives.cancel(Actor.console(), directive.id)
                withdrawn.add(directive.id)
        for directive in directives:
            for unit in units.values():
                kept = await storage.answers.rolled_up(directive.id, unit.path)
                assert kept == await plainly(services, directive.id, unit.path), unit.code
    finally:
        await storage.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, max_size=30))
def test_kept_tallies_equal_a_plain_count(steps: list[tuple[str, int, int, int | str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(scenario(Path(folder), steps))
