"""Crash and fault trials: the real bot, killed and restarted, or kept running through
faults, against a Bot API stand-in in another process whose record of every call is the
evidence. How it works and the latest figures: docs/reliability.md.

Targets (issue #8): SIGKILL at random moments during a 10,000-recipient directive and
during a burst of inbound check-ins, then a restart: zero lost sends, duplicates no more
than the requests in flight at the kill (the engine's ``delivery.concurrency``), zero
duplicates after a SIGTERM, one check-in per member per day, sending resumed within 5 s
of a restart, a summary that fell due during the downtime sent within 60 s of the
restart. Faults without a restart (429 storms, 5xx, timeouts, minutes of network loss):
nothing lost, and what fell due during the outage done after it, in order.

Each trial has its own database, copied from a template (``bench.delivery``'s
organisation, whose root secretary writes the directive and, as coordinator, gets the
summaries, plus a unit of people who check in), and its own stand-in
(``bench.crash_standin``). The bot is ``bench.crash_bot``: what ``muster run`` does with
the trial's clock injected (a Tuesday, 11:00 in Shanghai at the start; the summary is due
at 12:00) and, for the crash trials, no pacing.

Phase A of a trial: the directive is queued before the bot starts; the bot is killed
(SIGKILL) or stopped (SIGTERM) when the stand-in has accepted a seeded random share of
its sends, and restarted after a seeded random pause; during one SIGKILL's downtime the
clock jumps past 12:00, so the summary falls due while the bot is down. Phase B: the
members check in all at once (each one reacting to what the bot shows them) and the bot
is killed after a seeded random share of their presses. Phase C: the same with other
members after the bot is restarted in webhook mode (``muster run --webhook``): the
stand-in posts each update until the bot answers 200, through the kills. Then the fault
run: one bot, paced, through a 429 storm, 5xx, sends that time out and network loss.

    .venv/bin/python -m bench.crash [--trials 20] [--seed 1] [--recipients 10000]
                                    [--checkins 1000] [--kills 3] [--checkin-kills 2]
                                    [--webhook-checkins 300] [--webhook-kills 2]
                                    [--fault-recipients 2000] [--outage 120]
                                    [--max-backoff S] [--no-faults] [--reduced]
                                    [--json FILE] [--out docs/reliability.md]
    .venv/bin/python -m bench.crash --render FILE --out docs/reliability.md
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import astuple, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.checkin_inbound import press_labels
from bench.crash_bot import (
    TOKEN,
    WEBHOOK_SECRET,
    WEBHOOK_SECRET_ENV,
    ZONE,
    ShiftedClock,
    crash_settings,
)
from bench.crash_report import (
    RESUME_TARGET_S,
    SUMMARY_TARGET_S,
    render,
    trial_line,
    write_results,
)
from bench.crash_results import (
    CHECKIN_BASE,
    FaultResult,
    Plan,
    Runs,
    Stop,
    TrialResult,
    WebhookResult,
)
from bench.delivery import AUTHOR_ID, build_org
from bench.org_memory import TELEGRAM_BASE
from bot.directives.drafting import Draft
from bot.kit.clock import FakeClock
from bot.org.authz import Actor
from bot.services import Services
from storage import Storage
from storage.db import from_db_time
from storage.dialect import dollar_placeholders
from storage.directives import Target
from storage.models import Role, Unit

BOT_START = datetime(2026, 12, 1, 11, 0, tzinfo=ZONE)  # a Tuesday: check-ins are open
SUMMARY_DUE = BOT_START.replace(hour=12)
PROJECT_ROOT = Path(__file__).resolve().parents[1]
# What the bot logs once serving (app.runner, app.webhook); crash_bot has put its SIGTERM
# handler in place by then. A SIGTERM before it kills the bot like a SIGKILL.
RUNNING = "Muster is running"
TEXT = "<b>Sandbags to the east levee</b>\n\nEvery branch sends two people by 18:00."
LATER = ("Second directive: bring torches.", "Third directive: stand down at 22:00.")

Json = dict[str, Any]
# A trial's database: a SQLite file, or a PostgreSQL URL (bench.crash_cluster).
Store = Path | str


# --- the bot and the stand-in, each in its own process --------------------------------------


class Bot:
    """One run of the bot in its own process; stderr (its log) appended to ``log``. With
    ``webhook`` (a port), in webhook mode, the secret in the environment as in production."""

    def __init__(
        self,
        db: Store,
        base_url: str,
        shift: float,
        log: Path,
        *,
        unpaced: bool,
        delivery: Json,
        webhook: int | None = None,
        cluster: Json | None = None,
        clock_file: Path | None = None,
    ) -> None:
        command = [sys.executable, "-m", "bench.crash_bot", "--db", str(db)]
        command += ["--base-url", base_url, "--shift", repr(shift)]
        command += ["--delivery", json.dumps(delivery)]
        if unpaced:
            command.append("--unpaced")
        if webhook is not None:
            command += ["--webhook", str(webhook)]
        if cluster is not None:
            command += ["--cluster", json.dumps(cluster)]
        if clock_file is not None:
            command += ["--clock-file", str(clock_file)]
        self.log = log.open("a", encoding="utf-8")
        self.log.write(f"----- start at {time.time():.3f}, shift {shift:.3f}\n")
        self.log.flush()
        self.log_path, self.log_from = log, self.log.tell()
        self.started = time.time()
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            env=os.environ | {WEBHOOK_SECRET_ENV: WEBHOOK_SECRET},
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_running(self, within: float) -> None:
        """Until this run logs that it is serving, dies, or ``within`` seconds pass: a
        graceful stop asked of a run still starting (its members all done before it was
        up, on a loaded machine) would otherwise find no handler and count as failed."""
        deadline = time.time() + within
        while self.alive() and time.time() < deadline:
            with self.log_path.open(encoding="utf-8", errors="replace") as log:
                log.seek(self.log_from)
                if RUNNING in log.read():
                    return
            time.sleep(0.05)

    def kill(self, signalled: float | None = None) -> float:
        """SIGKILL; returns the moment it was sent (``signalled``, when the stand-in sent
        it: this one then finds the process dead or dying)."""
        at = signalled or time.time()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self.log.close()
        return at

    def terminate(
        self, within: float = 60.0, *, signalled: float | None = None
    ) -> tuple[float, float, int]:
        """SIGTERM (a graceful stop); returns when it was sent (``signalled``, when the
        stand-in sent it: not sent again, lest it land after the bot's handler is gone), how
        long the bot took to exit, and its exit status."""
        if signalled is None:
            self.wait_running(within)
        at = signalled or time.time()
        if signalled is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(within)
        except subprocess.TimeoutExpired:  # a stop that hangs counts as a failed one
            self.process.kill()
            code = self.process.wait(30)
        self.log.close()
        return at, time.time() - at, code


class StandIn:
    """``python -m bench.crash_standin``, and its control port."""

    def __init__(self, seed: int, *, enforce_limits: bool = False) -> None:
        command = [sys.executable, "-m", "bench.crash_standin", "--token", TOKEN]
        command += ["--seed", str(seed)]
        if enforce_limits:
            command.append("--enforce-limits")
        self.process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if len(line) != 2:
            self.process.kill()
            raise SystemExit("the Bot API stand-in did not start")
        self.base_url, control = line
        self.client = httpx.Client(base_url=control, timeout=60.0)

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: Json) -> Any:
        response = self.client.post(path, json=body)
        response.raise_for_status()
        return response.json()

    def stats(self) -> Json:
        stats: Json = self.get("/stats")
        return stats

    def calls(self) -> list[Call]:
        return [Call(*row) for row in self.get("/calls", since=0)]

    def stop(self) -> None:
        self.client.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)


@dataclass(frozen=True, slots=True)
class Call:
    """One call as the stand-in recorded it."""

    method: str
    status: int
    chat_id: int | None
    at: float  # unix time
    text: str | None

    @property
    def ok(self) -> bool:
        return self.status == 200


# --- the data ----------------------------------------------------------------------------


@dataclass
class Template:
    """A database to copy per trial, and what the harness needs to know of it."""

    db: Store
    districts: list[int]
    later_unit: int  # the audience of the fault run's later directives: a district or branch
    later_audience: list[int]  # its members' chat ids
    checkers: list[tuple[int, str, str]]  # (Telegram id, name, language)
    answer: dict[str, str]
    submit: dict[str, str]
    concurrency: int


def copy_db(source: Path, target: Path) -> None:
    for suffix in ("-wal", "-shm", ""):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)


def make_template(
    tmp: Path,
    recipients: int,
    checkins: int,
    seed: int,
    *,
    later_branch: bool = False,
    url: str | None = None,
) -> Template:
    """The organisation (a CSV through the real import, plus a unit for the people who
    check in), its members in bulk, and the author, in one self-contained file to copy
    (or, given ``url``, in that empty PostgreSQL database, to use as a template)."""
    db: Store = url or tmp / f"template-{recipients}.db"
    if isinstance(db, Path):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    template = asyncio.run(_fill_template(db, tmp, recipients, checkins, seed, later_branch))
    if isinstance(db, Path):
        with closing(sqlite3.connect(db)) as conn:  # fold the write-ahead log into the file
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return template


async def _fill_template(
    db: Store, tmp: Path, recipients: int, checkins: int, seed: int, later_branch: bool
) -> Template:
    settings = crash_settings(db, "http://127.0.0.1:9/bot")
    storage = await Storage.open(db)
    try:
        services = Services.build(settings, storage, FakeClock(BOT_START.astimezone(UTC)))
        now = services.clock.now()
        # bench.delivery's organisation: the tree, the members, the root's secretary …
        await build_org(services, tmp, recipients, seed)
        team_csv = tmp / f"team-{recipients}.csv"  # … and a unit for the people who check in
        team_csv.write_text("code,name,parent,timezone\nCHK,Check-in Team,ROOT,\n")
        await services.org.import_file(Actor.console(), team_csv)
        units = await storage.units.all()
        team = next(u for u in units if u.code == "CHK")
        checkers = [
            (CHECKIN_BASE + j, f"Checker {j:05d}", "zh" if j % 2 else "en") for j in range(checkins)
        ]
        await storage.members.add_many(
            [(tid, name, None, lang, team.id) for tid, name, lang in checkers], now
        )
        author = await storage.members.by_telegram_id(AUTHOR_ID)
        assert author is not None
        async with storage.db.transaction() as conn:  # the secretary gets the summaries too
            await storage.members.grant(conn, author.id, author.unit_id, Role.COORDINATOR, now)
        districts = [u for u in units if u.depth == 1 and u != team]
        later = await _later_unit(storage, later_branch)
        audience = await storage.db.fetchall(
            "SELECT m.telegram_id FROM members m JOIN units u ON u.id = m.unit_id"
            " WHERE u.path LIKE ? ORDER BY m.telegram_id",
            (f"{later.path}%",),
        )
        labels = press_labels(services)
    finally:
        await storage.close()
    return Template(
        db=db,
        districts=[d.id for d in districts],
        later_unit=later.id,
        later_audience=[int(row[0]) for row in audience],
        checkers=checkers,
        answer={lang: labels["answer", lang] for lang in ("en", "zh")},
        submit={lang: labels["submit", lang] for lang in ("en", "zh")},
        concurrency=settings.delivery.concurrency,
    )


async def _later_unit(storage: Storage, branch: bool) -> Unit:
    """Where the fault run's later directives go: the district with the most members or,
    for a short run (their sends after the outage are paced too), the largest branch."""
    row = await storage.db.fetchone(
        "SELECT u.id FROM units u JOIN units below ON below.path LIKE u.path || '%'"
        " JOIN members m ON m.unit_id = below.id WHERE u.depth = ? AND u.code != 'CHK'"
        " GROUP BY u.id ORDER BY COUNT(*) DESC, u.id LIMIT 1",
        (2 if branch else 1,),
    )
    assert row is not None
    found = await storage.units.get(int(row[0]))
    assert found is not None
    return found


async def queue_directives(
    db: Store,
    shift: float,
    targets: Sequence[Sequence[int]],
    text: Sequence[str],
    send_at: Sequence[datetime | None],
) -> list[int]:
    """Directives from the author, as the compose flow would create them, on the trial's
    clock; returns their ids."""
    settings = crash_settings(db, "http://127.0.0.1:9/bot")
    storage = await Storage.open(db)
    try:
        services = Services.build(settings, storage, ShiftedClock(shift))
        actor = await services.authz.actor(AUTHOR_ID)
        ids = []
        for units, words, at in zip(targets, text, send_at, strict=True):
            draft = Draft(
                targets=tuple(Target(unit, subtree=True) for unit in units),
                text=words,
                attachment=None,
                ack_required=False,
                ack_deadline=None,
                send_at=at,
            )
            ids.append((await services.directives.create(actor, draft)).id)
        return ids
    finally:
        await storage.close()


def shift_to(moment: datetime) -> float:
    """The clock shift that makes now read ``moment``."""
    return (moment - datetime.now(UTC)).total_seconds()


def free_port() -> int:
    """A port nothing listens on now, for the bot's webhook (the same one across restarts,
    as the URL registered with Telegram is)."""
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def database(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path, timeout=30)
    try:
        yield conn
    finally:
        conn.close()


def rows(db: Store, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """What ``sql`` (``?`` placeholders) reads from the trial's database, from outside the
    bots: a connection of its own each time."""
    if isinstance(db, Path):
        with database(db) as conn:
            return [tuple(row) for row in conn.execute(sql, tuple(params))]
    return asyncio.run(_postgres_rows(db, sql, params))


async def _postgres_rows(url: str, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    conn = await asyncpg.connect(url)
    try:
        return [tuple(row) for row in await conn.fetch(dollar_placeholders(sql), *params)]
    finally:
        await conn.close()


def scalar(db: Store, sql: str, params: Sequence[Any] = ()) -> int:
    found = rows(db, sql, params)
    return int(found[0][0]) if found and found[0][0] is not None else 0


def dump_calls(standin: StandIn, log: Path) -> None:
    """What the stand-in saw, next to the bot's log, to look into a failure."""
    record = [list(astuple(call)) for call in standin.calls()]
    log.with_suffix(".calls.json").write_text(json.dumps(record), encoding="utf-8")


