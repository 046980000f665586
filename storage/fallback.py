"""Directives sent by a fallback channel (migration 0028): who gets one, when it fired,
and the acknowledgements and answers that came back by a link or a reply code."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, from_db_time, to_db_time
from storage.directives import DirectiveRepository
from storage.outbox import Priority

KIND = "fallback_directive"  # its outbox rows (channel 'email' or 'gateway')


@dataclass(frozen=True, slots=True)
class Candidate:
    """A register entry a directive's fallback may reach."""

    entry_id: int
    member_id: int | None
    email: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class FallbackRecipient:
    directive_id: int
    entry_id: int
    member_id: int | None
    telegram_id: int | None
    name: str
    language: str | None  # the member's, when the person joined
    unit_id: int
    channel: str
    code: str
    acked_at: datetime | None
    answer_choice: int | None
    via: str | None
    telegram_acked: bool = False  # answered on Telegram since (a joined member)


@dataclass(frozen=True, slots=True)
class ChannelTally:
    channel: str
    sent: int
    failed: int
    pending: int
    acked: int


# Route: the channel and address for a candidate, or None when none of theirs is configured.
Route = Callable[[Candidate], tuple[str, str] | None]


class FallbackRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def due(self, before: datetime, now: datetime) -> list[int]:
        """Directives asking for an answer by a deadline still ahead of ``now``, sending
        since ``before`` or earlier, whose fallback has not fired (not follow-ups: those
        go to chosen Telegram answerers only)."""
        rows = await self.db.fetchall(
            "SELECT id FROM directives WHERE ack_required = 1 AND fallback_at IS NULL"
            " AND status IN ('sending', 'sent') AND follow_up_of IS NULL"
            " AND send_at <= ? AND ack_deadline > ? ORDER BY id",
            (to_db_time(before), to_db_time(now)),
        )
        return [int(r["id"]) for r in rows]

    async def fire(self, directive_id: int, now: datetime, route: Route) -> dict[str, int] | None:
        """Once per directive, in one transaction: mark it fired and queue a message for
        each register entry of its targets who is not on Telegram, blocked the bot, or
        has not answered yet, by the channel ``route`` picks. Returns the count per
        channel; None when it had fired already (or is withdrawn, or not a question of
        acknowledgement)."""
        stamp = to_db_time(now)
        targets = await DirectiveRepository(self.db).targets(directive_id)
        where, params = await DirectiveRepository._audience(targets, self.db)
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE directives SET fallback_at = ? WHERE id = ? AND fallback_at IS NULL"
                " AND ack_required = 1 AND status IN ('sending', 'sent')",
                (stamp, directive_id),
            )
            if cursor.rowcount != 1:
                return None
            # The author aside; a joined member who answered, or is reachable and not
            # among the recipients (joined after it was sent), is not chased.
            found = await conn.execute_fetchall(
                "SELECT e.id, e.member_id, e.email, e.phone FROM register_entries e"
                " JOIN units u ON u.id = e.unit_id JOIN directives d ON d.id = ?"
                " LEFT JOIN members m ON m.id = e.member_id"
                " LEFT JOIN directive_recipients r"
                " ON r.directive_id = d.id AND r.member_id = e.member_id"
                f" WHERE e.active = 1 AND {where}"
                " AND (e.member_id IS NULL OR m.telegram_id IS NULL"
                " OR m.unreachable_since IS NOT NULL OR (r.member_id IS NOT NULL"
                " AND r.acked_at IS NULL))"
                " AND (m.telegram_id IS NULL OR m.telegram_id != d.author_telegram_id)"
                " ORDER BY e.id",
                (directive_id, *params),
            )
            routed = [
                (c, way)
                for c in (Candidate(r[0], r[1], r[2], r[3]) for r in found)
                if (way := route(c)) is not None
            ]
            codes = [f"{1000 + secrets.randbelow(9000)}" for _ in routed]
            await conn.executemany(
                "INSERT INTO fallback_recipients (directive_id, entry_id, member_id, channel,"
                " code) VALUES (?, ?, ?, ?, ?)",
                [
                    (directive_id, c.entry_id, c.member_id, channel, code)
                    for (c, (channel, _)), code in zip(routed, codes, strict=True)
                ],
            )
            await conn.executemany(
                "INSERT INTO outbox (kind, chat_id, directive_id, priority, payload,"
                " next_attempt_at, created_at, channel, address)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        KIND,
                        c.entry_id,
                        directive_id,
                        Priority.BULK,
                        f'{{"entry":{c.entry_id}}}',
                        stamp,
                        stamp,
                        channel,
                        address,
                    )
                    for c, (channel, address) in routed
                ],
            )
        counts: dict[str, int] = {}
        for _, (channel, _) in routed:
            counts[channel] = counts.get(channel, 0) + 1
        return counts

    async def watched(self, since: datetime) -> list[int]:
        """Sent directives whose fallback fired and whose author's message may still move
        (deadline after ``since``): their channels' counts go on changing after Telegram's."""
        rows = await self.db.fetchall(
            "SELECT id FROM directives WHERE fallback_at IS NOT NULL AND status = 'sent'"
            " AND progress_chat_id IS NOT NULL AND ack_deadline > ? ORDER BY id",
            (to_db_time(since),),
        )
        return [int(r["id"]) for r in rows]

    async def recipient(self, directive_id: int, entry_id: int) -> FallbackRecipient | None:
        row = await self.db.fetchone(
            "SELECT f.directive_id, f.entry_id, f.member_id, m.telegram_id, e.name,"
            " m.language, e.unit_id, f.channel, f.code, f.acked_at, f.answer_choice, f.via,"
            " r.acked_at IS NOT NULL FROM fallback_recipients f"
            " JOIN register_entries e ON e.id = f.entry_id"
            " LEFT JOIN members m ON m.id = f.member_id LEFT JOIN directive_recipients r"
            " ON r.directive_id = f.directive_id AND r.member_id = f.member_id"
            " WHERE f.directive_id = ? AND f.entry_id = ?",
            (directive_id, entry_id),
        )
        if row is None:
            return None
        return FallbackRecipient(
            directive_id=row[0],
            entry_id=row[1],
            member_id=row[2],
            telegram_id=row[3],
            name=row[4],
            language=row[5],
            unit_id=row[6],
            channel=row[7],
            code=row[8],
            acked_at=from_db_time(row[9]) if row[9] else None,
            answer_choice=row[10],
            via=row[11],
            telegram_acked=bool(row[12]),
        )

    async def by_reply(self, phone: str, code: str) -> tuple[int, int] | None:
        """(directive, entry) of the newest open message to ``phone`` with ``code``."""
        row = await self.db.fetchone(
            "SELECT f.directive_id, f.entry_id FROM fallback_recipients f"
            " JOIN register_entries e ON e.id = f.entry_id"
            " WHERE f.code = ? AND f.acked_at IS NULL AND e.phone = ?"
            " ORDER BY f.directive_id DESC LIMIT 1",
            (code, phone),
        )
        return (int(row[0]), int(row[1])) if row else None

    async def record(
        self, directive_id: int, entry_id: int, now: datetime, choice: int | None, via: str
    ) -> bool:
        """The acknowledgement (or answer), once: False when one was recorded before."""
        return bool(
            await self.db.write(
                "UPDATE fallback_recipients SET acked_at = ?, answer_choice = ?, via = ?"
                " WHERE directive_id = ? AND entry_id = ? AND acked_at IS NULL",
                (to_db_time(now), choice, via, directive_id, entry_id),
            )
        )

    async def tally(self, directive_id: int) -> list[ChannelTally]:
        """Per channel: messages sent, failed and still to go, and acknowledgements."""
        rows = await self.db.fetchall(
            "SELECT channel, COUNT(*) FILTER (WHERE status = 'sent') AS sent,"
            " COUNT(*) FILTER (WHERE status = 'failed') AS failed,"
            " COUNT(*) FILTER (WHERE status IN ('pending', 'sending')) AS pending FROM outbox"
            " WHERE directive_id = ? AND kind = ? GROUP BY channel ORDER BY channel",
            (directive_id, KIND),
        )
        acked = {
            str(r[0]): int(r[1])
            for r in await self.db.fetchall(
                "SELECT channel, COUNT(*) FROM fallback_recipients"
                " WHERE directive_id = ? AND acked_at IS NOT NULL GROUP BY channel",
                (directive_id,),
            )
        }
        return [
            ChannelTally(str(r[0]), int(r[1]), int(r[2]), int(r[3]), acked.get(str(r[0]), 0))
            for r in rows
        ]
