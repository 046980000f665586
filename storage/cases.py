"""Flag cases: one per flagged answer of a check-in, open until someone handles it, and
passed up the tree (escalated) by hand or when it waited too long."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from storage.db import Database, from_db_time, to_db_time
from storage.store import Connection, Row
from storage.units import subtree_bounds


class CaseState(StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    HANDLED = "handled"
    WITHDRAWN = "withdrawn"  # the member changed the answer: nothing to follow up


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    checkin_id: int
    question: str
    member_id: int
    unit_id: int
    day: date
    opened_at: datetime
    state: CaseState
    level: int
    rung_unit_id: int | None
    rung_role: str | None
    moved_at: datetime
    escalated_by: int | None
    top: bool
    handled_by: int | None
    handled_at: datetime | None
    note: str | None


def _case(row: Row) -> Case:
    return Case(
        id=row["id"],
        checkin_id=row["checkin_id"],
        question=row["question"],
        member_id=row["member_id"],
        unit_id=row["unit_id"],
        day=date.fromisoformat(row["day"]),
        opened_at=from_db_time(row["opened_at"]),
        state=CaseState(row["state"]),
        level=row["level"],
        rung_unit_id=row["rung_unit_id"],
        rung_role=row["rung_role"],
        moved_at=from_db_time(row["moved_at"]),
        escalated_by=row["escalated_by"],
        top=bool(row["top"]),
        handled_by=row["handled_by"],
        handled_at=from_db_time(row["handled_at"]) if row["handled_at"] else None,
        note=row["note"],
    )


@dataclass(frozen=True, slots=True)
class Rung:
    """Whose a case is: the holders of ``role`` on the unit ``unit_id``."""

    unit_id: int
    role: str


class CaseRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def open(
        self,
        conn: Connection,
        *,
        checkin_id: int,
        questions: Sequence[str],
        member_id: int,
        unit_id: int,
        day: date,
        rung: Rung | None,
        now: datetime,
    ) -> list[int]:
        """A case for each flagged question that has none yet, or whose case was withdrawn
        (the member took the answer back, then gave it again): open from now, at ``rung``.
        An edited check-in keeps the cases it had. The ids of those opened (inside the
        caller's transaction)."""
        stamp, opened = to_db_time(now), []
        for question in questions:
            rows = await conn.execute_fetchall(
                "INSERT INTO flag_cases (checkin_id, question, member_id, unit_id, day,"
                " opened_at, rung_unit_id, rung_role, moved_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (checkin_id, question)"
                " DO UPDATE SET state = 'open', level = 0, top = 0, escalated_by = NULL,"
                " handled_at = NULL, opened_at = excluded.opened_at,"
                " moved_at = excluded.moved_at, rung_unit_id = excluded.rung_unit_id,"
                " rung_role = excluded.rung_role WHERE flag_cases.state = 'withdrawn'"
                " RETURNING id",
                (
                    checkin_id,
                    question,
                    member_id,
                    unit_id,
                    day.isoformat(),
                    stamp,
                    rung.unit_id if rung else None,
                    rung.role if rung else None,
                    stamp,
                ),
            )
            opened += [row[0] for row in rows]
        return opened

    async def withdraw(
        self, conn: Connection, checkin_id: int, kept: Sequence[str], now: datetime
    ) -> list[int]:
        """Close the open cases of the check-in's questions no longer flagged (not in
        ``kept``); their ids."""
        marks = ",".join("?" * len(kept))
        rows = await conn.execute_fetchall(
            "UPDATE flag_cases SET state = 'withdrawn', handled_at = ?"
            f" WHERE checkin_id = ? AND handled_at IS NULL AND question NOT IN ({marks})"
            " RETURNING id",
            (to_db_time(now), checkin_id, *kept),
        )
        return [row[0] for row in rows]

    async def get(self, case_id: int) -> Case | None:
        row = await self.db.fetchone("SELECT * FROM flag_cases WHERE id = ?", (case_id,))
        return _case(row) if row else None

    async def of_checkin(self, checkin_id: int) -> list[Case]:
        rows = await self.db.fetchall(
            "SELECT * FROM flag_cases WHERE checkin_id = ? ORDER BY id", (checkin_id,)
        )
        return [_case(r) for r in rows]

    async def handle(
        self,
        conn: Connection,
        case_id: int,
        by: int | None,
        note: str | None,
        now: datetime,
    ) -> bool:
        """Mark it handled unless someone already did: of two at once, one wins."""
        cursor = await conn.execute(
            "UPDATE flag_cases SET state = ?, handled_by = ?, handled_at = ?, note = ?"
            " WHERE id = ? AND handled_at IS NULL",
            (CaseState.HANDLED, by, to_db_time(now), note, case_id),
        )
        return cursor.rowcount == 1

    async def escalate(
        self,
        conn: Connection,
        case: Case,
        rung: Rung | None,
        by: int | None,
        now: datetime,
    ) -> bool:
        """Up one level to ``rung`` (None: there is none above; it stays where it is and
        climbs no more), unless it was handled or moved meanwhile."""
        if rung is None:
            cursor = await conn.execute(
                "UPDATE flag_cases SET top = 1 WHERE id = ? AND level = ? AND handled_at IS NULL",
                (case.id, case.level),
            )
            return False
        cursor = await conn.execute(
            "UPDATE flag_cases SET state = ?, level = level + 1, rung_unit_id = ?,"
            " rung_role = ?, moved_at = ?, escalated_by = ?"
            " WHERE id = ? AND level = ? AND handled_at IS NULL",
            (
                CaseState.ESCALATED,
                rung.unit_id,
                rung.role,
                to_db_time(now),
                by,
                case.id,
                case.level,
            ),
        )
        return cursor.rowcount == 1

    async def waiting(self, moved_before: datetime, limit: int = 500) -> list[Case]:
        """Open cases that have not moved since ``moved_before`` and may still climb."""
        rows = await self.db.fetchall(
            "SELECT * FROM flag_cases WHERE handled_at IS NULL AND top = 0 AND moved_at <= ?"
            " ORDER BY moved_at LIMIT ?",
            (to_db_time(moved_before), limit),
        )
        return [_case(r) for r in rows]

    async def open_under(self, roots: Sequence[str]) -> list[Case]:
        """Open cases of the subtrees at paths ``roots``, oldest first."""
        if not roots:
            return []
        ranges = " OR ".join("(u.path >= ? AND u.path < ?)" for _ in roots)
        bounds = [b for root in roots for b in subtree_bounds(root)]
        rows = await self.db.fetchall(
            "SELECT c.* FROM flag_cases c JOIN units u ON u.id = c.unit_id"
            f" WHERE c.handled_at IS NULL AND ({ranges}) ORDER BY c.opened_at, c.id",
            bounds,
        )
        return [_case(r) for r in rows]

    async def open_per_unit(
        self, root: str, at: datetime, older_than: datetime
    ) -> dict[str, tuple[int, int]]:
        """Per unit path of the subtree at ``root``: cases open at ``at`` (opened by then,
        not handled by then), and how many of those were opened before ``older_than``."""
        # Open now, or closed after ``at``: each part read from its own index.
        rows = await self.db.fetchall(
            "SELECT u.path, COUNT(*), COUNT(*) FILTER (WHERE c.opened_at < ?1) FROM flag_cases c"
            " JOIN units u ON u.id = c.unit_id WHERE c.id IN ("
            " SELECT id FROM flag_cases WHERE handled_at IS NULL"
            " UNION ALL SELECT id FROM flag_cases WHERE handled_at > ?4)"
            " AND u.path >= ?2 AND u.path < ?3 AND c.opened_at <= ?4 GROUP BY u.path",
            (to_db_time(older_than), *subtree_bounds(root), to_db_time(at)),
        )
        return {r[0]: (r[1], r[2] or 0) for r in rows}