def fresh_database(template: Template, db: Path) -> float:
    """A copy of the template with the directive to every branch queued on the trial's
    clock; returns the clock's shift."""
    assert isinstance(template.db, Path)  # a SQLite file's trials
    copy_db(template.db, db)
    shift = shift_to(BOT_START)
    asyncio.run(queue_directives(db, shift, [template.districts], [TEXT], [None]))
    return shift


@contextmanager
def standing_in(
    seed: int, recipients: int, log: Path, problems: list[str], *, enforce_limits: bool = False
) -> Iterator[StandIn]:
    """A stand-in counting the sends to the directive's recipients; a run that cannot go on
    becomes a problem, and a run with problems leaves the stand-in's record by its log."""
    standin = StandIn(seed, enforce_limits=enforce_limits)
    try:
        standin.post("/watch", {"lo": TELEGRAM_BASE, "hi": TELEGRAM_BASE + recipients})
        yield standin
    except TrialError as exc:
        problems.append(f"{exc} (log: {log.name})")
    finally:
        if problems:
            dump_calls(standin, log)
        standin.stop()


def wait_until(done: Callable[[], bool], within: float, what: str, pause: float = 0.1) -> None:
    deadline = time.time() + within
    while not done():
        if time.time() > deadline:
            raise TrialError(f"waited {within:.0f} s for {what}")
        time.sleep(pause)


