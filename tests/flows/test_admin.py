"""Admin commands in chat: roles, moves, deactivation — refused to everyone else."""

from __future__ import annotations

import asyncio

import pytest

from fakeapi import FakeUser
from storage.models import Role
from tests.conftest import store_env
from tests.flows.conftest import Harness


async def test_admin_grants_and_removes_roles(harness: Harness, admin: FakeUser) -> None:
    pat = harness.person(501, "Pat", username="pat")
    member = await harness.join(pat, "RIV-1")
    [answer] = await harness.send(admin, admin.command("grant", "@pat", "secretary", "RIV"))
    assert answer.text == "Pat is now secretary of Riverside District."
    grants = await harness.services.storage.members.roles_of(member.id)
    assert [(g.role, g.unit_id) for g in grants] == [
        (Role.SECRETARY, (await harness.unit("RIV")).id)
    ]
    # Pat's menu now offers the secretary's commands.
    menu = harness.api.commands_for({"type": "chat", "chat_id": 501})
    assert "invite" in [c["command"] for c in menu]
    [again] = await harness.send(admin, admin.command("grant", "@pat", "secretary", "RIV"))
    assert again.text == "Pat already has that role."
    [gone] = await harness.send(admin, admin.command("ungrant", "501", "secretary", "RIV"))
    assert gone.text == "Pat is no longer secretary of Riverside District."
    assert await harness.services.storage.members.roles_of(member.id) == []
    actions = [e.action for e in await harness.services.storage.audit.recent()]
    assert actions[-2:] == ["role_grant", "role_revoke"]


async def test_admin_moves_and_deactivates(harness: Harness, admin: FakeUser) -> None:
    quinn = harness.person(502, "Quinn", username="quinn")
    await harness.join(quinn, "RIV-1")
    [answer] = await harness.send(admin, admin.command("move", "@quinn", "HIL-1"))
    assert answer.text == "Quinn moved to Hillside Branch 1."
    member = await harness.services.storage.members.by_telegram_id(502)
    assert member is not None and member.unit_id == (await harness.unit("HIL-1")).id
    [answer] = await harness.send(admin, admin.command("deactivate", "@quinn"))
    assert answer.text == "Quinn is deactivated: no messages, no roles in effect."
    [answer] = await harness.send(quinn, quinn.command("start", await harness.invite("RIV-1")))
    assert answer.text == "Your membership is inactive. Please contact your secretary."
    [answer] = await harness.send(admin, admin.command("reactivate", "@quinn"))
    assert answer.text == "Quinn is active again."


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("grant",), "Usage: /grant @username secretary|coordinator UNIT_CODE"),
        (
            ("grant", "@pat", "king", "RIV"),
            "Usage: /grant @username secretary|coordinator UNIT_CODE",
        ),
        (("grant", "@nobody", "secretary", "RIV"), "No member @nobody was found."),
        (("grant", "@pat", "secretary", "NOPE"), "There is no unit with code NOPE."),
        (("move", "@pat"), "Usage: /move @username UNIT_CODE"),
        (("move", "@pat", "RIV-1"), "Pat is already in that unit."),
        (("deactivate",), "Usage: /deactivate @username"),
        (("reactivate", "@pat"), "Pat is already active."),
        (("ungrant", "@pat", "coordinator", "RIV"), "Pat does not have that role there."),
    ],
)
async def test_bad_admin_input_gets_clear_answer(
    harness: Harness,
    admin: FakeUser,
    args: tuple[str, ...],
    expected: str,
) -> None:
    pat = harness.person(503, "Pat", username="pat")
    await harness.join(pat, "RIV-1")
    before = await harness.services.storage.db.fetchall("SELECT * FROM roles")
    [answer] = await harness.send(admin, admin.command(*args))
    assert answer.text is not None and answer.text.startswith(expected)
    assert await harness.services.storage.db.fetchall("SELECT * FROM roles") == before


