"""Directives: what was sent to whom, who acknowledged it, and what is due next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.db import Database, from_db_time, to_db_time
from storage.models import AttachmentKind, DirectiveStatus
from storage.outbox import Priority, after_surge
from storage.returning import new_id
from storage.store import Row
from storage.units import subtree_bounds


class DirectiveKind(StrEnum):
    """A directive's outbox rows (``outbox.kind``)."""

    DIRECTIVE = "directive"
    REMINDER = "directive_reminder"  # past the deadline, to those who have not acknowledged


@dataclass(frozen=True, slots=True)
class Directive:
    id: int
    author_member_id: int | None
    author_telegram_id: int
    from_unit_id: int
    text: str
    attachment_kind: AttachmentKind | None
    attachment_file_id: str | None
    attachment_name: str | None
    ack_required: bool
    ack_deadline: datetime | None
    send_at: datetime
    status: DirectiveStatus
    recipients: int
    progress_chat_id: int | None
    progress_message_id: int | None
    progress_text: str | None
    reminded_at: datetime | None
    escalated_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    cancelled_at: datetime | None
    # A paid broadcast (see migration 0019): the cap and estimate in Stars, the messages
    # sent beyond the free rate so far, and when Telegram refused for a low Star balance.
    paid: bool = False
    paid_cap_stars: int | None = None
    paid_estimate_stars: int | None = None
    paid_charged: int = 0
    paid_refused_at: datetime | None = None
    # What it asks (migration 0020): bot/directives/questions.py's JSON; None: ✅ only.
    question: str | None = None
    # A follow-up to those who chose one answer of another (migration 0021).
    follow_up: FollowUp | None = None
    # When its fallback channels were sent to (migration 0028).
    fallback_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FollowUp:
    """Sent to the recipients of directive ``parent`` whose answer is ``choice``."""

    parent: int
    choice: int


@dataclass(frozen=True, slots=True)
class PaidTerms:
    """What the author agreed to for a paid broadcast, in whole Stars."""

    cap_stars: int
    estimate_stars: int


@dataclass(frozen=True, slots=True)
class RenderContext:
    """Everything needed to render one directive message for one member."""

    directive: Directive
    origin: str  # the name of the unit it is from
    language: str
    active: bool
    timezone: str | None  # the member's unit's own timezone, if it has one
    acked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Target:
    unit_id: int
    subtree: bool


@dataclass(frozen=True, slots=True)
class UnitTally:
    """One unit's recipients of a directive, by what became of them."""

    unit_id: int
    recipients: int
    sent: int
    acked: int
    unreachable: int
    failed: int
    pending: int
    withdrawn: int = 0  # not sent: the directive was withdrawn first


@dataclass(frozen=True, slots=True)
class Straggler:
    """A recipient who has not acknowledged (or could not be reached)."""

    member_id: int
    telegram_id: int | None
    display_name: str
    unit_id: int
    unreachable: bool
    delivery: str | None = None  # the directive's message: pending, sent, failed …


# A follow-up's audience (``_people``): the parent's recipients with the chosen answer.
_CHOSEN = "p.directive_id = ? AND p.answer_choice = ?"


def _time(value: str | None) -> datetime | None:
    return from_db_time(value) if value else None


def _kind(value: str | None) -> AttachmentKind | None:
    return AttachmentKind(value) if value else None


def directive_of(row: Row) -> Directive:
    """A ``directives`` row (``SELECT *``) as a :class:`Directive`."""
    return Directive(
        id=row["id"],
        author_member_id=row["author_member_id"],
        author_telegram_id=row["author_telegram_id"],
        from_unit_id=row["from_unit_id"],
        text=row["text"],
        attachment_kind=_kind(row["attachment_kind"]),
        attachment_file_id=row["attachment_file_id"],
        attachment_name=row["attachment_name"],
        ack_required=bool(row["ack_required"]),
        ack_deadline=_time(row["ack_deadline"]),
        send_at=from_db_time(row["send_at"]),
        status=DirectiveStatus(row["status"]),
        recipients=row["recipients"],
        progress_chat_id=row["progress_chat_id"],
        progress_message_id=row["progress_message_id"],
        progress_text=row["progress_text"],
        reminded_at=_time(row["reminded_at"]),
        escalated_at=_time(row["escalated_at"]),
        created_at=from_db_time(row["created_at"]),
        finished_at=_time(row["finished_at"]),
        cancelled_at=_time(row["cancelled_at"]),
        paid=bool(row["paid"]),
        paid_cap_stars=row["paid_cap_stars"],
        paid_estimate_stars=row["paid_estimate_stars"],
        paid_charged=row["paid_charged"],
        paid_refused_at=_time(row["paid_refused_at"]),
        question=row["question"],
        follow_up=(
            FollowUp(row["follow_up_of"], row["follow_up_choice"])
            if row["follow_up_of"] is not None
            else None
        ),
        fallback_at=_time(row["fallback_at"]),
    )


