"""What people send for the roster, read and checked: grid and shift files (CSV, TOML),
typed times, dates and radii, and the problems found, in words (:func:`describe`: HTML
for chat, plain English for the CLI)."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from bot.kit.days import plausible
from bot.kit.i18n import Translator, format_day
from bot.kit.tables import decode
from bot.kit.typed import parse_whole, typed

MAX_FILE_BYTES = 1_000_000
MAX_FILE_TEXT = "1 MB"
MAX_ROWS = 5_000
# A grid is a street, a community or a village, not a province.
MAX_RADIUS_M = 50_000
SHIFT_COLUMNS = ("grid", "member", "date", "start", "end", "repeat_weeks")
GRID_COLUMNS = ("code", "name", "unit", "lat", "lon", "radius_m")

_CLOCK = re.compile(r"^\s*(\d{1,2})[:：.](\d{2})\s*$")
# Excel writes dates its own way (2026/12/1 in Chinese locales).
_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*$")
_SPAN = re.compile(r"\s*[-–—~～至到]\s*")

# Reason → catalogue message. Every problem a check can find is listed here.
PROBLEM_KEYS = {
    # the file as a whole
    "too_big": "roster-problem-too-big",
    "not_text": "roster-problem-not-text",
    "not_csv": "roster-problem-not-csv",
    "bad_csv": "roster-problem-bad-csv",
    "bad_toml": "roster-problem-bad-toml",
    "too_many_rows": "roster-problem-too-many-rows",
    "no_rows": "roster-problem-no-rows",
    "bad_header": "roster-problem-bad-header",
    "unknown_columns": "roster-problem-unknown-columns",
    "extra_fields": "roster-problem-extra-fields",
    "missing": "roster-problem-missing",
    # grids
    "bad_code": "roster-problem-bad-code",
    "code_taken": "roster-problem-code-taken",
    "duplicate_code": "roster-problem-duplicate-code",
    "name_too_long": "roster-problem-name-too-long",
    "unknown_unit": "roster-problem-unknown-unit",
    "unit_scope": "roster-problem-unit-scope",
    "bad_lat": "roster-problem-bad-lat",
    "bad_lon": "roster-problem-bad-lon",
    "half_centre": "roster-problem-half-centre",
    "bad_radius": "roster-problem-bad-radius",
    "radius_without_centre": "roster-problem-radius-without-centre",
    # shifts
    "unknown_grid": "roster-problem-unknown-grid",
    "inactive_grid": "roster-problem-inactive-grid",
    "grid_scope": "roster-problem-grid-scope",
    "unknown_member": "roster-problem-unknown-member",
    "ambiguous_member": "roster-problem-ambiguous-member",
    "inactive_member": "roster-problem-inactive-member",
    "member_outside": "roster-problem-member-outside",
    "bad_date": "roster-problem-bad-date",
    "bad_time": "roster-problem-bad-time",
    "zero_length": "roster-problem-zero-length",
    "too_long": "roster-problem-too-long",
    "past": "roster-problem-past",
    "bad_repeat": "roster-problem-bad-repeat",
    "overlap_file": "roster-problem-overlap-file",
    "overlap_existing": "roster-problem-overlap-existing",
    "already_there": "roster-problem-already-there",
    # single actions
    "unknown_shift": "roster-problem-unknown-shift",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong, at a line of a file (0: the file as a whole, or no file)."""

    reason: str
    line: int = 0
    details: dict[str, Any] = field(default_factory=dict)


class RosterError(Exception):
    """One problem that stops an action (``/assign``, adding a grid, a cancel)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.reason)
        self.problem = problem


ECHO_LIMIT = 60


def describe(i18n: Translator, language: str, problem: Problem, *, plain: bool = False) -> str:
    """The problem in words, ``Line 3: …`` when it has a line; HTML unless ``plain``."""
    render = i18n.plain if plain else i18n.t
    args = {
        key: format_day(value, language) if isinstance(value, date) else _echo(value)
        for key, value in problem.details.items()
    }
    text = render(language, PROBLEM_KEYS[problem.reason], **args)
    if problem.line:
        return render(language, "roster-problem-line", line=problem.line, problem=text)
    return text


def _echo(value: object) -> object:
    """What someone typed, quoted back in a refusal: a few words at most, so that pasting
    a book cannot make the answer longer than Telegram takes."""
    if isinstance(value, str) and len(value) > ECHO_LIMIT:
        return value[: ECHO_LIMIT - 1] + "…"
    return value


class RosterFileError(Exception):
    """A grid file that cannot be imported; ``problems`` has every fault, with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


