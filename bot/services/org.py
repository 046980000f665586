"""The organisation tree: read a TOML or CSV description, validate it whole, apply it."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import Clock
from bot.services.authz import RULES, Action, Actor, Authorizer, can
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
    where: str  # "line 12" — how to point a person at the entry
    spec: UnitSpec


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _toml_entries(text: str, name: str) -> list[tuple[str, dict[str, object]]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OrgFileError([f"{name}: not valid TOML: {exc}"]) from None
    units = data.get("unit")
    unknown = sorted(set(data) - {"unit"})
    if unknown:
        raise OrgFileError([f"{name}: unknown table(s) {', '.join(unknown)}; expected [[unit]]"])
    if not isinstance(units, list) or not units:
        raise OrgFileError([f"{name}: no [[unit]] entries found"])
    # tomllib gives no line numbers; the n-th [[unit]] header is the n-th entry.
    headers = [i for i, line in enumerate(text.splitlines(), 1) if line.strip() == "[[unit]]"]
    entries = []
    for index, entry in enumerate(units):
        where = f"line {headers[index]}" if len(headers) == len(units) else f"unit #{index + 1}"
        if not isinstance(entry, dict):
            raise OrgFileError([f"{name} {where}: expected a table"])
        entries.append((where, entry))
    return entries


def _csv_entries(text: str, name: str) -> list[tuple[str, dict[str, object]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "code" not in header or "name" not in header:
        raise OrgFileError([f"{name} line 1: header must name the columns code,name,parent"])
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise OrgFileError([f"{name} line 1: unknown column(s) {', '.join(unknown)}"])
    reader.fieldnames = header
    entries: list[tuple[str, dict[str, object]]] = []
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        if None in row:
            entries.append((f"line {reader.line_num}", {"__extra__": True}))
            continue
        entries.append((f"line {reader.line_num}", dict(row)))
    if not entries:
        raise OrgFileError([f"{name}: no units found"])
    return entries


def parse_org_file(path: Path) -> list[SpecLine]:
    """Read and check the file on its own (field by field); the tree is checked later."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise OrgFileError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise OrgFileError([f"{path}: cannot read ({exc})"]) from None
    name = path.name
    if path.suffix.lower() == ".toml":
        entries = _toml_entries(text, name)
    elif path.suffix.lower() == ".csv":
        entries = _csv_entries(text, name)
    else:
        raise OrgFileError([f"{path}: expected a .toml or .csv file"])
    problems: list[str] = []
    specs: list[SpecLine] = []
    for where, entry in entries:
        at = f"{name} {where}"
        if entry.get("__extra__"):
            problems.append(f"{at}: more fields than the header names")
            continue
        extra = sorted(set(entry) - set(CSV_COLUMNS))
        if extra:
            problems.append(f"{at}: unknown key(s) {', '.join(extra)}")
        code, unit_name = _clean(entry.get("code")), _clean(entry.get("name"))
        parent, zone = _clean(entry.get("parent")), _clean(entry.get("timezone"))
        if code is None:
            problems.append(f"{at}: code is missing")
            continue
        if not CODE_PATTERN.match(code):
            problems.append(f"{at}: code {code!r} must be 1-32 letters, digits, '_', '.' or '-'")
        if unit_name is None:
            problems.append(f"{at}: name is missing for unit {code}")
        elif len(unit_name) > MAX_NAME:
            problems.append(f"{at}: name of unit {code} is longer than {MAX_NAME} characters")
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                problems.append(f"{at}: timezone {zone!r} is not a known IANA timezone")
        specs.append(SpecLine(at, UnitSpec(code, unit_name or "", parent, zone)))
    if problems:
        raise OrgFileError(problems)
    return specs


def check_tree(lines: list[SpecLine], existing: list[Unit]) -> list[str]:
    """Duplicate codes, unknown parents and cycles, against the tree after the import."""
    problems: list[str] = []
    seen: dict[str, SpecLine] = {}
    for line in lines:
        key = line.spec.code.upper()
        if key in seen:
            problems.append(
                f"{line.where}: code {line.spec.code} is already used at {seen[key].where}"
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
            problems.append(f"{line.where}: unit {line.spec.code} is its own parent")
        elif parent_code.upper() not in parent_of:
            problems.append(
                f"{line.where}: parent {parent_code!r} of unit {line.spec.code} is unknown"
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
                where = first.where if first else "database"
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
        lines = parse_org_file(path)
        existing = await self.storage.units.all()
        problems = check_tree(lines, existing)
        if problems:
            raise OrgFileError(problems)
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
