"""Hostile input at every flow and state: arbitrary text (empty, huge, right-to-left,
zero-width, emoji, HTML-like), numbers, dates, documents, locations (out of range too),
photos and forged button data (random, and well-formed-looking such as ``dt:go:999999``).

Each test walks one flow to a state picked by Hypothesis, throws a few inputs at it, and
checks three properties:

- nothing escapes a handler (the driver re-raises what reaches the error handler) and
  nobody is told "something went wrong on our side";
- no row is corrupted: SQLite's integrity and foreign-key checks pass, every stored
  check-in and end-of-duty report still passes the form's own checks, no shift ends before
  it starts, no grid or start or incident lies off the globe, no leave runs backwards;
- every answer is in the person's language: the people here read Chinese (the inputs
  carry no Chinese of their own), so everything the bot says to them has Chinese in it.

One Harness serves all examples of a test; what a walk changes is reset before the next.
The example counts are small so that the file runs in well under a minute; set
``HOSTILE_EXAMPLES=500`` to explore (random, not repeatable) instead.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.directives.drafting import MAX_TEXT
from bot.duty.reading import MAX_RADIUS_M
from bot.kit.forms import AnswerError, check_answer
from bot.kit.questions import Kind, Question, Text
from bot.org.authz import Actor
from fakeapi import FakeUser
from storage import Storage
from storage.models import Member, Role
from tests.flows.conftest import Harness
from tests.flows.test_access_matrix import Talk, in_language, insert_shift, says
from tests.flows.test_checkin import local
from tests.unit.test_checkins import form

NOW = "2026-12-01 09:00"  # a Tuesday morning: check-ins are open
EXPLORE = int(os.environ.get("HOSTILE_EXAMPLES", "0"))


def examples(count: int) -> settings:
    """Repeatable runs of ``count`` examples (or many random ones when exploring)."""
    return settings(
        max_examples=EXPLORE or count,
        derandomize=not EXPLORE,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# What can be sent ------------------------------------------------------------------------


@dataclass(frozen=True)
class Typed:
    text: str


@dataclass(frozen=True)
class Pressed:
    data: str
    on_newest: bool = True  # else on a message the bot cannot see (forged or long gone)


@dataclass(frozen=True)
class Located:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Photo:
    caption: str | None


@dataclass(frozen=True)
class Document:
    name: str
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...] = ()


Input = Typed | Pressed | Located | Photo | Document | Command

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\U00020000-\U0003ffff]")


def _no_chinese(text: str) -> str:
    return _CJK.sub("", text)


TRICKY = [
    "", " ", "\n\n", "<b>", "</b>", "<b>bold", "<i>x</b>", "a & b", "&amp;", "&lt;", "&#0;",
    "<a href='javascript:x'>x</a>", "<script>alert(1)</script>", "<tg-spoiler>",
    "\u202eevil\u202c", "\u200b", "\u200d\u200d", "\ufeff", "👍🏽", "👨‍👩‍👧‍👦", "🇨🇳🇬🇧",
    "مرحبا بالعالم", "שלום", "Ω≈ç√∫", "\t\r\v", "'; DROP TABLE members;--", "%s %d {0}",
    "{ $name }", "0", "-1", "+7", "1e999", "NaN", "inf", "-0", "3.14", "36,6", "1,000",
    "99999999999999999999", "18:00-22:00", "22:00-06:00", "25:00-26:00", "24:00-00:00",
    "00:00-24:00", "18:00", "23:59", "2026-12-02", "2026-12-02 18:00", "2026-99-99",
    "0001-01-01", "9999-12-31", "12-31", "02-30", "@ann", "@", "@@", "ann", "RIV-1", "riv",
    "G-RIV-1", "/cancel", "/start", "/checkin x", "/nonsense",
]  # fmt: skip

# Days at the ends of what ``date`` allows, impossible ones, and ones near "today".
EDGE_DAYS = [
    "0001-01-01", "9999-12-31", "2099-12-31", "2026-99-99", "2026-02-30", "0000-00-00",
    "2028-02-29", "12-31", "02-29", "11-30",
]  # fmt: skip
days = st.one_of(
    st.sampled_from(EDGE_DAYS),
    st.dates(date(2026, 11, 1), date(2027, 2, 1)).map(date.isoformat),
    st.dates().map(date.isoformat),
)
compact_days = st.one_of(
    st.sampled_from(["00000000", "00010101", "99991231", "20261301", "20260230"]),
    st.dates().map(lambda d: f"{d.year:04d}{d.month:02d}{d.day:02d}"),
    st.integers(0, 99_999_999).map(lambda n: f"{n:08d}"),
)
texts = st.one_of(
    st.sampled_from(TRICKY),
    days,
    st.text(max_size=40),
    # huge: a short piece repeated, up to Telegram's limit
    st.builds(
        lambda part, size: (part * size)[:size],
        st.text(min_size=1, max_size=4),
        st.one_of(st.sampled_from([2501, 3901, 4096]), st.integers(1000, 4096)),
    ),
    st.integers().map(str),
    st.floats().map(str),
).map(_no_chinese)
small_ids = st.integers(0, 12)  # the ids that exist here
ids = st.one_of(
    small_ids,
    small_ids,
    st.integers(0, 10**12 - 1),
    st.sampled_from([999999, 2**31, 2**63 - 1, 10**12, 10**20]),
)
TEMPLATES = [
    "dt:{v}:{n}", "ci:c:{i}:{w}", "ci:m:{i}:{w}", "ci:d:{i}", "ci:s:{i}", "ci:ok", "ci:r",
    "ci:go", "ci:change", "ci:keep", "ci:x", "ci:b", "sm:{n}:{d}", "sm:{n}:-",
    "rs:d:{n}:{c}", "rs:cl:{n}:{c}:{i}", "rs:c:{n}:{m}", "rs:k:{n}:{m}", "rs:u:{n}",
    "rs:p:{i}", "gr:u:{n}:{i}", "gr:u:{n}", "gr:a:{n}", "gr:d:{n}", "gr:k:{n}", "gr:p:{i}",
    "ga:r:{n}", "ga:s", "ga:b", "ga:x", "as:u:{n}", "as:p:{i}", "as:g:{n}", "as:gp:{i}",
    "as:m:{n}", "as:mp:{i}", "as:d:{i}", "as:r:{i}", "as:ok", "as:b", "as:x", "dc:t:{n}",
    "dc:p:{i}", "dc:n", "dc:a:{i}", "dc:w:{n}", "dc:w:now", "dc:s", "dc:b", "dc:x",
    "dw:v:{n}", "dw:r:{n}", "dw:c:{n}", "dw:x:{n}", "dw:k:{n}", "dw:K:{n}", "dw:l",
    "iv:u:{n}", "iv:p:{i}", "iv:r:{w}", "iv:n:{i}", "iv:e:{i}{u}", "iv:a:{i}", "iv:b",
    "iv:x", "inv:rv:{n}", "jr:a:{n}", "jr:r:{n}", "ack:{n}", "lv:k:{n}", "lv:add",
    "lv:r:{w}", "lv:f:{i}", "lv:l:{i}", "lv:x", "ru:ok", "ru:x", "od:ok", "od:r",
    "od:send", "od:c:{i}:{w}", "od:s:{i}", "od:x", "dd:x",
]  # fmt: skip
words = st.one_of(
    st.sampled_from(["post", "sick", "help", "patrol", "annual", "member", "coordinator", "en"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", max_size=30),
)


def _fits(data: str) -> bool:
    return 1 <= len(data.encode()) <= 64  # what Telegram carries


def forged_from(templates: Sequence[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda template, v, n, m, i, w, d, c, u: template.format(
            v=v, n=n, m=m, i=i, w=w, d=d, c=c, u=u
        ),
        st.sampled_from(templates),
        st.sampled_from(["go", "ok", "no", "cv", "end", "inc", "x", ""]),
        ids,
        ids,
        st.one_of(st.integers(0, 9), st.integers(-5, 10**7)),
        words,
        days,
        compact_days,
        st.sampled_from(["m", "h", "d", "w", "x", ""]),
    ).filter(_fits)


button_data = st.one_of(forged_from(TEMPLATES), st.text(min_size=1, max_size=16).filter(_fits))


def pressing(*prefixes: str) -> st.SearchStrategy[Input]:
    """Well-formed-looking data for a flow's own buttons, pressed on its newest message."""
    return forged_from([t for t in TEMPLATES if t.startswith(prefixes)]).map(Pressed)


