"""Fallback channels (issue #18), end to end: a directive's never-joined, blocked and silent
register entries get it by email (a real SMTP server on 127.0.0.1) or SMS (a gateway on
127.0.0.1) once, `fallback.after` into sending; the email's signed link and the SMS reply
code record the acknowledgement as a press would, once; the directive's view counts it."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import aiohttp
import pytest

from app.build import FEATURES_ON, LANE
from app.runner import web_pages
from app.web import fallback_routes, web_server
from bot.config import FeatureName, RetentionSettings, Settings, load_settings
from bot.delivery.channels.gateway import SIGNATURE_HEADER, signature
from bot.directives.config import LadderStep
from bot.directives.questions import Choice, Question
from bot.kit.clock import FakeClock
from bot.org.authz import Actor
from fakeapi import FakeBotApi, FakeUser
from handlers.kit.slots import SERVICES
from storage import Storage
from storage.directives import Directive
from storage.models import Role
from storage.reach import How
from tests.conftest import ADMIN_ID
from tests.fallback.gateway_server import SECRET, Gateway, gateway_server
from tests.fallback.smtp import SmtpServer, smtp_server
from tests.flows.conftest import Harness, build_app
from tests.flows.test_directives import no_checkins  # noqa: F401 (autouse)
from tests.flows.test_erase import files

TEXT = "Sandbags to the <b>river gate</b> by 18:00 &amp; report."
LINK_SECRET = "a-link-secret-of-at-least-32-characters"
REGISTER = """\
name,unit,phone,email,external_id
Ann,RIV-1,,ann@example.org,E1
Bo,RIV-1,+86 139 0013 9000,,E2
Carol,RIV-1,,carol@example.org,E3
Dan,RIV-1,+86 138 0013 8000,,E4
Eve,RIV-1,,eve@example.org,E5
Hal,HIL-1,,hal@example.org,E6
Nobody,RIV-1,,,E7
"""


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    with smtp_server(tmp_path) as server:
        yield server


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    async with gateway_server() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, smtp: SmtpServer, gateway: Gateway) -> Settings:
    return load_settings(
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai", "admins": [ADMIN_ID]},
        storage={"database": tmp_path / "muster.db"},
        telegram={"bot_username": "muster_test_bot"},
        fallback={
            "after": "30m",
            "public_url": "https://muster.example.org/",
            "link_secret": LINK_SECRET,
            "max_attempts": 3,
            "email": smtp.settings(),
            "gateway": {"url": gateway.url, "secret": SECRET.decode(), "timeout": 5},
        },
    )


@pytest.fixture(autouse=True)
async def _close_lane(harness: Harness) -> AsyncIterator[None]:
    yield
    await LANE.of(harness.app).close()  # the runner does, when the lane's run ends


@pytest.fixture
async def people(harness: Harness) -> dict[str, FakeUser]:
    """Sue, Riverside's secretary; Ann (silent), Bo (blocks the bot) and Eve (acknowledges
    on Telegram) joined through their register entries; Carol and Dan never joined."""
    path = harness.tmp_path / "register.csv"
    path.write_text(REGISTER, encoding="utf-8")
    await harness.services.register.import_file(Actor.console(), path, prune=False)
    sue = harness.person(601, "Sue Secretary", username="sue")
    await harness.join(sue, "RIV", Role.SECRETARY)
    joined = {"Ann": 611, "Bo": 612, "Eve": 615}
    found = {}
    for name, telegram_id in joined.items():
        person = harness.person(telegram_id, name, language="zh" if name == "Bo" else "en")
        member = await harness.join(person, "RIV-1")
        await harness.services.storage.db.write(
            "UPDATE register_entries SET member_id = ? WHERE name = ?", (member.id, name)
        )
        found[name] = person
    return {"Sue": sue, **found}


async def send(harness: Harness, author: FakeUser, question: Question | None = None) -> Directive:
    return await harness.issue(author, TEXT, question=question, run=False)


async def fall_back(harness: Harness, people: dict[str, FakeUser], directive: Directive) -> int:
    """Telegram's sends (Bo has blocked the bot, Eve acknowledges), then 30 minutes later
    the fallback fires and its lane drains; returns the channel rows handled."""
    harness.api.block(people["Bo"].id)
    await harness.run_due()
    await harness.services.directives.acknowledge(directive.id, people["Eve"].id)
    harness.clock.advance(timedelta(minutes=29))
    await harness.run_due()
    assert await LANE.of(harness.app).drain() == 0  # not yet
    harness.clock.advance(timedelta(minutes=1))
    await harness.run_due()
    handled = await LANE.of(harness.app).drain()
    await harness.run_due()  # the author's message shows the channels' counts
    return handled


async def emailed(
    harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer
) -> tuple[Directive, dict[str, EmailMessage]]:
    """A directive fallen back to, and the emails it made, by address."""
    directive = await send(harness, people["Sue"])
    await fall_back(harness, people, directive)
    return directive, {m["To"]: m for m in smtp.mailbox.received}


def link_in(body: str) -> str:
    found = re.search(r"https://muster\.example\.org(/fallback/ack/\S+)", body)
    assert found is not None, body
    return found.group(1)


async def test_the_silent_the_blocked_and_the_never_joined_get_it_once_by_their_channel(
    harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer, gateway: Gateway
) -> None:
    directive = await send(harness, people["Sue"])
    assert await fall_back(harness, people, directive) == 4
    mails = {m["To"]: m for m in smtp.mailbox.received}
    # Ann is silent, Carol never joined: by email. Eve answered; Hal is not in Riverside.
    assert sorted(mails) == ["ann@example.org", "carol@example.org"]
    assert mails["ann@example.org"]["Subject"].startswith(
        "Directive from Riverside District — acknowledge by "
    )
    body = body_of(mails["carol@example.org"])
    assert "Sandbags to the river gate by 18:00 & report." in body  # plain text
    assert "Acknowledge: https://muster.example.org/fallback/ack/" in body
    # Bo blocked the bot, Dan never joined: by SMS, Bo's in his language.
    texts = {m["to"]: m["text"] for m in gateway.messages.values()}
    assert sorted(texts) == ["+8613800138000", "+8613900139000"]
    assert re.search(r"请于.+前回复 \d{4} 确认收到。", texts["+8613900139000"])
    assert re.search(r"Reply \d{4} to acknowledge by ", texts["+8613800138000"])
    assert gateway.unsigned == 0
    # Once: later ticks (or a restart's) queue nothing more.
    harness.clock.advance(timedelta(minutes=30))
    await harness.run_due()
    assert await harness.services.fallback_step(directive) == 0  # a Directive or its id
    assert await LANE.of(harness.app).drain() == 0
    progress = await author_message(harness, people["Sue"], directive)
    assert channels(progress) == ["email: 2 sent · 0 acknowledged", "SMS: 2 sent · 0 acknowledged"]
    sue = people["Sue"]
    [listing] = await harness.send(sue, sue.command("directives"))
    [detail] = await harness.send(sue, sue.press(listing, listing.buttons[0][0]))
    assert "email: 2 sent · 0 acknowledged\nSMS: 2 sent · 0 acknowledged" in (detail.text or "")
    audit = [e.detail for e in await harness.services.storage.audit.recent()]
    assert f"directive {directive.id}: 2 email, 2 gateway" in audit


async def test_the_link_acknowledges_once_as_a_press_would(
    harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer
) -> None:
    directive, mails = await emailed(harness, people, smtp)
    ann_link = link_in(body_of(mails["ann@example.org"]))
    carol_link = link_in(body_of(mails["carol@example.org"]))
    async with pages(harness) as (http, base):
        async with http.get(base + ann_link) as shown:
            page = await shown.text()
        assert shown.status == 200 and "Directive from Riverside District" in page
        assert "✅ Acknowledge" in page
        async with http.post(base + ann_link) as done:
            assert (done.status, "Recorded" in await done.text()) == (200, True)
        async with http.post(base + ann_link) as replayed:
            assert replayed.status == 409
        tampered = carol_link[:-1] + ("0" if carol_link[-1] != "0" else "1")
        async with http.post(base + tampered) as refused:
            assert refused.status == 403
        other = carol_link.replace(f"/{directive.id}.", f"/{directive.id + 1}.", 1)
        async with http.post(base + other) as moved:
            assert moved.status == 403
    # Ann is a member: acknowledged as her ✅ would have, and marked as reached by email.
    ann = await harness.services.storage.members.by_telegram_id(people["Ann"].id)
    assert ann is not None
    row = await harness.services.storage.db.fetchone(
        "SELECT acked_at FROM directive_recipients WHERE directive_id = ? AND member_id = ?",
        (directive.id, ann.id),
    )
    assert row is not None and row[0] is not None
    vias = await harness.services.storage.db.fetchall(
        "SELECT e.name, f.via FROM fallback_recipients f"
        " JOIN register_entries e ON e.id = f.entry_id WHERE f.acked_at IS NOT NULL"
    )
    assert [tuple(v) for v in vias] == [("Ann", "email")]  # Carol's tampered link: nothing
    # How each was reached (issue #18): Ann by email; Bo, who blocked the bot, not at all.
    reached = await harness.services.on_behalf.members(directive.id)
    bo = await harness.services.storage.members.by_telegram_id(people["Bo"].id)
    assert bo is not None
    assert (reached[ann.id].how, reached[bo.id].how) == (How.EMAIL, How.UNREACHED)
    await harness.run_due()
    progress = await author_message(harness, people["Sue"], directive)
    assert channels(progress)[0] == "email: 2 sent · 1 acknowledged"


async def test_an_expired_link_is_refused_and_records_nothing(
    harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer
) -> None:
    _, mails = await emailed(harness, people, smtp)
    link = link_in(body_of(mails["carol@example.org"]))
    harness.clock.advance(timedelta(hours=4))  # past the deadline and its grace
    async with pages(harness) as (http, base), http.post(base + link) as late:
        assert late.status == 403
        assert "not valid or has expired" in await late.text()
    assert await acknowledged(harness) == 0


async def test_a_question_is_answered_on_the_page_with_the_choice(
    harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer
) -> None:
    question = Question((Choice("I can come"), Choice("I cannot")))
    directive = await send(harness, people["Sue"], question)
    await fall_back(harness, people, directive)
    mails = {m["To"]: m for m in smtp.mailbox.received}
    body = body_of(mails["ann@example.org"])
    assert "Answer: https://" in body
    link = link_in(body)
    async with pages(harness) as (http, base):
        async with http.get(base + link) as shown:
            page = await shown.text()
        assert "I can come" in page and "I cannot" in page
        async with http.post(base + link, data={"choice": "7"}) as wrong:
            assert wrong.status == 400
        async with http.post(base + link, data={"choice": "1"}) as done:
            assert done.status == 200
    ann = await harness.services.storage.members.by_telegram_id(people["Ann"].id)
    assert ann is not None
    row = await harness.services.storage.db.fetchone(
        "SELECT answer_choice FROM directive_recipients WHERE directive_id = ? AND member_id = ?",
        (directive.id, ann.id),
    )
    assert row is not None and row[0] == 1  # counted in the headcount as her press
    await harness.run_due()
    progress = await author_message(harness, people["Sue"], directive)
    assert "email: 3 sent · 1 answered" in progress  # Eve did not answer the question


async def test_an_sms_reply_code_acknowledges_through_the_signed_inbound_endpoint(
    harness: Harness, people: dict[str, FakeUser], gateway: Gateway
) -> None:
    directive = await send(harness, people["Sue"])
    await fall_back(harness, people, directive)
    dan = next(m for m in gateway.messages.values() if m["to"] == "+8613800138000")
    code = str(dan["code"])
    async with pages(harness) as (http, base):
        unsigned = json.dumps({"from": "+8613800138000", "text": code}).encode()
        async with http.post(base + "/fallback/gateway/inbound", data=unsigned) as refused:
            assert refused.status == 403
        wrong = await inbound(http, base, "+8613900139000", code)  # Bo's number, Dan's code
        assert wrong["status"] == "refused" or code == str(bo_code(gateway))
        answer = await inbound(http, base, "+8613800138000", f" {code} ")
        again = await inbound(http, base, "+8613800138000", code)
    assert answer == {"status": "recorded", "reply": "Recorded. Thank you."}
    assert again["status"] == "refused"  # no open message with that code any more
    vias = await harness.services.storage.db.fetchall(
        "SELECT e.name, f.via FROM fallback_recipients f"
        " JOIN register_entries e ON e.id = f.entry_id WHERE f.acked_at IS NOT NULL"
    )
    assert [tuple(v) for v in vias] == [("Dan", "gateway")]


async def test_an_smtp_5xx_fails_and_shows_in_the_view_and_the_audit(
    harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer
) -> None:
    smtp.mailbox.answers.append("554 5.7.1 Rejected")
    directive = await send(harness, people["Sue"])
    await fall_back(harness, people, directive)
    progress = await author_message(harness, people["Sue"], directive)
    assert channels(progress)[0] == "email: 1 sent · 1 failed · 0 acknowledged"
    audit = [
        e for e in await harness.services.storage.audit.recent() if e.action == "fallback_failed"
    ]
    assert [e.detail for e in audit] == [
        f"directive {directive.id}: email failed: SMTP 554: 5.7.1 Rejected"
    ]


async def test_a_server_down_is_retried_and_shows_as_to_go(
    harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer
) -> None:
    smtp.mailbox.answers += ["451 4.3.0 Try again later"] * 2
    directive = await send(harness, people["Sue"])
    await fall_back(harness, people, directive)
    progress = await author_message(harness, people["Sue"], directive)
    assert channels(progress)[0] == "email: 0 sent · 2 to go · 0 acknowledged"
    harness.clock.advance(timedelta(minutes=5))
    assert await LANE.of(harness.app).drain() == 2
    await harness.run_due()
    progress = await author_message(harness, people["Sue"], directive)
    assert channels(progress)[0] == "email: 2 sent · 0 acknowledged"


async def test_with_no_channel_configured_nothing_changes(tmp_path: Path) -> None:
    """The plain settings of every other test: the feature is off and its step never runs."""
    plain = load_settings(None, storage={"database": tmp_path / "plain.db"})
    assert not plain.fallback.configured
    storage = await Storage.open(plain.storage.database)
    clock = FakeClock()
    app = await build_app(plain, storage, clock, FakeBotApi(clock=clock.now))
    try:
        assert FeatureName.FALLBACK not in {f.name for f in FEATURES_ON.of(app)}
        assert fallback_routes(app) == []
        services = SERVICES.of(app)
        assert await services.fallback_step(1) == 0
        assert await services.fallback.due() == 0
    finally:
        await storage.close()


class TestOnTheLadder:
    """With an escalation ladder that has a fallback step, the channels fire at that step
    (T+90 here), not at `fallback.after` (T+30), and still once."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        ladder = [
            LadderStep.model_validate({"after": "15m", "step": "remind"}),
            LadderStep.model_validate({"after": "90m", "step": "fallback"}),
        ]
        directives = settings.directives.model_copy(update={"ladder": ladder})
        return settings.model_copy(update={"directives": directives})

    async def test_the_fallback_step_queues_through_the_channels(
        self, harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer, gateway: Gateway
    ) -> None:
        directive = await send(harness, people["Sue"])
        assert await fall_back(harness, people, directive) == 0  # T+30: not fallback.after
        harness.clock.advance(timedelta(minutes=60))
        await harness.run_due()
        assert await LANE.of(harness.app).drain() == 4  # T+90: the ladder's step
        assert sorted(m["To"] for m in smtp.mailbox.received) == [
            "ann@example.org",
            "carol@example.org",
        ]
        assert len(gateway.messages) == 2
        harness.clock.advance(timedelta(minutes=30))
        await harness.run_due()
        assert await LANE.of(harness.app).drain() == 0  # once
        await harness.run_due()
        progress = await author_message(harness, people["Sue"], directive)
        assert any(line.startswith("Chase: ") and "fallback" in line for line in progress)
        assert channels(progress) == [
            "email: 2 sent · 0 acknowledged",
            "SMS: 2 sent · 0 acknowledged",
        ]


