"""One answer as a workbook cell: typed when it can be, never a crash when the form
changed since the answer was stored."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.kit.questions import Choice, Kind, Question, Text
from bot.kit.tables import Cell
from bot.summaries.sheets import answer_cell, local
from storage.models import Unit

PLACES = Question(
    id="where",
    kind=Kind.MULTIPLE_CHOICE,
    prompt=Text(en="Where?", zh="在哪？"),
    choices=[
        Choice(id="north", label=Text(en="North", zh="北区")),
        Choice(id="south", label=Text(en="South", zh="南区")),
    ],
)
TEMP = Question(id="temp", kind=Kind.NUMBER, prompt=Text(en="Temperature", zh="体温"))
SPOT = Question(id="spot", kind=Kind.LOCATION, prompt=Text(en="Where?", zh="位置"))
PHOTO = Question(id="photo", kind=Kind.PHOTO, prompt=Text(en="Photo", zh="照片"))


def words(key: str) -> str:
    return {"summary-answer-photo": "photo"}[key]


@pytest.mark.parametrize(
    ("question", "value", "language", "cell"),
    [
        (TEMP, 37, "en", 37.0),
        (TEMP, 36.6, "en", 36.6),
        (TEMP, None, "en", None),
        (TEMP, "high", "en", "high"),  # stored when the question was a text one
        (PLACES, ["north", "south"], "en", "North, South"),
        (PLACES, ["north", "south"], "zh", "北区、南区"),
        (PLACES, "gone", "en", "gone"),  # a choice since removed: its id
        (SPOT, {"lat": 31.23, "lon": 121.47}, "en", "31.23000, 121.47000"),
        (SPOT, "somewhere", "en", "somewhere"),
        (PHOTO, {"file_id": "x"}, "en", "photo"),
    ],
)
def test_answer_cells(question: Question, value: object, language: str, cell: Cell) -> None:
    assert answer_cell(question, value, language, words) == cell


def test_times_are_on_the_units_own_clock() -> None:
    """A spreadsheet datetime has no zone: each row's is its unit's wall clock."""
    shanghai = ZoneInfo("Asia/Shanghai")
    moment = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    urumqi = Unit(2, "HIL-1", "Hillside Branch 1", 1, "/1/2/", 2, "Asia/Urumqi")
    plain = Unit(3, "RIV-1", "Riverside Branch 1", 1, "/1/3/", 2, None)
    assert local(moment, urumqi, shanghai) == datetime(2026, 12, 1, 8, 30)
    assert local(moment, plain, shanghai) == datetime(2026, 12, 1, 10, 30)
    assert local(None, plain, shanghai) is None
