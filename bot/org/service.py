"""The organisation tree: read a TOML or CSV description, validate it whole, apply it."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.kit.clock import Clock
from bot.org.authz import RULES, Action, Actor, Authorizer, can
from storage import Storage
from storage.models import Unit
from storage.units import TreeChanges, UnitSpec

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
CSV_COLUMNS = ("code", "name", "parent", "timezone")
MAX_NAME = 100


class OrgFileError(Exception):
    """The file cannot be imported; ``problems`` has one line per fault, with its line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class SpecLine:
    where: str  # "org.toml line 12": the entry, to point a person at it
    spec: UnitSpec
    # Where each key of the entry is written, when that is a line of its own (TOML).
    keys: Mapping[str, str] = field(default_factory=dict)

    def at(self, key: str) -> str:
        """Where ``key`` is written, else where the entry starts."""
        return self.keys.get(key, self.where)


@dataclass(frozen=True, slots=True)
class _Entry:
    where: str
    values: dict[str, object]
    keys: Mapping[str, str] = field(default_factory=dict)


_KEY = re.compile(r"""^\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*=""")
_LINE = re.compile(r" line (\d+)")


def _by_line(problem: str) -> int:
    """Problems are listed in file order; those of the whole file first."""
    found = _LINE.search(problem)
    return int(found.group(1)) if found else 0


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _key_lines(lines: list[str], header: int, name: str) -> dict[str, str]:
    """Where each key of the table whose header is on line ``header`` is written
    (tomllib keeps no positions): the lines up to the next table header."""
    keys: dict[str, str] = {}
    for number in range(header + 1, len(lines) + 1):
        line = lines[number - 1]
        if line.lstrip().startswith("["):
            break
        match = _KEY.match(line)
        if match:
            keys.setdefault(match.group(1).strip("\"'"), f"{name} line {number}")
    return keys


def _toml_entries(text: str, name: str, problems: list[str]) -> list[_Entry]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OrgFileError([f"{name}: not valid TOML: {exc}"]) from None
    units = data.get("unit")
    unknown = sorted(set(data) - {"unit"})
    if unknown:
        problems.append(f"{name}: unknown table(s) {', '.join(unknown)}; expected [[unit]]")
    if not isinstance(units, list) or not units:
        raise OrgFileError([*problems, f"{name}: no [[unit]] entries found"])
    # The n-th [[unit]] header is the n-th entry.
    lines = text.splitlines()
    headers = [i for i, line in enumerate(lines, 1) if line.strip() == "[[unit]]"]
    entries = []
    for index, entry in enumerate(units):
        numbered = len(headers) == len(units)
        where = f"{name} line {headers[index]}" if numbered else f"{name} unit #{index + 1}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a table")
            continue
        keys = _key_lines(lines, headers[index], name) if numbered else {}
        entries.append(_Entry(where, entry, keys))
    return entries


def _csv_entries(text: str, name: str) -> list[_Entry]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "code" not in header or "name" not in header:
        raise OrgFileError([f"{name} line 1: header must name the columns code,name,parent"])
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise OrgFileError([f"{name} line 1: unknown column(s) {', '.join(unknown)}"])
    reader.fieldnames = header
    entries: list[_Entry] = []
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        if None in row:
            entries.append(_Entry(f"{name} line {reader.line_num}", {"__extra__": True}))
            continue
        entries.append(_Entry(f"{name} line {reader.line_num}", dict(row)))
    if not entries:
        raise OrgFileError([f"{name}: no units found"])
    return entries


