"""Plain rows the repositories return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


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
class ListedMember:
    member: Member
    unit_code: str
    roles: tuple[tuple[Role, str], ...]  # (role, unit code)


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


@dataclass(frozen=True, slots=True)
class Grid:
    id: int
    unit_id: int
    code: str
    name: str
    lat: float | None
    lon: float | None
    radius_m: int | None
    active: bool


class DirectiveStatus(StrEnum):
    SCHEDULED = "scheduled"  # to be sent at its send_at
    SENDING = "sending"  # recipients fixed, messages queued
    SENT = "sent"  # every message delivered or given up
    CANCELLED = "cancelled"


class AttachmentKind(StrEnum):
    """What goes with a message's text: sent as a photo, or as a file."""

    PHOTO = "photo"
    DOCUMENT = "document"


class ShiftStatus(StrEnum):
    ASSIGNED = "assigned"  # waiting for the member to confirm
    CONFIRMED = "confirmed"
    OPEN = "open"  # declined or unconfirmed at the cut-off: cover needed, no member
    STARTED = "started"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Shift:
    id: int
    grid_id: int
    unit_id: int
    member_id: int | None
    starts_at: datetime
    ends_at: datetime
    day: str  # local date of the start, YYYY-MM-DD
    status: ShiftStatus
    series_id: int | None
    created_by: int | None
    confirm_asked_at: datetime | None = None
    reminded_at: datetime | None = None
    confirmed_at: datetime | None = None
    declined_at: datetime | None = None
    decline_reason: str | None = None
    declined_member_id: int | None = None
    cover_opened_at: datetime | None = None
    covered_at: datetime | None = None
    start_prompted_at: datetime | None = None
    started_at: datetime | None = None
    start_lat: float | None = None
    start_lon: float | None = None
    start_distance_m: int | None = None
    end_prompted_at: datetime | None = None
    ended_at: datetime | None = None
    report: dict[str, Any] | None = None
    no_show_at: datetime | None = None
    cancelled_at: datetime | None = None
