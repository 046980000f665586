"""Invites (stored by token hash only) and the join requests waiting for approval."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.db import Database, from_db_time, to_db_time
from storage.models import Invite, JoinRequest, Role
from storage.returning import new_id
from storage.store import Connection, Row

_INVITE = (
    "id, token_hash, unit_id, role, max_uses, uses, expires_at, requires_approval,"
    " created_by, created_at, revoked_at"
)
_REQUEST = "id, invite_id, telegram_id, display_name, username, language, status, created_at"


def _invite(row: Row) -> Invite:
    return Invite(
        id=row["id"],
        token_hash=row["token_hash"],
        unit_id=row["unit_id"],
        role=Role(row["role"]),
        max_uses=row["max_uses"],
        uses=row["uses"],
        expires_at=from_db_time(row["expires_at"]),
        requires_approval=bool(row["requires_approval"]),
        created_by=row["created_by"],
        created_at=from_db_time(row["created_at"]),
        revoked_at=from_db_time(row["revoked_at"]) if row["revoked_at"] else None,
    )


def _request(row: Row) -> JoinRequest:
    return JoinRequest(
        id=row["id"],
        invite_id=row["invite_id"],
        telegram_id=row["telegram_id"],
        display_name=row["display_name"],
        username=row["username"],
        language=row["language"],
        status=row["status"],
        created_at=from_db_time(row["created_at"]),
    )


class InviteRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self,
        *,
        token_hash: str,
        unit_id: int,
        role: Role,
        max_uses: int | None,
        expires_at: datetime,
        requires_approval: bool,
        created_by: int | None,
        now: datetime,
    ) -> Invite:
        async with self.db.transaction() as conn:
            invite_id = await new_id(
                conn,
                "INSERT INTO invites (token_hash, unit_id, role, max_uses, expires_at,"
                " requires_approval, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " RETURNING id",
                (
                    token_hash,
                    unit_id,
                    role.value,
                    max_uses,
                    to_db_time(expires_at),
                    int(requires_approval),
                    created_by,
                    to_db_time(now),
                ),
            )
        invite = await self.get(invite_id)
        assert invite is not None
        return invite

    async def get(self, invite_id: int) -> Invite | None:
        row = await self.db.fetchone_inline(
            f"SELECT {_INVITE} FROM invites WHERE id = ?", (invite_id,)
        )
        return _invite(row) if row else None

    async def by_hash(self, token_hash: str) -> Invite | None:
        row = await self.db.fetchone_inline(
            f"SELECT {_INVITE} FROM invites WHERE token_hash = ?", (token_hash,)
        )
        return _invite(row) if row else None

    async def take_use(self, conn: Connection, invite_id: int, now: datetime) -> bool:
        """Count one use if the invite is still good; atomic, so two racing joins
        cannot both take the last use."""
        cursor = await conn.execute(
            "UPDATE invites SET uses = uses + 1 WHERE id = ? AND revoked_at IS NULL"
            " AND expires_at > ? AND (max_uses IS NULL OR uses < max_uses)",
            (invite_id, to_db_time(now)),
        )
        return cursor.rowcount == 1

    async def revoke(self, invite_id: int, now: datetime) -> bool:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (to_db_time(now), invite_id),
            )
        return cursor.rowcount == 1

    async def active_in_units(self, unit_ids: Sequence[int], now: datetime) -> list[Invite]:
        """Invites still usable, newest first."""
        if not unit_ids:
            return []
        marks = ",".join("?" * len(unit_ids))
        rows = await self.db.fetchall(
            f"SELECT {_INVITE} FROM invites WHERE unit_id IN ({marks}) AND revoked_at IS NULL"
            " AND expires_at > ? AND (max_uses IS NULL OR uses < max_uses)"
            " ORDER BY created_at DESC, id DESC",
            (*unit_ids, to_db_time(now)),
        )
        return [_invite(r) for r in rows]

    async def all(self) -> list[Invite]:
        rows = await self.db.fetchall(f"SELECT {_INVITE} FROM invites ORDER BY id")
        return [_invite(r) for r in rows]

    # Join requests ---------------------------------------------------------

    async def add_request(
        self,
        conn: Connection,
        *,
        invite_id: int,
        telegram_id: int,
        display_name: str,
        username: str | None,
        language: str,
        now: datetime,
    ) -> int:
        return await new_id(
            conn,
            "INSERT INTO join_requests (invite_id, telegram_id, display_name, username,"
            " language, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (invite_id, telegram_id, display_name, username, language, to_db_time(now)),
        )

    async def pending_request(self, telegram_id: int, invite_id: int) -> JoinRequest | None:
        row = await self.db.fetchone(
            f"SELECT {_REQUEST} FROM join_requests WHERE telegram_id = ? AND invite_id = ?"
            " AND status = 'pending'",
            (telegram_id, invite_id),
        )
        return _request(row) if row else None

    async def get_request(self, request_id: int) -> JoinRequest | None:
        row = await self.db.fetchone_inline(
            f"SELECT {_REQUEST} FROM join_requests WHERE id = ?", (request_id,)
        )
        return _request(row) if row else None

    async def add_request_message(
        self, request_id: int, chat_id: int, message_id: int, language: str
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO join_request_messages (request_id, chat_id, message_id, language)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (request_id, chat_id, message_id, language),
            )

    async def request_messages(self, request_id: int) -> list[tuple[int, int, str]]:
        """(chat id, message id, language) of every approval request sent for it."""
        rows = await self.db.fetchall(
            "SELECT chat_id, message_id, language FROM join_request_messages WHERE request_id = ?",
            (request_id,),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    async def decide_request(
        self,
        conn: Connection,
        request_id: int,
        *,
        approve: bool,
        decided_by: int | None,
        now: datetime,
    ) -> bool:
        """Pending → approved/rejected once; False when someone decided first."""
        cursor = await conn.execute(
            "UPDATE join_requests SET status = ?, decided_by = ?, decided_at = ?"
            " WHERE id = ? AND status = 'pending'",
            ("approved" if approve else "rejected", decided_by, to_db_time(now), request_id),
        )
        return cursor.rowcount == 1