def parse_org_file(path: Path) -> tuple[list[SpecLine], list[str]]:  # noqa: C901 (names every bad line)
    """Read and check the file on its own, field by field: the units that can be read and
    the problems found (the tree is checked later, so that all of them are listed at once).
    A file that cannot be read at all is an OrgFileError."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise OrgFileError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise OrgFileError([f"{path}: cannot read ({exc})"]) from None
    name = path.name
    problems: list[str] = []
    if path.suffix.lower() == ".toml":
        entries = _toml_entries(text, name, problems)
    elif path.suffix.lower() == ".csv":
        entries = _csv_entries(text, name)
    else:
        raise OrgFileError([f"{path}: expected a .toml or .csv file"])
    specs: list[SpecLine] = []
    for entry in entries:
        line = SpecLine(entry.where, UnitSpec("", "", None, None), entry.keys)
        values = entry.values
        if values.get("__extra__"):
            problems.append(f"{line.where}: more fields than the header names")
            continue
        extra = sorted(set(values) - set(CSV_COLUMNS))
        if extra:
            problems.append(f"{line.at(extra[0])}: unknown key(s) {', '.join(extra)}")
        code, unit_name = _clean(values.get("code")), _clean(values.get("name"))
        parent, zone = _clean(values.get("parent")), _clean(values.get("timezone"))
        if code is None:
            problems.append(f"{line.where}: code is missing")
            continue
        if not CODE_PATTERN.match(code):
            problems.append(
                f"{line.at('code')}: code {code!r} must be 1-32 letters, digits, '_', '.' or '-'"
            )
        if unit_name is None:
            problems.append(f"{line.where}: name is missing for unit {code}")
        elif len(unit_name) > MAX_NAME:
            problems.append(
                f"{line.at('name')}: name of unit {code} is longer than {MAX_NAME} characters"
            )
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                problems.append(
                    f"{line.at('timezone')}: timezone {zone!r} is not a known IANA timezone"
                )
        specs.append(replace(line, spec=UnitSpec(code, unit_name or "", parent, zone)))
    return specs, problems


def check_tree(lines: list[SpecLine], existing: list[Unit]) -> list[str]:  # noqa: C901 (names every problem)
    """Duplicate codes, unknown parents and cycles, against the tree after the import."""
    problems: list[str] = []
    seen: dict[str, SpecLine] = {}
    for line in lines:
        key = line.spec.code.upper()
        if key in seen:
            problems.append(
                f"{line.at('code')}: code {line.spec.code} is already used at"
                f" {seen[key].at('code')}"
            )
        else:
            seen[key] = line
    by_id = {u.id: u for u in existing}
    parent_of: dict[str, str | None] = {}
    for unit in existing:
        above = by_id.get(unit.parent_id) if unit.parent_id else None
        parent_of[unit.code.upper()] = above.code.upper() if above else None
    for key, line in seen.items():
        parent_code = line.spec.parent_code
        parent_of[key] = parent_code.upper() if parent_code else None
    for key, line in seen.items():
        parent_code = line.spec.parent_code
        if parent_code is None:
            continue
        if parent_code.upper() == key:
            problems.append(f"{line.at('parent')}: unit {line.spec.code} is its own parent")
        elif parent_code.upper() not in parent_of:
            problems.append(
                f"{line.at('parent')}: parent {parent_code!r} of unit {line.spec.code} is unknown"
            )
    # Walk up from every unit; reaching a unit already on the current walk is a cycle.
    state: dict[str, str] = {}
    for start in parent_of:
        trail: list[str] = []
        node: str | None = start
        while node is not None and node in parent_of and node not in state:
            state[node] = "walking"
            trail.append(node)
            node = parent_of[node]
        if node is not None and state.get(node) == "walking":
            cycle = trail[trail.index(node) :]
            if len(cycle) > 1:  # a unit that is its own parent is reported above
                first = next((seen[c] for c in cycle if c in seen), None)
                where = first.at("parent") if first else "database"
                names = " → ".join(seen[c].spec.code if c in seen else c for c in cycle)
                problems.append(f"{where}: parents form a cycle: {names} → {names.split()[0]}")
        for visited in trail:
            state[visited] = "done"
    return problems


@dataclass(frozen=True, slots=True)
class TreeLine:
    unit: Unit
    own_members: int
    total_members: int


class OrgService:
    def __init__(self, storage: Storage, clock: Clock, authz: Authorizer) -> None:
        self.storage = storage
        self.clock = clock
        self.authz = authz

    async def import_file(self, actor: Actor, path: Path) -> TreeChanges:
        """Validate the whole file against the stored tree; write nothing unless all is well."""
        lines, problems = parse_org_file(path)
        existing = await self.storage.units.all()
        # Every problem at once: a bad timezone must not hide a duplicate code.
        problems += check_tree(lines, existing)
        if problems:
            raise OrgFileError(sorted(problems, key=_by_line))
        await self.authz.check(actor, Action.IMPORT_ORG, None, path.name)
        specs = [line.spec for line in lines]
        changes = await self.storage.units.sync_tree(specs, self.clock.now())
        if not changes.empty:
            await self.authz.audit(
                actor,
                "import_org",
                None,
                f"{path.name}: {len(changes.added)} added, {len(changes.renamed)} renamed,"
                f" {len(changes.moved)} moved, {len(changes.retimed)} timezone changed",
            )
        return changes

    async def tree(self, roots: list[Unit] | None = None) -> list[TreeLine]:
        """Units depth-first, children by name, with own and subtree member counts.

        The whole organisation, or only the subtrees under ``roots`` (a secretary's
        scope), so a branch secretary does not pay for 5,000 units. Two queries per root.
        """
        if roots is None:
            units = await self.storage.units.all()
            counts = await self.storage.members.count_by_unit()
        else:
            units, counts = [], {}
            for root in roots:
                units.extend(await self.storage.units.subtree(root))
                counts.update(await self.storage.members.count_by_unit(root.path))
        inside = {u.id for u in units}
        children: dict[int | None, list[Unit]] = {}
        for unit in units:
            parent = unit.parent_id if unit.parent_id in inside else None
            children.setdefault(parent, []).append(unit)
        for kids in children.values():
            kids.sort(key=lambda u: u.name)
        totals: dict[int, int] = {}
        for unit in sorted(units, key=lambda u: -u.depth):
            totals[unit.id] = counts.get(unit.id, 0) + sum(
                totals[k.id] for k in children.get(unit.id, [])
            )
        out: list[TreeLine] = []
        stack = list(reversed(children.get(None, [])))
        while stack:
            unit = stack.pop()
            out.append(TreeLine(unit, counts.get(unit.id, 0), totals[unit.id]))
            stack.extend(reversed(children.get(unit.id, [])))
        return out

    async def unit(self, unit_id: int) -> Unit | None:
        return await self.storage.units.get(unit_id)

    async def unit_by_code(self, code: str) -> Unit | None:
        return await self.storage.units.by_code(code)

    async def top_units(self) -> list[Unit]:
        """The units at the top of the tree (the committees an admin oversees)."""
        return await self.storage.units.children(None)

    async def units_where(self, actor: Actor, action: Action) -> list[TreeLine]:
        """The units (in tree order, with member counts) on which ``actor`` may ``action``."""
        roots = None if actor.is_admin else actor.scopes(*RULES.get(action, ()))
        if roots == []:
            return []
        return [line for line in await self.tree(roots) if can(actor, action, line.unit)]


def search_units(lines: list[TreeLine], query: str) -> list[TreeLine]:
    """Exact code first, then names containing the text (case-insensitive)."""
    needle = query.strip().casefold()
    exact = [line for line in lines if line.unit.code.casefold() == needle]
    partial = [
        line
        for line in lines
        if needle in line.unit.name.casefold() and line.unit.code.casefold() != needle
    ]
    return exact + partial
