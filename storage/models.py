"""Plain rows the repositories return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    SECRETARY = "secretary"
    COORDINATOR = "coordinator"


@dataclass(frozen=True, slots=True)
class Unit:
    id: int
    code: str
    name: str
    parent_id: int | None
    path: str
    depth: int
    timezone: str | None

    def contains(self, other: Unit) -> bool:
        """True when ``other`` is this unit or lies below it."""
        return other.path.startswith(self.path)


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    telegram_id: int | None
    display_name: str
    username: str | None
    language: str
    unit_id: int
    active: bool
    joined_at: datetime
    # Set when a send found the chat blocked or gone; cleared when they are heard from.
    unreachable_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class RoleGrant:
    member_id: int
    unit_id: int
    role: Role


@dataclass(frozen=True, slots=True)
class Invite:
    id: int
    token_hash: str
    unit_id: int
    role: Role
    max_uses: int | None
    uses: int
    expires_at: datetime
    requires_approval: bool
    created_by: int | None
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class JoinRequest:
    id: int
    invite_id: int
    telegram_id: int
    display_name: str
    username: str | None
    language: str
    status: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor_telegram_id: int | None
    action: str
    outcome: str
    unit_id: int | None
    detail: str
