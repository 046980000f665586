"""Answer presses: a question's choices pressed through the whole ``Application``, against
✅ Acknowledge pressed through the same pipeline in the same run (issue #16).

Target: 20,000 presses of an answer (recorded, the member's message edited to show it) take
at most 1.25× the time of 20,000 presses of ✅ Acknowledge (recorded, the message edited).

Setup, untimed and done once: a database with a generated organisation of ``--members``
members and two directives to all of them, one asking for ✅, one asking a question (three
choices, none asking a number or a reason: a press is one record and one edit, as ✅ is).
Each phase is a fresh process on a fresh copy of that database and, over HTTP, a fresh Bot
API stand-in (``python -m fakeapi.serve --answer-after 50``, its own process): the
directive's messages are put on the stand-in first (untimed, with a plain ``Bot``, the
outbox rows marked sent with their message ids, as the engine leaves them), then the real
application from ``build_application`` with the settings as shipped runs as the runner runs
it (``app.runner.running``) and every member presses once: each update stored in the inbox
and queued to PTB as the webhook does, all at once, as fast as they can be fed. A phase's
time runs from the first update fed to the last edit answered by the stand-in; every press
must be answered and edited, and recorded in the database. In-process, the stand-in is
``FakeBotApi`` behind ``FakeRequest``. Sides run A B A B … in each mode after a discarded
warm-up pair; the verdict is the median of the per-round ratios B / A.

    .venv/bin/python -m bench.answers [--members 20000] [--rounds 2] [--seed 1]
                                      [--quick] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.request import HTTPXRequest

from app.build import build_application
from app.inbox import INBOX, read_update
from app.runner import running
from bench.burst import Members, profiles_of
from bench.checkin_inbound import TimedBotApi, copy_db
from bench.delivery import ANSWERS, AUTHOR_ID, TEXT, TOKEN, StandIn, build_org
from bench.report import machine, publish, section_text, verdict
from bot.config import Settings, load_settings
from bot.delivery.pacer import Pacer
from bot.delivery.reply_pacing import PacedReplies, TelegramAnswer
from bot.directives.buttons import Acknowledge, AnswerChoice
from bot.directives.drafting import Draft
from bot.directives.questions import Choice, Question
from bot.kit.clock import SystemClock
from bot.services import Services
from fakeapi import FakeRequest
from handlers.kit.slots import SERVICES
from storage import Storage
from storage.directives import Target

HEADING = "## Answer presses: a question's choice against ✅ through the Application"
RATIO_TARGET = 1.25
QUESTION = Question((Choice("I can come"), Choice("I need transport"), Choice("I cannot")))
SIDES = {"ack": "A: ✅ Acknowledge", "answer": "B: an answer"}
MODES = {"http": "over HTTP, stand-in answering after 50 ms", "inproc": "in-process"}
SEEDING = 200  # messages put on the stand-in at once (setup)
GIVE_UP = 600.0
PROJECT_ROOT = Path(__file__).resolve().parents[1]

Result = dict[str, Any]


# --- the bot side, in a child process ------------------------------------------------------


class Counted(PacedReplies):
    """The app's rate limiter, counting callback answers and accepted edits as they come
    back, and noting when the last one did."""

    def __init__(self, pacer: Pacer, expected: int) -> None:
        super().__init__(pacer)
        self.expected = expected
        self.answers = self.edits = self.failed = 0
        self.done = asyncio.Event()
        self.last = 0.0

    async def process_request(
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, bool] | None,
    ) -> TelegramAnswer:
        try:
            result = await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        except Exception:
            self.failed += 1
            raise
        if endpoint == "answerCallbackQuery":
            self.answers += 1
        elif endpoint == "editMessageText":
            self.edits += 1
        self.last = time.monotonic()
        if self.answers >= self.expected and self.edits >= self.expected:
            self.done.set()
        return result


def settings_for(db: Path, base_url: str | None) -> Settings:
    telegram: Result = {"token": TOKEN}
    if base_url:
        telegram |= {"api_base_url": base_url, "api_file_url": base_url}
    return load_settings(  # as shipped but for the timezone
        None,
        organisation={"name": "Riverside", "timezone": "Asia/Shanghai"},
        storage={"database": db},
        telegram=telegram,
    )


async def seed_messages(
    bot: Bot, services: Services, directive_id: int, data: Sequence[str]
) -> dict[int, int]:
    """The directive's message in every recipient's chat, as the engine would have sent it
    (with its buttons ``data``); the outbox rows marked sent with the message ids."""
    db = services.storage.db
    rows = await db.fetchall("SELECT chat_id FROM outbox WHERE directive_id = ?", (directive_id,))
    chats = [int(row[0]) for row in rows]
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d)] for d in data])
    gate = asyncio.Semaphore(SEEDING)
    sent: dict[int, int] = {}

    async def one(chat: int) -> None:
        async with gate:
            message = await bot.send_message(
                chat, TEXT, parse_mode=ParseMode.HTML, reply_markup=keyboard
            )
            sent[chat] = message.message_id

    await asyncio.gather(*(one(chat) for chat in chats))
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE outbox SET message_id = ? WHERE directive_id = ? AND chat_id = ?",
            [(message, directive_id, chat) for chat, message in sent.items()],
        )
    return sent


async def child(args: argparse.Namespace) -> Result:
    settings = settings_for(args.db, args.base_url)
    api = TimedBotApi() if args.base_url is None else None
    request = FakeRequest(api) if api is not None else None
    storage = await Storage.open(settings.storage.database)
    pacer = Pacer.from_settings(settings.delivery)
    app = await build_application(settings, request=request, pacer=pacer, storage=storage)
    assert app.job_queue is not None
    for job in app.job_queue.get_jobs_by_name("tick"):
        job.schedule_removal()  # its reminders and summaries are not what is measured
    services = SERVICES.of(app)
    directive_id = args.directive
    if args.child == "ack":
        buttons = [Acknowledge(directive_id).pack()]
        data = buttons[0]
    else:
        buttons = [AnswerChoice(directive_id, i).pack() for i in range(len(QUESTION.choices))]
        data = buttons[0]  # "I can come": one record, one edit
    plain = Bot(
        TOKEN,
        base_url=args.base_url or "https://api.telegram.org/bot",
        request=request or HTTPXRequest(connection_pool_size=SEEDING),
    )
    async with plain:
        messages = await seed_messages(plain, services, directive_id, buttons)
    units = [int(r[0]) for r in await storage.db.fetchall("SELECT id FROM units", ())]
    people = Members(await profiles_of(services, units))
    updates = [people.press(chat, message, data)[1] for chat, message in messages.items()]
    counted = Counted(pacer, len(updates))
    app.bot._rate_limiter = counted  # PTB has no setter: the only way in after build
    inbox = INBOX.of(app)
    spent = api.spent if api is not None else 0.0
    async with running(app):
        started = time.monotonic()
        for update in updates:  # as the webhook hands them over, one request each
            read = read_update(update, app.bot)
            assert not isinstance(read, str), read
            if await inbox.receive([update]):
                await app.update_queue.put(read)
        fed = time.monotonic() - started
        with contextlib.suppress(TimeoutError):  # reported as presses not answered
            await asyncio.wait_for(counted.done.wait(), GIVE_UP)
        seconds = counted.last - started
        # In-process the stand-in's work (a real server's, on its own machine) is shown apart.
        standin = api.spent - spent if api is not None else 0.0
    column = "acked_at" if args.child == "ack" else "answer_choice"
    row = await storage.db.fetchone(
        "SELECT COUNT(*) FROM directive_recipients"
        f" WHERE directive_id = ? AND {column} IS NOT NULL",
        (directive_id,),
    )
    await storage.close()
    return {
        "presses": len(updates),
        "seconds": seconds,
        "standin_seconds": standin,
        "fed_seconds": fed,
        "answered": counted.answers,
        "edited": counted.edits,
        "failed": counted.failed,
        "recorded": int(row[0]) if row else 0,
    }


# --- the parent: setup, rounds, report -----------------------------------------------------


async def build_base(db: Path, members: int, seed: int) -> tuple[int, int]:
    """The organisation and the two directives (✅, question) to everyone; their outbox
    rows marked sent (the phases put the messages on the stand-in)."""
    storage = await Storage.open(db)
    try:
        services = Services.build(settings_for(db, None), storage, SystemClock())
        times = await build_org(services, db.parent, members, seed)
        actor = await services.authz.actor(AUTHOR_ID)
        ids = []
        for question in (None, QUESTION):
            draft = Draft(
                targets=(Target(times["root_id"], subtree=True),),
                text=TEXT,
                attachment=None,
                ack_required=True,
                ack_deadline=services.clock.now() + timedelta(days=2),
                send_at=None,
                question=question,
            )
            ids.append((await services.directives.create(actor, draft)).id)
        stamp = services.clock.now().isoformat()
        await storage.db.write(
            "UPDATE outbox SET status = 'sent', sent_at = ? WHERE directive_id IS NOT NULL",
            (stamp,),
        )
    finally:
        await storage.close()
    return ids[0], ids[1]


def run_phase(side: str, mode: str, base: Path, tmp: Path, directive: int) -> Result:
    db = tmp / f"{side}-{mode}.db"
    copy_db(base, db)
    standin = StandIn(tmp, enforce=False, options=ANSWERS) if mode == "http" else None
    command = [sys.executable, "-m", "bench.answers", "--child", side, "--db", str(db)]
    command += ["--directive", str(directive)]
    if standin is not None:
        command += ["--base-url", standin.base_url]
    try:
        done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    finally:
        if standin is not None:
            standin.stop()
    if done.returncode != 0:
        raise SystemExit(f"{side} {mode} child failed ({done.returncode}):\n{done.stderr}")
    result: Result = json.loads(done.stdout.splitlines()[-1])
    complete = result["presses"]
    if min(result["answered"], result["edited"], result["recorded"]) < complete:
        raise SystemExit(f"{side} {mode}: not every press was answered and shown: {result}")
    return result


def measure(args: argparse.Namespace) -> dict[str, list[tuple[Result, Result]]]:
    runs: dict[str, list[tuple[Result, Result]]] = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory(prefix="bench-answers-") as folder:
        tmp = Path(folder)
        base = tmp / "base.db"
        ack, question = asyncio.run(build_base(base, args.members, args.seed))
        for mode in MODES:
            rounds = args.rounds if args.quick else args.rounds + 1
            for number in range(rounds):
                pair = (
                    run_phase("ack", mode, base, tmp, ack),
                    run_phase("answer", mode, base, tmp, question),
                )
                print(f"{mode} round {number}: {pair}", file=sys.stderr)
                if args.quick or number > 0:  # the first pair warms up
                    runs[mode].append(pair)
    return runs


def bot_seconds(phase: Result) -> float:
    """A phase's time less the in-process stand-in's own work (0 over HTTP, where the
    stand-in is another process)."""
    seconds: float = phase["seconds"] - phase["standin_seconds"]
    return seconds


def render(args: argparse.Namespace, runs: dict[str, list[tuple[Result, Result]]]) -> str:
    rows = [
        "| mode | A: ✅ s (median) | B: answer s (median) | ratios B/A per round"
        " | median ratio | presses/s (B) | target ≤ 1.25× |",
        "|---|---:|---:|---|---:|---:|---|",
    ]
    ok = True
    for mode, pairs in runs.items():
        ratios = [bot_seconds(b) / bot_seconds(a) for a, b in pairs]
        ratio = statistics.median(ratios)
        a_s = statistics.median(bot_seconds(a) for a, _ in pairs)
        b_s = statistics.median(bot_seconds(b) for _, b in pairs)
        ok = ok and ratio <= RATIO_TARGET
        rows.append(
            f"| {MODES[mode]} | {a_s:.2f} | {b_s:.2f} | {', '.join(f'{r:.2f}' for r in ratios)}"
            f" | **{ratio:.2f}×** | {args.members / b_s:,.0f} | {verdict(ratio <= RATIO_TARGET)} |"
        )
    about = (
        f"{args.members:,} members each press once: A presses ✅ Acknowledge under a directive,"
        " B the first choice of a question under another (recorded, the message edited to"
        " show it); the real application as shipped (the webhook's inbox, the chat-ordered"
        " update processor, persistence, the answer's ConversationHandler), every update fed"
        " at once. A phase runs from the first update fed to the last edit answered; every"
        " press was answered, shown and recorded. Each phase is a fresh process on a fresh"
        " copy of the database (and over HTTP a fresh stand-in), A B A B after a discarded"
        " warm-up pair. In-process the stand-in's own time answering calls (a real server's"
        " work, on its own machine; more for B, whose messages carry three buttons; the"
        " answer's edit leaves one, ✏️ Change, as ✅'s leaves none) is taken"
        " out of both sides' times, as in the check-in inbound benchmark. The machine (2"
        " cores) is shared by several engineers' work, so single times are noisy and the"
        " per-round ratio is what counts."
    )
    facts = [
        f"`.venv/bin/python -m bench.answers --members {args.members} --rounds {args.rounds}"
        f" --seed {args.seed}{' --quick' if args.quick else ''}`",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine()}",
        f"verdict: {verdict(ok)} (median ratio ≤ {RATIO_TARGET}× in every mode)",
    ]
    return section_text(HEADING, about, facts, rows)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="no warm-up pair")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", choices=list(SIDES), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--directive", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(child(args))))
        return
    publish(render(args, measure(args)), args.out, HEADING)


if __name__ == "__main__":
    main()
