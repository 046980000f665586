"""The demo's closing report: what each kind of person received (counts per message kind
and one sample of each), the files written, and the check of the summary's numbers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from app.demo.cast import DAY, ZONE, Plan
from app.demo.ledger import SUMMARY, Entry
from app.demo.script import Played
from app.demo.stage import DemoError, Stage
from storage.models import Role

_GROUPS = (
    (Role.MEMBER, "Members"),
    (Role.SECRETARY, "Secretaries"),
    (Role.COORDINATOR, "Coordinators"),
)
SAMPLE_LINES = 3
SAMPLE_WIDTH = 96


@dataclass(frozen=True, slots=True)
class Received:
    """One kind of message as one group of people received it."""

    kind: str
    messages: int
    people: int
    sample: Entry


def received(plan: Plan, entries: list[Entry]) -> dict[Role, list[Received]]:
    """Per group, each kind of message in the order it first went out; the sample is the
    first one a reader of the demo's language got (else the first one)."""
    out: dict[Role, list[Received]] = {}
    for role, _ in _GROUPS:
        mine = [e for e in entries if e.delivered and plan.person(e.chat_id).role is role]
        kinds = list(dict.fromkeys(e.kind for e in mine))
        rows = []
        for kind in kinds:
            these = [e for e in mine if e.kind == kind]
            native = [e for e in these if plan.person(e.chat_id).language == plan.language]
            sample = next((e for e in native if e.text), native[0] if native else these[0])
            rows.append(Received(kind, len(these), len({e.chat_id for e in these}), sample))
        out[role] = rows
    return out


def _sample(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if line.strip()] or ["(a file)"]
    shown = [
        line if len(line) <= SAMPLE_WIDTH else line[: SAMPLE_WIDTH - 1] + "…"
        for line in lines[:SAMPLE_LINES]
    ]
    if len(lines) > SAMPLE_LINES:
        shown.append("…")
    return shown


def people_text(plan: Plan, played: Played) -> list[str]:
    lines = ["What each kind of person received (messages the bot sent; edits not counted)"]
    groups = received(plan, played.entries)
    for role, title in _GROUPS:
        size = sum(1 for p in plan.people if p.role is role)
        lines += ["", f"{title} ({size})"]
        for row in groups[role]:
            to = "person" if row.people == 1 else "people"
            lines.append(f"  • {row.kind}: {row.messages} to {row.people} {to}")
            lines += [f"      │ {line}" for line in _sample(row.sample.text)]
    lost = [e for e in played.entries if not e.delivered]
    if lost:
        blocked = sum(1 for p in plan.people if p.blocks)
        kinds = Counter(e.kind for e in lost)
        listed = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
        lines += ["", f"Not delivered ({blocked} members had blocked the bot): {listed}."]
    return lines


def write_files(stage: Stage, played: Played, out: Path) -> list[tuple[str, str]]:
    """The city committee's summary as its coordinator received it, with the chart and
    the workbook it carried; (file name, what it is) each."""
    plan = played.plan
    coordinator = plan.staff(plan.root.code, Role.COORDINATOR)
    mine = [
        e for e in played.step("daily summaries").entries if e.chat_id == coordinator.telegram_id
    ]
    text = next((e for e in mine if e.kind == SUMMARY), None)
    if text is None:
        raise DemoError("the city committee's coordinator got no daily summary")
    out.mkdir(parents=True, exist_ok=True)
    name = f"{plan.root.code}-{DAY.isoformat()}"
    files = [(f"summary-{name}.txt", f"the 20:00 summary {coordinator.name} received")]
    (out / files[0][0]).write_text(text.text + "\n", encoding="utf-8")
    uploads = {e.method: e.file_id for e in mine if e.file_id is not None}
    chart, book = (_upload(stage, uploads.get(m)) for m in ("sendPhoto", "sendDocument"))
    if chart is None or book is None:
        raise DemoError("the daily summary came without its chart or its workbook")
    files.append((f"chart-{name}.png", "the chart sent with it: check-in rate per unit"))
    (out / files[-1][0]).write_bytes(chart)
    files.append(
        (f"workbook-{name}.xlsx", "the workbook sent after it: units, members, answers, shifts, …")
    )
    (out / files[-1][0]).write_bytes(book)
    return files


def _upload(stage: Stage, file_id: str | None) -> bytes | None:
    return None if file_id is None else stage.api.file_bytes(file_id)


def report(
    played: Played,
    *,
    files: list[tuple[str, str]],
    out: Path | None,
    problems: list[str],
    seconds: float,
) -> str:
    plan = played.plan
    first, last = (played.steps[i].at.astimezone(ZoneInfo(ZONE)) for i in (0, -1))
    lines = [
        f"Muster demo — {plan.words.org}, {len(plan.people)} people, seed {plan.seed}:"
        f" {first:%a %d %b %H:%M} to {last:%a %d %b %H:%M} ({ZONE})",
        "",
        *people_text(plan, played),
        "",
    ]
    if out is None:
        lines.append("Files (not kept: run with --out DIR to keep them)")
    else:
        lines.append(f"Files in {out}/")
    width = max(len(name) for name, _ in files)
    lines += [f"  {name:<{width}}  {what}" for name, what in files]
    lines.append("")
    root = plan.unit(plan.root.code).name
    if problems:
        lines.append(f"✗ The {root} summary does not match the script:")
        lines += [f"  {problem}" for problem in problems]
    else:
        lines.append(f"✓ Every number in the {root} summary matches what the script did.")
    lines.append(f"Played in {seconds:.1f} s.")
    return "\n".join(lines)
