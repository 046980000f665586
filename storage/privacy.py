"""Forgetting: the details of old days (data retention) and everything about one person
who asks for it. Counts survive both, so summaries of those days still add up."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from storage.db import Database, to_db_time
from storage.store import Connection


@dataclass(frozen=True, slots=True)
class Erased:
    """Rows whose details were blanked, per kind."""

    checkins: int = 0
    shifts: int = 0
    incidents: int = 0
    messages: int = 0  # sent messages whose text was dropped (a flag notice quotes answers)
    reasons: int = 0  # reasons given with answers to a directive's question (current ones)
    entries: int = 0  # register entries deactivated before the period: name, phone, email


class PrivacyRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def done_until(self) -> date | None:
        row = await self.db.fetchone(
            "SELECT done_until FROM retention_state WHERE name = 'details'"
        )
        return date.fromisoformat(row["done_until"]) if row else None

    async def erase_before(self, first_kept: date, since: date | None) -> Erased:
        """Blank check-in and leaders' report answers, shift reports, start locations and
        decline reasons, incident texts, photos and locations, and reasons given with
        answers, of the local days before ``first_kept`` (and from ``since``, where the last
        pass stopped); the rows and their flags stay."""
        low, high = (since or date.min).isoformat(), first_kept.isoformat()
        async with self.db.transaction() as conn:
            checkins = await conn.execute(
                "UPDATE checkins SET answers = '{}', figures = NULL"
                " WHERE day >= ? AND day < ? AND answers != '{}'",
                (low, high),
            )
            shifts = await conn.execute(
                "UPDATE shifts SET report = NULL, figures = NULL, start_lat = NULL,"
                " start_lon = NULL, decline_reason = NULL"
                " WHERE day >= ? AND day < ? AND (report IS NOT NULL"
                " OR start_lat IS NOT NULL OR decline_reason IS NOT NULL)",
                (low, high),
            )
            incidents = await conn.execute(
                "UPDATE incidents SET text = NULL, photo_file_id = NULL, lat = NULL, lon = NULL"
                " WHERE day >= ? AND day < ? AND (text IS NOT NULL OR photo_file_id IS NOT NULL"
                " OR lat IS NOT NULL)",
                (low, high),
            )
            # Messages already sent keep their delivery record, not their text nor the
            # address a fallback channel sent them to (migration 0028). Their
            # instants are UTC: a day's edge is hours off the local one, which is no matter
            # for messages weeks old.
            messages = await conn.execute(
                "UPDATE outbox SET payload = '{}', address = NULL WHERE created_at >= ?"
                " AND created_at < ? AND (payload != '{}' OR address IS NOT NULL)"
                " AND status NOT IN ('pending', 'sending')",
                (low, high),
            )
            # Reasons given with answers (UTC instants, as for messages); the choices stay.
            reasons = await conn.execute(
                "UPDATE directive_recipients SET answer_reason = NULL"
                " WHERE answer_reason IS NOT NULL AND answered_at >= ? AND answered_at < ?",
                (low, high),
            )
            await conn.execute(
                "UPDATE directive_answers SET reason = NULL"
                " WHERE reason IS NOT NULL AND at >= ? AND at < ?",
                (low, high),
            )
            # A secretary's reasons for not reaching someone by phone (migration 0031):
            # "not reached" still counts, without the why.
            await conn.execute(
                "UPDATE directive_recipients SET unreached = ''"
                " WHERE unreached IS NOT NULL AND unreached != '' AND (directive_id, member_id)"
                " IN (SELECT directive_id, member_id FROM directive_phone"
                " WHERE outcome = 'unreached' AND at >= ? AND at < ?)",
                (low, high),
            )
            await conn.execute(
                "UPDATE directive_phone SET reason = NULL"
                " WHERE reason IS NOT NULL AND at >= ? AND at < ?",
                (low, high),
            )
            # And for a day's check-in (migration 0036), by the local day it was for.
            await conn.execute(
                "UPDATE checkin_phone SET reason = NULL"
                " WHERE day >= ? AND day < ? AND reason IS NOT NULL",
                (low, high),
            )
            # Notes on how a flag was handled are details of the flagged day too.
            await conn.execute(
                "UPDATE flag_cases SET note = NULL WHERE day >= ? AND day < ? AND note IS NOT NULL",
                (low, high),
            )
            # The leaders' reports' answers; that a unit reported, when and by whom, stays.
            await conn.execute(
                "UPDATE leader_reports SET answers = '{}' WHERE day >= ? AND day < ?"
                " AND answers != '{}'",
                (low, high),
            )
            # Register entries deactivated (pruned) before the period: the person is gone
            # from the organisation; their phone and email are not kept (instants in UTC).
            await conn.execute(
                "DELETE FROM register_link_answers WHERE entry_id IN (SELECT id FROM"
                " register_entries WHERE active = 0 AND updated_at < ?)",
                (high,),
            )
            entries = await conn.execute(
                "UPDATE register_entries SET name = 'erased entry #' || id, phone = NULL,"
                " email = NULL, external_id = NULL, invite_hash = NULL WHERE active = 0"
                " AND updated_at < ? AND name != 'erased entry #' || id",
                (high,),
            )
            await conn.execute(
                "INSERT INTO retention_state (name, done_until) VALUES ('details', ?)"
                " ON CONFLICT (name) DO UPDATE SET done_until = excluded.done_until",
                (high,),
            )
        return Erased(
            checkins.rowcount,
            shifts.rowcount,
            incidents.rowcount,
            messages.rowcount,
            reasons.rowcount,
            entries.rowcount,
        )

    async def erase_entry(self, entry_id: int, placeholder: str, now: datetime) -> None:
        """See ``erase_entry``: a register entry of someone who never joined."""
        async with self.db.transaction() as conn:
            await erase_entry(conn, entry_id, placeholder, now)

    async def erase_member(self, member_id: int, placeholder: str, now: datetime) -> None:
        """Everything that says who the person was, or what they said, goes; what they
        counted for (a check-in that day, a shift, an acknowledgement) stays, nameless.
        Inside the caller's transaction."""
        stamp = to_db_time(now)
        dialect = self.db.dialect
        async with self.db.transaction() as conn:
            row = await (
                await conn.execute(
                    "SELECT telegram_id, display_name, username FROM members WHERE id = ?",
                    (member_id,),
                )
            ).fetchone()
            if row is None:
                return
            telegram_id = row[0]
            traces = Traces(telegram_id, row[1], row[2], placeholder)
            await conn.execute(
                "UPDATE members SET telegram_id = NULL, display_name = ?, username = NULL,"
                " active = 0, unreachable_since = NULL, updated_at = ? WHERE id = ?",
                (placeholder, stamp, member_id),
            )
            await conn.execute("DELETE FROM roles WHERE member_id = ?", (member_id,))
            await conn.execute("DELETE FROM menu_refresh WHERE member_id = ?", (member_id,))
            await conn.execute(
                "UPDATE checkins SET answers = '{}', figures = NULL WHERE member_id = ?",
                (member_id,),
            )
            await conn.execute(
                "UPDATE shifts SET report = NULL, figures = NULL, start_lat = NULL,"
                " start_lon = NULL, decline_reason = NULL"
                " WHERE member_id = ? OR declined_member_id = ?",
                (member_id, member_id),
            )
            await conn.execute(
                "UPDATE incidents SET text = NULL, photo_file_id = NULL, lat = NULL, lon = NULL"
                " WHERE member_id = ?",
                (member_id,),
            )
            # Their reasons for an answer, current and past; the choices still count.
            await conn.execute(
                "UPDATE directive_recipients SET answer_reason = NULL"
                " WHERE member_id = ? AND answer_reason IS NOT NULL",
                (member_id,),
            )
            await conn.execute(
                "UPDATE directive_answers SET reason = NULL WHERE member_id = ?", (member_id,)
            )
            # A secretary's reasons for not reaching them by phone (migrations 0031, 0036).
            await conn.execute(
                "UPDATE directive_recipients SET unreached = '' WHERE member_id = ?"
                " AND unreached IS NOT NULL AND unreached != ''",
                (member_id,),
            )
            await conn.execute(
                "UPDATE directive_phone SET reason = NULL WHERE member_id = ?"
                " AND reason IS NOT NULL",
                (member_id,),
            )
            await conn.execute(
                "UPDATE checkin_phone SET reason = NULL WHERE member_id = ? AND reason IS NOT NULL",
                (member_id,),
            )
            # Their flag cases keep counting (open, handled, escalated); the notes written
            # about them go, and any other note naming them is scrubbed below.
            await conn.execute(
                "UPDATE flag_cases SET note = NULL WHERE member_id = ? AND note IS NOT NULL",
                (member_id,),
            )
            # The fallback's messages to them (migration 0028) hold their address: those
            # not sent are not sent, and none keeps it (rows name the entry by chat_id).
            await conn.execute(
                "UPDATE outbox SET address = NULL, payload = '{}', status = CASE WHEN status IN"
                " ('pending', 'sending') THEN 'cancelled' ELSE status END"
                " WHERE channel != 'telegram' AND chat_id IN"
                " (SELECT id FROM register_entries WHERE member_id = ?)",
                (member_id,),
            )
            # The answers to link offers that name them (migration 0035) go with them.
            await conn.execute(
                "DELETE FROM register_link_answers WHERE member_id = ? OR entry_id IN"
                " (SELECT id FROM register_entries WHERE member_id = ?)",
                (member_id, member_id),
            )
            # Their register entry (phone, email: personal data) goes too; it stops counting.
            await conn.execute(
                "UPDATE register_entries SET name = ?, phone = NULL, email = NULL,"
                " external_id = NULL, invite_hash = NULL, active = 0, updated_at = ?"
                " WHERE member_id = ?",
                (placeholder, stamp, member_id),
            )
            # Messages not sent yet would reach a person who asked to be forgotten; those
            # sent keep their delivery record, not their text nor their chat.
            await conn.execute(
                "UPDATE outbox SET status = 'cancelled', error = 'member erased'"
                " WHERE member_id = ? AND status IN ('pending', 'sending')",
                (member_id,),
            )
            await conn.execute(
                "UPDATE outbox SET payload = '{}', chat_id = 0 WHERE member_id = ?", (member_id,)
            )
            # Messages to others about them (a flagged check-in with its answers, a
            # decline with its reason) are theirs too: not sent, and not kept.
            about = [
                row_id for row_id, _ in await _holding(conn, "outbox", "id", "payload", traces)
            ]
            about += [  # and those naming them by id, to be worded when sent
                row[0]
                for row in await conn.execute_fetchall(
                    f"SELECT id FROM outbox WHERE {dialect.json_text('payload', 'member')} = ?",
                    (str(member_id),),
                )
            ]
            await conn.executemany(
                "UPDATE outbox SET payload = '{}', status = CASE WHEN status IN"
                " ('pending', 'sending') THEN 'cancelled' ELSE status END WHERE id = ?",
                [(row_id,) for row_id in about],
            )
            await _scrub_column(conn, "audit_log", "id", "detail", traces, as_json=False)
            await _scrub_column(conn, "flag_cases", "id", "note", traces, as_json=False)
            if telegram_id is None:
                return
            await conn.execute(
                "UPDATE audit_log SET actor_telegram_id = 0 WHERE actor_telegram_id = ?",
                (telegram_id,),
            )
            # What Telegram sent from them is theirs: gone. Others' updates that mention
            # them (a secretary's "/leave @them") stay, with the placeholder.
            sender = " OR ".join(
                f"{dialect.json_text('payload', kind, 'from', 'id')} = ?1"
                for kind in ("message", "callback_query", "edited_message")
            )
            await conn.execute(f"DELETE FROM inbox WHERE {sender}", (str(telegram_id),))
            await _scrub_column(conn, "inbox", "update_id", "payload", traces, as_json=True)
            await conn.execute(
                "UPDATE join_requests SET display_name = ?, username = NULL, telegram_id = 0"
                " WHERE telegram_id = ?",
                (placeholder, telegram_id),
            )
            await conn.execute(
                "DELETE FROM join_request_messages WHERE chat_id = ?", (telegram_id,)
            )
            await conn.execute("DELETE FROM summary_chats WHERE chat_id = ?", (telegram_id,))
            await conn.execute(
                "UPDATE directives SET author_telegram_id = 0 WHERE author_telegram_id = ?",
                (telegram_id,),
            )
            await conn.execute(
                "UPDATE directives SET progress_chat_id = NULL WHERE progress_chat_id = ?",
                (telegram_id,),
            )
            await conn.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (telegram_id,))
            await conn.execute("DELETE FROM ptb_chat_data WHERE chat_id = ?", (telegram_id,))
            await conn.execute(
                "DELETE FROM ptb_conversations WHERE key LIKE ?", (f"[{telegram_id},%",)
            )


