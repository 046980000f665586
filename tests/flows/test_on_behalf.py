"""On behalf (issue #18): a secretary records what a silent member said on the phone from
their list of the silent ("📞 Reached by phone"): it counts as the member's answer, marked
with who recorded it, is audited, is recorded once, and the member is told the next time
they write; only the member's own secretaries may; bad input is refused with a clear
message, and /cancel records nothing; in both languages."""

from __future__ import annotations

from datetime import timedelta

from fakeapi import FakeUser, SentMessage
from tests.flows.conftest import Harness
from tests.flows.test_directives import compose, labels, members, no_checkins, sec

__all__ = ["members", "no_checkins", "sec"]  # fixtures, used by name


async def silent_list(harness: Harness, sec: FakeUser, members: list[FakeUser]) -> SentMessage:
    """Ann acknowledges; Bo and Cy stay silent past the deadline and its grace: Sue's list."""
    await compose(harness, sec, deadline="17:00")
    await harness.run_due()
    ann = members[0]
    await harness.send(ann, ann.press(harness.api.last_message(ann.id), "✅ Acknowledge"))
    harness.clock.advance(timedelta(hours=2))
    await harness.run_due()
    return harness.api.last_message(sec.id)


async def recipient(harness: Harness, telegram_id: int) -> tuple[object, ...]:
    member = await harness.services.storage.members.by_telegram_id(telegram_id)
    assert member is not None
    row = await harness.services.storage.db.fetchone(
        "SELECT acked_at IS NOT NULL, on_behalf_by, unreached FROM directive_recipients"
        " WHERE member_id = ?",
        (member.id,),
    )
    assert row is not None
    return tuple(row)


async def test_an_acknowledgement_by_phone_counts_once_and_the_member_is_told(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    listed = await silent_list(harness, sec, members)
    assert labels(listed) == ["📞 Bo", "📞 Cy", "Open the directive"]
    [asked] = await harness.send(sec, sec.press(listed, "📞 Cy"))
    assert asked.text is not None and asked.text.startswith(
        "📞 Reached by phone: Cy (Riverside Branch 1)"
    )
    assert labels(asked) == ["✅ Acknowledged", "🚫 Could not be reached", "Cancel"]
    [done] = await harness.send(sec, sec.press(asked, "✅ Acknowledged"))
    assert done.text == "📞 Recorded for Cy, on their behalf by you: acknowledged."
    sue = await harness.services.storage.members.by_telegram_id(sec.id)
    assert sue is not None
    assert await recipient(harness, 613) == (1, sue.id, None)
    # A second press of the same list records nothing more.
    [again] = await harness.send(sec, sec.press(listed, "📞 Cy"))
    assert again.text == "Cy has been heard from meanwhile: nothing was recorded."
    phoned = await harness.services.storage.db.fetchone("SELECT COUNT(*) FROM directive_phone")
    assert phoned is not None and phoned[0] == 1
    audit = await harness.services.storage.audit.recent()
    assert [e.action for e in audit if e.outcome == "ok"][-1] == "record_on_behalf"
    # Cy is told the next time they write, once.
    cy = members[2]
    replies = await harness.send(cy, cy.command("help"))
    told = [m.text or "" for m in replies]
    assert told[0].startswith(
        "📞 Your secretary Sue Secretary recorded that you acknowledged the directive"
        " “Report to the school gym by 20:00.”, by phone on"
    )
    replies = await harness.send(cy, cy.command("help"))
    assert not any((m.text or "").startswith("📞") for m in replies)
