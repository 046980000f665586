"""``muster demo``: one day of a made-up organisation, played against the real bot.

A throw-away organisation (a city committee, districts, branches, a few hundred people,
grids and a day's roster) in a temporary SQLite database; the bot built by the same
composition root as ``muster run``, long polling a Bot API stand-in over HTTP on
127.0.0.1; a day from Sunday evening to Monday night on a clock the script moves. It
ends with what each kind of person received and the coordinators' summary, chart and
workbook. ``tests/e2e/test_demo.py`` plays the same script and checks every number.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.demo.cast import DAY, EVE, ZONE, Plan, make_plan
from app.demo.report import report, write_files
from app.demo.script import Day, Played, local
from app.demo.stage import DemoError, Stage
from app.demo.truth import mismatches
from bot.kit.clock import FakeClock

__all__ = [
    "Day",
    "DemoError",
    "Options",
    "Plan",
    "Played",
    "Stage",
    "main",
    "make_plan",
    "start_of",
]
DATABASE = "demo.db"


@dataclass(frozen=True, slots=True)
class Options:
    members: int = 300
    seed: int = 1
    out: Path | None = None
    language: str = "en"


def start_of() -> FakeClock:
    """The clock at the start of the demo: Sunday 20:30."""
    return FakeClock(local(EVE, "20:30"))


async def run(options: Options, progress: Callable[[str], None]) -> tuple[str, bool]:
    """Play the day; return the report and whether the summary matched the script."""
    started = time.monotonic()
    plan = make_plan(options.members, options.seed, options.language)
    staff = len(plan.people) - len(plan.members)
    language = "Chinese" if plan.language == "zh" else "English"
    progress(
        f"Muster demo: one day of {plan.words.org} — {len(plan.members)} members and"
        f" {staff} staff, seed {plan.seed}, samples in {language}"
    )
    with tempfile.TemporaryDirectory(prefix="muster-demo-") as tmp:
        workdir = Path(tmp)
        database = workdir / DATABASE
        clock = start_of()
        async with Stage.open(database, clock, organisation=plan.words.org, zone=ZONE) as stage:
            progress(f"The bot polls a Bot API stand-in at {stage.base_url}; times are {ZONE}.")
            played = await Day(stage, plan, workdir, progress).play()
            out = options.out or workdir / "out"
            files = write_files(stage, played, out)
            root = played.units[plan.root.code]
            summary = await stage.services.summaries.compile(root, DAY)
            problems = mismatches(plan, summary)
        if options.out is not None:
            shutil.copyfile(database, options.out / DATABASE)
            files.append((DATABASE, "the demo's database, to look at with sqlite3"))
        text = report(
            played,
            files=files,
            out=options.out,
            problems=problems,
            seconds=time.monotonic() - started,
        )
    return text, not problems


def main(options: Options) -> int:
    """Progress on stderr, the report on stdout; one line on stderr if it fails."""

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        text, matched = asyncio.run(run(options, progress))
    except (DemoError, ValueError, OSError) as exc:
        print(f"muster demo: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # one readable line, whatever broke
        print(f"muster demo: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(text)
    return 0 if matched else 1
