"""Updates through the running application's queue, as polling and the webhook hand them
over: another chat is answered while one waits on a slow Bot API call, and one chat's
updates (a form answered in quick taps) are handled in order, as one at a time did.

A "slow call" is held by the test on an event and released by it: no sleeping."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, closing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from app.inbox import INBOX
from fakeapi import FakeBotApi, FakeUser
from fakeapi.core import JSON
from storage import Storage
from tests.flows.conftest import Harness, build_app
from tests.flows.test_checkin import answers_of, local, newest
from tests.unit.test_checkins import form

Push = Callable[[JSON], Awaitable[None]]
HELP = "What you can do"  # the first line of /help, to a member


@asynccontextmanager
async def running(harness: Harness, *held: asyncio.Event) -> AsyncIterator[Push]:
    """The application started (its queue drained by PTB through the update processor);
    yields a function that hands it one update as the webhook does: stored in the inbox,
    then queued. The ``held`` calls are let go before it stops (PTB's stop waits for every
    update), also when a check failed."""
    app = harness.app
    assert app.job_queue is not None
    for job in app.job_queue.jobs():  # the tick is not under test here
        job.schedule_removal()
    inbox = INBOX.of(app)

    async def push(update: JSON) -> None:
        update = harness.api.observe_update(update)
        assert await inbox.receive([update])
        await app.update_queue.put(Update.de_json(update, app.bot))

    await app.start()
    try:
        yield push
    finally:
        for release in held:
            release.set()
        await app.stop()
    assert harness.driver.errors == []


def hold(
    api: FakeBotApi, method: str, chat_id: int, reached: asyncio.Event | None = None
) -> asyncio.Event:
    """The next ``method`` call to ``chat_id`` waits (unanswered, unrecorded) until the
    returned event is set: a slow round trip to Telegram. ``reached`` is set once it
    waits."""
    inner = api.handler(method)
    release = asyncio.Event()
    held = False

    async def slow(params: JSON) -> Any:
        nonlocal held
        if not held and int(params.get("chat_id", 0)) == chat_id:
            held = True
            if reached is not None:
                reached.set()
            await release.wait()
        result = inner(params)
        return await result if asyncio.iscoroutine(result) else result

    api.register(method, slow)
    return release


def texts_to(api: FakeBotApi, chat_id: int, since: int) -> list[str]:
    """The messages sent to ``chat_id`` by the calls from index ``since`` on."""
    return [
        c.message.text or ""
        for c in api.calls[since:]
        if c.method == "sendMessage" and c.chat_id == chat_id and c.message is not None
    ]


@pytest.fixture
async def members(harness: Harness) -> tuple[FakeUser, FakeUser]:
    ann, ben = harness.person(801, "Ann"), harness.person(802, "Ben")
    await harness.join(ann, "RIV-1")
    await harness.join(ben, "RIV-1")
    return ann, ben


async def test_a_chat_is_answered_while_another_waits_and_that_ones_next_waits_its_turn(
    harness: Harness, members: tuple[FakeUser, FakeUser]
) -> None:
    ann, ben = members
    api = harness.api
    release, mark = hold(api, "sendMessage", ann.id), len(api.calls)
    async with running(harness, release) as push:
        await push(ann.command("help"))
        await push(ann.command("cancel"))
        await push(ben.command("help"))
        # Ben is answered while Ann's answer is on its way; her second message waits.
        await api.wait_for_call("sendMessage", chat_id=ben.id, since=mark, within=5)
        assert texts_to(api, ann.id, mark) == []
        release.set()
        await harness.app.update_queue.join()
    help_text, cancelled = texts_to(api, ann.id, mark)
    assert help_text.startswith(HELP)
    assert cancelled == "There is nothing to cancel."


async def test_a_form_answered_in_quick_taps_goes_as_one_at_a_time(
    harness: Harness, members: tuple[FakeUser, FakeUser], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ann taps her answer, then types a bad temperature and a good one before the bot
    has answered the tap (its edit is slow); Ben checks in meanwhile. Each of Ann's
    updates meets the form where the one before left it."""
    ann, ben = members
    api = harness.api
    monkeypatch.setattr(harness.services.checkins, "form", form())
    harness.clock.set(local("2026-12-01 09:00"))
    release, mark = hold(api, "editMessageText", ann.id), len(api.calls)
    async with running(harness, release) as push:
        await push(ann.command("checkin"))
        await harness.app.update_queue.join()
        first = api.last_message(ann.id)
        await push(ann.press(first, "At post"))
        await push(ann.message("hot"))
        await push(ann.message("36.6"))
        await push(ben.command("checkin"))
        await api.wait_for_call("sendMessage", chat_id=ben.id, since=mark, within=5)
        assert texts_to(api, ann.id, mark) == [first.text]  # nothing after the held edit
        release.set()
        await harness.app.update_queue.join()
        step = newest(api.sent_to(ann.id))
        assert step.text is not None and step.text.startswith("Check-in 3/5 — Tasks")
        for button in ("Skip", "Skip", "Skip", "✅ Submit"):
            await push(ann.press(api.last_message(ann.id), button))
            await harness.app.update_queue.join()
    assert texts_to(api, ann.id, mark)[1:] == [
        "That is not a number. Send a number from 35 to 42 °C, or /cancel.",
        "Check-in 3/5 — Tasks\nChoose all that apply, then Done.",
    ]
    assert "✅ Checked in for Tue 1 Dec." in [m.text for m in api.sent_to(ann.id)]
    answers = await answers_of(harness, ann.id)
    assert answers["status"] == "post" and answers["temp"] == 36.6


