"""The delivery engine over the real PTB Bot and the fake Bot API: order, pacing, every
failure Telegram can answer with, crash recovery and a graceful stop."""

from __future__ import annotations

import asyncio
import itertools
import random
import sqlite3
import warnings
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import RetryAfter, TimedOut
from telegram.request import BaseRequest

from bot.config import DeliverySettings
from bot.delivery.answers import retry_after_seconds
from bot.delivery.burst import GroupCommit
from bot.delivery.engine import DeliveryEngine
from bot.delivery.outgoing import (
    ATTACHMENT_SENT_KEY,
    Attachment,
    Outcome,
    Outgoing,
    Renderer,
    notice_message,
)
from bot.delivery.pacer import Pacer
from bot.directives.drafting import Draft
from bot.directives.schedule import DirectiveRenderers
from bot.kit.clock import FakeClock
from bot.services import Services
from fakeapi import FakeBotApi, FakeRequest
from storage import Storage
from storage.db import to_db_time
from storage.directives import Target
from storage.models import AttachmentKind, Role
from storage.outbox import NewMessage, OutboxRow, OutboxStatus, Priority
from storage.units import UnitSpec
from tests.orgdata import load_tree
from tests.unit.test_pacer import Timeline, most_in_window

TOKEN = "123:ABC"


class GatedRequest(FakeRequest):
    """Holds every sendMessage until ``gate`` opens: a send caught in flight."""

    def __init__(self, api: FakeBotApi) -> None:
        super().__init__(api)
        self.gate = asyncio.Event()
        self.entered = asyncio.Event()
        self.timeouts = 0  # the next this many sendMessage calls time out
        self.forms: list[dict[str, str]] = []  # each sendMessage as PTB encodes it

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        if url.endswith("/sendMessage"):
            request_data = kwargs.get("request_data", args[0] if args else None)
            if request_data is not None:
                self.forms.append(request_data.json_parameters)
            if self.timeouts:
                self.timeouts -= 1
                raise TimedOut()
            self.entered.set()
            await self.gate.wait()
        return await super().do_request(url, method, *args, **kwargs)


@pytest.fixture
def api(clock: FakeClock) -> FakeBotApi:
    return FakeBotApi(clock=clock.now)


@pytest.fixture
def request_(api: FakeBotApi) -> GatedRequest:
    request = GatedRequest(api)
    request.gate.set()
    return request


@pytest.fixture
async def bot(api: FakeBotApi, request_: BaseRequest) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, request=request_, get_updates_request=FakeRequest(api))
    await bot.initialize()
    yield bot
    await bot.shutdown()


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 23's retry_after type, so PTB does not warn on every 429."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


def engine(
    storage: Storage,
    bot: Bot,
    clock: FakeClock,
    *,
    pacer: Pacer | None = None,
    renderers: dict[str, Renderer] | None = None,
    outcomes: list[Outcome] | None = None,
    **delivery: Any,
) -> DeliveryEngine:
    async def record(outcome: Outcome) -> None:
        if outcomes is not None:
            outcomes.append(outcome)

    return DeliveryEngine(
        storage,
        bot,
        clock,
        DeliverySettings(**delivery),
        renderers or {},
        pacer or Pacer.unlimited(),
        on_outcome=record,
        rng=random.Random(1),
        idle_poll_seconds=60,
    )


async def queue(storage: Storage, clock: FakeClock, *messages: NewMessage) -> list[int]:
    return [await storage.outbox.enqueue(m, clock.now()) for m in messages]


def notice(chat_id: int, clock: FakeClock, text: str = "hello", **kw: Any) -> NewMessage:
    kw.setdefault("not_before", clock.now())
    return notice_message(chat_id, text, **kw)


async def row(storage: Storage, row_id: int) -> OutboxRow:
    found = await storage.outbox.get(row_id)
    assert found is not None
    return found


async def add_member(storage: Storage, clock: FakeClock, telegram_id: int) -> int:
    await storage.units.sync_tree([UnitSpec("U", "Unit", None, None)], clock.now())
    unit = await storage.units.by_code("U")
    assert unit is not None
    await storage.members.add_many([(telegram_id, "Mei", None, "en", unit.id)], clock.now())
    member = await storage.members.by_telegram_id(telegram_id)
    assert member is not None
    return member.id


