"""Memory and import time of a large organisation (default 5,000 units, 100,000 members).

Target (from the issue): RSS growth under 64 MiB per 100,000 members, import under 10 s.

RSS only means something in a fresh process, and one number on a noisy machine means
little, so every measurement is a child process of this one: an "empty" child (same
imports, same ``Services`` wiring, same load calls, empty database) and a "loaded" child
(imports the organisation, then loads it as the bot would) alternate A B A B …, and the
report is the median of the per-pair differences B − A.

Each pair is run twice per round: once without tracemalloc (RSS and timings; tracing
slows Python and adds its own memory) and once with ``PYTHONTRACEMALLOC=1`` (the Python
heap, traced from interpreter start so both modes count the same imports).

    .venv/bin/python -m bench.org_memory [--units 5000] [--members 100000] [--rounds 5]
                                         [--out docs/benchmarks.md] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path

from bench.report import machine, proc_fields, publish, verdict
from bot.config import load_settings
from bot.kit.clock import SystemClock
from bot.org.authz import Actor
from bot.org.service import TreeLine
from bot.services import Services
from storage import Storage
from storage.models import Role

HEADING = "## Organisation load: memory and import time"
PER_MEMBERS = 100_000  # targets and scaled figures are per this many members
RSS_TARGET_MIB = 64.0
IMPORT_TARGET_S = 10.0
SAMPLE_ACTORS = 1_000
TELEGRAM_BASE = 10_000_000  # member i has Telegram id TELEGRAM_BASE + i
MAX_DISTRICTS = 50
MIB = 2**20
PROJECT_ROOT = Path(__file__).resolve().parents[1]

Result = dict[str, float]
MemberRow = tuple[int | None, str, str | None, str, int]


# --- data --------------------------------------------------------------------------------


def district_count(units: int) -> int:
    """Up to 50 districts; smaller trees keep about four branches to a district."""
    return max(1, min(MAX_DISTRICTS, (units - 1) // 5))


def write_org_csv(path: Path, units: int, seed: int) -> None:
    """A three-level tree: one committee, the districts, branches under random districts."""
    rng = random.Random(seed)
    districts = district_count(units)
    rows = [("ROOT", "City Committee", "", "Asia/Shanghai")]
    for d in range(1, districts + 1):
        zone = "Asia/Urumqi" if rng.random() < 0.1 else ""
        rows.append((f"D{d:02d}", f"District {d:02d}", "ROOT", zone))
    for b in range(1, units - districts):
        rows.append((f"B{b:05d}", f"Branch {b:05d}", f"D{rng.randint(1, districts):02d}", ""))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("code", "name", "parent", "timezone"))
        writer.writerows(rows)


def member_rows(
    count: int, branch_ids: Sequence[int], seed: int, first_member: dict[int, int]
) -> Iterator[MemberRow]:
    """Members spread over the branches at random; a generator, so no 100k-row list is held.

    ``first_member`` collects unit id -> id of the unit's first member (ids count from 1 in
    a fresh table), to hand out roles afterwards.
    """
    rng = random.Random(seed)
    for i in range(count):
        unit_id = rng.choice(branch_ids)
        first_member.setdefault(unit_id, i + 1)
        username = f"member{i:06d}" if rng.random() < 0.7 else None
        language = "zh" if rng.random() < 0.5 else "en"
        yield TELEGRAM_BASE + i, f"Member {i:06d}", username, language, unit_id


def sample_ids(members: int, seed: int) -> list[int]:
    """The Telegram ids the load step resolves to actors (the same in both modes)."""
    picked = random.Random(seed + 1).sample(range(members), min(SAMPLE_ACTORS, members))
    return [TELEGRAM_BASE + i for i in picked]


# --- child: one measurement in a fresh process -------------------------------------------


def proc_status() -> Result:
    """VmRSS and VmHWM (peak RSS) of this process, in bytes."""
    found = proc_fields("/proc/self/status", ["VmRSS", "VmHWM"])
    return {key: float(value.split()[0]) * 1024 for key, value in found.items()}


@contextmanager
def stopwatch(into: Result, key: str) -> Iterator[None]:
    """Record the wall time of the ``with`` body under ``key``."""
    started = time.perf_counter()
    yield
    into[key] = time.perf_counter() - started


async def load(
    services: Services, telegram_ids: Sequence[int]
) -> tuple[list[TreeLine], list[Actor]]:
    """What the bot does with an organisation: show the tree, resolve who is writing."""
    lines = await services.org.tree()
    actors = [await services.authz.actor(telegram_id) for telegram_id in telegram_ids]
    return lines, actors


async def populate(services: Services, org_csv: Path, members: int, seed: int) -> Result:
    """Import the unit file through the real path, insert the members, hand out roles."""
    times: Result = {}
    storage, now = services.storage, services.clock.now()
    with stopwatch(times, "t_units"):
        await services.org.import_file(Actor.console(), org_csv)
    units = await storage.units.all()
    branch_ids = [unit.id for unit in units if unit.depth == 2]
    first_member: dict[int, int] = {}
    with stopwatch(times, "t_members"):
        await storage.members.add_many(member_rows(members, branch_ids, seed, first_member), now)
    # A secretary per branch and a coordinator per district, so actor() resolves grants too.
    parent_of = {unit.id: unit.parent_id for unit in units}
    coordinated: set[int] = set()
    with stopwatch(times, "t_roles"):
        async with storage.db.transaction() as conn:
            for unit_id, member_id in first_member.items():
                await storage.members.grant(conn, member_id, unit_id, Role.SECRETARY, now)
                district = parent_of[unit_id]
                if district is not None and district not in coordinated:
                    coordinated.add(district)
                    await storage.members.grant(conn, member_id, district, Role.COORDINATOR, now)
    return times


async def child(mode: str, org_csv: Path, db: Path, members: int, seed: int) -> Result:
    """One measurement: optionally populate, then load, then read memory with it all alive."""
    settings = load_settings(None, storage={"database": db})
    storage = await Storage.open(settings.storage.database)
    services = Services.build(settings, storage, SystemClock())
    result: Result = {}
    try:
        if mode == "loaded":
            result.update(await populate(services, org_csv, members, seed))
        telegram_ids = sample_ids(members, seed)
        with stopwatch(result, "t_load"):
            lines, actors = await load(services, telegram_ids)
        gc.collect()
        result.update(proc_status())
        if tracemalloc.is_tracing():
            current, peak = tracemalloc.get_traced_memory()
            result.update(tm_current=float(current), tm_peak=float(peak))
        # Read after the memory, so the loaded organisation is certainly still referenced.
        result.update(
            units=float(len(lines)),
            members=float(sum(line.own_members for line in lines)),
            actors=float(sum(actor.member is not None for actor in actors)),
            grants=float(sum(len(actor.grants) for actor in actors)),
        )
    finally:
        await storage.close()
    return result


# --- parent: alternate the children, summarise --------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    units: int
    members: int
    rounds: int
    seed: int


@dataclass(slots=True)
class Runs:
    """(empty, loaded) result pairs, one per round, without and with tracemalloc."""

    plain: list[tuple[Result, Result]]
    traced: list[tuple[Result, Result]]
    seconds: float = 0.0


def spawn(mode: str, traced: bool, org_csv: Path, db: Path, plan: Plan) -> Result:
    """Run one child process and return what it measured; its database is removed after."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONTRACEMALLOC"}
    env["PYTHONHASHSEED"] = "0"
    if traced:
        env["PYTHONTRACEMALLOC"] = "1"  # traces from interpreter start, imports included
    command = [sys.executable, "-m", "bench.org_memory", "--child", mode, "--csv", str(org_csv)]
    command += ["--db", str(db), "--members", str(plan.members), "--seed", str(plan.seed)]
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False
    )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if done.returncode != 0:
        raise SystemExit(f"{mode} child failed ({done.returncode}):\n{done.stderr}")
    result: Result = json.loads(done.stdout.splitlines()[-1])
    if mode == "loaded" and (result["units"], result["members"]) != (plan.units, plan.members):
        raise SystemExit(
            f"loaded child saw {result['units']:.0f} units, {result['members']:.0f}"
            f" members; expected {plan.units} and {plan.members}"
        )
    return result


