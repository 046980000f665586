"""Grids: importing a grid file, adding, listing and deactivating grids. The roster service
(``bot/duty/roster.py``) is built on these rules."""

from __future__ import annotations

from bot.duty.plans import GridChanges
from bot.duty.reading import (
    GRID_COLUMNS,
    MAX_RADIUS_M,
    Problem,
    RosterError,
    RosterFileError,
    parse_radius,
    read_csv,
    read_grid_toml,
)
from bot.kit.clock import Clock
from bot.kit.typed import parse_decimal
from bot.org.authz import Action, Actor, Authorizer, can
from bot.org.service import CODE_PATTERN, MAX_NAME
from storage import Storage
from storage.grids import GridSpec
from storage.models import Grid, Unit


class GridRules:
    """The grid half of :class:`bot.duty.roster.RosterService`."""

    storage: Storage
    clock: Clock
    authz: Authorizer

    async def import_grids(self, actor: Actor, data: bytes, name: str) -> GridChanges:
        """A whole grid file (CSV, or TOML by its name), checked before anything is
        written; RosterFileError lists every problem. Grids are matched by code, so a
        second import of the same file changes nothing."""
        if name.lower().endswith(".toml"):
            rows, problems = read_grid_toml(data)
        else:
            rows, problems = read_csv(data, GRID_COLUMNS, 3)
        units = {u.code.upper(): u for u in await self.storage.units.all()}
        existing = await self.storage.grids.by_codes(cells.get("code", "") for _, cells in rows)
        by_id = {u.id: u for u in units.values()}
        specs: list[GridSpec] = []
        seen: dict[str, int] = {}
        for line, cells in rows:
            found = _grid_spec(line, cells, units)
            if isinstance(found, list):
                problems += found
                continue
            key = found.code.upper()
            if key in seen:
                problems.append(
                    Problem("duplicate_code", line, {"code": found.code, "other": seen[key]})
                )
                continue
            seen[key] = line
            before = existing.get(key)
            touched = [by_id[found.unit_id]]
            if before is not None and before.unit_id in by_id:
                touched.append(by_id[before.unit_id])
            if not all(can(actor, Action.MANAGE_ROSTER, unit) for unit in touched):
                problems.append(Problem("unit_scope", line, {"code": found.code}))
                continue
            specs.append(found)
        if problems:
            raise RosterFileError(sorted(problems, key=lambda p: p.line))
        changes = await self._sync_grids(specs, existing)
        if not changes.empty:
            await self.authz.audit(
                actor,
                "import_grids",
                None,
                f"{name}: {len(changes.added)} added, {len(changes.updated)} updated",
            )
        return changes

    async def _sync_grids(self, specs: list[GridSpec], existing: dict[str, Grid]) -> GridChanges:
        now = self.clock.now()
        added: list[str] = []
        updated: list[str] = []
        async with self.storage.db.transaction() as conn:
            for spec in specs:
                before = existing.get(spec.code.upper())
                if before is None:
                    await self.storage.grids.insert(conn, spec, now)
                    added.append(spec.code)
                elif _differs(before, spec):
                    await self.storage.grids.update(conn, before.id, spec, now)
                    updated.append(spec.code)
        return GridChanges(tuple(added), tuple(updated))

    async def grids_of(self, actor: Actor, unit: Unit) -> list[Grid]:
        await self.authz.check(actor, Action.MANAGE_ROSTER, unit, "grids")
        return await self.storage.grids.of_unit(unit.id)

    async def code_problem(self, code: str) -> Problem | None:
        """Why ``code`` cannot name a new grid, if it cannot."""
        if not CODE_PATTERN.match(code):
            return Problem("bad_code", details={"code": code})
        taken = await self.storage.grids.by_code(code)
        if taken is not None and taken.active:
            return Problem("code_taken", details={"code": code})
        return None

    async def add_grid(
        self,
        actor: Actor,
        unit: Unit,
        code: str,
        name: str,
        *,
        lat: float | None = None,
        lon: float | None = None,
        radius_m: int | None = None,
    ) -> Grid:
        """A new grid, or a deactivated one with this code brought back as described."""
        await self.authz.check(actor, Action.MANAGE_ROSTER, unit, f"add grid {code}")
        problem = await self.code_problem(code)
        if problem is None:
            problem = name_problem(name)
        if problem is None and radius_m is not None and not 0 < radius_m <= MAX_RADIUS_M:
            problem = Problem("bad_radius", details={"max": MAX_RADIUS_M})
        if problem is not None:
            raise RosterError(problem)
        spec = GridSpec(
            code, name.strip(), unit.id, lat, lon, radius_m if lat is not None else None
        )
        before = await self.storage.grids.by_code(code)
        if before is not None:
            old_unit = await self.storage.units.get(before.unit_id)
            if old_unit is None or not can(actor, Action.MANAGE_ROSTER, old_unit):
                raise RosterError(Problem("code_taken", details={"code": code}))
        async with self.storage.db.transaction() as conn:
            if before is None:
                grid_id = await self.storage.grids.insert(conn, spec, self.clock.now())
            else:
                grid_id = before.id
                await self.storage.grids.update(conn, grid_id, spec, self.clock.now())
            await self.authz.audit(actor, "grid_add", unit, f"grid {code}")
        grid = await self.storage.grids.get(grid_id)
        assert grid is not None
        return grid

    async def grid_for(self, actor: Actor, grid_id: int) -> tuple[Grid, Unit]:
        """A grid and its unit, if the actor may manage them; RosterError otherwise."""
        grid = await self.storage.grids.get(grid_id)
        unit = await self.storage.units.get(grid.unit_id) if grid else None
        if grid is None or unit is None:
            raise RosterError(Problem("unknown_grid", details={"code": str(grid_id)}))
        await self.authz.check(actor, Action.MANAGE_ROSTER, unit, f"grid {grid.code}")
        return grid, unit

    async def upcoming_shifts(self, grid: Grid) -> int:
        return await self.storage.shifts.upcoming_of_grid(grid.id, self.clock.now())

    async def deactivate_grid(self, actor: Actor, grid_id: int) -> Grid:
        """No new shifts on it; those already on the roster stay (cancel them one by one)."""
        grid, unit = await self.grid_for(actor, grid_id)
        async with self.storage.db.transaction() as conn:
            if not await self.storage.grids.deactivate(conn, grid.id, self.clock.now()):
                raise RosterError(Problem("inactive_grid", details={"code": grid.code}))
            await self.authz.audit(actor, "grid_deactivate", unit, f"grid {grid.code}")
        return grid