coordinates = st.one_of(
    st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
    st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)),
    st.sampled_from(
        [(90.0, 180.0), (-90.0, -180.0), (90.0001, 0.0), (0.0, -180.5), (1e308, -1e308)]
    ),
)
CSV_HEADERS = [
    "grid,member,date,start,end",
    "grid,member,date,start,end,repeat_weeks",
    "\ufeffGrid,Member,Date,Start,End",
    "grid,member,date",
    "grid,member,date,start,end,extra",
    "",
]
csv_cell = st.one_of(
    st.sampled_from(["G-RIV-1", "g-riv-1", "@ann", "@mei", "ann", "2026-12-02", "18:00", "22:00"]),
    texts.map(lambda text: text[:50]),
)
csv_files = st.builds(
    lambda header, rows, encoding: "\n".join([header, *(",".join(r) for r in rows)]).encode(
        encoding, errors="replace"
    ),
    st.sampled_from(CSV_HEADERS),
    st.lists(st.lists(csv_cell, max_size=7), max_size=6),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]),
)
documents = st.builds(
    Document,
    st.sampled_from(["roster.csv", "ROSTER.CSV", "r.csv", "grids.toml", "a.xlsx", "noname"]),
    st.one_of(csv_files, st.binary(max_size=600)),
    st.sampled_from(["text/csv", "application/octet-stream", "image/png"]),
)

