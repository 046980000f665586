"""Register entries who never joined, as rows of a directive's "how reached" (issue #18):
the `/directives` detail lists each entry of its audience not on Telegram with their unit
and how the fallback reached them (email sent, acknowledged by link or reply code, not
reached: no address, every send failed, nothing sent), counts them per unit as the rows
say, and the CSV/XLSX export has a row each; never an address, for anyone. An erased entry
leaves both; an entry who joined shows once.

The register and the channels are test_fallback.py's: Ann, Bo and Eve joined through their
entries (recipients), Carol (email) and Dan (phone) never joined, Nobody has no address,
Hal is in Hillside (not in the audience)."""

# ruff: noqa: F811 (test_fallback.py's fixtures, imported, are the tests' parameters)

from __future__ import annotations

import asyncio
import csv
import io
from collections import Counter
from contextlib import redirect_stdout

import aiohttp
import openpyxl
import pytest

from app.cli import main
from bot.config import Settings
from bot.org.authz import Actor
from fakeapi import FakeUser, SentMessage
from handlers.dashboard.directive import API_DIRECTIVE
from storage.models import Role
from tests.fallback.gateway_server import Gateway
from tests.fallback.smtp import SmtpServer
from tests.flows.conftest import Harness
from tests.flows.test_dashboard import launch, served  # noqa: F401 (served: a fixture)
from tests.flows.test_dashboard_directive import get
from tests.flows.test_fallback import (  # noqa: F401 (fixtures)
    _close_lane,
    body_of,
    fall_back,
    gateway,
    inbound,
    link_in,
    pages,
    people,
    send,
    settings,
    smtp,
)

ADDRESSES = ("carol@example.org", "ann@example.org", "8613800138000", "138 0013 8000", "@")
PEOPLE_HEADING = "Not on Telegram · 3 on the register"


async def detail(harness: Harness, viewer: FakeUser) -> SentMessage:
    [listing] = await harness.send(viewer, viewer.command("directives"))
    [opened] = await harness.send(viewer, viewer.press(listing, listing.buttons[0][0]))
    assert opened.text is not None
    return opened


def block(text: str) -> list[str]:
    """The detail's "Not on Telegram" block, a line each."""
    [found] = [
        part for part in text.split("\n\n") if part.startswith(("Not on Telegram", "未加入"))
    ]
    return found.split("\n")


async def export(harness: Harness, viewer: FakeUser, opened: SentMessage) -> list[list[str]]:
    replies = await harness.send(viewer, viewer.press(opened, "CSV"))
    [document] = [c for c in replies.calls if c.method == "sendDocument"]
    return list(csv.reader(io.StringIO(document.params["document"].content.decode("utf-8-sig"))))