# Reading files -------------------------------------------------------------------------

Row = tuple[int, dict[str, str]]  # line number, cells by lower-case column name


def _cell(value: object) -> str:
    return "" if value is None else str(value).strip()


def read_csv(data: bytes, columns: Sequence[str], required: int) -> tuple[list[Row], list[Problem]]:
    """The data rows of a CSV file whose header names ``columns`` (the first ``required``
    of them must be there), or the problems that make it unreadable."""
    if len(data) > MAX_FILE_BYTES:
        return [], [Problem("too_big", details={"limit": MAX_FILE_TEXT})]
    text = decode(data)
    if text is None:
        return [], [Problem("not_text")]
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [_cell(h).lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        return [], [Problem("bad_csv", 1, {"error": str(exc)})]
    wanted = ",".join(columns[:required])
    if any(name not in header for name in columns[:required]):
        return [], [
            Problem("bad_header", 1, {"columns": wanted, "optional": _rest(columns, required)})
        ]
    unknown = [h for h in header if h not in columns]
    if unknown:
        return [], [Problem("unknown_columns", 1, {"columns": ", ".join(unknown)})]
    reader.fieldnames = header
    rows: list[Row] = []
    problems: list[Problem] = []
    try:
        for record in reader:
            if len(rows) >= MAX_ROWS:
                return [], [Problem("too_many_rows", details={"limit": MAX_ROWS})]
            if None in record:
                problems.append(Problem("extra_fields", reader.line_num))
                continue
            cells = {k: _cell(v) for k, v in record.items()}
            if any(cells.values()):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:  # e.g. a quote never closed, so one field runs on and on
        return [], [Problem("bad_csv", reader.line_num, {"error": str(exc)})]
    if not rows and not problems:
        problems.append(Problem("no_rows"))
    return rows, problems


def _rest(columns: Sequence[str], required: int) -> str:
    return ",".join(columns[required:])


def read_grid_toml(data: bytes) -> tuple[list[Row], list[Problem]]:
    """``[[grid]]`` tables; each entry is numbered by the line of its header."""
    if len(data) > MAX_FILE_BYTES:
        return [], [Problem("too_big", details={"limit": MAX_FILE_TEXT})]
    text = decode(data)
    if text is None:
        return [], [Problem("not_text")]
    try:
        entries = tomllib.loads(text).get("grid")
    except tomllib.TOMLDecodeError as exc:
        return [], [Problem("bad_toml", details={"error": str(exc)})]
    if not isinstance(entries, list) or not entries:
        return [], [Problem("no_rows")]
    if len(entries) > MAX_ROWS:
        return [], [Problem("too_many_rows", details={"limit": MAX_ROWS})]
    headers = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[grid]]"]
    rows: list[Row] = []
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        line = headers[index] if len(headers) == len(entries) else 0
        extra = sorted(set(entry) - set(GRID_COLUMNS)) if isinstance(entry, dict) else ["?"]
        if extra:
            problems.append(Problem("unknown_columns", line, {"columns": ", ".join(extra)}))
            continue
        rows.append((line, {k: _cell(v) for k, v in entry.items()}))
    return rows, problems


def parse_clock(text: str, *, end: bool = False) -> time | None:
    """``18:00`` (also ``18.00``, ``18：00``); ``24:00`` only as an end (midnight)."""
    match = _CLOCK.match(typed(text))
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if end and (hour, minute) == (24, 0):
        return time(0, 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_span(text: str) -> tuple[time, time] | None:
    """``18:00-22:00`` (also with ``–``, ``~``, ``至`` or ``到``); an end at or before the
    start is the next day's."""
    parts = _SPAN.split(typed(text))
    if len(parts) != 2:
        return None
    start, end = parse_clock(parts[0]), parse_clock(parts[1], end=True)
    return (start, end) if start is not None and end is not None else None


def parse_radius(text: str) -> int | None:
    """Whole metres, 1 to MAX_RADIUS_M (``500`` or ``500 m``)."""
    radius = parse_whole(typed(text).lower().removesuffix("m")) or 0
    return radius if 0 < radius <= MAX_RADIUS_M else None


def parse_day(text: str) -> date | None:
    match = _DATE.match(typed(text))
    if not match:
        return None
    try:
        day = date(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    return day if plausible(day) else None
