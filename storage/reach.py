"""How each recipient of a directive was reached, and how long it took (issue #18,
migration 0031): on Telegram, by a fallback channel, by phone (recorded on their behalf
by a secretary), or not at all; and what a secretary recorded after a phone call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from storage.db import Database, from_db_time, to_db_time
from storage.directives import DirectiveKind, _scope_clause
from storage.fallback import KIND as FALLBACK_KIND
from storage.models import Unit
from storage.units import subtree_bounds


class How(StrEnum):
    """How a recipient was reached: the first acknowledgement or answer's path."""

    TELEGRAM = "telegram"
    EMAIL = "email"  # a fallback channel's signed link (bot/fallback)
    GATEWAY = "gateway"  # an SMS reply code through the gateway
    PHONE = "phone"  # recorded on their behalf by a secretary
    UNREACHED = "unreached"  # silent, and Telegram refused them or a secretary could not
    SILENT = "silent"  # not (yet) heard from


class Lines(StrEnum):
    """How ``ReachRepository.lines`` groups a subtree's recipients."""

    BELOW = "below"  # per unit one level below the root (its own under the root), as
    # the headcount's lines (``AnswerRepository.rolled_up``)
    UNIT = "unit"  # per unit where they were asked
    ALL = "all"  # the whole subtree, under the root's path


class Outcome(StrEnum):
    """What a secretary recorded after calling a member."""

    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"
    UNREACHED = "unreached"


class EntryState(StrEnum):
    """Where a directive's fallback stands for a register entry not on Telegram."""

    ACKED = "acked"  # acknowledged (or answered) by the email's link or the SMS reply code
    SENT = "sent"
    TO_GO = "to_go"  # queued, or being retried
    FAILED = "failed"  # every attempt failed: not reached
    NO_ADDRESS = "no_address"  # the fallback fired; none of its channels has an address
    NOT_SENT = "not_sent"  # no fallback (yet): none configured, no deadline, or withdrawn


@dataclass(frozen=True, slots=True)
class EntryReach:
    """A register entry in a directive's audience who is not among its recipients: never
    joined (or joined after it was sent), and how the fallback reached them. ``channel``:
    the fallback's ('email', 'gateway'), or how the acknowledgement came back; no address."""

    entry_id: int
    name: str
    unit: Unit
    joined: bool  # joined Telegram since it was sent (still not one of its recipients)
    state: EntryState
    channel: str | None
    sent: datetime | None
    acked: datetime | None
    choice: int | None  # a question's answer given on the link's page


@dataclass(frozen=True, slots=True)
class Recipient:
    """A recipient as a phone record needs them: where asked, and whether heard from."""

    member_id: int
    name: str
    unit_id: int
    acked_at: datetime | None
    answered: bool


@dataclass(frozen=True, slots=True)
class MemberReach:
    """How one recipient was reached; ``by``: the secretary who recorded it by phone;
    ``note``: why they could not be reached (a secretary's words)."""

    how: How
    by: str | None = None
    note: str | None = None


@dataclass(slots=True)
class Reached:
    """One line of a directive's view: recipients by how they were reached, and the
    reach time (seconds from send to acknowledgement or answer) at p50 and p90."""

    counts: dict[How, int] = field(default_factory=dict)
    p50: float | None = None
    p90: float | None = None

    @property
    def reached(self) -> int:
        return sum(n for how, n in self.counts.items() if how not in (How.SILENT, How.UNREACHED))


@dataclass(frozen=True, slots=True)
class Told:
    """A phone record the member has not been told of yet."""

    id: int
    directive_id: int
    directive_text: str
    outcome: Outcome
    choice: int | None
    by: str | None
    at: datetime


