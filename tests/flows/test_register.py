"""The member register (issue #18): ``muster member import`` validates the whole file and
writes all of it or nothing; a personal invite joins its holder to the entry's person and
unit with no approval, once; ``muster member erase`` forgets the phone and email."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import RetentionSettings
from bot.org.authz import Actor, PermissionDeniedError
from bot.org.register_file import RegisterFileError, describe
from fakeapi import FakeUser, SentMessage
from storage.models import Member, Role
from tests.flows.conftest import Harness
from tests.flows.test_erase import files

GOOD = """\
name,unit,phone,email,external_id
Ann Lee,RIV-1,138 0013 8000,ann@example.org,E1
王芳,RIV-1,+86 139-0013-9000,,E2
Bo Chen,HIL-1,,,
"""


def write(tmp_path: Path, text: str, name: str = "register.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def worded(harness: Harness, error: RegisterFileError, language: str = "en") -> list[str]:
    i18n = harness.services.i18n
    return [describe(i18n, language, p, plain=True) for p in error.problems]


async def entries(harness: Harness) -> list[tuple[str, str | None, str | None, bool]]:
    rows = await harness.services.storage.db.fetchall(
        "SELECT name, phone, email, active FROM register_entries ORDER BY id"
    )
    return [(r[0], r[1], r[2], bool(r[3])) for r in rows]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
async def test_import_normalises_phones_and_is_idempotent(
    harness: Harness, tmp_path: Path, encoding: str
) -> None:
    register = harness.services.register
    path = write(tmp_path, GOOD, encoding=encoding)
    changes = await register.import_file(Actor.console(), path, prune=False)
    assert (changes.added, changes.updated) == (3, 0)
    assert await entries(harness) == [
        ("Ann Lee", "+8613800138000", "ann@example.org", True),
        ("王芳", "+8613900139000", None, True),
        ("Bo Chen", None, None, True),
    ]
    again = await register.import_file(Actor.console(), path, prune=False)
    assert again.empty and again.kept == 3


async def test_an_edited_file_updates_and_prune_deactivates(
    harness: Harness, tmp_path: Path
) -> None:
    register = harness.services.register
    await register.import_file(Actor.console(), write(tmp_path, GOOD), prune=False)
    edited = GOOD.replace("ann@example.org", "ann.lee@example.org").replace(
        "Bo Chen,HIL-1,,,\n", ""
    )
    path = write(tmp_path, edited)
    kept = await register.import_file(Actor.console(), path, prune=False)
    assert (kept.updated, kept.deactivated) == (1, 0)
    assert (await entries(harness))[2][3] is True  # without --prune Bo stays
    pruned = await register.import_file(Actor.console(), path, prune=True)
    assert pruned.deactivated == 1
    assert await entries(harness) == [
        ("Ann Lee", "+8613800138000", "ann.lee@example.org", True),
        ("王芳", "+8613900139000", None, True),
        ("Bo Chen", None, None, False),
    ]


async def test_every_bad_line_is_named_and_nothing_is_written(
    harness: Harness, tmp_path: Path
) -> None:
    bad = GOOD + (
        "Cy,NOPE,,,\n"
        ",RIV-1,,,\n"
        "Di,RIV-1,12,,\n"
        "Ed,RIV-1,,not-an-email,\n"
        "Fay,RIV-1,,,E1\n"
        "Ann Lee,HIL-1,13800138000,,\n"
    )
    with pytest.raises(RegisterFileError) as caught:
        await harness.services.register.import_file(
            Actor.console(), write(tmp_path, bad), prune=False
        )
    assert worded(harness, caught.value) == [
        'Line 5: There is no unit with the code "NOPE".',
        "Line 6: The name is empty.",
        'Line 7: "12" is not a phone number.',
        'Line 8: "not-an-email" is not an email address.',
        "Line 9: External id E1 is also on line 2.",
        "Line 10: Ann Lee (+8613800138000) is also on line 2 (unit RIV-1).",
    ]
    assert await entries(harness) == []


async def test_a_personal_invite_joins_the_entry_without_approval_once(
    harness: Harness, tmp_path: Path
) -> None:
    services = harness.services
    sam = harness.person(702, "Sam", language="zh")
    await harness.join(sam, "RIV", Role.SECRETARY)
    await services.register.import_file(Actor.console(), write(tmp_path, GOOD), prune=False)
    issued = await services.register.issue_invites(Actor.console(), await harness.unit("RIV-1"))
    token = next(t for line, t in issued if line.entry.name == "Ann Lee")
    assert len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()

    ann = harness.person(801, "annie_tg")
    replies = await harness.send(ann, ann.command("start", token))
    assert "You are now a member of Riverside Branch 1" in (replies.texts[0] or "")
    member = await services.storage.members.by_telegram_id(801)
    assert member is not None and member.display_name == "Ann Lee"
    listed = await services.register.listing(Actor.console(), await harness.unit("RIV-1"))
    assert [(line.entry.name, line.joined) for line in listed] == [
        ("Ann Lee", True),
        ("王芳", False),
    ]

    # Someone else with the same link: refused, told politely, the secretary told.
    mallory = harness.person(802, "Mallory")
    replies = await harness.send(mallory, mallory.command("start", token))
    assert "already been used by someone else" in (replies.texts[0] or "")
    assert await services.storage.members.by_telegram_id(802) is None
    assert harness.api.last_message(702).text == (
        "⚠️ 有人打开了Ann Lee（Riverside Branch 1）的专属邀请链接，该链接已被使用，"
        "未加入任何人。如确为Ann Lee本人，请与其核实。"
    )
    # Ann opening it again changes nothing.
    replies = await harness.send(ann, ann.command("start", token))
    assert "already a member" in (replies.texts[0] or "")


async def joined(harness: Harness, code: str = "RIV-1") -> list[bool]:
    listed = await harness.services.register.listing(Actor.console(), await harness.unit(code))
    return [line.joined for line in listed]


async def register_and_secretary(harness: Harness, tmp_path: Path) -> FakeUser:
    """The register of GOOD, and Sam, the secretary of Riverside (above RIV-1)."""
    await harness.services.register.import_file(Actor.console(), write(tmp_path, GOOD), prune=False)
    sam = harness.person(702, "Sam")
    await harness.join(sam, "RIV", Role.SECRETARY)
    return sam


async def test_joining_by_a_general_invite_offers_the_secretary_a_link(
    harness: Harness, tmp_path: Path
) -> None:
    """Never linked by name alone: the unit's secretaries are asked, and Link links."""
    services = harness.services
    sam = await register_and_secretary(harness, tmp_path)
    wu = harness.person(703, "Wu", language="zh")
    await harness.join(wu, "RIV", Role.SECRETARY)
    # Full-width letters, another case and spacing: still the register's "Ann Lee".
    ann = await harness.join(harness.person(803, "ａｎｎ  LEE"), "RIV-1")
    await harness.run_due()  # the offers go out through the outbox
    assert await joined(harness) == [False, False]
    offer = harness.api.last_message(702)
    assert offer.text == (
        "👤 ａｎｎ  LEE joined Riverside Branch 1 by a general invite. The register has Ann Lee"
        " (phone …8000), not joined yet. Same person?"
    )
    assert [text for text, _ in offer.buttons] == ["🔗 Link", "Not the same person"]
    assert harness.api.last_message(703).text == (
        "👤 ａｎｎ  LEE通过通用邀请加入了Riverside Branch 1。名册中有尚未加入的Ann Lee"
        "（电话尾号8000）。是同一人吗？"
    )
    [done] = await harness.send(sam, sam.press(offer, "🔗 Link"))
    assert done.text == "🔗 ａｎｎ  LEE is now linked to the register's Ann Lee."
    assert done.buttons == []
    assert await joined(harness) == [True, False]
    entry = await services.storage.register.of_member(ann.id)
    assert entry is not None and entry.name == "Ann Lee"
    audit = (await services.storage.audit.recent(1))[0]
    assert (audit.action, audit.actor_telegram_id) == ("register_link", 702)
    # Wu's copy, pressed later, changes nothing.
    other = harness.api.last_message(703)
    [late] = await harness.send(wu, wu.press(other, "🔗 关联"))
    assert late.text == "ａｎｎ  LEE此前已与名册中的Ann Lee关联，未做更改。"


