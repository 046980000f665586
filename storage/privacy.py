"""Forgetting: the details of old days (data retention) and everything about one person
who asks for it. Counts survive both, so summaries of those days still add up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from storage.db import Database, to_db_time


@dataclass(frozen=True, slots=True)
class Erased:
    """Rows whose details were blanked, per kind."""

    checkins: int = 0
    shifts: int = 0
    incidents: int = 0


class PrivacyRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def done_until(self) -> date | None:
        row = await self.db.fetchone(
            "SELECT done_until FROM retention_state WHERE name = 'details'"
        )
        return date.fromisoformat(row["done_until"]) if row else None

    async def erase_before(self, first_kept: date, since: date | None) -> Erased:
        """Blank check-in answers, shift reports, start locations and decline reasons, and
        incident texts, photos and locations of the local days before ``first_kept`` (and
        from ``since``, where the last pass stopped); the rows and their flags stay."""
        low, high = (since or date.min).isoformat(), first_kept.isoformat()
        async with self.db.transaction() as conn:
            checkins = await conn.execute(
                "UPDATE checkins SET answers = '{}' WHERE day >= ? AND day < ? AND answers != '{}'",
                (low, high),
            )
            shifts = await conn.execute(
                "UPDATE shifts SET report = NULL, start_lat = NULL, start_lon = NULL,"
                " decline_reason = NULL WHERE day >= ? AND day < ? AND (report IS NOT NULL"
                " OR start_lat IS NOT NULL OR decline_reason IS NOT NULL)",
                (low, high),
            )
            incidents = await conn.execute(
                "UPDATE incidents SET text = NULL, photo_file_id = NULL, lat = NULL, lon = NULL"
                " WHERE day >= ? AND day < ? AND (text IS NOT NULL OR photo_file_id IS NOT NULL"
                " OR lat IS NOT NULL)",
                (low, high),
            )
            await conn.execute(
                "INSERT INTO retention_state (name, done_until) VALUES ('details', ?)"
                " ON CONFLICT (name) DO UPDATE SET done_until = excluded.done_until",
                (high,),
            )
        return Erased(checkins.rowcount, shifts.rowcount, incidents.rowcount)

    async def erase_member(self, member_id: int, placeholder: str, now: datetime) -> None:
        """Everything that says who the person was, or what they said, goes; what they
        counted for (a check-in that day, a shift, an acknowledgement) stays, nameless.
        Inside the caller's transaction."""
        stamp = to_db_time(now)
        async with self.db.transaction() as conn:
            row = await (
                await conn.execute("SELECT telegram_id FROM members WHERE id = ?", (member_id,))
            ).fetchone()
            telegram_id = row[0] if row else None
            await conn.execute(
                "UPDATE members SET telegram_id = NULL, display_name = ?, username = NULL,"
                " active = 0, unreachable_since = NULL, updated_at = ? WHERE id = ?",
                (placeholder, stamp, member_id),
            )
            await conn.execute("DELETE FROM roles WHERE member_id = ?", (member_id,))
            await conn.execute(
                "UPDATE checkins SET answers = '{}' WHERE member_id = ?", (member_id,)
            )
            await conn.execute(
                "UPDATE shifts SET report = NULL, start_lat = NULL, start_lon = NULL,"
                " decline_reason = NULL WHERE member_id = ? OR declined_member_id = ?",
                (member_id, member_id),
            )
            await conn.execute(
                "UPDATE incidents SET text = NULL, photo_file_id = NULL, lat = NULL, lon = NULL"
                " WHERE member_id = ?",
                (member_id,),
            )
            # Messages not sent yet would reach a person who asked to be forgotten; those
            # sent keep their delivery record, not their text.
            await conn.execute(
                "UPDATE outbox SET status = 'cancelled', error = 'member erased'"
                " WHERE member_id = ? AND status IN ('pending', 'sending')",
                (member_id,),
            )
            await conn.execute("UPDATE outbox SET payload = '{}' WHERE member_id = ?", (member_id,))
            if telegram_id is not None:
                await conn.execute(
                    "UPDATE join_requests SET display_name = ?, username = NULL, telegram_id = 0"
                    " WHERE telegram_id = ?",
                    (placeholder, telegram_id),
                )
                await conn.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (telegram_id,))
                await conn.execute("DELETE FROM ptb_chat_data WHERE chat_id = ?", (telegram_id,))
                await conn.execute(
                    "DELETE FROM ptb_conversations WHERE key LIKE ?", (f"[{telegram_id},%",)
                )