async def unreachable_since(storage: Storage, member_id: int) -> str | None:
    found = await storage.db.fetchone(
        "SELECT unreachable_since FROM members WHERE id = ?", (member_id,)
    )
    assert found is not None
    return found["unreachable_since"]  # type: ignore[no-any-return]


async def statuses(storage: Storage) -> dict[str, int]:
    found = await storage.db.fetchall("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
    return {r["status"]: r["n"] for r in found}


def texts_to(api: FakeBotApi, chat_id: int) -> list[str | None]:
    return [m.text for m in api.sent_to(chat_id)]


# ---------------------------------------------------------------- order and form


async def test_due_rows_go_out_most_urgent_first_as_html_without_previews(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    ids = await queue(
        storage,
        clock,
        *(notice(c, clock, f"bulk {c}", priority=Priority.BULK) for c in (1, 2, 3)),
        notice(4, clock, "reminder", priority=Priority.REMINDER),
        notice(5, clock, "<b>now</b>", buttons=[[("OK", "ok:1")]]),
        notice(6, clock, "later", not_before=clock.now() + timedelta(minutes=1)),
    )
    assert await engine(storage, bot, clock, concurrency=1).drain() == 5
    sends = api.calls_of("sendMessage")
    assert [c.chat_id for c in sends] == [5, 4, 1, 2, 3]
    assert sends[0].params["parse_mode"] == "HTML"
    assert sends[0].params["link_preview_options"] == {"is_disabled": True}
    first = api.last_message(5)
    assert (first.text, first.buttons) == ("now", [("OK", "ok:1")])
    sent = await row(storage, ids[4])
    assert (sent.status, sent.message_id, sent.sent_at, sent.attempts) == (
        OutboxStatus.SENT,
        first.message_id,
        clock.now(),
        1,
    )
    assert (await row(storage, ids[5])).status == OutboxStatus.PENDING
    assert await storage.outbox.next_due_at() == clock.now() + timedelta(minutes=1)
    # Rows read back carry the level they were queued with, not a bare number.
    assert (await row(storage, ids[3])).priority is Priority.REMINDER


@pytest.mark.parametrize("concurrency", [1, 8])
async def test_pacer_spaces_sends_per_chat_and_overall(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock, concurrency: int
) -> None:
    timeline = Timeline()
    api.enforce_limits(per_second=29, per_chat_per_second=1, clock=timeline.monotonic)
    pacer = Pacer.from_settings(
        DeliverySettings(), monotonic=timeline.monotonic, sleep=timeline.sleep
    )
    await queue(
        storage,
        clock,
        *(notice(1, clock, f"to one #{n}") for n in range(4)),
        *(notice(chat, clock) for chat in range(100, 190)),
    )
    delivery = engine(storage, bot, clock, pacer=pacer, concurrency=concurrency)
    assert await delivery.drain() == 94
    assert api.too_many_requests == 0
    assert texts_to(api, 1) == [f"to one #{n}" for n in range(4)]  # in order
    ones = api.send_times[1]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(ones))
    everything = [t for times in api.send_times.values() for t in times]
    assert len(everything) == 94
    assert most_in_window(everything, 1.0) <= 29
    if concurrency == 1:  # one sender: the timeline is exact
        # Chat 1 waits out its second while other chats use the slots, then goes again.
        assert ones == [0.0, 1.0, 2.0, 3.0]
        assert timeline.now == 3.0  # 94 sends in 29-a-second windows: 0, 1, 2 and 3


async def test_the_engine_posts_what_send_message_would(
    storage: Storage, bot: Bot, clock: FakeClock, request_: GatedRequest
) -> None:
    buttons = [[("OK ✓", "ok:1")], [("稍后", "later:1")]]
    await queue(storage, clock, notice(5, clock, "<b>现在</b> now", buttons=buttons))
    await engine(storage, bot, clock).drain()
    await bot.send_message(
        5,
        "<b>现在</b> now",
        parse_mode=ParseMode.HTML,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        reply_markup=InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(label, callback_data=data) for label, data in line]
                for line in buttons
            ]
        ),
    )
    engine_form, ptb_form = request_.forms
    assert engine_form == ptb_form  # every field, encoded the same


# ---------------------------------------------------------------- what Telegram answers