async def test_a_link_refused_when_someone_else_took_the_entry_or_declined(
    harness: Harness, tmp_path: Path
) -> None:
    services = harness.services
    sam = await register_and_secretary(harness, tmp_path)
    await harness.join(harness.person(803, "Ann Lee"), "RIV-1")
    await harness.run_due()
    offer = harness.api.last_message(702)
    await harness.join(harness.person(804, "王芳"), "RIV-1")
    await harness.run_due()
    wang_offer = harness.api.last_message(702)
    # The real Ann opens her personal invite before Sam answers.
    issued = await services.register.issue_invites(Actor.console(), await harness.unit("RIV-1"))
    real = harness.person(801, "annie_tg")
    await harness.send(real, real.command("start", issued[0][1]))
    [refused] = await harness.send(sam, sam.press(offer, "🔗 Link"))
    assert refused.text == "Not linked: Ann Lee has joined as the register's Ann Lee meanwhile."
    [declined] = await harness.send(sam, sam.press(wang_offer, "Not the same person"))
    assert declined.text == ("Not linked: 王芳 and the register's 王芳 are not the same person.")
    assert await joined(harness) == [True, False]
    # Someone who is not the unit's secretary cannot press it (a forged button).
    mallory = harness.person(805, "Mallory")
    await harness.join(mallory, "HIL", Role.SECRETARY)
    data = wang_offer.buttons[0][1] or ""
    replies = await harness.send(mallory, mallory.press_data(wang_offer.message_id, data))
    assert replies.texts == []
    assert harness.api.callback_answers[-1].text == "You are not allowed to do that here."
    assert await joined(harness) == [True, False]


