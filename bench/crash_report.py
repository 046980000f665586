"""The figures of ``bench.crash`` as Markdown, for docs/reliability.md: the facts of the run,
a row per crash trial and the totals against the targets, and the fault run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path

from bench.crash_results import FaultResult, Plan, Runs, Stop, TrialResult, WebhookResult
from bench.report import verdict

RESUME_TARGET_S = 5.0
SUMMARY_TARGET_S = 60.0
MIN_TRIALS = 20
RESULTS_START = "<!-- bench.crash results: start -->"
RESULTS_END = "<!-- bench.crash results: end -->"


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def median_worst(values: Sequence[float]) -> str:
    """``median / worst`` seconds (the upper median of an even count)."""
    if not values:
        return "–"
    ordered = sorted(values)
    return f"{ordered[len(ordered) // 2]:.2f} / {ordered[-1]:.2f} s"


def trial_line(trial: TrialResult) -> str:
    """One line of progress on stderr."""
    resumes = [seconds(s.resume) for s in trial.stops if s.phase == "directive"]
    hook = trial.webhook
    webhook = (
        ""
        if hook is None
        else f" by webhook {hook.checkin_members}/{hook.members} (resent {hook.resent},"
        f" {hook.resent_stored} already stored; handled again {hook.handled_again}),"
    )
    return (
        f"lost {trial.lost}, duplicates per stop {[s.duplicates for s in trial.stops]},"
        f" resumed after {resumes} s, summary after {seconds(trial.summary_after)} s,"
        f" check-ins {trial.checkin_members}/{trial.checkins},{webhook} {trial.seconds:.0f} s:"
        f" {trial.problems or 'ok'}"
    )


def command_of(plan: Plan) -> str:
    """The command that runs ``plan`` (options left at their defaults are not shown)."""
    if plan == Plan.reduced(faults=plan.faults):
        return "python -m bench.crash --reduced" + ("" if plan.faults else " --no-faults")
    words = ["python -m bench.crash", f"--trials {plan.trials}", f"--seed {plan.seed}"]
    default = Plan()
    for field in fields(plan):
        value = getattr(plan, field.name)
        if field.name in ("trials", "seed", "faults") or value == getattr(default, field.name):
            continue
        flag = "--" + field.name.replace("_", "-")
        words.append(f"{flag} {value:g}" if isinstance(value, float) else f"{flag} {value}")
    if not plan.faults:
        words.append("--no-faults")
    return " ".join(words)


def _stops(stops: Sequence[Stop], with_unrecorded: bool) -> str:
    if with_unrecorded:
        return ", ".join(f"{s.progress:,} ({s.duplicates} / {s.unrecorded})" for s in stops)
    return ", ".join(f"{s.progress:,} ({s.duplicates})" for s in stops)


def trial_rows(trials: Sequence[TrialResult]) -> list[str]:
    rows = [
        "| trial | SIGKILLs at directive sends (dup / unrecorded) | SIGTERM at (dup) | resume,"
        " worst | summary after restart | lost | SIGKILLs at check-in presses | members with"
        " one check-in | by webhook: SIGKILLs at presses; updates resent (already stored) |"
        " by webhook: one check-in | verdict |",
        "|---:|---|---|---:|---:|---:|---|---:|---|---:|---|",
    ]
    for t in trials:
        resumes = [s.resume for s in t.stops if s.phase == "directive" and s.resume is not None]
        hook, webhook = t.webhook, ["–", "–"]
        if hook is not None:
            webhook = [
                f"{_presses(t.of('kill', 'webhook'))}; {hook.resent} ({hook.resent_stored})",
                f"{hook.checkin_members:,} / {hook.members:,}",
            ]
        rows.append(
            f"| {t.index} | {_stops(t.of('kill', 'directive'), True)} |"
            f" {_stops(t.of('term'), False)} | {seconds(max(resumes, default=None))} s |"
            f" {seconds(t.summary_after)} s | {t.lost} | {_presses(t.of('kill', 'checkins'))} |"
            f" {t.checkin_members:,} / {t.checkins:,} | {webhook[0]} | {webhook[1]} |"
            f" {verdict(not t.problems)} |"
        )
    return rows


def _presses(stops: Sequence[Stop]) -> str:
    return ", ".join(f"{s.progress:,}" for s in stops)


def totals_rows(plan: Plan, trials: Sequence[TrialResult]) -> list[str]:
    stops = [s for t in trials for s in t.stops]
    killed = [s for s in stops if s.kind == "kill" and s.phase == "directive"]
    checkin_kills = [s for s in stops if s.kind == "kill" and s.phase == "checkins"]
    webhook_kills = [s for s in stops if s.kind == "kill" and s.phase == "webhook"]
    terms = [s for s in stops if s.kind == "term"]
    bound = trials[0].concurrency
    others = checkin_kills + webhook_kills  # no directive is being sent: none expected
    worst = max((s.duplicates for s in killed + others), default=0)
    exact = sum(1 for s in killed if s.duplicates == s.unrecorded)
    lost = sum(t.lost for t in trials)
    term_duplicates = sum(s.duplicates for s in terms)
    in_run = sum(t.duplicates_in_run for t in trials)
    resumes = [s.resume for s in stops if s.phase == "directive" and s.resume is not None]
    resumed = len(resumes) == len(killed) + len(terms) and max(resumes) <= RESUME_TARGET_S
    summaries = [t.summary_after for t in trials if t.summary_after is not None]
    summaries_ok = len(summaries) == len(trials) and max(summaries) <= SUMMARY_TARGET_S
    early = sum(t.summary_early for t in trials)
    inbound = [s.inbound_resume for s in checkin_kills if s.inbound_resume is not None]
    members = sum(t.checkin_members for t in trials)
    extra = sum(t.checkin_extra for t in trials)
    wanted = sum(t.checkins for t in trials)
    exits = [s.exit_seconds for s in terms]
    return [
        "| in all | result | target |",
        "|---|---:|---|",
        f"| trials; SIGKILLs during the directive, during the check-ins (polling, webhook);"
        f" SIGTERMs | {len(trials)}; {len(killed)}, {len(checkin_kills)}, {len(webhook_kills)};"
        f" {len(terms)} |"
        f" ≥ {MIN_TRIALS} trials: {verdict(len(trials) >= MIN_TRIALS)} |",
        f"| recipients who got nothing | {lost} of {plan.recipients * len(trials):,} |"
        f" 0: {verdict(lost == 0)} |",
        f"| duplicates after one SIGKILL, worst (all SIGKILLs:"
        f" {sum(s.duplicates for s in killed + others)}) | {worst} |"
        f" ≤ {bound} (`delivery.concurrency`): {verdict(worst <= bound)} |",
        f"| SIGKILLs whose duplicates were exactly the sends Telegram had accepted but the"
        f" outbox had not recorded | {exact} of {len(killed)} | – |",
        f"| duplicates after a SIGTERM | {term_duplicates} | 0: {verdict(term_duplicates == 0)} |",
        f"| duplicates with no crash in between | {in_run} | 0: {verdict(in_run == 0)} |",
        f"| restart to the first directive send, median / worst of {len(resumes)} |"
        f" {median_worst(resumes)} | ≤ {RESUME_TARGET_S:.0f} s: {verdict(resumed)} |",
        f"| restart to the summary that fell due while the bot was down, median / worst |"
        f" {median_worst(summaries)} ({early} sent early) | ≤ {SUMMARY_TARGET_S:.0f} s, none"
        f" early: {verdict(summaries_ok and early == 0)} |",
        f"| members with exactly one check-in for the day | {members:,} of {wanted:,}"
        f" ({extra} extra rows) | all: {verdict(members == wanted and extra == 0)} |",
        f"| restart to the first answer to a check-in, median / worst | {median_worst(inbound)}"
        " | – |",
        f"| members asked the question twice (a `/checkin` handled again after a kill);"
        f" confirmations sent | {sum(t.asked_again for t in trials):,};"
        f" {sum(t.confirmations for t in trials):,} | – |",
        f"| updates never processed; 'something went wrong' messages; presses repeated |"
        f" {sum(t.unprocessed_updates for t in trials)}; {sum(t.errors for t in trials)};"
        f" {sum(t.repeats for t in trials)} | 0; 0; – |",
        f"| SIGTERM to exit, worst | {seconds(max(exits, default=None))} s | – |",
        *webhook_rows([t.webhook for t in trials if t.webhook is not None], webhook_kills),
    ]


def webhook_rows(hooks: Sequence[WebhookResult], kills: Sequence[Stop]) -> list[str]:
    """Phase C in all: the check-ins whose updates the stand-in posted to a webhook."""
    if not hooks:
        return []
    members = sum(h.checkin_members for h in hooks)
    wanted = sum(h.members for h in hooks)
    extra = sum(h.checkin_extra for h in hooks)
    pushed, delivered = sum(h.pushed for h in hooks), sum(h.delivered for h in hooks)
    pending = sum(h.pending for h in hooks)
    failed = {
        outcome: sum(h.failed.get(outcome, 0) for h in hooks)
        for outcome in sorted({o for h in hooks for o in h.failed})
    }
    twice, unstored = sum(h.answered_twice for h in hooks), sum(h.answered_unstored for h in hooks)
    again = sum(h.handled_again for h in hooks)
    inbound = [s.inbound_resume for s in kills if s.inbound_resume is not None]
    written = sum(h.written for h in hooks)
    written_answered = sum(h.written_answered for h in hooks)
    return [
        f"| by webhook: members with exactly one check-in for the day | {members:,} of"
        f" {wanted:,} ({extra} extra rows) | all: {verdict(members == wanted and extra == 0)} |",
        f"| by webhook: people who wrote while the bot was down (one a kill), answered after"
        f" the restart | {written_answered} of {written} | all:"
        f" {verdict(written_answered == written)} |",
        f"| by webhook: updates answered 200, of those the members sent; left pending |"
        f" {delivered:,} of {pushed:,}; {pending} | all; 0:"
        f" {verdict(delivered == pushed and pending == 0)} |",
        f"| by webhook: posts that failed while the bot was down or dying (refused, cut,"
        f" timed out, other) | {', '.join(f'{n:,} {o}' for o, n in failed.items()) or '0'} | – |",
        f"| by webhook: updates answered 200 twice; answered 200 but not stored first |"
        f" {twice}; {unstored} | 0; 0: {verdict(twice == 0 and unstored == 0)} |",
        f"| by webhook: updates posted again after a kill; of them already stored by the run"
        f" that died (a duplicate to recognise) | {sum(h.resent for h in hooks)};"
        f" {sum(h.resent_stored for h in hooks)} | – |",
        f"| by webhook: presses handled again (twice by one run, or after they were marked"
        f" processed) | {again} of {sum(h.presses for h in hooks):,} | 0: {verdict(again == 0)} |",
        f"| by webhook: updates stored but not yet marked processed at a kill (replayed on"
        f" start); presses repeated | {sum(h.replayed for h in hooks):,};"
        f" {sum(h.repeats for h in hooks)} | – |",
        f"| by webhook: restart to the first answer to a check-in, median / worst |"
        f" {median_worst(inbound)} | – |",
    ]


def fault_rows(result: FaultResult) -> list[str]:
    injected = ", ".join(f"{n:,} × {code}" for code, n in sorted(result.injected.items()))
    inbound_ok = result.inbound_answered == result.inbound
    refused = f", {result.inbound_refused} refused with 429" if result.inbound_refused else ""
    clean = not result.restarts and not result.exit_code
    rows = [
        "| what | result | target |",
        "|---|---:|---|",
        f"| recipients of the first directive; of the two that fall due during the outage |"
        f" {result.recipients:,}; {result.later_audience:,} | – |",
        f"| answers injected: a 429 storm (every send for {result.storm_seconds:g} s,"
        f" retry_after {result.storm_retry_after} s), then 40% 502 and 20% 500 for"
        f" {result.fivexx_seconds:g} s | {injected} | – |",
        f"| sends held past the bot's 5 s read timeout ({result.held_seconds:g} s) |"
        f" {result.held} | – |",
        f"| network loss: the port closed, connections refused | {result.outage:.1f} s | – |",
        f"| 429s the stand-in's own limits gave (30/s, 1/s a chat) | {result.limit_429} | – |",
        f"| messages lost; duplicated | {result.lost}; {result.duplicates} | 0; 0:"
        f" {verdict(result.lost == 0 and result.duplicates == 0)} |",
        f"| outbox rows failed; left open | {result.failed_rows}; {result.open_rows} | 0; 0:"
        f" {verdict(result.failed_rows == 0 and result.open_rows == 0)} |",
        f"| network back → first send; → last send of what was due |"
        f" {seconds(result.resume_after_outage)} s; {seconds(result.done_after_outage)} s |"
        f" – (`max_backoff_seconds` {result.max_backoff:g}) |",
        f"| chats that got their directives in another order than they fell due |"
        f" {result.out_of_order} of {result.ordered_chats} |"
        f" 0: {verdict(result.out_of_order == 0)} |",
        f"| people who wrote during the outage (5 chats, handled at once) answered after it |"
        f" {result.inbound_answered} of {result.inbound}{refused}"
        f" (first {seconds(result.inbound_after_outage)} s after) | all:"
        f" {verdict(inbound_ok)} |",
        f"| 'something went wrong' messages | {result.errors} | 0: {verdict(result.errors == 0)} |",
        f"| restarts; exit status of the final SIGTERM | {result.restarts}; {result.exit_code} |"
        f" 0; 0: {verdict(clean)} |",
    ]
    return rows


def render(runs: Runs) -> str:
    plan = runs.plan
    blocks = [
        [
            f"- Command: `{command_of(plan)}`, {runs.seconds / 60:.0f} min in all",
            f"- Seed {plan.seed}: it fixes the plan (which stops are SIGKILLs and which the"
            " SIGTERM, at what share of the sends or presses, the pauses, the clock's jump); the"
            " exact interleaving still depends on the machine",
            f"- Per trial: a directive to {plan.recipients:,} members with {plan.kills}"
            f" SIGKILLs and one SIGTERM, then {plan.checkins:,} members checking in at once"
            f" with {plan.checkin_kills} SIGKILLs"
            + (
                f", then {plan.webhook_checkins:,} more by webhook with {plan.webhook_kills}"
                " SIGKILLs"
                if any(t.webhook is not None for t in runs.trials)
                else ""
            ),
            f"- Date: {runs.date}",
            f"- Machine: {runs.machine}",
        ]
    ]
    if runs.trials:
        blocks += [["### Crash trials"], trial_rows(runs.trials), totals_rows(plan, runs.trials)]
    if runs.faults is not None:
        blocks += [["### Faults without a restart"], fault_rows(runs.faults)]
    problems = [f"- trial {t.index}: {p}" for t in runs.trials for p in t.problems]
    if runs.faults is not None:
        problems += [f"- faults: {p}" for p in runs.faults.problems]
    if problems:
        blocks.append(["Problems:", "", *problems])
    blocks.append([f"Verdict: {verdict(runs.ok)}."])
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def write_results(out: Path, section: str) -> None:
    """Replace what lies between the two markers in ``out``; keep the rest (the text
    around the figures is written by hand)."""
    text = out.read_text(encoding="utf-8")
    head, start, rest = text.partition(RESULTS_START)
    _, end, tail = rest.partition(RESULTS_END)
    if not (start and end):
        raise SystemExit(f"{out}: no {RESULTS_START} … {RESULTS_END} to replace")
    out.write_text(f"{head}{RESULTS_START}\n\n{section}\n{RESULTS_END}{tail}", encoding="utf-8")
