"""The member register (issue #18): the people each unit expects, read from a CSV or
XLSX file validated whole, and a personal invite per entry that joins its holder to the
entry's person and unit with no approval."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers

from bot.kit.clock import Clock
from bot.kit.people import Person, language_for
from bot.kit.tables import decode
from bot.org.authz import Action, Actor, Authorizer
from bot.org.invites import (
    TOKEN_PATTERN,
    InviteService,
    JoinOutcome,
    JoinStatus,
    hash_token,
    new_token,
)
from storage import Storage
from storage.models import Role, Unit
from storage.register import NewEntry, RegisterEntry

COLUMNS = ("name", "unit", "phone", "email", "external_id")
REQUIRED = 2
MAX_NAME = 100
MAX_FILE_BYTES = 200_000_000
# Secretaries keep their units' register, as they invite their members.
_IMPORT = Action.INVITE_MEMBER
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RegisterFileError(Exception):
    """The file cannot be imported; ``problems`` has one line per fault, with its line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class RegisterChanges:
    added: int = 0
    updated: int = 0
    deactivated: int = 0
    kept: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.updated or self.deactivated)


@dataclass(frozen=True, slots=True)
class RegisterLine:
    """An entry for a listing or a call sheet."""

    entry: RegisterEntry
    unit: Unit
    joined: bool


@dataclass(frozen=True, slots=True)
class PersonalInvite:
    entry: RegisterEntry
    token: str