async def test_no_offer_without_a_register_entry_of_that_name(
    harness: Harness, tmp_path: Path
) -> None:
    await register_and_secretary(harness, tmp_path)
    before = len(harness.api.sent_to(702))
    await harness.join(harness.person(806, "Ann Leeson"), "RIV-1")
    assert await harness.run_due() == 0
    assert len(harness.api.sent_to(702)) == before


async def test_erase_forgets_the_register_phone_and_email(harness: Harness, tmp_path: Path) -> None:
    services = harness.services
    await services.register.import_file(Actor.console(), write(tmp_path, GOOD), prune=False)
    issued = await services.register.issue_invites(Actor.console(), await harness.unit("RIV-1"))
    ann = harness.person(801, "annie_tg")
    await harness.send(ann, ann.command("start", issued[0][1]))
    member = await services.storage.members.by_telegram_id(801)
    assert member is not None
    before = files(harness)
    assert b"+8613800138000" in before["db"] + before["wal"]

    await services.privacy.erase_member(Actor.console(), member)

    after = files(harness)
    for needle in (b"+8613800138000", b"ann@example.org"):
        assert needle not in after["db"]
        assert needle not in after["wal"]


async def test_phones_are_for_the_units_own_secretaries_not_coordinators(
    harness: Harness, tmp_path: Path
) -> None:
    services = harness.services
    await services.register.import_file(Actor.console(), write(tmp_path, GOOD), prune=False)
    await harness.join(harness.person(702, "Sam"), "RIV", Role.SECRETARY)
    await harness.join(harness.person(703, "Cora"), "CITY", Role.COORDINATOR)
    sam = await services.authz.actor(702)
    riv1, hil1 = await harness.unit("RIV-1"), await harness.unit("HIL-1")
    listed = await services.register.listing(sam, riv1)
    assert [line.entry.phone for line in listed] == ["+8613800138000", "+8613900139000"]
    cora = await services.authz.actor(703)
    for actor, unit in ((sam, hil1), (cora, riv1)):
        with pytest.raises(PermissionDeniedError):
            await services.register.listing(actor, unit)
    # Nor can a secretary load entries into a unit outside their scope: nothing written.
    with pytest.raises(RegisterFileError) as caught:
        await services.register.import_file(sam, write(tmp_path, GOOD), prune=False)
    assert worded(harness, caught.value) == ["Line 4: Unit HIL-1 is not one of your units."]
    assert len(await entries(harness)) == 3


