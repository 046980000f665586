"""Transport: PTB's ``send_message`` over ``HTTPXRequest``, over Muster's ``AiohttpRequest``,
and a raw aiohttp client, against the Bot API stand-in answering after 50 ms.

The stand-in (``python -m fakeapi.serve --answer-after 50``) runs in its own process,
a fresh one per phase, and so does each client. A phase sends ``messages`` messages to as
many private chats with ``in_flight`` workers (64, and the delivery engine's concurrency as
shipped):

- A, ``httpx``: ``telegram.Bot(request=HTTPXRequest())``, PTB's default transport as
  ``ApplicationBuilder`` configures it (a pool of 256);
- B, ``aiohttp``: ``telegram.Bot(request=AiohttpRequest())``, as ``build_application``
  configures it (``bot/delivery/transport.py``);
- C, ``raw``: one ``aiohttp.ClientSession`` posting the same form bodies and reading each
  JSON answer: what no Bot API library can beat.

Rounds go A B C, A B C …; the tables give medians and the medians of the per-round ratios.

    .venv/bin/python -m bench.transport [--messages 2000] [--in-flight 64,8] [--rounds 3]
                                        [--quick] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bench.delivery import PROJECT_ROOT, TOKEN, Result, StandIn, cpu_of
from bench.report import machine, publish
from bot.config import load_settings
from bot.delivery.transport import GET_UPDATES_POOL_SIZE, AiohttpRequest

HEADING = "## Transport: PTB over httpx, over aiohttp, and a raw client"
ANSWER_AFTER_MS = 50
CHAT_BASE = 500_000_000
TEXT = "Directive from Riverside District: acknowledge by 18:00. Bring a torch."
CLIENTS = {
    "httpx": "A: PTB over `HTTPXRequest`",
    "aiohttp": "B: PTB over `AiohttpRequest`",
    "raw": "C: raw aiohttp client",
}


# --- a client, in a child process ----------------------------------------------------------


async def run_workers(
    in_flight: int, messages: int, send: Callable[[int], Awaitable[bool]]
) -> Result:
    """``in_flight`` workers sending ``messages`` messages; wall and CPU time of the lot."""
    pending = iter(range(messages))
    answers: Counter[bool] = Counter()

    async def worker() -> None:
        for index in pending:
            answers[await send(CHAT_BASE + index)] += 1

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    seconds, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "ok": answers[True], "failed": answers[False]}


async def ptb_child(args: argparse.Namespace, request: BaseRequest, polling: BaseRequest) -> Result:
    bot = Bot(TOKEN, base_url=args.base_url, request=request, get_updates_request=polling)

    async def send(chat_id: int) -> bool:
        message = await bot.send_message(chat_id, TEXT)
        return message.chat.id == chat_id

    async with bot:  # initialize(): getMe, the first connection
        await send(CHAT_BASE - 1)  # warm: the code paths, as the raw client's warm-up
        standin = cpu_of(args.standin_pid)
        result = await run_workers(args.in_flight, args.messages, send)
    result["standin_cpu"] = cpu_of(args.standin_pid) - standin
    return result


async def raw_child(args: argparse.Namespace) -> Result:
    url = f"{args.base_url}{TOKEN}/sendMessage"
    headers = {
        "User-Agent": BaseRequest.USER_AGENT,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    async with aiohttp.ClientSession(headers=headers) as session:

        async def send(chat_id: int) -> bool:
            body = urlencode({"chat_id": chat_id, "text": TEXT}).encode()
            async with session.post(url, data=body) as response:
                answer = json.loads(await response.read())
            return bool(answer["ok"]) and answer["result"]["chat"]["id"] == chat_id

        await send(CHAT_BASE - 1)
        standin = cpu_of(args.standin_pid)
        result = await run_workers(args.in_flight, args.messages, send)
    result["standin_cpu"] = cpu_of(args.standin_pid) - standin
    return result


async def child(args: argparse.Namespace) -> Result:
    if args.child == "httpx":
        return await ptb_child(args, HTTPXRequest(), HTTPXRequest(connection_pool_size=1))
    if args.child == "aiohttp":
        polling = AiohttpRequest(connection_pool_size=GET_UPDATES_POOL_SIZE)
        return await ptb_child(args, AiohttpRequest(), polling)
    return await raw_child(args)


# --- the parent: stand-ins, children, rounds ------------------------------------------------


def run_phase(client: str, args: argparse.Namespace, in_flight: int, tmp: Path) -> Result:
    standin = StandIn(tmp, enforce=False, options=["--answer-after", str(ANSWER_AFTER_MS)])
    command = [sys.executable, "-m", "bench.transport", "--child", client]
    command += ["--messages", str(args.messages), "--in-flight", str(in_flight)]
    command += ["--base-url", standin.base_url, "--standin-pid", str(standin.process.pid)]
    try:
        done = subprocess.run(
            command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
        )
    finally:
        seen = standin.stop()
    if done.returncode != 0:
        raise SystemExit(f"{client} child failed ({done.returncode}):\n{done.stderr}")
    result: Result = json.loads(done.stdout.splitlines()[-1])
    result["standin_sends"] = seen["calls"].get("sendMessage 200", 0)
    if result["ok"] != args.messages or result["standin_sends"] != args.messages + 1:
        raise SystemExit(
            f"{client}: {result['ok']} sent, the stand-in saw {result['standin_sends']}"
        )
    return result


Rounds = list[dict[str, Result]]  # per round: client → its phase


def measure(args: argparse.Namespace) -> dict[int, Rounds]:
    """Rounds of A B C at each concurrency level in turn, all in one run."""
    runs: dict[int, Rounds] = {level: [] for level in args.in_flight}
    with tempfile.TemporaryDirectory(prefix="muster-bench-") as name:
        for index in range(args.rounds):
            for level in args.in_flight:
                phases: dict[str, Result] = {}
                for client in CLIENTS:
                    phases[client] = result = run_phase(client, args, level, Path(name))
                    print(
                        f"round {index + 1}/{args.rounds}, {level} in flight, {client}:"
                        f" {args.messages / result['seconds']:.0f} msg/s,"
                        f" {result['cpu'] / args.messages * 1e6:.0f} µs CPU/request",
                        file=sys.stderr,
                    )
                runs[level].append(phases)
    return runs


def rate(phase: Result, messages: int) -> float:
    return messages / float(phase["seconds"])


def cpu_us(phase: Result, messages: int) -> float:
    return float(phase["cpu"]) / messages * 1e6


def table(n: int, in_flight: int, rounds: Rounds) -> list[str]:
    def median(client: str, of: Callable[[Result, int], float]) -> str:
        return f"{statistics.median(of(r[client], n) for r in rounds):,.0f}"

    def ratio(top: str, bottom: str, of: Callable[[Result, int], float]) -> float:
        return float(statistics.median(of(r[top], n) / of(r[bottom], n) for r in rounds))

    ceiling = in_flight * 1000 / ANSWER_AFTER_MS
    rows = [
        f"| {n:,} messages, {in_flight} in flight (at most {ceiling:,.0f}/s) | "
        + " | ".join(CLIENTS.values())
        + " | B / A | B / C |",
        "|---|---:|---:|---:|---:|---:|",
        "| **messages per second**, median | "
        + " | ".join(median(c, rate) for c in CLIENTS)
        + f" | **{ratio('aiohttp', 'httpx', rate):.2f}×**"
        f" | **{ratio('aiohttp', 'raw', rate):.2f}×** |",
        "| **client CPU per request (µs)**, median | "
        + " | ".join(median(c, cpu_us) for c in CLIENTS)
        + f" | **{ratio('aiohttp', 'httpx', cpu_us):.2f}×**"
        f" | {ratio('aiohttp', 'raw', cpu_us):.2f}× |",
    ]
    for index, phases in enumerate(rounds, start=1):
        cells = (f"{rate(phases[c], n):,.0f}; {cpu_us(phases[c], n):,.0f}" for c in CLIENTS)
        rows.append(
            f"| round {index}: msg/s; µs CPU/request | "
            + " | ".join(cells)
            + f" | {rate(phases['aiohttp'], n) / rate(phases['httpx'], n):.2f}×"
            f" | {rate(phases['aiohttp'], n) / rate(phases['raw'], n):.2f}× |"
        )
    return rows


def render(args: argparse.Namespace, runs: dict[int, Rounds], seconds: float) -> str:
    n, levels = args.messages, args.in_flight
    about = (
        f"Each phase sends {n:,} messages, one to each of as many private chats, over real"
        " HTTP to the Bot API stand-in (`python -m fakeapi.serve`) in its own process,"
        f" answering every call after {ANSWER_AFTER_MS} ms, so that k messages in flight can"
        f" make at most k × {1000 // ANSWER_AFTER_MS}/s however cheap the client. A is PTB's"
        " `Bot.send_message` over its default `HTTPXRequest` (pool of 256, as"
        " `ApplicationBuilder` makes it); B the same over Muster's `AiohttpRequest`"
        " (`bot/delivery/transport.py`, as `build_application` makes it); C one"
        " `aiohttp.ClientSession` posting the same form bodies and reading each JSON answer,"
        " no Bot API library."
        f" {' and '.join(str(k) for k in levels)} in flight"
        f" ({shipped_concurrency()} is the delivery engine's `delivery.concurrency` as"
        " shipped). Each phase is a fresh stand-in and client process, after one warm-up send;"
        " rounds go A B C, A B C. CPU is the client process's (all threads) over the sends,"
        " divided by the messages. B's CPU above C's is PTB's own work on every call (the"
        " request's parameters, the answer turned into a `Message`), whatever the transport;"
        " A's is mostly httpx's connection pool, whose work grows with the connections open"
        " (encode/httpcore#1035), one per message in flight. The machine is shared (2 cores,"
        " other benchmarks and test runs alongside), so single numbers are noisy; the ratios"
        " within a round are the measure."
    )
    command = "python -m bench.transport"
    plan = {"messages": n, "in_flight": levels, "rounds": args.rounds}
    if plan == quick_plan():
        command += " --quick"
    elif plan != default_plan():
        in_flight = ",".join(str(k) for k in levels)
        command += f" --messages {n} --in-flight {in_flight} --rounds {args.rounds}"
    facts = [
        f"- Command: `{command}`, {seconds:.0f} s in all",
        f"- Data: {n:,} messages × {len(CLIENTS)} clients × {len(levels)} concurrency"
        f" level(s) × {args.rounds} round(s)",
        f"- Date: {datetime.now(UTC):%Y-%m-%d}",
        f"- Machine: {machine()}",
    ]
    blocks = [HEADING, textwrap.fill(about, 92), "\n".join(facts)]
    blocks += ["\n".join(table(n, level, runs[level])) for level in levels]
    return "\n\n".join(blocks) + "\n"


def shipped_concurrency() -> int:
    return load_settings(None).delivery.concurrency


def default_plan() -> dict[str, Any]:
    return {"messages": 2_000, "in_flight": [64, shipped_concurrency()], "rounds": 3}


def quick_plan() -> dict[str, Any]:
    return {"messages": 300, "in_flight": [64], "rounds": 1}


def levels(text: str) -> list[int]:
    try:
        found = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not numbers separated by commas: {text!r}") from None
    if min(found) < 1:
        raise argparse.ArgumentTypeError(f"every level must be at least 1: {text!r}")
    return found


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.transport", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--messages", type=int, help="per phase (default 2000)")
    parser.add_argument(
        "--in-flight",
        type=levels,
        help="concurrency levels, e.g. 64,8 (default: 64 and delivery.concurrency)",
    )
    parser.add_argument("--rounds", type=int, help="A B C rounds (default 3)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 300 messages, 64, 1 round")
    parser.add_argument("--out", type=Path, help="write the results section into this file")
    hidden = argparse.SUPPRESS  # the parent's interface to its children
    parser.add_argument("--child", choices=tuple(CLIENTS), help=hidden)
    parser.add_argument("--base-url", help=hidden)
    parser.add_argument("--standin-pid", type=int, default=0, help=hidden)
    args = parser.parse_args(argv)
    for name, default in (quick_plan() if args.quick else default_plan()).items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    if args.child:
        [args.in_flight] = args.in_flight  # a child runs one level
    if min(args.messages, args.rounds) < 1:
        parser.error("every count must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(child(args))))
        return
    started = time.perf_counter()
    runs = measure(args)
    publish(render(args, runs, time.perf_counter() - started), args.out, HEADING)


if __name__ == "__main__":
    main()