async def erase_entry(conn: Connection, entry_id: int, placeholder: str, now: datetime) -> None:
    """A register entry nobody joined through (someone who never joined): its name,
    phone, email and ids, the fallback's messages to it (not sent, and not kept) and
    its name in the audit log. Inside the caller's transaction."""
    row = await (
        await conn.execute("SELECT name FROM register_entries WHERE id = ?", (entry_id,))
    ).fetchone()
    if row is None:
        return
    await conn.execute(
        "UPDATE outbox SET address = NULL, payload = '{}', status = CASE WHEN status IN"
        " ('pending', 'sending') THEN 'cancelled' ELSE status END"
        " WHERE channel != 'telegram' AND chat_id = ?",
        (entry_id,),
    )
    await conn.execute("DELETE FROM register_link_answers WHERE entry_id = ?", (entry_id,))
    await conn.execute(
        "UPDATE register_entries SET name = ?, phone = NULL, email = NULL, external_id = NULL,"
        " invite_hash = NULL, active = 0, updated_at = ? WHERE id = ?",
        (placeholder, to_db_time(now), entry_id),
    )
    traces = Traces(None, row[0], None, placeholder)
    await _scrub_column(conn, "audit_log", "id", "detail", traces, as_json=False)


@dataclass(frozen=True, slots=True)
class Traces:
    """What identifies an erased person in free text: their Telegram id, name and
    username; each is replaced by the placeholder."""

    telegram_id: int | None
    display_name: str
    username: str | None
    placeholder: str

    def needles(self) -> list[str]:
        found = [self.display_name, html.escape(self.display_name, quote=False)]
        if self.username:
            found.append(self.username)
        if self.telegram_id is not None:
            found.append(str(self.telegram_id))
        return sorted({n for n in found if n}, key=len, reverse=True)

    def pattern(self) -> re.Pattern[str]:
        # Bounded by no ASCII letter or digit: "Ann" is not in "Annual", nor 42 in 4217;
        # CJK text has no spaces, so a Chinese name is found inside a sentence.
        words = "|".join(re.escape(n) for n in self.needles())
        return re.compile(rf"(?<![A-Za-z0-9_])(?:{words})(?![A-Za-z0-9_])", re.IGNORECASE)

    def scrub(self, value: Any) -> Any:
        """``value`` (decoded JSON, or a string) with every trace replaced."""
        if isinstance(value, str):
            return self.pattern().sub(self.placeholder, value)
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return 0 if value == self.telegram_id else value
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        return value