async def test_a_member_already_in_the_unit_is_not_linked_by_a_personal_link(
    harness: Harness, tmp_path: Path
) -> None:
    services = harness.services
    await services.register.import_file(Actor.console(), write(tmp_path, GOOD), prune=False)
    issued = await services.register.issue_invites(Actor.console(), await harness.unit("RIV-1"))
    lin = harness.person(804, "Lin")
    await harness.join(lin, "RIV-1")
    replies = await harness.send(lin, lin.command("start", issued[0][1]))
    assert (
        replies.texts[0] == "You are already a member of Riverside Branch 1. Nothing was changed."
    )
    listed = await services.register.listing(Actor.console(), await harness.unit("RIV-1"))
    assert [line.joined for line in listed] == [False, False]


async def test_a_join_request_approved_is_offered_too(harness: Harness, tmp_path: Path) -> None:
    sam = await register_and_secretary(harness, tmp_path)
    token = await harness.invite("RIV-1", approval=True)
    ann = harness.person(807, "Ann Lee")
    await harness.send(ann, ann.command("start", token))
    request = harness.api.last_message(702)
    await harness.send(sam, sam.press(request, "✅ Approve"))
    await harness.run_due()
    offer = harness.api.last_message(702)
    assert offer.text is not None and offer.text.startswith("👤 Ann Lee joined Riverside")
    [done] = await harness.send(sam, sam.press(offer, "🔗 Link"))
    assert done.text == "🔗 Ann Lee is now linked to the register's Ann Lee."


async def offered_to_two(
    harness: Harness, tmp_path: Path
) -> tuple[FakeUser, FakeUser, SentMessage, SentMessage]:
    """Ann Lee joins by a general invite: Sam (English) and Wu (Chinese) each get the offer."""
    sam = await register_and_secretary(harness, tmp_path)
    wu = harness.person(703, "Wu", language="zh")
    await harness.join(wu, "RIV", Role.SECRETARY)
    await harness.join(harness.person(803, "Ann Lee"), "RIV-1")
    await harness.run_due()
    return sam, wu, harness.api.last_message(702), harness.api.last_message(703)


async def test_a_decline_decides_every_copy_of_the_offer(harness: Harness, tmp_path: Path) -> None:
    """Sam says "Not the same person"; Wu's copy, pressed later, is refused and names Sam."""
    sam, wu, sams, wus = await offered_to_two(harness, tmp_path)
    [declined] = await harness.send(sam, sam.press(sams, "Not the same person"))
    assert declined.text == (
        "Not linked: Ann Lee and the register's Ann Lee are not the same person."
    )
    [late] = await harness.send(wu, wu.press(wus, "🔗 关联"))
    assert late.text == "Sam已回答过，未做更改。"
    assert await joined(harness) == [False, False]
    # Sam pressing Link on a copy left open (a second device) is refused too, in English.
    data = sams.buttons[0][1] or ""
    [again] = await harness.send(sam, sam.press_data(sams.message_id, data))
    assert again.text == "Already answered by Sam: nothing was changed."
    assert await joined(harness) == [False, False]
    actions = [a.detail for a in await harness.services.storage.audit.recent(5)]
    assert sum("not the same" in (d or "") for d in actions) == 1


async def test_a_link_decides_every_copy_of_the_offer(harness: Harness, tmp_path: Path) -> None:
    sam, wu, sams, wus = await offered_to_two(harness, tmp_path)
    [done] = await harness.send(wu, wu.press(wus, "🔗 关联"))
    assert done.text == "🔗 Ann Lee已与名册中的Ann Lee关联。"
    [late] = await harness.send(sam, sam.press(sams, "Not the same person"))
    assert late.text == "Already answered by Wu: nothing was changed."
    assert await joined(harness) == [True, False]


async def join_declined(harness: Harness, sam: FakeUser, telegram_id: int, name: str) -> Member:
    """Someone of a register entry's name joins RIV-1; Sam says "Not the same person"."""
    member = await harness.join(harness.person(telegram_id, name), "RIV-1")
    await harness.run_due()
    await harness.send(sam, sam.press(harness.api.last_message(702), "Not the same person"))
    return member


