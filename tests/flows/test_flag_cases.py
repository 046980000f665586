"""Flags are cases (issue #17): the secretary's flag notice has Handled (with an optional
note) and Escalate, the member's name links to them, a flag left alone climbs the ladder
by itself, and /flags lists the open ones in scope — in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.checkins.buttons import EscalateFlag, HandleFlag
from bot.org.authz import Actor
from fakeapi import FakeUser, SentMessage
from storage.cases import Case, CaseState
from storage.models import Role
from tests.flows.conftest import Harness
from tests.flows.test_checkin import labels, local, newest
from tests.orgdata import add_member
from tests.unit.test_checkins import form

HANDLED, ESCALATE = "✅ Handled", "⬆️ Escalate"
HANDLED_ZH, ESCALATE_ZH = "✅ 已处理", "⬆️ 上报"


@pytest.fixture
async def people(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> dict[str, FakeUser]:
    """Ann (member of Riverside Branch 1) and the ladder above her: Riverside District's
    secretaries Sam (zh) and Eve and coordinator Cora, the City's secretary Ciro and
    coordinator Carl (zh); Hal is Hillside's secretary, another branch."""
    monkeypatch.setattr(
        harness.services.checkins, "form", form(flag_escalate_after=timedelta(hours=24))
    )
    harness.clock.set(local("2026-12-01 08:00"))  # a Tuesday, before the 09:00 reminder
    cast = {
        "ann": (701, "Ann", "en", "RIV-1", Role.MEMBER),
        "sam": (702, "Sam", "zh", "RIV", Role.SECRETARY),
        "eve": (703, "Eve", "en", "RIV", Role.SECRETARY),
        "cora": (704, "Cora", "en", "RIV", Role.COORDINATOR),
        "ciro": (705, "Ciro", "en", "CITY", Role.SECRETARY),
        "carl": (706, "Carl", "zh", "CITY", Role.COORDINATOR),
        "hal": (707, "Hal", "en", "HIL", Role.SECRETARY),
    }
    found = {}
    for key, (user_id, name, language, unit, role) in cast.items():
        found[key] = harness.person(user_id, name, language=language)
        await harness.join(found[key], unit, role)
    await harness.run_due()  # Monday's close lists: out of the way
    return found


async def flag(harness: Harness, ann: FakeUser, answer: str = "Help") -> Case:
    """Ann checks in with "Help" (flagged), or changes her check-in to ``answer``; the
    notices go out. Her (first) case."""
    [step] = await harness.send(ann, ann.command("checkin"))
    if step.buttons and step.buttons[0][0] == "✏️ Change it":
        [step] = await harness.send(ann, ann.press(step, "✏️ Change it"))
    [step] = await harness.send(ann, ann.press(step, answer))
    for _ in range(4):
        step = newest(await harness.send(ann, ann.press(step, "Skip")))
    await harness.send(ann, ann.press(step, "✅ Submit"))
    await harness.run_due()
    return (await cases(harness))[0]


async def cases(harness: Harness) -> list[Case]:
    rows = await harness.services.storage.db.fetchall("SELECT id FROM flag_cases ORDER BY id")
    found = [await harness.services.storage.cases.get(r[0]) for r in rows]
    return [c for c in found if c is not None]


def notice(harness: Harness, user: FakeUser, start: str) -> SentMessage:
    """The newest message to ``user`` starting with ``start``."""
    found = [m for m in harness.api.sent_to(user.id) if (m.text or "").startswith(start)]
    assert found, [m.text for m in harness.api.sent_to(user.id)]
    return found[-1]


async def handle(harness: Harness, user: FakeUser, message: SentMessage, note: str) -> str:
    """``user`` presses Handled on ``message`` and types ``note``; the last reply."""
    label = next(text for text, _ in message.buttons if "✅" in text)
    await harness.send(user, user.press(message, label))
    return (await harness.send(user, user.message(note))).texts[-1] or ""


async def audited(harness: Harness, action: str) -> list[str]:
    return [e.detail for e in await harness.services.storage.audit.recent() if e.action == action]