async def test_an_update_is_marked_processed_only_once_handled(
    harness: Harness, members: tuple[FakeUser, FakeUser]
) -> None:
    """Ben's update, handled while Ann's waits on a slow call, is written down as
    processed; Ann's is not until it is handled (a crash now would replay hers only)."""
    ann, ben = members
    api, app = harness.api, harness.app
    inbox = INBOX.of(app)
    release, mark = hold(api, "sendMessage", ann.id), len(api.calls)
    async with running(harness, release) as push:
        assert await inbox.replay(app) == 0  # as at start: nothing left over; books kept
        await push(ann.command("help"))
        await push(ben.command("help"))
        await api.wait_for_call("sendMessage", chat_id=ben.id, since=mark, within=5)
        await inbox.settle(app)
        [left] = await harness.services.storage.inbox.unprocessed()
        assert left["message"]["chat"]["id"] == ann.id
        release.set()
        await app.update_queue.join()
        await inbox.settle(app)
        assert await harness.services.storage.inbox.unprocessed() == []


async def test_the_inbox_hooks_run_only_when_they_have_something_to_do(
    harness: Harness, members: tuple[FakeUser, FakeUser]
) -> None:
    """Every update passes the inbox's two hooks; one that matches costs it a coroutine
    and PTB's bookkeeping. The gate matches a resend only, the books only while kept."""
    ann, _ = members
    app = harness.app
    inbox = INBOX.of(app)
    payload = harness.api.observe_update(ann.command("help"))
    update = Update.de_json(payload, app.bot)
    [gate], [books] = app.handlers[-1000], app.handlers[1000]
    assert not gate.check_update(update) and not books.check_update(update)
    assert await inbox.receive([payload], gate=True) == [payload]
    assert not gate.check_update(update)
    assert await inbox.receive([payload], gate=True) == []  # Telegram sent it again
    assert gate.check_update(update)
    inbox.active = True
    assert books.check_update(update)


async def test_a_handled_update_is_written_down_at_once_not_on_the_next_second(
    harness: Harness, members: tuple[FakeUser, FakeUser], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With many chats at once, a second holds hundreds of handled updates: marked only
    once a second, a crash would handle them all again (a question asked twice). The
    inbox's bookkeeping marks one as soon as it is handled; here its periodic pass is an
    hour away, so only that can have done it."""
    ann, _ = members
    app, repo = harness.app, harness.services.storage.inbox
    inbox = INBOX.of(app)
    monkeypatch.setattr("app.inbox.SETTLE_SECONDS", 3600.0)
    marked, mark = asyncio.Event(), repo.mark_processed

    async def noting(ids: Sequence[int], now: datetime) -> None:
        await mark(ids, now)
        if ids:
            marked.set()

    monkeypatch.setattr(repo, "mark_processed", noting)
    stop = asyncio.Event()
    async with running(harness) as push:
        assert await inbox.replay(app) == 0
        books = asyncio.create_task(inbox.run(app, stop))
        try:
            await push(ann.command("help"))
            await asyncio.wait_for(marked.wait(), 5)
            assert await repo.unprocessed() == []
        finally:
            stop.set()
            await books


def crash_image(database: Path, image: Path) -> None:
    """What a SIGKILL now would leave: the committed content of the database."""
    with closing(sqlite3.connect(database)) as live, closing(sqlite3.connect(image)) as copy:
        live.backup(copy)


@pytest.mark.sqlite_only
async def test_a_crash_while_an_answer_is_half_handled_leaves_a_form_that_goes_on(
    harness: Harness, members: tuple[FakeUser, FakeUser], tmp_path: Path
) -> None:
    """Ann's answer has changed her draft and waits on its edit when the inbox writes
    down her /checkin (and, with it, the persistence); the bot dies there. Restarted,
    it handles her answer again and she can submit: her half-changed draft, a question
    ahead of her conversation, was not what was stored (every button of hers would say
    it no longer applies)."""
    ann, _ = members
    api, app = harness.api, harness.app
    harness.clock.set(local("2026-12-01 09:00"))
    inbox = INBOX.of(app)
    reached = asyncio.Event()
    release = hold(api, "editMessageText", ann.id, reached)
    image = tmp_path / "crashed.db"
    async with running(harness, release) as push:
        assert await inbox.replay(app) == 0
        await push(ann.command("checkin"))
        await app.update_queue.join()
        question = api.last_message(ann.id)
        await push(ann.press(question, "At my post"))
        await asyncio.wait_for(reached.wait(), 5)
        await inbox.settle(app)
        crash_image(harness.services.settings.storage.database, image)

    # The restart: the same Telegram, the database as the crash left it.
    live = harness.services.settings
    settings = live.model_copy(
        update={"storage": live.storage.model_copy(update={"database": image})}
    )
    storage = await Storage.open(image)
    mark = len(api.calls)
    restarted = await build_app(settings, storage, harness.clock, api)
    async with restarted:
        await INBOX.of(restarted).replay(restarted)
        await restarted.start()
        try:
            await restarted.update_queue.join()
            # Her answer is on the question she pressed (a replayed /checkin may ask anew).
            confirm = next(m for m in api.sent_to(ann.id) if "✅ Submit" in dict(m.buttons))
            update = api.observe_update(ann.press(confirm, "✅ Submit"))
            await restarted.update_queue.put(Update.de_json(update, restarted.bot))
            await restarted.update_queue.join()
        finally:
            await restarted.stop()
    await storage.close()
    toasts = [c.params.get("text") for c in api.calls[mark:] if c.method == "answerCallbackQuery"]
    assert not [t for t in toasts if str(t).startswith("This button no longer applies")]
    assert "✅ Checked in for Tue 1 Dec." in [m.text for m in api.sent_to(ann.id)]
