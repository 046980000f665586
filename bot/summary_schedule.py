"""Summaries on the schedule: each committee's daily (and weekly) summary is claimed and
queued, one outbox row per coordinator and registered group chat, in one transaction; the
text is compiled when the row is sent, in the reader's language, so a restart neither
loses nor repeats a summary and a coordinator added during the day gets the evening's."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from bot.delivery import PRIORITY_REMINDER, Outgoing
from bot.services.container import Services
from bot.services.summaries import DAILY, Summary
from bot.summary_render import SummaryText
from storage.db import from_db_time, to_db_time
from storage.models import Role
from storage.outbox import NewMessage, OutboxRow

log = logging.getLogger(__name__)
KIND_SUMMARY = "summary"


async def summary_tick(services: Services) -> int:
    """Queue every summary due now; returns the rows queued."""
    storage, now = services.storage, services.clock.now()
    queued = 0
    for due in await services.summaries.due():
        unit = due.committee
        coordinators = await storage.members.holders([unit.id], Role.COORDINATOR)
        payload: dict[str, Any] = {
            "unit": unit.id,
            "kind": due.kind,
            "period": due.period.isoformat(),
            "due_at": to_db_time(due.due_at),
            "late": due.late,
        }
        rows = [
            NewMessage(KIND_SUMMARY, m.telegram_id, m.id, None, PRIORITY_REMINDER, payload, now)
            for _, m in coordinators
            if m.telegram_id is not None
        ]
        rows += [
            NewMessage(KIND_SUMMARY, chat_id, None, None, PRIORITY_REMINDER, payload, now)
            for chat_id in await storage.summaries.chats(unit.id)
        ]
        async with storage.db.transaction() as conn:
            if not await storage.summaries.claim(unit.id, due.kind, due.period, due.due_at, now):
                continue
            if rows:
                await storage.outbox.enqueue_many(conn, rows, now)
        queued += len(rows)
        log.info(
            "summary %s %s of unit %s: %d recipients", due.kind, due.period, unit.code, len(rows)
        )
    return queued


class SummaryRenderer:
    """Compiles at send time; a committee's summary is compiled once for all its readers
    (the cache holds the summaries of the rows being sent now)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._cache: dict[tuple[int, str, str], Summary | list[Summary]] = {}

    async def render(self, row: OutboxRow) -> Outgoing | None:
        services = self.services
        payload = row.payload
        unit = await services.storage.units.get(int(payload["unit"]))
        if unit is None:
            return None
        language: str = services.settings.organisation.default_language
        if row.member_id is not None:
            member = await services.storage.members.get(row.member_id)
            if member is None or not member.active:
                return None
            language = member.language
        period = date.fromisoformat(str(payload["period"]))
        kind = str(payload["kind"])
        late_since = None
        if payload.get("late"):
            late_since = from_db_time(str(payload["due_at"])).astimezone(
                services.summaries.zone_of(unit)
            )
        text = SummaryText(services.i18n, language)
        key = (unit.id, kind, period.isoformat())
        if len(self._cache) > 64:  # rows of other summaries: keep memory bounded
            self._cache.clear()
        if kind == DAILY:
            summary = self._cache.get(key)
            if not isinstance(summary, Summary):
                summary = await services.summaries.compile(unit, period)
                self._cache[key] = summary
            return Outgoing(text=text.daily(summary, late_since=late_since))
        week = self._cache.get(key)
        if not isinstance(week, list):
            week = await services.summaries.week(unit, period)
            self._cache[key] = week
        return Outgoing(text=text.weekly(week, late_since=late_since))
