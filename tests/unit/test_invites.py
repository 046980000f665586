"""Invites: strong hashed tokens, limits that hold under races, approval, roles."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.kit.clock import FakeClock
from bot.kit.people import Person
from bot.org.authz import Actor, PermissionDeniedError
from bot.org.invites import (
    DecisionStatus,
    InviteError,
    JoinStatus,
    hash_token,
    new_token,
)
from bot.services import Services
from storage.models import Role, Unit
from tests.conftest import ADMIN_ID
from tests.orgdata import load_tree

ALICE = Person(101, "Alice Liu", "alice", "en-GB")
BOB = Person(102, "Bob Wang", None, "zh-hans")


@pytest.fixture
async def units(services: Services, tmp_path: Path) -> dict[str, Unit]:
    await load_tree(services, tmp_path)
    return {u.code: u for u in await services.storage.units.all()}


async def make(
    services: Services,
    unit: Unit,
    role: Role = Role.MEMBER,
    *,
    uses: int | None = 5,
    days: int = 7,
    approval: bool = False,
    actor: Actor | None = None,
) -> str:
    created = await services.invites.create(
        actor or Actor.console(),
        unit,
        role,
        uses=uses,
        expires_in=timedelta(days=days),
        approval=approval,
    )
    return created.token


def test_tokens_are_long_random_and_link_safe() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) == 24  # 18 bytes = 144 bits
        assert all(c.isalnum() or c in "-_" for c in token)


async def test_only_the_hash_is_stored(services: Services, units: dict[str, Unit]) -> None:
    token = await make(services, units["RIV-1"])
    rows = await services.storage.db.fetchall("SELECT * FROM invites")
    assert token not in str([tuple(r) for r in rows])
    assert rows[0]["token_hash"] == hash_token(token)


async def test_join_registers_member_with_language(
    services: Services, units: dict[str, Unit]
) -> None:
    token = await make(services, units["RIV-1"])
    outcome = await services.invites.redeem(BOB, token)
    assert outcome.status is JoinStatus.JOINED
    member = await services.storage.members.by_telegram_id(BOB.telegram_id)
    assert member is not None
    assert (member.display_name, member.unit_id, member.language) == (
        "Bob Wang",
        units["RIV-1"].id,
        "zh",
    )
    invite = (await services.storage.invites.all())[0]
    assert invite.uses == 1


async def test_second_invite_adds_role_without_duplicating(
    services: Services, units: dict[str, Unit]
) -> None:
    await services.invites.redeem(ALICE, await make(services, units["RIV-1"]))
    outcome = await services.invites.redeem(
        ALICE, await make(services, units["RIV"], Role.SECRETARY)
    )
    assert outcome.status is JoinStatus.ROLE_ADDED
    rows = await services.storage.db.fetchall("SELECT id FROM members")
    assert len(rows) == 1
    member = await services.storage.members.by_telegram_id(ALICE.telegram_id)
    assert member is not None and member.unit_id == units["RIV-1"].id  # home unit unchanged
    grants = await services.storage.members.roles_of(member.id)
    assert [(g.unit_id, g.role) for g in grants] == [(units["RIV"].id, Role.SECRETARY)]
    again = await services.invites.redeem(ALICE, await make(services, units["RIV"], Role.SECRETARY))
    assert again.status is JoinStatus.ALREADY


async def test_member_invite_for_another_unit_changes_nothing(
    services: Services, units: dict[str, Unit]
) -> None:
    await services.invites.redeem(ALICE, await make(services, units["RIV-1"]))
    token = await make(services, units["HIL-1"])
    outcome = await services.invites.redeem(ALICE, token)
    assert outcome.status is JoinStatus.ALREADY_ELSEWHERE
    assert outcome.unit == units["RIV-1"]
    invite = [i for i in await services.storage.invites.all() if i.unit_id == units["HIL-1"].id]
    assert invite[0].uses == 0


@pytest.mark.parametrize(
    "payload",
    ["", "short", "x" * 65, "has space in it........", "../../etc/passwd________", "ü" * 20],
)
async def test_malformed_payloads_are_refused(
    services: Services, units: dict[str, Unit], payload: str
) -> None:
    outcome = await services.invites.redeem(ALICE, payload)
    assert outcome.status is JoinStatus.INVALID
    assert await services.storage.members.by_telegram_id(ALICE.telegram_id) is None


async def test_unknown_expired_revoked_used_up(
    services: Services, units: dict[str, Unit], clock: FakeClock
) -> None:
    assert (await services.invites.redeem(ALICE, new_token())).status is JoinStatus.INVALID
    expiring = await make(services, units["RIV-1"], days=1)
    revoked = await make(services, units["RIV-1"])
    single = await make(services, units["RIV-1"], uses=1)
    await services.invites.revoke(Actor.console(), 2)
    assert (await services.invites.redeem(ALICE, revoked)).status is JoinStatus.REVOKED
    assert (await services.invites.redeem(BOB, single)).status is JoinStatus.JOINED
    assert (await services.invites.redeem(ALICE, single)).status is JoinStatus.USED_UP
    clock.advance(timedelta(days=1))
    assert (await services.invites.redeem(ALICE, expiring)).status is JoinStatus.EXPIRED
    assert await services.storage.members.by_telegram_id(ALICE.telegram_id) is None


async def test_concurrent_joins_cannot_exceed_uses(
    services: Services, units: dict[str, Unit]
) -> None:
    token = await make(services, units["RIV-1"], uses=3)
    people = [Person(1000 + i, f"P{i}", None, "en") for i in range(10)]
    outcomes = await asyncio.gather(*(services.invites.redeem(p, token) for p in people))
    statuses = [o.status for o in outcomes]
    assert statuses.count(JoinStatus.JOINED) == 3
    assert statuses.count(JoinStatus.USED_UP) == 7
    rows = await services.storage.db.fetchall("SELECT COUNT(*) AS n FROM members")
    assert rows[0]["n"] == 3
    assert (await services.storage.invites.all())[0].uses == 3


async def test_approval_flow(services: Services, units: dict[str, Unit]) -> None:
    # A secretary of the district approves joins to the branch below it.
    await services.invites.redeem(ALICE, await make(services, units["RIV"], Role.SECRETARY))
    token = await make(services, units["RIV-1"], approval=True)
    outcome = await services.invites.redeem(BOB, token)
    assert outcome.status is JoinStatus.PENDING
    assert [a.telegram_id for a in outcome.approvers] == [ALICE.telegram_id]
    assert await services.storage.members.by_telegram_id(BOB.telegram_id) is None
    again = await services.invites.redeem(BOB, token)
    assert again.status is JoinStatus.ALREADY_PENDING
    assert outcome.request is not None
    alice = await services.authz.actor(ALICE.telegram_id)
    decision = await services.invites.decide(alice, outcome.request.id, approve=True)
    assert decision.status is DecisionStatus.APPROVED
    bob = await services.storage.members.by_telegram_id(BOB.telegram_id)
    assert bob is not None and bob.unit_id == units["RIV-1"].id
    twice = await services.invites.decide(alice, outcome.request.id, approve=False)
    assert twice.status is DecisionStatus.ALREADY_DECIDED


async def test_approval_outside_scope_is_denied_and_audited(
    services: Services, units: dict[str, Unit]
) -> None:
    await services.invites.redeem(ALICE, await make(services, units["HIL"], Role.SECRETARY))
    outcome = await services.invites.redeem(
        BOB, await make(services, units["RIV-1"], approval=True)
    )
    assert outcome.request is not None
    # No secretary above RIV-1: the admins are asked.
    assert [a.telegram_id for a in outcome.approvers] == [ADMIN_ID]
    alice = await services.authz.actor(ALICE.telegram_id)
    with pytest.raises(PermissionDeniedError):
        await services.invites.decide(alice, outcome.request.id, approve=True)
    assert await services.storage.members.by_telegram_id(BOB.telegram_id) is None
    denied = [e for e in await services.storage.audit.recent() if e.outcome == "denied"]
    assert [(e.actor_telegram_id, e.action) for e in denied] == [(ALICE.telegram_id, "decide_join")]
    unknown = await services.invites.decide(alice, 9999, approve=True)
    assert unknown.status is DecisionStatus.UNKNOWN


async def test_secretary_invites_only_within_scope(
    services: Services, units: dict[str, Unit]
) -> None:
    await services.invites.redeem(ALICE, await make(services, units["RIV"], Role.SECRETARY))
    alice = await services.authz.actor(ALICE.telegram_id)
    await make(services, units["RIV-1"], actor=alice)
    await make(services, units["RIV-1"], Role.SECRETARY, actor=alice)
    for unit, role in (
        (units["HIL-1"], Role.MEMBER),
        (units["CITY"], Role.MEMBER),
        (units["RIV-1"], Role.COORDINATOR),
    ):
        with pytest.raises(PermissionDeniedError):
            await make(services, unit, role, actor=alice)


async def test_invite_limits_are_checked(services: Services, units: dict[str, Unit]) -> None:
    with pytest.raises(InviteError) as caught:
        await make(services, units["RIV"], uses=0)
    assert caught.value.reason == "bad_uses"
    with pytest.raises(InviteError) as caught:
        await make(services, units["RIV"], days=365)
    assert caught.value.reason == "bad_expiry"
    with pytest.raises(InviteError):
        await services.invites.revoke(Actor.console(), 12345)


async def test_deactivated_member_cannot_rejoin(services: Services, units: dict[str, Unit]) -> None:
    await services.invites.redeem(ALICE, await make(services, units["RIV-1"]))
    member = await services.storage.members.by_telegram_id(ALICE.telegram_id)
    assert member is not None
    await services.membership.set_active(Actor.console(), member, False)
    outcome = await services.invites.redeem(
        ALICE, await make(services, units["RIV"], Role.SECRETARY)
    )
    assert outcome.status is JoinStatus.INACTIVE
    assert await services.storage.members.roles_of(member.id) == []
