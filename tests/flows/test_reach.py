"""Reach per unit (issue #18): expected · joined · on Telegram · fallback only · unreachable,
the same numbers in ``muster org show``, ``/members``, the summary's text and its
workbook; who has not joined, with their phone number, only for their own secretaries."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import redirect_stdout

import openpyxl
import pytest

from app.build import LANE
from app.cli import main
from bot.config import Settings
from bot.directives.drafting import Draft
from bot.fallback.config import EmailSettings
from bot.org.authz import Actor
from bot.org.reach import Reach
from fakeapi import FakeUser
from storage.directives import Target
from storage.models import Role
from tests.conftest import store_env
from tests.flows.conftest import Harness
from tests.flows.test_checkin import local
from tests.orgdata import add_member

# Email is a configured channel, SMS is not: Cy (blocked, with an email) and Eve (never
# joined, with an email) are reachable only by fallback; Bo (blocked) and Dan (never
# joined) have only a phone, Fay nothing: unreachable. Gus leaves the register.
REGISTER = """\
name,unit,phone,email,external_id
Ann,RIV-1,+86 138 0013 8000,ann@example.org,E1
Bo,RIV-1,+86 139 0013 9000,,E2
Cy,RIV-1,,cy@example.org,E3
Dan,RIV-1,+86 137 0013 7000,,E4
Eve,RIV-1,,eve@example.org,E5
Fay,HIL-1,,,E6
Gus,HIL-1,+86 136 0013 6000,,E7
"""
EMAIL = EmailSettings(host="127.0.0.1", port=2525, sender="muster@example.org")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The tests' settings, with the email channel configured."""
    fallback = settings.fallback.model_copy(update={"email": EMAIL})
    return settings.model_copy(update={"fallback": fallback})


@pytest.fixture(autouse=True)
async def _close_lane(harness: Harness) -> AsyncIterator[None]:
    yield
    await LANE.of(harness.app).close()


@pytest.fixture
async def people(harness: Harness) -> dict[str, FakeUser]:
    """Sue, Riverside's secretary, and Cora, the City coordinator, joined through general
    invites (no register entry); Ann, Bo and Cy through their personal invites, then Bo
    and Cy blocked the bot (a directive's send found it); Hal joined Hillside Branch 1
    without an entry."""
    services = harness.services
    path = harness.tmp_path / "register.csv"
    path.write_text(REGISTER, encoding="utf-8")
    await services.register.import_file(Actor.console(), path, prune=False)
    path.write_text(REGISTER.replace("Gus,HIL-1,+86 136 0013 6000,,E7\n", ""), encoding="utf-8")
    await services.register.import_file(Actor.console(), path, prune=True)
    sue = harness.person(601, "Sue", username="sue")
    await harness.join(sue, "RIV", Role.SECRETARY)
    cora = harness.person(602, "Cora", username="cora")
    await harness.join(cora, "CITY", Role.COORDINATOR)
    hilda = harness.person(603, "Hilda", username="hilda")
    await harness.join(hilda, "HIL-1", Role.SECRETARY)
    await add_member(services, 604, await harness.unit("HIL-1"), "Hal")
    issued = await services.register.issue_invites(Actor.console(), await harness.unit("RIV-1"))
    tokens = {line.entry.name: token for line, token in issued}
    found = {"Sue": sue, "Cora": cora, "Hilda": hilda}
    for number, name in enumerate(("Ann", "Bo", "Cy"), 611):
        person = harness.person(number, name)
        await harness.send(person, person.command("start", tokens[name]))
        found[name] = person
    harness.api.block(found["Bo"].id)
    harness.api.block(found["Cy"].id)
    draft = Draft(
        targets=(Target((await harness.unit("RIV")).id, subtree=True),),
        text="Sandbags to the river gate.",
        attachment=None,
        ack_required=False,
        ack_deadline=None,
        send_at=None,
    )
    await services.directives.create(await services.authz.actor(sue.id), draft)
    await harness.run_due()
    return found


# Own people of each unit, and their subtrees' (the README's worked definitions):
# RIV-1: Ann on Telegram; Bo blocked, phone only; Cy blocked, email; Dan never joined,
# phone only; Eve never joined, email. RIV: Sue. HIL-1: Hal, Hilda; Fay (nothing).
OWN = {
    "CITY": Reach(1, 1, 1, 0),
    "RIV": Reach(1, 1, 1, 0),
    "RIV-1": Reach(5, 3, 1, 2),
    "HIL": Reach(),
    "HIL-1": Reach(3, 2, 2, 0),
}
TOTAL = {
    "CITY": Reach(10, 7, 5, 2),
    "RIV": Reach(6, 4, 2, 2),
    "RIV-1": Reach(5, 3, 1, 2),
    "HIL": Reach(3, 2, 2, 0),
    "HIL-1": Reach(3, 2, 2, 0),
}


