"""Typed callback data: one declaration per button, packed and parsed in one place, under
Telegram's 64 bytes, one owner per prefix, and the wire format of buttons already in chats."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

import handlers  # noqa: F401  (every screen's flows adopt their buttons on import)
from bot.checkins.buttons import CHECKIN, CheckInNow, LeaveReason
from bot.directives.buttons import Acknowledge, DirectiveButton, ExportXlsx, When
from bot.duty.buttons import RosterCancelList, ShiftButton, TakeShift
from bot.kit.callbacks import LIMIT, REGISTRY, Clash, Family, Id, Payload
from bot.org.buttons import InviteRole, InviteUses, JoinDecision
from bot.summaries.buttons import ShowSummary
from handlers.checkins.checkin import FORM

ROOT = Path(__file__).resolve().parents[2]
HAND_WRITTEN = re.compile(r"""pattern=[rfb]*["']""")  # a literal: pattern=r"^…", f"…", "…"


def test_every_declared_payload_fits_64_bytes_at_its_largest_and_round_trips() -> None:
    declared = list(REGISTRY.payloads())
    assert len(declared) > 50  # every wing's, the flows' and forms' included
    for kind in declared:
        largest = kind.largest()
        data = largest.pack()
        assert len(data.encode()) <= LIMIT, data
        assert kind.parse(data) == largest, data
        assert kind.pattern.match(data), data


def test_buttons_already_in_chats_still_parse_after_an_upgrade() -> None:
    # The wire format of earlier releases, spelled out on purpose: these are in chats now.
    assert Acknowledge.parse("ack:123") == Acknowledge(123)
    assert Acknowledge(123).pack() == "ack:123"
    assert CheckInNow.parse("ci:go") == CheckInNow()
    assert CheckInNow().pack() == "ci:go"
    assert TakeShift.parse("dt:cv:7") == TakeShift(7)
    assert ShowSummary.parse("sm:3:-") == ShowSummary(3, None)
    assert ShowSummary.parse("sm:3:2026-12-01") == ShowSummary(3, date(2026, 12, 1))
    assert RosterCancelList.parse("rs:cl:4:20261201:2") == RosterCancelList(4, date(2026, 12, 1), 2)
    assert RosterCancelList(4, date(2026, 12, 1)).pack() == "rs:cl:4:20261201"
    assert When.parse("dc:w:now") == When(None)
    assert JoinDecision.parse("jr:a:9") == JoinDecision("a", 9)
    assert FORM.choose.parse("ci:c:0:post") == FORM.choose(0, "post")  # the check-in form


def test_forged_or_damaged_data_does_not_parse() -> None:
    for data in ("ack:", "ack:x", "ack:1:2", "ack:1234567890123", "xack:1", "", None, 42):
        assert Acknowledge.parse(data) is None, data
    assert ShowSummary.parse("sm:3:2026-13-45") is None  # no such day
    assert ShowSummary.parse("sm:3:1900-01-01") is None  # not a plausible one
    assert InviteRole.parse("iv:r:admin") is None
    assert InviteUses.parse("iv:n:5") is None
    assert LeaveReason.parse("lv:r:Sick") is None


def test_a_template_parses_as_any_payload_adopting_it() -> None:
    assert ShiftButton.parse("dt:ok:5") == ShiftButton.parse("dt:ok:5")
    pressed = DirectiveButton.parse("dw:x:8")
    assert isinstance(pressed, ExportXlsx) and pressed.directive == 8
    assert ShiftButton.parse("dw:x:8") is None


def test_pack_refuses_a_value_its_field_cannot_carry() -> None:
    with pytest.raises(ValueError, match="12 digits"):
        Acknowledge(10**12).pack()
    with pytest.raises(ValueError, match="not one of"):
        InviteRole("admin").pack()
    with pytest.raises(ValueError, match="does not match"):
        LeaveReason("Not a slug").pack()


def test_a_declaration_that_cannot_fit_64_bytes_is_refused() -> None:
    family = Family("zzlong", owner=__name__)
    with pytest.raises(ValueError, match="longer than 64 bytes"):

        class TooLong(Payload, family=family, tag="t"):
            a: Id
            b: Id
            c: Id
            d: Id
            e: Id


def test_two_features_claiming_one_prefix_fail_with_a_clear_error() -> None:
    with pytest.raises(Clash, match=r"'ci' is claimed by bot\.checkins\.buttons and elsewhere"):
        Family("ci", owner="elsewhere")
    assert REGISTRY.families["ci"] is CHECKIN  # the first claim stands


def test_one_tag_declared_twice_in_a_family_fails() -> None:
    family = Family("zztwice", owner=__name__)

    class First(Payload, family=family, tag="a"):
        pass

    with pytest.raises(Clash, match=r"'zztwice:a' is declared twice"):

        class Second(Payload, family=family, tag="a"):
            pass


def test_no_screen_spells_a_callback_pattern_by_hand() -> None:
    hand_written = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "handlers").rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if HAND_WRITTEN.search(line)
    ]
    assert hand_written == []