class TrialError(Exception):
    """A trial could not go on (the bot died by itself, or stalled)."""


# --- one crash trial ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Post:
    """One webhook post as the stand-in recorded it (``WebhookSender.attempts``)."""

    update_id: int
    sender: int | None  # the member's Telegram id
    query: str | None  # the callback query's id: the update is a press
    started: float  # unix time
    ended: float
    outcome: int | str  # the status, or "refused", "cut", "timeout"
    target: int = 0  # which instance it was posted to (bench.crash_cluster)


ERROR_TEXTS = ("Something went wrong", "系统出了点问题")
KILL_JITTER_S = 0.03  # a webhook post takes a few milliseconds
SUMMARY_MESSAGES = 4  # chart, text, workbook, its caption


class Trial:
    """Phase A (the directive, kills and one SIGTERM), then phase B (the check-ins, kills),
    then phase C (more check-ins, by webhook, kills), then a graceful stop and the
    verdicts."""

    def __init__(self, plan: Plan, template: Template, tmp: Path, index: int) -> None:
        self.plan = plan
        self.template = template
        self.rng = random.Random(plan.seed * 1_000 + index)
        self.db = tmp / f"trial-{index}.db"
        self.log = tmp / f"trial-{index}.log"
        self.log.unlink(missing_ok=True)
        self.result = TrialResult(index, plan.recipients, plan.checkins, template.concurrency)
        self.shift = 0.0
        self.bot: Bot | None = None
        self.starts: list[float] = []
        self.webhook_port: int | None = None  # set: the next runs are in webhook mode
        # run (index into starts) -> the inbox's processed updates when the run before it
        # stopped, for the runs in webhook mode
        self.processed_before: dict[int, set[int]] = {}
        self.replayed = 0  # updates left unprocessed by the kills in webhook mode
        self.written: list[int] = []  # who wrote while the bot was down in webhook mode

    def run(self) -> TrialResult:
        started = time.time()
        self.shift = fresh_database(self.template, self.db)
        seed = self.plan.seed * 1_000 + self.result.index
        with standing_in(seed, self.plan.recipients, self.log, self.result.problems) as standin:
            try:
                self.start_bot(standin)
                self.phase_a(standin)
                self.phase_b(standin)
                if self.plan.webhook_checkins:
                    self.phase_c(standin)
                assert self.bot is not None
                _, _, code = self.bot.terminate()
                if code != 0:
                    self.result.problems.append(f"the last graceful stop exited with {code}")
                self.check_database()
                self.check_calls(standin.calls())
                if self.result.webhook is not None:
                    self.check_webhook(standin.get("/webhook"), standin.calls())
            finally:
                if self.bot is not None and self.bot.alive():
                    self.bot.kill()
        self.result.seconds = time.time() - started
        return self.result

    def start_bot(self, standin: StandIn) -> None:
        self.bot = Bot(
            self.db,
            standin.base_url,
            self.shift,
            self.log,
            unpaced=True,
            delivery={},
            webhook=self.webhook_port,
        )
        self.starts.append(self.bot.started)

    def phase_a(self, standin: StandIn) -> None:
        plan, rng = self.plan, self.rng
        kinds = ["kill"] * plan.kills + ["term"]
        rng.shuffle(kinds)
        shares = sorted(rng.uniform(0.05, 0.9) for _ in kinds)
        summary_at = rng.choice([i for i, kind in enumerate(kinds) if kind == "kill"])
        for i, (kind, share) in enumerate(zip(kinds, shares, strict=True)):
            # Every run sends something before it is stopped, however close the shares:
            # counted from what the stand-in has now, the last run's sends in flight at its
            # stop included. The stand-in stops the bot at that count itself (see its
            # ``stop_at``): stopped from here, after a poll, it may have sent them all.
            wanted = max(int(share * plan.recipients), _directive_sends(standin.stats()) + 1)
            assert self.bot is not None
            signal_name = "SIGKILL" if kind == "kill" else "SIGTERM"
            standin.post(
                "/stop_at", {"sends": wanted, "pid": self.bot.process.pid, "signal": signal_name}
            )
            progress = self.wait_for(standin, _directive_sends, wanted)
            stop = self.stop_bot(kind, "directive", progress, standin.stats()["signalled_at"])
            if i == summary_at:  # the bot is down across 12:00
                stop.summary_due = True
                self.shift = shift_to(SUMMARY_DUE + timedelta(seconds=rng.uniform(1, 20)))
            self.restart(stop, standin)
        wait_until(
            lambda: (
                scalar(
                    self.db, "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
                )
                == 0
                and scalar(self.db, "SELECT COUNT(*) FROM outbox WHERE kind LIKE 'summary%'") > 0
            ),
            60.0 + plan.recipients / 50,
            "the directive and the summary to be sent",
        )

    def phase_b(self, standin: StandIn) -> None:
        self.check_in_burst(standin, "checkins", self.plan.checkin_kills)
        self.result.repeats = int(standin.stats()["checkins"]["repeats"])

    def phase_c(self, standin: StandIn) -> None:
        """Phase B again with other members, the bot restarted in webhook mode: the
        stand-in posts their updates to it, again and again while it is down."""
        started = time.time()
        self.webhook_port = free_port()
        self.restart(self.stop_bot("switch", "webhook", 0), standin)
        wait_until(lambda: bool(standin.stats()["webhook"]), 60.0, "the bot's setWebhook")
        self.check_in_burst(standin, "webhook", self.plan.webhook_kills)
        # A press repeated just before the member saw "checked in" may still be on its way.
        wait_until(lambda: int(standin.stats()["webhook_pending"]) == 0, 30.0, "the last posts")
        stats = standin.stats()["checkins"]
        self.result.webhook = WebhookResult(
            members=self.plan.webhook_checkins,
            pushed=int(stats["steps"]) + len(self.written),
            written=len(self.written),
            repeats=int(stats["repeats"]),
            replayed=self.replayed,
            seconds=time.time() - started,
        )

    def check_in_burst(self, standin: StandIn, phase: str, kills: int) -> None:
        """The phase's members check in at once, through ``kills`` SIGKILLs."""
        template, members = self.template, self.plan.members(phase)
        standin.post(
            "/checkins",
            {
                "members": [who for who in template.checkers if who[0] in members],
                "answer": template.answer,
                "submit": template.submit,
                "done_marks": ["✅"],  # "✅ Checked in for …", "✅ Check-in for … updated"
            },
        )
        # Everyone sends /checkin at once; then each presses twice (the answer, Submit) as
        # the bot's messages come, so the presses measure how far the bot has got.
        presses = 2 * len(members)
        progress = 0
        for share in sorted(self.rng.uniform(0.05, 0.9) for _ in range(kills)):
            wanted = max(int(share * presses), progress + 1)
            progress = self.wait_for(standin, _checkin_presses, wanted)
            if phase == "webhook":
                # The press that met the share is being posted right now: a kill at once
                # would always catch a post before the bot stored it.
                time.sleep(self.rng.uniform(0.0, KILL_JITTER_S))
            stop = self.stop_bot("kill", phase, progress)
            if phase == "webhook":
                self.write_while_down(standin)
            self.restart(stop, standin)
        wait_until(
            lambda: int(standin.stats()["checkins"]["done"]) >= len(members),
            60.0 + len(members) / 10,
            "every member to have checked in",
        )

    def write_while_down(self, standin: StandIn) -> None:
        """Someone sends /help while the bot is down: whatever else was in flight at the
        kill, there is an update for the stand-in to post again and again until the bot is
        back."""
        user = self.plan.members("writers")[len(self.written)]
        _, name, language = next(who for who in self.template.checkers if who[0] == user)
        standin.post("/push", {"user": user, "name": name, "language": language, "text": "/help"})
        self.written.append(user)

    def wait_for(self, standin: StandIn, counter: Callable[[Json], int], threshold: int) -> int:
        """Poll the stand-in until ``counter`` of its stats reaches ``threshold``."""
        deadline = time.time() + 120.0
        while (value := counter(standin.stats())) < threshold:
            assert self.bot is not None
            if not self.bot.alive():
                raise TrialError(f"the bot died by itself ({counter.__name__} at {value})")
            if time.time() > deadline:
                raise TrialError(f"{counter.__name__} stalled at {value}, short of {threshold}")
            time.sleep(0.01)
        return value

    def stop_bot(
        self, kind: str, phase: str, progress: int, signalled: float | None = None
    ) -> Stop:
        """``signalled``: when the stand-in sent the signal, if it did."""
        assert self.bot is not None
        if kind == "kill":
            stop = Stop(kind, phase, self.bot.kill(signalled), progress)
        else:
            at, seconds, code = self.bot.terminate(signalled=signalled)
            stop = Stop(kind, phase, at, progress, exit_seconds=seconds)
            if code != 0:
                self.result.problems.append(f"a graceful stop exited with {code}")
        with database(self.db) as conn:
            rows = conn.execute(
                "SELECT chat_id FROM outbox WHERE kind = 'directive' AND status = 'sending'"
            ).fetchall()
        stop.claimed = {int(row[0]) for row in rows}
        self.result.stops.append(stop)
        if phase == "webhook":
            self.note_inbox(stop)
        return stop

    def note_inbox(self, stop: Stop) -> None:
        """Before a run in webhook mode: the updates already processed (that run must not
        handle them again, whoever posts them) and, after a kill, those stored but not yet
        marked processed (it replays them: handled again, at least once, never lost)."""
        with database(self.db) as conn:
            rows = conn.execute("SELECT update_id, processed_at IS NOT NULL FROM inbox").fetchall()
        # The run after the n-th stop is run n (run 0 the first).
        self.processed_before[len(self.result.stops)] = {int(u) for u, done in rows if done}
        if stop.kind == "kill":
            self.replayed += sum(1 for _, done in rows if not done)

    def restart(self, stop: Stop, standin: StandIn) -> None:
        time.sleep(self.rng.uniform(0.2, 1.5))
        stop.restart = time.time()
        self.start_bot(standin)

    # -- the verdicts --

    def check_database(self) -> None:
        result = self.result
        one, result.checkin_extra = checkins_of(self.db, self.plan.members("checkins"))
        with database(self.db) as conn:
            result.outbox_open = int(
                conn.execute(
                    "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
                ).fetchone()[0]
            )
            result.unprocessed_updates = int(
                conn.execute("SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL").fetchone()[0]
            )
            unfinished = conn.execute("SELECT COUNT(*) FROM directives WHERE status != 'sent'")
            if int(unfinished.fetchone()[0]):
                result.problems.append("the directive was not marked sent")
        result.checkin_members = one
        if result.checkin_members != self.plan.checkins:
            missing = self.plan.checkins - result.checkin_members
            result.problems.append(f"{missing} members without exactly one check-in")
        if result.outbox_open:
            result.problems.append(f"{result.outbox_open} outbox rows left open")
        if result.unprocessed_updates:
            result.problems.append(f"{result.unprocessed_updates} updates never processed")

    def run_of(self, moment: float) -> int:
        """Which run of the bot (0 the first) was up at ``moment``."""
        return max(i for i, start in enumerate(self.starts) if start <= moment)

    def check_calls(self, calls: list[Call]) -> None:
        result = self.result
        lo, hi = TELEGRAM_BASE, TELEGRAM_BASE + self.plan.recipients
        sends = [
            c
            for c in calls
            if c.ok and c.method == "sendMessage" and c.chat_id is not None and lo <= c.chat_id < hi
        ]
        per_chat: dict[int, list[float]] = {}
        for call in sends:
            assert call.chat_id is not None
            per_chat.setdefault(call.chat_id, []).append(call.at)
        result.lost = self.plan.recipients - len(per_chat)
        for times in per_chat.values():
            for repeat in times[1:]:
                run = self.run_of(repeat)
                if run == self.run_of(times[0]):
                    result.duplicates_in_run += 1
                else:
                    result.stops[run - 1].duplicates += 1
        replies = [
            c
            for c in calls
            if c.ok
            and c.chat_id is not None
            and c.chat_id >= CHECKIN_BASE
            and c.method in ("sendMessage", "editMessageText")
        ]
        for stop in result.stops:
            # Sends a dead bot had under way may still land before the restart.
            landed = {c.chat_id for c in sends if c.at < stop.restart}
            stop.unrecorded = len(landed & stop.claimed)
            stop.resume = _first_after([c.at for c in sends], stop.restart)
            members = self.plan.members("webhook" if stop.phase == "webhook" else "checkins")
            stop.inbound_resume = _first_after(
                [c.at for c in replies if c.chat_id in members], stop.restart
            )
        self.check_summary(calls)
        members = self.plan.members("checkins")
        replies = [c for c in replies if c.chat_id in members]
        result.confirmations = sum(1 for c in replies if (c.text or "").startswith("✅"))
        # The question is the one new message a check-in sends; the rest are edits of it.
        asked = Counter(c.chat_id for c in replies if c.method == "sendMessage")
        result.asked_again = sum(1 for n in asked.values() if n > 1)
        result.errors = sum(1 for c in calls if c.ok and (c.text or "").startswith(ERROR_TEXTS))
        self.verdicts()

    def check_webhook(self, record: Json, calls: list[Call]) -> None:
        """Phase C's verdicts, from the stand-in's record of its posts and of the answers to
        presses, and from the inbox: nothing lost, a 200 only for what is stored, and an
        update posted again recognised: no run handles an update twice, or one that was
        already marked processed before it started."""
        hook, problems = self.result.webhook, self.result.problems
        assert hook is not None
        members, writers = self.plan.members("webhook"), self.plan.members("writers")
        posts: dict[int, list[Post]] = {}
        for row in record["attempts"]:
            post = Post(*row)
            if post.sender in members or post.sender in writers:
                posts.setdefault(post.update_id, []).append(post)
        replied_to = {c.chat_id for c in calls if c.ok and c.method == "sendMessage"}
        hook.written_answered = sum(1 for who in self.written if who in replied_to)
        hook.checkin_members, hook.checkin_extra = checkins_of(self.db, members)
        stored = stored_updates(self.db, self.shift)
        hook.pending = int(record["pending"])
        failed: Counter[str] = Counter()
        for update_id, tries in posts.items():
            answered = [p for p in tries if p.outcome == 200]
            failed.update(str(p.outcome) for p in tries if p.outcome != 200)
            hook.delivered += bool(answered)
            hook.answered_twice += len(answered) > 1
            if any(update_id not in stored or stored[update_id] > p.ended for p in answered):
                hook.answered_unstored += 1
            if answered and len(tries) > 1:
                hook.resent += 1
                # Stored before the post that got the 200 began: by a run that then died.
                first = answered[0].started
                hook.resent_stored += update_id in stored and stored[update_id] < first
        hook.failed = dict(failed)
        presses = {p.query: update_id for update_id, t in posts.items() for p in t[:1] if p.query}
        hook.presses = len(presses)
        handled: Counter[tuple[int, int]] = Counter()  # (update, run) -> answers
        for query, at in record["answers"]:
            if query in presses:
                handled[presses[query], self.run_of(at)] += 1
        for (update_id, run), times in handled.items():
            finished = update_id in self.processed_before.get(run, set())
            hook.handled_again += times if finished else times - 1
        if hook.checkin_members != hook.members or hook.checkin_extra:
            problems.append(
                f"webhook: {hook.members - hook.checkin_members} members without exactly one"
                f" check-in, {hook.checkin_extra} extra rows"
            )
        if hook.delivered != hook.pushed or hook.pending:
            problems.append(
                f"webhook: {hook.delivered} of {hook.pushed} updates answered 200,"
                f" {hook.pending} left pending"
            )
        if hook.answered_twice or hook.answered_unstored:
            problems.append(
                f"webhook: {hook.answered_twice} updates answered 200 twice,"
                f" {hook.answered_unstored} answered 200 but not stored first"
            )
        if hook.handled_again:
            problems.append(f"webhook: {hook.handled_again} presses handled again")
        if hook.written_answered != hook.written:
            problems.append(
                f"webhook: {hook.written - hook.written_answered} of {hook.written} people who"
                " wrote while the bot was down got no answer"
            )

    def check_summary(self, calls: list[Call]) -> None:
        result = self.result
        stop = next(s for s in result.stops if s.summary_due)
        mine = [c for c in calls if c.ok and c.chat_id == AUTHOR_ID]
        result.summary_messages = len(mine)
        result.summary_early = sum(1 for c in mine if c.at < stop.restart)
        result.summary_after = _first_after(
            [c.at for c in mine if c.method == "sendMessage"], stop.restart
        )

    def verdicts(self) -> None:
        result, bound = self.result, self.result.concurrency
        problems = result.problems
        if result.lost:
            problems.append(f"{result.lost} recipients got nothing")
        if result.duplicates_in_run:
            problems.append(f"{result.duplicates_in_run} duplicates with no crash between")
        for stop in result.stops:
            if stop.kind != "kill" and stop.duplicates:
                problems.append(f"{stop.duplicates} duplicates after a SIGTERM")
            if stop.kind == "kill" and stop.duplicates > bound:
                problems.append(f"{stop.duplicates} duplicates after a SIGKILL (bound {bound})")
            late = stop.resume is None or stop.resume > RESUME_TARGET_S
            if stop.phase == "directive" and late:
                problems.append(f"sending resumed {_seconds(stop.resume)} after a restart")
        if result.summary_after is None or result.summary_after > SUMMARY_TARGET_S:
            problems.append(f"the summary came {_seconds(result.summary_after)} after the restart")
        if result.summary_early:
            problems.append(f"{result.summary_early} summary messages before it was due")
        if result.summary_messages < SUMMARY_MESSAGES:
            problems.append(f"{result.summary_messages} summary messages, not {SUMMARY_MESSAGES}")
        if result.errors:
            problems.append(f"{result.errors} 'something went wrong' messages")


