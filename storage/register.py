"""The member register: the people each unit expects, with their personal invites."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, to_db_time
from storage.members import _batched

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
