"""Units of the organisation tree, stored with a materialised path for subtree scans."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, to_db_time
from storage.dialect import Dialect
from storage.models import Unit
from storage.store import Row

_COLUMNS = "id, code, name, parent_id, path, depth, timezone"


def _unit(row: Row) -> Unit:
    return Unit(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        parent_id=row["parent_id"],
        path=row["path"],
        depth=row["depth"],
        timezone=row["timezone"],
    )


def subtree_bounds(path: str) -> tuple[str, str]:
    """[low, high) string range of every path below (and including) ``path``.

    Paths are ids joined by '/', and '0' is the character right after '/', so the range
    is an index scan, not a LIKE.
    """
    return path, path[:-1] + "0"


def line_of(dialect: Dialect, path: str, root: str, length: str) -> str:
    """SQL for a summary's line of the unit whose path is ``path``: the path of the unit
    one level below the root on the way to it, the root's own for the root. ``root`` is
    the root's path and ``length`` its length (SQL expressions, parameters mostly)."""
    below = dialect.strpos(f"substr({path}, {length} + 1)", "'/'")
    return f"CASE WHEN {path} = {root} THEN {root} ELSE substr({path}, 1, {length} + {below}) END"


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """A unit as an import file describes it."""

    code: str
    name: str
    parent_code: str | None
    timezone: str | None


@dataclass(frozen=True, slots=True)
class TreeChanges:
    added: tuple[str, ...]
    renamed: tuple[str, ...]
    moved: tuple[str, ...]
    retimed: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.renamed or self.moved or self.retimed)


class UnitRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def all(self) -> list[Unit]:
        rows = await self.db.fetchall(f"SELECT {_COLUMNS} FROM units ORDER BY path")
        return [_unit(r) for r in rows]

    async def get(self, unit_id: int) -> Unit | None:
        row = await self.db.fetchone_inline(
            f"SELECT {_COLUMNS} FROM units WHERE id = ?", (unit_id,)
        )
        return _unit(row) if row else None

    async def by_code(self, code: str) -> Unit | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM units WHERE {self.db.dialect.equals_nocase('code')}",
            (code,),
        )
        return _unit(row) if row else None

    async def many(self, unit_ids: Sequence[int]) -> list[Unit]:
        if not unit_ids:
            return []
        marks = ",".join("?" * len(unit_ids))
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM units WHERE id IN ({marks}) ORDER BY path", unit_ids
        )
        return [_unit(r) for r in rows]

    async def subtree(self, unit: Unit) -> list[Unit]:
        """The unit and everything below it, parents before children."""
        low, high = subtree_bounds(unit.path)
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM units WHERE path >= ? AND path < ? ORDER BY depth, name",
            (low, high),
        )
        return [_unit(r) for r in rows]

    async def ancestors(self, unit: Unit) -> list[Unit]:
        """From the root down to the unit's parent."""
        ids = [int(part) for part in unit.path.strip("/").split("/")[:-1]]
        found = {u.id: u for u in await self.many(ids)}
        return [found[i] for i in ids if i in found]

    async def children(self, unit_id: int | None) -> list[Unit]:
        if unit_id is None:
            rows = await self.db.fetchall(
                f"SELECT {_COLUMNS} FROM units WHERE parent_id IS NULL ORDER BY name"
            )
        else:
            rows = await self.db.fetchall(
                f"SELECT {_COLUMNS} FROM units WHERE parent_id = ? ORDER BY name", (unit_id,)
            )
        return [_unit(r) for r in rows]

    async def sync_tree(self, specs: Sequence[UnitSpec], now: datetime) -> TreeChanges:
        """Make the stored tree match ``specs`` in one transaction.

        Units are matched by code, so renames and moves keep their id and with it their
        members. Units absent from ``specs`` are kept where they are. The caller has
        validated the specs (no cycles, parents known). Statements are batched: a
        5,000-unit import is a handful of round trips, not 10,000.
        """
        stamp = to_db_time(now)
        async with self.db.transaction() as conn:
            known = {u.code.upper() for u in await self.all()}
            fresh = [s for s in specs if s.code.upper() not in known]
            # Placeholder paths (unique, not id-shaped) until the ids are known.
            await conn.executemany(
                "INSERT INTO units (code, name, parent_id, path, depth, timezone,"
                " created_at, updated_at) VALUES (?, ?, NULL, ?, 0, ?, ?, ?)",
                [(s.code, s.name, "#" + s.code, s.timezone, stamp, stamp) for s in fresh],
            )
            existing = {u.code.upper(): u for u in await self.all()}
            wanted = {s.code.upper(): s for s in specs}
            key_of_id = {u.id: k for k, u in existing.items()}
            parent_of: dict[str, str | None] = {}
            for key, unit in existing.items():
                if key in wanted:
                    parent = wanted[key].parent_code
                    parent_of[key] = parent.upper() if parent else None
                else:
                    parent_of[key] = key_of_id.get(unit.parent_id) if unit.parent_id else None
            paths = _paths(parent_of, {k: u.id for k, u in existing.items()})
            new_keys = {s.code.upper() for s in fresh}
            renamed, moved, retimed = [], [], []
            updates = []
            for key, unit in existing.items():
                path = paths[key]
                parent = parent_of[key]
                parent_id = existing[parent].id if parent else None
                spec = wanted.get(key)
                name = spec.name if spec else unit.name
                timezone = spec.timezone if spec else unit.timezone
                before = (unit.path, unit.parent_id, unit.name, unit.timezone)
                if (path, parent_id, name, timezone) == before:
                    continue
                if key not in new_keys:
                    if name != unit.name:
                        renamed.append(unit.code)
                    if parent_id != unit.parent_id:
                        moved.append(unit.code)
                    if timezone != unit.timezone:
                        retimed.append(unit.code)
                depth = path.count("/") - 2
                updates.append((name, parent_id, path, depth, timezone, stamp, unit.id))
            await conn.executemany(
                "UPDATE units SET name = ?, parent_id = ?, path = ?, depth = ?, timezone = ?,"
                " updated_at = ? WHERE id = ?",
                updates,
            )
        added = tuple(s.code for s in fresh)
        return TreeChanges(added, tuple(renamed), tuple(moved), tuple(retimed))


def _paths(parent_of: dict[str, str | None], ids: dict[str, int]) -> dict[str, str]:
    """Materialised paths for every key, walking up iteratively (no recursion limit)."""
    paths: dict[str, str] = {}
    for start in parent_of:
        chain = []
        key: str | None = start
        while key is not None and key not in paths:
            chain.append(key)
            key = parent_of[key]
        prefix = paths[key] if key is not None else "/"
        for node in reversed(chain):
            prefix = f"{prefix}{ids[node]}/"
            paths[node] = prefix
    return paths
