"""Authorisation: default deny, scope is the subtree, inactive members hold nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.org.authz import RULES, Action, Actor, PermissionDeniedError, can
from bot.org.membership import MembershipError
from bot.services import Services
from storage.models import Role, Unit
from tests.conftest import ADMIN_ID
from tests.orgdata import add_member, load_tree


@pytest.fixture
async def units(services: Services, tmp_path: Path) -> dict[str, Unit]:
    await load_tree(services, tmp_path)
    return {u.code: u for u in await services.storage.units.all()}


def actor(role: Role, unit: Unit) -> Actor:
    return Actor(telegram_id=1, member=None, grants=((role, unit),), is_admin=False)


def test_scope_is_the_subtree(units: dict[str, Unit]) -> None:
    secretary = actor(Role.SECRETARY, units["RIV"])
    assert can(secretary, Action.INVITE_MEMBER, units["RIV"])
    assert can(secretary, Action.INVITE_MEMBER, units["RIV-1"])
    assert not can(secretary, Action.INVITE_MEMBER, units["CITY"])
    assert not can(secretary, Action.INVITE_MEMBER, units["HIL-1"])


def test_default_deny(units: dict[str, Unit]) -> None:
    stranger = Actor(telegram_id=1, member=None, grants=(), is_admin=False)
    admin = Actor(telegram_id=ADMIN_ID, member=None, grants=(), is_admin=True)
    coordinator = actor(Role.COORDINATOR, units["CITY"])
    for action in Action:
        assert not can(stranger, action, units["RIV-1"])
        assert can(admin, action, units["RIV-1"])
        assert can(admin, action, None)
        assert not can(coordinator, action, None)
    # Coordinators watch (and send their summaries to a group) and follow up the flags
    # passed up to them; they do not manage.
    allowed = {a for a in Action if can(coordinator, a, units["RIV-1"])}
    assert allowed == {Action.VIEW_UNIT, Action.SUMMARY_CHAT, Action.HANDLE_FLAG}
    # Role management and org import are for admins alone.
    for action in (Action.MANAGE_ROLES, Action.MOVE_MEMBER, Action.IMPORT_ORG):
        assert action not in RULES


async def test_admin_role_changes_audited(services: Services, units: dict[str, Unit]) -> None:
    ann = await add_member(services, 11, units["RIV-1"], "Ann")
    console = Actor.console()
    await services.membership.grant(console, ann, "RIV", Role.SECRETARY)
    ann_actor = await services.authz.actor(11)
    assert can(ann_actor, Action.INVITE_MEMBER, units["RIV-1"])
    with pytest.raises(MembershipError) as caught:
        await services.membership.grant(console, ann, "RIV", Role.SECRETARY)
    assert caught.value.reason == "already_has_role"
    await services.membership.revoke(console, ann, "RIV", Role.SECRETARY)
    assert not can(await services.authz.actor(11), Action.INVITE_MEMBER, units["RIV-1"])
    with pytest.raises(MembershipError) as caught:
        await services.membership.grant(console, ann, "NOPE", Role.SECRETARY)
    assert caught.value.reason == "unknown_unit"
    actions = [e.action for e in await services.storage.audit.recent()]
    assert actions[-2:] == ["role_grant", "role_revoke"]


async def test_non_admin_cannot_manage_and_is_audited(
    services: Services, units: dict[str, Unit]
) -> None:
    ann = await add_member(services, 11, units["RIV"], "Ann")
    bob = await add_member(services, 12, units["RIV-1"], "Bob")
    await services.membership.grant(Actor.console(), ann, "RIV", Role.SECRETARY)
    secretary = await services.authz.actor(11)
    with pytest.raises(PermissionDeniedError):
        await services.membership.grant(secretary, bob, "RIV-1", Role.SECRETARY)
    with pytest.raises(PermissionDeniedError):
        await services.membership.move(secretary, bob, "RIV")
    with pytest.raises(PermissionDeniedError):
        await services.membership.set_active(secretary, bob, False)
    denied = [e.action for e in await services.storage.audit.recent() if e.outcome == "denied"]
    assert denied == ["manage_roles", "move_member", "deactivate_member"]
    assert await services.storage.members.roles_of(bob.id) == []


async def test_move_and_deactivate(services: Services, units: dict[str, Unit]) -> None:
    ann = await add_member(services, 11, units["RIV-1"], "Ann")
    console = Actor.console()
    await services.membership.grant(console, ann, "RIV", Role.SECRETARY)
    await services.membership.move(console, ann, "HIL-1")
    moved = await services.storage.members.get(ann.id)
    assert moved is not None and moved.unit_id == units["HIL-1"].id
    with pytest.raises(MembershipError):
        await services.membership.move(console, moved, "HIL-1")
    await services.membership.set_active(console, moved, False)
    # An inactive member's roles are not in effect.
    assert (await services.authz.actor(11)).grants == ()
    inactive = await services.storage.members.get(ann.id)
    assert inactive is not None
    with pytest.raises(MembershipError):
        await services.membership.set_active(console, inactive, False)
    assert await services.membership.find("@ANN") == inactive
    assert await services.membership.find("11") == inactive
    assert await services.membership.find("ann") is None
