"""Duty rules without Telegram: when each schedule step is due and that it is taken once,
what a member's press on a shift comes to (confirm, decline, cover), simultaneous cover
presses, members leaving the unit, and prompts that go stale before they are sent."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.duty import service as duty_module
from bot.duty.buttons import ConfirmShift
from bot.duty.messages import Step
from bot.duty.schedule import DutyRenderers
from bot.duty.service import Verdict, reason_problem
from bot.kit.clock import FakeClock
from bot.services import Services
from storage.models import Member, ShiftStatus, Unit
from storage.outbox import OutboxStatus
from storage.shifts import NewShift
from tests.orgdata import load_tree

START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai


@pytest.fixture
async def world(services: Services, tmp_path: Path, clock: FakeClock) -> World:
    await load_tree(services, tmp_path)
    clock.set(START - timedelta(days=1))
    unit = await services.storage.units.by_code("RIV-1")
    other = await services.storage.units.by_code("HIL-1")
    above = await services.storage.units.by_code("RIV")
    assert unit is not None and other is not None and above is not None
    world = World(services, clock, unit)
    for name in ("sec", "ann", "bo", "cy", "far"):
        await world.member(name, {"sec": above, "far": other}.get(name, unit))
    async with services.storage.db.transaction() as conn:
        world.grid = await services.storage.grids.add(
            conn,
            unit_id=unit.id,
            code="N1",
            name="North Street",
            lat=None,
            lon=None,
            radius_m=None,
            now=clock.now(),
        )
    return world


class World:
    def __init__(self, services: Services, clock: FakeClock, unit: Unit) -> None:
        self.services = services
        self.clock = clock
        self.unit = unit
        self.members: dict[str, Member] = {}
        self.grid = 0

    async def member(self, name: str, unit: Unit) -> Member:
        storage = self.services.storage
        async with storage.db.transaction() as conn:
            member_id = await storage.members.add(
                conn,
                telegram_id=1000 + len(self.members),
                display_name=name.title(),
                username=name,
                language="en",
                unit_id=unit.id,
                now=self.clock.now(),
            )
        found = await storage.members.get(member_id)
        assert found is not None
        self.members[name] = found
        return found

    async def shift(self, name: str, start: datetime = START, hours: int = 3) -> int:
        storage = self.services.storage
        new = NewShift(
            self.grid,
            self.unit.id,
            self.members[name].id,
            start,
            start + timedelta(hours=hours),
            start.date().isoformat(),
        )
        async with storage.db.transaction() as conn:
            [shift_id] = await storage.shifts.add_many(
                conn, [new], created_by=None, now=self.clock.now()
            )
        return shift_id

    async def secretaries(self, unit: Unit) -> list[Member]:
        return [self.members["sec"]]

    async def tick(self, at: datetime) -> int:
        self.clock.set(at)
        return await self.services.duty.run_schedule(self.secretaries)

    async def outbox(self) -> list[tuple[str, int, dict[str, Any]]]:
        rows = await self.services.storage.db.fetchall(
            "SELECT kind, member_id, payload FROM outbox ORDER BY id"
        )
        return [(r["kind"], r["member_id"], json.loads(r["payload"])) for r in rows]

    def id(self, name: str) -> int:
        return self.members[name].id


def test_reason_rules() -> None:
    assert reason_problem("  ") == "empty"
    assert reason_problem("x" * 201) == "too_long"
    assert reason_problem(" " + "x" * 200 + " ") is None


async def test_each_step_once_at_its_time(world: World) -> None:
    shift_id = await world.shift("ann")
    assert await world.tick(START - timedelta(hours=12, seconds=1)) == 0
    assert await world.tick(START - timedelta(hours=12)) == 1
    assert await world.tick(START - timedelta(hours=11)) == 0  # asked once
    assert await world.tick(START - timedelta(hours=10)) == 1  # the one reminder
    assert await world.tick(START - timedelta(hours=3)) == 0
    assert await world.outbox() == [
        ("duty_prompt", world.id("ann"), {"shift": shift_id, "step": "ask"}),
        ("duty_prompt", world.id("ann"), {"shift": shift_id, "step": "remind"}),
    ]
    assert await world.tick(START - timedelta(hours=2)) == 1  # the cut-off
    after_cutoff = (await world.outbox())[2:]
    assert sorted(after_cutoff, key=lambda r: (r[0], r[1], r[2].get("step", ""))) == [
        ("duty_note", world.id("sec"), {
            "shift": shift_id, "event": "unconfirmed", "subject": world.id("ann"), "count": 2
        }),
        # Ann's request and reminder lose their buttons.
        ("duty_note", world.id("ann"), {"shift": shift_id, "event": "ask_closed", "step": "ask"}),
        ("duty_note", world.id("ann"), {
            "shift": shift_id, "event": "ask_closed", "step": "remind"
        }),
        ("duty_offer", world.id("bo"), {"shift": shift_id}),
        ("duty_offer", world.id("cy"), {"shift": shift_id}),
    ]  # fmt: skip
    before = len(await world.outbox())
    assert await world.tick(START) == 1  # nobody took it: uncovered
    assert (await world.outbox())[before:] == [
        (
            "duty_note",
            world.id("sec"),
            {"shift": shift_id, "event": "uncovered", "subject": world.id("ann")},
        ),
        # The offers lose their Take button.
        ("duty_note", world.id("bo"), {"shift": shift_id, "event": "offer_closed"}),
        ("duty_note", world.id("cy"), {"shift": shift_id, "event": "offer_closed"}),
    ]
    assert await world.tick(START + timedelta(hours=4)) == 0
    shift = await world.services.storage.shifts.get(shift_id)
    assert shift is not None and shift.status is ShiftStatus.OPEN


async def test_confirmed_start_prompt_no_show_and_end_prompt(world: World) -> None:
    ann = world.members["ann"]
    confirmed = await world.shift("ann")
    started = await world.shift("bo")
    await world.tick(START - timedelta(hours=12))
    assert (await world.services.duty.confirm(ann, confirmed)).verdict is Verdict.DONE
    await world.services.duty.confirm(world.members["bo"], started)
    async with world.services.storage.db.transaction() as conn:
        await world.services.storage.shifts.mark_started(
            conn, started, world.id("bo"), now=START, lat=None, lon=None, distance_m=None
        )
    before = len(await world.outbox())
    assert await world.tick(START) == 1  # Ann's start prompt; Bo has started already
    assert (await world.outbox())[before:] == [
        ("duty_prompt", world.id("ann"), {"shift": confirmed, "step": "start"})
    ]
    assert await world.tick(START + timedelta(minutes=30)) == 1
    assert (await world.outbox())[-1] == (
        "duty_note",
        world.id("sec"),
        {"shift": confirmed, "event": "no_show", "subject": world.id("ann")},
    )
    assert await world.tick(START + timedelta(hours=3)) == 1  # Bo's end prompt
    assert (await world.outbox())[-1] == (
        "duty_prompt",
        world.id("bo"),
        {"shift": started, "step": "end"},
    )


async def test_a_huge_roster_is_worked_through_in_batches(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duty_module, "BATCH", 2)
    for hour in range(5):
        await world.shift("ann", START + timedelta(hours=hour * 2), hours=1)
    world.clock.set(START - timedelta(hours=1))
    passes = [await world.tick(world.clock.now()) for _ in range(4)]
    assert passes == [2, 2, 1, 0]


async def test_confirm_verdicts(world: World) -> None:
    ann, bo = world.members["ann"], world.members["bo"]
    shift_id = await world.shift("ann")
    duty = world.services.duty
    assert (await duty.confirm(bo, shift_id)).verdict is Verdict.NOT_YOURS
    assert (await duty.confirm(ann, 999_999)).verdict is Verdict.NOT_YOURS
    assert (await duty.confirm(ann, shift_id)).verdict is Verdict.DONE
    assert (await duty.confirm(ann, shift_id)).verdict is Verdict.ALREADY
    await world.services.storage.db.write(
        "UPDATE shifts SET status = 'cancelled' WHERE id = ?", (shift_id,)
    )
    assert (await duty.confirm(ann, shift_id)).verdict is Verdict.CANCELLED


async def test_decline_only_before_the_start(world: World) -> None:
    ann = world.members["ann"]
    shift_id = await world.shift("ann")
    duty = world.services.duty
    await duty.confirm(ann, shift_id)
    world.clock.set(START)
    assert (await duty.declinable(ann, shift_id)).verdict is Verdict.OVER
    outcome = await duty.decline(ann, shift_id, "late", world.secretaries)
    assert outcome.verdict is Verdict.OVER
    world.clock.set(START - timedelta(minutes=1))
    assert (await duty.declinable(ann, shift_id)).verdict is Verdict.DONE  # confirmed, too
    with pytest.raises(ValueError):
        await duty.decline(ann, shift_id, "   ", world.secretaries)


async def test_simultaneous_cover_presses_exactly_one_wins(world: World) -> None:
    shift_id = await world.shift("ann")
    duty = world.services.duty
    await duty.decline(world.members["ann"], shift_id, "ill", world.secretaries)
    bo, cy = world.members["bo"], world.members["cy"]
    first, second = await asyncio.gather(
        duty.take(bo, shift_id, world.secretaries), duty.take(cy, shift_id, world.secretaries)
    )
    assert sorted([first.verdict, second.verdict]) == [Verdict.DONE, Verdict.TAKEN]
    winner = bo if first.verdict is Verdict.DONE else cy
    loser = cy if winner is bo else bo
    shift = await world.services.storage.shifts.get(shift_id)
    assert shift is not None
    assert (shift.status, shift.member_id) == (ShiftStatus.CONFIRMED, winner.id)
    notes = [(who, p["event"]) for kind, who, p in await world.outbox() if kind == "duty_note"]
    assert (loser.id, "taken") in notes and (winner.id, "taken") not in notes
    assert (world.id("sec"), "covered") in notes
    assert (await duty.take(winner, shift_id, world.secretaries)).verdict is Verdict.ALREADY


async def test_cover_refused_when_busy_elsewhere_or_too_late(world: World) -> None:
    shift_id = await world.shift("ann")
    await world.shift("bo", START + timedelta(hours=1))  # Bo is on another shift then
    duty = world.services.duty
    await duty.decline(world.members["ann"], shift_id, "ill", world.secretaries)
    offered = {who for kind, who, _ in await world.outbox() if kind == "duty_offer"}
    assert offered == {world.id("cy")}  # not Ann, not busy Bo, not Far of another unit
    assert (await duty.take(world.members["bo"], shift_id, world.secretaries)).verdict is (
        Verdict.BUSY
    )
    far = world.members["far"]
    assert (await duty.take(far, shift_id, world.secretaries)).verdict is Verdict.OTHER_UNIT
    world.clock.set(START)
    assert (await duty.take(world.members["cy"], shift_id, world.secretaries)).verdict is (
        Verdict.OVER
    )


async def test_leaving_opens_only_the_shifts_ahead(world: World) -> None:
    ann = world.members["ann"]
    ahead = await world.shift("ann", START + timedelta(days=1))
    on_duty = await world.shift("ann")
    world.clock.set(START)
    async with world.services.storage.db.transaction() as conn:
        await world.services.storage.shifts.mark_started(
            conn, on_duty, ann.id, now=START, lat=None, lon=None, distance_m=None
        )
    assert await world.services.duty.release(ann) == 1
    storage = world.services.storage
    opened, kept = await storage.shifts.get(ahead), await storage.shifts.get(on_duty)
    assert opened is not None and kept is not None
    assert (opened.status, opened.declined_member_id, opened.cover_opened_at) == (
        ShiftStatus.OPEN,
        ann.id,
        None,
    )
    assert kept.status is ShiftStatus.STARTED
    assert await world.tick(START) == 1  # announced on the next pass
    notes = [p for kind, _, p in await world.outbox() if kind == "duty_note"]
    assert notes == [{"shift": ahead, "event": "left", "subject": ann.id, "count": 2}]


async def test_a_prompt_that_no_longer_applies_is_dropped(world: World) -> None:
    shift_id = await world.shift("ann")
    await world.tick(START - timedelta(hours=12))
    [row_id] = [r["id"] for r in await world.services.storage.db.fetchall("SELECT id FROM outbox")]
    row = await world.services.storage.outbox.get(row_id)
    assert row is not None and row.status is OutboxStatus.PENDING
    render = DutyRenderers(world.services).table()["duty_prompt"]
    shown = await render(row)
    assert shown is not None and shown.buttons[0][0] == (
        "✅ Confirm",
        ConfirmShift(shift_id).pack(),
    )
    await world.services.duty.confirm(world.members["ann"], shift_id)
    assert await render(row) is None
    start_row = replace(row, payload={"shift": shift_id, "step": Step.START})
    world.clock.set(START + timedelta(minutes=29))
    assert await render(start_row) is not None
    world.clock.set(START + timedelta(minutes=30))
    assert await render(start_row) is None  # never a stale "start now"
