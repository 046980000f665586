"""``muster db copy --from URL --to URL`` and ``muster db migrate URL``: the console's side of
storage/dbcopy.py (progress on stderr, the check as a table on stdout)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from bot.kit.tables import text_table
from storage.dbcopy import Checked, CopyError, Progress, copy_store, migrate_store, parse_url

# A long table's progress every few seconds; each table's last line always.
PROGRESS_EVERY = 2.0


class DbCopyFailed(Exception):
    """The copy ran but the check found tables that differ (the table says which)."""


class ProgressLines:
    """``copy checkins: 1,200,000 / 6,012,345 rows`` on stderr, at most one line every
    ``every`` seconds, and the end of a table whose progress was shown: a short copy says
    nothing until its check."""

    def __init__(
        self,
        out: TextIO | None = None,
        now: Callable[[], float] = time.monotonic,
        every: float = PROGRESS_EVERY,
    ) -> None:
        self.out = out
        self.now = now
        self.every = every
        self.last = now()
        self.shown = ""  # the phase and table of the last line

    def __call__(self, phase: str, table: str, done: int, total: int) -> None:
        moment, which = self.now(), f"{phase} {table}"
        if moment - self.last < self.every and not (done == total and which == self.shown):
            return
        if which == self.shown and done == total:
            self.shown = ""  # its end, once
        else:
            self.shown = which
        self.last = moment
        print(f"{which}: {done:,} / {total:,} rows", file=self.out or sys.stderr)


def check_lines(checked: list[Checked]) -> list[str]:
    """The check, one line per table: rows and checksum on each side."""
    header = ("table", "rows (from)", "rows (to)", "checksum (from)", "checksum (to)", "")
    rows = [
        (
            c.table,
            f"{c.source.rows:,}",
            f"{c.target.rows:,}",
            c.source.hex,
            c.target.hex,
            "ok" if c.ok else "DIFFERENT",
        )
        for c in checked
    ]
    return text_table(header, rows)


async def db_copy(source: str, target: str, progress: Progress | None = None) -> int:
    """Copy, print the check and a summary line; ``DbCopyFailed`` when a table differs."""
    started = time.monotonic()
    checked = await copy_store(
        parse_url("--from", source), parse_url("--to", target), progress or ProgressLines()
    )
    for line in check_lines(checked):
        print(line)
    rows = sum(c.source.rows for c in checked)
    seconds = time.monotonic() - started
    differ = [c.table for c in checked if not c.ok]
    if differ:
        raise DbCopyFailed(
            f"the copy differs from the source in {len(differ)} table(s): {', '.join(differ)}"
        )
    print(
        f"copied {len(checked)} tables, {rows:,} rows in {seconds:.1f} s"
        f" ({rows / max(seconds, 1e-9):,.0f} rows/s); every table's rows and checksum match"
    )
    return 0


async def db_migrate(url: str) -> int:
    applied, version = await migrate_store(parse_url("URL", url))
    if applied:
        print(f"applied {', '.join(str(v) for v in applied)}: now at schema version {version}")
    else:
        print(f"already at schema version {version}")
    return 0


__all__ = ["CopyError", "DbCopyFailed", "ProgressLines", "check_lines", "db_copy", "db_migrate"]
