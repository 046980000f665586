"""Crash-proof delivery and faults, reduced (``make test``): the real bot in a process of its
own against the Bot API stand-in in another, as ``bench.crash`` runs them in full (twenty
trials of a 10,000-recipient directive; figures in docs/reliability.md).

One trial: a directive to 500 members, killed (SIGKILL) twice and stopped (SIGTERM) once
at seeded shares of its sends, a summary falling due while the bot is down, then 60
members checking in at once and one more kill, then 40 more members checking in with the
bot in webhook mode (the stand-in posting each update until it is answered 200) and one
more kill. One fault run: a directive to 240 members
through a 429 storm, 5xx answers, sends that time out and 8 s of network loss, during
which two more directives fall due for one branch and five people write; no restart.

Real processes keep real time, so these tests take real seconds (about a minute) and poll
for what they wait on. Timings are checked against loose bounds only (the 5 s resume
target is the full run's: this machine is shared); everything else is the guarantee
itself.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.crash import BOT_START, Call, FaultRun, Template, Trial, make_template
from bench.crash_results import FaultResult, Plan, TrialResult, WebhookResult
from storage.db import to_db_time

PLAN = Plan.reduced()
RESUME_BOUND_S = 15.0  # the target is 5 s; see the module docstring


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("crash")


@pytest.fixture(scope="module")
def trial(workdir: Path) -> TrialResult:
    template = make_template(workdir, PLAN.recipients, PLAN.people, PLAN.seed)
    return Trial(PLAN, template, workdir, 1).run()


@pytest.fixture(scope="module")
def faults(workdir: Path) -> FaultResult:
    template = make_template(
        workdir, PLAN.fault_recipients, 5, PLAN.seed, later_branch=PLAN.compressed
    )
    return FaultRun(PLAN, template, workdir).run()


def test_kills_lose_nothing_and_repeat_at_most_the_sends_in_flight(trial: TrialResult) -> None:
    # The trial's own verdict holds resumes to 5 s; here they are checked loosely below.
    assert [p for p in trial.problems if "resumed" not in p] == []
    assert [s.kind for s in trial.stops].count("term") == 1
    assert len(trial.of("kill")) == PLAN.kills + PLAN.checkin_kills + PLAN.webhook_kills
    assert trial.lost == 0
    assert trial.outbox_open == 0
    assert trial.duplicates_in_run == 0
    for stop in trial.of("kill", "directive"):
        # What a restart sends again is exactly what had reached Telegram unrecorded.
        assert stop.duplicates <= trial.concurrency
        assert stop.duplicates == stop.unrecorded
    [term] = trial.of("term")
    assert term.duplicates == 0


def test_sending_resumes_and_the_missed_summary_follows_a_restart(trial: TrialResult) -> None:
    for stop in trial.of("kill", "directive") + trial.of("term"):
        assert stop.resume is not None and stop.resume <= RESUME_BOUND_S
    assert trial.summary_early == 0  # not sent by a run that came before 12:00
    assert trial.summary_after is not None and trial.summary_after <= 60.0
    assert trial.summary_messages == 4  # chart, text, workbook, its caption


def test_a_burst_of_check_ins_through_kills_gives_one_per_member(trial: TrialResult) -> None:
    assert trial.checkin_members == PLAN.checkins
    assert trial.checkin_extra == 0
    assert trial.unprocessed_updates == 0
    assert trial.errors == 0


@pytest.fixture(scope="module")
def webhook(trial: TrialResult) -> WebhookResult:
    assert trial.webhook is not None
    return trial.webhook


def test_check_ins_by_webhook_through_a_kill_are_stored_once(
    trial: TrialResult, webhook: WebhookResult
) -> None:
    assert len(trial.of("kill", "webhook")) == PLAN.webhook_kills
    assert (webhook.checkin_members, webhook.checkin_extra) == (PLAN.webhook_checkins, 0)
    assert [p for p in trial.problems if p.startswith("webhook")] == []


def test_no_webhook_update_is_lost_and_a_200_comes_only_after_storing(
    webhook: WebhookResult,
) -> None:
    # Every member's /checkin and presses reached the bot and were answered 200, once.
    assert webhook.pushed >= 3 * PLAN.webhook_checkins
    assert (webhook.delivered, webhook.pending) == (webhook.pushed, 0)
    assert (webhook.answered_twice, webhook.answered_unstored) == (0, 0)
    # Someone wrote while the bot was down, so there was something to post: posts were
    # refused, an update posted again until the new run answered 200; the writer answered.
    assert webhook.written_answered == webhook.written == PLAN.webhook_kills
    assert webhook.resent >= webhook.written
    assert webhook.failed.get("refused", 0) >= webhook.written


def test_a_webhook_update_posted_again_after_a_kill_is_not_handled_again(
    webhook: WebhookResult,
) -> None:
    # Each press handled by one run at most once, and never after it was marked processed
    # (a resend of a stored update recognised; a replay only of what was not finished).
    assert webhook.presses >= 2 * PLAN.webhook_checkins
    assert webhook.resent_stored <= webhook.resent
    assert webhook.handled_again == 0


def test_the_webhook_verdicts_catch_what_they_look_for(tmp_path: Path) -> None:
    """On a made-up record: a resend handled by a run that started with it processed, a
    press answered twice by one run, a 200 for an update never stored, a member without a
    check-in. (The real trial above should show none of them.)"""
    plan = replace(Plan.reduced(), checkins=1, webhook_checkins=2, webhook_kills=1)
    template = Template(tmp_path / "template.db", [], 0, [], [], {}, {}, 8)
    trial = Trial(plan, template, tmp_path, 1)
    ann, bob = plan.members("webhook")
    [writer] = plan.members("writers")
    trial.starts = [0.0, 100.0, 200.0]  # polling, webhook, webhook after a kill
    trial.processed_before = {1: set(), 2: {11}}  # the kill found update 11 processed
    trial.written = [writer]
    trial.result.webhook = WebhookResult(members=2, pushed=5, written=1)
    with closing(sqlite3.connect(trial.db)) as conn:
        conn.executescript(
            "CREATE TABLE members (id INTEGER PRIMARY KEY, telegram_id INTEGER);"
            "CREATE TABLE checkins (id INTEGER PRIMARY KEY, member_id INTEGER, day TEXT);"
            "CREATE TABLE inbox (update_id INTEGER PRIMARY KEY, received_at TEXT);"
        )
        conn.executemany("INSERT INTO members VALUES (?, ?)", [(1, ann), (2, bob)])
        conn.execute("INSERT INTO checkins VALUES (1, 1, ?)", (BOT_START.date().isoformat(),))
        stored = {10: 101.001, 11: 150.001, 12: 202.001, 14: 205.001}  # 13 never stored
        conn.executemany(
            "INSERT INTO inbox VALUES (?, ?)",
            [(u, to_db_time(datetime.fromtimestamp(at, UTC))) for u, at in stored.items()],
        )
        conn.commit()
    posts = [
        [10, ann, None, 101.0, 101.01, 200],
        [11, ann, "q11", 150.0, 150.01, "cut"],  # stored, then the kill
        [11, ann, "q11", 150.5, 150.51, "refused"],
        [11, ann, "q11", 201.0, 201.01, 200],
        [12, bob, "q12", 202.0, 202.01, 200],
        [13, bob, "q13", 203.0, 203.01, 200],
        [14, writer, None, 160.0, 160.01, "refused"],
        [14, writer, None, 205.0, 205.01, 200],
    ]
    answers = [["q11", 150.2], ["q11", 201.5], ["q12", 202.5], ["q12", 202.7]]
    calls = [Call("sendMessage", 200, writer, 205.5, "What you can do")]
    trial.check_webhook({"attempts": posts, "answers": answers, "pending": 0}, calls)
    hook = trial.result.webhook
    assert (hook.delivered, hook.resent, hook.resent_stored) == (5, 2, 1)
    assert hook.failed == {"cut": 1, "refused": 2}
    assert (hook.handled_again, hook.presses) == (2, 3)  # q11 after processed, q12 twice
    assert (hook.answered_twice, hook.answered_unstored) == (0, 1)  # update 13
    assert (hook.checkin_members, hook.written_answered) == (1, 1)
    assert len(trial.result.problems) == 3


def test_faults_are_survived_without_a_restart(faults: FaultResult) -> None:
    assert faults.problems == []
    assert faults.injected.get("429", 0) > 0 and faults.injected.get("502", 0) > 0
    assert faults.held > 0 and faults.outage >= PLAN.outage
    assert (faults.restarts, faults.exit_code) == (0, 0)
    assert (faults.lost, faults.duplicates) == (0, 0)
    assert (faults.failed_rows, faults.open_rows) == (0, 0)
    # People who wrote during the outage are answered after it (at once: different chats).
    assert faults.inbound_answered + faults.inbound_refused == faults.inbound == 5


def test_what_fell_due_during_the_outage_is_done_in_order(faults: FaultResult) -> None:
    assert faults.ordered_chats > 0
    assert faults.out_of_order == 0
