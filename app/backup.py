"""``muster backup FILE``: a consistent copy of the database while the bot runs.

SQLite's online backup copies every page within one read transaction (``pages=-1``), so
the copy is one moment of the database even while the bot writes (WAL readers do not block
the writer). The copy is written beside the target and renamed into place, so a failed
backup never leaves a half file under the name asked for.

On PostgreSQL (``storage.url``) it refuses: the server's own tools (``pg_dump``) copy it.
"""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from storage.db import Database, SqliteOnlyError, sqlite_only


class BackupError(Exception):
    pass


async def backup(db: Database, target: Path) -> int:
    """Copy ``db`` to ``target`` (which must not exist); returns the copy's size."""
    try:
        source = sqlite_only(db, "muster backup")
    except SqliteOnlyError as exc:
        raise BackupError(f"{exc}; back it up with pg_dump") from None
    partial = _prepare(target)
    try:
        copy = await aiosqlite.connect(str(partial))
        try:
            await source.reader.backup(copy, pages=-1)
        finally:
            await copy.close()
        return _finish(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _prepare(target: Path) -> Path:
    """The partial file's name, once the target is known to be new and its folder there."""
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    return partial


def _finish(partial: Path, target: Path) -> int:
    partial.rename(target)
    return target.stat().st_size
