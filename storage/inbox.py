"""The update inbox (see migration 0014): stored on arrival, marked once processed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.db import Database, to_db_time


class InboxRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def store(self, updates: Sequence[dict[str, Any]], now: datetime) -> set[int]:
        """Keep each update (one transaction); returns the ids that were new."""
        if not updates:
            return set()
        ids = [int(u["update_id"]) for u in updates]
        marks = ",".join("?" * len(ids))
        async with self.db.transaction() as conn:
            known = {
                r[0]
                for r in await conn.execute_fetchall(
                    f"SELECT update_id FROM inbox WHERE update_id IN ({marks})", ids
                )
            }
            stamp = to_db_time(now)
            await conn.executemany(
                "INSERT OR IGNORE INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
                [
                    (int(u["update_id"]), json.dumps(u, ensure_ascii=False), stamp)
                    for u in updates
                    if int(u["update_id"]) not in known
                ],
            )
        return set(ids) - known

    async def unprocessed(self, limit: int = 10_000) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT payload FROM inbox WHERE processed_at IS NULL ORDER BY update_id LIMIT ?",
            (limit,),
        )
        return [json.loads(r[0]) for r in rows]

    async def mark_processed(self, ids: Sequence[int], now: datetime) -> None:
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        await self.db.write(
            f"UPDATE inbox SET processed_at = ? WHERE update_id IN ({marks})",
            (to_db_time(now), *ids),
        )

    async def prune(self, before: datetime) -> int:
        """Forget processed updates older than ``before`` (they are only kept to spot a
        duplicate Telegram may send)."""
        return await self.db.write(
            "DELETE FROM inbox WHERE processed_at IS NOT NULL AND processed_at < ?",
            (to_db_time(before),),
        )

    async def counts(self) -> tuple[int, int]:
        """(unprocessed, all) — for the health endpoint."""
        row = await self.db.fetchone("SELECT COUNT(*) - COUNT(processed_at), COUNT(*) FROM inbox")
        return (int(row[0]), int(row[1])) if row else (0, 0)