def checkins_of(db: Store, members: range) -> tuple[int, int]:
    """Of the members with these Telegram ids: how many have exactly one check-in for the
    day, and how many rows there are beyond one per member."""
    per_member = [
        int(n)
        for (n,) in rows(
            db,
            "SELECT COUNT(c.id) FROM members m LEFT JOIN checkins c"
            " ON c.member_id = m.id AND c.day = ? WHERE m.telegram_id >= ? AND m.telegram_id < ?"
            " GROUP BY m.id",
            (BOT_START.date().isoformat(), members.start, members.stop),
        )
    ]
    return per_member.count(1), sum(max(0, n - 1) for n in per_member)


def stored_updates(db: Store, shift: float) -> dict[int, float]:
    """The inbox's updates -> when they were stored (unix time; the bots' clock is the
    trial's, ``shift`` seconds ahead)."""
    return {
        int(update_id): from_db_time(at).timestamp() - shift
        for update_id, at in rows(db, "SELECT update_id, received_at FROM inbox")
    }


def _directive_sends(stats: Json) -> int:
    return int(stats["watched_sends"])


def _checkin_presses(stats: Json) -> int:
    """The members' steps after their /checkin (repeats included)."""
    return int(stats["checkins"]["steps"]) - int(stats["checkins"]["members"])