@pytest.mark.parametrize("command", ["grant", "ungrant", "move", "deactivate", "reactivate"])
async def test_non_admins_are_refused_and_audited(harness: Harness, command: str) -> None:
    sec = harness.person(504, "Rex", username="rex")
    await harness.join(sec, "CITY", Role.SECRETARY)
    [answer] = await harness.send(sec, sec.command(command, "@rex", "secretary", "RIV"))
    assert answer.text == "Only administrators can do that."
    [entry] = [e for e in await harness.services.storage.audit.recent() if e.outcome == "denied"]
    assert (entry.actor_telegram_id, entry.action) == (504, f"command_{command}")
    grants = await harness.services.storage.db.fetchall("SELECT * FROM roles")
    assert len(grants) == 1  # only the secretary role from the invite


async def test_a_reused_username_is_refused_not_guessed(harness: Harness, admin: FakeUser) -> None:
    old = harness.person(505, "Alex Old", username="alex")
    await harness.join(old, "RIV-1")
    new = harness.person(506, "Alex New", username="alex")
    await harness.join(new, "HIL-1")
    [answer] = await harness.send(admin, admin.command("deactivate", "@alex"))
    assert answer.text == (
        "Several members have the username @alex. Name them by Telegram id instead."
    )
    for telegram_id in (505, 506):
        member = await harness.services.storage.members.by_telegram_id(telegram_id)
        assert member is not None and member.active


async def test_names_and_usernames_follow_telegram(harness: Harness, admin: FakeUser) -> None:
    pat = harness.person(507, "Pat", username="pat_old")
    await harness.join(pat, "RIV-1")
    renamed = harness.person(507, "Patricia", username="pat_new")
    await harness.send(renamed, renamed.command("me"))
    member = await harness.services.storage.members.by_telegram_id(507)
    assert member is not None and (member.display_name, member.username) == ("Patricia", "pat_new")
    [answer] = await harness.send(admin, admin.command("move", "@pat_new", "HIL-1"))
    assert answer.text == "Patricia moved to Hillside Branch 1."


def _menu(harness: Harness, chat_id: int) -> list[str]:
    return [c["command"] for c in harness.api.commands_for({"type": "chat", "chat_id": chat_id})]


async def test_role_changes_by_cli_refresh_the_menu_at_the_next_tick(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: after ``muster role grant … --role coordinator`` /help showed the new
    commands but the chat's menu stayed the member's (the CLI has no bot to set it)."""
    from app.cli import main

    pat = harness.person(501, "Pat", username="pat")
    await harness.join(pat, "RIV-1")
    await harness.run_due()
    member_menu = _menu(harness, 501)
    assert "checkin" in member_menu and "summary" not in member_menu
    monkeypatch.setenv(*store_env(harness.services.settings))
    monkeypatch.delenv("MUSTER_CONFIG", raising=False)
    monkeypatch.chdir(harness.tmp_path)

    async def cli(*argv: str) -> list[str]:
        """The CLI as an operator runs it: its own process and database connection; then
        the bot's next tick. Returns the menu of Pat's chat after that."""
        assert await asyncio.to_thread(main, list(argv)) == 0
        await harness.run_due()
        return _menu(harness, 501)

    coordinator = await cli(
        "role", "grant", "--member", "@pat", "--unit", "RIV", "--role", "coordinator"
    )
    assert {"summary", "export", "members", "checkin"} <= set(coordinator)
    revoked = await cli(
        "role", "revoke", "--member", "@pat", "--unit", "RIV", "--role", "coordinator"
    )
    assert revoked == member_menu
    await cli("role", "grant", "--member", "@pat", "--unit", "RIV-1", "--role", "secretary")
    assert "invite" in _menu(harness, 501)
    # Moved out of the unit where the role is held: the role stays, the menu is set again.
    calls = len(harness.api.calls_of("setMyCommands"))
    assert "invite" in await cli("member", "move", "--member", "@pat", "--unit", "HIL-1")
    assert len(harness.api.calls_of("setMyCommands")) == calls + 1
    # Deactivated: nothing a member or a secretary does is offered any more.
    assert await cli("member", "deactivate", "--member", "@pat") == ["language", "help", "cancel"]
    # Each change was set once: nothing is left marked for the next tick.
    assert await harness.services.storage.db.fetchall("SELECT * FROM menu_refresh") == []
