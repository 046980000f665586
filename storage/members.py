"""Members and the roles they hold on units."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice

from storage.db import Database, from_db_time, to_db_time
from storage.models import ListedMember, Member, Role, RoleGrant
from storage.returning import new_id
from storage.store import Connection, Row
from storage.units import subtree_bounds

_BULK = 5_000  # rows per statement in add_many


def _batched(rows: Iterable[tuple[object, ...]], size: int) -> Iterator[list[tuple[object, ...]]]:
    """Lists of up to ``size`` rows, without holding all of them."""
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


_COLUMNS = (
    "id, telegram_id, display_name, username, language, unit_id, active, joined_at,"
    " unreachable_since"
)

# The same, qualified, for queries that join members (as m) to other tables.
_M_COLUMNS = ", ".join(f"m.{c.strip()}" for c in _COLUMNS.split(","))


def _member(row: Row) -> Member:
    return Member(
        id=row["id"],
        telegram_id=row["telegram_id"],
        display_name=row["display_name"],
        username=row["username"],
        language=row["language"],
        unit_id=row["unit_id"],
        active=bool(row["active"]),
        joined_at=from_db_time(row["joined_at"]),
        unreachable_since=(
            from_db_time(row["unreachable_since"]) if row["unreachable_since"] else None
        ),
    )


class MemberRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, member_id: int) -> Member | None:
        row = await self.db.fetchone_inline(
            f"SELECT {_COLUMNS} FROM members WHERE id = ?", (member_id,)
        )
        return _member(row) if row else None

    async def by_telegram_id(self, telegram_id: int) -> Member | None:
        row = await self.db.fetchone_inline(
            f"SELECT {_COLUMNS} FROM members WHERE telegram_id = ?", (telegram_id,)
        )
        return _member(row) if row else None

    async def by_username(self, username: str) -> list[Member]:
        """Usernames can be given up and taken by someone else: there may be several."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM members WHERE {self.db.dialect.equals_nocase('username')}",
            (username.lstrip("@"),),
        )
        return [_member(row) for row in rows]

    async def add(
        self,
        conn: Connection,
        *,
        telegram_id: int | None,
        display_name: str,
        username: str | None,
        language: str,
        unit_id: int,
        now: datetime,
    ) -> int:
        """Insert inside the caller's transaction; return the new id."""
        stamp = to_db_time(now)
        return await new_id(
            conn,
            "INSERT INTO members (telegram_id, display_name, username, language, unit_id,"
            " joined_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (telegram_id, display_name, username, language, unit_id, stamp, stamp),
        )

    async def add_many(
        self, rows: Iterable[tuple[int | None, str, str | None, str, int]], now: datetime
    ) -> None:
        """Bulk insert (telegram_id, display_name, username, language, unit_id) rows.

        A statement per few thousand rows, not per row: members have triggers (migration
        0012), and SQLite journals each statement that fires one, which row by row made a
        100,000-member import three times slower."""
        stamp = to_db_time(now)
        # One parameter, the chunk as JSON: (?, ?, …) per row would pass SQLite's limit.
        source, items = self.db.dialect.json_rows("?", ("BIGINT", "TEXT", "TEXT", "TEXT", "BIGINT"))
        async with self.db.transaction() as conn:
            for chunk in _batched(rows, _BULK):
                await conn.execute(
                    "INSERT INTO members (telegram_id, display_name, username, language,"
                    f" unit_id, joined_at, updated_at) SELECT {', '.join(items)}, ?, ?"
                    f" FROM {source}",
                    (stamp, stamp, json.dumps(chunk)),
                )

    async def update_profile(
        self,
        conn: Connection,
        member_id: int,
        *,
        display_name: str,
        username: str | None,
        now: datetime,
    ) -> None:
        await conn.execute(
            "UPDATE members SET display_name = ?, username = ?, updated_at = ? WHERE id = ?",
            (display_name, username, to_db_time(now), member_id),
        )

    async def set_language(self, member_id: int, language: str, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE members SET language = ?, updated_at = ? WHERE id = ?",
                (language, to_db_time(now), member_id),
            )

    async def clear_unreachable(self, member_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE members SET unreachable_since = NULL WHERE id = ?", (member_id,)
            )

    async def set_unit(self, member_id: int, unit_id: int, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE members SET unit_id = ?, updated_at = ? WHERE id = ?",
                (unit_id, to_db_time(now), member_id),
            )

    async def set_active(
        self, conn: Connection, member_id: int, active: bool, now: datetime
    ) -> None:
        await conn.execute(
            "UPDATE members SET active = ?, updated_at = ? WHERE id = ?",
            (int(active), to_db_time(now), member_id),
        )

    async def mark_menu_stale(self, member_id: int, now: datetime) -> None:
        """The member's roles changed: their command menu must be set again (by the bot,
        which may run in another process). Joins the caller's transaction."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO menu_refresh (member_id, since) VALUES (?, ?)"
                " ON CONFLICT (member_id) DO NOTHING",
                (member_id, to_db_time(now)),
            )

    async def stale_menus(self, limit: int = 100) -> list[tuple[int, int | None]]:
        """(member id, Telegram id) of members whose menu is to be set again, oldest first."""
        rows = await self.db.fetchall(
            "SELECT r.member_id, m.telegram_id FROM menu_refresh r"
            " JOIN members m ON m.id = r.member_id ORDER BY r.since LIMIT ?",
            (limit,),
        )
        return [(r["member_id"], r["telegram_id"]) for r in rows]

    async def menu_refreshed(self, member_id: int) -> None:
        await self.db.write("DELETE FROM menu_refresh WHERE member_id = ?", (member_id,))

    async def in_units(self, unit_ids: Sequence[int], *, active_only: bool = True) -> list[Member]:
        if not unit_ids:
            return []
        marks = ",".join("?" * len(unit_ids))
        extra = " AND active = 1" if active_only else ""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM members WHERE unit_id IN ({marks}){extra}"
            " ORDER BY display_name",
            unit_ids,
        )
        return [_member(r) for r in rows]

    async def count_by_unit(self, under: str | None = None) -> dict[int, int]:
        """Active members per unit (the unit's own, not its subtree); all units, or those
        whose path lies ``under`` the given one."""
        if under is None:
            rows = await self.db.fetchall(
                "SELECT unit_id, COUNT(*) AS n FROM members WHERE active = 1 GROUP BY unit_id"
            )
        else:
            rows = await self.db.fetchall(
                "SELECT m.unit_id, COUNT(*) AS n FROM members m JOIN units u ON u.id = m.unit_id"
                " WHERE m.active = 1 AND u.path >= ? AND u.path < ? GROUP BY m.unit_id",
                subtree_bounds(under),
            )
        return {row["unit_id"]: row["n"] for row in rows}

    async def count_in_subtree(self, path: str) -> int:
        low, high = subtree_bounds(path)
        row = await self.db.fetchone(
            "SELECT COUNT(*) AS n FROM members m JOIN units u ON u.id = m.unit_id"
            " WHERE m.active = 1 AND u.path >= ? AND u.path < ?",
            (low, high),
        )
        return int(row["n"]) if row else 0

    async def listing(self, under: str | None = None) -> list[ListedMember]:
        """Active members with their unit's code and their roles, by unit code, then name: the
        whole organisation, or the subtree of the unit whose path is ``under``."""
        where = ""
        params: tuple[str, ...] = ()
        if under is not None:
            where, params = " AND u.path >= ? AND u.path < ?", subtree_bounds(under)
        # Codes are letters, digits and _.- only, so ':' and ',' separate them safely.
        joined = self.db.dialect.string_agg("r.role || ':' || ru.code", "','")
        rows = await self.db.fetchall(
            f"SELECT {_M_COLUMNS}, u.code AS unit_code, (SELECT {joined} FROM roles r"
            "  JOIN units ru ON ru.id = r.unit_id WHERE r.member_id = m.id) AS roles"
            " FROM members m JOIN units u ON u.id = m.unit_id"
            f" WHERE m.active = 1{where} ORDER BY u.code, m.display_name, m.id",
            params,
        )
        listed = []
        for row in rows:
            pairs = (item.split(":", 1) for item in (row["roles"] or "").split(",") if item)
            roles = tuple(sorted((Role(role), code) for role, code in pairs))
            listed.append(ListedMember(_member(row), row["unit_code"], roles))
        return listed

    # Roles -----------------------------------------------------------------

    async def roles_of(self, member_id: int) -> list[RoleGrant]:
        rows = await self.db.fetchall(
            "SELECT member_id, unit_id, role FROM roles WHERE member_id = ? ORDER BY role, unit_id",
            (member_id,),
        )
        return [RoleGrant(r["member_id"], r["unit_id"], Role(r["role"])) for r in rows]

    async def grant(
        self, conn: Connection, member_id: int, unit_id: int, role: Role, now: datetime
    ) -> bool:
        """Inside the caller's transaction; False when the member already had the role."""
        cursor = await conn.execute(
            "INSERT INTO roles (member_id, unit_id, role, granted_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (member_id, unit_id, role.value, to_db_time(now)),
        )
        return cursor.rowcount == 1

    async def revoke(self, conn: Connection, member_id: int, unit_id: int, role: Role) -> bool:
        cursor = await conn.execute(
            "DELETE FROM roles WHERE member_id = ? AND unit_id = ? AND role = ?",
            (member_id, unit_id, role.value),
        )
        return cursor.rowcount == 1

    async def holders(self, unit_ids: Sequence[int], role: Role) -> list[tuple[int, Member]]:
        """(unit id, member) for active members holding ``role`` on any of ``unit_ids``."""
        if not unit_ids:
            return []
        marks = ",".join("?" * len(unit_ids))
        rows = await self.db.fetchall(
            f"SELECT r.unit_id AS role_unit, {_M_COLUMNS} FROM roles r"
            " JOIN members m ON m.id = r.member_id"
            f" WHERE r.role = ? AND m.active = 1 AND r.unit_id IN ({marks})"
            " ORDER BY m.display_name",
            (role.value, *unit_ids),
        )
        return [(row["role_unit"], _member(row)) for row in rows]
