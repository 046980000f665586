"""What every benchmark's report shares: the machine line, verdicts, and rewriting one's
own ``## `` section of ``docs/benchmarks.md`` while keeping the others."""

from __future__ import annotations

import fcntl
import os
import platform
import sqlite3
import sys
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

INTRO = """# Benchmarks

Measurements of Muster's own code paths on generated data of realistic size. Every
benchmark compares against a baseline measured in the same run, interleaving baseline and
subject (A B A B …) and reporting medians, because a lone number from a shared machine is
mostly noise. None of them is a test: run one by hand and commit its refreshed section.

    .venv/bin/python -m bench.<name> --out docs/benchmarks.md   # e.g. bench.org_memory

Each section is rewritten by its own benchmark and records its own date and machine
(`nproc`, `platform`, Python and SQLite versions), since sections are refreshed separately.
"""


def proc_fields(path: str, keys: Sequence[str]) -> dict[str, str]:
    """The first value of each ``key: value`` line wanted from a /proc file."""
    found: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key.strip() in keys:
                    found.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return found


def machine() -> str:
    """What `nproc`, the CPU model, RAM, `platform` and the Python/SQLite versions say."""
    cpu = proc_fields("/proc/cpuinfo", ["model name"]).get("model name", "unknown CPU")
    ram_kib = proc_fields("/proc/meminfo", ["MemTotal"]).get("MemTotal", "0 kB").split()[0]
    return (
        f"{len(os.sched_getaffinity(0))} CPU(s) ({cpu}), {int(ram_kib) / 2**20:.1f} GiB RAM,"
        f" {platform.platform()}, Python {platform.python_version()},"
        f" SQLite {sqlite3.sqlite_version}"
    )


def verdict(ok: bool) -> str:
    return "**PASS**" if ok else "**FAIL**"


def section_text(heading: str, about: str, facts: Sequence[str], *tables: Sequence[str]) -> str:
    """A results section: the heading, what was measured (one paragraph, wrapped), the
    facts (command, date, machine, …) as a list, then each table."""
    blocks = [heading, textwrap.fill(about, 92), "\n".join(f"- {fact}" for fact in facts)]
    return "\n\n".join([*blocks, *("\n".join(table) for table in tables)]) + "\n"


def publish(section: str, out: Path | None, heading: str) -> None:
    """Print a benchmark's results section and, with ``--out``, write it into that file."""
    print(section)
    if out:
        write_section(out, heading, section)
        print(f"wrote {out}", file=sys.stderr)


def write_section(out: Path, heading: str, section: str) -> None:
    """Replace the ``heading`` section in ``out`` (or append it), keep the rest.

    ``section`` starts with ``heading``; a section runs to the next ``## `` line."""
    lines = (out.read_text(encoding="utf-8") if out.exists() else INTRO).rstrip("\n").split("\n")
    new = section.rstrip("\n").split("\n")
    if heading in lines:
        start = lines.index(heading)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        lines[start:end] = new + ([""] if end < len(lines) else [])
    else:
        lines += ["", *new]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


@contextmanager
def timing_lock(path: Path | None) -> Iterator[None]:
    """Hold ``path``'s exclusive lock (as ``flock`` does) while timing, so benchmarks of
    two people never time on the machine at once; nothing when ``path`` is None."""
    if path is None:
        yield
        return
    with open(path, "a", encoding="utf-8") as handle:
        print(f"waiting for {path}…", file=sys.stderr)
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
