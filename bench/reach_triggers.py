"""What the reach counts' triggers (migration 0034) cost the bulk writes: 200,000 members
(``add_many``'s statement) then 200,000 register entries (an import's) inserted into
copies of one migrated database holding 5,300 units; A with the reach triggers dropped, B
with them, alternating A B per round; medians and the median of the per-round ratios.

    flock /work/bench.lock .venv/bin/python -m bench.reach_triggers
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from storage import Storage

N, ROUNDS = 200_000, 3
TRIGGERS = [
    "reach_member_out",
    "reach_member_in",
    "reach_member_added",
    "reach_member_removed",
    "reach_member_added_linked",
    "reach_entry_added_linked",
    "reach_entry_out",
    "reach_entry_in",
    "reach_entry_linking",
    "reach_entry_added",
    "reach_entry_removed",
    "reach_entry_unlinked",
]


async def make(db: Path) -> None:
    s = await Storage.open(db)
    await s.close()
    c = sqlite3.connect(db, isolation_level=None)
    c.execute("BEGIN")
    c.execute(
        "INSERT INTO units (id, code, name, parent_id, path, depth, created_at, updated_at)"
        " VALUES (1, 'ROOT', 'Root', NULL, '/1/', 0, 'x', 'x')"
    )
    c.executemany(
        "INSERT INTO units (id, code, name, parent_id, path, depth, created_at, updated_at)"
        " VALUES (?, ?, ?, 1, ?, 1, 'x', 'x')",
        [(i, f"U{i}", f"Unit {i}", f"/1/{i}/") for i in range(2, 5302)],
    )
    c.execute("COMMIT")
    c.close()


def work(db: Path, drop: bool) -> tuple[float, float]:
    c = sqlite3.connect(db, isolation_level=None)
    if drop:
        for t in TRIGGERS:
            c.execute(f"DROP TRIGGER {t}")
    t0 = time.perf_counter()
    c.execute("BEGIN")
    c.executemany(
        "INSERT INTO members (telegram_id, display_name, username, language, unit_id, active,"
        " joined_at, updated_at) VALUES (?, ?, NULL, 'en', ?, 1, 'x', 'x')",
        [(10_000 + i, f"M{i}", 2 + i % 5300) for i in range(N)],
    )
    c.execute("COMMIT")
    t1 = time.perf_counter()
    c.execute("BEGIN")
    c.executemany(
        "INSERT INTO register_entries (unit_id, name, phone, email, external_id, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, 'x', 'x')",
        [
            (2 + i % 5300, f"E{i}", f"+86138{i:08d}", None if i % 3 else f"e{i}@x.org", f"X{i}")
            for i in range(N)
        ],
    )
    c.execute("COMMIT")
    t2 = time.perf_counter()
    c.close()
    return t1 - t0, t2 - t1


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    base = tmp / "base.db"
    asyncio.run(make(base))
    res: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for _ in range(ROUNDS):
        for drop in (True, False):
            db = tmp / "run.db"
            shutil.copy(base, db)
            res[drop].append(work(db, drop))
            db.unlink()
    for drop, label in ((True, "A, without the reach triggers"), (False, "B, with them")):
        m = statistics.median(r[0] for r in res[drop])
        e = statistics.median(r[1] for r in res[drop])
        print(f"{label}: members {m:.2f} s, register entries {e:.2f} s")
    ratio_m = statistics.median(b[0] / a[0] for a, b in zip(res[True], res[False], strict=True))
    ratio_e = statistics.median(b[1] / a[1] for a, b in zip(res[True], res[False], strict=True))
    print(f"B / A (median of rounds): members {ratio_m:.2f}x, entries {ratio_e:.2f}x")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