def measure(plan: Plan) -> Runs:
    """A B A B …: per round an (empty, loaded) pair without, then with tracemalloc."""
    runs = Runs(plain=[], traced=[])
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="muster-bench-") as tmp:
        org_csv, db = Path(tmp) / "org.csv", Path(tmp) / "bench.db"
        write_org_csv(org_csv, plan.units, plan.seed)
        spawn("empty", False, org_csv, db, plan)  # warm-up (page cache, .pyc); discarded
        for index in range(plan.rounds):
            for traced, pairs in ((False, runs.plain), (True, runs.traced)):
                empty = spawn("empty", traced, org_csv, db, plan)
                loaded = spawn("loaded", traced, org_csv, db, plan)
                pairs.append((empty, loaded))
            print(f"round {index + 1}/{plan.rounds} done", file=sys.stderr)
    runs.seconds = time.perf_counter() - started
    return runs


MEMORY_ROWS = (  # (label, result key, from the traced pairs?)
    ("RSS after load (VmRSS)", "VmRSS", False),
    ("peak RSS (VmHWM)", "VmHWM", False),
    ("Python heap after load (tracemalloc current)", "tm_current", True),
    ("Python heap peak (tracemalloc peak)", "tm_peak", True),
)


def mib(value: float, sign: str = "") -> str:
    return f"{value / MIB:{sign}.1f} MiB"