# ------------------------------------------------------------------ helpers


async def author_message(harness: Harness, author: FakeUser, directive: Directive) -> list[str]:
    tracked = await harness.services.storage.directives.get(directive.id)
    assert tracked is not None and tracked.progress_message_id is not None
    message = harness.api.message(author.id, tracked.progress_message_id)
    assert message is not None and message.text is not None
    return message.text.split("\n")


async def acknowledged(harness: Harness) -> int:
    row = await harness.services.storage.db.fetchone(
        "SELECT COUNT(*) FROM fallback_recipients WHERE acked_at IS NOT NULL"
    )
    assert row is not None
    return int(row[0])


def bo_code(gateway: Gateway) -> object:
    return next(m["code"] for m in gateway.messages.values() if m["to"] == "+8613900139000")


async def inbound(http: aiohttp.ClientSession, base: str, phone: str, text: str) -> dict[str, str]:
    body = json.dumps({"from": phone, "text": text}).encode()
    headers = {SIGNATURE_HEADER: signature(SECRET, body), "Content-Type": "application/json"}
    async with http.post(base + "/fallback/gateway/inbound", data=body, headers=headers) as r:
        answer: dict[str, str] = await r.json()
        return answer


def body_of(mail: EmailMessage) -> str:
    return str(mail.get_content())