def _render_context(row: Row) -> RenderContext:
    return RenderContext(
        directive=directive_of(row),
        origin=row["origin_name"],
        language=row["member_language"],
        active=bool(row["member_active"]),
        timezone=row["home_timezone"],
        acked_at=_time(row["recipient_acked_at"]),
    )


def _scope_clause(paths: Sequence[str], alias: str = "u") -> tuple[str, list[str]]:
    """SQL matching units under any of ``paths`` (everything when ``paths`` is empty)."""
    if not paths:
        return "1 = 1", []
    parts, params = [], []
    for path in paths:
        low, high = subtree_bounds(path)
        parts.append(f"({alias}.path >= ? AND {alias}.path < ?)")
        params += [low, high]
    return "(" + " OR ".join(parts) + ")", params


class DirectiveRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self,
        *,
        author_member_id: int | None,
        author_telegram_id: int,
        from_unit_id: int,
        text: str,
        attachment: tuple[AttachmentKind, str, str | None] | None,
        ack_required: bool,
        ack_deadline: datetime | None,
        send_at: datetime,
        targets: Sequence[Target],
        now: datetime,
        paid: PaidTerms | None = None,
        question: str | None = None,
        follow_up: FollowUp | None = None,
    ) -> int:
        kind, file_id, name = attachment if attachment else (None, None, None)
        async with self.db.transaction() as conn:
            directive_id = await new_id(
                conn,
                "INSERT INTO directives (author_member_id, author_telegram_id, from_unit_id,"
                " text, attachment_kind, attachment_file_id, attachment_name, ack_required,"
                " ack_deadline, send_at, status, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?) RETURNING id",
                (
                    author_member_id,
                    author_telegram_id,
                    from_unit_id,
                    text,
                    kind,
                    file_id,
                    name,
                    int(ack_required),
                    to_db_time(ack_deadline) if ack_deadline else None,
                    to_db_time(send_at),
                    to_db_time(now),
                ),
            )
            if paid is not None:  # its own statement: a free one writes what it always did
                await conn.execute(
                    "UPDATE directives SET paid = 1, paid_cap_stars = ?, paid_estimate_stars = ?"
                    " WHERE id = ?",
                    (paid.cap_stars, paid.estimate_stars, directive_id),
                )
            if question is not None:  # likewise: a ✅-only one writes what it always did
                await conn.execute(
                    "UPDATE directives SET question = ? WHERE id = ?", (question, directive_id)
                )
            if follow_up is not None:
                await conn.execute(
                    "UPDATE directives SET follow_up_of = ?, follow_up_choice = ? WHERE id = ?",
                    (follow_up.parent, follow_up.choice, directive_id),
                )
            await conn.executemany(
                "INSERT INTO directive_targets (directive_id, unit_id, subtree) VALUES (?, ?, ?)",
                [(directive_id, t.unit_id, int(t.subtree)) for t in targets],
            )
        return directive_id

    async def get(self, directive_id: int) -> Directive | None:
        row = await self.db.fetchone_inline(
            "SELECT * FROM directives WHERE id = ?", (directive_id,)
        )
        return directive_of(row) if row else None

    async def targets(self, directive_id: int) -> list[Target]:
        rows = await self.db.fetchall(
            "SELECT unit_id, subtree FROM directive_targets WHERE directive_id = ?",
            (directive_id,),
        )
        return [Target(r["unit_id"], bool(r["subtree"])) for r in rows]

    @staticmethod
    async def _audience(targets: Sequence[Target], db: Database) -> tuple[str, list[object]]:
        """SQL condition on ``u`` (units) selecting the targets' units."""
        parts: list[str] = []
        params: list[object] = []
        for target in targets:
            if target.subtree:
                row = await db.fetchone("SELECT path FROM units WHERE id = ?", (target.unit_id,))
                if row is None:
                    continue
                low, high = subtree_bounds(row["path"])
                parts.append("(u.path >= ? AND u.path < ?)")
                params += [low, high]
            else:
                parts.append("u.id = ?")
                params.append(target.unit_id)
        return ("(" + " OR ".join(parts) + ")" if parts else "0 = 1"), params

    @staticmethod
    def _people(follow_up: FollowUp | None) -> tuple[str, str, list[object]]:
        """Where an audience comes from: members by the unit they are in, or, for a
        follow-up, the parent's recipients who chose its answer, by the unit where they
        were asked (as the headcount counts them). FROM clause, unit column, parameters."""
        if follow_up is None:
            return "members m JOIN units u ON u.id = m.unit_id", "m.unit_id", []
        return (
            "directive_recipients p JOIN members m ON m.id = p.member_id"
            " JOIN units u ON u.id = p.unit_id",
            "p.unit_id",
            [follow_up.parent, follow_up.choice],
        )

    async def count_audience(
        self,
        targets: Sequence[Target],
        author_telegram_id: int,
        follow_up: FollowUp | None = None,
    ) -> int:
        """Active members in Telegram under these targets (of a follow-up: who chose its
        answer, now), the author aside."""
        where, params = await self._audience(targets, self.db)
        people, _, chosen = self._people(follow_up)
        row = await self.db.fetchone(
            f"SELECT COUNT(*) AS n FROM {people}"
            f" WHERE {_CHOSEN if follow_up else '1 = 1'} AND m.active = 1"
            " AND m.telegram_id IS NOT NULL AND m.telegram_id != ?"
            f" AND {where}",
            (*chosen, author_telegram_id, *params),
        )
        return int(row["n"]) if row else 0

    async def materialise(
        self, directive_id: int, now: datetime, follow_up: FollowUp | None = None
    ) -> int:
        """Fix the recipients and queue one message each, in one transaction.

        Only a directive still 'scheduled' is materialised, so a tick that runs twice (or
        after a crash) cannot queue it twice. Returns the number of recipients. A
        ``follow_up``'s recipients are those with its answer now (migration 0021).
        """
        targets = await self.targets(directive_id)
        where, params = await self._audience(targets, self.db)
        people, unit, chosen = self._people(follow_up)
        stamp = to_db_time(now)
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE directives SET status = 'sending' WHERE id = ? AND status = 'scheduled'",
                (directive_id,),
            )
            if cursor.rowcount != 1:
                return 0
            # The author wrote it: they are not among its recipients. A follow-up's are
            # whoever has its answer now (migration 0021).
            await conn.execute(
                "INSERT INTO directive_recipients (directive_id, member_id, unit_id)"
                f" SELECT d.id, m.id, {unit} FROM directives d, {people}"
                f" WHERE {_CHOSEN if follow_up else '1 = 1'} AND d.id = ? AND m.active = 1"
                " AND m.telegram_id IS NOT NULL"
                f" AND m.telegram_id != d.author_telegram_id AND {where}",
                (*chosen, directive_id, *params),
            )
            queued = await conn.execute(
                "INSERT INTO outbox (kind, chat_id, member_id, directive_id, priority,"
                " next_attempt_at, created_at)"
                " SELECT ?, m.telegram_id, m.id, r.directive_id, ?, ?, ?"
                " FROM directive_recipients r JOIN members m ON m.id = r.member_id"
                " WHERE r.directive_id = ? ORDER BY m.id",
                (DirectiveKind.DIRECTIVE, Priority.BULK, stamp, stamp, directive_id),
            )
            await after_surge(self.db, conn, queued.rowcount)
            row = await (
                await conn.execute(
                    "SELECT COUNT(*) FROM directive_recipients WHERE directive_id = ?",
                    (directive_id,),
                )
            ).fetchone()
            count = int(row[0]) if row else 0
            await conn.execute(
                "UPDATE directives SET recipients = ? WHERE id = ?", (count, directive_id)
            )
        return count

    async def record_paid(
        self, directive_id: int, charged: int, refused_at: datetime | None
    ) -> bool:
        """Store the messages charged so far (it only grows) and, once, when Telegram
        refused for a low Star balance; True when this call recorded that refusal."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE directives SET paid_charged ="
                f" {self.db.dialect.greatest('paid_charged', '?')} WHERE id = ?",
                (charged, directive_id),
            )
            if refused_at is None:
                return False
            cursor = await conn.execute(
                "UPDATE directives SET paid_refused_at = ?"
                " WHERE id = ? AND paid_refused_at IS NULL",
                (to_db_time(refused_at), directive_id),
            )
        return cursor.rowcount == 1

    async def due_scheduled(self, now: datetime) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT id FROM directives WHERE status = 'scheduled' AND send_at <= ? ORDER BY id",
            (to_db_time(now),),
        )
        return [r["id"] for r in rows]

    async def sending(self) -> list[Directive]:
        """Directives being sent, and those withdrawn while sending whose author has not
        yet seen the final tally (see ``finish``)."""
        rows = await self.db.fetchall(
            "SELECT * FROM directives WHERE status = 'sending'"
            " OR (status = 'cancelled' AND finished_at IS NULL AND recipients > 0)"
        )
        return [directive_of(r) for r in rows]

    async def asking(self, closing_after: datetime) -> list[Directive]:
        """Questions sent whose deadline (when answers close) is after ``closing_after``
        and whose author has a live message: their headcount moves."""
        rows = await self.db.fetchall(
            "SELECT * FROM directives WHERE status = 'sent' AND question IS NOT NULL"
            " AND progress_chat_id IS NOT NULL AND ack_deadline > ?",
            (to_db_time(closing_after),),
        )
        return [directive_of(r) for r in rows]

    async def queue_reminders(
        self,
        directive_id: int,
        now: datetime,
        *,
        priority: Priority,
        member_ids: Sequence[int] | None = None,
    ) -> int:
        """Queue a reminder to each recipient who got the directive and has not acknowledged:
        all of them (a remind step of the ladder, which records it; ``reminded_at`` keeps
        the first), or those in ``member_ids`` (a secretary's "remind now")."""
        stamp = to_db_time(now)
        only, extra = "", list(member_ids or ())
        if member_ids is not None:
            if not member_ids:
                return 0
            only = f" AND r.member_id IN ({','.join('?' * len(member_ids))})"
        async with self.db.transaction() as conn:
            if member_ids is None:
                await conn.execute(
                    "UPDATE directives SET reminded_at = COALESCE(reminded_at, ?) WHERE id = ?",
                    (stamp, directive_id),
                )
            cursor = await conn.execute(
                "INSERT INTO outbox (kind, chat_id, member_id, directive_id, priority,"
                " next_attempt_at, created_at)"
                " SELECT ?, o.chat_id, r.member_id, r.directive_id, ?, ?, ?"
                " FROM directive_recipients r JOIN outbox o ON o.directive_id = r.directive_id"
                " AND o.member_id = r.member_id AND o.kind = ? AND o.status = 'sent'"
                f" WHERE r.directive_id = ? AND r.acked_at IS NULL{only}"
                # A double tap on "remind now" must not queue a second reminder.
                " AND NOT EXISTS (SELECT 1 FROM outbox q WHERE q.directive_id = r.directive_id"
                " AND q.member_id = r.member_id AND q.kind = ?"
                " AND q.status IN ('pending', 'sending'))",
                (
                    DirectiveKind.REMINDER,
                    priority,
                    stamp,
                    stamp,
                    DirectiveKind.DIRECTIVE,
                    directive_id,
                    *extra,
                    DirectiveKind.REMINDER,
                ),
            )
            await after_surge(self.db, conn, cursor.rowcount)
            return cursor.rowcount

    async def acknowledge(
        self, directive_id: int, member_id: int, now: datetime
    ) -> tuple[datetime | None, bool]:
        """(when acknowledged, whether this call did it); (None, False) if not a recipient.

        One statement, on the loop's own connection when nothing else is writing: in a
        burst of presses, a transaction (BEGIN, UPDATE, COMMIT, each a hop to the writer's
        thread under the one write lock) per press was a queue of its own."""
        rows = await self.db.write_returning(
            "UPDATE directive_recipients SET acked_at = ?"
            " WHERE directive_id = ? AND member_id = ? AND acked_at IS NULL RETURNING acked_at",
            (to_db_time(now), directive_id, member_id),
        )
        if rows:
            return _time(rows[0]["acked_at"]), True
        row = await self.db.fetchone_inline(  # pressed before, or not a recipient
            "SELECT acked_at FROM directive_recipients WHERE directive_id = ? AND member_id = ?",
            (directive_id, member_id),
        )
        if row is None:
            return None, False
        return _time(row["acked_at"]), False

    _RENDER_SELECT = (
        "SELECT ob.id AS outbox_id, d.*, o.name AS origin_name,"
        " m.language AS member_language, m.active AS member_active,"
        " h.timezone AS home_timezone, r.acked_at AS recipient_acked_at"
        " FROM outbox ob JOIN directives d ON d.id = ob.directive_id"
        " JOIN units o ON o.id = d.from_unit_id"
        " JOIN members m ON m.id = ob.member_id JOIN units h ON h.id = m.unit_id"
        " LEFT JOIN directive_recipients r ON r.directive_id = d.id AND r.member_id = m.id"
    )

    async def render_context(self, outbox_id: int) -> RenderContext | None:
        """One query: what the delivery worker needs to render an outbox row."""
        row = await self.db.fetchone(f"{self._RENDER_SELECT} WHERE ob.id = ?", (outbox_id,))
        return _render_context(row) if row else None

    async def render_contexts(self, outbox_ids: Sequence[int]) -> dict[int, RenderContext]:
        """The same for a whole claimed batch, in one query."""
        if not outbox_ids:
            return {}
        marks = ",".join("?" * len(outbox_ids))
        rows = await self.db.fetchall(
            f"{self._RENDER_SELECT} WHERE ob.id IN ({marks})", tuple(outbox_ids)
        )
        return {row["outbox_id"]: _render_context(row) for row in rows}

    async def delivered_message(self, directive_id: int, member_id: int) -> int | None:
        # A point read (index outbox_directive_member): no hop to the reader's thread.
        row = await self.db.fetchone_inline(
            "SELECT message_id FROM outbox WHERE directive_id = ? AND member_id = ? AND kind = ?"
            " AND status = 'sent'",
            (directive_id, member_id, DirectiveKind.DIRECTIVE),
        )
        return int(row["message_id"]) if row and row["message_id"] is not None else None

    async def tallies(self, directive_id: int, paths: Sequence[str] = ()) -> list[UnitTally]:
        """Per unit: recipients and what became of them (within ``paths``, if given)."""
        scope, params = _scope_clause(paths)
        rows = await self.db.fetchall(
            "SELECT r.unit_id AS unit_id, COUNT(*) AS recipients,"
            " COUNT(*) FILTER (WHERE o.status = 'sent') AS sent,"
            " COUNT(r.acked_at) AS acked,"
            " COUNT(*) FILTER (WHERE o.status = 'unreachable') AS unreachable,"
            " COUNT(*) FILTER (WHERE o.status = 'failed') AS failed,"
            " COUNT(*) FILTER (WHERE o.status IN ('pending', 'sending')) AS pending,"
            " COUNT(*) FILTER (WHERE o.status = 'cancelled') AS withdrawn"
            " FROM directive_recipients r JOIN units u ON u.id = r.unit_id"
            " LEFT JOIN outbox o ON o.directive_id = r.directive_id AND o.member_id = r.member_id"
            " AND o.kind = ?"
            # Ordered by unit as SQLite groups them; PostgreSQL may hash the groups.
            f" WHERE r.directive_id = ? AND {scope} GROUP BY r.unit_id ORDER BY r.unit_id",
            (DirectiveKind.DIRECTIVE, directive_id, *params),
        )
        return [
            UnitTally(
                r["unit_id"],
                r["recipients"],
                r["sent"] or 0,
                r["acked"] or 0,
                r["unreachable"] or 0,
                r["failed"] or 0,
                r["pending"] or 0,
                r["withdrawn"] or 0,
            )
            for r in rows
        ]

    async def stragglers(self, directive_id: int, paths: Sequence[str] = ()) -> list[Straggler]:
        """Recipients (within ``paths``) who have not acknowledged, by unit then name."""
        scope, params = _scope_clause(paths)
        rows = await self.db.fetchall(
            "SELECT m.id, m.telegram_id, m.display_name, r.unit_id,"
            " o.status = 'unreachable' AS unreachable, o.status AS delivery"
            " FROM directive_recipients r JOIN members m ON m.id = r.member_id"
            " JOIN units u ON u.id = r.unit_id"
            " LEFT JOIN outbox o ON o.directive_id = r.directive_id AND o.member_id = r.member_id"
            " AND o.kind = ?"
            f" WHERE r.directive_id = ? AND r.acked_at IS NULL AND {scope}"
            " ORDER BY u.path, m.display_name",
            (DirectiveKind.DIRECTIVE, directive_id, *params),
        )
        return [
            Straggler(
                r["id"],
                r["telegram_id"],
                r["display_name"],
                r["unit_id"],
                bool(r["unreachable"]),
                r["delivery"],
            )
            for r in rows
        ]

    async def recipients(
        self, directive_id: int
    ) -> list[tuple[int, str, int, datetime | None, str | None, datetime | None]]:
        """Every recipient for an export: (member id, name, unit id, acked at, delivery
        status, sent at)."""
        rows = await self.db.fetchall(
            "SELECT m.id, m.display_name, r.unit_id, r.acked_at, o.status, o.sent_at"
            " FROM directive_recipients r JOIN members m ON m.id = r.member_id"
            " JOIN units u ON u.id = r.unit_id"
            " LEFT JOIN outbox o ON o.directive_id = r.directive_id AND o.member_id = r.member_id"
            " AND o.kind = ?"
            " WHERE r.directive_id = ? ORDER BY u.path, m.display_name",
            (DirectiveKind.DIRECTIVE, directive_id),
        )
        return [(r[0], r[1], r[2], _time(r[3]), r[4], _time(r[5])) for r in rows]

    async def recent(self, paths: Sequence[str], limit: int) -> list[Directive]:
        """Newest directives with a recipient or a target inside ``paths`` (all if empty)."""
        scope, params = _scope_clause(paths)
        rows = await self.db.fetchall(
            "SELECT * FROM directives WHERE id IN ("
            " SELECT t.directive_id FROM directive_targets t JOIN units u ON u.id = t.unit_id"
            f" WHERE {scope}"
            " UNION SELECT r.directive_id FROM directive_recipients r"
            f" JOIN units u ON u.id = r.unit_id WHERE {scope})"
            " ORDER BY id DESC LIMIT ?",
            (*params, *params, limit),
        )
        return [directive_of(r) for r in rows]

    async def cancel(self, directive_id: int, now: datetime) -> int | None:
        """Stop a directive that is scheduled or still sending, and every message of it not
        yet sent, in one transaction: those queued and those a worker has claimed (it
        checks the row again right before sending). Returns how many of its recipients'
        messages were held back, or None when it could no longer be withdrawn."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE directives SET status = 'cancelled', cancelled_at = ?"
                " WHERE id = ? AND status IN ('scheduled', 'sending')",
                (to_db_time(now), directive_id),
            )
            if cursor.rowcount != 1:
                return None
            held = await conn.execute_fetchall(
                "UPDATE outbox SET status = 'cancelled'"
                " WHERE directive_id = ? AND status IN ('pending', 'sending') RETURNING kind",
                (directive_id,),
            )
        return sum(1 for row in held if row[0] == DirectiveKind.DIRECTIVE)

    async def set_progress(
        self, directive_id: int, *, chat_id: int, message_id: int, text: str | None
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE directives SET progress_chat_id = ?, progress_message_id = ?,"
                " progress_text = ? WHERE id = ?",
                (chat_id, message_id, text, directive_id),
            )

    async def finish(self, directive_id: int, now: datetime) -> bool:
        """'sending' → 'sent' once nothing is left to send; a directive withdrawn while
        sending stays 'cancelled' and is closed the same way (``finished_at``), once."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE directives SET finished_at = ?, status = CASE status"
                " WHEN 'sending' THEN 'sent' ELSE status END WHERE id = ?"
                " AND (status = 'sending' OR (status = 'cancelled' AND finished_at IS NULL))"
                " AND NOT EXISTS (SELECT 1 FROM outbox WHERE"
                " directive_id = ? AND kind = ? AND status IN ('pending', 'sending'))",
                (to_db_time(now), directive_id, directive_id, DirectiveKind.DIRECTIVE),
            )
        return cursor.rowcount == 1

    async def newly_unreachable(self, directive_id: int, since: datetime) -> list[Straggler]:
        """Recipients found unreachable while this directive was sent (not before): their
        secretary hears of each once, not with every directive."""
        rows = await self.db.fetchall(
            "SELECT m.id, m.telegram_id, m.display_name, r.unit_id FROM directive_recipients r"
            " JOIN members m ON m.id = r.member_id JOIN units u ON u.id = r.unit_id"
            " WHERE r.directive_id = ? AND m.unreachable_since >= ?"
            " ORDER BY u.path, m.display_name",
            (directive_id, to_db_time(since)),
        )
        return [Straggler(r[0], r[1], r[2], r[3], True) for r in rows]
