"""Marking a group of outbox rows sent: the statement written for both stores (issue #20)
against SQLite's own of before, A B A B.

``OutboxRepository.mark_sent_many`` updates the rows that finished together from a VALUES
list. PostgreSQL types a VALUES column by its first row and reads bare parameters as text,
so the first row now CASTs its three parameters (B); before, none did (A). Both run on the
same database, the bot's own ``Storage`` (its inline connection, as the engine uses it):
each round marks ``--rows`` pending rows sent in groups of ``--group``, then puts them back
(untimed). Rounds alternate A B A B; medians and the median of the per-round ratios B / A.

    .venv/bin/python -m bench.sent_marks [--rows 20000] [--group 8] [--rounds 9]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.report import machine
from storage import Storage
from storage.db import to_db_time
from storage.outbox import _OPEN, _SENT, _SENT_TYPES, NewMessage, Priority, _rows_of

BEFORE = "(" + ",".join("?" * len(_SENT_TYPES)) + ")"


def statement(group: int, *, before: bool) -> str:
    values = ",".join([BEFORE] * group) if before else _rows_of(_SENT_TYPES, group)
    return (
        f"UPDATE outbox SET {_SENT}, message_id = v.column2, sent_at = v.column3"
        f" FROM (VALUES {values}) AS v WHERE outbox.id = v.column1 AND {_OPEN}"
    )


async def measure(db: Path, rows: int, group: int, rounds: int) -> list[tuple[float, float]]:
    storage = await Storage.open(db)
    now = datetime.now(UTC)
    try:
        message = NewMessage("bench", 1, None, None, Priority.BULK, {}, now)
        async with storage.db.transaction() as conn:
            await storage.outbox.enqueue_many(conn, [message] * rows, now)
        ids = [r[0] for r in await storage.db.fetchall("SELECT id FROM outbox ORDER BY id")]
        stamp = to_db_time(now)

        async def mark(before: bool) -> float:
            sql = statement(group, before=before)
            started = time.perf_counter()
            for first in range(0, len(ids) - group + 1, group):
                chunk = ids[first : first + group]
                await storage.db.write_inline(
                    sql, [x for row_id in chunk for x in (row_id, row_id, stamp)]
                )
            spent = time.perf_counter() - started
            sent = await storage.db.fetchone("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
            assert sent is not None and sent[0] == len(ids) // group * group, "not all marked"
            await storage.db.write("UPDATE outbox SET status = 'pending', attempts = 0")
            return spent

        await mark(True)  # the discarded warm-up
        await mark(False)
        pairs = []
        for index in range(rounds):
            pair = (await mark(True), await mark(False))
            pairs.append(pair)
            print(
                f"round {index + 1}/{rounds}: before {pair[0] * 1000:.1f} ms,"
                f" portable {pair[1] * 1000:.1f} ms",
                file=sys.stderr,
            )
        return pairs
    finally:
        await storage.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sent_marks")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--group", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="muster-bench-") as name:
        pairs = asyncio.run(measure(Path(name) / "marks.db", args.rows, args.group, args.rounds))
    a = statistics.median(a for a, _ in pairs) * 1000
    b = statistics.median(b for _, b in pairs) * 1000
    ratio = statistics.median(b / a for a, b in pairs)
    per = args.rows // args.group
    print(
        f"python -m bench.sent_marks --rows {args.rows} --group {args.group}"
        f" --rounds {args.rounds}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {machine()}\n"
        f"A (before): {a:.1f} ms for {per:,} statements ({a * 1000 / per:.1f} µs each);"
        f" B (portable): {b:.1f} ms ({b * 1000 / per:.1f} µs each); B / A {ratio:.3f}×"
    )


if __name__ == "__main__":
    main()