@asynccontextmanager
async def pages(harness: Harness) -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    """The bot's web server with the fallback's routes, and a client for it."""
    async with (
        web_server(fallback_routes(harness.app), host="127.0.0.1", port=0) as base,
        aiohttp.ClientSession() as http,
    ):
        yield http, base


async def test_erasing_a_member_erases_the_address_the_fallback_used(
    harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer
) -> None:
    """Regression: the outbox kept the email address each fallback message went to."""
    directive = await send(harness, people["Sue"])
    await fall_back(harness, people, directive)
    ann = await harness.services.storage.members.by_telegram_id(people["Ann"].id)
    assert ann is not None
    assert b"ann@example.org" in b"".join(files(harness).values())
    await harness.services.privacy.erase_member(Actor.console(), ann)
    assert b"ann@example.org" not in b"".join(files(harness).values())
    assert b"carol@example.org" in b"".join(files(harness).values())  # not hers


async def test_erasing_someone_who_never_joined_erases_their_entry_and_its_messages(
    harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer
) -> None:
    """``muster member erase --external-id``: Carol never joined; her register entry,
    the address the fallback used and her name in the audit log go."""
    directive = await send(harness, people["Sue"])
    await fall_back(harness, people, directive)
    register = harness.services.storage.register
    carol = await register.by_external_id("E3")
    assert carol is not None
    assert b"carol@example.org" in b"".join(files(harness).values())
    await harness.services.storage.audit.add(
        at=harness.clock.now(), actor_telegram_id=601, action="note", outcome="ok",
        unit_id=None, detail="called Carol about the sandbags",
    )  # fmt: skip
    await harness.services.privacy.erase_entry(Actor.console(), carol)
    everything = b"".join(files(harness).values())
    assert b"carol@example.org" not in everything
    assert b"Carol" not in everything
    assert b"ann@example.org" in everything  # not hers
    erased = await register.get(carol.id)
    assert erased is not None
    assert (erased.name, erased.email, erased.external_id, erased.active) == (
        f"erased entry #{carol.id}", None, None, False,
    )  # fmt: skip
    audit = (await harness.services.storage.audit.recent(1))[0]
    assert (audit.action, audit.detail) == ("register_erase", f"register entry {carol.id}")