def short(r: Reach) -> str:
    return f"joined {r.joined} / {r.expected} · unreachable {r.unreachable}"


def full(r: Reach) -> str:
    return (
        f"joined {r.joined} / {r.expected} · on Telegram {r.telegram}"
        f" · fallback only {r.fallback} · unreachable {r.unreachable}"
    )


async def org_show(harness: Harness) -> list[str]:
    """``muster org show`` on the bot's database, with the same channels configured."""
    config = harness.tmp_path / "muster.toml"
    key, store = store_env(harness.services.settings)
    config.write_text(
        f'[storage]\n{key.removeprefix("MUSTER_STORAGE__").lower()} = "{store}"\n'
        f'[fallback.email]\nhost = "{EMAIL.host}"\nport = {EMAIL.port}\n'
        f'sender = "{EMAIL.sender}"\n',
        encoding="utf-8",
    )
    out = io.StringIO()

    def run() -> int:
        with redirect_stdout(out):
            return main(["--config", str(config), "org", "show"])

    assert await asyncio.to_thread(run) == 0
    return out.getvalue().splitlines()


async def test_every_view_shows_the_same_figures(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    harness.clock.set(local("2026-12-01 12:00"))  # a working day: the summary has lines
    lines = await org_show(harness)
    for code, total in TOTAL.items():
        [line] = [x for x in lines if x.strip().startswith(f"{code} ")]
        assert line.endswith(f" · {full(total)}"), line

    # The City coordinator's summary: the committee's total, each child's subtree.
    replies = await harness.send(people["Cora"], people["Cora"].command("summary"))
    [text] = [m.text for m in replies if (m.text or "").startswith("📊")]
    assert text is not None
    assert f"Reach: {full(TOTAL['CITY'])}" in text
    for code, name in (("RIV", "Riverside District"), ("HIL", "Hillside District")):
        [line] = [x for x in text.splitlines() if x.startswith(f"• {name}:")]
        assert f" · {short(TOTAL[code])}" in line, line
    [own] = [x for x in text.splitlines() if x.startswith("• City Committee (own members)")]
    assert f" · {short(OWN['CITY'])}" in own

    # Its workbook: each unit's own people, in columns after the check-in figures.
    [document] = [m for m in replies if "document" in m.raw]
    data = harness.api.file_bytes(document.raw["document"]["file_id"])
    assert data is not None
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["Units"]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0][-5:] == ["Expected", "Joined", "On Telegram", "Fallback only", "Unreachable"]
    shown = {row[0]: row[-5:] for row in table[1:]}
    assert shown == {
        code: [r.expected, r.joined, r.telegram, r.fallback, r.unreachable]
        for code, r in OWN.items()
        if r.expected
    }

    # /members: the scope's total, then each unit's own.
    [_, reach] = await harness.send(people["Cora"], people["Cora"].command("members"))
    assert reach.text is not None
    assert reach.text.splitlines() == [
        "Reach now (joined / expected)",
        f"City Committee: {full(TOTAL['CITY'])}",
        f"• Riverside Branch 1: {short(OWN['RIV-1'])}",
        f"• Hillside Branch 1: {short(OWN['HIL-1'])}",
        f"• Riverside District: {short(OWN['RIV'])}",
    ]


