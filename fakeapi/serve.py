"""Run the Bot API stand-in in a process of its own (benchmarks, manual tries).

    python -m fakeapi.serve --token T [--port 0] [--enforce-limits [--edits-per-chat-only]]
                                [--results FILE] [--per-second N] [--paid-per-second N]
                                [--answer-after MS] [--flood-share P --flood-wait LO-HI]

Prints the base URL (``http://127.0.0.1:PORT/bot``, what ``telegram.api_base_url`` takes)
as one line on stdout once it accepts connections, and serves until SIGTERM or SIGINT.
With ``--results`` it then writes a JSON summary of what it saw: calls per method and
status, 429 count, the monotonic times of the accepted sends and edits per chat, the
total characters of accepted message texts, and its own CPU seconds. ``--answer-after``
answers every call that many milliseconds late (a real network's round trip);
``--flood-share`` answers the first sendMessage to that share of chats (picked by chat id,
the same in every run) with a 429 whose ``retry_after`` is between the ``--flood-wait``
bounds: Telegram's per-chat flood limit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fakeapi.core import JSON, FakeBotApi
from fakeapi.server import BotApiServer


class StandInApi(FakeBotApi):
    """The stand-in with a round trip's delay and per-chat floods (see the module doc)."""

    def __init__(
        self, answer_after: float, flood_share: float, flood_wait: tuple[int, int]
    ) -> None:
        super().__init__()
        self.answer_after = answer_after
        self.flood_share = flood_share
        self.flood_wait = flood_wait
        self.flooded: dict[int, int] = {}  # chat → the retry_after it was answered
        self._seen: set[int] = set()

    async def handle(self, method: str, params: Mapping[str, Any]) -> tuple[int, JSON]:
        if self.answer_after > 0:
            await asyncio.sleep(self.answer_after)
        if self.flood_share > 0 and method.lower() == "sendmessage":
            self._maybe_flood(int(params.get("chat_id", 0)))
        return await super().handle(method, params)

    def _maybe_flood(self, chat_id: int) -> None:
        if chat_id in self._seen:
            return
        self._seen.add(chat_id)
        draw = random.Random(chat_id)  # by chat id: the same chats in every run
        if draw.random() < self.flood_share:
            wait = draw.randint(*self.flood_wait)
            self.flooded[chat_id] = wait
            self.rate_limit(wait, method="sendMessage", chat_id=chat_id)


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
        "paid_sends": api.paid_sends,
        "send_times": {str(chat): times for chat, times in api.send_times.items()},
        "text_chars": text_chars,
        "cpu_seconds": cpu_seconds,
        "flooded": {
            str(chat): wait
            for chat, wait in (api.flooded if isinstance(api, StandInApi) else {}).items()
        },
    }


async def serve(args: argparse.Namespace) -> None:
    api = StandInApi(args.answer_after / 1000, args.flood_share, args.flood_wait)
    if args.enforce_limits:
        api.enforce_limits(
            args.per_second,
            args.per_chat_per_second,
            args.group_per_minute,
            paid_per_second=args.paid_per_second,
            edits_overall=not args.edits_per_chat_only,
        )
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


def _bounds(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    try:
        bounds = int(low), int(high or low)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not LO-HI seconds: {text!r}") from None
    if not 1 <= bounds[0] <= bounds[1]:
        raise argparse.ArgumentTypeError(f"not 1 <= LO <= HI: {text!r}")
    return bounds


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m fakeapi.serve", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--token", required=True, help="the bot token it accepts")
    parser.add_argument("--port", type=int, default=0, help="0: an ephemeral port (default)")
    parser.add_argument(
        "--enforce-limits", action="store_true", help="answer 429 past Telegram's flood limits"
    )
    parser.add_argument("--per-second", type=int, default=30)
    parser.add_argument("--per-chat-per-second", type=int, default=1)
    parser.add_argument("--group-per-minute", type=int, default=20)
    parser.add_argument(
        "--paid-per-second",
        type=int,
        default=1000,
        help="the overall limit for sends with allow_paid_broadcast (and all sends together)",
    )
    parser.add_argument(
        "--edits-per-chat-only",
        action="store_true",
        help="edits count toward their chat's limits, not the overall per-second one",
    )
    parser.add_argument("--results", type=Path, help="write a JSON summary here at exit")
    parser.add_argument("--answer-after", type=float, default=0.0, help="milliseconds")
    parser.add_argument("--flood-share", type=float, default=0.0, help="0 to 1")
    parser.add_argument(
        "--flood-wait", type=_bounds, default=(5, 30), help="retry_after bounds, seconds: LO-HI"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except OSError as exc:  # e.g. the port is taken
        sys.exit(f"serve: {exc}")


if __name__ == "__main__":
    main()
