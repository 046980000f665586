"""``Storage``: the one object the services hold, the same repositories over either store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg

from storage.answers import AnswerRepository
from storage.audit import AuditRepository
from storage.cases import CaseRepository
from storage.checkin_phone import CheckinPhoneRepository
from storage.checkins import CheckinRepository
from storage.cluster import ClusterRepository
from storage.coordination import ChatClaims
from storage.db import Database, SqliteDatabase
from storage.directives import DirectiveRepository
from storage.exports import ExportRepository
from storage.fallback import FallbackRepository
from storage.figures import FigureRepository
from storage.grids import GridRepository
from storage.inbox import InboxRepository
from storage.incidents import IncidentRepository
from storage.invites import InviteRepository
from storage.ladder import LadderRepository
from storage.leave import LeaveRepository
from storage.members import MemberRepository
from storage.outbox import OutboxRepository
from storage.postgres import DEFAULT_POOL_SIZE, PostgresDatabase
from storage.privacy import PrivacyRepository
from storage.reach import ReachRepository
from storage.register import RegisterRepository
from storage.reports import ReportRepository
from storage.shifts import ShiftRepository
from storage.summaries import SummaryRepository
from storage.units import UnitRepository


class Storage:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.units = UnitRepository(db)
        self.members = MemberRepository(db)
        self.invites = InviteRepository(db)
        self.audit = AuditRepository(db)
        self.outbox = OutboxRepository(db)
        self.cluster = ClusterRepository(db)
        self.directives = DirectiveRepository(db)
        self.answers = AnswerRepository(db)
        self.ladder = LadderRepository(db)
        self.checkins = CheckinRepository(db)
        self.checkin_phone = CheckinPhoneRepository(db)
        self.cases = CaseRepository(db)
        self.leave = LeaveRepository(db)
        self.grids = GridRepository(db)
        self.shifts = ShiftRepository(db)
        self.incidents = IncidentRepository(db)
        self.summaries = SummaryRepository(db)
        self.figures = FigureRepository(db)
        self.exports = ExportRepository(db)
        self.privacy = PrivacyRepository(db)
        self.inbox = InboxRepository(db)
        self.claims = ChatClaims(db)  # several instances (storage/coordination.py)
        self.reports = ReportRepository(db)
        self.register = RegisterRepository(db)
        self.fallback = FallbackRepository(db)
        self.reach = ReachRepository(db)

    @classmethod
    async def open(cls, target: str | Path, *, pool_size: int = DEFAULT_POOL_SIZE) -> Storage:
        """SQLite at a file path, or PostgreSQL at a ``postgresql://`` address."""
        return cls(await open_database(target, pool_size=pool_size))

    async def close(self) -> None:
        await self.db.close()


# What either driver raises when the store fails a statement (a full disk, a lost server).
STORE_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.Error,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,  # a connection ended mid-operation
)


def is_url(target: str | Path) -> bool:
    return isinstance(target, str) and "://" in target


async def open_database(
    target: str | Path, *, migrate: bool = True, pool_size: int = DEFAULT_POOL_SIZE
) -> Database:
    """The store ``target`` names, opened and migrated (``storage.url`` or
    ``storage.database``: a file path is SQLite, an address PostgreSQL)."""
    if is_url(target):
        return await PostgresDatabase.open(str(target), migrate=migrate, pool_size=pool_size)
    return await SqliteDatabase.open(target, migrate=migrate)
