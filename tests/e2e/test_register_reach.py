"""End to end (issue #18): the register, personal invites, reach figures, the email
fallback, a secretary's "Reached by phone" and ``muster member erase`` of someone who never
joined, with the running app over real HTTP to the Bot API stand-in, a real SMTP server and
the app's own web server, all on 127.0.0.1, and the console in a thread of its own."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import aiohttp
import pytest

from app.build import LANE, build_application
from app.cli import main
from app.runner import serve_polling
from bot.directives.drafting import Draft
from bot.kit.clock import SystemClock
from bot.org.authz import Actor
from fakeapi import BotApiServer, FakeBotApi, FakeUser, SentMessage
from handlers.kit.slots import DELIVERY, SERVICES
from storage.directives import Target
from storage.models import AuditEntry, Role
from tests.conftest import store_env
from tests.e2e.test_polling import TOKEN, polling_settings
from tests.fallback.smtp import free_port, smtp_server
from tests.flows.test_fallback import LINK_SECRET, body_of, link_in
from tests.orgdata import add_member, load_tree

# Ann has only an email, Bo only a phone, Cy neither; email is the one channel configured.
REGISTER = """\
name,unit,phone,email,external_id
Ann,RIV-1,,ann@example.org,E1
Bo,RIV-1,+86 139 0013 9000,,E2
Cy,RIV-1,,,E3
"""
SUE, BO = 8100, 8201
TEXT = "Sandbags to the river gate by 18:00."
T = TypeVar("T")


async def until(found: Callable[[], T | None], within: float = 10.0) -> T:
    """What ``found`` gives once it gives something, waiting at most ``within`` seconds:
    for what the running app does in the background (the channel lane, a press)."""
    async with asyncio.timeout(within):
        # The SMTP server runs in a thread of its own and a press's answer is either of two
        # calls: no one event to wait on, so look again every 20 ms.
        while (value := found()) is None:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return value


async def reply(api: FakeBotApi, chat_id: int, since: int, method: str = "") -> SentMessage:
    """The bot's next message sent or edited in ``chat_id`` after call ``since``."""
    wanted = (method,) if method else ("sendMessage", "editMessageText")

    def seen() -> SentMessage | None:
        return next(
            (
                c.message
                for c in api.calls[since:]
                if c.ok and c.method in wanted and c.chat_id == chat_id and c.message is not None
            ),
            None,
        )

    return await until(seen)


async def press(api: FakeBotApi, user: FakeUser, message: SentMessage, label: str) -> SentMessage:
    """Press a button the bot sent, over HTTP; what the bot answered with in that chat."""
    mark = len(api.calls)
    api.push_update(user.press(message, label))
    return await reply(api, user.id, mark)


def audit_tail(entries: list[AuditEntry], count: int) -> list[tuple[str, str, str | None]]:
    return [(e.action, e.outcome, e.detail) for e in entries[-count:]]


def labels(message: SentMessage) -> list[str]:
    return [text for text, _ in message.buttons]


