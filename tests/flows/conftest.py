"""Flow tests: the real Application, built by the composition root, driven in-process
through the fake Bot API, with people as Telegram shows them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from app.build import build_application, run_schedule
from bot.config import Settings
from bot.delivery.pacer import Pacer
from bot.directives.drafting import Draft
from bot.directives.questions import Question
from bot.kit.clock import FakeClock
from bot.org.authz import Actor
from bot.services import Services
from fakeapi import ChatDriver, FakeBotApi, FakeRequest, FakeUser, Replies
from handlers.kit.common import MusterApp
from handlers.kit.slots import DELIVERY, SERVICES
from storage import Storage
from storage.directives import Directive, Target
from storage.models import Member, Role, Unit
from tests.conftest import ADMIN_ID
from tests.orgdata import load_tree


@dataclass
class Harness:
    api: FakeBotApi
    app: MusterApp
    driver: ChatDriver
    clock: FakeClock
    tmp_path: Path

    @property
    def services(self) -> Services:
        services = SERVICES.of(self.app)
        return services

    def person(
        self, user_id: int, name: str, username: str | None = None, language: str = "en"
    ) -> FakeUser:
        return FakeUser(user_id, name, username=username, language_code=language, api=self.api)

    async def send(self, user: FakeUser, update: dict[str, object]) -> Replies:
        return await self.driver.send(user, update)

    async def unit(self, code: str) -> Unit:
        unit = await self.services.storage.units.by_code(code)
        assert unit is not None, code
        return unit

    async def invite(
        self,
        code: str,
        role: Role = Role.MEMBER,
        *,
        uses: int | None = 10,
        approval: bool = False,
    ) -> str:
        created = await self.services.invites.create(
            Actor.console(),
            await self.unit(code),
            role,
            uses=uses,
            expires_in=timedelta(days=7),
            approval=approval,
        )
        return created.token

    async def run_due(self) -> int:
        """What the scheduler and the outbox worker would do by now, until nothing more
        is due (a send can make work for the next tick). Returns the outbox rows handled."""
        handled = 0
        for _ in range(10):
            ticked = await run_schedule(self.app)
            drained = int(await DELIVERY.of(self.app).drain())
            handled += drained
            if not ticked and not drained:
                return handled
        raise AssertionError("the schedule never settled")

    async def issue(
        self,
        author: FakeUser | None,
        text: str,
        *,
        unit: str = "RIV",
        question: Question | None = None,
        deadline: timedelta = timedelta(hours=2),
        paid: bool = False,
        watch: bool = True,
        run: bool = True,
    ) -> Directive:
        """``author`` (None: the console) sends ``text`` to ``unit`` and below, due after
        ``deadline``: a question with ``question``, else an acknowledgement. ``paid`` marks
        it urgent without spending Stars; with ``watch`` the author's message tracks it;
        with ``run`` what falls due at once is done."""
        actor = await self.services.authz.actor(author.id) if author else Actor.console()
        draft = Draft(
            targets=(Target((await self.unit(unit)).id, subtree=True),),
            text=text,
            attachment=None,
            ack_required=question is None,
            ack_deadline=self.clock.now() + deadline,
            send_at=None,
            question=question,
        )
        directive = await self.services.directives.create(actor, draft)
        if paid:
            await self.services.storage.db.write(
                "UPDATE directives SET paid = 1 WHERE id = ?", (directive.id,)
            )
        if author is not None and watch:
            await self.track(author, directive)
        if run:
            await self.run_due()
        return directive

    async def track(self, author: FakeUser, directive: Directive) -> None:
        """The author's message tracks the directive, as the composer's last screen does."""
        shown = await self.app.bot.send_message(author.id, "Sending…")
        await self.services.directives.track_progress(
            directive.id, chat_id=author.id, message_id=shown.message_id, text="Sending…"
        )

    async def join(self, user: FakeUser, code: str, role: Role = Role.MEMBER) -> Member:
        await self.send(user, user.command("start", await self.invite(code, role)))
        member = await self.services.storage.members.by_telegram_id(user.id)
        assert member is not None
        return member


async def build_app(
    settings: Settings, storage: Storage, clock: FakeClock, api: FakeBotApi
) -> MusterApp:
    """The real application against ``api``, on the test clock, unpaced."""
    return await build_application(
        settings,
        request=FakeRequest(api),
        clock=clock,
        storage=storage,
        pacer=Pacer.unlimited(sleep=clock.sleep),
    )


@pytest.fixture
async def harness(
    settings: Settings, storage: Storage, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Harness]:
    api = FakeBotApi(clock=clock.now)
    app = await build_app(settings, storage, clock, api)
    async with ChatDriver(app, api) as driver:
        harness = Harness(api, app, driver, clock, tmp_path)
        await load_tree(harness.services, tmp_path)
        yield harness


@pytest.fixture
def admin(harness: Harness) -> FakeUser:
    return harness.person(ADMIN_ID, "Ada Admin", username="ada")