def _first_after(times: Sequence[float], moment: float) -> float | None:
    """Seconds from ``moment`` to the first of ``times`` after it, if any."""
    later = [t for t in times if t >= moment]
    return min(later) - moment if later else None


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


# --- the fault run: no restart ----------------------------------------------------------


DIRECTIVE_MARKS = ("Sandbags", "Second directive", "Third directive")


def directives_got(calls: Sequence[Call], chats: range) -> dict[int, list[tuple[float, int]]]:
    """Each of ``chats`` -> (when, which: the index of its DIRECTIVE_MARKS) of every
    directive the stand-in accepted for it."""
    got: dict[int, list[tuple[float, int]]] = {}
    for call in calls:
        chat = call.chat_id
        if call.ok and call.method == "sendMessage" and chat is not None and chat in chats:
            which = next((i for i, m in enumerate(DIRECTIVE_MARKS) if m in (call.text or "")), None)
            if which is not None:
                got.setdefault(chat, []).append((call.at, which))
    return got


@dataclass
class DirectiveTally:
    lost: int = 0  # directives a chat should have got and did not
    duplicates: int = 0  # directives a chat got more than once (the repeats)
    ordered_chats: int = 0  # chats due more than one directive
    out_of_order: int = 0  # of those, chats that got them in another order than due
    twice: set[int] = field(default_factory=set)  # chats that got one more than once


