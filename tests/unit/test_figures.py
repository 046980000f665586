"""The summary's figures of reported answers (issue #17): thresholds that flag, aggregates
per unit that equal a plain computation over the stored answers, and that stay exact when
retention or an erasure takes the answers away."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.checkins.config import CheckinSettings
from bot.checkins.schedule import CheckinRenderers
from bot.config import ConfigError, load_settings
from bot.kit.clock import FakeClock
from bot.kit.figures import thresholds_passed
from bot.kit.questions import CHOICE_KINDS, Choice, Kind, Question, Report, Text
from bot.services import Services
from bot.summaries.render import SummaryText
from bot.summaries.service import Summary, line_of
from storage import Storage
from storage.checkins import CheckinKind
from storage.figures import Figure, Figures
from storage.models import Member, Role, Unit
from storage.shifts import NewShift
from tests.orgdata import load_tree

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 1)  # a Tuesday
UNITS = ("CITY", "RIV", "HIL", "RIV-1", "HIL-1")


def at(clock: FakeClock, local: str) -> None:
    clock.set(datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).astimezone(UTC))


def text(word: str) -> Text:
    return Text(en=word, zh=word)


TEMP = Question(
    id="temp",
    kind=Kind.NUMBER,
    prompt=text("Your temperature?"),
    label=Text(en="Fever", zh="发热"),
    required=False,
    min=35,
    max=42,
    unit="°C",
    flag_above=37.3,
    report=Report.MAX,
)
VISITS = Question(
    id="visits",
    kind=Kind.NUMBER,
    prompt=text("Visits?"),
    label=Text(en="Households visited", zh="走访户数"),
    required=False,
    min=0,
    report=Report.SUM,
)
STATUS = Question(
    id="status",
    kind=Kind.SINGLE_CHOICE,
    prompt=text("Where?"),
    label=Text(en="Status", zh="状态"),
    required=False,
    choices=[
        Choice(id="post", label=Text(en="At post", zh="在岗")),
        Choice(id="help", label=Text(en="Help", zh="求助"), flag=True),
    ],
    report=Report.COUNT,
)


def form(*questions: Question) -> CheckinSettings:
    return CheckinSettings(questions=list(questions or (TEMP, VISITS, STATUS)))


async def people(services: Services, tmp_path: Path, count: int) -> list[Member]:
    """``count`` members spread over the test tree's units, in the order of UNITS."""
    await load_tree(services, tmp_path)
    units = [await services.storage.units.by_code(code) for code in UNITS]
    rows = [(1000 + n, f"M{n}", None, "en", units[n % len(units)].id) for n in range(count)]  # type: ignore[union-attr]
    await services.storage.members.add_many(rows, services.clock.now())
    found = [await services.storage.members.by_telegram_id(1000 + n) for n in range(count)]
    return [m for m in found if m is not None]


async def committee(services: Services) -> Unit:
    city = await services.storage.units.by_code("CITY")
    assert city is not None
    return city


def plain(
    questions: list[Question], rows: list[tuple[Unit, dict[str, Any]]], root: str
) -> dict[str, Figures]:
    """The figures the summary should show, worked out the obvious way from each stored
    check-in's answers and the form."""
    lines: dict[str, Figures] = {}
    for unit, answers in rows:
        figures = lines.setdefault(line_of(root, unit.path), {})
        for q in questions:
            value = answers.get(q.id)
            if value is None or not q.figured:
                continue
            if q.kind in CHOICE_KINDS:
                chosen = value if isinstance(value, list) else [value]
                for c in q.choices:
                    if c.id in chosen:
                        key = (q.id, c.id)
                        figures[key] = figures.get(key, Figure()) + Figure(
                            1, 0.0, None, int(c.flag)
                        )
            else:
                number = float(value) if q.kind is Kind.NUMBER else None
                key = (q.id, "")
                figures[key] = figures.get(key, Figure()) + Figure(
                    1, number or 0.0, number, int(q.flags(value))
                )
    return {line: f for line, f in lines.items() if f}


def shown(summary: Summary) -> dict[str, Figures]:
    return {line.unit.path: line.figures for line in summary.lines if line.figures}


def approx(lines: dict[str, Figures]) -> dict[str, dict[tuple[str, str], tuple[Any, ...]]]:
    return {
        line: {
            key: (f.answers, pytest.approx(f.total), f.top, f.flagged) for key, f in figures.items()
        }
        for line, figures in lines.items()
    }


