"""Several instances on one PostgreSQL (issue #20): each instance's lease (``instances``)
and the bot's overall send budget they share (``send_pace``). SQLite's one process never
writes either."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, to_db_time

# The one budget there is: Telegram's overall limit is the bot's.
_BUDGET = "telegram"


@dataclass(frozen=True, slots=True)
class Instance:
    """Who is running: ``id`` is what it stamps its claims with."""

    id: str
    host: str
    pid: int
    role: str = "worker"


class ClusterRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def register(self, me: Instance, now: datetime, expires_at: datetime) -> None:
        """Start (or restart, under the same id) this instance's lease."""
        stamp = to_db_time(now)
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO instances (id, host, pid, role, started_at, renewed_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET host = excluded.host,"
                " pid = excluded.pid, role = excluded.role, started_at = excluded.started_at,"
                " renewed_at = excluded.renewed_at, expires_at = excluded.expires_at",
                (me.id, me.host, me.pid, me.role, stamp, stamp, to_db_time(expires_at)),
            )

    async def renew(self, instance_id: str, now: datetime, expires_at: datetime) -> bool:
        """Move the lease on; False when it was gone (it ran out and was swept: this
        instance's claims may have been taken back meanwhile)."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE instances SET renewed_at = ?, expires_at = ? WHERE id = ?"
                " AND expires_at > ?",
                (to_db_time(now), to_db_time(expires_at), instance_id, to_db_time(now)),
            )
        return cursor.rowcount > 0

    async def remove(self, instance_id: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM instances WHERE id = ?", (instance_id,))

    async def sweep(self, now: datetime) -> int:
        """Forget the instances whose lease ran out (after their rows were taken back)."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM instances WHERE expires_at <= ?", (to_db_time(now),)
            )
        return cursor.rowcount

    async def live(self, now: datetime) -> list[Instance]:
        rows = await self.db.fetchall(
            "SELECT id, host, pid, role FROM instances WHERE expires_at > ? ORDER BY id",
            (to_db_time(now),),
        )
        return [Instance(r["id"], r["host"], int(r["pid"]), r["role"]) for r in rows]

    async def take_send(self, now: float, spacing: float) -> float:
        """Reserve the bot's next send (times in seconds since the epoch): how long from
        ``now`` until it may go (0: at once). Reservations are ``spacing`` apart whichever
        instance makes them, so no sliding second has more than ``1 / spacing`` of them;
        the caller sends at its time, so a late wake-up delays that send but not the
        schedule after it."""
        rows = await self.db.write_returning(
            f"UPDATE send_pace SET next_at = {self.db.dialect.greatest('next_at', '?2')} + ?3"
            " WHERE name = ?1 RETURNING next_at - ?3 AS at",
            (_BUDGET, now, spacing),
        )
        if not rows:  # the first send ever: the row starts the budget
            async with self.db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO send_pace (name, next_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (_BUDGET, now),
                )
            return await self.take_send(now, spacing)
        return max(0.0, float(rows[0]["at"]) - now)