def tally_directives(
    got: dict[int, list[tuple[float, int]]],
    chats: range,
    later_audience: Sequence[int],
    later: set[int],
) -> DirectiveTally:
    """The verdicts on ``directives_got``: each of ``chats`` is due the first directive,
    and each of ``later_audience`` the ``later`` ones too, in their order."""
    tally = DirectiveTally()
    wanted = {chat: {0} for chat in chats}
    for chat in later_audience:
        wanted[chat] |= later
    for chat, kinds in wanted.items():
        seen = Counter(which for _, which in got.get(chat, []))
        tally.lost += sum(1 for kind in kinds if not seen[kind])
        repeats = sum(max(0, n - 1) for n in seen.values())
        tally.duplicates += repeats
        if repeats:
            tally.twice.add(chat)
        if len(kinds) > 1:
            tally.ordered_chats += 1
            order = [which for _, which in sorted(got.get(chat, []))]
            tally.out_of_order += order != sorted(order)
    return tally


class FaultRun:
    """One bot, paced at Telegram's limits against a stand-in that enforces them, sending a
    directive through a 429 storm, a spell of 5xx answers, sends held until they time out,
    and then network loss, during which two more directives fall due and people write."""

    def __init__(self, plan: Plan, template: Template, tmp: Path) -> None:
        self.plan = plan
        self.template = template
        self.db = tmp / "faults.db"
        self.log = tmp / "faults.log"
        self.log.unlink(missing_ok=True)
        spacing = 1.0 if plan.compressed else 4.0
        self.spacing = spacing
        self.storm = (1.0 * spacing, 1.5 * spacing, 1 if spacing == 1 else 3)
        self.fivexx = (3.5 * spacing, 2.0 * spacing)
        self.hold = (6.0 * spacing, 4 * int(spacing), 8.0)  # at, sends, seconds held
        self.outage_at = 7.5 * spacing
        delivery: Json = {"rate_per_second": 28}
        if plan.max_backoff is not None:
            delivery["max_backoff_seconds"] = plan.max_backoff
        self.delivery = delivery
        settings = crash_settings(self.db, "http://127.0.0.1:9/bot", delivery)
        self.reopened = 0.0
        self.result = FaultResult(
            recipients=plan.fault_recipients,
            later_audience=len(template.later_audience),
            storm_seconds=self.storm[1],
            storm_retry_after=self.storm[2],
            fivexx_seconds=self.fivexx[1],
            held_seconds=self.hold[2],
            outage_planned=plan.outage,
            max_backoff=settings.delivery.max_backoff_seconds,
        )

    def run(self) -> FaultResult:
        started = time.time()
        shift = fresh_database(self.template, self.db)
        plan, problems = self.plan, self.result.problems
        with standing_in(
            plan.seed, plan.fault_recipients, self.log, problems, enforce_limits=True
        ) as standin:
            bot = Bot(
                self.db, standin.base_url, shift, self.log, unpaced=False, delivery=self.delivery
            )
            try:
                self.timeline(standin, bot, shift)
                self.result.restarts = 0 if bot.alive() else 1
                _, _, self.result.exit_code = bot.terminate()
                self.check(standin.calls(), standin.stats())
            finally:
                if bot.alive():
                    bot.kill()
        self.result.seconds = time.time() - started
        return self.result

    def timeline(self, standin: StandIn, bot: Bot, shift: float) -> None:
        wait_until(lambda: _directive_sends(standin.stats()) > 0, 60.0, "the first send", 0.01)
        begun = time.time()

        def at(offset: float) -> None:
            time.sleep(max(0.0, begun + offset - time.time()))
            if not bot.alive():
                raise TrialError("the bot died")

        when, seconds, retry_after = self.storm
        at(when)
        standin.post(
            "/fault",
            {
                "kind": "window",
                "seconds": seconds,
                "code": 429,
                "description": f"Too Many Requests: retry after {retry_after}",
                "retry_after": retry_after,
            },
        )
        when, seconds = self.fivexx
        at(when)
        for code, words, share in ((502, "Bad Gateway", 0.4), (500, "Internal Server Error", 0.2)):
            fault = {"kind": "window", "seconds": seconds, "code": code, "description": words}
            standin.post("/fault", fault | {"probability": share})
        when, sends, held = self.hold
        at(when)
        standin.post("/fault", {"kind": "hold", "sends": sends, "seconds": held})
        at(self.outage_at)
        outage = self.plan.outage
        standin.post("/offline", {"seconds": outage})
        closed = time.time()
        # Two directives fall due while the network is gone (a secretary scheduled them).
        due = [
            datetime.now(UTC) + timedelta(seconds=shift + outage * share) for share in (0.3, 0.6)
        ]
        units = [[self.template.later_unit]] * 2
        asyncio.run(queue_directives(self.db, shift, units, list(LATER), due))
        time.sleep(max(0.0, closed + outage / 2 - time.time()))
        for user_id, name, language in self.template.checkers[:5]:  # people write meanwhile
            standin.post(
                "/push", {"user": user_id, "name": name, "language": language, "text": "/help"}
            )
        self.result.inbound = 5
        wait_until(lambda: not standin.stats()["offline"], outage + 30.0, "the network back")
        self.reopened = float(standin.stats()["reopened_at"])
        expected = self.plan.fault_recipients + 2 * len(self.template.later_audience)
        wait_until(
            lambda: (
                scalar(
                    self.db, "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
                )
                == 0
                and scalar(self.db, "SELECT COUNT(*) FROM outbox WHERE kind = 'directive'")
                == expected
            ),
            outage + 600.0,
            "everything due to be sent",
            0.5,
        )
        # The bot's polling backs off up to 30 s while the network is gone.
        wait_until(
            lambda: (
                scalar(self.db, "SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL") == 0
                and scalar(self.db, "SELECT COUNT(*) FROM inbox") >= 5
            ),
            60.0,
            "the messages written during the outage to be answered",
            0.5,
        )

    def check(self, calls: list[Call], stats: Json) -> None:
        result, template = self.result, self.template
        result.injected = {str(k): int(v) for k, v in stats["injected"].items()}
        result.limit_429 = int(stats["too_many_requests"]) - result.injected.get("429", 0)
        result.held = int(stats["held"])
        result.outage = float(stats["offline_seconds"])
        reopened = self.reopened
        chats = range(TELEGRAM_BASE, TELEGRAM_BASE + self.plan.fault_recipients)
        got = directives_got(calls, chats)
        tally = tally_directives(got, chats, template.later_audience, {1, 2})
        result.lost, result.duplicates = tally.lost, tally.duplicates
        result.ordered_chats, result.out_of_order = tally.ordered_chats, tally.out_of_order
        after = [c.at for c in calls if c.ok and c.method == "sendMessage" and c.at >= reopened]
        result.resume_after_outage = min(after) - reopened if after else None
        last = max((t for sent in got.values() for t, _ in sent), default=None)
        result.done_after_outage = last - reopened if last is not None else None
        people = [user_id for user_id, _, _ in template.checkers[:5]]
        # Who -> first answer. Not in the order they wrote: updates of different chats are
        # handled at once (app/updates.py); one chat's order is tested in tests/flows.
        answers: dict[int, float] = {}
        for call in calls:
            if call.ok and call.method == "sendMessage" and call.chat_id in people:
                answers.setdefault(people.index(call.chat_id), call.at)
        refused = {c.chat_id for c in calls if c.status == 429 and c.chat_id in people}
        result.inbound_answered = sum(1 for at in answers.values() if at >= reopened)
        result.inbound_refused = sum(
            1 for i, who in enumerate(people) if who in refused and i not in answers
        )
        result.inbound_after_outage = min(answers.values()) - reopened if answers else None
        result.errors = sum(1 for c in calls if c.ok and (c.text or "").startswith(ERROR_TEXTS))
        with database(self.db) as conn:
            result.failed_rows = int(
                conn.execute(
                    "SELECT COUNT(*) FROM outbox WHERE status IN ('failed', 'unreachable')"
                ).fetchone()[0]
            )
            result.open_rows = int(
                conn.execute(
                    "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
                ).fetchone()[0]
            )
        problems = result.problems
        if result.lost:
            problems.append(f"{result.lost} messages lost")
        if result.duplicates:
            problems.append(f"{result.duplicates} duplicates")
        if result.failed_rows or result.open_rows:
            problems.append(f"{result.failed_rows} rows failed, {result.open_rows} left open")
        if result.out_of_order:
            problems.append(
                f"{result.out_of_order} of {result.ordered_chats} chats got their directives"
                " out of order"
            )
        if result.inbound_refused:
            problems.append(
                f"{result.inbound_refused} of {result.inbound} people who wrote during the"
                " outage got no answer: it drew a 429"
            )
        if result.inbound_answered + result.inbound_refused != result.inbound:
            problems.append("people who wrote during the outage got no answer")
        if result.errors:
            problems.append(f"{result.errors} 'something went wrong' messages")
        if result.restarts or result.exit_code:
            problems.append(f"the bot restarted or exited with {result.exit_code}")


