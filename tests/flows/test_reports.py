"""The leaders' daily report as the people live it: the secretaries of the districts are
reminded at the opening, answer from the reminder (edited in place), change it until due;
a district that did not report is listed once to the city's secretary, who gets the digest
of the districts' reports in Chinese; two secretaries of one district; a member without
the role gets nothing and a forged button is refused."""

from __future__ import annotations

from datetime import date

import pytest

from bot.config import Settings
from bot.org.authz import Actor
from bot.reports.config import ReportSettings
from fakeapi import FakeUser, SentMessage
from storage.models import Role
from tests.flows.conftest import Harness
from tests.flows.test_checkin import labels, local
from tests.orgdata import TREE, load_tree

TUESDAY = date(2026, 12, 1)
FORM = {
    "id": "daily",
    "title": {"en": "Leaders' daily report", "zh": "督查日报告"},
    "role": "secretary",
    "levels": [1],  # the districts, under the city committee
    "opens": "07:00",
    "due": "10:00",
    "reminders": ["09:00"],
    "digest": "10:30",
    "questions": [
        {
            "id": "plans",
            "kind": "text",
            "prompt": {"en": "Today's arrangements", "zh": "今日工作安排"},
        },
        {
            "id": "problems",
            "kind": "text",
            "required": False,
            "prompt": {"en": "Problems needing the level above", "zh": "需上级协调解决的问题"},
        },
    ],
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared test settings with the districts' daily report."""
    return settings.model_copy(update={"reports": ReportSettings.model_validate({"forms": [FORM]})})


@pytest.fixture
async def people(harness: Harness) -> dict[str, FakeUser]:
    harness.clock.set(local("2026-12-01 06:00"))  # a Tuesday, before the report opens
    crew = {
        "cheng": harness.person(811, "Cheng", language="zh"),  # the city's secretary
        "rita": harness.person(812, "Rita"),  # Riverside District's secretaries
        "rong": harness.person(813, "Rong", language="zh"),
        "hal": harness.person(814, "Hal"),  # Hillside District's, who will not report
        "mo": harness.person(815, "Mo"),  # a member, no role
    }
    await harness.join(crew["cheng"], "CITY", Role.SECRETARY)
    await harness.join(crew["rita"], "RIV", Role.SECRETARY)
    await harness.join(crew["rong"], "RIV", Role.SECRETARY)
    await harness.join(crew["hal"], "HIL", Role.SECRETARY)
    await harness.join(crew["mo"], "RIV-1")
    await harness.run_due()
    return crew


def texts(harness: Harness, user: FakeUser, mark: str) -> list[str]:
    """The report's messages with ``mark`` (not the daily check-in's own reminders)."""
    return [
        text
        for m in harness.api.sent_to(user.id)
        if mark in (text := m.text or "") and ("Leaders'" in text or "督查" in text)
    ]


async def at(harness: Harness, moment: str) -> None:
    harness.clock.set(local(f"2026-12-01 {moment}"))
    await harness.run_due()


async def answer(harness: Harness, user: FakeUser, step: SentMessage, plans: str) -> SentMessage:
    """From the first question to the confirmation: ``plans``, then Skip."""
    [step] = await harness.send(user, user.message(plans))
    skip = "跳过" if user.language_code == "zh" else "Skip"
    [step] = await harness.send(user, user.press(step, skip))
    return step


async def test_reminder_answer_change_escalation_and_digest(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    rita, hal, cheng, mo = people["rita"], people["hal"], people["cheng"], people["mo"]
    await at(harness, "07:00")
    [reminder] = texts(harness, rita, "⏰")
    assert reminder == "⏰ Leaders' daily report for Riverside District, Tue 1 Dec: due by 10:00."
    assert texts(harness, people["rong"], "⏰") == [
        "⏰ 请于10:00前填报Riverside District的督查日报告（12月1日 周二）。"
    ]
    assert len(texts(harness, hal, "⏰")) == 1
    assert texts(harness, mo, "⏰") == [] and texts(harness, cheng, "⏰") == []  # not their form

    # The reminder's button opens the form in that very message.
    sent = harness.api.last_message(rita.id)
    [step] = await harness.send(rita, rita.press(sent, "File the report"))
    assert step.message_id == sent.message_id
    assert step.text == "Report 1/2 — Today's arrangements\nType your answer."
    step = await answer(harness, rita, step, "Patrol the river bank")
    assert step.text == (
        "Your report\n• Today's arrangements: Patrol the river bank\n"
        "• Problems needing the level above: —\nSubmit it?"
    )
    [done] = await harness.send(rita, rita.press(step, "✅ Submit"))
    assert done.text == "✅ Leaders' daily report — Riverside District: filed for Tue 1 Dec."

    # Changed until due: /report shows it, Change asks again.
    harness.clock.set(local("2026-12-01 08:15"))
    [shown] = await harness.send(rita, rita.command("report"))
    assert shown.text == (
        "Leaders' daily report — Riverside District\nFiled by Rita at 07:00:\n"
        "• Today's arrangements: Patrol the river bank\n• Problems needing the level above: —"
    )
    [step] = await harness.send(rita, rita.press(shown, "✏️ Change it"))
    step = await answer(harness, rita, step, "Patrol the river bank & the bridge")
    [done] = await harness.send(rita, rita.press(step, "✅ Submit"))
    assert (
        done.text == "✅ Leaders' daily report — Riverside District: report for Tue 1 Dec updated."
    )

    # 09:00: only the district that has not reported is reminded again (Rita's reminder
    # became her form, and no new one comes).
    await at(harness, "09:00")
    assert texts(harness, rita, "⏰") == [] and len(texts(harness, hal, "⏰")) == 2

    # Past due: Hillside is listed to the city's secretary, once; nothing can change.
    await at(harness, "10:00")
    assert texts(harness, cheng, "⚠️") == [
        "⚠️ 督查日报告 — City Committee，12月1日 周二：1个单位未报 — Hillside District"
    ]
    await at(harness, "10:10")
    assert len(texts(harness, cheng, "⚠️")) == 1
    [closed] = await harness.send(rita, rita.command("report"))
    assert closed.text == (
        "Leaders' daily report — Riverside District: today's report was due at 10:00 and can"
        " no longer be changed."
    )

    # The digest, in the reader's language: each district's answers, who did not report.
    await at(harness, "10:30")
    [digest] = texts(harness, cheng, "📋")
    assert digest == (
        "📋 督查日报告 — City Committee，12月1日 周二\n已报1个单位，共2个\n\n"
        "Riverside District（Rita，08:15）\n• 今日工作安排：Patrol the river bank & the bridge\n"
        "• 需上级协调解决的问题：—\n\n❌ 未报（1个）：Hillside District"
    )
    await at(harness, "11:00")
    assert len(texts(harness, cheng, "📋")) == 1


async def test_two_secretaries_of_one_unit_the_first_counts(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    rita, rong = people["rita"], people["rong"]
    await at(harness, "07:00")
    [r_step] = await harness.send(
        rita, rita.press(harness.api.last_message(rita.id), "File the report")
    )
    [g_step] = await harness.send(rong, rong.press(harness.api.last_message(rong.id), "立即填报"))
    r_step = await answer(harness, rita, r_step, "Rita's plan")
    g_step = await answer(harness, rong, g_step, "荣的安排")
    [done] = await harness.send(rita, rita.press(r_step, "✅ Submit"))
    assert done.text == "✅ Leaders' daily report — Riverside District: filed for Tue 1 Dec."
    [taken] = await harness.send(rong, rong.press(g_step, "✅ 提交"))
    assert taken.text == (
        "⚠️ 本单位的报告已由他人先行填报，以其为准。如需修改，请发送 /report。\n\n"
        "督查日报告 — Riverside District\nRita于07:00填报：\n"
        "• 今日工作安排：Rita's plan\n• 需上级协调解决的问题：—"
    )
    # Rong sees Rita's report and may change it: the unit's report, not a person's.
    [shown] = await harness.send(rong, rong.command("report"))
    [step] = await harness.send(rong, rong.press(shown, "✏️ 修改"))
    step = await answer(harness, rong, step, "荣的安排")
    [done] = await harness.send(rong, rong.press(step, "✅ 提交"))
    assert done.text == "✅ 督查日报告 — Riverside District：12月1日 周二的报告已更新。"
    riverside = await harness.unit("RIV")
    stored = await harness.services.storage.reports.get("daily", riverside.id, TUESDAY)
    assert stored is not None and stored.answers["plans"] == "荣的安排"


async def test_no_role_no_report_and_a_forged_button_is_refused(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    mo, rita = people["mo"], people["rita"]
    await at(harness, "07:00")
    [none] = await harness.send(mo, mo.command("report"))
    assert none.text == (
        "You have no daily report to file: reports are for the roles and units the"
        " organisation configured."
    )
    riverside, hillside = await harness.unit("RIV"), await harness.unit("HIL")
    [refused] = await harness.send(
        mo, mo.press_data(none.message_id, f"rp:go:daily:{riverside.id}")
    )
    assert refused.text == (
        "This report is not yours to file (not your unit or role). Nothing was changed."
    )
    # A secretary cannot file another district's report with a made-up button either.
    sent = harness.api.last_message(rita.id)
    [refused] = await harness.send(
        rita, rita.press_data(sent.message_id, f"rp:go:daily:{hillside.id}")
    )
    assert refused.text is not None and refused.text.startswith("This report is not yours")
    denied = [
        e for e in await harness.services.storage.audit.recent(10) if e.action == "file_report"
    ]
    assert sorted((e.outcome, e.actor_telegram_id, e.unit_id) for e in denied) == [
        ("denied", rita.id, hillside.id),
        ("denied", mo.id, riverside.id),
    ]
    assert await harness.services.storage.reports.of_units("daily", [hillside.id], TUESDAY) == {}


async def test_before_the_opening_and_cancel(harness: Harness, people: dict[str, FakeUser]) -> None:
    rita = people["rita"]
    [early] = await harness.send(rita, rita.command("report"))
    assert early.text == (
        "Leaders' daily report — Riverside District: the report opens at 07:00. Come back"
        " then with /report."
    )
    await at(harness, "07:30")
    [step] = await harness.send(rita, rita.command("report"))
    [left] = await harness.send(rita, rita.press(step, "Cancel"))
    assert left.text == "Report cancelled. Nothing was saved."


async def test_a_restart_repeats_no_reminder_escalation_or_digest(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    """The slots are claimed in the database: a second bot on the same file (a restart)
    sends nothing again; after downtime over the opening and 09:00, one reminder."""
    hal, cheng = people["hal"], people["cheng"]
    await at(harness, "09:30")
    assert len(texts(harness, hal, "⏰")) == 1
    await at(harness, "10:45")  # due and digest at once, after downtime
    assert len(texts(harness, cheng, "⚠️")) == 1 and len(texts(harness, cheng, "📋")) == 1
    from tests.flows.conftest import build_app

    again = await build_app(
        harness.services.settings, harness.services.storage, harness.clock, harness.api
    )
    from app.build import run_schedule

    await run_schedule(again)
    await harness.run_due()
    assert len(texts(harness, hal, "⏰")) == 1
    assert len(texts(harness, cheng, "⚠️")) == 1 and len(texts(harness, cheng, "📋")) == 1


async def test_the_summary_says_which_units_reported(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    rita, cheng = people["rita"], people["cheng"]
    await at(harness, "07:00")
    [step] = await harness.send(rita, rita.command("report"))
    step = await answer(harness, rita, step, "Patrol")
    await harness.send(rita, rita.press(step, "✅ Submit"))
    harness.clock.set(local("2026-12-01 20:00"))

    def line(replies: list[SentMessage]) -> list[str]:
        return [row for m in replies for row in (m.text or "").split("\n") if "📝" in row]

    city = await harness.send(cheng, cheng.command("summary"))
    assert line(city) == ["📝 督查日报告：已报1个单位，共2个 · 未报：Hillside District"]
    district = await harness.send(rita, rita.command("summary"))
    assert line(district) == ["📝 Leaders' daily report: 1 of 1 units"]


async def test_a_form_left_open_past_due_saves_nothing(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    rita = people["rita"]
    await at(harness, "09:50")
    [step] = await harness.send(rita, rita.command("report"))
    step = await answer(harness, rita, step, "Late plans")
    harness.clock.set(local("2026-12-02 08:00"))  # the next morning, the window open again
    [late] = await harness.send(rita, rita.press(step, "✅ Submit"))
    assert late.text == "The report was due before you finished; nothing was saved."
    riverside = await harness.unit("RIV")
    assert await harness.services.storage.reports.get("daily", riverside.id, TUESDAY) is None
    assert (
        await harness.services.storage.reports.get("daily", riverside.id, date(2026, 12, 2)) is None
    )


async def test_a_secretary_of_two_districts_picks_one(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    rita = people["rita"]
    member = await harness.services.membership.member(rita.id)
    assert member is not None
    await harness.services.membership.grant(Actor.console(), member, "HIL", Role.SECRETARY)
    await at(harness, "07:30")
    [pick] = await harness.send(rita, rita.command("report"))
    assert pick.text == "Which report?"
    assert labels(pick) == [
        "Leaders' daily report — Riverside District",
        "Leaders' daily report — Hillside District",
    ]
    [step] = await harness.send(rita, rita.press(pick, "Leaders' daily report — Hillside District"))
    step = await answer(harness, rita, step, "Hill patrol")
    [done] = await harness.send(rita, rita.press(step, "✅ Submit"))
    assert done.text == "✅ Leaders' daily report — Hillside District: filed for Tue 1 Dec."


async def test_a_long_digest_is_folded_under_telegrams_limit(
    harness: Harness, people: dict[str, FakeUser]
) -> None:
    """Twelve districts with long answers: the digest shows those that fit and says how
    many more there are, under 4,096 characters."""
    extra = "".join(
        f'\n[[unit]]\ncode = "D{n}"\nname = "District {n}"\nparent = "CITY"\n' for n in range(12)
    )
    await load_tree(harness.services, harness.tmp_path, TREE + extra)
    storage, now = harness.services.storage, harness.clock.now()
    rita = await harness.services.membership.member(people["rita"].id)
    assert rita is not None
    for n in range(12):
        unit = await harness.unit(f"D{n}")
        answers = {"plans": f"{n} " + "x" * 480, "problems": "y" * 480}
        await storage.reports.store("daily", unit.id, TUESDAY, rita.id, answers, now, replace=False)
    await at(harness, "10:30")
    [digest] = [m for m in harness.api.sent_to(people["cheng"].id) if "📋" in (m.text or "")]
    assert digest.text is not None and len(digest.raw["text"]) <= 4096
    assert "已报12个单位，共14个" in digest.text
    assert "份报告未在此列出。" in digest.text
    assert digest.text.endswith("❌ 未报（2个）：Hillside District、Riverside District")


async def test_a_coordinators_form_for_the_top_committee_has_nobody_above(
    harness: Harness, people: dict[str, FakeUser], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A form for the city's coordinators (level 0): they are reminded and answer; the top
    committee has no level above, so nobody gets its escalation or digest."""
    top = {**FORM, "id": "city", "role": "coordinator", "levels": [0]}
    both = ReportSettings.model_validate({"forms": [FORM, top]})
    monkeypatch.setattr(harness.services.reports, "settings", both)
    cora = harness.person(816, "Cora")
    await harness.join(cora, "CITY", Role.COORDINATOR)
    await at(harness, "07:00")
    assert texts(harness, cora, "⏰") == [
        "⏰ Leaders' daily report for City Committee, Tue 1 Dec: due by 10:00."
    ]
    assert [t for t in texts(harness, people["rita"], "⏰") if "City" in t] == []
    await at(harness, "10:40")
    db = harness.services.storage.db
    rows = await db.fetchall(
        f"SELECT kind FROM outbox WHERE {db.dialect.json_text('payload', 'form')} = 'city'"
    )
    assert [r["kind"] for r in rows] == ["report_reminder"]
