"""A deactivated member takes no part: every member action is refused with one clear
message in their language, nothing is stored, and /me says they are inactive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.checkins.buttons import CheckInNow
from bot.directives.buttons import Acknowledge, AnswerChoice
from bot.directives.drafting import Draft
from bot.duty.buttons import (
    ConfirmShift,
    DeclineShift,
    EndDuty,
    ReportIncident,
    StartDuty,
    TakeShift,
)
from bot.org.authz import Actor
from fakeapi import FakeUser
from storage.directives import Target
from storage.models import Role
from tests.flows.conftest import Harness
from tests.flows.test_checkin import local
from tests.flows.test_on_duty import add_shift

REFUSED = {
    "en": "Your membership is inactive, so this is not open to you. If that is a mistake, "
    "ask your secretary.",
    "zh": "您的成员身份已停用，无法进行此操作。如有误，请联系您的书记。",
}


@dataclass
class Scene:
    shift_id: int
    directive_id: int


async def deactivate(harness: Harness, who: FakeUser) -> None:
    member = await harness.services.storage.members.by_telegram_id(who.id)
    assert member is not None
    await harness.services.membership.set_active(Actor.console(), member, active=False)


@pytest.fixture
async def scene(harness: Harness) -> Scene:
    """Ann (English) and Bo (Chinese) have a shift tonight and a directive to acknowledge,
    then are deactivated."""
    harness.clock.set(local("2026-12-01 09:00"))  # a Tuesday, the check-in open
    ann, bo = harness.person(901, "Ann", username="ann"), harness.person(902, "Bo", language="zh")
    await harness.join(ann, "RIV-1")
    await harness.join(bo, "RIV-1")
    await harness.join(harness.person(903, "Sam"), "RIV", Role.SECRETARY)
    shift_id = await add_shift(harness, 901, "2026-12-01 18:00", "2026-12-01 22:00")
    unit = await harness.unit("RIV-1")
    directive = await harness.services.directives.create(
        Actor.console(),
        Draft(
            targets=(Target(unit.id, subtree=False),),
            text="Check the drains on your street.",
            attachment=None,
            ack_required=True,
            ack_deadline=harness.clock.now() + timedelta(hours=3),
            send_at=None,
        ),
    )
    await harness.run_due()
    await deactivate(harness, ann)
    await deactivate(harness, bo)
    return Scene(shift_id, directive.id)


def _actions(scene: Scene) -> dict[str, tuple[str, str]]:
    """What a member does: (a command, or the data of a button they were sent)."""
    return {
        "checkin": ("command", "checkin"),
        "checkin button": ("press", CheckInNow().pack()),
        "leave": ("command", "leave"),
        "duty": ("command", "duty"),
        "confirm": ("press", ConfirmShift(scene.shift_id).pack()),
        "decline": ("press", DeclineShift(scene.shift_id).pack()),
        "take cover": ("press", TakeShift(scene.shift_id).pack()),
        "start": ("press", StartDuty(scene.shift_id).pack()),
        "end": ("press", EndDuty(scene.shift_id).pack()),
        "report": ("press", ReportIncident(scene.shift_id).pack()),
        "acknowledge": ("press", Acknowledge(scene.directive_id).pack()),
        "answer": ("press", AnswerChoice(scene.directive_id, 0).pack()),
    }


_STORED = (
    "SELECT (SELECT COUNT(*) FROM checkins) + (SELECT COUNT(*) FROM leave)"
    " + (SELECT COUNT(*) FROM directive_recipients WHERE acked_at IS NOT NULL)"
    " + (SELECT COUNT(*) FROM shifts WHERE status != 'open' OR confirmed_at IS NOT NULL)"
)


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize(
    "action",
    [
        "checkin",
        "checkin button",
        "leave",
        "duty",
        "confirm",
        "decline",
        "take cover",
        "start",
        "end",
        "report",
        "acknowledge",
        "answer",
    ],
)
async def test_an_inactive_member_is_refused_every_member_action(
    harness: Harness, scene: Scene, action: str, language: str
) -> None:
    """Regression: after ``muster member deactivate`` the member was still shown the
    check-in form, and Submit stored a check-in."""
    if language == "en":
        who = harness.person(901, "Ann", username="ann")
    else:
        who = harness.person(902, "Bo", language="zh")
    before = await harness.services.storage.db.fetchone(_STORED)
    kind, what = _actions(scene)[action]
    if kind == "command":
        replies = await harness.send(who, who.command(what))
    else:
        anchor = harness.api.last_message(who.id)
        replies = await harness.send(who, who.press_data(anchor.message_id, what))
    assert [m.text for m in replies] == [REFUSED[language]]
    after = await harness.services.storage.db.fetchone(_STORED)
    assert before is not None and after is not None and tuple(after) == tuple(before)


async def test_a_form_opened_before_deactivation_is_not_stored(
    harness: Harness, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check-in Submit itself refuses: the form may have been open all along."""
    from tests.flows.test_checkin import fill
    from tests.unit.test_checkins import form

    monkeypatch.setattr(harness.services.checkins, "form", form())
    cy = harness.person(904, "Cy")
    await harness.join(cy, "RIV-1")
    summary = await fill(harness, cy)
    await deactivate(harness, cy)
    replies = await harness.send(cy, cy.press(summary, "✅ Submit"))
    assert replies[-1].text == REFUSED["en"]
    assert await harness.services.storage.db.fetchall("SELECT * FROM checkins") == []


async def test_me_says_inactive_instead_of_asking_for_a_checkin(
    harness: Harness, scene: Scene
) -> None:
    ann = harness.person(901, "Ann", username="ann")
    [card] = await harness.send(ann, ann.command("me"))
    assert card.text is not None
    assert card.text.splitlines()[-2:] == [
        "Status: inactive · member since 2026-12-01",
        "Today: Tue 1 Dec · no check-in while inactive",
    ]
