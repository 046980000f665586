"""One daily-form record for the members' check-in and the leaders' reports: ``[checkin]``
is mapped onto it when settings load, and both wings' windows and reminders are read from
it by the same code (``bot/kit/daily.py``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import load_settings
from bot.kit.daily import DailyForm, FormRole, passed, reminders_due
from tests.unit.test_config import problems, write
from tests.unit.test_reports_config import GOOD

SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY = date(2026, 12, 1)


def at(clock: str) -> datetime:
    """A wall time of Tuesday in Shanghai, as an instant."""
    hours, minutes = map(int, clock.split(":"))
    return datetime(2026, 12, 1, hours, minutes, tzinfo=SHANGHAI).astimezone(UTC)


def test_the_checkin_section_is_a_members_daily_form(tmp_path: Path) -> None:
    text = '[checkin]\nopens = "06:30"\ncloses = "21:00"\nreminders = ["18:00", "09:00"]\n'
    settings = load_settings(write(tmp_path, text + GOOD))
    form = settings.checkin.daily_form()
    assert isinstance(form, DailyForm) and form.per_member
    assert (form.role, form.opens, form.due) == (FormRole.MEMBER, time(6, 30), time(21, 0))
    assert form.questions == settings.checkin.questions
    # Members are reminded at their times only; a unit's leaders at the opening too.
    assert form.reminder_times() == [time(9, 0), time(18, 0)]
    [report] = settings.reports.forms
    assert isinstance(report, DailyForm) and not report.per_member
    assert report.reminder_times() == [time(7, 0)]


def test_reminders_due_and_the_close_read_the_form() -> None:
    form = DailyForm(
        id="checkin",
        role=FormRole.MEMBER,
        opens=time(6, 0),
        due=time(22, 0),
        reminders=[time(9, 0), time(18, 0)],
    )
    assert reminders_due(form, TUESDAY, SHANGHAI, at("08:59")) == []
    assert reminders_due(form, TUESDAY, SHANGHAI, at("18:30")) == [time(9, 0), time(18, 0)]
    assert reminders_due(form, TUESDAY, SHANGHAI, at("22:00")) == []  # closed: none
    hours = timedelta(hours=12)
    assert not passed(TUESDAY, form.due, SHANGHAI, at("21:59"), hours)
    assert passed(TUESDAY, form.due, SHANGHAI, at("22:00"), hours)
    assert not passed(TUESDAY, form.due, SHANGHAI, at("22:00") + hours, hours)  # too late


def test_a_report_for_members_points_to_the_checkin(tmp_path: Path) -> None:
    [problem] = problems(write(tmp_path, GOOD.replace("levels = [1]", 'role = "member"')))
    assert problem.startswith("reports.forms[0].role:")
    assert "the members' daily form is [checkin]" in problem