# Thresholds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "flagged"), [(37.2, False), (37.3, True), (38.9, True), (None, False)]
)
def test_flag_above_counts_its_own_threshold(value: float | None, flagged: bool) -> None:
    assert TEMP.flags(value) is flagged


def test_flag_below_and_a_multiple_choice_flags_on_any_flagged_choice() -> None:
    cold = TEMP.model_copy(update={"flag_above": None, "flag_below": 35.5})
    assert cold.flags(35.5) and not cold.flags(35.6)
    tasks = Question(
        id="tasks",
        kind=Kind.MULTIPLE_CHOICE,
        prompt=text("Tasks"),
        choices=[Choice(id="a", label=text("A")), Choice(id="b", label=text("B"), flag=True)],
    )
    assert tasks.flags(["a", "b"]) and not tasks.flags(["a"])


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        (
            {"id": "t", "kind": "number", "prompt": {"en": "T", "zh": "体温"}, "min": 35,
             "max": 42, "flag_above": 43},
            "checkin.questions[0].flag_above: 43 is outside the answer's bounds 35..42",
        ),
        (
            {"id": "t", "kind": "number", "prompt": {"en": "T", "zh": "体温"}, "min": 35,
             "flag_below": 30},
            "checkin.questions[0].flag_below: 30 is outside the answer's bounds 35..",
        ),
        (
            {"id": "n", "kind": "text", "prompt": {"en": "N", "zh": "备注"}, "flag_above": 1},
            "checkin.questions[0].flag_above: only a number question has a threshold",
        ),
        (
            {"id": "n", "kind": "text", "prompt": {"en": "N", "zh": "备注"}, "report": "sum"},
            "checkin.questions[0].report: 'sum' needs a number question (count works for any)",
        ),
    ],
)  # fmt: skip
def test_config_check_names_the_key_at_fault(question: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, checkin={"questions": [question]})
    assert problem in caught.value.problems


async def test_a_temperature_past_the_threshold_reaches_the_secretary_at_once(
    services: Services, clock: FakeClock, tmp_path: Path
) -> None:
    services.checkins.form = form()
    [ann] = await people(services, tmp_path, 1)  # in CITY
    city = await committee(services)
    await services.storage.members.add_many([(78, "Sam", None, "en", city.id)], clock.now())
    sam = await services.storage.members.by_telegram_id(78)
    assert sam is not None
    async with services.storage.db.transaction() as conn:
        await services.storage.members.grant(conn, sam.id, city.id, Role.SECRETARY, clock.now())
    at(clock, "2026-12-01 09:00")
    checkin, _ = await services.checkins.save(ann, {"temp": 37.2})
    assert not checkin.flagged
    assert await services.storage.outbox.claim(clock.now(), 10) == []
    checkin, _ = await services.checkins.save(ann, {"temp": 38.9})
    assert checkin.flagged
    [row] = await services.storage.outbox.claim(clock.now(), 10)
    assert (row.kind, row.chat_id) == (CheckinKind.FLAG, 78)
    sent = await CheckinRenderers(services).flag(row)
    assert sent is not None
    assert "🚩 Fever: 38.9 °C, at or above 37.3 °C" in sent.text
    # A number past its threshold is a case like a flagged choice: Handled / Escalate.
    [case] = await services.storage.cases.of_checkin(checkin.id)
    assert case.question == "temp"
    assert [label for row in sent.buttons for label, _ in row] == ["✅ Handled", "⬆️ Escalate"]
    [zh] = thresholds_passed(services.i18n, "zh", [TEMP], {"temp": 38.9})
    assert zh == "🚩 发热：38.9 °C，达到或高于37.3 °C"


# Aggregates ---------------------------------------------------------------------------


async def test_the_summary_shows_each_units_figures_in_both_languages(
    services: Services, clock: FakeClock, tmp_path: Path
) -> None:
    services.checkins.form = form()
    members = await people(services, tmp_path, 10)
    at(clock, "2026-12-01 09:00")
    temps = [36.5, 38.9, 37.3, 36.8, 36.6, 39.1, 36.7, 36.9, 37.0, 36.4]
    for n, member in enumerate(members):
        answers = {"temp": temps[n], "visits": 10 * n, "status": "help" if n == 3 else "post"}
        await services.checkins.save(member, answers)
    summary = await services.summaries.compile(await committee(services), DAY)
    en = SummaryText(services.i18n, "en").daily(summary)
    assert (
        "<b>Answers:</b> Fever ≥ 37.3 °C: <b>3</b> · Fever: highest 39.1 °C"
        " · Households visited: 450 · Status: At post 9, 🚩 Help 1"
    ) in en
    # Riverside District is RIV with RIV-1 under it: members 1, 3, 6, 8 (by UNITS' order).
    assert (
        "• Riverside District: Fever ≥ 37.3 °C: <b>1</b> · Fever: highest 38.9 °C"
        " · Households visited: 180 · Status: At post 3, 🚩 Help 1"
    ) in en
    zh = SummaryText(services.i18n, "zh").daily(summary)
    assert "<b>填报汇总：</b>发热 ≥ 37.3 °C：<b>3</b>人 · 发热：最高39.1 °C" in zh
    assert "状态：在岗9人、🚩 求助1人" in zh


