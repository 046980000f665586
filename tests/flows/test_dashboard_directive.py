"""The dashboard's directive view and "Remind now" (issue #19, second slice) against the
real web server: the numbers are the chat's ``/directives`` detail and headcount, rolled
up per unit, worst first, with each unit's silent members; "Remind now" is the chat's
call (its scope, its audit, its double-press guard); and every refusal is a status and a
message in the person's language (401 without valid launch data, 403 out of scope or
after a role is revoked, 404 for an unknown directive, 409 once it was withdrawn or its
answers closed, 400/415 for a request that is not the page's)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from bot.directives.render import STATE_KEYS
from fakeapi import FakeUser
from handlers.dashboard.directive import API_DIRECTIVE, API_DIRECTIVES, API_REMIND, LABELS
from handlers.dashboard.web import INIT_DATA_HEADER
from storage.directives import Directive
from storage.models import Role
from tests.flows.conftest import Harness
from tests.flows.test_answers import QUESTION
from tests.flows.test_dashboard import launch, org, served, settings
from tests.flows.test_question_watch import press
from tests.flows.test_summary import Org

__all__ = ["org", "served", "settings"]  # fixtures, used by name
Served = tuple[aiohttp.ClientSession, str]
TEXT = "Sandbags to the river gate by 18:00."


async def get(
    served: Served, path: str, init_data: str | None, **params: int | str
) -> tuple[int, Any]:
    http, base = served
    headers = {INIT_DATA_HEADER: init_data} if init_data is not None else {}
    query = {name: str(value) for name, value in params.items()}
    async with http.get(base + path, headers=headers, params=query) as response:
        assert response.headers["Cache-Control"].startswith("no-store")
        body = await response.read()
        return response.status, json.loads(body) if body else None


async def remind(
    served: Served,
    init_data: str | None,
    body: Any,
    *,
    content_type: str = "application/json",
    origin: str | None = None,
) -> tuple[int, Any]:
    http, base = served
    headers = {"Content-Type": content_type}
    if init_data is not None:
        headers[INIT_DATA_HEADER] = init_data
    if origin is not None:
        headers["Origin"] = origin
    data = body if isinstance(body, str) else json.dumps(body)
    async with http.post(base + API_REMIND, data=data, headers=headers) as response:
        assert response.headers["Cache-Control"].startswith("no-store")
        raw = await response.read()
        return response.status, json.loads(raw) if raw else None


async def acknowledge(harness: Harness, directive: Directive, org: Org, *names: str) -> None:
    for name in names:
        await harness.services.directives.acknowledge(directive.id, org.members[name].id)


async def test_the_view_has_the_chats_numbers_rolled_up_worst_first_with_the_silent(
    harness: Harness, org: Org, served: Served
) -> None:
    directive = await harness.issue(None, TEXT, unit="RIV", watch=False)  # from the console
    await harness.run_due()
    await acknowledge(harness, directive, org, "Ann", "Bo")
    cora = launch(harness, org.coord)
    status, listed = await get(served, API_DIRECTIVES, cora)
    assert status == 200
    [entry] = listed["directives"]
    assert (entry["id"], entry["text"], entry["state"]) == (directive.id, TEXT, "sent")
    status, view = await get(served, API_DIRECTIVE, cora, id=directive.id)
    assert status == 200
    riv, riv1 = await harness.unit("RIV"), await harness.unit("RIV-1")
    assert view["unit"] == {"id": riv.id, "name": "Riverside District"}
    # RIV's own two coordinators (neither acknowledged), then RIV-1 with everyone below.
    assert [(x["name"], x["recipients"], x["acked"], x["level"]) for x in view["lines"]] == [
        ("Riverside District (own members)", 2, 0, "bad"),
        ("Riverside Branch 1", 6, 2, "bad"),
    ]
    assert view["lines"][1]["figures"] == (
        "Sent 6/6 · failed 0 · unreachable 0 · to go 0 · Acknowledged 2/6 (33%)"
    )
    # The chat's detail for the same person: the same totals and per-unit numbers.
    actor = await harness.services.authz.actor(org.coord.id)
    chat = await harness.services.directives.view(actor, directive.id)
    total = view["total"]
    assert (total["recipients"], total["sent"], total["acked"], total["unreachable"]) == (
        chat.totals.recipients,
        chat.totals.sent,
        chat.totals.acked,
        chat.totals.unreachable,
    )
    assert (entry["recipients"], entry["sent"], entry["acked"]) == (8, 8, 2)
    [listing] = await harness.send(org.coord, org.coord.command("directives"))
    [detail] = await harness.send(org.coord, org.coord.press(listing, listing.buttons[0][0]))
    assert detail.text is not None
    assert "• Riverside Branch 1: 2/6 acknowledged (33%)" in detail.text
    assert "• Riverside District: 0/2 acknowledged (0%)" in detail.text
    # RIV's own silent members; a coordinator may not send, so no "Remind now".
    assert view["silent"] == [{"name": "Chen", "how": "sent"}, {"name": "Cora", "how": "sent"}]
    assert view["can_remind"] is False
    # Drilling down to RIV-1: its silent, and the way back up.
    _, down = await get(served, API_DIRECTIVE, cora, id=directive.id, unit=riv1.id)
    assert [x["name"] for x in down["silent"]] == ["Cy", "Di", "Ed", "Sam"]
    assert [x["label"] for x in down["path"]] == ["‹ Riverside District"]
    assert [(x["name"], x["recipients"], x["acked"]) for x in down["lines"]] == [
        ("Riverside Branch 1 (own members)", 6, 2)
    ]


async def test_a_secretary_below_sees_it_from_their_own_unit(
    harness: Harness, org: Org, served: Served
) -> None:
    directive = await harness.issue(None, TEXT, unit="RIV", watch=False)
    await harness.run_due()
    status, view = await get(served, API_DIRECTIVE, launch(harness, org.sec), id=directive.id)
    assert status == 200
    assert view["unit"]["name"] == "Riverside Branch 1"  # not RIV: not Sam's to see
    assert view["path"] == [] and view["total"]["recipients"] == 6
    assert view["can_remind"] is True


async def test_a_question_shows_the_headcounts_answers_per_choice(
    harness: Harness, org: Org, served: Served
) -> None:
    directive = await harness.issue(None, "Who can clear the roads?", question=QUESTION)
    await press(harness, org.members["Ann"], "I can come")
    await harness.send(org.members["Ann"], org.members["Ann"].message("5"))
    await press(harness, org.members["Bo"], "I need transport")
    _, view = await get(served, API_DIRECTIVE, launch(harness, org.coord), id=directive.id)
    assert view["directive"]["question"] is True
    assert view["total"]["answers"] == (
        "I can come 1 (+5) · I need transport 1 · I cannot 0 · not answered 6"
    )
    [riv1] = [x for x in view["lines"] if x["name"] == "Riverside Branch 1"]
    assert riv1["figures"].endswith("Answered 2/6 (33%)")
    # The chat's headcount for the same person has the same words on the unit's line.
    [listing] = await harness.send(org.coord, org.coord.command("directives"))
    [detail] = await harness.send(org.coord, org.coord.press(listing, listing.buttons[0][0]))
    assert detail.text is not None
    assert f"Riverside Branch 1: {riv1['answers']}" in detail.text
    # In Chinese for Chen.
    _, zh = await get(served, API_DIRECTIVE, launch(harness, org.coord_zh), id=directive.id)
    assert zh["total"]["answers"].startswith("I can come 1人（+5）")
    assert zh["texts"]["silent"] == "此处尚未确认或答复"


async def test_remind_now_reminds_the_units_silent_once_and_is_audited(
    harness: Harness, org: Org, served: Served
) -> None:
    directive = await harness.issue(org.sec, TEXT, unit="RIV-1", watch=False)
    await harness.run_due()
    await acknowledge(harness, directive, org, "Ann", "Bo")
    sam = launch(harness, org.sec)
    riv1 = await harness.unit("RIV-1")
    _, view = await get(served, API_DIRECTIVE, sam, id=directive.id)
    assert view["can_remind"] is True
    silent = [x["name"] for x in view["silent"]]
    assert silent == ["Cy", "Di", "Ed"]
    status, body = await remind(served, sam, {"directive": directive.id, "unit": riv1.id})
    assert (status, body["reminded"]) == (200, 3)
    assert body["message"] == "Reminder queued for 3 members."
    # A double press: the chat button's own guard, nothing queued twice.
    status, again = await remind(served, sam, {"directive": directive.id, "unit": riv1.id})
    assert (status, again["reminded"]) == (200, 0)
    assert again["message"] == "Reminders are already on their way to everyone silent."
    assert await harness.run_due() == 3
    for name in silent:
        reminder = harness.api.last_message(org.members[name].id)
        assert reminder.text is not None and reminder.text.startswith("⚠️ Reminder")
    for name in ("Ann", "Bo"):
        last = harness.api.last_message(org.members[name].id)
        assert last.text is not None and not last.text.startswith("⚠️ Reminder")
    entries = await harness.services.storage.audit.recent()
    audited = [e for e in entries if e.action == "directive_remind"]
    assert sorted((e.outcome, e.detail) for e in audited) == [
        ("ok", f"directive {directive.id}: 0 reminders in RIV-1"),
        ("ok", f"directive {directive.id}: 3 reminders in RIV-1"),
    ]


@pytest.mark.parametrize("endpoint", ["list", "view", "remind"])
@pytest.mark.parametrize("problem", ["missing", "expired", "foreign"])
async def test_every_endpoint_gives_a_bare_401_without_valid_launch_data(
    harness: Harness, org: Org, served: Served, endpoint: str, problem: str
) -> None:
    directive = await harness.issue(org.sec, TEXT, unit="RIV-1", watch=False)
    given = {
        "missing": None,
        "expired": launch(harness, org.sec, age=3601),
        "foreign": launch(harness, org.sec, token="123456:another-bots-token"),
    }[problem]
    riv1 = await harness.unit("RIV-1")
    if endpoint == "list":
        status, body = await get(served, API_DIRECTIVES, given)
    elif endpoint == "view":
        status, body = await get(served, API_DIRECTIVE, given, id=directive.id)
    else:
        status, body = await remind(served, given, {"directive": directive.id, "unit": riv1.id})
    assert (status, body) == (401, None)
    assert await harness.run_due() == 0  # nothing reminded


async def test_out_of_scope_and_unknown_are_refused_in_the_persons_language(
    harness: Harness, org: Org, served: Served
) -> None:
    directive = await harness.issue(org.sec, TEXT, unit="RIV-1", watch=False)
    await harness.run_due()
    hal = harness.person(960, "Hal", language="zh")
    await harness.join(hal, "HIL", Role.COORDINATOR)
    status, body = await get(served, API_DIRECTIVE, launch(harness, hal), id=directive.id)
    assert (status, body) == (403, {"lang": "zh", "message": "该单位不在您的查看范围内。"})
    _, listed = await get(served, API_DIRECTIVES, launch(harness, hal))
    assert listed["directives"] == []
    sam = launch(harness, org.sec)
    riv, riv1 = await harness.unit("RIV"), await harness.unit("RIV-1")
    status, body = await get(served, API_DIRECTIVE, sam, id=directive.id, unit=riv.id)
    assert (status, body["message"]) == (403, "That unit is outside your scope.")
    unknown = ({"id": 999_999}, {"id": "x"}, {"id": "²"}, {"id": directive.id, "unit": 999_999})
    for asked in unknown:
        status, body = await get(served, API_DIRECTIVE, sam, **asked)
        assert status == 404 and body["message"].startswith("That directive no longer exists")
    # Reminding: a coordinator may not send; Sam not above his own unit; nor unknown.
    status, body = await remind(
        served, launch(harness, org.coord_zh), {"directive": directive.id, "unit": riv1.id}
    )
    assert (status, body["message"]) == (403, "您无权向该单位发送提醒。")
    status, body = await remind(served, sam, {"directive": directive.id, "unit": riv.id})
    assert (status, body["message"]) == (403, "You may not send reminders to this unit.")
    status, _ = await remind(served, sam, {"directive": 999_999, "unit": riv1.id})
    assert status == 404
    assert await harness.run_due() == 0
    denied = [e for e in await harness.services.storage.audit.recent() if e.outcome == "denied"]
    assert len(denied) >= 4  # audited as the chat's refusals are


async def test_a_request_that_is_not_the_pages_is_refused(
    harness: Harness, org: Org, served: Served
) -> None:
    directive = await harness.issue(org.sec, TEXT, unit="RIV-1", watch=False)
    await harness.run_due()
    sam = launch(harness, org.sec)
    riv1 = await harness.unit("RIV-1")
    asked = {"directive": directive.id, "unit": riv1.id}
    status, _ = await remind(served, sam, json.dumps(asked), content_type="text/plain")
    assert status == 415  # a form or a "simple" cross-site request
    status, _ = await remind(served, sam, asked, origin="https://evil.example")
    assert status == 403
    bad: Any
    for bad in ("not json", [], {"directive": "1; DROP", "unit": riv1.id}, {"unit": riv1.id}):
        status, body = await remind(served, sam, bad)
        assert status == 400 and body["message"].startswith("That request was not understood")
    status, body = await remind(served, sam, asked, origin="https://muster.example.org")
    assert (status, body["reminded"]) == (200, 5)  # the public address Telegram opens


async def test_a_withdrawn_directive_shows_and_is_not_reminded(
    harness: Harness, org: Org, served: Served
) -> None:
    directive = await harness.issue(org.sec, TEXT, unit="RIV-1", watch=False)
    await harness.run_due()
    await harness.services.storage.db.write(
        "UPDATE directives SET status = 'cancelled' WHERE id = ?", (directive.id,)
    )
    sam = launch(harness, org.sec)
    status, view = await get(served, API_DIRECTIVE, sam, id=directive.id)
    assert status == 200 and view["directive"]["state"] == "❌ withdrawn"
    assert view["can_remind"] is False
    riv1 = await harness.unit("RIV-1")
    status, body = await remind(served, sam, {"directive": directive.id, "unit": riv1.id})
    assert (status, body["message"]) == (
        409,
        "This directive was withdrawn: there is nobody to remind.",
    )
    assert await harness.run_due() == 0


async def test_after_the_answers_closed_a_question_is_not_reminded_here_or_in_chat(
    harness: Harness, org: Org, served: Served
) -> None:
    directive = await harness.issue(org.sec, "Who can come?", unit="RIV-1", question=QUESTION)
    harness.clock.advance(timedelta(hours=2, minutes=1))
    sam = launch(harness, org.sec)
    _, view = await get(served, API_DIRECTIVE, sam, id=directive.id)
    assert view["directive"]["closed"] is True and view["can_remind"] is False
    assert view["directive"]["state"].startswith("sent · answers closed at ")
    riv1 = await harness.unit("RIV-1")
    status, body = await remind(served, sam, {"directive": directive.id, "unit": riv1.id})
    assert (status, body["message"]) == (
        409,
        "The answers to this question have closed: reminders can no longer be answered.",
    )
    # The chat's detail offers no "Remind now" either (the same service decides).
    [listing] = await harness.send(org.sec, org.sec.command("directives"))
    [detail] = await harness.send(org.sec, org.sec.press(listing, listing.buttons[0][0]))
    assert "🔔 Remind now" not in [text for text, _ in detail.buttons]


async def test_a_role_revoked_while_open_is_refused_at_the_next_request(
    harness: Harness, org: Org, served: Served, admin: FakeUser
) -> None:
    directive = await harness.issue(org.sec, TEXT, unit="RIV-1", watch=False)
    await harness.run_due()
    sam = launch(harness, org.sec)
    status, _ = await get(served, API_DIRECTIVE, sam, id=directive.id)
    assert status == 200
    await harness.send(admin, admin.command("ungrant", str(org.sec.id), "secretary", "RIV-1"))
    riv1 = await harness.unit("RIV-1")
    status, body = await remind(served, sam, {"directive": directive.id, "unit": riv1.id})
    assert (status, body["message"]) == (403, "You may not send reminders to this unit.")
    assert await harness.run_due() == 0
    # Nor does it open any more (as in chat: no scope, no directives to watch).
    status, body = await get(served, API_DIRECTIVE, sam, id=directive.id)
    assert (status, body["message"]) == (403, "That unit is outside your scope.")
    status, listed = await get(served, API_DIRECTIVES, sam)
    assert (status, listed["directives"]) == (200, [])


def test_both_languages_have_every_word_of_the_view() -> None:
    from bot.kit.i18n import LANGUAGES, Translator

    i18n = Translator()
    keys = {*LABELS.values(), *STATE_KEYS.values()}
    for language in LANGUAGES:
        assert keys <= i18n.message_ids(language), language
