"""``/invite`` and ``/invites`` in chat: one edited message, scope-limited, cancellable,
and surviving a restart in the middle."""

from __future__ import annotations

import json
import re

import pytest

from app.build import build_application
from bot.org.buttons import InviteRole, InviteUnit, RevokeInvite
from fakeapi import ChatDriver, FakeRequest, FakeUser, SentMessage
from handlers.kit.common import MusterApp
from storage.models import Role
from tests.flows.conftest import Harness

LINK = re.compile(r"https://t\.me/muster_test_bot\?start=([A-Za-z0-9_-]{24})")


def labels(message: SentMessage) -> list[str]:
    return [text for text, _ in message.buttons]


async def test_secretary_creates_invite_that_works(harness: Harness) -> None:
    sec = harness.person(301, "Sue")
    await harness.join(sec, "RIV", Role.SECRETARY)
    [menu] = await harness.send(sec, sec.command("invite"))
    assert menu.text is not None and menu.text.startswith("New invite — which unit? (2 to")
    # Only units in her subtree, with member counts.
    assert labels(menu) == ["Riverside District (1)", "Riverside Branch 1 (0)", "Cancel"]

    [step] = await harness.send(sec, sec.press(menu, "Riverside Branch 1 (0)"))
    assert step.message_id == menu.message_id  # one message, edited
    assert step.text == "New invite for Riverside Branch 1 — join as what?"
    assert labels(step) == ["member", "secretary", "‹ Back", "Cancel"]
    [step] = await harness.send(sec, sec.press(step, "member"))
    assert labels(step) == ["1 person", "10 people", "100 people", "No limit", "‹ Back", "Cancel"]
    [step] = await harness.send(sec, sec.press(step, "10 people"))
    assert labels(step) == ["1 day", "7 days", "30 days", "‹ Back", "Cancel"]
    [step] = await harness.send(sec, sec.press(step, "7 days"))
    [done] = await harness.send(sec, sec.press(step, "No, admit directly"))
    assert done.message_id == menu.message_id and done.buttons == []
    assert done.text is not None
    assert done.text.startswith("Invite for Riverside Branch 1 (member)")
    assert "For up to 10 people · valid until 2026-12-06 · people join directly" in done.text
    match = LINK.search(done.text)
    assert match is not None

    newcomer = harness.person(302, "Nia")
    [welcome] = await harness.send(newcomer, newcomer.command("start", match.group(1)))
    assert welcome.text is not None and welcome.text.startswith("Welcome!")
    audit = [e.action for e in await harness.services.storage.audit.recent()]
    assert "invite_create" in audit


async def test_back_search_and_cancel(harness: Harness, admin: FakeUser) -> None:
    [menu] = await harness.send(admin, admin.command("invite"))
    assert menu.text is not None and "(5 to choose from)" in menu.text
    # Typing searches by name or code.
    [found] = await harness.send(admin, admin.message("hill"))
    assert labels(found) == ["Hillside District (0)", "Hillside Branch 1 (0)", "Cancel"]
    [nothing] = await harness.send(admin, admin.message("zzz"))
    assert nothing.text == "No unit in your scope matches “zzz”. Type another search, or /cancel."
    [step] = await harness.send(admin, admin.press(found, "Hillside Branch 1 (0)"))
    assert labels(step) == ["member", "secretary", "coordinator", "‹ Back", "Cancel"]
    [step] = await harness.send(admin, admin.press(step, "coordinator"))
    # Text where a button is expected gets a re-ask, not silence.
    [hint] = await harness.send(admin, admin.message("ten please"))
    assert hint.text == "Please choose with the buttons above, or send /cancel."
    [step] = await harness.send(admin, admin.press(step, "‹ Back"))
    assert step.text == "New invite for Hillside Branch 1 — join as what?"
    [bye] = await harness.send(admin, admin.command("cancel"))
    assert bye.text == "Cancelled. No invite was created."
    assert await harness.services.storage.invites.all() == []
    # After the flow, the old buttons are stale.
    replies = await harness.send(
        admin, admin.press_data(step.message_id, InviteRole("member").pack())
    )
    assert replies.callback_answers[0].text == (
        "This button no longer applies. Nothing was changed."
    )
    [after] = await harness.send(admin, admin.command("cancel"))
    assert after.text == "There is nothing to cancel."