async def workbook(harness: Harness, viewer: FakeUser, opened: SentMessage) -> list[list[object]]:
    replies = await harness.send(viewer, viewer.press(opened, "XLSX"))
    [document] = [c for c in replies.calls if c.method == "sendDocument"]
    book = openpyxl.load_workbook(io.BytesIO(document.params["document"].content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def unit_figures(lines: list[str], unit: str) -> Counter[str]:
    """``Riverside Branch 1: email sent 1 · not reached: no address 1`` as counts."""
    [line] = [
        line for line in lines if line.startswith(f"{unit}: ") or line.startswith(f"{unit}：")
    ]
    found: Counter[str] = Counter()
    for part in line.split(": ", 1)[-1].split("：", 1)[-1].split(" · "):
        how, count = part.rstrip("人").rsplit(" ", 1) if " " in part else (part, "1")
        found[how] = int(count)
    return found


async def test_each_entry_is_a_row_with_how_it_was_reached_and_the_counts_agree(
    harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer, gateway: Gateway
) -> None:
    sue = people["Sue"]
    directive = await send(harness, sue)
    await harness.run_due()
    # Before the fallback fires: on the register, not reached, nothing sent.
    lines = block((await detail(harness, sue)).text or "")
    assert lines == [
        PEOPLE_HEADING,
        "Riverside Branch 1: not reached: nothing sent 3",
        "• Carol (Riverside Branch 1) — not on Telegram · not reached: nothing sent",
        "• Dan (Riverside Branch 1) — not on Telegram · not reached: nothing sent",
        "• Nobody (Riverside Branch 1) — not on Telegram · not reached: nothing sent",
    ]
    await fall_back(harness, people, directive)
    lines = block((await detail(harness, sue)).text or "")
    assert lines == [
        PEOPLE_HEADING,
        "Riverside Branch 1: email sent 1 · SMS sent 1 · not reached: no address 1",
        "• Carol (Riverside Branch 1) — not on Telegram · email sent",
        "• Dan (Riverside Branch 1) — not on Telegram · SMS sent",
        "• Nobody (Riverside Branch 1) — not on Telegram · not reached: no address",
    ]
    # Carol's link, Dan's reply code.
    carol = next(m for m in smtp.mailbox.received if m["To"] == "carol@example.org")
    dan = next(m for m in gateway.messages.values() if m["to"] == "+8613800138000")
    async with pages(harness) as (http, base):
        async with http.post(base + link_in(body_of(carol))) as done:
            assert done.status == 200
        assert (await inbound(http, base, "+8613800138000", str(dan["code"])))["status"] == (
            "recorded"
        )
    opened = await detail(harness, sue)
    lines = block(opened.text or "")
    assert lines == [
        PEOPLE_HEADING,
        "Riverside Branch 1: email — acknowledged by link 1 · SMS — acknowledged by code 1"
        " · not reached: no address 1",
        "• Carol (Riverside Branch 1) — not on Telegram · email — acknowledged by link",
        "• Dan (Riverside Branch 1) — not on Telegram · SMS — acknowledged by code",
        "• Nobody (Riverside Branch 1) — not on Telegram · not reached: no address",
    ]
    # The export: a row each, after the unit's recipients; the figures are the rows counted.
    table = await export(harness, sue, opened)
    assert table[0][-1] == "Reached by"
    entries = [row for row in table[1:] if row[3] == "not on Telegram"]
    assert [(row[0], row[2], row[-1]) for row in entries] == [
        ("RIV-1", "Carol", "email — acknowledged by link"),
        ("RIV-1", "Dan", "SMS — acknowledged by code"),
        ("RIV-1", "Nobody", "not reached: no address"),
    ]
    assert entries[0][5] and entries[0][4]  # sent at, acknowledged at (local times)
    assert [row[2] for row in table[1:]] == ["Ann", "Bo", "Eve", "Carol", "Dan", "Nobody"]
    assert Counter(row[-1] for row in entries) == unit_figures(lines, "Riverside Branch 1")
    sheet = await workbook(harness, sue, opened)
    assert [row[2] for row in sheet[1:]] == ["Ann", "Bo", "Eve", "Carol", "Dan", "Nobody"]
    assert sheet[-1][3:] == ["not on Telegram", None, None, "not reached: no address"]


async def test_every_failed_send_is_said_and_the_coordinator_sees_no_address(
    harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer
) -> None:
    smtp.mailbox.answers += ["250 OK", "554 5.7.1 Rejected"]  # Ann's goes, Carol's refused
    cora = harness.person(640, "Cora")
    await harness.join(cora, "CITY", Role.COORDINATOR)
    directive = await send(harness, people["Sue"])
    await fall_back(harness, people, directive)
    opened = await detail(harness, cora)
    text = opened.text or ""
    assert (
        "• Carol (Riverside Branch 1) — not on Telegram · not reached: every email send failed"
        in (text)
    )
    table = await export(harness, cora, opened)
    sheet = await workbook(harness, cora, opened)
    assert {row[2] for row in table[1:]} >= {"Carol", "Dan", "Nobody"}
    everything = text + repr(table) + repr(sheet)
    assert not [a for a in ADDRESSES if a in everything]
    # Nor for their secretary: the rows never carry an address.
    sue_text = (await detail(harness, people["Sue"])).text or ""
    assert not [a for a in ADDRESSES if a in sue_text]


async def test_in_chinese(
    harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer, gateway: Gateway
) -> None:
    li = harness.person(641, "李", language="zh")
    await harness.join(li, "RIV", Role.SECRETARY)
    directive = await send(harness, people["Sue"])
    await fall_back(harness, people, directive)
    opened = await detail(harness, li)
    lines = block(opened.text or "")
    assert lines == [
        "未加入 Telegram · 名册上3人",
        "Riverside Branch 1：邮件已发送1人 · 短信已发送1人 · 未联系上：无联系地址1人",
        "• Carol（Riverside Branch 1）— 未加入 Telegram · 邮件已发送",
        "• Dan（Riverside Branch 1）— 未加入 Telegram · 短信已发送",
        "• Nobody（Riverside Branch 1）— 未加入 Telegram · 未联系上：无联系地址",
    ]
    table = await export(harness, li, opened)
    assert [(row[2], row[3], row[-1]) for row in table if row[3] == "未加入 Telegram"] == [
        ("Carol", "未加入 Telegram", "邮件已发送"),
        ("Dan", "未加入 Telegram", "短信已发送"),
        ("Nobody", "未加入 Telegram", "未联系上：无联系地址"),
    ]


async def test_an_erased_entry_leaves_the_view_and_the_export(
    harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer
) -> None:
    """``muster member erase --external-id E3 --yes``: Carol's row goes, from the counts too."""
    sue = people["Sue"]
    directive = await send(harness, sue)
    await fall_back(harness, people, directive)
    config = harness.tmp_path / "muster.toml"
    config.write_text(f'[storage]\ndatabase = "{harness.tmp_path / "muster.db"}"\n')

    def erase() -> int:
        with redirect_stdout(io.StringIO()):
            return main(
                ["--config", str(config), "member", "erase", "--external-id", "E3", "--yes"]
            )

    assert await asyncio.to_thread(erase) == 0
    opened = await detail(harness, sue)
    lines = block(opened.text or "")
    assert lines == [
        "Not on Telegram · 2 on the register",
        "Riverside Branch 1: SMS sent 1 · not reached: no address 1",
        "• Dan (Riverside Branch 1) — not on Telegram · SMS sent",
        "• Nobody (Riverside Branch 1) — not on Telegram · not reached: no address",
    ]
    table = await export(harness, sue, opened)
    assert [row[2] for row in table[1:]] == ["Ann", "Bo", "Eve", "Dan", "Nobody"]
    assert "erased" not in repr(table) and "Carol" not in repr(table)


class TestAnEntryWhoJoins:
    async def test_before_it_is_sent_shows_once_as_the_member(
        self, harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer
    ) -> None:
        sue = people["Sue"]
        await join_as(harness, "Carol", 650)
        directive = await send(harness, sue)
        await fall_back(harness, people, directive)
        opened = await detail(harness, sue)
        assert "Carol (Riverside Branch 1)" not in (opened.text or "")
        assert block(opened.text or "")[0] == "Not on Telegram · 2 on the register"
        table = await export(harness, sue, opened)
        assert [row[2] for row in table[1:]].count("Carol") == 1
        [carol] = [row for row in table[1:] if row[2] == "Carol"]
        assert carol[3] == "sent"  # her Telegram delivery: a recipient

    async def test_after_the_fallback_shows_once_as_joined_later(
        self, harness: Harness, people: dict[str, FakeUser], smtp: SmtpServer
    ) -> None:
        sue = people["Sue"]
        directive = await send(harness, sue)
        await fall_back(harness, people, directive)
        await join_as(harness, "Carol", 650)
        opened = await detail(harness, sue)
        text = opened.text or ""
        assert text.count("Carol") == 1
        assert "• Carol (Riverside Branch 1) — joined after it was sent · email sent" in text
        table = await export(harness, sue, opened)
        assert [(row[2], row[3], row[-1]) for row in table[1:] if row[2] == "Carol"] == [
            ("Carol", "joined after it was sent", "email sent")
        ]


async def join_as(harness: Harness, name: str, telegram_id: int) -> None:
    """``name`` joins through their personal invite (their entry, their unit)."""
    unit = await harness.unit("RIV-1")
    issued = await harness.services.register.issue_invites(Actor.console(), unit)
    token = next(token for line, token in issued if line.entry.name == name)
    person = harness.person(telegram_id, name)
    await harness.send(person, person.command("start", token))
    joined = await harness.services.storage.members.by_telegram_id(telegram_id)
    entry = await harness.services.storage.register.by_external_id("E3")
    assert joined is not None and entry is not None and entry.member_id == joined.id


class TestOnTheDashboard:
    """The dashboard's directive view at a unit lists its own entries not on Telegram."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        shown = {"enabled": True, "public_url": "https://muster.example.org", "port": 0}
        dashboard = settings.dashboard.model_validate(shown)
        return settings.model_copy(update={"dashboard": dashboard})

    async def test_the_units_entries_with_how_they_were_reached_and_no_address(
        self,
        harness: Harness,
        people: dict[str, FakeUser],
        smtp: SmtpServer,
        gateway: Gateway,
        served: tuple[aiohttp.ClientSession, str],
    ) -> None:
        directive = await send(harness, people["Sue"])
        await fall_back(harness, people, directive)
        cora = harness.person(640, "Cora", language="zh")
        await harness.join(cora, "CITY", Role.COORDINATOR)
        branch = await harness.unit("RIV-1")
        status, view = await get(served, API_DIRECTIVE, launch(harness, cora), id=directive.id,
                                 unit=branch.id)  # fmt: skip
        assert status == 200
        assert view["texts"]["entries"] == "此处名册上未加入 Telegram 的人员"
        assert view["entries"] == [
            {"name": "Carol", "how": "未加入 Telegram · 邮件已发送"},
            {"name": "Dan", "how": "未加入 Telegram · 短信已发送"},
            {"name": "Nobody", "how": "未加入 Telegram · 未联系上：无联系地址"},
        ]
        assert not [a for a in ADDRESSES if a in repr(view)]
        # The district above has none of its own: they are listed at their unit.
        status, above = await get(served, API_DIRECTIVE, launch(harness, cora), id=directive.id)
        assert (status, above["entries"]) == (200, [])