async def test_a_declined_pair_is_never_offered_again(harness: Harness, tmp_path: Path) -> None:
    services = harness.services
    sam = await register_and_secretary(harness, tmp_path)
    ann = await join_declined(harness, sam, 803, "Ann Lee")
    before = len(harness.api.sent_to(702))
    # Moved out and back: no offer again.
    await services.membership.move(Actor.console(), ann, "HIL-1")
    moved = await services.storage.members.get(ann.id)
    assert moved is not None
    await services.membership.move(Actor.console(), moved, "RIV-1")
    assert await services.register.link_offers(ann.id) == []
    # Nor after a join request of hers is approved (here for a role: offers come only with
    # a new member, so this is no occasion either).
    annie = harness.person(803, "Ann Lee")
    token = await harness.invite("RIV-1", Role.SECRETARY, approval=True)
    await harness.send(annie, annie.command("start", token))
    await harness.send(sam, sam.press(harness.api.last_message(702), "✅ Approve"))
    await harness.run_due()
    roles = await services.storage.members.roles_of(ann.id)
    assert [g.role for g in roles] == [Role.SECRETARY]
    for message in harness.api.sent_to(702)[before:]:
        assert "The register has" not in (message.text or "")
    assert await joined(harness) == [False, False]


async def link_answers(harness: Harness) -> list[tuple[int, int]]:
    """The remembered answers to link offers: (member id, entry id)."""
    rows = await harness.services.storage.db.fetchall(
        "SELECT member_id, entry_id FROM register_link_answers ORDER BY member_id"
    )
    return [(r[0], r[1]) for r in rows]


async def test_erase_drops_the_answers_to_link_offers(harness: Harness, tmp_path: Path) -> None:
    services = harness.services
    sam = await register_and_secretary(harness, tmp_path)
    ann = await join_declined(harness, sam, 803, "Ann Lee")
    await join_declined(harness, sam, 804, "王芳")

    assert [m for m, _ in await link_answers(harness)] == [ann.id, ann.id + 1]
    await services.privacy.erase_member(Actor.console(), ann)
    wang = await services.storage.members.by_telegram_id(804)
    assert wang is not None and [m for m, _ in await link_answers(harness)] == [wang.id]
    # An entry erased (someone who never joined): its answers go too.
    [(_, entry_id)] = await link_answers(harness)
    entry = await services.storage.register.get(entry_id)
    assert entry is not None
    await services.privacy.erase_entry(Actor.console(), entry)
    assert await link_answers(harness) == []


async def test_retention_drops_the_answers_naming_a_pruned_entry(
    harness: Harness, tmp_path: Path
) -> None:
    services = harness.services
    sam = await register_and_secretary(harness, tmp_path)
    await join_declined(harness, sam, 804, "王芳")
    assert len(await link_answers(harness)) == 1
    pruned = write(tmp_path, GOOD.replace("王芳,RIV-1,+86 139-0013-9000,,E2\n", ""), "pruned.csv")
    await services.register.import_file(Actor.console(), pruned, prune=True)
    services.privacy.settings = RetentionSettings(details_days=30)
    harness.clock.advance(timedelta(days=35))
    erased = await services.privacy.retention_tick()
    assert erased is not None and erased.entries == 1
    assert await link_answers(harness) == []


async def test_an_answer_with_no_member_behind_it_is_named_as_an_administrator(
    harness: Harness, tmp_path: Path
) -> None:
    """Declined from the console (or by an admin with no member row): no name to give."""
    sam, wu, sams, wus = await offered_to_two(harness, tmp_path)
    storage = harness.services.storage
    ann = await storage.members.by_telegram_id(803)
    [entry] = await harness.services.register.named(await harness.unit("RIV-1"), "Ann Lee")
    assert ann is not None
    await harness.services.register.link(Actor.console(), entry.id, ann.id, same=False)
    [late] = await harness.send(sam, sam.press(sams, "🔗 Link"))
    assert late.text == "Already answered by an administrator: nothing was changed."
    [late_zh] = await harness.send(wu, wu.press(wus, "🔗 关联"))
    assert late_zh.text == "管理员已回答过，未做更改。"
    assert await joined(harness) == [False, False]
