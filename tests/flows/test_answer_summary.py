"""The evening summary and its workbook show each question asked that day with its
per-unit tallies (issue #16), in both languages, as the headcount counts them."""

from __future__ import annotations

from datetime import date

from bot.directives.drafting import Draft
from bot.org.authz import Actor
from storage.directives import Target
from tests.flows.conftest import Harness
from tests.flows.test_answers import QUESTION
from tests.flows.test_checkin import local
from tests.flows.test_summary import DAY, Org, org, sheet

__all__ = ["org"]  # a fixture, used by name


async def test_the_summary_shows_the_days_questions_per_unit(harness: Harness, org: Org) -> None:
    services = harness.services
    riv = await harness.unit("RIV")
    directive = await services.directives.create(
        Actor.console(),
        Draft(
            targets=(Target(riv.id, subtree=True),),
            text="Heavy snow tonight: who can clear the roads at 06:00?",
            attachment=None,
            ack_required=False,
            ack_deadline=local(f"{DAY} 18:00"),
            send_at=None,
            question=QUESTION,
        ),
    )
    await harness.run_due()
    people = org.members
    await services.answers.answer(directive.id, people["Ann"].id, 0)
    await services.answers.give_number(directive.id, people["Ann"].id, "5")
    await services.answers.answer(directive.id, people["Bo"].id, 2)
    await services.answers.answer(directive.id, org.coord_zh.id, 0)
    harness.clock.set(local(f"{DAY} 12:00"))
    [_, text, book] = await harness.send(org.coord, org.coord.command("summary"))
    assert text.text is not None
    assert (
        "Questions today\n"
        "• “Heavy snow tonight: who can clear the roads at 06:00?” — 3 of 8 answered:"
        " I can come 2 (+5) · I need transport 0 · I cannot 1 · not answered 5\n"
        # Worst response rate first, as the headcount lists them.
        "  Riverside Branch 1: I can come 1 (+5) · I need transport 0 · I cannot 1"
        " · not answered 4\n"
        "  Riverside District (own members): I can come 1 · I need transport 0 · I cannot 0"
        " · not answered 1\n"
    ) in text.text
    [_, text_zh, _] = await harness.send(org.coord_zh, org.coord_zh.command("summary"))
    assert text_zh.text is not None
    assert (
        "今日问题\n• “Heavy snow tonight: who can clear the roads at 06:00?” — 8人中3人已答复："
        in (text_zh.text)
    )
    assert "  Riverside District（本级成员）：I can come 1人 · I need transport 0人" in text_zh.text
    data = harness.api.file_bytes(book.raw["document"]["file_id"])
    assert data is not None
    rows = sheet(data, "Questions")
    assert rows[0] == ["No.", "Text", "Code", "Unit", "Answer", "Members", "Number (sum)"]
    branch = [row[4:] for row in rows[1:] if row[2] == "RIV-1"]
    assert branch == [
        ["I can come", 1, 5],
        ["I need transport", 0, None],
        ["I cannot", 1, None],
        ["not answered", 4, None],
    ]
    # The same numbers as the coordinator's headcount.
    headcount = await services.answers.headcount(
        await services.authz.actor(org.coord.id), directive.id, riv.id
    )
    summary = await services.summaries.compile(riv, date(2026, 12, 1))
    assert headcount is not None
    assert summary.asked[0].lines == headcount.lines
