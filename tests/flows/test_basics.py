"""Everyday basics: /help by role, /me, /language, catch-alls, the error handler."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler

from fakeapi import ChatDriver, FakeUser
from handlers.kit.common import MusterContext, Reply
from storage.models import Role
from tests.flows.conftest import Harness


def commands(text: str | None) -> list[str]:
    assert text is not None
    return [line.split()[0] for line in text.splitlines()[1:]]


async def test_help_lists_only_allowed_commands(harness: Harness, admin: FakeUser) -> None:
    stranger = harness.person(401, "Stan")
    [answer] = await harness.send(stranger, stranger.command("help"))
    assert commands(answer.text) == ["/start", "/language", "/help", "/cancel"]
    member = harness.person(402, "Meg")
    await harness.join(member, "RIV-1")
    [answer] = await harness.send(member, member.command("help"))
    assert commands(answer.text) == [
        "/checkin", "/leave", "/duty", "/me", "/language", "/help", "/cancel",
    ]  # fmt: skip
    sec = harness.person(403, "Sec")
    await harness.join(sec, "RIV", Role.SECRETARY)
    [answer] = await harness.send(sec, sec.command("help"))
    assert commands(answer.text) == [
        "/checkin", "/leave", "/duty", "/me", "/directive", "/directives", "/members",
        "/summary", "/export", "/roster", "/assign", "/grids", "/invite", "/invites", "/flags",
        "/register",
        "/language", "/help", "/cancel",
    ]  # fmt: skip
    [answer] = await harness.send(admin, admin.command("help"))
    assert commands(answer.text) == [
        "/directive", "/directives", "/members", "/summary", "/export", "/roster", "/assign",
        "/grids", "/invite", "/invites", "/flags", "/register", "/grant", "/ungrant", "/move",
        "/deactivate",
        "/reactivate", "/language", "/help", "/cancel",
    ]  # fmt: skip


async def test_me_shows_unit_roles_and_today(harness: Harness) -> None:
    who = harness.person(404, "Wu Lan", language="zh")
    await harness.join(who, "HIL-1")
    await harness.send(who, who.command("start", await harness.invite("HIL", Role.COORDINATOR)))
    [answer] = await harness.send(who, who.command("me"))
    assert answer.text == (
        "Wu Lan\n单位：Hillside Branch 1\n角色：\n• Hillside District 协调员\n"
        "状态：正常 · 加入日期：2026-11-29\n今天：11月29日 周日 · 今天无需打卡"
    )
    stranger = harness.person(405, "Xu")
    [answer] = await harness.send(stranger, stranger.command("me"))
    assert answer.text is not None and answer.text.startswith("You are not a member of Riverside")


async def test_language_switch_changes_replies_and_menu(harness: Harness) -> None:
    yan = harness.person(406, "Yan")
    await harness.join(yan, "RIV-1")
    [choice] = await harness.send(yan, yan.command("language"))
    assert [text for text, _ in choice.buttons] == ["English", "简体中文"]
    [done] = await harness.send(yan, yan.press(choice, "简体中文"))
    assert done.text == "语言已设为简体中文。"
    member = await harness.services.storage.members.by_telegram_id(406)
    assert member is not None and member.language == "zh"
    [answer] = await harness.send(yan, yan.command("nonsense"))
    assert answer.text == "没有这个命令。发送 /help 查看可用功能。"
    menu = harness.api.commands_for({"type": "chat", "chat_id": 406})
    assert [c["description"] for c in menu][2:4] == ["我的值守班次", "我的单位、角色和状态"]


async def test_catch_alls_answer_instead_of_silence(harness: Harness) -> None:
    zed = harness.person(407, "Zed")
    [answer] = await harness.send(zed, zed.message("hello?"))
    assert answer.text is not None and answer.text.startswith("I didn't expect a message here.")
    [answer] = await harness.send(zed, zed.location(31.2, 121.5))
    assert answer.text is not None and answer.text.startswith("I didn't expect a message here.")
    replies = await harness.send(zed, zed.press_data(1, "x" * 64))
    assert replies.callback_answers[0].text == (
        "This button no longer applies. Nothing was changed."
    )


async def test_failure_inside_a_handler_is_told_to_the_user(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(harness.services.membership, "profile", broken)
    quiet = ChatDriver(harness.app, harness.api, raise_errors=False)
    ann = harness.person(408, "Ann", language="zh")
    replies = await quiet.send(ann, ann.command("me"))
    assert replies.texts == ["系统出了点问题，请重试，或发送 /cancel。"]


async def test_menus_registered_per_language(harness: Harness) -> None:
    from app.runner import announce

    await announce(harness.app)
    english = harness.api.commands_for(None, "en")
    chinese = harness.api.commands_for(None, "zh")
    assert [c["command"] for c in english] == ["start", "language", "help", "cancel"]
    assert chinese[0]["description"] == "通过邀请链接加入"
    assert harness.api.commands_for(None, "") == english
    admin_menu = harness.api.commands_for({"type": "chat", "chat_id": 900_000_001})
    assert "grant" in [c["command"] for c in admin_menu]


async def test_edited_messages_are_not_new_requests(harness: Harness) -> None:
    ola = harness.person(409, "Ola")
    token = await harness.invite("RIV-1")
    update = ola.command("start", token)
    message = dict(update["message"], edit_date=update["message"]["date"])
    edited = {"update_id": 999_999, "edited_message": message}
    replies = await harness.send(ola, edited)
    assert replies.everywhere == []
    assert await harness.services.storage.members.by_telegram_id(409) is None


async def test_failure_after_a_button_press_is_told_too(
    harness: Harness, admin: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    [step] = await harness.send(admin, admin.command("invite"))
    [step] = await harness.send(admin, admin.press(step, "Hillside Branch 1 (0)"))
    [step] = await harness.send(admin, admin.press(step, "member"))
    [step] = await harness.send(admin, admin.press(step, "1 person"))
    [step] = await harness.send(admin, admin.press(step, "1 day"))
    monkeypatch.setattr(harness.services.invites, "create", broken)
    quiet = ChatDriver(harness.app, harness.api, raise_errors=False)
    replies = await quiet.send(admin, admin.press(step, "No, admit directly"))
    assert replies.texts[-1] == "Something went wrong on our side. Please try again, or /cancel."


async def test_names_with_html_characters_read_right(harness: Harness, admin: FakeUser) -> None:
    from bot.org.authz import Actor

    path = harness.tmp_path / "rd.toml"
    path.write_text('[[unit]]\ncode = "RD"\nname = "R&D <North>"\nparent = "CITY"\n')
    await harness.services.org.import_file(Actor.console(), path)
    rae = harness.person(410, "Rae <3")
    await harness.join(rae, "RD", Role.SECRETARY)
    [card] = await harness.send(rae, rae.command("me"))
    assert card.text is not None
    assert card.text.startswith("Rae <3\nUnit: R&D <North>\nRoles:\n• secretary of R&D <North>")
    await harness.invite("RD")
    [listing] = await harness.send(rae, rae.command("invites"))
    assert listing.text is not None and "• R&D <North> · member" in listing.text
    assert listing.buttons[0][0] == "Revoke: R&D <North> · member"


async def test_a_press_is_answered_before_the_edit_it_causes(harness: Harness) -> None:
    """Even a handler that edits first and toasts after: the spinner stops at once, with
    one answer, and the edit follows."""

    async def edits_then_toasts(update: Update, context: MusterContext) -> None:
        reply = await Reply.to(update, context)
        await reply.edit_text("Edited")
        await reply.toast("button-stale")  # the press is answered already: no second answer
        raise ApplicationHandlerStop  # not the catch-all's answer either

    harness.app.add_handler(CallbackQueryHandler(edits_then_toasts, pattern="^probe$"), group=-1)
    person = harness.person(404, "Pia")
    [shown] = await harness.send(person, person.command("help"))
    replies = await harness.send(person, person.press_data(shown.message_id, "probe"))
    calls = [call.method for call in replies.calls if call.method != "getUpdates"]
    assert calls[:2] == ["answerCallbackQuery", "editMessageText"]
    assert calls.count("answerCallbackQuery") == 1
    assert replies.callback_answers[0].text is None
    assert replies[0].text == "Edited"


async def test_an_edit_is_the_request_ptb_would_make(harness: Harness) -> None:
    """``Reply.edit_text`` posts through bot/delivery/raw.py (Telegram's answer is not read
    back): the same request as PTB's ``message.edit_text``, keyboard and all; "not modified"
    is no error, and a message that cannot be edited is sent anew."""

    async def by_reply(update: Update, context: MusterContext) -> None:
        reply = await Reply.to(update, context)
        await reply.edit_text("<b>Edited</b>", [[("Go", "go"), ("Stop", "stop")]])
        raise ApplicationHandlerStop

    async def by_ptb(update: Update, context: MusterContext) -> None:
        query = update.callback_query
        assert query is not None and isinstance(query.message, Message)
        await query.answer()
        go = InlineKeyboardButton("Go", callback_data="go")
        stop = InlineKeyboardButton("Stop", callback_data="stop")
        await query.message.edit_text(
            "<b>Edited</b>",
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup([[go, stop]]),
            disable_web_page_preview=True,
        )
        raise ApplicationHandlerStop

    harness.app.add_handler(CallbackQueryHandler(by_reply, pattern="^reply$"), group=-1)
    harness.app.add_handler(CallbackQueryHandler(by_ptb, pattern="^ptb$"), group=-1)
    person = harness.person(405, "Eda")
    [first] = await harness.send(person, person.command("help"))
    [second] = await harness.send(person, person.command("help"))
    [edited] = await harness.send(person, person.press_data(first.message_id, "reply"))
    assert (edited.message_id, edited.text) == (first.message_id, "Edited")
    assert edited.buttons == [("Go", "go"), ("Stop", "stop")]
    await harness.send(person, person.press_data(second.message_id, "ptb"))
    ours, ptb = harness.api.calls_of("editMessageText")[-2:]
    assert {**ours.params, "message_id": 0} == {**ptb.params, "message_id": 0}

    # The same content again: Telegram says "not modified", and nothing more is sent.
    replies = await harness.send(person, person.press_data(first.message_id, "reply"))
    assert [c.method for c in replies.calls if c.method.startswith("send")] == []
    # A message that can no longer be edited: the text comes as a new message.
    harness.api.fail_next(
        "editMessageText", error_code=400, description="Bad Request: message to edit not found"
    )
    [anew] = await harness.send(person, person.press_data(first.message_id, "reply"))
    assert anew.message_id not in (first.message_id, second.message_id)
    assert (anew.text, anew.buttons) == ("Edited", [("Go", "go"), ("Stop", "stop")])
