"""The ``/directive`` draft (and a member's answer follow-up) across an upgrade: one the
old code left in the database (a plain dict) goes on where it stopped, or, when it no
longer fits, ends with a clear answer in the person's language and changes nothing."""

from __future__ import annotations

import json

import pytest

from bot.directives.questions import Choice, NumberQuestion, Question, Reason
from fakeapi import ChatDriver, FakeUser
from handlers.kit.common import MusterApp
from storage.models import Role
from tests.flows.conftest import Harness, build_app
from tests.flows.test_answers import ask
from tests.flows.test_asking import stored_question, to_answers
from tests.flows.test_directives import labels, members, no_checkins, sec, typed

__all__ = ["members", "no_checkins", "sec"]  # fixtures, used by name


async def _restarted(
    harness: Harness, user_id: int, draft: object, key: str = "directive"
) -> MusterApp:
    """A second application on the same database, the person's stored draft under ``key``
    replaced by ``draft`` (as an older version of Muster left it)."""
    await harness.app.update_persistence()
    services = harness.services
    db = services.storage.db
    [row] = await db.fetchall("SELECT data FROM ptb_user_data WHERE user_id = ?", (user_id,))
    data = json.loads(row["data"])
    assert key in data  # the flow is under way
    data[key] = draft
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE ptb_user_data SET data = ? WHERE user_id = ?", (json.dumps(data), user_id)
        )
    return await build_app(services.settings, services.storage, harness.clock, harness.api)


async def test_a_draft_the_old_code_stored_mid_question_goes_on(
    harness: Harness, sec: FakeUser, members: list[FakeUser]
) -> None:
    step = await to_answers(harness, sec)
    step = typed(await harness.send(sec, sec.message("Coming")))
    step = typed(await harness.send(sec, sec.message("Not coming")))
    district = await harness.unit("RIV")
    # The dict the old code kept at this step: a choice's number as [prompt, low, high].
    old = {
        "sel": {str(district.id): "all"},
        "page": 0,
        "msg": step.message_id,
        "text": "Heavy snow: who can clear the roads?",
        "ack": True,
        "ask": [
            {"label": "Coming", "reason": "optional", "number": ["How many?", 1, 20]},
            {"label": "Not coming", "reason": "none", "number": None},
        ],
    }
    app2 = await _restarted(harness, sec.id, old)
    async with ChatDriver(app2, harness.api) as driver:
        # The choices shown are the stored ones, with their follow-ups.
        [step] = await driver.send(sec, sec.press(step, "1. Coming"))
        assert step.text is not None and "reason optional" in step.text
        [step] = await driver.send(sec, sec.press(step, "‹ Back"))
        [step] = await driver.send(sec, sec.press(step, "Continue ›"))
        [step] = await driver.send(sec, sec.press(step, "18:00 today"))
        [preview] = await driver.send(sec, sec.press(step, "Now"))
        assert preview.text is not None
        assert preview.text.startswith("Preview — 3 members in 1 unit will receive this.")
        assert labels(preview)[:2] == ["Coming", "Not coming"]
        [done] = await driver.send(sec, sec.press(preview, "✅ Send"))
    assert done.text == "Sending… 0 / 3 sent · 0 unreachable"
    assert await stored_question(harness) == Question(
        (
            Choice("Coming", Reason.OPTIONAL, NumberQuestion("How many?", 1, 20)),
            Choice("Not coming"),
        )
    )


@pytest.mark.parametrize(
    "old",
    [
        {"units": [1], "body": "Heavy snow"},  # keys this version does not know
        {"sel": {"1": "some"}, "text": "Heavy snow"},  # a target mode it does not know
        {"sel": {}, "ask": [{"text": "Coming"}]},  # a choice without its label
        {"sel": {}, "deadline": "18:00"},  # not a time it can read
    ],
)
async def test_a_draft_that_no_longer_fits_ends_with_a_clear_answer(
    harness: Harness, members: list[FakeUser], old: dict[str, object]
) -> None:
    chen = harness.person(602, "Chen", language="zh")
    await harness.join(chen, "RIV", Role.SECRETARY)
    [step] = await harness.send(chen, chen.command("directive"))
    [step] = await harness.send(chen, chen.press(step, labels(step)[0]))
    app2 = await _restarted(harness, chen.id, old)
    async with ChatDriver(app2, harness.api) as driver:
        replies = await driver.send(chen, chen.press(step, labels(step)[-2]))  # Continue
        assert replies.texts == [
            "此操作是在机器人更新前开始的，现已失效，未做任何更改。请重新开始。"
        ]
        # The flow is over: the old keyboard changes nothing, and starting again works.
        again = await driver.send(chen, chen.press(step, labels(step)[-2]))
        assert again.callback_answers[0].text == "此按钮已失效，未做任何更改。"
        [step] = await driver.send(chen, chen.command("directive"))
        assert step.buttons
    assert await harness.services.storage.db.fetchall("SELECT id FROM directives") == []


@pytest.mark.parametrize(
    ("old", "answer"),
    [
        ("same", "✅ 已记录，谢谢。"),  # the old code's {"directive": id}
        ({"directive_id": 1}, "此操作是在机器人更新前开始的，现已失效，未做任何更改。请重新开始。"),
    ],
)
async def test_an_answer_follow_up_the_old_code_stored(
    harness: Harness, sec: FakeUser, members: list[FakeUser], old: object, answer: str
) -> None:
    directive = await ask(harness, sec)
    bo = members[1]
    await harness.send(bo, bo.press(harness.api.last_message(bo.id), "I cannot"))
    draft = {"directive": directive.id} if old == "same" else old
    app2 = await _restarted(harness, bo.id, draft, key="directive_answer")
    async with ChatDriver(app2, harness.api) as driver:
        replies = await driver.send(bo, bo.message("今晚值守"))
    assert replies.texts[-1] == answer
