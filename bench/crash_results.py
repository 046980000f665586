"""What ``bench.crash`` plans and measures: the plan of a run and the results of its trials
and its fault run, in a module of their own so that the run (``bench.crash``) and its report
(``bench.crash_report``) both import it and not each other."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.report import machine

CHECKIN_BASE = 20_000_000  # check-in member j has Telegram id CHECKIN_BASE + j


@dataclass(frozen=True, slots=True)
class Plan:
    trials: int = 20
    seed: int = 1
    recipients: int = 10_000
    checkins: int = 1_000
    kills: int = 3  # SIGKILLs during the directive (plus one SIGTERM)
    checkin_kills: int = 2  # SIGKILLs during the check-in burst
    # Phase C: other members checking in by webhook (0: no phase C), and its SIGKILLs.
    webhook_checkins: int = 300
    webhook_kills: int = 2
    # The fault run (no restart): its directive, and how long the network is gone.
    fault_recipients: int = 2_000
    outage: float = 120.0
    max_backoff: float | None = None  # None: the default setting
    faults: bool = True

    @property
    def compressed(self) -> bool:
        """A short outage: the fault run's other faults come closer together too, and its
        later directives go to one branch, not a district."""
        return self.outage < 30

    def members(self, group: str) -> range:
        """The Telegram ids of a group of the unit's members: those who check in during
        phase B ("checkins") or phase C ("webhook"), or those who write to the bot while it
        is down in phase C, one after each kill ("writers")."""
        first = CHECKIN_BASE
        for name, size in (
            ("checkins", self.checkins),
            ("webhook", self.webhook_checkins),
            ("writers", self.webhook_kills),
        ):
            if name == group:
                return range(first, first + size)
            first += size
        raise ValueError(group)

    @property
    def people(self) -> int:
        """The unit's members: every group of ``members``."""
        return self.checkins + self.webhook_checkins + self.webhook_kills

    @classmethod
    def reduced(cls, *, faults: bool = True) -> Plan:
        """What ``make test`` runs: one small trial, one short fault run."""
        return cls(
            trials=1,
            recipients=500,
            checkins=60,
            kills=2,
            checkin_kills=1,
            webhook_checkins=40,
            webhook_kills=1,
            fault_recipients=240,
            outage=8.0,
            max_backoff=2.0,
            faults=faults,
        )


@dataclass
class Stop:
    """One kill (SIGKILL) or graceful stop (SIGTERM), and the restart after it."""

    kind: str  # "kill", "term", or "switch" (a SIGTERM to restart in webhook mode)
    phase: str  # "directive", "checkins" or "webhook"
    at: float  # when the signal was sent (unix time)
    progress: int  # directive sends accepted (phase A) or check-in presses (B, C) by then
    claimed: set[int] = field(default_factory=set, repr=False)  # chats of 'sending' rows
    exit_seconds: float = 0.0  # SIGTERM: how long the graceful stop took
    summary_due: bool = False  # the clock jumped past the summary during this downtime
    restart: float = 0.0  # when the next run was started
    unrecorded: int = 0  # claimed rows the stand-in had accepted: what must be re-sent
    duplicates: int = 0  # directive sends repeated by the run after it
    resume: float | None = None  # restart to the first directive send after it, seconds
    inbound_resume: float | None = None  # restart to the first answer to a check-in


@dataclass
class WebhookResult:
    """Phase C: members checking in while the stand-in posts their updates to the bot's
    webhook, through kills. Updates and presses are those of these members."""

    members: int
    checkin_members: int = 0  # members with exactly one check-in for the day
    checkin_extra: int = 0  # check-in rows beyond one per member and day
    pushed: int = 0  # updates the members sent (/checkin and presses), and the writers
    written: int = 0  # people who wrote while the bot was down (one after each kill)
    written_answered: int = 0  # of those, answered after the restart
    delivered: int = 0  # updates the bot answered 200 to
    pending: int = 0  # updates the stand-in still held at the end (of anyone)
    failed: dict[str, int] = field(default_factory=dict)  # outcome -> posts: refused, cut, …
    answered_twice: int = 0  # updates answered 200 more than once
    answered_unstored: int = 0  # a 200 for an update not in the inbox (or stored after it)
    resent: int = 0  # updates posted again after a failed post (the bot killed)
    resent_stored: int = 0  # of those, stored by the run that died: a duplicate to the next
    replayed: int = 0  # stored but not marked processed at a kill: handled again on start
    presses: int = 0  # presses delivered (their handling is counted by their answers)
    handled_again: int = 0  # a press handled twice by one run, or after marked processed
    repeats: int = 0  # presses (or /checkin) a member had to repeat
    seconds: float = 0.0


