"""The outbox: every message sent in bulk or on a schedule, as a row with a state.

The delivery worker claims due rows ('pending' → 'sending'), sends them and records the
verdict row by row, so the table alone says what is left to do after a crash or restart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from storage.db import Database, from_db_time, to_db_time
from storage.returning import new_id
from storage.store import Connection, Row

_COLUMNS = (
    "id, kind, chat_id, member_id, directive_id, priority, payload, status, attempts,"
    " next_attempt_at, message_id, sent_at, error, created_at, channel, address"
)
# Telegram's rows; the fallback channels' (email, the SMS gateway) drain in a lane of their
# own (bot/delivery/channels/lane.py), so neither claims, recovers nor waits on the other's.
TELEGRAM = "telegram"
_TELEGRAM_ROW = "channel = 'telegram'"
# Verdicts are final: nothing moves a row out of them.
_OPEN = "status IN ('pending', 'sending')"
# What marking a row sent sets besides its message id and time.
_SENT = "status = 'sent', error = NULL, attempts = attempts + 1"
# (row id, message id, when) of a group marked sent at once.
_SENT_TYPES = ("BIGINT", "BIGINT", "TEXT")


class Priority(IntEnum):
    """How urgently an outbox row goes out: the claim order takes the lowest value first,
    so a notice or a reminder overtakes a directive to thousands."""

    NOTICE = 0  # what happened, to the person it concerns: an alert, a reply to an action
    REMINDER = 5  # a reminder, a prompt or a summary due now: ahead of bulk
    BULK = 9  # a directive to many members


# Claim order: most urgent first (lowest Priority), then oldest due, then oldest queued.
_URGENCY = "priority, next_attempt_at, id"
# A pending row waits while an older row to its chat, as urgent or more, is pending too
# (waiting for a retry): a chat's messages keep their order however often each is retried,
# and only a more urgent message overtakes. Rows are queued when they fall due (the
# database is the schedule), so the id is that order. Rows being sent do not hold later
# ones back: the worker sends a chat's rows one at a time, in claim order, and holds back
# the rest of a chat's rows when one of them is to be retried (DeliveryEngine._pump).
_HEAD_OF_CHAT = (
    "NOT EXISTS (SELECT 1 FROM outbox AS older WHERE older.status = 'pending'"
    " AND older.channel = 'telegram' AND older.chat_id = outbox.chat_id"
    " AND older.priority <= outbox.priority"
    " AND older.id < outbox.id)"
)


# On PostgreSQL, several instances drain one outbox (issue #20): a chat with a row in
# flight on another instance (claimed by other than ?1) waits for it, so its rows still go
# one at a time in claim order. A chat in flight on this one is held back in memory, as
# SQLite's one worker does (DeliveryEngine._choose), so its later rows still come in the
# same burst.
_NOT_IN_FLIGHT = (
    "NOT EXISTS (SELECT 1 FROM outbox AS busy WHERE busy.status = 'sending'"
    " AND busy.channel = 'telegram' AND busy.chat_id = outbox.chat_id"
    " AND busy.claimed_by IS DISTINCT FROM ?1)"
)


# PostgreSQL's claim: rows another instance is claiming at this moment are skipped, not
# waited for, and never taken twice. The claimed rows come back with their chat's last
# send (whichever instance made it) and, for a group, the send that opens its last
# minute's window (OFFSET the group limit less one), so the pacer holds the chat for them.
# The rows are picked once (MATERIALIZED): as a plain `id IN (SELECT … LIMIT … FOR
# UPDATE)` the planner may run the pick again for every outbox row (a nested loop, when
# the table's statistics say it is nearly empty), each run skipping the rows this
# statement has already updated and locking the next: one claim took every due row.
def _claim_postgresql(lock: str) -> str:
    return (
        "WITH picked AS MATERIALIZED (SELECT id FROM outbox"
        f" WHERE status = 'pending' AND {_TELEGRAM_ROW} AND next_attempt_at <= ?2"
        f" AND {_HEAD_OF_CHAT} AND {_NOT_IN_FLIGHT}"
        f" ORDER BY {_URGENCY} LIMIT ?3 {lock}),"
        " claimed AS (UPDATE outbox SET status = 'sending', claimed_by = ?1"
        f" WHERE id IN (SELECT id FROM picked) RETURNING {_COLUMNS})"
        " SELECT claimed.*,"
        " (SELECT MAX(sent.sent_at) FROM outbox AS sent WHERE sent.status = 'sent'"
        " AND sent.chat_id = claimed.chat_id) AS chat_sent_at,"
        " CASE WHEN claimed.chat_id < 0 THEN (SELECT sent.sent_at FROM outbox AS sent"
        " WHERE sent.status = 'sent' AND sent.chat_id = claimed.chat_id"
        " ORDER BY sent.sent_at DESC LIMIT 1 OFFSET ?4) END AS group_window_at"
        " FROM claimed"
    )


# An instance's claim skips the rows another claim (or a write of its own: a retry being
# recorded) holds, rather than wait; the next claim finds them. A claim without an
# instance (a test's or a benchmark's lone engine, whose drain() ends at the first empty
# claim) waits for them, as SQLite's does.
_CLAIM_POSTGRESQL = _claim_postgresql("FOR UPDATE SKIP LOCKED")
_CLAIM_POSTGRESQL_ALONE = _claim_postgresql("FOR UPDATE")
_CLAIM_SQLITE = (
    "UPDATE outbox SET status = 'sending' WHERE id IN (SELECT id FROM outbox"
    f" WHERE status = 'pending' AND {_TELEGRAM_ROW} AND next_attempt_at <= ?"
    f" AND {_HEAD_OF_CHAT}"
    f" ORDER BY {_URGENCY} LIMIT ?) RETURNING {_COLUMNS}"
)
# A row in flight whose instance is gone: no instance holds a live lease under its
# claimed_by (or none was stamped), or it is the caller's own from before a restart.
_LOST = (
    "status = 'sending' AND (claimed_by IS NULL OR claimed_by = ?"
    " OR NOT EXISTS (SELECT 1 FROM instances WHERE instances.id = outbox.claimed_by"
    " AND instances.expires_at > ?))"
)


@dataclass(frozen=True, slots=True)
class ChatSends:
    """What the store knows of a chat's last sends, from every instance (PostgreSQL's
    claim): the last one, and for a group the one that opens its last minute's window
    (None while the group has had fewer sends than its limit)."""

    last: datetime | None
    window_from: datetime | None = None


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    UNREACHABLE = "unreachable"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to queue; ``payload`` is whatever the renderer for ``kind`` needs."""

    kind: str
    chat_id: int
    member_id: int | None
    directive_id: int | None
    priority: Priority
    payload: dict[str, Any]
    not_before: datetime
    # Off Telegram (migration 0028): the channel and the address there; ``chat_id`` then
    # only orders the row among its person's.
    channel: str = TELEGRAM
    address: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    kind: str
    chat_id: int
    member_id: int | None
    directive_id: int | None
    priority: Priority
    payload: dict[str, Any] = field(repr=False)
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    message_id: int | None
    sent_at: datetime | None
    error: str | None
    created_at: datetime
    channel: str = TELEGRAM
    address: str | None = field(default=None, repr=False)


