"""A reply that meets Telegram's flood limit still arrives.

The outbox paces itself to ``delivery.rate_per_second`` (28) of Telegram's 30 messages a
second; the handlers' replies now take their slots from the same pacer and wait out a 429
(bot/delivery/reply_pacing.py). The fault run in ``bench.crash`` once saw the opposite: five people
who had written during an outage were answered together, and one got 429 and then
"Something went wrong" instead of /help. Here the 429 is given directly. A Bad Gateway
(5xx) is waited out too, with a short back-off.
"""

from __future__ import annotations

from datetime import timedelta

from tests.flows.conftest import Harness
from tests.flows.conftest import harness as harness  # the fixture, for this module too


async def test_a_reply_that_meets_the_flood_limit_still_arrives(harness: Harness) -> None:
    stan = harness.person(7301, "Stan")
    # The outbox has used up this second: Telegram asks the bot to wait a second.
    harness.api.rate_limit(1, method="sendMessage", chat_id=stan.id)
    before = harness.clock.now()
    replies = await harness.send(stan, stan.command("help"))
    assert [(r.text or "").split("\n")[0] for r in replies] == ["What you can do"]
    assert harness.clock.now() - before >= timedelta(seconds=1)  # it waited, then sent
    assert harness.api.too_many_requests == 1


async def test_an_edit_that_meets_the_flood_limit_still_happens(harness: Harness) -> None:
    yan = harness.person(406, "Yan")
    await harness.join(yan, "RIV-1")
    [choice] = await harness.send(yan, yan.command("language"))
    harness.api.rate_limit(2, method="editMessageText", chat_id=yan.id)
    [done] = await harness.send(yan, yan.press(choice, "简体中文"))
    assert done.text == "语言已设为简体中文。"
    assert harness.api.too_many_requests == 1


async def test_a_reply_that_meets_two_bad_gateways_still_arrives(harness: Harness) -> None:
    yan = harness.person(407, "Yan")
    await harness.join(yan, "RIV-1")
    harness.api.fail_next(
        "sendMessage", chat_id=yan.id, error_code=502, description="Bad Gateway", times=2
    )
    before = harness.clock.now()
    replies = await harness.send(yan, yan.command("me"))
    assert [(r.text or "").split("\n")[0] for r in replies] == ["Yan"]  # the profile
    assert harness.clock.now() - before == timedelta(seconds=1.5)  # 0.5 s, then 1 s later
    failed = [c for c in harness.api.calls_of("sendMessage") if c.chat_id == yan.id and not c.ok]
    assert len(failed) == 2  # and no "Something went wrong" after the answer