@dataclass(slots=True)
class _Read:
    entries: list[tuple[int, NewEntry]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of a CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX file."""
    if path.suffix.lower() == ".xlsx":
        yield from _xlsx_rows(path)
        return
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RegisterFileError([f"{path.name}: no such file"]) from None
    except OSError as exc:
        raise RegisterFileError([f"{path.name}: cannot read ({exc.strerror})"]) from None
    if len(data) > MAX_FILE_BYTES:
        raise RegisterFileError([f"{path.name}: larger than 200 MB"])
    text = decode(data)
    del data
    if text is None:
        raise RegisterFileError([f"{path.name}: not a text file in UTF-8 or GB18030"])
    reader = csv.reader(io.StringIO(text))
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise RegisterFileError([f"{path.name} line {reader.line_num}: {exc}"]) from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    import openpyxl  # only for XLSX files: it takes a while to import

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise RegisterFileError([f"{path.name}: no such file"]) from None
    except Exception as exc:
        raise RegisterFileError([f"{path.name}: not a readable XLSX workbook ({exc})"]) from None
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


def read_register(path: Path, units: dict[str, Unit], region: str) -> _Read:  # noqa: C901 (names every bad line)
    """Every entry of the file, and every problem with its line; the file as a whole
    (unreadable, bad header) is a RegisterFileError."""
    name = path.name
    read = _Read()
    rows = _rows(path)
    header_row = next(rows, None)
    if header_row is None:
        raise RegisterFileError([f"{name}: empty file"])
    header = [h.strip().lower() for h in header_row[1]]
    if any(c not in header for c in COLUMNS[:REQUIRED]):
        raise RegisterFileError(
            [f"{name} line 1: the header must name the columns name,unit (and optionally"
             " phone,email,external_id)"]
        )  # fmt: skip
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise RegisterFileError([f"{name} line 1: unknown column(s) {', '.join(unknown)}"])
    at = {c: header.index(c) for c in COLUMNS if c in header}
    external_lines: dict[str, int] = {}
    person_lines: dict[tuple[str, str], tuple[int, str]] = {}
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        where = f"{name} line {line}"
        if len(cells) > len(header):
            read.problems.append(f"{where}: more fields than the header names")
            continue

        def cell(column: str, cells: list[str] = cells) -> str:
            index = at.get(column)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        person, code = cell("name"), cell("unit")
        bad = len(read.problems)
        if not person:
            read.problems.append(f"{where}: the name is empty")
        elif len(person) > MAX_NAME:
            read.problems.append(f"{where}: the name is longer than {MAX_NAME} characters")
        unit = units.get(code)
        if unit is None:
            read.problems.append(f"{where}: no unit with code {code!r}")
        phone = None
        if raw := cell("phone"):
            phone = _phone(raw, region)
            if phone is None:
                read.problems.append(f"{where}: {raw!r} is not a phone number")
        email = cell("email") or None
        if email is not None and not _EMAIL.match(email):
            read.problems.append(f"{where}: {email!r} is not an email address")
        external = cell("external_id") or None
        if external is not None:
            first = external_lines.setdefault(external, line)
            if first != line:
                read.problems.append(f"{where}: external id {external!r} is also on line {first}")
        if len(read.problems) > bad or unit is None:
            continue
        # The same person (name and phone) twice, in one unit or across units.
        if phone is not None:
            seen = person_lines.setdefault((person, phone), (line, code))
            if seen[0] != line:
                read.problems.append(
                    f"{where}: {person} ({phone}) is also on line {seen[0]} (unit {seen[1]})"
                )
                continue
        read.entries.append((line, NewEntry(unit.id, person, phone, email, external)))
    if not read.entries and not read.problems:
        read.problems.append(f"{name}: no members found")
    return read


def _key(unit_id: int, name: str, phone: str | None) -> tuple[int, str, str | None]:
    return unit_id, name, phone


class RegisterService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        authz: Authorizer,
        invites: InviteService,
        *,
        region: str,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.authz = authz
        self.invites = invites
        self.region = region

    async def import_file(self, actor: Actor, path: Path, *, prune: bool) -> RegisterChanges:
        """Load the register from ``path``: all of it or, on any problem, nothing."""
        units = {u.code: u for u in await self.storage.units.all()}
        read = read_register(path, units, self.region)
        if read.problems:
            raise RegisterFileError(read.problems)
        by_id = {u.id: u for u in units.values()}
        for unit_id in {e.unit_id for _, e in read.entries}:
            await self.authz.check(actor, _IMPORT, by_id[unit_id], "member register")
        existing = await self.storage.register.all()
        by_external = {e.external_id: e for e in existing if e.external_id}
        by_person = {_key(e.unit_id, e.name, e.phone): e for e in existing if not e.external_id}
        added: list[NewEntry] = []
        updated: list[tuple[int, NewEntry]] = []
        seen: set[int] = set()
        for _, new in read.entries:
            old = (
                by_external.get(new.external_id)
                if new.external_id
                else by_person.get(_key(new.unit_id, new.name, new.phone))
            )
            if old is None:
                added.append(new)
                continue
            seen.add(old.id)
            same = (old.unit_id, old.name, old.phone, old.email, old.external_id) == (
                new.unit_id, new.name, new.phone, new.email, new.external_id
            )  # fmt: skip
            if not same or not old.active:
                updated.append((old.id, new))
        gone = [e.id for e in existing if e.active and e.id not in seen] if prune else []
        now = self.clock.now()
        async with self.storage.db.transaction():
            await self.storage.register.apply(
                added=added, updated=updated, deactivated=gone, now=now
            )
            changes = RegisterChanges(
                len(added), len(updated), len(gone), len(read.entries) - len(added) - len(updated)
            )
            await self.authz.audit(
                actor,
                "register_import",
                None,
                f"{path.name}: {changes.added} added, {changes.updated} updated,"
                f" {changes.deactivated} deactivated",
            )
        return changes

    async def listing(
        self, actor: Actor, unit: Unit | None, *, not_joined: bool = False
    ) -> list[RegisterLine]:
        """The register of the unit's subtree (everything when None), for the console
        and a unit's own secretaries only: it holds phone numbers."""
        units = await (self.storage.units.subtree(unit) if unit else self.storage.units.all())
        for checked in [unit] if unit else []:
            await self.authz.check(actor, _IMPORT, checked, "member register")
        if unit is None and not actor.is_admin:
            return []
        by_id = {u.id: u for u in units}
        entries = await self.storage.register.in_units(list(by_id), not_joined=not_joined)
        return [RegisterLine(e, by_id[e.unit_id], e.member_id is not None) for e in entries]

    async def issue_invites(self, actor: Actor, unit: Unit) -> list[tuple[RegisterLine, str]]:
        """A fresh personal invite for every entry of the unit not joined yet (an earlier
        sheet's links stop working: only hashes are stored, so links cannot be shown
        twice); joined entries come with no link."""
        lines = await self.listing(actor, unit)
        tokens = {line.entry.id: new_token() for line in lines if not line.joined}
        await self.storage.register.set_invites(
            ((i, hash_token(t)) for i, t in tokens.items()), self.clock.now()
        )
        await self.authz.audit(actor, "register_invites", unit, f"{len(tokens)} personal invites")
        return [(line, tokens.get(line.entry.id, "")) for line in lines]

    async def redeem(self, person: Person, payload: str) -> JoinOutcome | None:
        """``/start <payload>`` with a personal invite: join as the entry's person, no
        approval. None when the payload is not a personal invite (then it may be a
        general one)."""
        if not TOKEN_PATTERN.match(payload):
            return None
        entry = await self.storage.register.by_invite_hash(hash_token(payload))
        if entry is None:
            return None
        unit = await self.storage.units.get(entry.unit_id)
        if unit is None or not entry.active:
            return JoinOutcome(JoinStatus.REVOKED)
        member = await self.storage.members.by_telegram_id(person.telegram_id)
        if entry.member_id is not None:
            if member is not None and member.id == entry.member_id:
                return JoinOutcome(JoinStatus.ALREADY, unit, Role.MEMBER, member)
            return await self._taken(person, entry, unit)
        if member is not None:
            if not member.active:
                return JoinOutcome(JoinStatus.INACTIVE, unit, Role.MEMBER, member)
            # Not linked to the entry: whoever holds the link may not be its person.
            home = await self.storage.units.get(member.unit_id)
            same = member.unit_id == unit.id
            status = JoinStatus.ALREADY if same else JoinStatus.ALREADY_ELSEWHERE
            return JoinOutcome(status, home, Role.MEMBER, member)
        now = self.clock.now()
        async with self.storage.db.transaction() as conn:
            member_id = await self.storage.members.add(
                conn,
                telegram_id=person.telegram_id,
                # Names are the organisation's: the register's, not the Telegram profile's.
                display_name=entry.name,
                username=person.username,
                language=language_for(person.language_code, self.invites.default_language),
                unit_id=unit.id,
                now=now,
            )
            if not await self.storage.register.link(conn, entry.id, member_id):
                raise _TakenMeanwhile
            await self._audit(person, unit, f"register entry {entry.id}: joined")
        joined = await self.storage.members.get(member_id)
        return JoinOutcome(JoinStatus.JOINED, unit, Role.MEMBER, joined)

    async def _taken(self, person: Person, entry: RegisterEntry, unit: Unit) -> JoinOutcome:
        await self._audit(
            person, unit, f"register entry {entry.id}: refused, already used by another account"
        )
        return JoinOutcome(
            JoinStatus.TAKEN,
            unit,
            Role.MEMBER,
            approvers=await self.invites.approvers(unit, Role.MEMBER),
            name=entry.name,
        )

    async def _audit(self, person: Person, unit: Unit, detail: str) -> None:
        await self.storage.audit.add(
            at=self.clock.now(),
            actor_telegram_id=person.telegram_id,
            action="join_personal",
            outcome="ok",
            unit_id=unit.id,
            detail=detail,
        )


class _TakenMeanwhile(Exception):
    """Two accounts raced for one entry: the loser's member row is rolled back."""