anything: st.SearchStrategy[Input] = st.one_of(
    texts.map(lambda text: Typed(text[:4096])),
    st.builds(Pressed, button_data, st.booleans()),
    coordinates.map(lambda where: Located(*where)),
    st.one_of(st.none(), texts.map(lambda text: text[:1024])).map(Photo),
    documents,
)
# What one state or another expects, typed or sent wrongly.
clock_times = st.sampled_from(["00:00", "23:59", "18:00", "24:00", "12:60", "9:5", "18.00", "7"])
typing_days = days.map(Typed)
typing_moments = st.builds(lambda day, at: Typed(f"{day} {at}"), days, clock_times)
typing_spans = st.builds(lambda start, end: Typed(f"{start}-{end}"), clock_times, clock_times)
typing_numbers = st.one_of(
    st.integers().map(str), st.floats().map(str), st.sampled_from(["1e999", "NaN", "-0", "36,6"])
).map(Typed)
locating = coordinates.map(lambda where: Located(*where))


def throws(*expected: st.SearchStrategy[Input]) -> st.SearchStrategy[list[Input]]:
    """One to three inputs: anything at all, or (as often) what the state expects."""
    return st.lists(st.one_of(anything, *expected), min_size=1, max_size=3)


# The people and the place -----------------------------------------------------------------


@dataclass(repr=False)
class Place:
    harness: Harness
    sec: FakeUser  # secretary of RIV
    mei: FakeUser  # member of RIV-1
    ann: Member  # another member of RIV-1, for /leave @ann and /assign
    grid: int  # G-RIV-1
    numbers: Callable[[], int]

    def __repr__(self) -> str:  # Hypothesis prints the arguments of a failing example
        return "Place()"

    def who(self, name: str) -> FakeUser:
        """ "sec", "mei", or "stranger" (who reads Chinese too)."""
        if name == "stranger":
            return self.harness.person(8199, "Stan", language="zh")
        return self.sec if name == "sec" else self.mei

    @property
    def storage(self) -> Storage:
        return self.harness.services.storage

    async def member_id(self, user: FakeUser) -> int:
        member = await self.storage.members.by_telegram_id(user.id)
        assert member is not None
        return int(member.id)

    async def unit_id(self, code: str) -> int:
        return (await self.harness.unit(code)).id

    async def shift(self, status: str, start: str, end: str) -> int:
        """A fresh shift of Mei's on G-RIV-1 (local times), straight into ``status``."""
        mei = await self.member_id(self.mei)
        return await insert_shift(self.harness, self.grid, mei, start, end, status)


# Every kind of question: the report and the check-in are asked by the same walker.
FORM = form().model_copy(
    update={
        "questions": [
            *form().questions,
            Question(
                id="selfie", kind=Kind.PHOTO, prompt=Text(en="Selfie", zh="自拍"), required=False
            ),
        ]
    }
)


