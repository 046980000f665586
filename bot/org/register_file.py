"""A member register file (issue #18), read one line at a time into a staging table and
checked whole: CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX, at the console or sent in
chat. Every problem names its line; the service (``register.py``) decides what to write."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import phonenumbers

from bot.kit.i18n import Translator
from storage.models import Unit
from storage.register import RegisterStaging, StagedLine

COLUMNS = ("name", "unit", "phone", "email", "external_id")
REQUIRED = 2
MAX_NAME = 100
MAX_FILE_BYTES = 200_000_000
MAX_FILE_TEXT = "200 MB"
MAX_PROBLEMS = 10_000  # named; more are counted (a file of the wrong kind has every line bad)
_BATCH = 5_000
_CHUNK = 1 << 20
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class RegisterProblem:
    """Something wrong with a register file, at a line (0: the file as a whole); worded
    by ``describe`` in the reader's language."""

    reason: str  # its message id
    line: int = 0
    details: dict[str, str | int] = field(default_factory=dict)


def describe(i18n: Translator, language: str, problem: RegisterProblem, *, plain: bool) -> str:
    render = i18n.plain if plain else i18n.t
    text = render(language, problem.reason, **problem.details)
    if problem.line:
        return render(language, "register-problem-line", line=problem.line, problem=text)
    return text


class RegisterFileError(Exception):
    """The file cannot be imported; ``problems`` has every fault, with its line."""

    def __init__(self, problems: list[RegisterProblem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass(frozen=True, slots=True)
class RegisterSource:
    """A register file: its name (whose ending says CSV or XLSX), its size and a way to
    open it from the start (it is read twice: once to learn the encoding)."""

    name: str
    size: int
    open: Callable[[], BinaryIO]

    @classmethod
    def of_path(cls, path: Path) -> RegisterSource:
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise RegisterFileError([RegisterProblem("register-problem-no-file")]) from None
        except OSError as exc:
            raise _unreadable(exc) from None
        return cls(path.name, size, lambda: path.open("rb"))

    @classmethod
    def of_bytes(cls, name: str, data: bytes) -> RegisterSource:
        return cls(name, len(data), lambda: io.BytesIO(data))

    @property
    def xlsx(self) -> bool:
        return self.name.lower().endswith(".xlsx")


def _unreadable(exc: OSError) -> RegisterFileError:
    return RegisterFileError(
        [
            RegisterProblem(
                "register-problem-unreadable", details={"error": exc.strerror or str(exc)}
            )
        ]
    )


def _encoding(source: RegisterSource) -> str:
    """UTF-8 (with or without a byte-order mark), else GB18030, as ``decode`` reads a
    file, but a megabyte at a time: the file is not held."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with source.open() as handle:
                while chunk := handle.read(_CHUNK):
                    if "\x00" in decoder.decode(chunk):
                        break  # binary that happens to decode
                else:
                    decoder.decode(b"", final=True)
                    return encoding
        except UnicodeDecodeError:
            continue
        except OSError as exc:
            raise _unreadable(exc) from None
    raise RegisterFileError([RegisterProblem("register-problem-not-text")])


def _rows(source: RegisterSource) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of a CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX file, one
    at a time."""
    if source.xlsx:
        yield from _xlsx_rows(source)
        return
    encoding = _encoding(source)
    with source.open() as handle:
        reader = csv.reader(io.TextIOWrapper(handle, encoding=encoding, newline=""))
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as exc:
            raise RegisterFileError(
                [RegisterProblem("register-problem-bad-csv", reader.line_num, {"error": str(exc)})]
            ) from None


def _xlsx_rows(source: RegisterSource) -> Iterator[tuple[int, list[str]]]:
    import openpyxl  # only for XLSX files: it takes a while to import

    try:
        book = openpyxl.load_workbook(source.open(), read_only=True, data_only=True)
    except OSError as exc:
        raise _unreadable(exc) from None
    except Exception:
        raise RegisterFileError([RegisterProblem("register-problem-not-xlsx")]) from None
    try:
        for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), 1):
            yield number, ["" if v is None else str(v) for v in values]
    finally:
        book.close()


