"""End to end (issue #16): a question directive sent by the running app over real HTTP to
the Bot API stand-in, two members answer with its buttons, and the author's headcount
counts exactly their answers."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from app.build import build_application
from app.runner import serve_polling
from bot.config import load_settings
from bot.directives.drafting import Draft
from bot.directives.questions import Choice, Question
from bot.kit.clock import SystemClock
from fakeapi import BotApiServer, FakeBotApi, FakeUser
from handlers.kit.slots import DELIVERY, SERVICES
from storage.directives import Target
from storage.models import Role
from tests.e2e.test_polling import TOKEN
from tests.orgdata import add_member, load_tree

QUESTION = Question((Choice("I can come"), Choice("I need transport"), Choice("I cannot")))
AUTHOR = 8100


async def test_members_answer_a_question_over_http_and_the_headcount_counts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = FakeBotApi()
    async with BotApiServer(api, TOKEN) as server:
        monkeypatch.setenv("MUSTER_TELEGRAM__TOKEN", TOKEN)
        settings = load_settings(
            None,
            organisation={"name": "Riverside", "timezone": "Asia/Shanghai"},
            storage={"database": tmp_path / "e2e.db"},
            telegram={"api_base_url": server.base_url, "api_file_url": server.base_file_url},
            checkin={"reminders": []},  # the real clock: no check-in reminders in between
        )
        app = await build_application(settings, clock=SystemClock())
        services = SERVICES.of(app)
        storage = services.storage
        await load_tree(services, tmp_path)
        branch = await storage.units.by_code("RIV-1")
        district = await storage.units.by_code("RIV")
        assert branch is not None and district is not None
        people = [(8001 + i, f"Member {i}", None, "en", branch.id) for i in range(3)]
        await storage.members.add_many(people, services.clock.now())
        await add_member(services, AUTHOR, district, "Sue", Role.SECRETARY)
        author = await services.authz.actor(AUTHOR)
        stop = asyncio.Event()
        running = asyncio.create_task(serve_polling(app, stop, poll_timeout=1))
        try:
            await api.wait_for_call("getUpdates")  # polling is up, so the worker is too
            directive = await services.directives.create(
                author,
                Draft(
                    targets=(Target(district.id, subtree=True),),
                    text="Heavy snow tonight: who can clear the roads at 06:00?",
                    attachment=None,
                    ack_required=False,
                    ack_deadline=services.clock.now() + timedelta(hours=2),
                    send_at=None,
                    question=QUESTION,
                ),
            )
            DELIVERY.of(app).wake()
            received = {}
            for chat_id, *_ in people:
                call = await api.wait_for_call("sendMessage", chat_id=chat_id)
                assert call.message is not None
                assert [text for text, _ in call.message.buttons] == [
                    "I can come", "I need transport", "I cannot",
                ]  # fmt: skip
                received[chat_id] = call.message
            mark = len(api.calls)
            for chat_id, label in ((8001, "I can come"), (8002, "I cannot")):
                member = FakeUser(chat_id, f"Member {chat_id - 8001}", api=api)
                api.push_update(member.press(received[chat_id], label))
            for chat_id, label in ((8001, "I can come"), (8002, "I cannot")):
                edit = await api.wait_for_call("editMessageText", chat_id=chat_id, since=mark)
                assert edit.message is not None and edit.message.text is not None
                assert f"✅ You answered: {label} · " in edit.message.text
                assert [text for text, _ in edit.message.buttons] == ["✏️ Change"]
            headcount = await services.answers.headcount(author, directive.id)
        finally:
            stop.set()
            await asyncio.wait_for(running, 15)
        assert headcount is not None
        counts = {i: c.members for i, c in headcount.total.choices.items()}
        assert (headcount.total.recipients, counts, headcount.total.not_answered) == (
            3, {0: 1, 2: 1}, 1,
        )  # fmt: skip
        [(unit, tally)] = headcount.lines
        assert unit.code == "RIV-1" and tally.answered == 2
        # The silent member's message was never touched.
        assert all(c.chat_id != 8003 for c in api.calls[mark:] if c.method == "editMessageText")
