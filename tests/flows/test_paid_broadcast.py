"""Paid broadcasts as an admin lives them: the ⚡ choice in the preview, its estimate and
cap, the paid sends, and Telegram refusing for a low Star balance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.config import Settings
from bot.directives.buttons import NeedAck, SendDirective, TargetsDone, Urgent, When
from fakeapi import ApiCall, FakeUser, SentMessage
from storage.models import Role
from storage.outbox import NewMessage
from tests.conftest import ADMIN_ID
from tests.flows.conftest import Harness
from tests.flows.test_directives import labels, typed

MEMBERS = 1000
FIRST_ID = 50_000  # the members' Telegram ids: FIRST_ID, FIRST_ID + 1, …

# What the composer shows, per language: the paid button, the preview's cost line, the
# refusal over the cap, the button back to the free rate.
WORDS = {
    "en": (
        "⚡ Urgent (paid)",
        "⚡ Urgent (paid): about 97 ⭐ for 1,000 members at up to 1,000/s"
        " (cap 100 ⭐ per directive).",
        "⚠️ About 97 ⭐ for 1,000 members is over the cap of 50 ⭐ per directive."
        " Send it at the free rate, or choose fewer units.",
        "Send at the free rate instead",
    ),
    "zh": (
        "⚡ 付费加急",
        "⚡ 付费加急：发给1,000名成员，每秒最多1,000条，预计约97 ⭐（每条通知上限100 ⭐）。",
        "⚠️ 发给1,000名成员预计约97 ⭐，超出每条通知50 ⭐的上限。请按免费速率发送，或少选几个单位。",
        "改为免费速率发送",
    ),
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The tests' settings with paid broadcasts on: 1,000/s, at most 100 Stars."""
    paid = {"paid_broadcast": True, "paid_rate_per_second": 1000, "paid_budget_stars": 100}
    return settings.model_copy(update={"delivery": settings.delivery.model_copy(update=paid)})


@pytest.fixture(autouse=True)
async def crowd(harness: Harness) -> None:
    """A thousand members in one branch; check-ins off, so only the directive goes out."""
    branch = await harness.unit("RIV-1")
    people = [(FIRST_ID + i, f"M{i}", None, "en", branch.id) for i in range(MEMBERS)]
    await harness.services.storage.members.add_many(people, harness.clock.now())
    form = harness.services.checkins.form.model_copy(
        update={"days_off": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}
    )
    harness.services.checkins.form = form


async def preview(harness: Harness, author: FakeUser, unit: str) -> SentMessage:
    """Compose a directive to ``unit`` (its label) up to the preview."""
    [step] = await harness.send(author, author.command("directive"))
    [step] = await harness.send(author, author.press(step, unit))
    [step] = await harness.send(author, author.press_data(step.message_id, TargetsDone().pack()))
    step = typed(await harness.send(author, author.message("Evacuate the riverbank now.")))
    [step] = await harness.send(author, author.press_data(step.message_id, NeedAck(False).pack()))
    [step] = await harness.send(author, author.press_data(step.message_id, When(None).pack()))
    return step


def to_members(harness: Harness) -> list[ApiCall]:
    """Every sendMessage to the crowd, in order."""
    return [
        c
        for c in harness.api.calls_of("sendMessage")
        if c.chat_id is not None and FIRST_ID <= c.chat_id < FIRST_ID + MEMBERS
    ]


