"""The register's link offers (issue #18) go through the outbox: queued in the transaction
that adds the member who joined by a general invite, sent by the delivery engine (paced,
retried, after a restart too), worded when sent and dropped once answered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.org.register import KIND_LINK_OFFER
from handlers.kit.slots import DELIVERY
from storage import Storage
from storage.models import Role
from tests.flows.conftest import Harness, build_app
from tests.flows.test_directives import crash_next_enqueue
from tests.flows.test_register import joined, register_and_secretary

SAM, WU, ANN = 702, 703, 803
OFFER_EN = (
    "👤 Ann Lee joined Riverside Branch 1 by a general invite. The register has Ann Lee"
    " (phone …8000), not joined yet. Same person?"
)
OFFER_ZH = (
    "👤 Ann Lee通过通用邀请加入了Riverside Branch 1。名册中有尚未加入的Ann Lee"
    "（电话尾号8000）。是同一人吗？"
)


async def two_secretaries(harness: Harness, tmp_path: Path) -> None:
    """The register; Sam (English) and Wu (Chinese), secretaries of Riverside."""
    await register_and_secretary(harness, tmp_path)
    await harness.join(harness.person(WU, "Wu", language="zh"), "RIV", Role.SECRETARY)


async def offer_rows(harness: Harness) -> list[tuple[int, str, str]]:
    """The queued offers: (chat, status, payload as stored)."""
    rows = await harness.services.storage.db.fetchall(
        "SELECT chat_id, status, payload FROM outbox WHERE kind = ? ORDER BY chat_id",
        (KIND_LINK_OFFER,),
    )
    return [(r[0], r[1], r[2]) for r in rows]


def offers_to(harness: Harness, chat_id: int) -> list[str]:
    return [m.text or "" for m in harness.api.sent_to(chat_id) if "Ann Lee" in (m.text or "")]


async def test_offers_are_queued_with_the_join_and_sent_by_the_outbox(
    harness: Harness, tmp_path: Path
) -> None:
    await two_secretaries(harness, tmp_path)
    ann = await harness.join(harness.person(ANN, "Ann Lee"), "RIV-1")
    # Committed with the join, not sent yet: ids and a language, nothing personal.
    entry = (await harness.services.storage.register.unlinked((await harness.unit("RIV-1")).id))[0]
    payload = f'{{"entry":{entry.id},"member":{ann.id},"language":'
    assert await offer_rows(harness) == [
        (SAM, "pending", payload + '"en"}'),
        (WU, "pending", payload + '"zh"}'),
    ]
    assert offers_to(harness, SAM) == offers_to(harness, WU) == []
    assert await harness.run_due() == 2
    assert offers_to(harness, SAM) == [OFFER_EN]
    assert offers_to(harness, WU) == [OFFER_ZH]
    assert [label for label, _ in harness.api.last_message(WU).buttons] == ["🔗 关联", "不是同一人"]
    assert [status for _, status, _ in await offer_rows(harness)] == ["sent", "sent"]


async def test_a_crash_while_queuing_the_offers_undoes_the_join(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction: no member without their offers. Ann opens the link again and
    joins, and the offers go out."""
    await two_secretaries(harness, tmp_path)
    token = await harness.invite("RIV-1")
    ann = harness.person(ANN, "Ann Lee")
    crash_next_enqueue(harness, monkeypatch)
    with pytest.raises(RuntimeError):
        await harness.send(ann, ann.command("start", token))
    storage = harness.services.storage
    assert await storage.members.by_telegram_id(ANN) is None
    assert await offer_rows(harness) == []
    [invite] = await storage.db.fetchall("SELECT uses FROM invites ORDER BY id DESC LIMIT 1")
    assert invite[0] == 0  # the use was given back with the rest
    await harness.send(ann, ann.command("start", token))
    assert await storage.members.by_telegram_id(ANN) is not None
    assert await harness.run_due() == 2
    assert offers_to(harness, SAM) == [OFFER_EN]


async def test_queued_offers_survive_a_restart(harness: Harness, tmp_path: Path) -> None:
    """The bot stops right after the join: the next start sends the offers, once."""
    await register_and_secretary(harness, tmp_path)
    await harness.join(harness.person(ANN, "Ann Lee"), "RIV-1")
    live = harness.services
    # What a worker had claimed when the process died goes back first (as at a start).
    assert len(await live.storage.outbox.claim(harness.clock.now(), 10)) == 1
    storage = await Storage.open(live.settings.storage.target)
    try:
        assert await storage.outbox.recover() == 1
        restarted = await build_app(live.settings, storage, harness.clock, harness.api)
        async with restarted:
            assert await DELIVERY.of(restarted).drain() == 1
            assert await DELIVERY.of(restarted).drain() == 0
    finally:
        await storage.close()
    assert offers_to(harness, SAM) == [OFFER_EN]


async def test_a_failed_send_is_retried(harness: Harness, tmp_path: Path) -> None:
    """Telegram answers Sam's copy with a 429 and Wu's with a 502: both stay queued and
    go out, once each, when retried; the buttons of the retried copy work."""
    await two_secretaries(harness, tmp_path)
    harness.api.rate_limit(5, method="sendMessage", chat_id=SAM)
    harness.api.fail_next("sendMessage", chat_id=WU, error_code=502, description="Bad Gateway")
    await harness.join(harness.person(ANN, "Ann Lee"), "RIV-1")
    await harness.run_due()
    assert offers_to(harness, SAM) == offers_to(harness, WU) == []
    assert [status for _, status, _ in await offer_rows(harness)] == ["pending", "pending"]
    harness.clock.advance(timedelta(seconds=6))
    await harness.run_due()
    assert [status for _, status, _ in await offer_rows(harness)] == ["sent", "sent"]
    assert offers_to(harness, SAM) == [OFFER_EN]
    assert offers_to(harness, WU) == [OFFER_ZH]
    sam = harness.person(SAM, "Sam")
    [done] = await harness.send(sam, sam.press(harness.api.last_message(SAM), "🔗 Link"))
    assert done.text == "🔗 Ann Lee is now linked to the register's Ann Lee."
    assert await joined(harness) == [True, False]


async def test_an_offer_answered_before_its_copy_went_out_is_dropped(
    harness: Harness, tmp_path: Path
) -> None:
    """Wu's copy waits on a 429; Sam links meanwhile: Wu is not asked any more."""
    await two_secretaries(harness, tmp_path)
    harness.api.rate_limit(30, method="sendMessage", chat_id=WU)
    await harness.join(harness.person(ANN, "Ann Lee"), "RIV-1")
    await harness.run_due()
    assert offers_to(harness, WU) == []
    sam = harness.person(SAM, "Sam")
    await harness.send(sam, sam.press(harness.api.last_message(SAM), "🔗 Link"))
    harness.clock.advance(timedelta(minutes=1))
    await harness.run_due()
    assert offers_to(harness, WU) == []
    statuses = [(chat, status) for chat, status, _ in await offer_rows(harness)]
    assert statuses == [(SAM, "sent"), (WU, "cancelled")]
