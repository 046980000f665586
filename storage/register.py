"""The member register: the people each unit expects, with their personal invites."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import count

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

    async def get(self, entry_id: int) -> RegisterEntry | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM register_entries WHERE id = ?", (entry_id,)
        )
        return _entry(row) if row else None

    async def by_external_id(self, external_id: str) -> RegisterEntry | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM register_entries WHERE external_id = ?", (external_id,)
        )
        return _entry(row) if row else None

    async def of_unit(self, unit_id: int) -> list[RegisterEntry]:
        """The unit's entries, active or not, by id."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM register_entries WHERE unit_id = ? ORDER BY id", (unit_id,)
        )
        return [_entry(r) for r in rows]

    async def unlinked(self, unit_id: int) -> list[RegisterEntry]:
        """The unit's active entries nobody joined through, by id."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM register_entries WHERE unit_id = ? AND active = 1"
            " AND member_id IS NULL ORDER BY id",
            (unit_id,),
        )
        return [_entry(r) for r in rows]

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

    def staging(self) -> RegisterStaging:
        """A temporary table to check a file in (``async with``: dropped after)."""
        return RegisterStaging(self.db)

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

    async def answer(
        self,
        conn: aiosqlite.Connection,
        entry_id: int,
        member_id: int,
        *,
        same: bool,
        by: int | None,
        now: datetime,
    ) -> LinkAnswer | None:
        """Record the first answer to the offer of this pair: None when it is the first,
        else the answer given before (which stands; this one is not recorded)."""
        cursor = await conn.execute(
            "INSERT INTO register_link_answers (member_id, entry_id, same, by_member_id, at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (member_id, entry_id, same, by, to_db_time(now)),
        )
        if cursor.rowcount == 1:
            return None
        row = await (await conn.execute(_ANSWER, (member_id, entry_id))).fetchone()
        assert row is not None  # the conflicting row, in this transaction
        return LinkAnswer(bool(row[0]), row[1])

    async def answered(self, entry_id: int, member_id: int) -> LinkAnswer | None:
        """The answer given to the offer of this pair, if any."""
        row = await self.db.fetchone_inline(_ANSWER, (member_id, entry_id))
        return LinkAnswer(bool(row[0]), row[1]) if row else None

    async def declined(self, member_id: int) -> set[int]:
        """The entries the member was found not to be ("Not the same person")."""
        rows = await self.db.fetchall(
            "SELECT entry_id FROM register_link_answers WHERE member_id = ? AND same = 0",
            (member_id,),
        )
        return {int(r[0]) for r in rows}


_ANSWER = (
    "SELECT same, by_member_id FROM register_link_answers WHERE member_id = ? AND entry_id = ?"
)


@dataclass(frozen=True, slots=True)
class LinkAnswer:
    """The first answer to a link offer: Link (``same``) or not the same person."""

    same: bool
    by: int | None  # the member who answered; None when they were no member


@dataclass(frozen=True, slots=True)
class StagedLine:
    """A line of a file to import, held in a temporary table until the file is checked."""

    line: int
    unit_id: int | None  # None: the line has a problem of its own (not matched, not written)
    name: str
    phone: str | None
    email: str | None
    external_id: str | None


@dataclass(frozen=True, slots=True)
class Duplicate:
    line: int
    first: int  # the earlier line with the same external id, or the same person
    value: str  # the external id, or the person's name
    phone: str | None = None  # the person's
    first_unit_id: int | None = None  # the earlier line's unit, for a person


@dataclass(frozen=True, slots=True)
class StagedCounts:
    added: int
    updated: int
    kept: int
    absent: int  # active entries in scope that the file does not name


_staging = count(1)


class RegisterStaging:
    """A file's lines in a temporary table of the writer's connection (only it sees temp
    tables): the file is read once and checked there, so neither the file nor its parsed
    lines nor the existing register are held in memory, and nothing reaches
    ``register_entries`` until the whole file passed (issue #18's 200,000 members).

    Each statement runs in a short transaction of its own, so the bot's writes go on
    between batches; only ``apply`` writes the register, in one."""

    def __init__(self, db: Database) -> None:
        self.db = db
        number = next(_staging)
        self.lines = f"temp.register_lines_{number}"
        self.scope = f"temp.register_scope_{number}"  # unit ids an actor may load; none: all

    async def __aenter__(self) -> RegisterStaging:
        async with self.db.transaction() as conn:
            await conn.execute(
                f"CREATE TABLE {self.lines} (line INTEGER PRIMARY KEY, unit_id INTEGER,"
                " name TEXT NOT NULL, phone TEXT, email TEXT, external_id TEXT, match_id INTEGER)"
            )
            await conn.execute(f"CREATE TABLE {self.scope} (unit_id INTEGER PRIMARY KEY)")
        return self

    async def __aexit__(self, *exc: object) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(f"DROP TABLE IF EXISTS {self.lines}")
            await conn.execute(f"DROP TABLE IF EXISTS {self.scope}")

    async def limit_to(self, unit_ids: Iterable[int]) -> None:
        async with self.db.transaction() as conn:
            await conn.executemany(
                f"INSERT OR IGNORE INTO {self.scope} (unit_id) VALUES (?)",
                ((u,) for u in unit_ids),
            )

    async def add(self, lines: Sequence[StagedLine]) -> None:
        async with self.db.transaction() as conn:
            await conn.executemany(
                f"INSERT INTO {self.lines} (line, unit_id, name, phone, email, external_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(s.line, s.unit_id, s.name, s.phone, s.email, s.external_id) for s in lines],
            )

    async def clear(self) -> None:
        """Start the file again (read in another encoding)."""
        async with self.db.transaction() as conn:
            await conn.execute(f"DELETE FROM {self.lines}")

    async def duplicates(self) -> tuple[list[Duplicate], list[Duplicate]]:
        """Lines repeating an earlier line's external id (any line), and lines repeating
        an earlier good line's person (name and phone, in any unit)."""
        async with self.db.transaction() as conn:
            await conn.execute(f"CREATE INDEX {self.lines}_ext ON {self.lines[5:]} (external_id)")
            await conn.execute(
                f"CREATE INDEX {self.lines}_person ON {self.lines[5:]} (name, phone)"
            )
            external = await conn.execute_fetchall(
                "SELECT line, first, external_id FROM (SELECT line, external_id,"
                " MIN(line) OVER (PARTITION BY external_id) AS first"
                f" FROM {self.lines} WHERE external_id IS NOT NULL) WHERE line != first"
            )
            person = await conn.execute_fetchall(
                "SELECT line, first, name, phone, first_unit FROM (SELECT line, name, phone,"
                " FIRST_VALUE(line) OVER w AS first, FIRST_VALUE(unit_id) OVER w AS first_unit"
                f" FROM {self.lines} WHERE unit_id IS NOT NULL AND phone IS NOT NULL"
                " WINDOW w AS (PARTITION BY name, phone ORDER BY line)) WHERE line != first"
            )
        return (
            [Duplicate(r[0], r[1], r[2]) for r in external],
            [Duplicate(r[0], r[1], r[2], r[3], r[4]) for r in person],
        )

    async def match(self) -> list[tuple[int, int]]:
        """Each line's existing entry (by external id, else by unit, name and phone among
        entries without one); (line, unit id) of the matches outside the scope."""
        async with self.db.transaction() as conn:
            await conn.execute(
                f"UPDATE {self.lines} AS s SET match_id = (SELECT r.id FROM register_entries r"
                " WHERE r.external_id = s.external_id) WHERE s.external_id IS NOT NULL"
            )
            await conn.execute(
                f"UPDATE {self.lines} AS s SET match_id = (SELECT MIN(r.id)"
                " FROM register_entries r WHERE r.external_id IS NULL"
                " AND r.unit_id = s.unit_id AND r.name = s.name AND r.phone IS s.phone)"
                " WHERE s.external_id IS NULL"
            )
            rows = await conn.execute_fetchall(
                f"SELECT s.line, r.unit_id FROM {self.lines} s"
                " JOIN register_entries r ON r.id = s.match_id"
                f" WHERE EXISTS (SELECT 1 FROM {self.scope})"
                f" AND r.unit_id NOT IN (SELECT unit_id FROM {self.scope}) ORDER BY s.line"
            )
        return [(r[0], r[1]) for r in rows]

    _CHANGED = (
        "r.unit_id IS NOT s.unit_id OR r.name IS NOT s.name OR r.phone IS NOT s.phone"
        " OR r.email IS NOT s.email OR r.external_id IS NOT s.external_id OR r.active = 0"
    )

    def _absent(self) -> str:
        return (
            "FROM register_entries WHERE active = 1"
            f" AND id NOT IN (SELECT match_id FROM {self.lines} WHERE match_id IS NOT NULL)"
            f" AND (NOT EXISTS (SELECT 1 FROM {self.scope})"
            f" OR unit_id IN (SELECT unit_id FROM {self.scope}))"
        )

    async def counts(self) -> StagedCounts:
        """What applying would do (after ``match``)."""
        async with self.db.transaction() as conn:
            rows = await conn.execute_fetchall(
                "SELECT COUNT(*) FILTER (WHERE s.match_id IS NULL),"
                f" COUNT(*) FILTER (WHERE s.match_id IS NOT NULL AND ({self._CHANGED})),"
                f" COUNT(*), (SELECT COUNT(*) {self._absent()})"
                f" FROM {self.lines} s LEFT JOIN register_entries r ON r.id = s.match_id"
            )
        added, updated, total, absent = next(iter(rows))
        return StagedCounts(added, updated, total - added - updated, absent)

    async def apply(self, *, prune: bool, now: datetime) -> None:
        """Write the checked file (after ``match``) into the register in one transaction
        (the caller's, when it has one)."""
        stamp = to_db_time(now)
        async with self.db.transaction() as conn:
            await conn.execute(
                f"UPDATE register_entries AS r SET unit_id = s.unit_id, name = s.name,"
                " phone = s.phone, email = s.email, external_id = s.external_id, active = 1,"
                f" updated_at = ? FROM {self.lines} s WHERE r.id = s.match_id"
                f" AND ({self._CHANGED})",
                (stamp,),
            )
            if prune:  # before the new entries exist, which the file names
                await conn.execute(
                    f"UPDATE register_entries SET active = 0, updated_at = ? WHERE id IN"
                    f" (SELECT id {self._absent()})",
                    (stamp,),
                )
            await conn.execute(
                "INSERT INTO register_entries (unit_id, name, phone, email, external_id,"
                " created_at, updated_at) SELECT unit_id, name, phone, email, external_id, ?, ?"
                f" FROM {self.lines} WHERE match_id IS NULL ORDER BY line",
                (stamp, stamp),
            )