async def audit_lines(harness: Harness) -> list[tuple[str, str, str]]:
    rows = await harness.services.storage.db.fetchall(
        "SELECT action, outcome, detail FROM audit_log WHERE action = 'paid_broadcast'"
    )
    return [(r["action"], r["outcome"], r["detail"]) for r in rows]


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_urgent_paid_directive_shows_its_cost_and_goes_out_paid(
    harness: Harness, language: str
) -> None:
    paid_button, cost, _, free_button = WORDS[language]
    admin = harness.person(ADMIN_ID, "Ada Admin", language=language)
    await harness.join(admin, "CITY")  # a member, so the tally comes in their language
    step = await preview(harness, admin, "☐ Riverside Branch 1 (1000)")
    assert step.buttons[1][0] == paid_button
    [step] = await harness.send(admin, admin.press(step, paid_button))
    assert step.text is not None and step.text.endswith(cost)
    assert step.buttons[1][0] == free_button  # and back: the free rate, without the line
    [free] = await harness.send(admin, admin.press(step, free_button))
    assert free.text is not None and "⭐" not in free.text
    [step] = await harness.send(admin, admin.press(free, paid_button))
    [done] = await harness.send(admin, admin.press_data(step.message_id, SendDirective().pack()))
    directive = (await harness.services.storage.directives.recent([], 1))[0]
    assert (directive.paid, directive.paid_estimate_stars, directive.paid_cap_stars) == (
        True,
        97,
        100,
    )
    assert await harness.run_due() == MEMBERS
    sends = to_members(harness)
    assert len(sends) == MEMBERS
    assert all(c.params.get("allow_paid_broadcast") is True for c in sends)
    # The tally says it was paid (no Star charged here: the test's pacer sends at once).
    tally = harness.api.message(ADMIN_ID, done.message_id)
    assert tally is not None and tally.text is not None
    assert (
        tally.text.splitlines()[-1]
        == {
            "en": "⚡ Paid · about 0 ⭐ used (cap 100 ⭐)",
            "zh": "⚡ 付费加急 · 已用约0 ⭐（上限100 ⭐）",
        }[language]
    )
    [(_, outcome, detail)] = await audit_lines(harness)
    assert outcome == "ok"
    assert detail == (
        f"directive {directive.id}: about 97 stars for 1000 recipients at up to 1000/s, cap 100"
    )


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_an_estimate_over_the_cap_is_refused(
    harness: Harness, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    paid_button, _, refusal, _ = WORDS[language]
    directives = harness.services.directives
    assert directives.paid is not None
    monkeypatch.setattr(
        directives, "paid", directives.paid.model_copy(update={"paid_budget_stars": 50})
    )
    admin = harness.person(ADMIN_ID, "Ada Admin", language=language)
    step = await preview(harness, admin, "☐ Riverside Branch 1 (1000)")
    [answer] = await harness.send(admin, admin.press(step, paid_button))
    assert answer.text == refusal
    unchanged = harness.api.message(ADMIN_ID, step.message_id)
    assert unchanged is not None and unchanged.text == step.text  # still the free preview
    assert [line[0] for line in unchanged.buttons] == labels(step)
    # Sending it now goes at the free rate.
    await harness.send(admin, admin.press_data(step.message_id, SendDirective().pack()))
    directive = (await harness.services.storage.directives.recent([], 1))[0]
    assert not directive.paid
    await harness.run_due()
    assert not any(
        c.params.get("allow_paid_broadcast") for c in harness.api.calls_of("sendMessage")
    )


async def test_a_secretary_is_not_offered_paid_broadcasts_nor_can_forge_them(
    harness: Harness,
) -> None:
    sue = harness.person(601, "Sue Secretary", username="sue")
    await harness.join(sue, "RIV", Role.SECRETARY)
    step = await preview(harness, sue, "☐ Riverside Branch 1 (1000)")
    assert "⚡ Urgent (paid)" not in labels(step)
    replies = await harness.send(sue, sue.press_data(step.message_id, Urgent(True).pack()))
    assert replies.callback_answers[0].text == "You are not allowed to do that here."
    [(_, outcome, _)] = [
        line
        for line in await harness.services.storage.db.fetchall(
            "SELECT action, outcome, detail FROM audit_log WHERE action = 'paid_broadcast'"
        )
    ]
    assert outcome == "denied"


async def test_a_low_star_balance_sends_the_rest_free_and_tells_the_author(
    harness: Harness,
) -> None:
    admin = harness.person(ADMIN_ID, "Ada Admin")
    step = await preview(harness, admin, "☐ Riverside Branch 1 (1000)")
    [step] = await harness.send(admin, admin.press(step, "⚡ Urgent (paid)"))
    [done] = await harness.send(admin, admin.press_data(step.message_id, SendDirective().pack()))
    harness.api.fail_next("sendMessage", error_code=400, description="Bad Request: BALANCE_TOO_LOW")
    await harness.run_due()
    sends = to_members(harness)
    refused = [c for c in sends if not c.ok]
    assert len(refused) == 1 and refused[0].params.get("allow_paid_broadcast") is True
    delivered = [c for c in sends if c.ok]
    assert sorted(c.chat_id or 0 for c in delivered) == list(range(FIRST_ID, FIRST_ID + MEMBERS))
    # Workers already past the pacer may have sent a few paid; everything after goes free.
    assert not any(c.params.get("allow_paid_broadcast") for c in delivered[-900:])
    tally = harness.api.message(ADMIN_ID, done.message_id)
    assert tally is not None and tally.text is not None
    assert tally.text.splitlines() == [
        "✅ Directive sent: 1,000 of 1,000 · 0 unreachable",
        "⚠️ Paid · about 0 ⭐ used: the bot's Star balance is too low, the rest at the free rate",
    ]
    notice = [m for m in harness.api.sent_to(ADMIN_ID) if m.text and "stopped" in m.text]
    assert [m.text for m in notice] == [
        "⚠️ Paid broadcast stopped: Telegram says the bot's Star balance is too low. The rest"
        " of the directive from Riverside Branch 1 goes at the free rate (about 30 a second);"
        " about 0 ⭐ used. Top up the bot's Stars to send paid broadcasts again."
    ]
    directive = (await harness.services.storage.directives.recent([], 1))[0]
    assert directive.paid_refused_at is not None


async def test_a_crash_while_queuing_the_low_balance_notice_loses_it_not(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = harness.person(ADMIN_ID, "Ada Admin")
    step = await preview(harness, admin, "☐ Riverside Branch 1 (1000)")
    [step] = await harness.send(admin, admin.press(step, "⚡ Urgent (paid)"))
    await harness.send(admin, admin.press_data(step.message_id, SendDirective().pack()))
    harness.api.fail_next("sendMessage", error_code=400, description="Bad Request: BALANCE_TOO_LOW")
    outbox = harness.services.storage.outbox
    enqueue_many = outbox.enqueue_many

    async def crash(conn: Any, rows: list[NewMessage], now: datetime) -> None:
        if any("stopped" in str(r.payload.get("text")) for r in rows):
            monkeypatch.setattr(outbox, "enqueue_many", enqueue_many)
            raise RuntimeError("killed while queuing the notice")
        await enqueue_many(conn, rows, now)

    monkeypatch.setattr(outbox, "enqueue_many", crash)
    with pytest.raises(RuntimeError):
        await harness.run_due()
    await harness.run_due()  # after the restart
    notice = [m for m in harness.api.sent_to(ADMIN_ID) if m.text and "stopped" in m.text]
    assert len(notice) == 1