@dataclass
class TrialResult:
    index: int
    recipients: int
    checkins: int
    concurrency: int
    stops: list[Stop] = field(default_factory=list)
    lost: int = 0
    duplicates_in_run: int = 0  # repeated by a run that was not restarted in between
    outbox_open: int = 0  # rows left pending or sending at the end
    summary_messages: int = 0  # texts, chart and workbook to the coordinator
    summary_after: float | None = None  # restart to the summary's text, seconds
    summary_early: int = 0  # summary messages before the downtime it fell due in
    checkin_members: int = 0  # members with exactly one check-in for the day
    checkin_extra: int = 0  # check-in rows beyond one per member and day
    confirmations: int = 0  # "checked in" / "updated" messages (replays add some)
    asked_again: int = 0  # members sent the question more than once (a /checkin replayed)
    repeats: int = 0  # presses (or /checkin) a member had to repeat
    errors: int = 0  # "something went wrong" messages
    unprocessed_updates: int = 0
    webhook: WebhookResult | None = None
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def of(self, kind: str, phase: str | None = None) -> list[Stop]:
        return [s for s in self.stops if s.kind == kind and phase in (None, s.phase)]


@dataclass
class FaultResult:
    recipients: int
    later_audience: int  # members who get the two directives due during the outage
    storm_seconds: float
    storm_retry_after: int
    fivexx_seconds: float
    held_seconds: float
    outage_planned: float
    max_backoff: float
    lost: int = 0
    duplicates: int = 0
    failed_rows: int = 0
    open_rows: int = 0
    injected: dict[str, int] = field(default_factory=dict)  # status -> answers injected
    limit_429: int = 0  # 429s the stand-in's own flood limits gave (the pacer's misses)
    held: int = 0  # sends held past the bot's read timeout
    outage: float = 0.0  # how long the port was really closed
    resume_after_outage: float | None = None  # reopening to the first accepted send
    done_after_outage: float | None = None  # reopening to the last send of what was due
    ordered_chats: int = 0  # chats that got more than one directive
    out_of_order: int = 0  # of those, chats that got them in another order than due
    inbound: int = 0  # messages people sent during the outage
    inbound_answered: int = 0  # answered after the outage
    inbound_refused: int = 0  # got no answer: Telegram refused it with 429
    inbound_after_outage: float | None = None  # reopening to the first answer
    errors: int = 0  # "something went wrong" messages
    restarts: int = 0
    exit_code: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


@dataclass
class Runs:
    plan: Plan
    trials: list[TrialResult] = field(default_factory=list)
    faults: FaultResult | None = None
    seconds: float = 0.0
    date: str = field(default_factory=lambda: f"{datetime.now(UTC):%Y-%m-%d}")
    machine: str = field(default_factory=machine)

    @property
    def ok(self) -> bool:
        trials_ok = all(not t.problems for t in self.trials)
        return trials_ok and (self.faults is None or not self.faults.problems)

    def dump(self, path: Path) -> None:
        """Everything measured, to render again later (``--render``)."""
        path.write_text(json.dumps(asdict(self), default=sorted), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Runs:
        raw = json.loads(path.read_text(encoding="utf-8"))
        trials = []
        for trial in raw["trials"]:
            stops = [Stop(**(stop | {"claimed": set(stop["claimed"])})) for stop in trial["stops"]]
            hook = WebhookResult(**trial["webhook"]) if trial.get("webhook") else None
            trials.append(TrialResult(**(trial | {"stops": stops, "webhook": hook})))
        faults = FaultResult(**raw["faults"]) if raw["faults"] else None
        return cls(Plan(**raw["plan"]), trials, faults, raw["seconds"], raw["date"], raw["machine"])