async def _scrub_column(
    conn: Connection,
    table: str,
    key: str,
    column: str,
    traces: Traces,
    *,
    as_json: bool,
) -> None:
    """Rewrite the rows of ``table`` whose ``column`` holds a trace, with the placeholder
    in its place."""
    for row_key, text in await _holding(conn, table, key, column, traces):
        if as_json:
            scrubbed = json.dumps(traces.scrub(json.loads(text)), ensure_ascii=False)
        else:
            scrubbed = traces.scrub(text)
        if scrubbed != text:
            await conn.execute(
                f"UPDATE {table} SET {column} = ? WHERE {key} = ?",
                (scrubbed, row_key),
            )


async def _holding(
    conn: Connection, table: str, key: str, column: str, traces: Traces
) -> list[tuple[Any, str]]:
    """(key, text) of the rows whose ``column`` holds a trace. SQL's LIKE picks the few
    candidates; the pattern decides (a bare substring would also match "Annual")."""
    needles = traces.needles()
    where = " OR ".join(f"lower({column}) LIKE ? ESCAPE '!'" for _ in needles)
    rows = await conn.execute_fetchall(
        f"SELECT {key}, {column} FROM {table} WHERE {where}",
        ["%" + re.sub("([!%_])", r"!\1", n.lower()) + "%" for n in needles],
    )
    pattern = traces.pattern()
    return [(row[0], row[1]) for row in rows if pattern.search(row[1])]
