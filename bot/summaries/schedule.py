"""Summaries on the schedule: each committee's daily (and weekly) summary is claimed and
queued, one outbox row per coordinator and registered group chat, in one transaction; the
text is compiled when the row is sent, in the reader's language, so a restart neither
loses nor repeats a summary and a coordinator added during the day gets the evening's."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from bot.config import FeatureName, dashboard_url
from bot.delivery.outgoing import Attachment, Outgoing, Renderer
from bot.kit.i18n import Translator
from bot.kit.webapp import web_app_button
from bot.services import Services
from bot.summaries.charts import day_chart, week_chart
from bot.summaries.files import workbook
from bot.summaries.render import SummaryText
from bot.summaries.service import DAILY, Summary
from storage.db import from_db_time, to_db_time
from storage.models import AttachmentKind, Role, Unit
from storage.outbox import NewMessage, OutboxRow, Priority

T = TypeVar("T")
log = logging.getLogger(__name__)


class SummaryKind(StrEnum):
    """A summary's outbox rows (``outbox.kind``)."""

    TEXT = "summary"  # the text, with the chart before it
    BOOK = "summary_book"  # the workbook, after the text


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
        readers: list[tuple[int, int | None]] = [
            (m.telegram_id, m.id) for _, m in coordinators if m.telegram_id is not None
        ]
        readers += [(chat_id, None) for chat_id in await storage.summaries.chats(unit.id)]
        # Ids grow in queue order, and one chat's rows go out in id order: text, then book.
        rows = [
            NewMessage(kind, chat_id, member_id, None, Priority.REMINDER, payload, now)
            for chat_id, member_id in readers
            for kind in (SummaryKind.TEXT, SummaryKind.BOOK)
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


class SummaryRenderers:
    """Compiles at send time; a committee's summary (and its chart and workbook) is made
    once for all its readers: the cache holds those of the rows being sent now."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._cache: dict[tuple[str, int, str, str, str], Any] = {}

    def table(self) -> dict[str, Renderer]:
        return {SummaryKind.TEXT: self.render_text, SummaryKind.BOOK: self.render_book}

    async def _made(
        self, key: tuple[str, int, str, str, str], make: Callable[[], Coroutine[Any, Any, T]]
    ) -> T:
        """One ``make()`` per key, shared by the rows rendered at the same time."""
        if key not in self._cache:
            if len(self._cache) > 64:  # rows of other summaries: keep memory bounded
                self._cache.clear()
            self._cache[key] = asyncio.ensure_future(make())
        made: asyncio.Future[T] = self._cache[key]
        return await asyncio.shield(made)

    async def _reader(self, row: OutboxRow) -> tuple[Unit, str] | None:
        """The committee, and the reader's language (a group's is the organisation's);
        None when either is gone."""
        services = self.services
        unit = await services.storage.units.get(int(row.payload["unit"]))
        if unit is None:
            return None
        if row.member_id is None:
            return unit, services.settings.organisation.default_language
        member = await services.storage.members.get(row.member_id)
        if member is None or not member.active:
            return None
        return unit, member.language

    async def _summaries(self, unit: Unit, kind: str, period: date) -> list[Summary]:
        """The day's summary, or the week's seven (oldest first)."""
        services = self.services

        async def make() -> list[Summary]:
            if kind == DAILY:
                daily = await services.summaries.compile(unit, period)
                return [await services.summaries.with_reach(daily)]
            return await services.summaries.week(unit, period)

        return await self._made(("summary", unit.id, kind, period.isoformat(), ""), make)

    async def render_text(self, row: OutboxRow) -> Outgoing | None:
        found = await self._reader(row)
        if found is None:
            return None
        unit, language = found
        services = self.services
        kind, period = str(row.payload["kind"]), date.fromisoformat(str(row.payload["period"]))
        late_since = None
        if row.payload.get("late"):
            late_since = from_db_time(str(row.payload["due_at"])).astimezone(
                services.summaries.zone_of(unit)
            )
        summaries = await self._summaries(unit, kind, period)
        duty = services.settings.organisation.uses(FeatureName.DUTY)
        words = SummaryText(services.i18n, language, duty=duty)
        if kind == DAILY:
            text = words.daily(summaries[0], late_since=late_since)
        else:
            text = words.weekly(summaries, late_since=late_since)
        chart = None
        if not summaries[-1].empty:
            chart = await self._made(
                ("chart", unit.id, kind, period.isoformat(), language),
                lambda: _chart(summaries, kind, services.i18n, language),
            )
        name = f"{unit.code}-{period.isoformat()}{'-week' if kind != DAILY else ''}.png"
        attachment = (
            Attachment(AttachmentKind.PHOTO, "", data=chart, filename=name) if chart else None
        )
        # The dashboard's button goes to a coordinator's private chat only: Telegram
        # allows a Mini App button in no group.
        url = dashboard_url(services.settings) if row.member_id is not None else None
        label = services.i18n.plain(language, "dashboard-button")
        buttons = [[web_app_button(label, url)]] if url else []
        return Outgoing(text=text, attachment=attachment, buttons=buttons)

    async def render_book(self, row: OutboxRow) -> Outgoing | None:
        """The workbook of the summary's day (for a weekly one, of its last day)."""
        found = await self._reader(row)
        if found is None:
            return None
        unit, language = found
        services = self.services
        kind, period = str(row.payload["kind"]), date.fromisoformat(str(row.payload["period"]))
        summary = (await self._summaries(unit, kind, period))[-1]
        if summary.empty:
            return None  # "nothing to report" needs no spreadsheet

        async def make() -> bytes | None:
            try:
                parts = await services.summaries.book_parts(summary)
                return await asyncio.to_thread(workbook, summary, parts, services.i18n, language)
            except Exception:  # the text has gone out: say the workbook is missing
                log.exception("summary workbook of %s %s failed", unit.code, period)
                return None

        book: bytes | None = await self._made(
            ("book", unit.id, kind, period.isoformat(), language), make
        )
        if book is None:
            return Outgoing(text=services.i18n.t(language, "summary-book-failed"))
        name = f"{unit.code}-{period.isoformat()}.xlsx"
        text = services.i18n.t(
            language, "summary-book-caption", unit=unit.name, day=period.isoformat()
        )
        return Outgoing(
            text=text, attachment=Attachment(AttachmentKind.DOCUMENT, "", data=book, filename=name)
        )


async def _chart(
    summaries: list[Summary], kind: str, i18n: Translator, language: str
) -> bytes | None:
    """The day's chart or the week's, worded in ``language``; None (and a log line) if
    drawing fails."""
    try:
        if kind == DAILY:
            return await asyncio.to_thread(day_chart, summaries[0], i18n, language)
        return await asyncio.to_thread(week_chart, summaries, i18n, language)
    except Exception:
        log.exception("summary chart failed")
        return None
