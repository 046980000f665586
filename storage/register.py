"""The member register: the people each unit expects, with their personal invites."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, to_db_time
from storage.members import _batched
from storage.units import subtree_bounds

_COLUMNS = "id, unit_id, name, phone, email, external_id, member_id, active"


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    id: int
    unit_id: int
    name: str
    phone: str | None
    email: str | None
    external_id: str | None
    member_id: int | None  # who joined through the entry's personal invite
    active: bool


@dataclass(frozen=True, slots=True)
class NewEntry:
    """An entry as a file states it (phone already in E.164)."""

    unit_id: int
    name: str
    phone: str | None
    email: str | None
    external_id: str | None


@dataclass(frozen=True, slots=True)
class Reach:
    """Who a unit expects and how they can be reached (README "Reach per unit"): every
    expected person is on Telegram, reachable only by fallback, or unreachable."""

    expected: int = 0
    joined: int = 0
    telegram: int = 0  # joined, active, and not known to have blocked the bot
    fallback: int = 0  # not on Telegram, with an address a configured channel takes

    @property
    def unreachable(self) -> int:
        return self.expected - self.telegram - self.fallback

    def __add__(self, other: Reach) -> Reach:
        return Reach(
            self.expected + other.expected,
            self.joined + other.joined,
            self.telegram + other.telegram,
            self.fallback + other.fallback,
        )


# Reach of each unit of a path range: the counts migration 0034's triggers keep per unit
# (``unit_reach``, defined by its view ``reach_people`` as README "Reach per unit" defines
# the figures), those off Telegram counted by fallback where a configured channel takes an
# address they have (?3: email, ?4: phone).
_FALLBACK = "?3 * (off_both + off_email) + ?4 * (off_both + off_phone) - ?3 * ?4 * off_both"
_PER_UNIT = (
    f"SELECT unit_id, expected, joined, telegram, {_FALLBACK} FROM unit_reach"
    " WHERE expected != 0 AND unit_id IN (SELECT id FROM units WHERE path >= ?1 AND path < ?2)"
)
# The same summed per unit one level below the unit at ?1 (the root's own under ?1), as
# CheckinRepository.rolled_up sums a summary's lines; ?5: the length of the root's path.
_PER_LINE = (
    "SELECT CASE WHEN u.path = ?1 THEN ?1"
    " ELSE substr(u.path, 1, ?5 + instr(substr(u.path, ?5 + 1), '/')) END AS line,"
    " SUM(p.expected), SUM(p.joined), SUM(p.telegram), SUM(p.fallback)"
    f" FROM (SELECT unit_id, expected, joined, telegram, {_FALLBACK} AS fallback"
    " FROM unit_reach WHERE expected != 0) p"
    " JOIN units u ON u.id = p.unit_id WHERE u.path >= ?1 AND u.path < ?2 GROUP BY line"
)


def _reach(row: aiosqlite.Row) -> Reach:
    return Reach(int(row[1]), int(row[2]), int(row[3]), int(row[4]))


def _entry(row: aiosqlite.Row | tuple[object, ...]) -> RegisterEntry:
    return RegisterEntry(
        id=row[0],  # type: ignore[arg-type]
        unit_id=row[1],  # type: ignore[arg-type]
        name=row[2],  # type: ignore[arg-type]
        phone=row[3],  # type: ignore[arg-type]
        email=row[4],  # type: ignore[arg-type]
        external_id=row[5],  # type: ignore[arg-type]
        member_id=row[6],  # type: ignore[arg-type]
        active=bool(row[7]),
    )


class RegisterRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def all(self) -> list[RegisterEntry]:
        rows = await self.db.fetchall(f"SELECT {_COLUMNS} FROM register_entries ORDER BY id")
        return [_entry(r) for r in rows]

    async def in_units(
        self, unit_ids: Sequence[int], *, not_joined: bool = False
    ) -> list[RegisterEntry]:
        """Active entries of these units, by unit and name."""
        found: list[RegisterEntry] = []
        joined = " AND member_id IS NULL" if not_joined else ""
        for chunk in _batched(((u,) for u in unit_ids), 500):
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                f"SELECT {_COLUMNS} FROM register_entries WHERE active = 1{joined}"
                f" AND unit_id IN ({marks})",
                [u for (u,) in chunk],
            )
            found.extend(_entry(r) for r in rows)
        return sorted(found, key=lambda e: (e.unit_id, e.name, e.id))

    async def reach(self, path: str, *, email: bool, phone: bool) -> dict[int, Reach]:
        """Each unit's own reach (not its subtree's) under the unit at ``path``; ``email``
        and ``phone``: whether a fallback channel takes that address. One statement."""
        low, high = subtree_bounds(path)
        rows = await self.db.fetchall(_PER_UNIT, (low, high, email, phone))
        return {int(r[0]): _reach(r) for r in rows}

    async def reach_lines(self, root: str, *, email: bool, phone: bool) -> dict[str, Reach]:
        """``reach`` of the subtree at path ``root``, summed per unit one level below it
        (keyed by its path; the root's own people under ``root``), in SQLite: a summary's
        lines, not thousands of units."""
        low, high = subtree_bounds(root)
        rows = await self.db.fetchall(_PER_LINE, (low, high, email, phone, len(root)))
        return {str(r[0]): _reach(r) for r in rows}

    async def by_invite_hash(self, invite_hash: str) -> RegisterEntry | None:
        row = await self.db.fetchone_inline(
            f"SELECT {_COLUMNS} FROM register_entries WHERE invite_hash = ?", (invite_hash,)
        )
        return _entry(row) if row else None

    async def of_member(self, member_id: int) -> RegisterEntry | None:
        row = await self.db.fetchone_inline(
            f"SELECT {_COLUMNS} FROM register_entries WHERE member_id = ?", (member_id,)
        )
        return _entry(row) if row else None

    async def apply(
        self,
        *,
        added: Iterable[NewEntry],
        updated: Iterable[tuple[int, NewEntry]],
        deactivated: Iterable[int],
        now: datetime,
    ) -> None:
        """One transaction: nothing of an import is written unless all of it is."""
        stamp = to_db_time(now)
        async with self.db.transaction() as conn:
            for chunk in _batched(
                ((e.unit_id, e.name, e.phone, e.email, e.external_id, stamp, stamp) for e in added),
                5_000,
            ):
                await conn.executemany(
                    "INSERT INTO register_entries (unit_id, name, phone, email, external_id,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    chunk,
                )
            for chunk in _batched(
                (
                    (e.unit_id, e.name, e.phone, e.email, e.external_id, stamp, entry_id)
                    for entry_id, e in updated
                ),
                5_000,
            ):
                await conn.executemany(
                    "UPDATE register_entries SET unit_id = ?, name = ?, phone = ?, email = ?,"
                    " external_id = ?, active = 1, updated_at = ? WHERE id = ?",
                    chunk,
                )
            for chunk in _batched(((stamp, i) for i in deactivated), 5_000):
                await conn.executemany(
                    "UPDATE register_entries SET active = 0, updated_at = ? WHERE id = ?", chunk
                )

    async def set_invites(self, hashes: Iterable[tuple[int, str]], now: datetime) -> None:
        """New personal invites (entry id, token hash); the old ones stop working."""
        stamp = to_db_time(now)
        async with self.db.transaction() as conn:
            await conn.executemany(
                "UPDATE register_entries SET invite_hash = ?, updated_at = ? WHERE id = ?",
                [(h, stamp, i) for i, h in hashes],
            )

    async def link(self, conn: aiosqlite.Connection, entry_id: int, member_id: int) -> bool:
        """Attach the member to the entry, once: False when someone was faster."""
        cursor = await conn.execute(
            "UPDATE register_entries SET member_id = ? WHERE id = ? AND member_id IS NULL"
            " AND active = 1",
            (member_id, entry_id),
        )
        return cursor.rowcount == 1
