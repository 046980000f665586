"""Leaders' reports: one per form, unit and local day (``leader_reports``), and the
schedule's claimed slots (``leader_report_runs``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from storage.db import Database, from_db_time, to_db_time
from storage.store import Row
from storage.units import subtree_bounds

_COLUMNS = "form, unit_id, day, member_id, answers, filed_at, updated_at"


class ReportKind(StrEnum):
    """Reports' outbox rows (``outbox.kind``)."""

    REMINDER = "report_reminder"  # to a role holder whose unit has not reported
    MISSING = "report_missing"  # past due: the units that did not report, to the level above
    DIGEST = "report_digest"  # the children's reports, compiled, to the level above


@dataclass(frozen=True, slots=True)
class FiledReport:
    form: str
    unit_id: int
    day: date
    member_id: int | None  # who filed it, or changed it last
    answers: dict[str, Any]
    filed_at: datetime
    updated_at: datetime


def _report(row: Row) -> FiledReport:
    return FiledReport(
        form=row["form"],
        unit_id=row["unit_id"],
        day=date.fromisoformat(row["day"]),
        member_id=row["member_id"],
        answers=json.loads(row["answers"]),
        filed_at=from_db_time(row["filed_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


class ReportRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, form: str, unit_id: int, day: date) -> FiledReport | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM leader_reports WHERE form = ? AND day = ? AND unit_id = ?",
            (form, day.isoformat(), unit_id),
        )
        return _report(row) if row else None

    async def of_units(
        self, form: str, unit_ids: Sequence[int], day: date
    ) -> dict[int, FiledReport]:
        if not unit_ids:
            return {}
        marks = ",".join("?" * len(unit_ids))
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM leader_reports WHERE form = ? AND day = ?"
            f" AND unit_id IN ({marks})",
            (form, day.isoformat(), *unit_ids),
        )
        return {r["unit_id"]: _report(r) for r in rows}

    async def of_subtree(
        self, path: str, first: date, last: date
    ) -> list[tuple[FiledReport, str | None]]:
        """Every report of the units under ``path`` (and it) on days ``first``..``last``,
        each with the name of who filed or changed it last: the workbook's reports sheet."""
        rows = await self.db.fetchall(
            "SELECT r.form, r.unit_id, r.day, r.member_id, r.answers, r.filed_at, r.updated_at,"
            " m.display_name AS author FROM leader_reports r"
            " JOIN units u ON u.id = r.unit_id LEFT JOIN members m ON m.id = r.member_id"
            " WHERE r.day >= ? AND r.day <= ? AND u.path >= ? AND u.path < ?",
            (first.isoformat(), last.isoformat(), *subtree_bounds(path)),
        )
        return [(_report(r), r["author"]) for r in rows]

    async def store(
        self,
        form: str,
        unit_id: int,
        day: date,
        member_id: int,
        answers: dict[str, Any],
        now: datetime,
        *,
        replace: bool,
    ) -> bool:
        """File the unit's first report of the day, or with ``replace`` change the filed
        one; False (nothing stored) when someone filed first, or there is none to change."""
        stamp = to_db_time(now)
        if replace:
            sql = (
                "UPDATE leader_reports SET member_id = ?, answers = ?, updated_at = ?"
                " WHERE form = ? AND day = ? AND unit_id = ?"
            )
            params: tuple[object, ...] = (
                member_id,
                _dump(answers),
                stamp,
                form,
                day.isoformat(),
                unit_id,
            )
        else:
            sql = (
                "INSERT INTO leader_reports (form, unit_id, day, member_id, answers, filed_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
            )
            params = (form, unit_id, day.isoformat(), member_id, _dump(answers), stamp, stamp)
        return await self.db.write(sql, params) == 1

    async def runs(self, form: str, timezone: str, day: date) -> set[str]:
        """The slots of ``claim_run`` done for a form, timezone and day."""
        rows = await self.db.fetchall(
            "SELECT slot FROM leader_report_runs WHERE form = ? AND timezone = ? AND day = ?",
            (form, timezone, day.isoformat()),
        )
        return {r["slot"] for r in rows}

    async def claim_run(
        self, form: str, timezone: str, day: date, slot: str, now: datetime
    ) -> bool:
        """Record a slot as done (inside the caller's transaction); False if it was."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO leader_report_runs (form, timezone, day, slot, done_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (form, timezone, day.isoformat(), slot, to_db_time(now)),
            )
            return cursor.rowcount == 1


def _dump(answers: dict[str, Any]) -> str:
    return json.dumps(answers, ensure_ascii=False, separators=(",", ":"))