async def console(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """``muster …`` while the bot runs, as an operator would type it: the CLI's entry point
    on its own connections to the database file (in a thread: it runs its own loop)."""
    capsys.readouterr()
    code = await asyncio.to_thread(main, list(argv))
    return code, capsys.readouterr().out


async def members_view(api: FakeBotApi, secretary: FakeUser) -> list[str]:
    """The lines of /members' second message: the reach figures and who to call."""
    mark = len(api.calls)
    api.push_update(secretary.command("members"))
    first = await api.wait_for_call("sendMessage", chat_id=secretary.id, since=mark)
    figures = await reply(api, secretary.id, api.calls.index(first) + 1, "sendMessage")
    return (figures.text or "").splitlines()


async def directive_view(api: FakeBotApi, secretary: FakeUser) -> SentMessage:
    """The newest directive's view, from /directives."""
    mark = len(api.calls)
    api.push_update(secretary.command("directives"))
    listing = await reply(api, secretary.id, mark, "sendMessage")
    return await press(api, secretary, listing, labels(listing)[0])


async def test_register_invite_reach_email_fallback_and_phone_over_http(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    api = FakeBotApi()
    web_port = free_port()
    with smtp_server(tmp_path) as smtp:
        async with BotApiServer(api, TOKEN) as server:
            settings = polling_settings(
                server,
                tmp_path,
                monkeypatch,
                checkin={"reminders": []},  # the real clock: no check-in reminders
                fallback={
                    "after": "30m",
                    "public_url": "https://muster.example.org/",
                    "link_secret": LINK_SECRET,
                    "listen": "127.0.0.1",
                    "port": web_port,
                    "email": smtp.settings(),
                },
            )
            app = await build_application(settings, clock=SystemClock())
            services = SERVICES.of(app)
            storage = services.storage
            await load_tree(services, tmp_path)
            district, branch = (
                await storage.units.by_code("RIV"),
                await storage.units.by_code("RIV-1"),
            )
            assert district is not None and branch is not None
            sue = await add_member(services, SUE, district, "Sue", Role.SECRETARY)
            # 1. The register, as `muster member import` loads it, and its personal invites.
            path = tmp_path / "register.csv"
            path.write_text(REGISTER, encoding="utf-8")
            await services.register.import_file(Actor.console(), path, prune=False)
            issued = await services.register.issue_invites(Actor.console(), branch)
            tokens = {line.entry.name: token for line, token in issued}
            entries = {line.entry.name: line.entry.id for line, _ in issued}
            assert sorted(tokens) == ["Ann", "Bo", "Cy"]

            stop = asyncio.Event()
            running = asyncio.create_task(serve_polling(app, stop, poll_timeout=1))
            try:
                await api.wait_for_call("getUpdates")  # polling is up, so the workers are
                secretary = FakeUser(SUE, "Sue", username="sue", api=api)
                bo = FakeUser(BO, "bo_tg", api=api)
                mark = len(api.calls)
                api.push_update(bo.command("start", tokens["Bo"]))
                welcome = await reply(api, BO, mark, "sendMessage")
                assert "You are now a member of Riverside Branch 1" in (welcome.text or "")
                member = await storage.members.by_telegram_id(BO)
                assert member is not None
                assert (member.display_name, member.unit_id) == ("Bo", branch.id)

                # 2. The secretary's reach figures, and who to call.
                assert await members_view(api, secretary) == [
                    "Reach now (joined / expected)",
                    "Riverside District: joined 2 / 4 · on Telegram 2 · fallback only 1"
                    " · unreachable 1",
                    "• Riverside Branch 1: joined 1 / 3 · unreachable 1",
                    "Not joined yet — to call",
                    "• Ann (Riverside Branch 1): no phone number",
                    "• Cy (Riverside Branch 1): no phone number",
                ]

                # 3. A directive with a deadline; Bo stays silent; the fallback step.
                directive = await services.directives.create(
                    await services.authz.actor(SUE),
                    Draft(
                        targets=(Target(branch.id, subtree=True),),
                        text=TEXT,
                        attachment=None,
                        ack_required=True,
                        ack_deadline=services.clock.now() + timedelta(hours=2),
                        send_at=None,
                    ),
                )
                mark = len(api.calls)
                DELIVERY.of(app).wake()
                delivered = await api.wait_for_call("sendMessage", chat_id=BO, since=mark)
                assert delivered.message is not None and TEXT in (delivered.message.text or "")
                assert await services.fallback_step(directive) == 1  # Ann: email; Bo, Cy: none
                LANE.of(app).wake()
                [mail] = await until(lambda: smtp.mailbox.received or None)
                assert mail["To"] == "ann@example.org"
                assert await services.fallback_step(directive) == 0  # once
                link = link_in(body_of(mail))
                base = f"http://127.0.0.1:{web_port}"
                async with aiohttp.ClientSession() as http:
                    async with http.get(base + link) as shown:
                        assert shown.status == 200 and TEXT in await shown.text()
                    async with http.post(base + link) as done:
                        assert (done.status, "Recorded" in await done.text()) == (200, True)

                # 4. The secretary records Bo's acknowledgement by phone, with the buttons.
                mark = len(api.calls)
                api.push_update(secretary.command("directives"))
                listing = await reply(api, SUE, mark, "sendMessage")
                detail = await press(api, secretary, listing, labels(listing)[0])
                assert "📞 Bo" in labels(detail)
                asked = await press(api, secretary, detail, "📞 Bo")
                assert (asked.text or "").startswith("📞 Reached by phone: Bo (Riverside Branch 1)")
                done_text = await press(api, secretary, asked, "✅ Acknowledged")
                assert done_text.text == "📞 Recorded for Bo, on their behalf by you: acknowledged."

                # 5. The view and its export mark it on behalf by Sue.
                detail = await directive_view(api, secretary)
                view = (detail.text or "").splitlines()
                assert "email: 1 sent · 1 acknowledged" in view
                assert any(line.startswith("Riverside Branch 1: 📞 phone 1 · ") for line in view)
                mark = len(api.calls)
                api.push_update(secretary.press(detail, "CSV"))
                sent = await api.wait_for_call("sendDocument", chat_id=SUE, since=mark)
                csv = sent.params["document"].content.decode("utf-8-sig").splitlines()
                assert csv[0].endswith(",Acknowledged at,Reached by")
                # Bo, the recipient, then the unit's register entries not on Telegram.
                bo_line, ann_line, cy_line = csv[1:]
                assert bo_line.startswith("RIV-1,Riverside Branch 1,Bo,sent,"), bo_line
                assert bo_line.endswith(",phone (on behalf by Sue)"), bo_line
                assert ann_line.startswith("RIV-1,Riverside Branch 1,Ann,not on Telegram,")
                assert ann_line.endswith(",email — acknowledged by link"), ann_line
                assert cy_line == (
                    "RIV-1,Riverside Branch 1,Cy,not on Telegram,,,not reached: no address"
                )

                # What was stored: one acknowledgement each, and the audit of it all.
                recorded = await storage.db.fetchall(
                    "SELECT member_id, acked_at IS NOT NULL, on_behalf_by FROM directive_recipients"
                    " WHERE directive_id = ?",
                    (directive.id,),
                )
                assert [tuple(r) for r in recorded] == [(member.id, 1, sue.id)]
                by_email = await storage.db.fetchall(
                    "SELECT e.name, f.via FROM fallback_recipients f"
                    " JOIN register_entries e ON e.id = f.entry_id WHERE f.acked_at IS NOT NULL"
                )
                assert [tuple(r) for r in by_email] == [("Ann", "email")]
                d = f"directive {directive.id}"
                assert audit_tail(await storage.audit.recent(), 5) == [
                    ("join_personal", "ok", f"register entry {entries['Bo']}: joined"),
                    ("directive_create", "ok", f"{d}: 1 targets, 1 recipients, ack yes"),
                    ("fallback_sent", "ok", f"{d}: 1 email"),
                    ("fallback_ack", "ok", f"{d}: register entry {entries['Ann']} via email"),
                    ("record_on_behalf", "ok", f"{d} member {member.id}: acknowledged"),
                ]

                # 6. Ann, who never joined, asks to be forgotten. Her new address came in a
                # file named after her, so the audit log names her too.
                fix = tmp_path / "Ann-new-address.csv"
                fix.write_text(REGISTER.replace("ann@", "ann.lee@"), encoding="utf-8")
                await services.register.import_file(Actor.console(), fix, prune=False)
                # `muster member erase` at the console while the bot runs, her name typed as
                # it comes (case and spacing do not count).
                monkeypatch.setenv(*store_env(settings))
                erase = ("member", "erase", "--unit", "RIV-1", "--name", " ANN ", "--yes")
                ann = entries["Ann"]
                assert await console(capsys, *erase) == (0, f"register entry {ann} erased\n")
                # Gone from the secretary's list of whom to call, and from the figures.
                assert await members_view(api, secretary) == [
                    "Reach now (joined / expected)",
                    "Riverside District: joined 2 / 3 · on Telegram 2 · fallback only 0"
                    " · unreachable 1",
                    "• Riverside Branch 1: joined 1 / 2 · unreachable 1",
                    "Not joined yet — to call",
                    "• Cy (Riverside Branch 1): no phone number",
                ]
                code, listed = await console(capsys, "member", "list", "--unit", "RIV-1")
                assert code == 0 and "register: 2 expected" in listed
                assert "Ann" not in listed and "ann" not in listed
                # Her address is gone from the email the fallback sent (its verdict stays),
                # and from the register; the audit names her no more.
                mailed = await storage.db.fetchall(
                    "SELECT address, payload, status FROM outbox WHERE channel = 'email'"
                )
                assert [tuple(r) for r in mailed] == [(None, "{}", "sent")]
                stored = await storage.db.fetchall(
                    "SELECT name, phone, email, external_id, active FROM register_entries"
                    " WHERE id = ?",
                    (ann,),
                )
                assert [tuple(r) for r in stored] == [(f"erased entry #{ann}", None, None, None, 0)]
                details = [e.detail or "" for e in await storage.audit.recent()]
                assert not [d for d in details if "ann" in d.lower()]
                assert f"erased entry #{ann}-new-address.csv: 0 added, 1 updated," in details[-2]
                assert audit_tail(await storage.audit.recent(), 1) == [
                    ("register_erase", "ok", f"register entry {ann}")
                ]
                # History's totals are not rewritten: the directive still counts one email
                # sent and acknowledged, now by an entry with no name.
                erased_view = (await directive_view(api, secretary)).text or ""
                assert "email: 1 sent · 1 acknowledged" in erased_view.splitlines()
                by_email = await storage.db.fetchall(
                    "SELECT e.name, f.via FROM fallback_recipients f"
                    " JOIN register_entries e ON e.id = f.entry_id WHERE f.acked_at IS NOT NULL"
                )
                assert [tuple(r) for r in by_email] == [(f"erased entry #{ann}", "email")]
            finally:
                stop.set()
                await asyncio.wait_for(running, 15)
        assert len(smtp.mailbox.received) == 1