async def test_cancel_button_and_members_cannot_invite(harness: Harness) -> None:
    member = harness.person(303, "Mo")
    await harness.join(member, "RIV-1")
    [answer] = await harness.send(member, member.command("invite"))
    assert answer.text is not None and answer.text.startswith("Only secretaries can create")
    sec = harness.person(304, "Sid")
    await harness.join(sec, "RIV-1", Role.SECRETARY)
    # One unit in scope: straight to the role question.
    [step] = await harness.send(sec, sec.command("invite"))
    assert step.text == "New invite for Riverside Branch 1 — join as what?"
    [bye] = await harness.send(sec, sec.press(step, "Cancel"))
    assert bye.text == "Cancelled. No invite was created."


async def test_forged_unit_outside_scope_is_refused(harness: Harness) -> None:
    sec = harness.person(305, "Sol")
    await harness.join(sec, "RIV", Role.SECRETARY)
    [menu] = await harness.send(sec, sec.command("invite"))
    hill = await harness.unit("HIL-1")
    replies = await harness.send(sec, sec.press_data(menu.message_id, InviteUnit(hill.id).pack()))
    assert replies.callback_answers[0].text == "You are not allowed to do that here."
    assert harness.api.message(305, menu.message_id) is not None
    denied = [e for e in await harness.services.storage.audit.recent() if e.outcome == "denied"]
    assert [(e.actor_telegram_id, e.action, e.unit_id) for e in denied] == [
        (305, "invite_member", hill.id)
    ]  # refused by the picker, audited all the same


async def test_role_lost_mid_flow_is_rechecked(harness: Harness, admin: FakeUser) -> None:
    sec = harness.person(306, "Ray", username="ray")
    await harness.join(sec, "RIV-1", Role.SECRETARY)
    [step] = await harness.send(sec, sec.command("invite"))
    [step] = await harness.send(sec, sec.press(step, "member"))
    [step] = await harness.send(sec, sec.press(step, "1 person"))
    [step] = await harness.send(sec, sec.press(step, "1 day"))
    await harness.send(admin, admin.command("ungrant", "@ray", "secretary", "RIV-1"))
    before = await harness.services.storage.invites.all()
    [final] = await harness.send(sec, sec.press(step, "Yes, approve each"))
    assert final.text is not None and final.text.startswith("Only secretaries can create")
    assert await harness.services.storage.invites.all() == before


async def _role_asked(harness: Harness, sec: FakeUser) -> SentMessage:
    """``sec`` joined as Riverside's secretary, inviting to Riverside Branch 1: the
    message asking for the role."""
    await harness.join(sec, "RIV", Role.SECRETARY)
    [menu] = await harness.send(sec, sec.command("invite"))
    [step] = await harness.send(sec, sec.press(menu, "Riverside Branch 1 (0)"))
    return step


async def _restarted(harness: Harness, user_id: int = 0, draft: object = None) -> MusterApp:
    """A second application on the same database; the stored invite draft of ``user_id``
    replaced by ``draft`` (as an older version of Muster left it) when one is given."""
    await harness.app.update_persistence()
    services = harness.services
    if draft is not None:
        async with services.storage.db.transaction() as conn:
            await conn.execute(
                "UPDATE ptb_user_data SET data = ? WHERE user_id = ?",
                (json.dumps({"invite": draft}), user_id),
            )
    return await build_application(
        services.settings, request=FakeRequest(harness.api), clock=harness.clock,
        storage=services.storage,
    )  # fmt: skip


async def test_conversation_survives_restart(harness: Harness) -> None:
    sec = harness.person(307, "Tia")
    step = await _role_asked(harness, sec)
    [step] = await harness.send(sec, sec.press(step, "secretary"))
    # A second application on the same database (the first one "crashed").
    services = harness.services
    app2 = await _restarted(harness)
    async with ChatDriver(app2, harness.api) as driver2:
        [step] = await driver2.send(sec, sec.press(step, "100 people"))
        assert step.text == "How long should the link work?"
        [step] = await driver2.send(sec, sec.press(step, "30 days"))
        [done] = await driver2.send(sec, sec.press(step, "Yes, approve each"))
    assert done.text is not None
    assert done.text.startswith("Invite for Riverside Branch 1 (secretary)")
    invite = (await services.storage.invites.all())[-1]
    assert (invite.role, invite.max_uses, invite.requires_approval) == (Role.SECRETARY, 100, True)


