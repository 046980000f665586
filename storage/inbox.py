"""The update inbox (see migrations 0014, 0018): stored on arrival, marked once processed;
an update that cannot be read is set aside as poison, with the reason."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.db import Database, to_db_time


class InboxRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def store(
        self, updates: Sequence[dict[str, Any]], now: datetime, chats: Sequence[int] = ()
    ) -> set[int]:
        """Keep each update (with its chat key, one per update, when ``chats`` are given:
        several instances, see storage/coordination.py); returns the ids that were new.

        One statement, on the loop's own connection when nothing else is writing: every
        update passes here before it is handled, and a transaction of its own (four hops
        to the writer's thread, under its one lock) was a queue in front of every press
        when a thousand came in a second."""
        if not updates:
            return set()
        stamp = to_db_time(now)
        rows: list[object] = [
            value
            for u in updates
            for value in (int(u["update_id"]), json.dumps(u, ensure_ascii=False), stamp)
        ]
        marks = ",".join(["(?, ?, ?)"] * len(updates))
        columns = "update_id, payload, received_at"
        if chats:
            rows = [v for i, chat in enumerate(chats) for v in (*rows[3 * i : 3 * i + 3], chat)]
            marks = ",".join(["(?, ?, ?, ?)"] * len(updates))
            columns += ", chat_key"
        stored = await self.db.write_returning(
            f"INSERT INTO inbox ({columns}) VALUES {marks}"
            " ON CONFLICT DO NOTHING RETURNING update_id",
            rows,
        )
        return {int(r[0]) for r in stored}

    async def set_aside(self, update: dict[str, Any], reason: str, now: datetime) -> bool:
        """Keep ``update`` as poison with ``reason``, whether it is new or was stored
        unread by an earlier run. Returns False if it was set aside before (Telegram sent
        it again), so the caller reports it once."""
        stamp = to_db_time(now)
        changed = await self.db.write(
            "INSERT INTO inbox (update_id, payload, received_at, processed_at, poison)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (update_id) DO UPDATE"
            " SET processed_at = excluded.processed_at, poison = excluded.poison"
            " WHERE inbox.processed_at IS NULL",
            (int(update["update_id"]), json.dumps(update, ensure_ascii=False), stamp, stamp,
             reason),
        )  # fmt: skip
        return changed > 0

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
        """(unprocessed, set aside as poison) — for the health endpoint."""
        row = await self.db.fetchone(
            "SELECT COUNT(*) - COUNT(processed_at), COUNT(poison) FROM inbox"
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)
