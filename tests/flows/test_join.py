"""Joining through invite links, as people experience it in Telegram."""

from __future__ import annotations

import pytest

from bot.org.buttons import JoinDecision
from fakeapi import FakeUser
from storage.models import Role
from tests.flows.conftest import Harness


async def test_stranger_without_token_is_told_how_to_join(harness: Harness) -> None:
    carol = harness.person(201, "Carol")
    [answer] = await harness.send(carol, carol.command("start"))
    assert answer.text is not None
    assert answer.text.startswith("Welcome to Riverside.")
    assert "invite link" in answer.text
    assert await harness.services.storage.members.by_telegram_id(201) is None


async def test_join_with_token_puts_person_in_unit(harness: Harness) -> None:
    dan = harness.person(202, "Dan Zhou", username="dan", language="zh-hans")
    token = await harness.invite("RIV-1")
    [answer] = await harness.send(dan, dan.command("start", token))
    assert answer.text is not None and answer.text.startswith("欢迎加入！")
    assert "Riverside Branch 1" in answer.text
    member = await harness.services.storage.members.by_telegram_id(202)
    assert member is not None
    assert (member.display_name, member.username, member.language) == ("Dan Zhou", "dan", "zh")
    assert member.unit_id == (await harness.unit("RIV-1")).id
    # The person's chat gets the menu of a member, in their language.
    menu = harness.api.commands_for({"type": "chat", "chat_id": 202})
    assert [c["command"] for c in menu] == [
        "checkin", "leave", "duty", "me", "language", "help", "cancel",
    ]  # fmt: skip
    assert menu[3]["description"] == "我的单位、角色和状态"


async def test_second_invite_grants_role_not_duplicate(harness: Harness) -> None:
    eve = harness.person(203, "Eve")
    await harness.join(eve, "RIV-1")
    token = await harness.invite("RIV", Role.SECRETARY)
    [answer] = await harness.send(eve, eve.command("start", token))
    assert answer.text == "You are now also a secretary of Riverside District."
    rows = await harness.services.storage.db.fetchall("SELECT COUNT(*) AS n FROM members")
    assert rows[0]["n"] == 1
    menu = harness.api.commands_for({"type": "chat", "chat_id": 203})
    assert "invite" in [c["command"] for c in menu]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("garbage", "That invite link is not valid."),
        ("A" * 24, "That invite link is not valid."),
        ("<script>alert(1)</script>", "That invite link is not valid."),
    ],
)
async def test_bad_tokens_change_nothing(harness: Harness, payload: str, expected: str) -> None:
    fay = harness.person(204, "Fay")
    [answer] = await harness.send(fay, fay.command("start", payload))
    assert answer.text is not None and answer.text.startswith(expected)
    assert await harness.services.storage.members.by_telegram_id(204) is None


async def test_used_up_and_revoked_tokens(harness: Harness) -> None:
    token = await harness.invite("RIV-1", uses=1)
    first, second = harness.person(205, "Gus"), harness.person(206, "Hal")
    await harness.send(first, first.command("start", token))
    [answer] = await harness.send(second, second.command("start", token))
    assert answer.text is not None and "used up" in answer.text
    assert await harness.services.storage.members.by_telegram_id(206) is None


async def test_approval_by_secretary_with_buttons(harness: Harness) -> None:
    sec = harness.person(210, "Sam Secretary", language="zh")
    await harness.join(sec, "RIV", Role.SECRETARY)
    ivy = harness.person(211, "Ivy", username="ivy")
    token = await harness.invite("RIV-1", approval=True)
    replies = await harness.send(ivy, ivy.command("start", token))
    assert replies.texts == [
        "Your request to join Riverside Branch 1 was sent to its secretary. "
        "I will tell you when it is decided."
    ]
    [request] = replies.to(210)
    assert request.text is not None and request.text.startswith("Riverside Branch 1加入申请")
    assert "Ivy @ivy" in request.text
    assert await harness.services.storage.members.by_telegram_id(211) is None
    [row] = await harness.services.storage.db.fetchall("SELECT id FROM join_requests")
    request_id = row["id"]

    replies = await harness.send(sec, sec.press(request, "✅ 同意"))
    assert replies[-1].text == "✅ Ivy已加入Riverside Branch 1（Sam Secretary批准）。"
    assert replies[-1].buttons == []  # the decision removes the keyboard
    [welcome] = replies.to(211)
    assert welcome.text is not None and welcome.text.startswith("You're in.")
    member = await harness.services.storage.members.by_telegram_id(211)
    assert member is not None and member.unit_id == (await harness.unit("RIV-1")).id

    # A second press (or a second secretary) does not decide again.
    replies = await harness.send(
        sec, sec.press_data(request.message_id, JoinDecision("r", request_id).pack())
    )
    assert replies.callback_answers[0].text == "该申请已处理。"


async def test_rejection_is_told_to_the_person(harness: Harness, admin: FakeUser) -> None:
    jo = harness.person(212, "Jo")
    token = await harness.invite("HIL-1", approval=True)
    replies = await harness.send(jo, jo.command("start", token))
    # No secretary in the chain above HIL-1: the admin is asked.
    [request] = replies.to(admin.id)
    replies = await harness.send(admin, admin.press(request, "❌ Reject"))
    [note] = replies.to(212)
    assert note.text is not None and "was not approved" in note.text
    assert await harness.services.storage.members.by_telegram_id(212) is None


