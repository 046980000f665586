"""The escalation ladder's record (migration 0029): each directive's next rung, and each
step done or skipped, with when it was due and what it did."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, from_db_time, to_db_time
from storage.directives import Directive, directive_of
from storage.store import Connection

# ``directives.ladder_next`` once every rung is recorded: no rung's query looks at it again.
CHASE_OVER = 999


@dataclass(frozen=True, slots=True)
class StepRecord:
    """A rung of one directive's chase, recorded once."""

    rung: int
    step: str
    due_at: datetime
    done_at: datetime
    skipped: bool
    count: int


class LadderRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def due(
        self, rung: int, column: str, before: datetime, urgent_before: datetime
    ) -> list[Directive]:
        """Directives with a deadline, sending or sent, not past ``rung`` yet, whose
        ``column`` (``send_at`` or ``ack_deadline``) is at or before ``before`` (an urgent,
        paid one's: ``urgent_before``, the later). One query, a range of the index of
        open chases on ``column``: it reads the directives due, not all those chased."""
        assert column in ("send_at", "ack_deadline")
        below = ",".join(str(n) for n in range(rung + 1))
        rows = await self.db.fetchall(
            "SELECT * FROM directives WHERE ack_required = 1"
            f" AND ladder_next IN ({below}) AND {column} <= ?"
            " AND status IN ('sending', 'sent')"
            f" AND (paid = 1 OR {column} <= ?)",
            (to_db_time(max(before, urgent_before)), to_db_time(before)),
        )
        return [directive_of(r) for r in rows]

    async def claim(
        self,
        conn: Connection,
        directive_id: int,
        rung: int,
        after: int,
        steps: Sequence[tuple[int, str, datetime, bool]],
        now: datetime,
    ) -> bool:
        """In the caller's transaction: move the directive past ``rung`` (its next rung:
        ``after``) and record ``steps`` (rung, step, due, skipped; those recorded before
        stay as they were), unless another tick did first (False)."""
        cursor = await conn.execute(
            "UPDATE directives SET ladder_next = ? WHERE id = ? AND ladder_next <= ?",
            (after, directive_id, rung),
        )
        if cursor.rowcount != 1:
            return False
        stamp = to_db_time(now)
        await conn.executemany(
            "INSERT INTO directive_steps (directive_id, rung, step, due_at, done_at, skipped)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                (directive_id, rung, step, to_db_time(due), stamp, int(skipped))
                for rung, step, due, skipped in steps
            ],
        )
        return True

    @staticmethod
    async def counted(conn: Connection, directive_id: int, rung: int, count: int) -> None:
        """What a step did (messages queued), in the transaction that recorded it."""
        await conn.execute(
            "UPDATE directive_steps SET count = ? WHERE directive_id = ? AND rung = ?",
            (count, directive_id, rung),
        )

    async def steps(self, directive_id: int) -> list[StepRecord]:
        rows = await self.db.fetchall(
            "SELECT rung, step, due_at, done_at, skipped, count FROM directive_steps"
            " WHERE directive_id = ? ORDER BY rung",
            (directive_id,),
        )
        return [
            StepRecord(
                r["rung"],
                r["step"],
                from_db_time(r["due_at"]),
                from_db_time(r["done_at"]),
                bool(r["skipped"]),
                r["count"],
            )
            for r in rows
        ]
