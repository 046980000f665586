"""Several instances on one PostgreSQL (issue #20): each instance's lease (``instances``)
and the bot's overall send budgets they share (``send_window``, migration 0039, and the
replies waiting for them, ``send_wants``, 0040). SQLite's one process never writes these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, to_db_time


@dataclass(frozen=True, slots=True)
class Instance:
    """Who is running: ``id`` is what it stamps its claims with."""

    id: str
    host: str
    pid: int
    role: str = "worker"


@dataclass(frozen=True, slots=True)
class Ticket:
    """A send taken from a shared window: its row, the time the row counts from while the
    send is in flight (``token``: whoever set it holds the row) and before it was taken."""

    budget: str
    slot: int
    token: float
    before: float


# A send other than a reply takes no row while a reply waits for the window (want()).
_YIELD_TO_REPLIES = (
    " AND NOT EXISTS (SELECT 1 FROM send_wants AS want WHERE want.budget = ? AND want.until > ?)"
)


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

    async def open_window(self, budget: str, size: int) -> None:
        """Make sure ``budget``'s window has its ``size`` rows (each free at once)."""
        async with self.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO send_window (budget, slot, counts_from) VALUES (?, ?, 0)"
                " ON CONFLICT DO NOTHING",
                [(budget, n) for n in range(size)],
            )

    async def take_slot(
        self,
        budget: str,
        size: int,
        now: float,
        window: float,
        hold: float,
        *,
        reply: bool = False,
    ) -> Ticket | float:
        """Take a send from ``budget``'s window of ``size`` sends a ``window`` (times in
        seconds since the epoch): the ticket of the row whose send left the window, now
        counting from ``now + hold`` (in flight: until answered, it blocks its row); or,
        when every row's send is still within the window, the seconds until the first
        leaves it. PostgreSQL's statement: instances that take at once get different rows
        (``SKIP LOCKED``), so none is taken twice. A send that is not a ``reply`` takes
        nothing while a reply waits for this window (:meth:`want`): it is told to wait
        until that reply has its row or stops waiting."""
        yields = "" if reply else _YIELD_TO_REPLIES
        rows = await self.db.write_returning(
            "WITH free AS (SELECT slot, counts_from FROM send_window"
            " WHERE budget = ? AND slot < ? AND counts_from <= ?" + yields +
            " ORDER BY counts_from LIMIT 1 FOR UPDATE SKIP LOCKED)"
            " UPDATE send_window AS w SET counts_from = ? FROM free"
            " WHERE w.budget = ? AND w.slot = free.slot"
            " RETURNING w.slot, free.counts_from AS before",
            (budget, size, now - window, *(() if reply else (budget, now)), now + hold, budget),
        )  # fmt: skip
        if rows:
            row = rows[0]
            return Ticket(budget, int(row["slot"]), now + hold, float(row["before"]))
        oldest = await self.db.fetchone(
            "SELECT MIN(counts_from) AS t, COUNT(*) AS n,"
            " (SELECT MAX(until) FROM send_wants WHERE budget = ?) AS wanted"
            " FROM send_window WHERE budget = ? AND slot < ?",
            (budget, budget, size),
        )
        if oldest is None or int(oldest["n"]) < size:  # the first send with this size
            await self.open_window(budget, size)
            return await self.take_slot(budget, size, now, window, hold, reply=reply)
        wait = float(oldest["t"]) + window - now
        if not reply and oldest["wanted"] is not None:
            wait = max(wait, float(oldest["wanted"]) - now)
        # Never 0: a row locked by another taker is free yet skipped.
        return max(wait, 0.001)

    async def want(self, budget: str, until: float) -> None:
        """A reply waits for ``budget``'s window until ``until`` at least (it says so again
        while it waits): the other senders leave the next free row to it."""
        await self.db.write(
            "INSERT INTO send_wants (budget, until) VALUES (?, ?)"
            " ON CONFLICT (budget) DO UPDATE SET until = excluded.until",
            (budget, until),
        )

    async def unwant(self, budget: str, until: float) -> None:
        """The reply that said it waits until ``until`` has its row: the others go on
        (unless another reply said so since)."""
        await self.db.write(
            "DELETE FROM send_wants WHERE budget = ? AND until = ?", (budget, until)
        )

    async def settle_slot(self, ticket: Ticket, counts_from: float) -> bool:
        """Set the time ``ticket``'s send counts from (its answer's, or, to give it back
        unused, its row's before), unless the row was taken again meanwhile (its hold ran
        out); whether it was still the ticket's."""
        changed = await self.db.write(
            "UPDATE send_window SET counts_from = ? WHERE budget = ? AND slot = ?"
            " AND counts_from = ?",
            (counts_from, ticket.budget, ticket.slot, ticket.token),
        )
        return changed > 0