def _phone(raw: str, region: str) -> str | None:
    """E.164, or None when ``phonenumbers`` cannot make a possible number of it."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(slots=True)
class Problems:
    """The problems named so far, and how many more there were."""

    named: list[RegisterProblem] = field(default_factory=list)
    more: int = 0

    def add(self, reason: str, line: int = 0, **details: str | int) -> None:
        if len(self.named) < MAX_PROBLEMS:
            self.named.append(RegisterProblem(reason, line, details))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.named)

    def all(self) -> list[RegisterProblem]:
        ordered = sorted(self.named, key=lambda p: p.line)  # stable: a line's in order
        more = (
            [RegisterProblem("register-problem-more", details={"count": self.more})]
            if self.more
            else []
        )
        return ordered + more


def _header(rows: Iterator[tuple[int, list[str]]]) -> tuple[dict[str, int], int]:
    """Where each column is, and how many there are, from the first line; a
    RegisterFileError if it is wrong."""
    first = next(rows, None)
    if first is None:
        raise RegisterFileError([RegisterProblem("register-problem-empty")])
    header = [h.strip().lower() for h in first[1]]
    if any(c not in header for c in COLUMNS[:REQUIRED]):
        raise RegisterFileError([RegisterProblem("register-problem-bad-header", 1)])
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise RegisterFileError(
            [
                RegisterProblem(
                    "register-problem-unknown-columns", 1, {"columns": ", ".join(unknown)}
                )
            ]
        )
    return {c: header.index(c) for c in COLUMNS if c in header}, len(header)


def _line(
    line: int,
    cells: list[str],
    at: dict[str, int],
    width: int,
    units: dict[str, Unit],
    allowed: set[int] | None,
    region: str,
    problems: Problems,
) -> StagedLine:
    """The line as staged: with its unit when it is good, without when it has a problem
    (it still counts for duplicate external ids)."""
    before = len(problems.named) + problems.more

    def cell(column: str) -> str:
        index = at.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    external = cell("external_id") or None
    if len(cells) > width:
        problems.add("register-problem-extra-fields", line)
        return StagedLine(line, None, "", None, None, external)
    person, code = cell("name"), cell("unit")
    if not person:
        problems.add("register-problem-no-name", line)
    elif len(person) > MAX_NAME:
        problems.add("register-problem-long-name", line, max=MAX_NAME)
    unit = units.get(code)
    if unit is None:
        problems.add("register-problem-unknown-unit", line, unit=code)
    elif allowed is not None and unit.id not in allowed:
        problems.add("register-problem-unit-scope", line, unit=code)
    phone = None
    if raw := cell("phone"):
        phone = _phone(raw, region)
        if phone is None:
            problems.add("register-problem-bad-phone", line, phone=raw)
    email = cell("email") or None
    if email is not None and not _EMAIL.match(email):
        problems.add("register-problem-bad-email", line, email=email)
    good = unit is not None and len(problems.named) + problems.more == before
    return StagedLine(line, unit.id if good and unit else None, person, phone, email, external)


async def _duplicates(staging: RegisterStaging, problems: Problems, codes: dict[int, str]) -> None:
    """External ids and people (name and phone) that an earlier line already has."""
    external, people = await staging.duplicates()
    for d in external:
        problems.add("register-problem-external-twice", d.line, id=d.value, first=d.first)
    for d in people:
        unit = codes.get(d.first_unit_id or 0, "?")
        phone = d.phone or ""
        problems.add(
            "register-problem-person-twice",
            d.line,
            name=d.value,
            phone=phone,
            first=d.first,
            unit=unit,
        )


async def read_into(
    source: RegisterSource,
    staging: RegisterStaging,
    units: dict[str, Unit],
    allowed: set[int] | None,
    region: str,
) -> Problems:
    """The file read once into ``staging``, each line checked (``allowed``: the unit ids
    the importer may load, None for all), then the duplicates across lines found."""
    if source.size > MAX_FILE_BYTES:
        raise RegisterFileError(
            [RegisterProblem("register-problem-too-big", details={"limit": MAX_FILE_TEXT})]
        )
    problems = Problems()
    rows = _rows(source)
    at, width = _header(rows)
    batch: list[StagedLine] = []
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        batch.append(_line(line, cells, at, width, units, allowed, region, problems))
        if len(batch) == _BATCH:
            await staging.add(batch)
            batch = []
    await staging.add(batch)
    await _duplicates(staging, problems, {u.id: u.code for u in units.values()})
    return problems