async def test_retention_forgets_deactivated_register_entries_after_the_period(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    path = harness.tmp_path / "pruned.csv"
    path.write_text(REGISTER.replace("Carol,RIV-1,,carol@example.org,E3\n", ""), encoding="utf-8")
    await harness.services.register.import_file(Actor.console(), path, prune=True)
    privacy = harness.services.privacy
    privacy.settings = RetentionSettings(details_days=30)
    harness.clock.advance(timedelta(days=20))
    await privacy.retention_tick()
    carol = await harness.services.storage.register.by_external_id("E3")
    assert carol is not None and carol.email == "carol@example.org"  # not yet
    harness.clock.advance(timedelta(days=15))
    erased = await privacy.retention_tick()
    assert erased is not None and erased.entries == 1
    row = await harness.services.storage.db.fetchone(
        "SELECT name, email, external_id FROM register_entries WHERE id = ?", (carol.id,)
    )
    assert row is not None and tuple(row) == (f"erased entry #{carol.id}", None, None)
    assert await harness.services.storage.register.by_external_id("E1") is not None  # active


async def test_retention_forgets_the_addresses_of_old_fallback_messages(
    harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer
) -> None:
    """Regression: retention blanked old messages' text but kept where the fallback sent them."""
    await emailed(harness, people, smtp)
    privacy = harness.services.privacy
    privacy.settings = RetentionSettings(details_days=30)
    harness.clock.advance(timedelta(days=45))
    await privacy.retention_tick()
    # The register keeps her address (it is the register); the outbox's copies go.
    row = await harness.services.storage.db.fetchone(
        "SELECT COUNT(*) FROM outbox WHERE address IS NOT NULL"
    )
    assert row is not None and row[0] == 0


async def test_polling_mode_serves_the_pages_on_a_port_of_their_own(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    harness.services.settings.fallback.port = 0  # any free port, for the test
    async with web_pages(harness.app) as base, aiohttp.ClientSession() as http:
        assert base is not None
        async with http.get(base + "/fallback/ack/1.2.3." + "0" * 64) as forged:
            assert forged.status == 403
        async with http.post(base + "/fallback/gateway/inbound", data=b"{}") as unsigned:
            assert unsigned.status == 403


def channels(progress: list[str]) -> list[str]:
    """The author's message's lines about the fallback channels."""
    return [line for line in progress if line.startswith(("email:", "SMS:"))]
