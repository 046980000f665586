"""What the coordinators' summaries read beyond the check-in, duty and directive
repositories, and the record of summaries already sent."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from storage.db import Database, from_db_time, to_db_time
from storage.units import line_of, subtree_bounds


@dataclass(frozen=True, slots=True)
class Flagged:
    """A check-in with an answer that flags a problem."""

    member_id: int
    display_name: str
    unit_id: int
    answers: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DirectiveDay:
    """One directive sent that day, counted within the committee's subtree."""

    directive_id: int
    text: str
    ack_required: bool
    recipients: int
    sent: int
    acked: int


@dataclass(frozen=True, slots=True)
class DirectiveReach:
    """Directives of a period summed over some recipients: how many were to get one, how
    many did, and of those asked to acknowledge (or answer), how many had."""

    recipients: int = 0
    sent: int = 0
    asked: int = 0
    acked: int = 0

    @classmethod
    def of(cls, days: Sequence[DirectiveDay]) -> DirectiveReach:
        """The sums of a summary's directives (``SummaryRepository.directives``)."""
        return cls(
            sum(d.recipients for d in days),
            sum(d.sent for d in days),
            sum(d.recipients for d in days if d.ack_required),
            sum(d.acked for d in days if d.ack_required),
        )


class SummaryRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def flagged(self, root: str, day: date) -> list[Flagged]:
        """Flagged check-ins of ``day`` by active members of the subtree at path ``root``."""
        rows = await self.db.fetchall(
            "SELECT m.id, m.display_name, m.unit_id, c.answers FROM checkins c"
            " JOIN members m ON m.id = c.member_id JOIN units u ON u.id = m.unit_id"
            " WHERE c.day = ? AND c.flagged = 1 AND m.active = 1"
            " AND u.path >= ? AND u.path < ? ORDER BY m.display_name",
            (day.isoformat(), *subtree_bounds(root)),
        )
        return [Flagged(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    async def directives(self, root: str, start: datetime, end: datetime) -> list[DirectiveDay]:
        """Directives sent in [start, end) with recipients in the subtree at path ``root``,
        counted over those recipients only, in one query: from the counts per directive and
        unit that migration 0012's triggers keep, not from every recipient and delivery."""
        rows = await self.db.fetchall(
            "SELECT d.id, d.text, d.ack_required, SUM(t.recipients), SUM(t.sent), SUM(t.acked)"
            " FROM directives d JOIN directive_counts t ON t.directive_id = d.id"
            " JOIN units u ON u.id = t.unit_id"
            # (The status list is "not cancelled", in a form the index can use.)
            " WHERE d.status IN ('scheduled', 'sending', 'sent')"
            " AND d.send_at >= ? AND d.send_at < ? AND u.path >= ? AND u.path < ?"
            " GROUP BY d.id HAVING SUM(t.recipients) > 0 ORDER BY d.send_at, d.id",
            (to_db_time(start), to_db_time(end), *subtree_bounds(root)),
        )
        return [DirectiveDay(r[0], r[1], bool(r[2]), r[3], r[4], r[5]) for r in rows]

    async def directives_per_line(
        self, root: str, start: datetime, end: datetime
    ) -> dict[str, DirectiveReach]:
        """``directives`` summed per unit one level below ``root`` (keyed by its path; the
        root's own recipients under ``root``), in one query, as ``CheckinRepository.
        rolled_up`` sums check-ins: a line's numbers are those of its own summary."""
        low, high = subtree_bounds(root)
        rows = await self.db.fetchall(
            f"SELECT {line_of(self.db.dialect, 'u.path', '?3', '?5')} AS line,"
            " SUM(t.recipients), SUM(t.sent),"
            " SUM(CASE WHEN d.ack_required = 1 THEN t.recipients ELSE 0 END),"
            " SUM(CASE WHEN d.ack_required = 1 THEN t.acked ELSE 0 END)"
            " FROM directives d JOIN directive_counts t ON t.directive_id = d.id"
            " JOIN units u ON u.id = t.unit_id"
            " WHERE d.status IN ('scheduled', 'sending', 'sent')"
            " AND d.send_at >= ?1 AND d.send_at < ?2 AND u.path >= ?3 AND u.path < ?4"
            " GROUP BY line",
            (to_db_time(start), to_db_time(end), low, high, len(root)),
        )
        return {r[0]: DirectiveReach(r[1], r[2], r[3], r[4]) for r in rows}

    async def committees(self) -> list[tuple[int, datetime]]:
        """Units with an active coordinator or a registered group chat, and since when:
        summaries that fell due before then were nobody's to send."""
        rows = await self.db.fetchall(
            "SELECT unit_id, MIN(since) FROM ("
            " SELECT r.unit_id AS unit_id, r.granted_at AS since FROM roles r"
            " JOIN members m ON m.id = r.member_id"
            " WHERE r.role = 'coordinator' AND m.active = 1"
            " UNION ALL SELECT unit_id, registered_at FROM summary_chats"
            ") GROUP BY unit_id ORDER BY unit_id"
        )
        return [(r[0], from_db_time(r[1])) for r in rows]

    async def done(self, unit_id: int, kind: str, period: date) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM summary_runs WHERE unit_id = ? AND kind = ? AND period = ?",
            (unit_id, kind, period.isoformat()),
        )
        return row is not None

    async def claim(
        self, unit_id: int, kind: str, period: date, due_at: datetime, now: datetime
    ) -> bool:
        """Record the run (inside the caller's transaction); False if it was already."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO summary_runs (unit_id, kind, period, due_at, done_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (unit_id, kind, period.isoformat(), to_db_time(due_at), to_db_time(now)),
            )
            return cursor.rowcount == 1

    async def chats(self, unit_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT chat_id FROM summary_chats WHERE unit_id = ? ORDER BY chat_id", (unit_id,)
        )
        return [r[0] for r in rows]

    async def register_chat(
        self, unit_id: int, chat_id: int, member_id: int | None, now: datetime
    ) -> bool:
        cursor_rows = await self.db.write(
            "INSERT INTO summary_chats (unit_id, chat_id, registered_by, registered_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (unit_id, chat_id, member_id, to_db_time(now)),
        )
        return cursor_rows == 1

    async def unregister_chat(self, unit_id: int, chat_id: int) -> bool:
        changed = await self.db.write(
            "DELETE FROM summary_chats WHERE unit_id = ? AND chat_id = ?", (unit_id, chat_id)
        )
        return changed == 1