async def test_forged_and_foreign_approval_presses(harness: Harness) -> None:
    hill_sec = harness.person(220, "Hill Sec")
    await harness.join(hill_sec, "HIL", Role.SECRETARY)
    kim = harness.person(221, "Kim")
    token = await harness.invite("RIV-1", approval=True)
    await harness.send(kim, kim.command("start", token))
    [row] = await harness.services.storage.db.fetchall("SELECT id FROM join_requests")
    # A secretary elsewhere presses an approval they could only have forged.
    replies = await harness.send(
        hill_sec, hill_sec.press_data(999, JoinDecision("a", row["id"]).pack())
    )
    assert replies.callback_answers[0].text == "You are not allowed to do that here."
    assert await harness.services.storage.members.by_telegram_id(221) is None
    # Unknown request id.
    replies = await harness.send(hill_sec, hill_sec.press_data(999, "jr:a:424242"))
    assert replies.callback_answers[0].text is not None
    assert "no longer applies" in replies.callback_answers[0].text
    # Garbage callback data.
    replies = await harness.send(hill_sec, hill_sec.press_data(999, "jr:zz:'; DROP"))
    assert replies.callback_answers[0].text is not None
    assert "no longer applies" in replies.callback_answers[0].text


async def test_group_messages_are_ignored(harness: Harness) -> None:
    lee = harness.person(230, "Lee")
    token = await harness.invite("RIV-1")
    replies = await harness.send(lee, lee.command_in_group(-100123, "start", token))
    assert replies.everywhere == []
    assert await harness.services.storage.members.by_telegram_id(230) is None


async def test_uses_are_counted_at_approval_not_request(harness: Harness, admin: FakeUser) -> None:
    token = await harness.invite("HIL-1", uses=1, approval=True)
    stranger, rightful = harness.person(240, "Stray"), harness.person(241, "Right")
    replies = await harness.send(stranger, stranger.command("start", token))
    [request] = replies.to(admin.id)
    await harness.send(admin, admin.press(request, "❌ Reject"))
    replies = await harness.send(rightful, rightful.command("start", token))
    assert replies.texts[0] is not None and "was sent to its secretary" in replies.texts[0]
    [request] = replies.to(admin.id)
    replies = await harness.send(admin, admin.press(request, "✅ Approve"))
    [welcome] = replies.to(241)
    assert welcome.text is not None and welcome.text.startswith("You're in.")
    # The one use is now taken: a later approval cannot admit anyone else.
    late = harness.person(242, "Late")
    replies = await harness.send(late, late.command("start", token))
    assert replies.texts == ["That invite link has been used up. Ask your secretary for a new one."]


async def test_approval_after_joining_elsewhere_changes_nothing(
    harness: Harness, admin: FakeUser
) -> None:
    ivy = harness.person(243, "Ivy")
    replies = await harness.send(
        ivy, ivy.command("start", await harness.invite("HIL-1", approval=True))
    )
    [request] = replies.to(admin.id)
    await harness.join(ivy, "RIV-1")  # meanwhile, through a direct link
    replies = await harness.send(admin, admin.press(request, "✅ Approve"))
    assert (
        replies.to(admin.id)[-1].text
        == "⚠️ Ivy has meanwhile joined Riverside Branch 1; nothing was changed."
    )
    [note] = replies.to(243)
    assert note.text is not None and note.text.startswith(
        "You are already a member of Riverside Branch 1"
    )
    member = await harness.services.storage.members.by_telegram_id(243)
    assert member is not None and member.unit_id == (await harness.unit("RIV-1")).id


async def test_every_approvers_copy_is_settled(harness: Harness) -> None:
    first, second = harness.person(250, "Sec One"), harness.person(251, "Sec Two", language="zh")
    await harness.join(first, "RIV", Role.SECRETARY)
    await harness.join(second, "RIV", Role.SECRETARY)
    kim = harness.person(252, "Kim")
    replies = await harness.send(
        kim, kim.command("start", await harness.invite("RIV-1", approval=True))
    )
    [copy_one], [copy_two] = replies.to(250), replies.to(251)
    await harness.send(first, first.press(copy_one, "✅ Approve"))
    other = harness.api.message(251, copy_two.message_id)
    assert other is not None and other.buttons == []
    assert other.text == "✅ Kim已加入Riverside Branch 1（Sec One批准）。"


async def test_nobody_to_ask_is_said_honestly_and_retry_asks_again(
    harness: Harness, admin: FakeUser
) -> None:
    harness.api.block(admin.id)  # the only approver cannot be reached
    lou = harness.person(253, "Lou")
    token = await harness.invite("HIL-1", approval=True)
    [answer] = await harness.send(lou, lou.command("start", token))
    assert answer.text is not None and "no secretary could be reached just now" in answer.text
    harness.api.unblock(admin.id)
    replies = await harness.send(lou, lou.command("start", token))
    assert replies.texts == [
        "Your request to join Hillside Branch 1 is still waiting for a decision."
    ]
    [request] = replies.to(admin.id)
    assert request.text is not None and request.text.startswith("Join request for Hillside")


async def test_coordinator_requests_go_to_admins_only(harness: Harness, admin: FakeUser) -> None:
    sec = harness.person(254, "Sec")
    await harness.join(sec, "HIL", Role.SECRETARY)
    cora = harness.person(255, "Cora")
    token = await harness.invite("HIL", Role.COORDINATOR, approval=True)
    replies = await harness.send(cora, cora.command("start", token))
    assert replies.to(254) == [] and len(replies.to(admin.id)) == 1
    [row] = await harness.services.storage.db.fetchall("SELECT id FROM join_requests")
    replies = await harness.send(sec, sec.press_data(1, JoinDecision("a", row["id"]).pack()))
    assert replies.callback_answers[0].text == "You are not allowed to do that here."