# Each recipient of ?1 with how they were reached and, if they were, after how many
# seconds. The first acknowledgement counts: a fallback channel's when it came first
# (migration 0028 keeps it per member), else the phone's when a secretary recorded it.
_HOW = (
    "SELECT r.member_id, r.unit_id, CASE"
    " WHEN r.acked_at IS NULL THEN CASE WHEN r.unreached IS NOT NULL"
    " OR o.status = 'unreachable' THEN 'unreached' ELSE 'silent' END"
    " WHEN r.on_behalf_by IS NOT NULL THEN 'phone'"
    " WHEN f.acked_at IS NOT NULL AND f.acked_at <= r.acked_at THEN f.via"
    " ELSE 'telegram' END AS how,"
    " MAX(0, (julianday(r.acked_at) - julianday(COALESCE(o.sent_at, d.send_at))) * 86400)"
    " AS took, r.on_behalf_by, r.unreached"
    " FROM directive_recipients r JOIN directives d ON d.id = r.directive_id"
    " LEFT JOIN outbox o ON o.directive_id = r.directive_id AND o.member_id = r.member_id"
    " AND o.kind = ?2"
    " LEFT JOIN (SELECT member_id, via, MIN(acked_at) AS acked_at FROM fallback_recipients"
    " WHERE directive_id = ?1 AND acked_at IS NOT NULL AND member_id IS NOT NULL"
    " GROUP BY member_id) f ON f.member_id = r.member_id"
    " WHERE r.directive_id = ?1"
)


# The active register entries of ?1's target units (a subtree target: its units below too)
# inside the viewer's scope that are not its recipients: who never joined, or joined after
# it was sent (a recipient who is an entry is shown as the member). Not the author, and
# not for a follow-up (its audience is chosen Telegram answerers). Driven by the units (a
# path range, then each unit's entries by index); the fallback's outbox rows of ?1 are read
# once (their entry is the row's chat_id, which no index covers): grouped by it, one row
# each, so SQLite indexes them on the fly (an automatic index) instead of scanning them all
# for every entry (1.5 s, not 0.1 s, for 5,000 entries; docs/benchmarks.md).
_ENTRIES = (
    "WITH o AS MATERIALIZED (SELECT chat_id, MAX(status) AS status, MAX(sent_at) AS sent_at"
    " FROM outbox WHERE directive_id = ?1 AND kind = ?2 GROUP BY chat_id)"
    " SELECT e.id, e.name, u.id, u.code, u.name, u.parent_id, u.path, u.depth, u.timezone,"
    " m.telegram_id IS NOT NULL, CASE WHEN f.acked_at IS NOT NULL THEN 'acked'"
    " WHEN f.entry_id IS NULL THEN CASE WHEN d.fallback_at IS NULL"
    " OR e.created_at > d.fallback_at THEN 'not_sent' ELSE 'no_address' END"
    " WHEN o.status = 'sent' THEN 'sent' WHEN o.status = 'failed' THEN 'failed'"
    " WHEN o.status IN ('pending', 'sending') THEN 'to_go' ELSE 'not_sent' END,"
    " COALESCE(f.via, f.channel), o.sent_at, f.acked_at, f.answer_choice"
    " FROM directives d JOIN units u JOIN register_entries e"
    " ON e.unit_id = u.id AND e.active = 1"
    " LEFT JOIN members m ON m.id = e.member_id"
    " LEFT JOIN fallback_recipients f ON f.directive_id = d.id AND f.entry_id = e.id"
    " LEFT JOIN o ON o.chat_id = e.id"
    " WHERE d.id = ?1 AND d.follow_up_of IS NULL AND {scope}"
    " AND EXISTS (SELECT 1 FROM directive_targets t JOIN units tu ON tu.id = t.unit_id"
    " WHERE t.directive_id = ?1 AND (t.unit_id = u.id OR (t.subtree AND u.path >= tu.path"
    " AND u.path < substr(tu.path, 1, length(tu.path) - 1) || '0')))"
    " AND NOT EXISTS (SELECT 1 FROM directive_recipients r"
    " WHERE r.directive_id = ?1 AND r.member_id = e.member_id)"
    " AND (m.telegram_id IS NULL OR m.telegram_id != d.author_telegram_id)"
    " ORDER BY u.path, e.name, e.id"
)


