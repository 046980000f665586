"""Crash trials with two instances on PostgreSQL (issue #20): ``bench.crash``'s trials with
two bot processes in webhook mode (``muster run --webhook``, each with its own
``cluster.instance_id`` and port) sharing one database, and one of them killed at seeded
random points. How it works and the latest figures: docs/reliability.md.

Targets: 0 lost sends, duplicates no more than the rows in flight on the killed instance
(``delivery.concurrency`` at most), each check-in exactly once per member and day, every
chat's messages in order, each update handled once (again only if a kill caught it stored
and not yet marked handled), and the schedule (a summary falling due while the leader is
dead) sent by the survivor within 10 s of the kill.

Each trial has its own database, copied from a template (``bench.crash``'s organisation,
built once in PostgreSQL), and its own stand-in (``bench.crash_standin``), which plays
Telegram and a load balancer in front of the two instances: each update is posted to one
of them at random, to the other when the first refuses the connection, and again after a
pause when the post fails otherwise (``/balance``; eight posts at a time, each chat's one
after another). The trial clock starts on a Tuesday at 11:00 in Shanghai.

- Phase A: a directive to every member (and a second one to the largest district, so those
  chats must get the two in order), queued before the instances start, sent by both. An
  instance picked at random is killed (SIGKILL, sent by the stand-in as it accepts the
  send that meets a seeded share) and restarted after a seeded pause, ``--kills`` times.
- Phase S: with nothing in flight, every instance's clock moves to a seeded moment just
  before 12:00, when the daily summary falls due, and the leader (``/health``) is killed
  at once; it is restarted once the summary came (or after 15 s).
- Phase B: ``--checkins`` members check in at once, their updates posted to both; an
  instance picked at random is killed after a seeded share of their presses and restarted
  after a seeded pause, ``--checkin-kills`` times.

Every ``--dead-every``-th trial, the first kill of phase A is the only one and the killed
instance stays dead: the survivor sends what the dead one had in flight once its lease has
run out, the summary, and takes every check-in alone.

    .venv/bin/python -m bench.crash_cluster [--trials 10] [--seed 1] [--recipients 10000]
                                            [--checkins 1000] [--kills 2]
                                            [--checkin-kills 2] [--dead-every 3]
                                            [--postgres URL] [--reduced]
                                            [--json FILE] [--out docs/reliability.md]

PostgreSQL: ``--postgres URL`` (a server whose user may create databases), else
``MUSTER_BENCH_POSTGRES_URL``, else a pgserver it starts (``bench.pg_triggers``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.caddy_front import caddy_front
from bench.crash import (
    BOT_START,
    ERROR_TEXTS,
    LATER,
    SUMMARY_DUE,
    TEXT,
    Bot,
    Call,
    Json,
    Post,
    StandIn,
    Template,
    TrialError,
    checkins_of,
    directives_got,
    free_port,
    make_template,
    queue_directives,
    rows,
    scalar,
    shift_to,
    standing_in,
    stored_updates,
    tally_directives,
    wait_until,
)
from bench.crash_results import CHECKIN_BASE
from bench.dbcopy import admin
from bench.delivery import AUTHOR_ID
from bench.org_memory import TELEGRAM_BASE
from bench.pg_triggers import postgres
from bench.report import machine, publish, section_text, verdict
from tests.pg import BYTE_ORDER, database_url

HEADING = "## Two instances on PostgreSQL: crash trials (issue #20)"
CADDY_HEADING = "## Two instances on PostgreSQL behind Caddy: crash trials (issue #20)"
SUMMARY_TARGET_S = 10.0  # from the leader's kill to the survivor's summary
SUMMARY_MESSAGES = 4  # chart, text, workbook, its caption
EXPLAINED = 6  # duplicated chats described when a kill has too many
OPEN_ROWS = "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
SUMMARY_SENT = "SELECT COUNT(*) FROM outbox WHERE kind LIKE 'summary%' AND status = 'sent'"


@dataclass(frozen=True, slots=True)
class ClusterPlan:
    trials: int = 10
    seed: int = 1
    recipients: int = 10_000
    checkins: int = 1_000
    kills: int = 2  # SIGKILLs during the directive (phase A)
    checkin_kills: int = 2  # SIGKILLs during the check-ins (phase B)
    dead_every: int = 3  # every n-th trial, the first victim stays dead (0: never)
    connections: int = 8  # webhook posts at once (Telegram's max_connections: 40)
    lease: float = 15.0  # cluster.lease_seconds (the outbox's)
    claim_lease: float = 10.0  # cluster.claim_lease_seconds (the chats')
    proxy: str = ""  # "caddy": the shipped Caddyfile between the stand-in and the instances

    def dead(self, index: int) -> bool:
        return self.dead_every > 0 and index % self.dead_every == 0

    @classmethod
    def reduced(cls) -> ClusterPlan:
        """What ``make test`` runs: a trial with restarts and one where the victim stays
        dead, small, with short leases."""
        return cls(
            trials=2,
            recipients=400,
            checkins=40,
            kills=1,
            checkin_kills=1,
            dead_every=2,
            connections=4,
            lease=4.0,
            claim_lease=3.0,
        )


@dataclass
class Kill:
    """One SIGKILL of one instance, and its restart (if any)."""

    phase: str  # "directive", "summary" or "checkins"
    victim: str  # the instance's cluster.instance_id
    at: float  # unix time
    progress: int  # directive sends accepted (phase A) or check-in presses (B) by then
    claimed: list[int] = field(default_factory=list)  # chats of its rows in flight
    unprocessed: list[int] = field(default_factory=list)  # updates stored, not handled
    restart: float | None = None  # when it was started again (None: it stayed dead)
    duplicates: int = 0  # of its claimed chats, those that got the directive twice
    lost_in_flight: int = 0  # claimed chats the stand-in had not accepted at the kill
    in_flight_done: float | None = None  # kill to the last of those sent, seconds
    next_send: float | None = None  # kill to the next directive send by anyone, seconds
    # Duplicates past the bound, explained: each chat's directive sends (seconds from the
    # kill) and its rows' state, attempts and instance (see ClusterTrial.explain).
    why: list[str] = field(default_factory=list)


@dataclass
class ClusterTrialResult:
    index: int
    dead: bool
    recipients: int
    checkins: int
    concurrency: int
    kills: list[Kill] = field(default_factory=list)
    lost: int = 0  # directive messages (first or second) a recipient did not get
    duplicates: int = 0  # directive messages a recipient got twice
    unexplained_duplicates: int = 0  # of those, to chats no killed instance had in flight
    ordered_chats: int = 0  # chats that got both directives
    out_of_order: int = 0
    sent_by: dict[str, int] = field(default_factory=dict)  # instance -> directive sends
    summary_messages: int = 0
    summary_early: int = 0  # summary messages before it fell due
    summary_after: float | None = None  # leader killed (or clock moved) to the summary
    summary_by: str | None = None  # the instance that sent its first message
    checkin_members: int = 0  # members with exactly one check-in for the day
    checkin_extra: int = 0
    pushed: int = 0  # updates posted by the members (/checkin, presses)
    delivered: int = 0  # answered 200
    to_each: dict[str, int] = field(default_factory=dict)  # target -> posts answered 200
    failed: dict[str, int] = field(default_factory=dict)  # outcome -> failed posts
    answered_unstored: int = 0  # a 200 for an update not stored before it
    presses: int = 0
    handled_twice: int = 0  # presses answered twice, each stored unhandled at a kill
    handled_twice_unexplained: int = 0  # presses answered twice otherwise
    repeats: int = 0  # presses a member repeated (no change for 20 s)
    errors: int = 0
    first_sends: float = 0.0  # both instances running to 1% of the directive sent
    outbox_open: int = 0
    unprocessed_updates: int = 0
    exit_codes: list[int] = field(default_factory=list)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


@dataclass
class ClusterRuns:
    plan: ClusterPlan
    trials: list[ClusterTrialResult] = field(default_factory=list)
    seconds: float = 0.0
    date: str = field(default_factory=lambda: f"{datetime.now(UTC):%Y-%m-%d}")
    machine: str = field(default_factory=machine)

    @property
    def ok(self) -> bool:
        return all(not t.problems for t in self.trials)


# --- the database ----------------------------------------------------------------------------


def new_database(server: str, template: str | None = None) -> str:
    """A new database on ``server`` (a copy of ``template``, else empty): its URL."""
    name = f"muster_crash_{uuid.uuid4().hex[:10]}"
    source = f"TEMPLATE {template}" if template else BYTE_ORDER
    asyncio.run(admin(server, f'CREATE DATABASE "{name}" {source}'))
    return database_url(server, name)


def database_name(url: str) -> str:
    return urlsplit(url).path.strip("/")


def drop(server: str, url: str) -> None:
    name = database_name(url)
    asyncio.run(admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- one trial -----------------------------------------------------------------------------


class Instance:
    """One of the two: its id, port, and the run of the bot now (None while dead)."""

    def __init__(self, name: str, port: int) -> None:
        self.name = name
        self.port = port
        self.bot: Bot | None = None

    @property
    def alive(self) -> bool:
        return self.bot is not None and self.bot.alive()

    def health(self) -> Json:
        response = httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=5.0)
        response.raise_for_status()
        body: Json = response.json()
        return body


class ClusterTrial:
    """Phase A (the directive, kills), phase S (the leader killed before the summary falls
    due), phase B (the check-ins, kills), a graceful stop of the survivors, the verdicts.
    The module's docstring tells the plan."""

    def __init__(
        self, plan: ClusterPlan, template: Template, server: str, tmp: Path, index: int
    ) -> None:
        self.plan = plan
        self.template = template
        self.server = server
        self.tmp = tmp
        self.rng = random.Random(plan.seed * 1_000 + index)
        self.log = tmp / f"cluster-{index}.log"
        self.clock_file = tmp / f"cluster-{index}.clock"
        self.result = ClusterTrialResult(
            index, plan.dead(index), plan.recipients, plan.checkins, template.concurrency
        )
        self.db = ""
        self.shift = 0.0
        self.instances = [Instance(name, free_port()) for name in ("a", "b")]
        self.summary_moved = 0.0  # when the clock moved to just before the summary

    def run(self, template_db: str) -> ClusterTrialResult:
        """On a copy of ``template_db`` (a database's name, quoted), dropped after."""
        started = time.time()
        self.db = new_database(self.server, template_db)
        self.set_clock(shift_to(BOT_START))
        asyncio.run(
            queue_directives(
                self.db,
                self.shift,
                [self.template.districts, [self.template.later_unit]],
                [TEXT, LATER[0]],
                [None, None],
            )
        )
        seed = self.plan.seed * 1_000 + self.result.index
        try:
            with (
                standing_in(seed, self.plan.recipients, self.log, self.result.problems) as si,
                self.front() as urls,
            ):
                self.trial(si, urls)
        finally:
            for instance in self.instances:
                if instance.bot is not None and instance.bot.alive():
                    instance.bot.kill()
            drop(self.server, self.db)
        self.result.seconds = time.time() - started
        return self.result

    @contextmanager
    def front(self) -> Iterator[list[str]]:
        """Where the stand-in posts: each instance (it balances them itself), or the one
        address of Caddy in front of both (``--proxy caddy``)."""
        if self.plan.proxy != "caddy":
            yield [f"http://127.0.0.1:{i.port}/telegram" for i in self.instances]
            return
        proxy_log = self.log.with_suffix(".caddy.log")
        with caddy_front([i.port for i in self.instances], self.tmp, proxy_log) as url:
            yield [url]

    def trial(self, standin: StandIn, urls: list[str]) -> None:
        standin.post("/balance", {"urls": urls, "connections": self.plan.connections})
        for instance in self.instances:
            self.start(instance, standin)
        for instance in self.instances:
            assert instance.bot is not None
            instance.bot.wait_running(60.0)
        self.phase_a(standin)
        self.phase_s(standin)
        self.phase_b(standin)
        for instance in self.instances:
            if instance.bot is not None and instance.bot.alive():
                _, _, code = instance.bot.terminate()
                self.result.exit_codes.append(code)
        self.check(standin)

    def start(self, instance: Instance, standin: StandIn) -> None:
        cluster = {
            "instance_id": instance.name,
            "lease_seconds": self.plan.lease,
            "claim_lease_seconds": self.plan.claim_lease,
        }
        instance.bot = Bot(
            self.db,
            standin.base_url,
            self.shift,
            self.log.with_suffix(f".{instance.name}.log"),
            unpaced=True,
            delivery={},
            webhook=instance.port,
            cluster=cluster,
            clock_file=self.clock_file,
        )

    def set_clock(self, shift: float) -> None:
        """The trial's clock, in every running instance (and those started later)."""
        self.shift = shift
        self.clock_file.write_text(repr(shift), encoding="utf-8")
        for instance in self.instances:
            if instance.bot is not None and instance.bot.alive():
                instance.bot.process.send_signal(signal.SIGUSR1)

    def alive(self) -> list[Instance]:
        return [i for i in self.instances if i.alive]

    # -- the phases --

    def phase_a(self, standin: StandIn) -> None:
        plan, rng = self.plan, self.rng
        running = time.time()
        first = max(1, plan.recipients // 100)
        self.wait_for(standin, lambda s: int(s["watched_sends"]), first)
        self.result.first_sends = time.time() - running
        kills = 1 if self.result.dead else plan.kills
        for share in sorted(rng.uniform(0.05, 0.85) for _ in range(kills)):
            victim = rng.choice(self.alive())
            assert victim.bot is not None
            wanted = max(int(share * plan.recipients), standin.stats()["watched_sends"] + 1)
            standin.post(
                "/stop_at", {"sends": wanted, "pid": victim.bot.process.pid, "signal": "SIGKILL"}
            )
            progress = self.wait_for(standin, lambda s: int(s["watched_sends"]), wanted)
            kill = self.kill(victim, "directive", progress, standin.stats()["signalled_at"])
            if not self.result.dead:
                self.restart(victim, kill, standin, rng.uniform(0.2, 1.5))
        second = len(self.template.later_audience)
        wait_until(
            lambda: (
                scalar(self.db, OPEN_ROWS) == 0
                and scalar(self.db, "SELECT COUNT(*) FROM outbox WHERE kind = 'directive'")
                == plan.recipients + second
            ),
            60.0 + plan.lease + plan.recipients / 20,
            "both directives to be sent",
        )

    def phase_s(self, standin: StandIn) -> None:
        """Nothing in flight: every clock to just before 12:00, and the leader killed at
        once (in a trial whose victim stayed dead, the survivor is alone and leads)."""
        leader = self.leader()
        self.set_clock(shift_to(SUMMARY_DUE - timedelta(seconds=self.rng.uniform(0.5, 2.0))))
        self.summary_moved = time.time()
        if not self.result.dead:
            kill = self.kill(leader, "summary", 0)
            wait_until(
                lambda: scalar(self.db, SUMMARY_SENT) > 0, 15.0, "the summary's first message"
            )
            self.restart(leader, kill, standin, 0.0)
        wait_until(
            lambda: (
                scalar(self.db, OPEN_ROWS) == 0
                and scalar(self.db, "SELECT COUNT(*) FROM outbox WHERE kind LIKE 'summary%'") > 0
            ),
            60.0,
            "the summary to be sent",
        )

    def leader(self) -> Instance:
        found: list[Instance] = []

        def led() -> bool:
            found[:] = [i for i in self.alive() if i.health()["role"] == "leader"]
            return len(found) == 1

        wait_until(led, 30.0, "one leader", 0.2)
        return found[0]

    def phase_b(self, standin: StandIn) -> None:
        template, plan = self.template, self.plan
        members = range(CHECKIN_BASE, CHECKIN_BASE + plan.checkins)
        standin.post(
            "/checkins",
            {
                "members": [who for who in template.checkers if who[0] in members],
                "answer": template.answer,
                "submit": template.submit,
                "done_marks": ["✅"],
            },
        )
        presses = 2 * plan.checkins
        kills = 0 if self.result.dead else plan.checkin_kills
        progress = 0
        for share in sorted(self.rng.uniform(0.05, 0.9) for _ in range(kills)):
            wanted = max(int(share * presses), progress + 1)
            progress = self.wait_for(standin, _presses, wanted)
            victim = self.rng.choice(self.alive())
            kill = self.kill(victim, "checkins", progress)
            self.restart(victim, kill, standin, self.rng.uniform(0.2, 1.5))
        wait_until(
            lambda: int(standin.stats()["checkins"]["done"]) >= plan.checkins,
            60.0 + plan.claim_lease + plan.checkins / 5,
            "every member to have checked in",
        )
        wait_until(lambda: int(standin.stats()["webhook_pending"]) == 0, 30.0, "the last posts")
        wait_until(
            lambda: scalar(self.db, "SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL") == 0,
            30.0 + plan.claim_lease,
            "every update handled",
        )
        self.result.repeats = int(standin.stats()["checkins"]["repeats"])

    def wait_for(self, standin: StandIn, counter: Callable[[Json], int], threshold: int) -> int:
        deadline = time.time() + 120.0
        while (value := counter(standin.stats())) < threshold:
            if len(self.alive()) < len([i for i in self.instances if i.bot is not None]):
                raise TrialError(f"an instance died by itself (at {value})")
            if time.time() > deadline:
                raise TrialError(f"stalled at {value}, short of {threshold}")
            time.sleep(0.01)
        return value

    def kill(
        self, victim: Instance, phase: str, progress: int, signalled: float | None = None
    ) -> Kill:
        assert victim.bot is not None
        at = victim.bot.kill(signalled)
        claimed = rows(
            self.db,
            "SELECT chat_id FROM outbox WHERE kind = 'directive' AND status = 'sending'"
            " AND claimed_by = ?",
            (victim.name,),
        )
        unprocessed = rows(self.db, "SELECT update_id FROM inbox WHERE processed_at IS NULL")
        kill = Kill(
            phase,
            victim.name,
            at,
            progress,
            claimed=[int(r[0]) for r in claimed],
            unprocessed=[int(r[0]) for r in unprocessed],
        )
        self.result.kills.append(kill)
        if self.result.dead:
            victim.bot = None  # it stays dead: no longer one of the instances
        return kill

    def restart(self, victim: Instance, kill: Kill, standin: StandIn, pause: float) -> None:
        time.sleep(pause)
        kill.restart = time.time()
        self.start(victim, standin)
        assert victim.bot is not None
        victim.bot.wait_running(60.0)

    # -- the verdicts --

    def check(self, standin: StandIn) -> None:
        calls, record = standin.calls(), standin.get("/webhook")
        result = self.result
        self.check_directives(calls)
        for instance, count in rows(
            self.db,
            "SELECT claimed_by, COUNT(*) FROM outbox WHERE kind = 'directive' AND status = 'sent'"
            " GROUP BY claimed_by",
        ):
            result.sent_by[str(instance)] = int(count)
        self.check_summary(calls)
        members = range(CHECKIN_BASE, CHECKIN_BASE + self.plan.checkins)
        result.checkin_members, result.checkin_extra = checkins_of(self.db, members)
        result.outbox_open = scalar(self.db, OPEN_ROWS)
        result.unprocessed_updates = scalar(
            self.db, "SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL"
        )
        result.errors = sum(1 for c in calls if c.ok and (c.text or "").startswith(ERROR_TEXTS))
        self.check_updates(record)
        self.verdicts()

    def check_directives(self, calls: list[Call]) -> None:
        result = self.result
        chats = range(TELEGRAM_BASE, TELEGRAM_BASE + self.plan.recipients)
        got = directives_got(calls, chats)
        tally = tally_directives(got, chats, self.template.later_audience, {1})
        result.lost, result.duplicates = tally.lost, tally.duplicates
        result.ordered_chats, result.out_of_order = tally.ordered_chats, tally.out_of_order
        twice = tally.twice
        explained: set[int] = set()
        directive_sends = sorted(t for sent in got.values() for t, _ in sent)
        for kill in result.kills:
            claimed = set(kill.claimed)
            kill.duplicates = len(claimed & twice)
            explained |= claimed
            landed = {chat for chat, sent in got.items() if any(t < kill.at for t, _ in sent)}
            missing = claimed - landed
            kill.lost_in_flight = len(missing)
            if missing:
                done = [min(t for t, _ in got[c] if t >= kill.at) for c in missing if c in got]
                kill.in_flight_done = max(done) - kill.at if done else None
            later = [t for t in directive_sends if t >= kill.at]
            kill.next_send = later[0] - kill.at if later else None
        result.unexplained_duplicates = len(twice - explained)
        self.explain(got, twice)

    def explain(self, got: dict[int, list[tuple[float, int]]], twice: set[int]) -> None:
        """For a kill with more duplicates than sends in flight: what each of the first few
        of its chats sent a directive twice (``twice``) was sent when (``got``), and what
        its rows say now, so that a failure (in CI, where the logs are gone) says where the
        extra sends came from."""
        for kill in self.result.kills:
            if kill.duplicates <= self.result.concurrency:
                continue
            shown = sorted(twice.intersection(kill.claimed))[:EXPLAINED]
            found = rows(
                self.db,
                "SELECT chat_id, id, status, attempts, claimed_by FROM outbox"
                f" WHERE kind = 'directive' AND chat_id IN ({', '.join('?' * len(shown))})"
                " ORDER BY chat_id, id",
                shown,
            )
            for chat in shown:
                sends = ", ".join(f"{t - kill.at:+.2f} s #{w}" for t, w in sorted(got[chat]))
                mine = "; ".join(
                    f"row {r[1]} {r[2]} ×{r[3]} by {r[4]}" for r in found if r[0] == chat
                )
                kill.why.append(f"chat {chat}: sent {sends} ({mine})")

    def check_summary(self, calls: list[Call]) -> None:
        result = self.result
        mine = [c for c in calls if c.ok and c.chat_id == AUTHOR_ID]
        result.summary_messages = len(mine)
        result.summary_early = sum(1 for c in mine if c.at < self.summary_moved)
        texts = [c.at for c in mine if c.method == "sendMessage" and c.at >= self.summary_moved]
        start = next((k.at for k in result.kills if k.phase == "summary"), self.summary_moved)
        result.summary_after = min(texts) - start if texts else None
        first = rows(
            self.db, "SELECT claimed_by FROM outbox WHERE kind LIKE 'summary%' ORDER BY id LIMIT 1"
        )
        result.summary_by = str(first[0][0]) if first else None

    def check_updates(self, record: Json) -> None:
        """From the stand-in's record of its posts and of the answers to presses: every
        update answered 200 and stored first; a press answered twice only if a kill found
        it stored and not handled (the survivor then handles it again)."""
        result = self.result
        members = range(CHECKIN_BASE, CHECKIN_BASE + self.plan.checkins)
        posts: dict[int, list[Post]] = {}
        for row in record["attempts"]:
            post = Post(*row)
            if post.sender in members:
                posts.setdefault(post.update_id, []).append(post)
        stored = stored_updates(self.db, self.shift)
        failed: Counter[str] = Counter()
        to_each: Counter[str] = Counter()
        for update_id, tries in posts.items():
            answered = [p for p in tries if p.outcome == 200]
            failed.update(str(p.outcome) for p in tries if p.outcome != 200)
            to_each.update(self.instances[p.target].name for p in answered)
            result.delivered += bool(answered)
            if any(update_id not in stored or stored[update_id] > p.ended for p in answered):
                result.answered_unstored += 1
        result.pushed = len(posts)
        result.failed, result.to_each = dict(failed), dict(to_each)
        presses = {p.query: u for u, tries in posts.items() for p in tries[:1] if p.query}
        result.presses = len(presses)
        answers = Counter(query for query, _ in record["answers"] if query in presses)
        replayable = {u for kill in result.kills for u in kill.unprocessed}
        for query, times in answers.items():
            if times > 1:
                if presses[query] in replayable:
                    result.handled_twice += times - 1
                else:
                    result.handled_twice_unexplained += times - 1
        if record["pending"]:
            result.problems.append(f"{record['pending']} updates never answered 200")

    def verdicts(self) -> None:
        result, problems = self.result, self.result.problems
        if result.lost:
            problems.append(f"{result.lost} directive messages lost")
        if result.unexplained_duplicates:
            problems.append(
                f"{result.unexplained_duplicates} chats got a directive twice that no killed"
                " instance had in flight"
            )
        for kill in result.kills:
            if kill.duplicates > result.concurrency:
                problems.append(
                    f"{kill.duplicates} duplicates after a kill (bound {result.concurrency}):"
                    f" {'; '.join(kill.why)}"
                )
        if result.out_of_order:
            problems.append(f"{result.out_of_order} chats got the directives out of order")
        if result.summary_after is None or result.summary_after > SUMMARY_TARGET_S:
            problems.append(f"the summary came {_seconds(result.summary_after)} after the kill")
        if result.summary_early or result.summary_messages != SUMMARY_MESSAGES:
            problems.append(
                f"{result.summary_messages} summary messages ({result.summary_early} early),"
                f" not {SUMMARY_MESSAGES}"
            )
        killed = next((k.victim for k in result.kills if k.phase == "summary"), None)
        if killed is not None and killed == result.summary_by:
            problems.append("the killed leader sent the summary, not the survivor")
        if (result.checkin_members, result.checkin_extra) != (self.plan.checkins, 0):
            problems.append(
                f"{self.plan.checkins - result.checkin_members} members without exactly one"
                f" check-in, {result.checkin_extra} extra rows"
            )
        if result.delivered != result.pushed or result.answered_unstored:
            problems.append(
                f"{result.delivered} of {result.pushed} updates answered 200,"
                f" {result.answered_unstored} answered before they were stored"
            )
        if result.handled_twice_unexplained:
            problems.append(f"{result.handled_twice_unexplained} presses handled twice")
        if result.outbox_open or result.unprocessed_updates:
            problems.append(
                f"{result.outbox_open} outbox rows open, {result.unprocessed_updates} updates"
                " not handled at the end"
            )
        if result.errors:
            problems.append(f"{result.errors} 'something went wrong' messages")
        if any(result.exit_codes):
            problems.append(f"graceful stops exited with {result.exit_codes}")


def _presses(stats: Json) -> int:
    return int(stats["checkins"]["steps"]) - int(stats["checkins"]["members"])


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


# --- the run and its report -----------------------------------------------------------------


@contextmanager
def server(given: str | None) -> Iterator[str]:
    """The PostgreSQL server's URL: ``given``, else bench.pg_triggers's (kept for the run)."""
    if given:
        yield given
        return
    url, keep = postgres()
    try:
        yield url
    finally:
        del keep  # pgserver removes its folder when its last handle goes


def run_all(
    plan: ClusterPlan, pg: str, tmp: Path, echo: Callable[[str], None] = lambda _: None
) -> ClusterRuns:
    runs = ClusterRuns(plan)
    started = time.time()
    template_db = new_database(pg)
    try:
        template = make_template(tmp, plan.recipients, plan.checkins, plan.seed, url=template_db)
        # The copies keep the template's planner statistics but not its counts of changed
        # rows, so autovacuum would not analyse what came with them (docs/reliability.md,
        # finding 7: the outbox's own surge is Muster's to analyse).
        asyncio.run(admin(template_db, "ANALYZE"))
        name = database_name(template_db)
        for index in range(1, plan.trials + 1):
            trial = ClusterTrial(plan, template, pg, tmp, index).run(f'"{name}"')
            runs.trials.append(trial)
            echo(f"trial {index}/{plan.trials}: {trial_line(trial)}")
    finally:
        drop(pg, template_db)
    runs.seconds = time.time() - started
    return runs


def trial_line(trial: ClusterTrialResult) -> str:
    kills = ", ".join(f"{k.phase}:{k.victim}" for k in trial.kills)
    return (
        f"{'dead' if trial.dead else 'restarts'}; kills {kills}; lost {trial.lost},"
        f" duplicates {trial.duplicates}, summary {_seconds(trial.summary_after)},"
        f" check-ins {trial.checkin_members}/{trial.checkins};"
        f" {trial.problems or 'ok'} ({trial.seconds:.0f} s)"
    )


def heading(plan: ClusterPlan) -> str:
    return CADDY_HEADING if plan.proxy == "caddy" else HEADING


def render(runs: ClusterRuns, command: str) -> str:
    plan, trials = runs.plan, runs.trials
    kills = [k for t in trials for k in t.kills]
    directive = [k for k in kills if k.phase == "directive"]

    def most(values: Sequence[float | None]) -> str:
        known = [v for v in values if v is not None]
        return f"{max(known):.2f} s" if known else "–"

    def median(values: Sequence[float | None]) -> str:
        known = [v for v in values if v is not None]
        return f"{statistics.median(known):.2f} s" if known else "–"

    facts = [
        f"command: `{command}`",
        f"date: {runs.date}; machine: {runs.machine}; PostgreSQL 16 (pgserver) on the same"
        " machine; two bot processes, the stand-in and the harness share its CPUs",
        f"{len(trials)} trials ({sum(t.dead for t in trials)} with the victim left dead),"
        f" {plan.recipients:,} recipients, {plan.checkins:,} check-ins, seed {plan.seed},"
        f" cluster.lease_seconds {plan.lease:g}, claim_lease_seconds {plan.claim_lease:g},"
        f" {plan.connections} webhook posts at once; {runs.seconds / 60:.0f} min",
        f"verdict: {verdict(runs.ok)}",
    ]
    table = [
        "| | target | measured (all trials) |",
        "| --- | --- | --- |",
        f"| kills | | {len(kills)}: {len(directive)} during the directive,"
        f" {sum(k.phase == 'summary' for k in kills)} of the leader before the summary,"
        f" {sum(k.phase == 'checkins' for k in kills)} during the check-ins |",
        f"| directive messages lost | 0 | {sum(t.lost for t in trials)} |",
        f"| duplicates, most after one kill | ≤ in flight on the killed instance"
        f" (≤ {trials[0].concurrency if trials else 0}) |"
        f" {max((k.duplicates for k in kills), default=0)} (rows in flight at a kill:"
        f" at most {max((len(k.claimed) for k in kills), default=0)});"
        f" unexplained {sum(t.unexplained_duplicates for t in trials)} |",
        f"| chats given both directives, out of order | 0 |"
        f" {sum(t.out_of_order for t in trials)} of {sum(t.ordered_chats for t in trials):,} |",
        f"| in-flight rows of a killed instance sent, after the kill | lease"
        f" {plan.lease:g} s (dead), restart (restarted) |"
        f" median {median([k.in_flight_done for k in kills])},"
        f" most {most([k.in_flight_done for k in kills])} |",
        f"| next directive send after a kill | | most {most([k.next_send for k in directive])} |",
        f"| both running to 1% of the directive sent | | median"
        f" {median([t.first_sends for t in trials])},"
        f" most {most([t.first_sends for t in trials])} |",
        f"| summary after the leader's kill (clock moved, dead trials) | ≤ {SUMMARY_TARGET_S:g} s"
        f" | median {median([t.summary_after for t in trials])},"
        f" most {most([t.summary_after for t in trials])} |",
        f"| members with exactly one check-in | all | {sum(t.checkin_members for t in trials):,}"
        f" of {sum(t.checkins for t in trials):,}; extra rows"
        f" {sum(t.checkin_extra for t in trials)} |",
        f"| updates answered 200 / posted | all, stored first |"
        f" {sum(t.delivered for t in trials):,} / {sum(t.pushed for t in trials):,};"
        f" before storing {sum(t.answered_unstored for t in trials)} |",
        f"| presses handled twice | only those a kill caught stored, unhandled |"
        f" {sum(t.handled_twice for t in trials)} such;"
        f" otherwise {sum(t.handled_twice_unexplained for t in trials)} |",
        f"| 'something went wrong' | 0 | {sum(t.errors for t in trials)} |",
    ]
    per_trial = [
        "| trial | kills (phase:instance) | dup. | in flight | summary | sent by a / b"
        " | posts refused / cut | problems |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for t in trials:
        kill_text = ", ".join(
            f"{k.phase}:{k.victim}{'' if k.restart else ' (dead)'}" for k in t.kills
        )
        per_trial.append(
            f"| {t.index} | {kill_text} | {t.duplicates} |"
            f" {'/'.join(str(len(k.claimed)) for k in t.kills)} | {_seconds(t.summary_after)} |"
            f" {t.sent_by.get('a', 0):,} / {t.sent_by.get('b', 0):,} |"
            f" {t.failed.get('refused', 0)} / {t.failed.get('cut', 0)} |"
            f" {'; '.join(t.problems) or 'none'} |"
        )
    about = (
        "Two bot processes in webhook mode (`muster run --webhook`, instance ids a and b)"
        " sharing one PostgreSQL, against the Bot API stand-in acting as Telegram and as a"
        " load balancer (each update posted to an instance at random, to the other when"
        " refused), one of them SIGKILLed at seeded points: during a directive to every"
        " member (plus a second one to the largest district, for the order), just before"
        " the daily summary falls due (the leader), and during a burst of check-ins."
        " `python -m bench.crash_cluster` (bench/crash_cluster.py); how it works above."
    )
    if runs.plan.proxy == "caddy":
        about += (
            " Here through Debian's caddy running the shipped deploy/cluster/Caddyfile"
            " (bench/caddy_front.py): the stand-in posts every update to Caddy's one"
            " address, and Caddy spreads them and steers round a killed instance."
        )
    return section_text(heading(plan), about, facts, table, per_trial)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.crash_cluster", description=(__doc__ or "").split("\n\n")[0]
    )
    default = ClusterPlan()
    for option in ("trials", "seed", "recipients", "checkins", "kills", "checkin_kills"):
        parser.add_argument(
            f"--{option.replace('_', '-')}", type=int, default=getattr(default, option)
        )
    parser.add_argument("--dead-every", type=int, default=default.dead_every)
    parser.add_argument(
        "--proxy",
        choices=["none", "caddy"],
        default="none",
        help="caddy: post through Debian's caddy running deploy/cluster/Caddyfile",
    )
    parser.add_argument("--postgres", help="a server's URL (its user may create databases)")
    parser.add_argument("--reduced", action="store_true", help="what make test runs")
    parser.add_argument("--out", type=Path, help="write the results into this file")
    parser.add_argument("--json", type=Path, help="keep every figure measured in this file")
    args = parser.parse_args(argv)
    if args.trials < 1 or args.kills < 1 or args.recipients < 100:
        parser.error("at least one trial, one kill and 100 recipients")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.reduced:
        plan = replace(ClusterPlan.reduced(), proxy=args.proxy)
    else:
        names = {f.name for f in fields(ClusterPlan)} & set(vars(args))
        plan = ClusterPlan(**{name: getattr(args, name) for name in names})
    with (
        tempfile.TemporaryDirectory(prefix="muster-crash-cluster-") as name,
        server(args.postgres) as pg,
    ):
        echo = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
        runs = run_all(plan, pg, Path(name), echo)
        if not runs.ok:  # keep the instances' logs and the stand-ins' records to look at
            kept = Path(tempfile.mkdtemp(prefix="muster-crash-cluster-logs-"))
            for log in [*Path(name).glob("*.log"), *Path(name).glob("*.json")]:
                shutil.copy(log, kept)
            print(f"logs kept in {kept}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(asdict(runs)), encoding="utf-8")
    command = "flock /work/bench.lock .venv/bin/python -m bench.crash_cluster " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    publish(render(runs, command.strip()), args.out, heading(plan))
    sys.exit(0 if runs.ok else 1)


if __name__ == "__main__":
    main()