# --- the run and its report ------------------------------------------------------------------


def run_all(plan: Plan, tmp: Path, echo: Callable[[str], None] = lambda _: None) -> Runs:
    runs = Runs(plan)
    started = time.time()
    if plan.trials:
        template = make_template(tmp, plan.recipients, plan.people, plan.seed)
        for index in range(1, plan.trials + 1):
            trial = Trial(plan, template, tmp, index).run()
            runs.trials.append(trial)
            echo(f"trial {index}/{plan.trials}: {trial_line(trial)}")
    if plan.faults:
        template = make_template(
            tmp, plan.fault_recipients, 5, plan.seed, later_branch=plan.compressed
        )
        runs.faults = FaultRun(plan, template, tmp).run()
        echo(f"faults: {runs.faults.problems or 'ok'}")
    runs.seconds = time.time() - started
    return runs


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.crash", description=(__doc__ or "").split("\n\n")[0]
    )
    default = Plan()
    parser.add_argument("--trials", type=int, default=default.trials)
    parser.add_argument("--seed", type=int, default=default.seed)
    parser.add_argument("--recipients", type=int, default=default.recipients)
    parser.add_argument("--checkins", type=int, default=default.checkins)
    parser.add_argument("--kills", type=int, default=default.kills)
    parser.add_argument("--checkin-kills", type=int, default=default.checkin_kills)
    parser.add_argument(
        "--webhook-checkins", type=int, default=default.webhook_checkins, help="0: no phase C"
    )
    parser.add_argument("--webhook-kills", type=int, default=default.webhook_kills)
    parser.add_argument("--fault-recipients", type=int, default=default.fault_recipients)
    parser.add_argument("--outage", type=float, default=default.outage, help="seconds")
    parser.add_argument("--max-backoff", type=float, help="delivery.max_backoff_seconds")
    parser.add_argument("--no-faults", action="store_true", help="skip the fault run")
    parser.add_argument("--reduced", action="store_true", help="what make test runs")
    parser.add_argument("--out", type=Path, help="write the results into this file")
    parser.add_argument("--json", type=Path, help="keep every figure measured in this file")
    parser.add_argument("--render", type=Path, help="only render a --json file again")
    args = parser.parse_args(argv)
    if args.kills < 1 or args.trials < 0 or args.recipients < 100:
        parser.error("at least one kill and 100 recipients")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.render:
        publish(Runs.load(args.render), args.out)
        return
    if args.reduced:
        plan = Plan.reduced(faults=not args.no_faults)
    else:
        options = {f.name: getattr(args, f.name) for f in fields(Plan) if f.name != "faults"}
        plan = Plan(**options, faults=not args.no_faults)
    with tempfile.TemporaryDirectory(prefix="muster-crash-") as name:
        runs = run_all(plan, Path(name), lambda line: print(line, file=sys.stderr, flush=True))
        if not runs.ok:  # keep the bots' logs and the stand-ins' records to look at
            kept = Path(tempfile.mkdtemp(prefix="muster-crash-logs-"))
            for log in [*Path(name).glob("*.log"), *Path(name).glob("*.json")]:
                shutil.copy(log, kept)
            print(f"logs kept in {kept}", file=sys.stderr)
    if args.json:
        runs.dump(args.json)
    publish(runs, args.out)
    sys.exit(0 if runs.ok else 1)


def publish(runs: Runs, out: Path | None) -> None:
    section = render(runs)
    print(section)
    if out:
        write_results(out, section)
        print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