def _row(row: Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        kind=row["kind"],
        chat_id=row["chat_id"],
        member_id=row["member_id"],
        directive_id=row["directive_id"],
        priority=Priority(row["priority"]),
        payload=json.loads(row["payload"]),
        status=OutboxStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=from_db_time(row["next_attempt_at"]),
        message_id=row["message_id"],
        sent_at=from_db_time(row["sent_at"]) if row["sent_at"] else None,
        error=row["error"],
        created_at=from_db_time(row["created_at"]),
        channel=row["channel"],
        address=row["address"],
    )


def _dump(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _skip_locked(db: Database) -> str:
    """What ends a claim's ``SELECT`` on PostgreSQL, where several instances claim at once:
    rows another claim holds are skipped, not waited for. Nothing on SQLite, whose one
    writer at a time needs no row locks."""
    return " FOR UPDATE SKIP LOCKED" if db.dialect.postgresql else ""


def _marks(ids: Sequence[object]) -> str:
    return ",".join("?" * len(ids))


def _rows_of(types: Sequence[str], count: int) -> str:
    """``(CAST(? AS t1), CAST(? AS t2)), (?, ?)`` for ``count`` rows of parameters typed
    ``types`` (a VALUES list). PostgreSQL types a VALUES column by its first row and would
    read bare parameters as text; SQLite's CAST of an integer to INTEGER changes nothing."""
    first = "(" + ",".join(f"CAST(? AS {t})" for t in types) + ")"
    return ",".join([first] + ["(" + ",".join("?" * len(types)) + ")"] * (count - 1))


_INSERT = (
    "INSERT INTO outbox (kind, chat_id, member_id, directive_id, priority, payload,"
    " next_attempt_at, created_at, channel, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _values(message: NewMessage, stamp: str) -> tuple[object, ...]:
    """``_INSERT``'s parameters for ``message``, queued at ``stamp``."""
    return (
        message.kind,
        message.chat_id,
        message.member_id,
        message.directive_id,
        message.priority,
        _dump(message.payload),
        to_db_time(message.not_before),
        stamp,
        message.channel,
        message.address,
    )


# PostgreSQL plans the claim from the outbox's statistics. Rows queued in a surge (a
# directive's fan-out, a round of reminders) into an outbox analysed when it held no
# pending rows, or never analysed (a new database), look like a handful to it: the claim's
# NOT EXISTS became nested loops over every pending row, 12 s a claim at 10,000 rows, until
# autovacuum analysed the table up to a minute later (docs/reliability.md, finding 7).
# Analysing in the surge's transaction (it counts its own new rows) costs a sample of at
# most 30,000 rows. SQLite's claim has no such plan to lose.
SURGE_ROWS = 1_000


async def after_surge(db: Database, conn: Connection, rows: int) -> None:
    """After queueing ``rows`` rows in ``conn``'s transaction: on PostgreSQL, when they are
    a surge, the outbox's statistics brought up to date."""
    if rows >= SURGE_ROWS and db.dialect.postgresql:
        await conn.execute("ANALYZE outbox")


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue_many(
        self, conn: Connection, rows: Iterable[NewMessage], now: datetime
    ) -> None:
        """Queue ``rows`` inside the caller's transaction, so that they exist exactly when
        whatever caused them is committed."""
        stamp = to_db_time(now)
        values = [_values(r, stamp) for r in rows]
        await conn.executemany(_INSERT, values)
        await after_surge(self.db, conn, len(values))

    async def enqueue(self, message: NewMessage, now: datetime) -> int:
        """Queue one message in its own transaction; return its id."""
        async with self.db.transaction() as conn:
            return await new_id(conn, _INSERT + " RETURNING id", _values(message, to_db_time(now)))

    async def get(self, row_id: int) -> OutboxRow | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (row_id,))
        return _row(row) if row else None

    async def last_sent(self, kind: str, member_id: int, **payload: str | int) -> int | None:
        """The Telegram message id of the newest ``kind`` row sent to ``member_id`` whose
        payload has each of these keys with its value (e.g. the offer of one shift,
        ``shift=7``), to edit it later."""
        assert payload, "say which row"
        field = self.db.dialect.json_text_of_key("payload")
        matches = "".join(f" AND {field} = ?" for _ in payload)
        # Compared as text: the same on both stores, whatever JSON type the value has.
        pairs = (part for key, value in payload.items() for part in (key, str(value)))
        row = await self.db.fetchone(
            "SELECT message_id FROM outbox WHERE member_id = ? AND kind = ? AND status = 'sent'"
            f"{matches} ORDER BY id DESC LIMIT 1",
            (member_id, kind, *pairs),
        )
        return int(row["message_id"]) if row and row["message_id"] is not None else None

    async def claim(
        self,
        now: datetime,
        limit: int,
        *,
        by: str | None = None,
        group_limit: int = 20,
        chats: dict[int, ChatSends] | None = None,
    ) -> list[OutboxRow]:
        """Take up to ``limit`` due rows, most urgent first, and mark them 'sending' in the
        same statement, so no other claim can take them too. A row held back by an older
        one to its chat (see ``_HEAD_OF_CHAT``) is not due yet.

        On PostgreSQL the rows are stamped ``by`` (the instance's id, see
        ``recover_lost``), a chat with a row in flight on any instance is not due either,
        and ``chats`` (when given) is filled with what the store knows of each claimed
        chat's last sends (``group_limit``: the sends a group may have in a minute)."""
        if self.db.dialect.postgresql:
            rows = await self.db.write_returning(
                _CLAIM_POSTGRESQL if by is not None else _CLAIM_POSTGRESQL_ALONE,
                (by, to_db_time(now), limit, group_limit - 1),
            )
            if chats is not None:
                for r in rows:
                    last, window = r["chat_sent_at"], r["group_window_at"]
                    if last is not None:
                        chats[r["chat_id"]] = ChatSends(
                            from_db_time(last), from_db_time(window) if window else None
                        )
        else:
            # One statement, so one transaction, done on the event loop's own connection
            # when nothing else is writing (see Database.write_inline).
            rows = await self.db.write_returning(_CLAIM_SQLITE, (to_db_time(now), limit))
        # RETURNING promises no order; the stored times sort as they compare.
        ordered = sorted(rows, key=lambda r: (r["priority"], r["next_attempt_at"], r["id"]))
        return [_row(r) for r in ordered]

    async def still_claimed(self, row_id: int, *, by: str | None = None) -> bool:
        """Whether a claimed row is still to be sent: nothing settled it while it waited
        (a withdrawn directive cancels the rows a worker has claimed too), and, with
        ``by``, it is still that instance's (an instance paused past its lease finds its
        rows taken back and claimed by another, which sends them)."""
        if by is None:
            row = await self.db.fetchone_inline("SELECT status FROM outbox WHERE id = ?", (row_id,))
            return row is not None and row["status"] == OutboxStatus.SENDING
        row = await self.db.fetchone_inline(
            "SELECT status, claimed_by FROM outbox WHERE id = ?", (row_id,)
        )
        return row is not None and row["status"] == OutboxStatus.SENDING and row["claimed_by"] == by

    async def release(self, ids: Sequence[int]) -> None:
        """Claimed but never sent (a graceful stop): back to 'pending', as they were."""
        if not ids:
            return
        async with self.db.transaction() as conn:
            await conn.execute(
                f"UPDATE outbox SET status = 'pending', claimed_by = NULL"
                f" WHERE status = 'sending' AND id IN ({_marks(ids)})",
                list(ids),
            )

    async def release_claims(self, by: str) -> int:
        """Every row ``by`` still has in flight back to 'pending' (an instance's graceful
        stop, after its workers finished); return how many."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE outbox SET status = 'pending', claimed_by = NULL"
                " WHERE status = 'sending' AND claimed_by = ?",
                (by,),
            )
        return cursor.rowcount

    async def recover_lost(self, now: datetime, *, mine: str | None = None) -> int:
        """Rows in flight on an instance whose lease has run out at ``now`` (it crashed,
        or lost the database), on any channel, go back to 'pending'; return how many. A
        live instance's are never taken. ``mine``: an instance starting again under its
        old id takes back its previous life's rows too."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE outbox SET status = 'pending', claimed_by = NULL WHERE {_LOST}",
                (mine, to_db_time(now)),
            )
        return cursor.rowcount

    async def recover(self) -> int:
        """Rows a crashed process left 'sending' go back to 'pending'; return how many.

        Call before the worker starts: each may have reached Telegram just before the
        crash, which is the one duplicate a crash is allowed to cause."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE outbox SET status = 'pending' WHERE status = 'sending' AND {_TELEGRAM_ROW}"
            )
        return cursor.rowcount

    # ------------------------------------------------------------ the channels' lane

    async def claim_channel(
        self, channel: str, now: datetime, *, by: str | None = None
    ) -> OutboxRow | None:
        """Take the most urgent due row of a fallback channel, marking it 'sending' (and
        ``by``, the instance's id) in the same statement (one at a time: a channel sends
        a few a second at most). Another instance's claim under way is skipped."""
        rows = await self.db.write_returning(
            "UPDATE outbox SET status = 'sending', claimed_by = ? WHERE id = (SELECT id"
            " FROM outbox WHERE status = 'pending' AND channel = ? AND next_attempt_at <= ?"
            f" ORDER BY {_URGENCY} LIMIT 1{_skip_locked(self.db)})"
            f" RETURNING {_COLUMNS}",
            (by, channel, to_db_time(now)),
        )
        return _row(rows[0]) if rows else None

    async def recover_channels(self, channels: Sequence[str]) -> int:
        """``recover`` for the fallback channels' rows (their lane starts on its own)."""
        if not channels:
            return 0
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE outbox SET status = 'pending' WHERE status = 'sending'"
                f" AND channel IN ({_marks(channels)})",
                list(channels),
            )
        return cursor.rowcount

    async def next_channel_due_at(self, channels: Sequence[str]) -> datetime | None:
        if not channels:
            return None
        row = await self.db.fetchone(
            "SELECT MIN(next_attempt_at) AS at FROM outbox WHERE status = 'pending'"
            f" AND channel IN ({_marks(channels)})",
            list(channels),
        )
        return from_db_time(row["at"]) if row and row["at"] else None

    async def mark_delivered(self, row_id: int, now: datetime) -> None:
        """A fallback channel took the message (there is no Telegram message id)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                f"UPDATE outbox SET {_SENT}, sent_at = ? WHERE id = ? AND {_OPEN}",
                (to_db_time(now), row_id),
            )

    async def set_payload(self, row_id: int, payload: dict[str, Any]) -> None:
        """Record progress within one row (e.g. its attachment went out) before the rest."""
        async with self.db.transaction() as conn:
            await conn.execute(
                f"UPDATE outbox SET payload = ? WHERE id = ? AND {_OPEN}", (_dump(payload), row_id)
            )

    async def mark_sent(self, row_id: int, message_id: int, now: datetime) -> None:
        """Delivered; a delivery also proves the member reachable again."""
        await self.mark_sent_many([(row_id, message_id, now)])

    async def mark_sent_many(self, sent: Sequence[tuple[int, int, datetime]]) -> None:
        """Several (row id, message id, when) at once: the worker commits the sends that
        finished together as a group."""
        # One statement, so one transaction (the outbox_sent trigger clears the member's
        # flag), on the event loop's own connection: the hottest write in Muster.
        if len(sent) == 1:  # the usual case, where a join would cost more than the row
            [(row_id, message_id, at)] = sent
            await self.db.write_inline(
                f"UPDATE outbox SET {_SENT}, message_id = ?, sent_at = ? WHERE id = ? AND {_OPEN}",
                (message_id, to_db_time(at), row_id),
            )
        elif sent:
            await self.db.write_inline(
                f"UPDATE outbox SET {_SENT}, message_id = v.column2, sent_at = v.column3"
                f" FROM (VALUES {_rows_of(_SENT_TYPES, len(sent))}) AS v"
                f" WHERE outbox.id = v.column1 AND {_OPEN}",
                [
                    x
                    for row_id, message_id, at in sent
                    for x in (row_id, message_id, to_db_time(at))
                ],
            )

    async def mark_retry(
        self, row_id: int, next_attempt_at: datetime, error: str, count_attempt: bool
    ) -> None:
        """Back to 'pending' until ``next_attempt_at``; a flood wait is not the message's
        fault, so it does not count towards the attempt limit."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET status = 'pending', next_attempt_at = ?, error = ?,"
                f" attempts = attempts + ? WHERE id = ? AND {_OPEN}",
                (to_db_time(next_attempt_at), error, int(count_attempt), row_id),
            )

    async def mark_unreachable(self, row_id: int, error: str, now: datetime) -> None:
        """The chat is gone or blocked us; its member is flagged so they can be chased
        another way (an earlier flag keeps its date)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET status = 'unreachable', error = ?, attempts = attempts + 1"
                f" WHERE id = ? AND {_OPEN}",
                (error, row_id),
            )
            await conn.execute(
                "UPDATE members SET unreachable_since = ? WHERE unreachable_since IS NULL"
                " AND id = (SELECT member_id FROM outbox WHERE id = ?)",
                (to_db_time(now), row_id),
            )

    async def mark_failed(self, row_id: int, error: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET status = 'failed', error = ?, attempts = attempts + 1"
                f" WHERE id = ? AND {_OPEN}",
                (error, row_id),
            )

    async def mark_cancelled(self, row_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                f"UPDATE outbox SET status = 'cancelled' WHERE id = ? AND {_OPEN}", (row_id,)
            )

    async def counts(self, directive_id: int, kind: str) -> dict[str, int]:
        """Rows per status (every status present, zero if none), for progress and tallies;
        keys are :class:`OutboxStatus` members, so plain strings work too."""
        rows = await self.db.fetchall(
            "SELECT status, COUNT(*) AS n FROM outbox WHERE directive_id = ? AND kind = ?"
            " GROUP BY status",
            (directive_id, kind),
        )
        found = {str(r["status"]): int(r["n"]) for r in rows}
        return {status: found.get(status, 0) for status in OutboxStatus}

    async def next_due_at(self, *, by: str | None = None) -> datetime | None:
        """When the earliest pending row falls due, so the worker knows how long to sleep;
        a row held back by an older one falls due with it, not on its own time."""
        if self.db.dialect.postgresql:
            # A chat in flight on another instance than ``by`` is that one's to go on
            # with: counting it due would have this one claim nothing, again and again.
            row = await self.db.fetchone(
                "SELECT MIN(next_attempt_at) AS at FROM outbox WHERE status = 'pending'"
                f" AND {_TELEGRAM_ROW} AND {_HEAD_OF_CHAT} AND {_NOT_IN_FLIGHT}",
                (by,),
            )
        else:
            row = await self.db.fetchone(
                "SELECT MIN(next_attempt_at) AS at FROM outbox"
                f" WHERE status = 'pending' AND {_TELEGRAM_ROW} AND {_HEAD_OF_CHAT}"
            )
        return from_db_time(row["at"]) if row and row["at"] else None