async def test_the_weekly_summary_shows_each_days_figures(
    services: Services, clock: FakeClock, tmp_path: Path
) -> None:
    services.checkins.form = form(VISITS)
    [ann, bob] = await people(services, tmp_path, 2)
    for day, visits in (("2026-11-30", 12), ("2026-12-01", 30)):
        at(clock, f"{day} 09:00")
        await services.checkins.save(ann, {"visits": visits})
        await services.checkins.save(bob, {"visits": 1})
    week = await services.summaries.week(await committee(services), DAY)
    text = SummaryText(services.i18n, "en").weekly(week)
    assert "<b>Answers per day</b>" in text
    assert "Mon 30 Nov: Households visited: 13" in text
    assert "Tue 1 Dec: Households visited: 31" in text


async def test_figures_outlive_retention_and_erasure(
    services: Services, clock: FakeClock, tmp_path: Path
) -> None:
    """Details erased (old days, or one member's) leave the day's figures exact; and an
    edit after an erasure still subtracts only what the edited check-in added."""
    services.checkins.form = form()
    members = await people(services, tmp_path, 6)
    at(clock, "2026-12-01 09:00")
    for n, member in enumerate(members):
        await services.checkins.save(member, {"temp": 36.0 + n, "visits": n})
    city = await committee(services)
    before = shown(await services.summaries.compile(city, DAY))
    await services.storage.privacy.erase_member(members[5].id, "Erased", clock.now())
    await services.checkins.save(members[0], {"temp": 36.0, "visits": 0})  # unchanged edit
    assert shown(await services.summaries.compile(city, DAY)) == before
    await services.storage.privacy.erase_before(date(2026, 12, 2), None)
    row = await services.storage.checkins.get(members[1].id, DAY)
    assert row is not None and row.answers == {}
    assert shown(await services.summaries.compile(city, DAY)) == before


async def test_an_edit_that_lowers_the_highest_number_finds_the_next(
    services: Services, clock: FakeClock, tmp_path: Path
) -> None:
    services.checkins.form = form(TEMP)
    members = await people(services, tmp_path, 10)  # two in each unit
    at(clock, "2026-12-01 09:00")
    await services.checkins.save(members[0], {"temp": 39.5})
    await services.checkins.save(members[5], {"temp": 37.5})  # CITY, both
    await services.checkins.save(members[0], {"temp": 36.5})
    summary = await services.summaries.compile(await committee(services), DAY)
    assert summary.figures[("temp", "")] == Figure(2, 74.0, 37.5, 1)


# Property: the summary's figures are a plain computation over the stored answers --------


NUMBER_Q = st.builds(
    lambda n, report, above: Question(
        id=f"n{n}", kind=Kind.NUMBER, prompt=text("N"), required=False, min=0, max=100,
        flag_above=above, report=report,
    ),
    st.integers(0, 3),
    st.sampled_from([None, *Report]),
    st.one_of(st.none(), st.integers(0, 100).map(float)),
)  # fmt: skip
CHOICE_Q = st.builds(
    lambda n, kind, flags, report: Question(
        id=f"c{n}", kind=kind, prompt=text("C"), required=False,
        choices=[Choice(id=f"x{i}", label=text(f"X{i}"), flag=f) for i, f in enumerate(flags)],
        report=report,
    ),
    st.integers(0, 3),
    st.sampled_from(CHOICE_KINDS),
    st.lists(st.booleans(), min_size=1, max_size=4),
    st.sampled_from([None, Report.COUNT]),
)  # fmt: skip
TEXT_Q = st.builds(
    lambda report: Question(
        id="t", kind=Kind.TEXT, prompt=text("T"), required=False, report=report
    ),
    st.sampled_from([None, Report.COUNT]),
)