def flood_paced(api: FakeBotApi) -> Pacer:
    """The shipped pacer on a fake timeline, and the fake API's limits on the same one."""
    timeline = Timeline()
    api.enforce_limits(clock=timeline.monotonic)
    pacer = Pacer.from_settings(
        DeliverySettings(), monotonic=timeline.monotonic, sleep=timeline.sleep
    )
    return pacer


async def test_a_429_holds_back_its_chat_while_the_broadcast_goes_on_at_full_pace(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    pacer = flood_paced(api)
    flooded = 7
    api.rate_limit(30, method="sendMessage", chat_id=flooded)
    first, second = await queue(
        storage, clock, notice(flooded, clock, "first"), notice(flooded, clock, "second")
    )
    await queue(storage, clock, *(notice(chat, clock) for chat in range(100, 156)))
    delivery = engine(storage, bot, clock, pacer=pacer, concurrency=4)
    await delivery.drain()
    waiting = await row(storage, first)
    assert (waiting.status, waiting.attempts) == (OutboxStatus.PENDING, 0)
    assert waiting.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert waiting.error is not None and "RetryAfter" in waiting.error
    assert (await row(storage, second)).status == OutboxStatus.PENDING  # behind the first
    # The 56 others went on at 28 a second: two seconds, not thirty.
    others = [t for chat in range(100, 156) for t in api.send_times[chat]]
    assert len(others) == 56 and max(others) < 3.0
    assert texts_to(api, flooded) == []
    clock.advance(timedelta(seconds=29))
    assert await delivery.drain() == 0  # not due yet
    clock.advance(timedelta(seconds=1))
    assert await delivery.drain() == 2
    assert texts_to(api, flooded) == ["first", "second"]  # in order, once each
    assert api.too_many_requests == 1


async def test_429s_from_several_chats_within_a_second_pause_every_send(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    pacer = flood_paced(api)
    for chat in range(1, 6):  # Telegram refuses the bot, whichever chat it writes to
        api.rate_limit(7, method="sendMessage", chat_id=chat)
    ids = await queue(storage, clock, *(notice(chat, clock) for chat in range(1, 21)))
    delivery = engine(storage, bot, clock, pacer=pacer, concurrency=1)
    assert await delivery.drain() == 20
    assert min(api.send_times[6]) >= 7.0  # the fifth 429 in a second paused everything
    assert sorted(api.send_times) == list(range(6, 21))
    clock.advance(timedelta(seconds=7))
    assert await delivery.drain() == 5
    assert [texts_to(api, c) for c in range(1, 21)] == [["hello"]] * 20
    assert {(await row(storage, i)).status for i in ids} == {OutboxStatus.SENT}
    assert api.too_many_requests == 5


async def test_server_errors_and_timeouts_back_off_then_succeed(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock, request_: GatedRequest
) -> None:
    api.fail_next("sendMessage", error_code=502, description="Bad Gateway")
    [row_id] = await queue(storage, clock, notice(1, clock))
    delivery = engine(storage, bot, clock)
    assert await delivery.drain() == 1
    first = await row(storage, row_id)
    assert (first.status, first.attempts, first.error) == (
        OutboxStatus.PENDING,
        1,
        "NetworkError: Bad Gateway",
    )
    assert clock.now() + timedelta(seconds=1) <= first.next_attempt_at
    assert first.next_attempt_at <= clock.now() + timedelta(seconds=2)
    clock.set(first.next_attempt_at)
    request_.timeouts = 1
    assert await delivery.drain() == 1
    second = await row(storage, row_id)
    assert (second.status, second.attempts) == (OutboxStatus.PENDING, 2)
    assert second.error is not None and second.error.startswith("TimedOut")
    assert clock.now() + timedelta(seconds=2) <= second.next_attempt_at
    assert second.next_attempt_at <= clock.now() + timedelta(seconds=4)
    clock.set(second.next_attempt_at)
    assert await delivery.drain() == 1
    done = await row(storage, row_id)
    assert (done.status, done.attempts, done.error) == (OutboxStatus.SENT, 3, None)
    assert texts_to(api, 1) == ["hello"]


async def test_network_errors_give_up_after_max_attempts(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    api.fail_next("sendMessage", error_code=500, description="Internal Server Error", times=9)
    [row_id] = await queue(storage, clock, notice(1, clock))
    delivery = engine(storage, bot, clock, max_attempts=3, max_backoff_seconds=0)
    assert await delivery.drain() == 3
    failed = await row(storage, row_id)
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 3)
    assert failed.error is not None and failed.error.endswith("(after 3 attempts)")
    assert len(api.calls_of("sendMessage")) == 3


async def test_blocked_member_is_unreachable_until_a_message_gets_through(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    member_id = await add_member(storage, clock, 4242)
    api.block(4242)
    outcomes: list[Outcome] = []
    delivery = engine(storage, bot, clock, outcomes=outcomes)
    [row_id] = await queue(storage, clock, notice(4242, clock, member_id=member_id))
    assert await delivery.drain() == 1
    gone = await row(storage, row_id)
    assert gone.status == OutboxStatus.UNREACHABLE
    assert gone.error == "Forbidden: bot was blocked by the user"
    assert await unreachable_since(storage, member_id) == to_db_time(clock.now())
    assert [(o.row.id, o.status) for o in outcomes] == [(row_id, OutboxStatus.UNREACHABLE)]
    api.unblock(4242)
    await queue(storage, clock, notice(4242, clock, member_id=member_id))
    await delivery.drain()
    assert await unreachable_since(storage, member_id) is None


async def test_chat_not_found_is_unreachable(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    api.chat_not_found(5)
    [row_id] = await queue(storage, clock, notice(5, clock))
    await engine(storage, bot, clock).drain()
    gone = await row(storage, row_id)
    assert (gone.status, gone.error) == (OutboxStatus.UNREACHABLE, "BadRequest: Chat not found")


async def test_bad_html_fails_once_and_is_not_retried(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    ids = await queue(storage, clock, notice(1, clock, "<b>unclosed"), notice(2, clock))
    delivery = engine(storage, bot, clock)
    assert await delivery.drain() == 2
    bad = await row(storage, ids[0])
    assert bad.status == OutboxStatus.FAILED
    assert bad.error is not None and "parse entities" in bad.error
    clock.advance(timedelta(hours=1))
    assert await delivery.drain() == 0
    assert len(api.calls_of("sendMessage")) == 2
    assert texts_to(api, 2) == ["hello"]


async def test_renderer_verdicts_obsolete_broken_and_unknown(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    async def obsolete(row: OutboxRow) -> Outgoing | None:
        return None

    async def broken(row: OutboxRow) -> Outgoing | None:
        raise ValueError("no such directive")

    def message(kind: str, chat: int) -> NewMessage:
        return NewMessage(kind, chat, None, None, Priority.NOTICE, {}, clock.now())

    ids = await queue(
        storage,
        clock,
        message("obsolete", 1),
        message("broken", 2),
        message("mystery", 3),
        notice(4, clock),
    )
    delivery = engine(storage, bot, clock, renderers={"obsolete": obsolete, "broken": broken})
    assert await delivery.drain() == 4
    states = [(await row(storage, i)).status for i in ids]
    assert states == ["cancelled", "failed", "failed", "sent"]
    assert [c.chat_id for c in api.calls_of("sendMessage")] == [4]
    assert "no renderer for kind 'mystery'" in ((await row(storage, ids[2])).error or "")


async def test_attachment_goes_first_once_and_the_text_carries_the_buttons(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    api.register_file({"file_id": "photo-1", "file_unique_id": "u1", "file_size": 3}, b"jpg")

    async def with_photo(row: OutboxRow) -> Outgoing:
        return Outgoing(
            "<b>Read this</b>",
            [[("Acknowledge", "ack:1")]],
            Attachment(AttachmentKind.PHOTO, "photo-1"),
        )

    api.rate_limit(3, method="sendMessage")  # the text fails once, after the photo went
    [row_id] = await queue(
        storage, clock, NewMessage("directive", 8, None, None, Priority.BULK, {}, clock.now())
    )
    delivery = engine(storage, bot, clock, renderers={"directive": with_photo})
    await delivery.drain()
    clock.advance(timedelta(seconds=3))
    await delivery.drain()
    assert [c.method for c in api.calls if c.ok and c.chat_id == 8] == ["sendPhoto", "sendMessage"]
    photo, text = api.sent_to(8)
    assert photo.text is None and "photo" in photo.raw
    assert (text.text, text.buttons) == ("Read this", [("Acknowledge", "ack:1")])
    done = await row(storage, row_id)
    assert (done.status, done.message_id) == (OutboxStatus.SENT, text.message_id)
    assert done.payload[ATTACHMENT_SENT_KEY] == photo.message_id


async def test_an_edit_replaces_the_earlier_message_or_sends_a_new_one(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    await queue(storage, clock, notice(9, clock, "Cover needed", buttons=[[("Take", "dt:cv:1")]]))
    delivery = engine(storage, bot, clock)
    await delivery.drain()
    [offer] = api.sent_to(9)
    targets = {"live": offer.message_id, "gone": 4242, "same": offer.message_id}

    async def note(row: OutboxRow) -> Outgoing:
        return Outgoing(f"<i>{row.payload['text']}</i>", edit=targets[row.payload["target"]])

    def edit(target: str, text: str) -> NewMessage:
        return NewMessage(
            "note", 9, None, None, Priority.NOTICE, {"target": target, "text": text}, clock.now()
        )

    [live] = await queue(storage, clock, edit("live", "Taken"))
    delivery = engine(storage, bot, clock, renderers={"note": note})
    await delivery.drain()
    [edited] = api.sent_to(9)  # no new message: the offer now says so, without its button
    assert (edited.message_id, edited.text, edited.buttons, edited.edited) == (
        offer.message_id, "Taken", [], True
    )  # fmt: skip
    assert (await row(storage, live)).message_id == offer.message_id
    # Sent again after a crash: Telegram says "not modified", and that is done too.
    [same] = await queue(storage, clock, edit("same", "Taken"))
    # A message Telegram no longer has: a new one goes instead.
    [gone] = await queue(storage, clock, edit("gone", "Taken elsewhere"))
    await delivery.drain()
    answers = [str(c.response.get("description", "ok")) for c in api.calls_of("editMessageText")]
    assert [a.split(":")[:2] for a in answers] == [
        ["ok"],
        ["Bad Request", " message is not modified"],
        ["Bad Request", " message to edit not found"],
    ]
    assert (await row(storage, same)).status == OutboxStatus.SENT
    assert [m.text for m in api.sent_to(9)] == ["Taken", "Taken elsewhere"]
    fresh = (await row(storage, gone)).message_id
    assert fresh == api.sent_to(9)[1].message_id != offer.message_id


# ---------------------------------------------------------------- the long-lived worker


async def test_worker_recovers_a_crash_and_wakes_for_new_rows(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    await queue(storage, clock, *(notice(c, clock) for c in (1, 2, 3)))
    crashed = await storage.outbox.claim(clock.now(), 2)  # a process died mid-batch
    assert [r.status for r in crashed] == [OutboxStatus.SENDING] * 2
    assert await statuses(storage) == {"sending": 2, "pending": 1}
    delivery = engine(storage, bot, clock)
    stop = asyncio.Event()
    worker = asyncio.create_task(delivery.run(stop))
    for chat in (1, 2, 3):
        await api.wait_for_call("sendMessage", chat_id=chat, within=2)
    await queue(storage, clock, notice(4, clock))
    delivery.wake()
    await api.wait_for_call("sendMessage", chat_id=4, within=2)
    stop.set()
    await asyncio.wait_for(worker, 2)
    assert [len(api.sent_to(c)) for c in (1, 2, 3, 4)] == [1, 1, 1, 1]
    assert await statuses(storage) == {"sent": 4}


async def test_graceful_stop_finishes_the_send_in_flight_and_puts_the_rest_back(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock, request_: GatedRequest
) -> None:
    ids = await queue(storage, clock, *(notice(c, clock) for c in (1, 2, 3, 4)))
    request_.gate.clear()
    delivery = engine(storage, bot, clock, concurrency=1)
    stop = asyncio.Event()
    worker = asyncio.create_task(delivery.run(stop))
    await asyncio.wait_for(request_.entered.wait(), 2)
    stop.set()  # SIGTERM while the first message is on the wire
    request_.gate.set()
    await asyncio.wait_for(worker, 2)
    states = [(await row(storage, i)).status for i in ids]
    assert states == ["sent", "pending", "pending", "pending"]
    await delivery.drain()  # the next start
    assert [len(api.sent_to(c)) for c in (1, 2, 3, 4)] == [1, 1, 1, 1]


async def test_stop_while_waiting_on_the_pacer_sends_nothing_more(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock
) -> None:
    timeline = Timeline()
    never = asyncio.Event()

    async def stuck(seconds: float) -> None:  # a pacer wait that only a stop can end
        await never.wait()

    pacer = Pacer.from_settings(DeliverySettings(), monotonic=timeline.monotonic, sleep=stuck)
    ids = await queue(storage, clock, *(notice(7, clock, f"#{n}") for n in range(5)))
    delivery = engine(storage, bot, clock, pacer=pacer, concurrency=3)
    stop = asyncio.Event()
    worker = asyncio.create_task(delivery.run(stop))
    await api.wait_for_call("sendMessage", chat_id=7, within=2)
    await asyncio.sleep(0.01)  # the other workers are now queued behind the pacer
    stop.set()
    await asyncio.wait_for(worker, 2)
    assert texts_to(api, 7) == ["#0"]
    states = [(await row(storage, i)).status for i in ids]
    assert states == ["sent"] + ["pending"] * 4


async def test_a_directive_is_worded_once_per_language_and_day(
    services: Services, storage: Storage, clock: FakeClock, tmp_path: Path
) -> None:
    await load_tree(services, tmp_path)
    city, branch = await storage.units.by_code("CITY"), await storage.units.by_code("RIV-1")
    assert city is not None and branch is not None
    people = [(101, "Ann", None, "en", branch.id), (102, "Bo", None, "en", branch.id)]
    await storage.members.add_many([*people, (103, "Chen", None, "zh", branch.id)], clock.now())
    async with storage.db.transaction() as conn:
        author = await storage.members.add(
            conn,
            telegram_id=9,
            display_name="Sec",
            username=None,
            language="en",
            unit_id=city.id,
            now=clock.now(),
        )
        await storage.members.grant(conn, author, city.id, Role.SECRETARY, clock.now())
    draft = Draft(
        targets=(Target(branch.id, subtree=True),),
        text="Bring a torch",
        attachment=None,
        ack_required=True,
        ack_deadline=clock.now() + timedelta(days=1),
        send_at=None,
    )
    await services.directives.create(await services.authz.actor(9), draft)
    rows = {r.chat_id: r for r in await storage.outbox.claim(clock.now(), 10)}
    renderers = DirectiveRenderers(services)
    await renderers.prepare(list(rows.values()))
    ann, bo, chen = [await renderers.directive(rows[chat]) for chat in (101, 102, 103)]
    assert ann is not None and chen is not None
    assert bo is ann  # one wording for everyone who reads it alike
    assert "tomorrow" in ann.text and "Bring a torch" in chen.text and chen.text != ann.text
    clock.advance(timedelta(days=1))
    next_day = await renderers.directive(rows[101])
    assert next_day is not None and "today" in next_day.text  # the deadline follows the day


# ---------------------------------------------------------------- recording sends


def hold_commits(
    storage: Storage, monkeypatch: pytest.MonkeyPatch, held: int = 1
) -> tuple[list[list[int]], asyncio.Event, asyncio.Event]:
    """Make the first ``held`` commits of sent rows wait for ``release``: returns the row
    ids of each commit, an event set when a commit waits, and ``release``."""
    commits: list[list[int]] = []
    waiting, release = asyncio.Event(), asyncio.Event()
    record = storage.outbox.mark_sent_many

    async def slow(sent: Sequence[tuple[int, int, datetime]]) -> None:
        commits.append([row_id for row_id, _, _ in sent])
        if len(commits) <= held:
            waiting.set()
            await release.wait()
        await record(sent)

    monkeypatch.setattr(storage.outbox, "mark_sent_many", slow)
    return commits, waiting, release


async def settle() -> None:
    """Let every task run until it waits on something outside the loop's control."""
    for _ in range(50):
        await asyncio.sleep(0)


async def test_a_worker_sends_again_only_once_its_last_send_is_recorded(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await queue(storage, clock, notice(1, clock), notice(2, clock))
    commits, waiting, release = hold_commits(storage, monkeypatch)
    drained = asyncio.create_task(engine(storage, bot, clock, concurrency=1).drain())
    await asyncio.wait_for(waiting.wait(), 2)
    await settle()
    # A crash now re-sends the first message at most: it is still 'sending', and the
    # second has not gone.
    assert [len(api.sent_to(c)) for c in (1, 2)] == [1, 0]
    assert (await row(storage, ids[0])).status == OutboxStatus.SENDING
    release.set()
    assert await asyncio.wait_for(drained, 2) == 2
    assert commits == [[ids[0]], [ids[1]]]
    assert await statuses(storage) == {"sent": 2}


async def test_sends_that_finish_during_a_commit_share_the_next_one(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await queue(storage, clock, *(notice(c, clock) for c in (1, 2, 3)))
    commits, waiting, release = hold_commits(storage, monkeypatch)
    drained = asyncio.create_task(engine(storage, bot, clock, concurrency=3).drain())
    await asyncio.wait_for(waiting.wait(), 2)
    # The other two sends, each after its row's check (a round trip on PostgreSQL).
    for chat in (1, 2, 3):
        await api.wait_for_call("sendMessage", chat_id=chat, within=2)
    await settle()
    assert len(api.calls_of("sendMessage")) == 3
    assert len(commits) == 1  # the other two wait for the first commit to end
    release.set()
    assert await asyncio.wait_for(drained, 2) == 3
    first, rest = commits
    assert len(first) == 1 and sorted(first + rest) == ids
    assert await statuses(storage) == {"sent": 3}


async def test_a_send_cancelled_while_waiting_for_the_commit_leaves_the_others_recorded(
    storage: Storage, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await queue(storage, clock, *(notice(c, clock) for c in (1, 2, 3)))
    await storage.outbox.claim(clock.now(), 3)
    commits, waiting, release = hold_commits(storage, monkeypatch)
    group = GroupCommit(storage)
    first = asyncio.create_task(group.mark(ids[0], 70, clock.now()))
    await asyncio.wait_for(waiting.wait(), 2)
    gone, kept = (asyncio.create_task(group.mark(i, 70 + i, clock.now())) for i in ids[1:])
    await settle()
    gone.cancel()  # its worker stopped while the first commit ran
    release.set()
    await asyncio.wait_for(asyncio.gather(first, kept), 2)  # nobody left waiting
    assert commits == [[ids[0]], ids[1:]]
    assert await statuses(storage) == {"sent": 3}


async def test_a_failed_commit_leaves_the_rows_to_recover_and_goes_on(
    storage: Storage, bot: Bot, api: FakeBotApi, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await queue(storage, clock, notice(1, clock), notice(2, clock))
    record = storage.outbox.mark_sent_many

    async def disk_full_once(sent: Sequence[tuple[int, int, datetime]]) -> None:
        monkeypatch.setattr(storage.outbox, "mark_sent_many", record)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(storage.outbox, "mark_sent_many", disk_full_once)
    assert await engine(storage, bot, clock, concurrency=1).drain() == 2
    assert [(await row(storage, i)).status for i in ids] == ["sending", "sent"]
    assert await storage.outbox.recover() == 1  # the next start sends it again


# ---------------------------------------------------------------- the repository


async def test_outbox_counts_cancels_and_recovers(storage: Storage, clock: FakeClock) -> None:
    member_id = await add_member(storage, clock, 11)
    async with storage.db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO directives (author_telegram_id, from_unit_id, text, send_at, status,"
            " created_at) VALUES (1, 1, 'x', ?, 'sending', ?) RETURNING id",
            (to_db_time(clock.now()), to_db_time(clock.now())),
        )
        inserted = await cursor.fetchone()
        assert inserted is not None
        directive_id = int(inserted[0])
        later = clock.now() + timedelta(minutes=5)
        await storage.outbox.enqueue_many(
            conn,
            [
                NewMessage("directive", c, member_id, directive_id, Priority.BULK, {"n": c}, t)
                for c, t in ((11, clock.now()), (12, clock.now()), (13, later))
            ],
            clock.now(),
        )
    [claimed] = await storage.outbox.claim(clock.now(), 1)
    assert (claimed.chat_id, claimed.payload, claimed.directive_id) == (11, {"n": 11}, directive_id)
    async with storage.db.transaction() as conn:  # cancel what is not claimed yet
        cursor = await conn.execute(
            "UPDATE outbox SET status = 'cancelled' WHERE directive_id = ? AND status = 'pending'",
            (directive_id,),
        )
    assert cursor.rowcount == 2
    counts = await storage.outbox.counts(directive_id, "directive")
    assert counts == {
        OutboxStatus.PENDING: 0,
        OutboxStatus.SENDING: 1,
        OutboxStatus.SENT: 0,
        OutboxStatus.UNREACHABLE: 0,
        OutboxStatus.FAILED: 0,
        OutboxStatus.CANCELLED: 2,
    }
    assert counts["cancelled"] == 2  # plain strings work as keys too
    assert await storage.outbox.next_due_at() is None
    assert await storage.outbox.recover() == 1
    assert await storage.outbox.next_due_at() == clock.now()


async def test_a_claim_takes_no_more_than_its_batch_whatever_the_statistics_say(
    storage: Storage, clock: FakeClock
) -> None:
    # Statistics taken while the outbox held one row: PostgreSQL then planned the claim
    # as a nested loop that picked again for each row, and claim(…, 1) took all five.
    [done] = await queue(storage, clock, notice(9, clock))
    await storage.outbox.mark_cancelled(done)
    await storage.db.write("ANALYZE outbox")
    await queue(storage, clock, *(notice(c, clock) for c in (1, 2, 3, 4, 5)))
    assert [r.chat_id for r in await storage.outbox.claim(clock.now(), 1)] == [1]
    claimed = await storage.outbox.claim(clock.now(), 2, by="instance-a")
    assert [r.chat_id for r in claimed] == [2, 3]
    assert await statuses(storage) == {"cancelled": 1, "sending": 3, "pending": 2}


async def test_sent_rows_keep_their_own_ids_and_times_and_settled_rows_stay(
    storage: Storage, clock: FakeClock
) -> None:
    member_id = await add_member(storage, clock, 4242)
    await storage.db.write(
        "UPDATE members SET unreachable_since = ? WHERE id = ?",
        (to_db_time(clock.now()), member_id),
    )
    ids = await queue(
        storage, clock, notice(4242, clock, member_id=member_id), notice(2, clock), notice(3, clock)
    )
    await storage.outbox.claim(clock.now(), 3)
    await storage.outbox.mark_cancelled(ids[2])
    later = clock.now() + timedelta(seconds=5)
    await storage.outbox.mark_sent_many([(ids[0], 70, clock.now()), (ids[1], 71, later)])
    await storage.outbox.mark_sent_many([(ids[2], 72, later)])
    done = [await row(storage, i) for i in ids]
    assert [(r.status, r.message_id, r.sent_at, r.attempts) for r in done] == [
        (OutboxStatus.SENT, 70, clock.now(), 1),
        (OutboxStatus.SENT, 71, later, 1),
        (OutboxStatus.CANCELLED, None, None, 0),
    ]
    assert await unreachable_since(storage, member_id) is None  # delivered: reachable


async def test_a_send_recorded_while_another_transaction_writes_waits_for_it(
    storage: Storage, clock: FakeClock
) -> None:
    [row_id] = await queue(storage, clock, notice(1, clock))
    await storage.outbox.claim(clock.now(), 1)
    inside, finish = asyncio.Event(), asyncio.Event()

    async def long_transaction() -> None:
        async with storage.db.transaction() as conn:
            await conn.execute("UPDATE outbox SET error = 'x' WHERE id = ?", (row_id,))
            inside.set()
            await finish.wait()

    writer = asyncio.create_task(long_transaction())
    await asyncio.wait_for(inside.wait(), 2)
    recording = asyncio.create_task(storage.outbox.mark_sent(row_id, 77, clock.now()))
    await settle()
    assert not recording.done()  # the database is busy: it waits its turn, not fails
    finish.set()
    await asyncio.wait_for(asyncio.gather(writer, recording), 2)
    sent = await row(storage, row_id)
    assert (sent.status, sent.message_id, sent.error) == (OutboxStatus.SENT, 77, None)


def test_retry_after_is_read_as_seconds_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    assert retry_after_seconds(RetryAfter(timedelta(seconds=3))) == 3.0
    monkeypatch.delenv("PTB_TIMEDELTA")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        legacy = RetryAfter(7)
    assert retry_after_seconds(legacy) == 7.0
