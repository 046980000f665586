"""Run the Bot API stand-in in a process of its own (benchmarks, manual tries).

    python -m bot.fakeapi.serve --token T [--port 0] [--enforce-limits] [--results FILE]

Prints the base URL (``http://127.0.0.1:PORT/bot``, what ``telegram.api_base_url`` takes)
as one line on stdout once it accepts connections, and serves until SIGTERM or SIGINT.
With ``--results`` it then writes a JSON summary of what it saw: calls per method and
status, 429 count, the monotonic times of the accepted sends and edits per chat, the
total characters of accepted message texts, and its own CPU seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.fakeapi.core import FakeBotApi
from bot.fakeapi.server import BotApiServer


def summary(api: FakeBotApi, *, cpu_seconds: float) -> dict[str, Any]:
    """What a load test asks of the stand-in afterwards, JSON-ready."""
    calls: Counter[str] = Counter(f"{call.method} {call.status}" for call in api.calls)
    text_chars = sum(
        len(str(call.params.get("text", "")))
        for call in api.calls
        if call.method == "sendMessage" and call.ok
    )
    return {
        "calls": dict(calls),
        "too_many_requests": api.too_many_requests,
        "send_times": {str(chat): times for chat, times in api.send_times.items()},
        "text_chars": text_chars,
        "cpu_seconds": cpu_seconds,
    }


async def serve(args: argparse.Namespace) -> None:
    api = FakeBotApi()
    if args.enforce_limits:
        api.enforce_limits(args.per_second, args.per_chat_per_second, args.group_per_minute)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with BotApiServer(api, args.token) as server:
        print(server.base_url, flush=True)
        await stop.wait()
    if args.results is not None:
        result = summary(api, cpu_seconds=time.process_time())
        args.results.write_text(json.dumps(result), encoding="utf-8")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.fakeapi.serve", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--token", required=True, help="the bot token it accepts")
    parser.add_argument("--port", type=int, default=0, help="0: an ephemeral port (default)")
    parser.add_argument(
        "--enforce-limits", action="store_true", help="answer 429 past Telegram's flood limits"
    )
    parser.add_argument("--per-second", type=int, default=30)
    parser.add_argument("--per-chat-per-second", type=int, default=1)
    parser.add_argument("--group-per-minute", type=int, default=20)
    parser.add_argument("--results", type=Path, help="write a JSON summary here at exit")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except OSError as exc:  # e.g. the port is taken
        sys.exit(f"serve: {exc}")


if __name__ == "__main__":
    main()
