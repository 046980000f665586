"""The audit log: every privileged action and every refusal of one."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database, from_db_time, to_db_time
from storage.models import AuditEntry


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        *,
        at: datetime,
        actor_telegram_id: int | None,
        action: str,
        outcome: str,
        unit_id: int | None,
        detail: str = "",
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO audit_log (at, actor_telegram_id, action, outcome, unit_id, detail)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (to_db_time(at), actor_telegram_id, action, outcome, unit_id, detail),
            )

    async def recent(self, limit: int = 100, since: datetime | None = None) -> list[AuditEntry]:
        """Newest last, at most ``limit`` entries."""
        rows = await self.db.fetchall(
            "SELECT * FROM (SELECT id, at, actor_telegram_id, action, outcome, unit_id, detail"
            " FROM audit_log WHERE at >= ? ORDER BY id DESC LIMIT ?) ORDER BY id",
            (to_db_time(since) if since else "", limit),
        )
        return [
            AuditEntry(
                id=r["id"],
                at=from_db_time(r["at"]),
                actor_telegram_id=r["actor_telegram_id"],
                action=r["action"],
                outcome=r["outcome"],
                unit_id=r["unit_id"],
                detail=r["detail"],
            )
            for r in rows
        ]