def memory_table(plan: Plan, runs: Runs) -> tuple[list[str], bool]:
    """Markdown rows for memory, and whether RSS growth meets the target."""
    scale = PER_MEMBERS / plan.members
    rows = [
        f"| Memory | empty (A) | loaded (B) | B − A | per {PER_MEMBERS:,} members | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    rss_ok = True
    for label, key, traced in MEMORY_ROWS:
        pairs = runs.traced if traced else runs.plain
        empty = statistics.median(a[key] for a, _ in pairs)
        loaded = statistics.median(b[key] for _, b in pairs)
        growth = statistics.median(b[key] - a[key] for a, b in pairs)
        target = "–"
        if key == "VmRSS":
            rss_ok = growth * scale < RSS_TARGET_MIB * MIB
            target = f"< {RSS_TARGET_MIB:.0f} MiB: {verdict(rss_ok)}"
        rows.append(
            f"| {label} | {mib(empty)} | {mib(loaded)} | {mib(growth, '+')}"
            f" | {mib(growth * scale, '+')} | {target} |"
        )
    return rows, rss_ok


def time_table(plan: Plan, runs: Runs) -> tuple[list[str], bool]:
    """Markdown rows for the loaded children's timings (untraced), and the import verdict."""
    loaded = [b for _, b in runs.plain]
    steps: list[tuple[str, Callable[[Result], float], bool]] = [
        (
            f"units import: `OrgService.import_file`, {plan.units:,} units",
            itemgetter("t_units"),
            False,
        ),
        (f"members insert: `add_many`, {plan.members:,} rows", itemgetter("t_members"), False),
        ("**import total: units + members**", lambda r: r["t_units"] + r["t_members"], True),
        ("role grants (bench setup, not counted)", itemgetter("t_roles"), False),
        (f"load: `tree()` + {SAMPLE_ACTORS:,} × `authz.actor()`", itemgetter("t_load"), False),
    ]
    rows = ["| Time (loaded, untraced) | median | min | max | target |", "|---|---:|---:|---:|---|"]
    import_ok = True
    for label, value, is_target in steps:
        seconds = [value(result) for result in loaded]
        target = "–"
        if is_target:
            import_ok = statistics.median(seconds) < IMPORT_TARGET_S
            target = f"< {IMPORT_TARGET_S:.0f} s: {verdict(import_ok)}"
        rows.append(
            f"| {label} | {statistics.median(seconds):.2f} s | {min(seconds):.2f} s"
            f" | {max(seconds):.2f} s | {target} |"
        )
    return rows, import_ok


def render(plan: Plan, runs: Runs) -> str:
    """The markdown section: how it was measured, on what, the two tables, the verdict."""
    memory, rss_ok = memory_table(plan, runs)
    times, import_ok = time_table(plan, runs)
    command = "python -m bench.org_memory"
    if (plan.units, plan.members, plan.rounds, plan.seed) != (5000, 100_000, 5, 1):
        command += f" --units {plan.units} --members {plan.members} --rounds {plan.rounds}"
        command += f" --seed {plan.seed}"
    about = [
        f"Target: RSS growth under {RSS_TARGET_MIB:.0f} MiB per {PER_MEMBERS:,} members;"
        f" import under {IMPORT_TARGET_S:.0f} s. Each round runs fresh processes A B A B."
        " *Empty* (A): the same imports and `Services` wiring on a new, empty database, then"
        " the same load calls. *Loaded* (B): a new database; a generated CSV tree (1"
        f" committee, {district_count(plan.units)} districts, the rest branches) imported"
        " through `OrgService.import_file` as the console admin; the members bulk inserted"
        " with `MemberRepository.add_many`, spread over the branches; a secretary per branch"
        " and a coordinator per district; then the organisation loaded as the bot does:"
        " `OrgService.tree()` (every unit with its counts) and `Authorizer.actor()` for"
        f" {SAMPLE_ACTORS:,} random members, all kept referenced while memory is read. The"
        " first pair of a round runs without tracemalloc (RSS, times), the second with"
        " `PYTHONTRACEMALLOC=1` (Python heap, traced from interpreter start in both). Shown:"
        " medians over the rounds and, under B − A, the median of the per-round differences.",
        "The import target applies to units import + members insert together (getting a"
        f" {plan.members:,}-member organisation in takes both; both parts are shown). The RSS"
        " target applies to the RSS held after loading; all of B − A, units included, is"
        f" charged to the members, so the per-{PER_MEMBERS:,} figure is an upper bound."
        " Peak RSS is for information.",
    ]
    facts = [
        f"- Command: `{command}`, {runs.seconds:.0f} s in all",
        f"- Data: {plan.units:,} units, {plan.members:,} members, {plan.rounds} rounds,"
        f" seed {plan.seed}",
        f"- Date: {datetime.now(UTC):%Y-%m-%d}",
        f"- Machine: {machine()}",
    ]
    verdicts = f"Verdict: memory {verdict(rss_ok)}, import time {verdict(import_ok)}."
    blocks = [HEADING, *(textwrap.fill(p, 92) for p in about), facts, memory, times, verdicts]
    return "\n\n".join(b if isinstance(b, str) else "\n".join(b) for b in blocks) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.org_memory", description=__doc__.split("\n\n")[0] if __doc__ else ""
    )
    parser.add_argument("--units", type=int, help="units in the tree (default 5000)")
    parser.add_argument("--members", type=int, help="members (default 100000)")
    parser.add_argument("--rounds", type=int, help="A/B rounds (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="data generator seed")
    parser.add_argument("--out", type=Path, help="write the results section into this file")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 500 units, 10000 members, 3 rounds"
    )
    hidden = argparse.SUPPRESS  # the parent's interface to its children
    parser.add_argument("--child", choices=("empty", "loaded"), help=hidden)
    parser.add_argument("--csv", type=Path, help=hidden)
    parser.add_argument("--db", type=Path, help=hidden)
    args = parser.parse_args(argv)
    defaults = (500, 10_000, 3) if args.quick else (5_000, 100_000, 5)
    for name, default in zip(("units", "members", "rounds"), defaults, strict=True):
        if getattr(args, name) is None:
            setattr(args, name, default)
    if args.units < 3 or args.members < 1 or args.rounds < 1:
        parser.error("need --units >= 3, --members >= 1 and --rounds >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        result = asyncio.run(child(args.child, args.csv, args.db, args.members, args.seed))
        print(json.dumps(result))
        return
    plan = Plan(args.units, args.members, args.rounds, args.seed)
    section = render(plan, measure(plan))
    publish(section, args.out, HEADING)


if __name__ == "__main__":
    main()