async def test_handled_with_a_note_and_the_name_linked(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    eve = people["eve"]
    case = await flag(harness, people["ann"])
    message = notice(harness, eve, "⚠️ Ann (Riverside Branch 1) flagged a problem")
    assert labels(message) == [HANDLED, ESCALATE]
    # The name opens a chat with Ann.
    links = [e for e in message.raw.get("entities", []) if e["type"] == "text_link"]
    assert [e["url"] for e in links] == ["tg://user?id=701"]
    [ask] = await harness.send(eve, eve.press(message, HANDLED))
    assert ask.text == (
        "Handled: Ann (Riverside Branch 1). Add a note on what was done, or press Skip."
    )
    assert labels(ask) == ["Skip", "Cancel"]
    replies = await harness.send(eve, eve.message("Called her; a doctor is on the way."))
    assert replies.texts[-1] == (
        "✅ Marked handled: Ann (Riverside Branch 1). Note: Called her; a doctor is on the way."
    )
    # The flag's buttons are gone, and so are the note's.
    assert harness.api.message(eve.id, message.message_id).buttons == []  # type: ignore[union-attr]
    [stored] = await cases(harness)
    assert (stored.state, stored.note) == (CaseState.HANDLED, "Called her; a doctor is on the way.")
    member = await harness.services.membership.member(eve.id)
    assert member is not None and stored.handled_by == member.id
    assert await audited(harness, "flag_handled") == [f"case {case.id} +note"]


async def test_handled_without_a_note_in_chinese_and_cancel_changes_nothing(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    sam = people["sam"]
    await flag(harness, people["ann"])
    message = notice(harness, sam, "⚠️ Ann（Riverside Branch 1）在今日打卡中报告了问题")
    assert labels(message) == [HANDLED_ZH, ESCALATE_ZH]
    [ask] = await harness.send(sam, sam.press(message, HANDLED_ZH))
    [answer] = await harness.send(sam, sam.command("cancel"))
    assert answer.text == "未做更改，该问题仍待处理。"
    [still] = await cases(harness)
    assert still.state is CaseState.OPEN
    [ask] = await harness.send(sam, sam.press(message, HANDLED_ZH))
    assert ask.text == "标记为已处理：Ann（Riverside Branch 1）。请补充处理情况，或点击“跳过”。"
    [answer] = await harness.send(sam, sam.message(""))  # a sticker, say: nothing typed
    replies = await harness.send(sam, sam.press(ask, "跳过"))
    assert replies.texts[-1] == "✅ 已标记为处理：Ann（Riverside Branch 1）。"
    [done] = await cases(harness)
    assert (done.state, done.note) == (CaseState.HANDLED, None)


async def test_handled_twice_at_once_one_wins_the_other_is_told(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    sam, eve = people["sam"], people["eve"]
    await flag(harness, people["ann"])
    eve_flag = notice(harness, eve, "⚠️ Ann")
    sam_flag = notice(harness, sam, "⚠️ Ann")
    await harness.send(eve, eve.press(eve_flag, HANDLED))
    [sam_ask] = await harness.send(sam, sam.press(sam_flag, HANDLED_ZH))
    harness.clock.advance(timedelta(minutes=5))
    await harness.send(sam, sam.press(sam_ask, "跳过"))  # Sam first: 08:05
    replies = await harness.send(eve, eve.message("On my way"))
    assert replies.texts[-1] == "Already handled by Sam (Tue 1 Dec 08:05)."
    [case] = await cases(harness)
    assert case.note is None  # Sam's handling stands; Eve's note was not taken
    # Her flag's buttons are gone; a press on a copy of them says so too.
    assert harness.api.message(eve.id, eve_flag.message_id).buttons == []  # type: ignore[union-attr]
    press = eve.press_data(eve_flag.message_id, EscalateFlag(case.id).pack())
    replies = await harness.send(eve, press)
    assert replies.texts[-1] == "Already handled by Sam (Tue 1 Dec 08:05)."
    assert len(await audited(harness, "flag_handled")) == 1


async def test_escalated_by_hand_up_to_the_root_where_it_stays(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    sam, cora, carl = people["sam"], people["cora"], people["carl"]
    await flag(harness, people["ann"])
    sam_flag = notice(harness, sam, "⚠️ Ann")
    replies = await harness.send(sam, sam.press(sam_flag, ESCALATE_ZH))
    assert replies.texts[-1] == "⬆️ 已上报至Cora（Riverside District）。"
    await harness.run_due()
    up = notice(harness, cora, "⬆️ Passed up to you (level 1): Ann (Riverside Branch 1)")
    assert up.text == (
        "⬆️ Passed up to you (level 1): Ann (Riverside Branch 1) flagged a problem on"
        " Tue 1 Dec, not handled yet:\n• Where?: Help\n• Temperature: —\n• Tasks: —\n"
        "• Note: —\n• Where: —"
    )
    assert labels(up) == [HANDLED, ESCALATE]
    # Cora passes it on: the City's secretary, then its coordinator (the root's).
    replies = await harness.send(cora, cora.press(up, ESCALATE))
    assert replies.texts[-1] == "⬆️ Passed up to Ciro (City Committee)."
    replies = await harness.send(cora, cora.press(up, ESCALATE))
    assert replies.texts[-1] == "⬆️ Passed up to Carl (City Committee)."
    await harness.run_due()
    top = notice(harness, carl, "⬆️ 已上报至您（第3级）：Ann（Riverside Branch 1）")
    assert labels(top) == [HANDLED_ZH, ESCALATE_ZH]
    # Past the root it stays with the root's coordinators.
    replies = await harness.send(carl, carl.press(top, ESCALATE_ZH))
    assert replies.callback_answers[-1].text == "已是最高一级，仍由Carl处理。"
    [case] = await cases(harness)
    assert (case.state, case.level) == (CaseState.ESCALATED, 3)
    assert len(await audited(harness, "flag_escalated")) == 3


async def test_a_flag_left_alone_climbs_one_level_a_day(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    cora, ciro = people["cora"], people["ciro"]
    case = await flag(harness, people["ann"])
    harness.clock.advance(timedelta(hours=23, minutes=59))
    await harness.run_due()
    assert not [m for m in harness.api.sent_to(cora.id) if (m.text or "").startswith("⬆️")]
    harness.clock.advance(timedelta(minutes=1))
    await harness.run_due()
    notice(harness, cora, "⬆️ Passed up to you (level 1)")
    await harness.run_due()  # once per level: nothing more until it waited again
    assert not [m for m in harness.api.sent_to(ciro.id) if (m.text or "").startswith("⬆️")]
    harness.clock.advance(timedelta(hours=24))
    await harness.run_due()
    notice(harness, ciro, "⬆️ Passed up to you (level 2)")
    [climbed] = await cases(harness)
    assert (climbed.state, climbed.level) == (CaseState.ESCALATED, 2)
    assert [d.endswith("(waited too long)") for d in await audited(harness, "flag_escalated")] == [
        True,
        True,
    ]
    # Handled meanwhile, a notice still queued is dropped, and it climbs no more.
    harness.clock.advance(timedelta(hours=24))
    await handle(harness, ciro, notice(harness, ciro, "⬆️ Passed up to you (level 2)"), "Sorted")
    await harness.run_due()
    assert not [m for m in harness.api.sent_to(people["ciro"].id) if "level 3" in (m.text or "")]
    assert (
        await harness.services.checkins.cases.open_flags(case.unit_id, harness.clock.now())
    ) == (
        0,
        0,
    )


async def test_flags_lists_the_scope_and_refuses_a_forged_press(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    eve, hal, ann = people["eve"], people["hal"], people["ann"]
    case = await flag(harness, ann)
    [listing] = await harness.send(eve, eve.command("flags"))
    assert listing.text == (
        "🚩 Open flags: 1, oldest first\n"
        "1. Ann (Riverside Branch 1), Tue 1 Dec: Help · not escalated"
    )
    assert labels(listing) == ["1 · ✅ Handled", "1 · ⬆️ Escalate"]
    [carl_list] = await harness.send(people["carl"], people["carl"].command("flags"))
    assert carl_list.text is not None and carl_list.text.startswith("🚩 待处理的问题：1条")
    # Another branch's secretary sees nothing, and a forged press changes nothing.
    [other] = await harness.send(hal, hal.command("flags"))
    assert other.text == "No open flags in your units."
    for forged in (HandleFlag(case.id), EscalateFlag(case.id)):
        replies = await harness.send(hal, hal.press_data(other.message_id, forged.pack()))
        assert replies.callback_answers[-1].text == "That flag is outside your units."
    [still] = await cases(harness)
    assert (still.state, still.level) == (CaseState.OPEN, 0)
    denied = [e for e in await harness.services.storage.audit.recent() if e.outcome == "denied"]
    assert [e.action for e in denied] == ["handle_flag", "handle_flag"]
    [member_list] = await harness.send(ann, ann.command("flags"))
    assert member_list.text == "Only secretaries and coordinators follow up flags."
    # Handled from the list: the same buttons.
    assert await handle(harness, eve, listing, "Done") == (
        "✅ Marked handled: Ann (Riverside Branch 1). Note: Done"
    )
    [empty] = await harness.send(eve, eve.command("flags"))
    assert empty.text == "No open flags in your units."


async def test_the_summary_counts_open_flags_by_age(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    case = await flag(harness, people["ann"])
    cases_ = harness.services.checkins.cases
    city = await harness.unit("CITY")
    assert await cases_.open_flags(city.id, harness.clock.now()) == (1, 0)
    harness.clock.advance(timedelta(hours=25))
    assert await cases_.open_flags(city.id, harness.clock.now()) == (1, 1)
    assert await cases_.open_flags((await harness.unit("HIL")).id, harness.clock.now()) == (0, 0)
    summary = await harness.services.summaries.compile(city, harness.clock.now().date())
    assert summary.open_flags == (1, 1)
    riverside = next(line for line in summary.lines if line.unit.code == "RIV")
    assert riverside.open_flags == (1, 1)
    from bot.summaries.render import SummaryText

    text = SummaryText(harness.services.i18n, "en").daily(summary)
    assert "🚩 flags open: 1 (1 older than 24 h)" in text
    assert case.unit_id == (await harness.unit("RIV-1")).id


async def test_an_erased_member_s_case_keeps_counting_without_name_or_note(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    eve = people["eve"]
    case = await flag(harness, people["ann"])
    await handle(harness, eve, notice(harness, eve, "⚠️ Ann"), "Ann had a fever; her sister came.")
    member = await harness.services.membership.member(701)
    assert member is not None
    await harness.services.privacy.erase_member(Actor.console(), member)
    [kept] = await cases(harness)
    assert (kept.id, kept.state, kept.note) == (case.id, CaseState.HANDLED, None)
    rows = await harness.services.storage.db.fetchall(
        "SELECT 1 FROM flag_cases WHERE note LIKE '%Ann%'"
    )
    assert rows == []


async def test_an_answer_taken_back_withdraws_its_case_and_given_again_reopens_it(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    ann, eve = people["ann"], people["eve"]
    case = await flag(harness, ann)
    message = notice(harness, eve, "⚠️ Ann")
    harness.clock.advance(timedelta(minutes=10))
    withdrawn = await flag(harness, ann, "At post")  # a mistake: she is at her post
    assert withdrawn.state is CaseState.WITHDRAWN
    assert await audited(harness, "flag_withdrawn") == [f"case {case.id}"]
    replies = await harness.send(eve, eve.press(message, HANDLED))
    assert replies.texts[-1] == "Ann changed that answer: nothing to follow up."
    [listing] = await harness.send(eve, eve.command("flags"))
    assert listing.text == "No open flags in your units."
    harness.clock.advance(timedelta(hours=48))
    await harness.run_due()  # nothing climbs
    assert not [m for m in harness.api.sent_to(people["cora"].id) if "⬆️" in (m.text or "")]
    # Flagged again: the same case, open from now, at the bottom of the ladder.
    harness.clock.set(local("2026-12-01 09:30"))
    again = await flag(harness, ann)
    assert (again.id, again.state, again.level) == (case.id, CaseState.OPEN, 0)
    [listing] = await harness.send(eve, eve.command("flags"))
    assert listing.text is not None and listing.text.startswith("🚩 Open flags: 1")


async def test_flags_come_eight_a_page_oldest_first(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    unit = await harness.unit("RIV-1")
    for n in range(9):
        member = await add_member(harness.services, 800 + n, unit, f"Member {n + 1}")
        await harness.services.checkins.save(member, {"status": "help"})
        harness.clock.advance(timedelta(minutes=1))
    eve = people["eve"]
    [listing] = await harness.send(eve, eve.command("flags"))
    assert listing.text is not None and listing.text.startswith("🚩 Open flags: 9")
    assert "1. Member 1 " in listing.text and "8. Member 8 " in listing.text
    assert "Member 9" not in listing.text
    assert labels(listing)[-1] == "More ›"
    [page] = await harness.send(eve, eve.press(listing, "More ›"))
    assert page.text is not None and "9. Member 9 " in page.text and "Member 8" not in page.text
    assert labels(page) == ["9 · ✅ Handled", "9 · ⬆️ Escalate", "‹ Previous"]


async def test_without_notices_at_once_the_case_waits_in_flags(
    harness: Harness, people: dict[str, FakeUser], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(harness.services.checkins, "form", form(flags_at_once=False))
    eve = people["eve"]
    await flag(harness, people["ann"])
    assert not [m for m in harness.api.sent_to(eve.id) if (m.text or "").startswith("⚠️ Ann")]
    [listing] = await harness.send(eve, eve.command("flags"))
    assert listing.text is not None and listing.text.startswith("🚩 Open flags: 1")