@pytest.fixture
async def place(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> Place:
    monkeypatch.setattr(harness.services.checkins, "form", FORM)
    harness.clock.set(local(NOW))
    sec = harness.person(8101, "Sam", username="sam", language="zh")
    mei = harness.person(8102, "Mei", username="mei", language="zh")
    await harness.join(sec, "RIV", Role.SECRETARY)
    await harness.join(mei, "RIV-1")
    ann = await harness.join(harness.person(8103, "Ann", username="ann"), "RIV-1")
    await harness.services.roster.import_grids(
        Actor.console(),
        b"code,name,unit,lat,lon,radius_m\nG-RIV-1,Elm Street,RIV-1,31.23,121.47,500\n",
        "grids.csv",
    )
    grid = await harness.services.storage.grids.by_code("G-RIV-1")
    assert grid is not None
    counter = iter(range(1, 10**9))
    return Place(harness, sec, mei, ann, grid.id, lambda: next(counter))


# Sending, and the three properties ---------------------------------------------------------


async def throw(talk: Talk, item: Input) -> None:
    user = talk.user
    match item:
        case Typed(text):
            await talk.type(text)
        case Pressed(data, on_newest):
            if on_newest:
                await talk.press(data)
            else:
                await talk.send(user.press_data(987_654, data))
        case Located(latitude, longitude):
            await talk.send(user.location(latitude, longitude))
        case Photo(caption):
            await talk.send(user.photo(caption=caption))
        case Document(name, content, mime_type):
            await talk.send(user.document(name, content, mime_type=mime_type))
        case Command(name, args):
            await talk.command(name, *args)


async def leave_every_flow(talk: Talk) -> None:
    """/cancel until nothing is left to cancel (one flow ends per /cancel)."""
    for _ in range(10):
        talk.said.clear()
        await talk.command("cancel")
        if any(says(talk.language, "cancel-nothing", text) for text in talk.said):
            talk.said.clear()
            return
    raise AssertionError("/cancel never ran out of flows to end")


def answers_fit(questions: Sequence[Question], stored: str | None) -> bool:
    """Stored answers are exactly what the form's own checks would have stored."""
    if stored is None:
        return True
    answers = json.loads(stored)
    if not set(answers) <= {q.id for q in questions}:
        return False
    try:
        return all(check_answer(q, answers.get(q.id)) == answers.get(q.id) for q in questions)
    except AnswerError:
        return False


# Rows no input may leave behind, by table: what makes one corrupt.
CORRUPT = {
    "shifts": "ends_at <= starts_at OR start_lat NOT BETWEEN -90 AND 90"
    " OR start_lon NOT BETWEEN -180 AND 180",
    "grids": "lat NOT BETWEEN -90 AND 90 OR lon NOT BETWEEN -180 AND 180"
    f" OR radius_m NOT BETWEEN 1 AND {MAX_RADIUS_M} OR (lat IS NULL) != (lon IS NULL)",
    "incidents": "lat NOT BETWEEN -90 AND 90 OR lon NOT BETWEEN -180 AND 180",
    "leave": "first_day > last_day",
    "directives": f"length(text) NOT BETWEEN 1 AND {MAX_TEXT}",
}


async def corrupt_rows(place: Place) -> list[tuple[str, int]]:
    db = place.storage.db
    found = []
    for table, where in CORRUPT.items():
        found += [
            (table, r["id"]) for r in await db.fetchall(f"SELECT id FROM {table} WHERE {where}")
        ]
    for row in await db.fetchall("SELECT id, answers FROM checkins"):
        if not answers_fit(FORM.questions, row["answers"]):
            found.append(("checkins", row["id"]))
    report = place.harness.services.settings.duty.report
    for row in await db.fetchall("SELECT id, report FROM shifts"):
        if not answers_fit(report, row["report"]):
            found.append(("shifts", row["id"]))
    return found


async def assert_sound(place: Place, talk: Talk) -> None:
    db = place.storage.db
    if db.dialect.name == "sqlite":  # PostgreSQL checks its keys on every write
        assert [tuple(r) for r in await db.fetchall("PRAGMA integrity_check")] == [("ok",)]
        assert await db.fetchall("PRAGMA foreign_key_check") == []
    corrupt = await corrupt_rows(place)
    for table, row_id in corrupt:  # gone, so that the next example is judged on its own
        if table == "shifts":
            await db.write("DELETE FROM incidents WHERE shift_id = ?", (row_id,))
            await db.write("DELETE FROM cover_offers WHERE shift_id = ?", (row_id,))
        await db.write(f"DELETE FROM {table} WHERE id = ?", (row_id,))
    assert corrupt == []
    # Answered, never with the generic failure, always in Chinese.
    failures = [t for t in talk.said if says(talk.language, "error-internal", t)]
    assert failures == []
    foreign = [t for t in talk.said if not in_language(talk.language, t)]
    assert foreign == []


# One walk: the steps that lead into a flow, state by state ------------------------------------

Steps = Callable[[Place], Awaitable[list[Input]]]


async def walk(place: Place, who: FakeUser, steps: Steps, state: int, inputs: list[Input]) -> None:
    """Leave every flow, take the first ``state + 1`` steps, throw ``inputs``, check."""
    talk = Talk(place.harness, who, "zh")
    member = await place.storage.members.by_telegram_id(who.id)
    if member is not None and member.language != "zh":  # /language is a flow too
        await place.storage.members.set_language(member.id, "zh", place.harness.clock.now())
    await leave_every_flow(talk)
    for step in (await steps(place))[: state + 1]:
        await throw(talk, step)
    for item in inputs:
        await throw(talk, item)
    await assert_sound(place, talk)


def just(*items: Input) -> Steps:
    async def steps(place: Place) -> list[Input]:
        return list(items)

    return steps


def states(count: int) -> st.SearchStrategy[int]:
    return st.integers(0, count - 1)


async def checkin_steps(place: Place) -> list[Input]:
    await place.storage.db.write(
        "DELETE FROM checkins WHERE member_id = ?", (await place.member_id(place.mei),)
    )
    return [
        Command("checkin"),
        Pressed("ci:c:0:post"),
        Typed("36.6"),
        Pressed("ci:d:2"),
        Typed("all quiet"),
        Located(31.23, 121.47),
        Photo(None),
    ]


@examples(80)
@given(state=states(7), inputs=throws(pressing("ci:"), typing_numbers, locating))
async def test_checkin_at_each_question(place: Place, state: int, inputs: list[Input]) -> None:
    await walk(place, place.mei, checkin_steps, state, inputs)


async def leave_steps(place: Place) -> list[Input]:
    await place.storage.db.write(
        "DELETE FROM leave WHERE member_id = ?", (await place.member_id(place.mei),)
    )
    return [Command("leave"), Pressed("lv:r:annual"), Typed("12-03")]


@examples(60)
@given(state=states(3), inputs=throws(pressing("lv:"), typing_days))
async def test_leave_at_each_step(place: Place, state: int, inputs: list[Input]) -> None:
    await walk(place, place.mei, leave_steps, state, inputs)


@examples(40)
@given(
    who=st.sampled_from(["@ann", "@mei", "@sam", "@nobody", "@", "8103"]),
    inputs=throws(pressing("lv:"), typing_days),
)
async def test_leave_for_someone_else(place: Place, who: str, inputs: list[Input]) -> None:
    steps = just(Command("leave", (who,)), Pressed("lv:add"), Pressed("lv:r:sick"))
    await walk(place, place.sec, steps, 2, inputs)


async def directive_steps(place: Place) -> list[Input]:
    riv1 = await place.unit_id("RIV-1")
    return [
        Command("directive"),
        Pressed(f"dc:t:{riv1}"),
        Pressed("dc:n"),
        Typed("Bring water"),
        Pressed("dc:a:1"),
        Typed("23:00"),
        Pressed("dc:w:now"),
    ]


@examples(100)
@given(
    state=states(7),
    inputs=throws(pressing("dc:"), typing_moments, clock_times.map(Typed)),
)
async def test_directive_at_each_step(place: Place, state: int, inputs: list[Input]) -> None:
    await walk(place, place.sec, directive_steps, state, inputs)


async def invite_steps(place: Place) -> list[Input]:
    riv1 = await place.unit_id("RIV-1")
    return [
        Command("invite"),
        Pressed(f"iv:u:{riv1}"),
        Pressed("iv:r:member"),
        Pressed("iv:n:1"),
        Pressed("iv:e:1d"),
    ]


@examples(60)
@given(state=states(5), inputs=throws(pressing("iv:")))
async def test_invite_at_each_step(place: Place, state: int, inputs: list[Input]) -> None:
    await walk(place, place.sec, invite_steps, state, inputs)


async def assign_steps(place: Place) -> list[Input]:
    await place.storage.db.write("DELETE FROM shifts WHERE member_id = ?", (place.ann.id,))
    return [
        Command("assign"),
        Pressed(f"as:u:{await place.unit_id('RIV-1')}"),
        Pressed(f"as:g:{place.grid}"),
        Pressed(f"as:m:{place.ann.id}"),
        Pressed("as:d:1"),
        Typed("18:00-19:00"),
        Pressed("as:r:0"),
    ]


@examples(80)
@given(
    state=states(7),
    inputs=throws(pressing("as:"), typing_days, typing_spans, typing_numbers),
)
async def test_assign_at_each_step(place: Place, state: int, inputs: list[Input]) -> None:
    await walk(place, place.sec, assign_steps, state, inputs)


async def grid_steps(place: Place) -> list[Input]:
    return [
        Command("grids"),
        Pressed(f"gr:a:{await place.unit_id('RIV-1')}"),
        Typed(f"H-{place.numbers()}"),
        Typed("Harbour Road"),
        Located(31.2, 121.4),
    ]


@examples(80)
@given(state=states(5), inputs=throws(pressing("ga:", "gr:"), locating, typing_numbers))
async def test_adding_a_grid_at_each_step(place: Place, state: int, inputs: list[Input]) -> None:
    await walk(place, place.sec, grid_steps, state, inputs)


def pressed_on_a_fresh_shift(status: str, start: str, end: str, verb: str, *then: Input) -> Steps:
    """A fresh shift of Mei's in ``status`` (local times), her ``dt:<verb>`` on it, then
    ``then``."""

    async def steps(place: Place) -> list[Input]:
        return [Pressed(f"dt:{verb}:{await place.shift(status, start, end)}"), *then]

    return steps


DECLINING = pressed_on_a_fresh_shift("assigned", "2026-12-02 18:00", "2026-12-02 22:00", "no")
STARTING = pressed_on_a_fresh_shift("confirmed", "2026-12-01 09:10", "2026-12-01 12:00", "go")
ENDING = pressed_on_a_fresh_shift(
    "started", "2026-12-01 08:00", "2026-12-01 12:00", "end", Typed("12"), Pressed("od:s:1")
)
REPORTING = pressed_on_a_fresh_shift("started", "2026-12-01 08:00", "2026-12-01 12:00", "inc")


@examples(60)
@given(inputs=throws(pressing("dt:", "dd:")))
async def test_decline_reason(place: Place, inputs: list[Input]) -> None:
    await walk(place, place.mei, DECLINING, 0, inputs)


@examples(60)
@given(inputs=throws(pressing("dt:"), locating))
async def test_start_duty_location(place: Place, inputs: list[Input]) -> None:
    await walk(place, place.mei, STARTING, 0, inputs)


@examples(80)
@given(state=states(3), inputs=throws(pressing("od:", "dt:"), typing_numbers))
async def test_end_of_duty_report(place: Place, state: int, inputs: list[Input]) -> None:
    await walk(place, place.mei, ENDING, state, inputs)


@examples(60)
@given(inputs=throws(pressing("od:", "dt:"), locating), send=st.booleans())
async def test_incident(place: Place, inputs: list[Input], send: bool) -> None:
    """Whatever was added, and then (or not) Send."""
    sending = [Pressed("od:send")] if send else []
    await walk(place, place.mei, REPORTING, 0, [*inputs, *sending])


COMMANDS = [
    "summary", "export", "members", "roster", "directives", "invites", "grids", "start", "me",
    "duty", "help", "language", "leave", "grant", "move",
]  # fmt: skip
arguments = st.lists(
    st.one_of(texts.map(lambda t: t[:40]), days, st.sampled_from(["RIV", "CITY", "riv-1", "X"])),
    max_size=3,
)


@examples(120)
@given(
    name=st.sampled_from(COMMANDS),
    args=arguments,
    who=st.sampled_from(["sec", "mei", "stranger"]),
    then=st.lists(st.builds(Pressed, button_data), max_size=2),
)
async def test_commands_with_any_arguments(
    place: Place, name: str, args: list[str], who: str, then: list[Input]
) -> None:
    """Then presses what came back (or forged data) on the newest message."""
    await walk(place, place.who(who), just(Command(name, tuple(args))), 0, then)


@examples(80)
@given(document=documents, confirm=st.booleans(), who=st.sampled_from(["sec", "mei"]))
async def test_roster_files(place: Place, document: Document, confirm: bool, who: str) -> None:
    """A file, then "import the good rows" or Cancel (stale if nothing was offered)."""
    answer = Pressed("ru:ok" if confirm else "ru:x")
    await walk(place, place.who(who), just(document), 0, [answer])


@examples(120)
@given(
    who=st.sampled_from(["sec", "mei", "stranger"]),
    presses=st.lists(
        st.one_of(
            st.builds(Pressed, button_data, st.booleans()),
            pressing("sm:", "rs:", "gr:", "dw:", "jr:", "inv:", "ack:", "dt:", "lv:k"),
        ),
        min_size=1,
        max_size=4,
    ),
)
async def test_forged_buttons_outside_any_flow(
    place: Place, who: str, presses: list[Input]
) -> None:
    await walk(place, place.who(who), just(), 0, presses)