def _distinct(questions: list[Question]) -> list[Question]:
    seen: dict[str, Question] = {}
    for q in questions:
        seen.setdefault(q.id, q)
    return list(seen.values())


FORMS = st.lists(st.one_of(NUMBER_Q, CHOICE_Q, TEXT_Q), min_size=1, max_size=5).map(_distinct)


def answer_to(question: Question, draw: st.DrawFn) -> Any:
    if draw(st.booleans()) and draw(st.booleans()):
        return None  # skipped
    if question.kind is Kind.NUMBER:
        return draw(st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1)))
    if question.kind is Kind.TEXT:
        return draw(st.sampled_from(["ok", "fine", "x"]))
    ids = [c.id for c in question.choices]
    if question.kind is Kind.SINGLE_CHOICE:
        return draw(st.sampled_from(ids))
    return draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Question], list[tuple[int, dict[str, Any]]]]:
    """A form, and saves in order: (member index, answers); a member saving again edits."""
    questions = draw(FORMS)
    saves = [
        (draw(st.integers(0, 7)), {q.id: answer_to(q, draw) for q in questions})
        for _ in range(draw(st.integers(1, 14)))
    ]
    return questions, saves


async def _property(questions: list[Question], saves: list[tuple[int, dict[str, Any]]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        config = load_settings(
            None,
            organisation={"name": "R", "timezone": "Asia/Shanghai"},
            storage={"database": tmp / "m.db"},
            checkin={"questions": [q.model_dump(mode="json") for q in questions]},
        )
        storage = await Storage.open(config.storage.database)
        try:
            clock = FakeClock()
            services = Services.build(config, storage, clock)
            members = await people(services, tmp, 8)
            at(clock, "2026-12-01 09:00")
            for index, answers in saves:
                await services.checkins.save(members[index], answers)
            city = await committee(services)
            units = {u.id: u for u in await storage.units.all()}
            rows = []
            for member in members:
                stored = await storage.checkins.get(member.id, DAY)
                if stored is not None:
                    rows.append((units[stored.unit_id], stored.answers))
            summary = await services.summaries.compile(city, DAY)
            assert approx(shown(summary)) == approx(plain(questions, rows, city.path))
        finally:
            await storage.close()


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_the_summarys_figures_equal_a_plain_computation_over_the_answers(
    scenario: tuple[list[Question], list[tuple[int, dict[str, Any]]]],
) -> None:
    asyncio.run(_property(*scenario))


def test_a_figure_adds_up() -> None:
    assert Figure(1, 2.0, None, 0) + Figure(2, 3.0, 4.0, 1) == Figure(3, 5.0, 4.0, 1)
    assert replace(Figure(), answers=1).top is None


async def test_end_of_duty_reports_add_up_per_grid(
    services: Services, clock: FakeClock, tmp_path: Path
) -> None:
    """``[[duty.report]]`` questions aggregate as the check-in's do, for the grid's unit on
    the shift's day, with a sum also shown per grid."""
    visits = VISITS.model_copy(update={"label": None, "prompt": Text(en="Visits", zh="走访")})
    services.on_duty.settings = services.on_duty.settings.model_copy(update={"report": [visits]})
    services.roster.settings = services.on_duty.settings
    [ann, bob] = await people(services, tmp_path, 2)  # CITY, RIV
    storage, now = services.storage, clock.now()
    shifts = []
    async with storage.db.transaction() as conn:
        for n, member in enumerate((ann, bob)):
            grid = await storage.grids.add(
                conn, unit_id=member.unit_id, code=f"G{n}", name=f"Grid {n}", lat=None,
                lon=None, radius_m=None, now=now,
            )  # fmt: skip
            shifts += await storage.shifts.add_many(
                conn,
                [
                    NewShift(
                        grid, member.unit_id, member.id, now, now + timedelta(hours=4), "2026-12-01"
                    )
                ],
                created_by=None,
                now=now,
            )
    await storage.db.write("UPDATE shifts SET status = 'started'")
    await services.on_duty.end(ann, shifts[0], {"visits": 40})
    await services.on_duty.end(bob, shifts[1], {"visits": 26})
    summary = await services.summaries.compile(await committee(services), DAY)
    text = SummaryText(services.i18n, "en").daily(summary)
    assert "<b>Answers:</b> Visits: 66 (33 per grid)" in text
    assert "• Riverside District: Visits: 26 (26 per grid)" in text
    zh = SummaryText(services.i18n, "zh").daily(summary)
    assert "<b>填报汇总：</b>走访：合计66（每个网格33）" in zh