def _nearest_rank(spread: dict[int, int], percent: int) -> int:
    """The value at rank ⌈n × percent / 100⌉ of ``spread`` (value: how many have it)."""
    rank = -(-sum(spread.values()) * percent // 100)
    seen = 0
    for value in sorted(spread):
        seen += spread[value]
        if seen >= rank:
            return value
    raise ValueError("an empty spread has no rank")


class ReachRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def recipient(self, directive_id: int, member_id: int) -> Recipient | None:
        row = await self.db.fetchone(
            "SELECT r.member_id, m.display_name, r.unit_id, r.acked_at,"
            " r.answer_choice IS NOT NULL FROM directive_recipients r"
            " JOIN members m ON m.id = r.member_id WHERE r.directive_id = ? AND r.member_id = ?",
            (directive_id, member_id),
        )
        if row is None:
            return None
        acked = from_db_time(row[3]) if row[3] else None
        return Recipient(int(row[0]), str(row[1]), int(row[2]), acked, bool(row[4]))

    async def record(
        self,
        directive_id: int,
        member_id: int,
        by_member_id: int | None,
        outcome: Outcome,
        now: datetime,
        *,
        choice: int | None = None,
        number: int | None = None,
        reason: str | None = None,
    ) -> bool:
        """Record a phone call's outcome, once: False (nothing written) when the member
        was heard from meanwhile (by any path, a second press of the same flow too).
        The recipient row and the history in one transaction; an answer's triggers keep
        the counts (migration 0020)."""
        stamp = to_db_time(now)
        async with self.db.transaction() as conn:
            if outcome is Outcome.ACKNOWLEDGED:
                cursor = await conn.execute(
                    "UPDATE directive_recipients SET acked_at = ?, on_behalf_by = ?"
                    " WHERE directive_id = ? AND member_id = ? AND acked_at IS NULL",
                    (stamp, by_member_id, directive_id, member_id),
                )
            elif outcome is Outcome.ANSWERED:
                cursor = await conn.execute(
                    "UPDATE directive_recipients SET on_behalf_by = ?, answer_choice = ?,"
                    " answer_number = ?, answer_reason = ?, answered_at = ?,"
                    " acked_at = COALESCE(acked_at, ?)"
                    " WHERE directive_id = ? AND member_id = ? AND answer_choice IS NULL",
                    (by_member_id, choice, number, reason, stamp, stamp, directive_id, member_id),
                )
            else:
                cursor = await conn.execute(
                    "UPDATE directive_recipients SET unreached = ?"
                    " WHERE directive_id = ? AND member_id = ? AND acked_at IS NULL",
                    (reason or "", directive_id, member_id),
                )
            if not cursor.rowcount:
                return False
            await conn.execute(
                "INSERT INTO directive_phone (directive_id, member_id, by_member_id, outcome,"
                " choice, number, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (directive_id, member_id, by_member_id, outcome, choice, number, reason, stamp),
            )
        return True

    async def untold(self, telegram_id: int) -> list[Told]:
        """The phone records about the member ``telegram_id`` not yet told, oldest first
        (an index of the untold: nothing is read for everyone else)."""
        # Asked before every private message: almost always nobody, so a point read on the
        # loop's own connection answers that without a hop to the reader's thread.
        any_untold = await self.db.fetchone_inline(
            "SELECT 1 FROM members m JOIN directive_phone p ON p.member_id = m.id"
            " AND p.told_at IS NULL WHERE m.telegram_id = ? LIMIT 1",
            (telegram_id,),
        )
        if any_untold is None:
            return []
        rows = await self.db.fetchall(
            "SELECT p.id, p.directive_id, d.text, p.outcome, p.choice, s.display_name, p.at"
            " FROM members m JOIN directive_phone p ON p.member_id = m.id AND p.told_at IS NULL"
            " JOIN directives d ON d.id = p.directive_id"
            " LEFT JOIN members s ON s.id = p.by_member_id"
            " WHERE m.telegram_id = ? ORDER BY p.id",
            (telegram_id,),
        )
        return [
            Told(int(r[0]), int(r[1]), str(r[2]), Outcome(r[3]), r[4], r[5], from_db_time(r[6]))
            for r in rows
        ]

    async def mark_told(self, ids: list[int], now: datetime) -> None:
        marks = ",".join("?" * len(ids))
        await self.db.write(
            f"UPDATE directive_phone SET told_at = ? WHERE id IN ({marks}) AND told_at IS NULL",
            (to_db_time(now), *ids),
        )

    async def whole(self, directive_ids: list[int], root: str) -> dict[int, Reached]:
        """Each directive's line for the whole subtree at path ``root`` (a summary's), by
        id; one statement per directive (a few a day)."""
        found: dict[int, Reached] = {}
        for directive_id in directive_ids:
            lines = await self.lines(directive_id, root, Lines.ALL)
            if root in lines:
                found[directive_id] = lines[root]
        return found

    async def lines(self, directive_id: int, root: str, by: Lines) -> dict[str, Reached]:
        """How the recipients in the subtree at path ``root`` were reached and the reach
        time's p50 / p90, per line (``Lines``), keyed by the line unit's path.

        One statement, then one pass: the recipients counted per line, path and whole
        minute of reach time (rounded up, as every view says it), and the nearest rank
        (p50: the ⌈n/2⌉-th fastest) read off each line's minutes. A window function
        ranking every recipient's seconds was 1.46× slower at 50,000 recipients
        (docs/benchmarks.md) for precision no view shows."""
        low, high = subtree_bounds(root)
        line = {
            Lines.BELOW: "CASE WHEN u.path = ?3 THEN ?3"
            " ELSE substr(u.path, 1, ?5 + instr(substr(u.path, ?5 + 1), '/')) END",
            Lines.UNIT: "u.path",
            Lines.ALL: "?3",
        }[by]
        rows = await self.db.fetchall(
            # Whole seconds first (julianday's arithmetic leaves 600 s as 600.00001).
            f"WITH h AS ({_HOW}) SELECT {line} AS line, h.how,"
            " CAST((h.took + 59.5) / 60 AS INTEGER) AS minutes, COUNT(*)"
            " FROM h JOIN units u ON u.id = h.unit_id WHERE u.path >= ?3 AND u.path < ?4"
            " GROUP BY line, h.how, minutes",
            (directive_id, DirectiveKind.DIRECTIVE, low, high)
            + (() if by is not Lines.BELOW else (len(root),)),
        )
        found: dict[str, Reached] = {}
        times: dict[str, dict[int, int]] = {}
        for path, how, minutes, count in rows:
            reach = found.setdefault(str(path), Reached())
            reach.counts[How(how)] = reach.counts.get(How(how), 0) + int(count)
            if minutes is not None:
                spread = times.setdefault(str(path), {})
                spread[int(minutes)] = spread.get(int(minutes), 0) + int(count)
        for path, spread in times.items():
            found[path].p50 = 60.0 * _nearest_rank(spread, 50)
            found[path].p90 = 60.0 * _nearest_rank(spread, 90)
        return found

    async def members(self, directive_id: int) -> dict[int, MemberReach]:
        """How each recipient was reached, by member id (the export, the drill-down)."""
        rows = await self.db.fetchall(
            f"WITH h AS ({_HOW}) SELECT h.member_id, h.how, s.display_name, h.unreached"
            " FROM h LEFT JOIN members s ON s.id = h.on_behalf_by",
            (directive_id, DirectiveKind.DIRECTIVE),
        )
        return {
            int(r[0]): MemberReach(How(r[1]), r[2], r[3] if r[1] == How.UNREACHED else None)
            for r in rows
        }

    async def entries(self, directive_id: int, paths: Sequence[str] = ()) -> list[EntryReach]:
        """The register entries of the directive's audience within ``paths`` (all when
        empty) who are not its recipients, by unit path then name, with how its fallback
        reached them; one statement (the detail, the export). No address is read."""
        scope, params = _scope_clause(paths)
        rows = await self.db.fetchall(
            _ENTRIES.format(scope=scope),
            (directive_id, FALLBACK_KIND, *params),
        )
        return [
            EntryReach(
                entry_id=int(r[0]),
                name=str(r[1]),
                unit=Unit(r[2], r[3], r[4], r[5], r[6], r[7], r[8]),
                joined=bool(r[9]),
                state=EntryState(r[10]),
                channel=r[11],
                sent=from_db_time(r[12]) if r[12] else None,
                acked=from_db_time(r[13]) if r[13] else None,
                choice=r[14],
            )
            for r in rows
        ]