async def test_invites_list_and_revoke(harness: Harness) -> None:
    sec = harness.person(308, "Uma", language="zh")
    await harness.join(sec, "RIV", Role.SECRETARY)
    token = await harness.invite("RIV-1", uses=5)
    await harness.invite("HIL-1")  # outside her scope: not listed
    [listing] = await harness.send(sec, sec.command("invites"))
    assert listing.text is not None and listing.text.startswith("可用邀请链接：2个")
    assert "Riverside Branch 1 · 成员 · 已用0/5次 · 有效期至2026-12-06" in listing.text
    assert "Hillside" not in listing.text
    replies = await harness.send(sec, sec.press(listing, "撤销：Riverside Branch 1 · 成员"))
    assert replies.callback_answers[0].text == "邀请已撤销。"
    assert replies[-1].text is not None and replies[-1].text.startswith("可用邀请链接：1个")
    newcomer = harness.person(309, "Vic")
    [answer] = await harness.send(newcomer, newcomer.command("start", token))
    assert answer.text is not None and "withdrawn" in answer.text
    # Revoking an invite outside her scope by forged data is refused and audited.
    hill_id = (await harness.unit("HIL-1")).id
    hill_invite = next(
        i for i in await harness.services.storage.invites.all() if i.unit_id == hill_id
    )
    replies = await harness.send(
        sec, sec.press_data(listing.message_id, RevokeInvite(hill_invite.id).pack())
    )
    assert replies.callback_answers[0].text == "您无权在此执行该操作。"
    stored = await harness.services.storage.invites.get(hill_invite.id)
    assert stored is not None and stored.revoked_at is None
    denied = [e for e in await harness.services.storage.audit.recent() if e.outcome == "denied"]
    assert [(e.actor_telegram_id, e.action) for e in denied] == [(308, "revoke_invite")]


async def test_short_max_expiry_is_offered_in_hours(
    harness: Harness, admin: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    monkeypatch.setattr(harness.services.settings.invites, "max_expiry", timedelta(hours=12))
    monkeypatch.setattr(harness.services.invites, "max_expiry", timedelta(hours=12))
    [step] = await harness.send(admin, admin.command("invite"))
    [step] = await harness.send(admin, admin.press(step, "Hillside Branch 1 (0)"))
    [step] = await harness.send(admin, admin.press(step, "member"))
    [step] = await harness.send(admin, admin.press(step, "1 person"))
    assert labels(step) == ["12 h", "‹ Back", "Cancel"]
    [step] = await harness.send(admin, admin.press(step, "12 h"))
    [done] = await harness.send(admin, admin.press(step, "No, admit directly"))
    assert done.text is not None and done.text.startswith("Invite for Hillside Branch 1")


async def test_a_draft_stored_as_a_dict_by_the_old_code_still_loads(harness: Harness) -> None:
    sec = harness.person(309, "Vic")
    step = await _role_asked(harness, sec)
    [step] = await harness.send(sec, sec.press(step, "secretary"))
    branch = await harness.unit("RIV-1")
    old = {"unit": branch.id, "page": 0, "role": "secretary"}  # the dict the old code kept
    app2 = await _restarted(harness, 309, old)
    async with ChatDriver(app2, harness.api) as driver2:
        [step] = await driver2.send(sec, sec.press(step, "100 people"))
        [step] = await driver2.send(sec, sec.press(step, "30 days"))
        [done] = await driver2.send(sec, sec.press(step, "No, admit directly"))
    assert done.text is not None
    assert done.text.startswith("Invite for Riverside Branch 1 (secretary)")


async def test_a_draft_that_no_longer_fits_is_dropped_with_a_clear_answer(
    harness: Harness,
) -> None:
    sec = harness.person(310, "Wen", language="zh")
    step = await _role_asked(harness, sec)
    before = await harness.services.storage.invites.all()
    app2 = await _restarted(harness, 310, {"unit_id": 7, "kind": "secretary"})
    async with ChatDriver(app2, harness.api) as driver2:
        replies = await driver2.send(sec, sec.press(step, "书记"))
        assert replies.texts == [
            "此操作是在机器人更新前开始的，现已失效，未做任何更改。请重新开始。"
        ]
        # The flow is over: the old keyboard's next press changes nothing either.
        again = await driver2.send(sec, sec.press(step, "书记"))
        assert again.callback_answers[0].text == "此按钮已失效，未做任何更改。"
        # Starting again works.
        [menu] = await driver2.send(sec, sec.command("invite"))
        assert menu.buttons
    assert await harness.services.storage.invites.all() == before