async def test_a_secretary_gets_who_has_not_joined_with_phones_a_coordinator_counts_only(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    sue = people["Sue"]
    [_, reach] = await harness.send(sue, sue.command("members"))
    assert reach.text is not None
    assert reach.text.splitlines() == [
        "Reach now (joined / expected)",
        f"Riverside District: {full(TOTAL['RIV'])}",
        f"• Riverside Branch 1: {short(OWN['RIV-1'])}",
        "Not joined yet — to call",
        "• Dan (Riverside Branch 1): +8613700137000",
        "• Eve (Riverside Branch 1): no phone number",
    ]
    # Hillside's secretary sees Hillside's, not Riverside's.
    hilda = people["Hilda"]
    [_, reach] = await harness.send(hilda, hilda.command("members"))
    assert reach.text is not None and reach.text.splitlines()[-2:] == [
        "Not joined yet — to call",
        "• Fay (Hillside Branch 1): no phone number",
    ]
    # The coordinator above both: counts only, no names or numbers.
    cora = people["Cora"]
    replies = await harness.send(cora, cora.command("members"))
    replies.extend(await harness.send(cora, cora.command("summary")))
    for message in replies:
        text = message.text or ""
        assert "+86" not in text and "Dan" not in text and "to call" not in text


async def test_figures_follow_what_happens_to_the_people(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    """A member moved counts where their register entry is; a deactivated one, joined but
    not on Telegram, falls to their email; one who blocked the bot and writes again is on
    Telegram again; a plain member asking is refused and gets no figures."""
    services, console = harness.services, Actor.console()
    ann = people["Ann"]
    [answer] = await harness.send(ann, ann.command("members"))
    assert answer.text == "Only secretaries and coordinators can see their units' check-ins."
    ann_member = await services.storage.members.by_telegram_id(ann.id)
    assert ann_member is not None
    await services.membership.move(console, ann_member, "HIL-1")
    riv1, hil1 = await harness.unit("RIV-1"), await harness.unit("HIL-1")
    reach = await services.reach.of_subtree(await harness.unit("CITY"))
    assert (reach.own_of(riv1), reach.own_of(hil1)) == (OWN["RIV-1"], OWN["HIL-1"])

    moved = await services.storage.members.by_telegram_id(ann.id)
    assert moved is not None
    await services.membership.set_active(console, moved, False)
    reach = await services.reach.of_subtree(await harness.unit("CITY"))
    assert reach.own_of(riv1) == Reach(5, 3, 0, 3)  # Ann: on Telegram → by email
    cy = people["Cy"]
    harness.api.unblock(cy.id)
    await harness.send(cy, cy.command("help"))
    reach = await services.reach.of_subtree(await harness.unit("CITY"))
    assert reach.own_of(riv1) == Reach(5, 3, 1, 2)  # Cy: by email → on Telegram
    assert reach.total_of(await harness.unit("CITY")) == TOTAL["CITY"]
    ann_entry = await services.storage.register.of_member(moved.id)
    assert ann_entry is not None and ann_entry.unit_id == riv1.id
    assert reach.own_of(hil1) == OWN["HIL-1"]


async def counts_match_the_definitions(harness: Harness) -> None:
    """The counts migration 0034's triggers keep equal the people as its view defines them."""
    db = harness.services.storage.db
    kept = await db.fetchall(
        "SELECT unit_id, expected, joined, telegram, off_both, off_email, off_phone"
        " FROM unit_reach WHERE expected != 0 ORDER BY unit_id"
    )
    plain = await db.fetchall(
        # The view's flags are 0/1 on both stores: compared with 1, as PostgreSQL needs.
        "SELECT unit_id, COUNT(*), SUM(joined), SUM(telegram),"
        " SUM(CASE WHEN telegram = 0 AND email = 1 AND phone = 1 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN telegram = 0 AND email = 1 AND phone = 0 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN telegram = 0 AND phone = 1 AND email = 0 THEN 1 ELSE 0 END)"
        " FROM reach_people GROUP BY unit_id"
        " ORDER BY unit_id"
    )
    assert [tuple(r) for r in kept] == [tuple(r) for r in plain]


async def test_the_kept_counts_follow_every_change(
    harness: Harness, people: dict[str, FakeUser], admin: FakeUser
) -> None:
    """Joins, blocks, a prune, a move, deactivation, unblocking, re-import with new
    addresses, an entry deleted and a member erased: the counts stay the definitions'."""
    services, console = harness.services, Actor.console()
    await counts_match_the_definitions(harness)
    bo = await services.storage.members.by_telegram_id(people["Bo"].id)
    assert bo is not None
    await services.membership.move(console, bo, "HIL-1")
    await services.membership.set_active(console, bo, False)
    await counts_match_the_definitions(harness)
    path = harness.tmp_path / "register.csv"
    path.write_text(
        REGISTER.replace(",,E2", ",bo@example.org,E2").replace("Dan,RIV-1", "Dan,HIL-1"),
        encoding="utf-8",
    )
    await services.register.import_file(console, path, prune=True)
    await counts_match_the_definitions(harness)
    await services.storage.db.write("DELETE FROM register_entries WHERE name = 'Gus'")
    ann = await services.storage.members.by_telegram_id(people["Ann"].id)
    assert ann is not None
    await services.privacy.erase_member(await services.authz.actor(admin.id), ann)
    await counts_match_the_definitions(harness)
    reach = await services.reach.of_subtree(await harness.unit("CITY"))
    # Ann erased (her entry with her), Dan moved to Hillside; Bo (deactivated, by his new
    # email), Cy (blocked) and Eve (never joined) are left, all by email.
    assert reach.own_of(await harness.unit("RIV-1")) == Reach(3, 2, 0, 3)