def name_problem(name: str) -> Problem | None:
    """Why ``name`` cannot name a grid, if it cannot."""
    if not name.strip():
        return Problem("missing", details={"columns": "name"})
    if len(name.strip()) > MAX_NAME:
        return Problem("name_too_long", details={"max": MAX_NAME})
    return None


def _grid_spec(
    line: int, cells: dict[str, str], units: dict[str, Unit]
) -> GridSpec | list[Problem]:
    """One grid row checked on its own (duplicates and scope are checked by the caller)."""
    missing = [c for c in GRID_COLUMNS[:3] if not cells.get(c)]
    if missing:
        return [Problem("missing", line, {"columns": ", ".join(missing)})]
    code, name, unit_code = cells["code"], cells["name"], cells["unit"]
    problems: list[Problem] = []
    if not CODE_PATTERN.match(code):
        problems.append(Problem("bad_code", line, {"code": code}))
    named = name_problem(name)
    if named is not None:
        problems.append(Problem(named.reason, line, named.details))
    unit = units.get(unit_code.upper())
    if unit is None:
        problems.append(Problem("unknown_unit", line, {"unit": unit_code}))
    lat_text, lon_text = cells.get("lat", ""), cells.get("lon", "")
    lat = parse_decimal(lat_text) if lat_text else None
    lon = parse_decimal(lon_text) if lon_text else None
    if lat_text and (lat is None or not -90 <= lat <= 90):
        problems.append(Problem("bad_lat", line, {"value": lat_text}))
    if lon_text and (lon is None or not -180 <= lon <= 180):
        problems.append(Problem("bad_lon", line, {"value": lon_text}))
    if bool(lat_text) != bool(lon_text):
        problems.append(Problem("half_centre", line))
    radius_text = cells.get("radius_m", "")
    radius = parse_radius(radius_text) if radius_text else None
    if radius_text:
        if radius is None:
            problems.append(Problem("bad_radius", line, {"max": MAX_RADIUS_M}))
        elif not lat_text:
            problems.append(Problem("radius_without_centre", line))
    if problems:
        return problems
    assert unit is not None
    return GridSpec(code, name, unit.id, lat, lon, radius)


def _differs(grid: Grid, spec: GridSpec) -> bool:
    return not grid.active or (grid.unit_id, grid.name, grid.lat, grid.lon, grid.radius_m) != (
        spec.unit_id,
        spec.name,
        spec.lat,
        spec.lon,
        spec.radius_m,
    )
