"""The crash trial's stops land on the share the harness drew, however fast the bot sends.

The reduced trial (``test_crash.py``) once failed on a loaded machine with "stalled at 508,
short of 509": the harness polled the stand-in, saw the share met and only then signalled
the bot, which (unpaced, hundreds of sends a second) had meanwhile sent the rest of the
500-recipient directive. Nothing was left to send, and the next stop waited 120 s for a
send that could not come. The stand-in now signals the bot itself, as it accepts the send
that meets the share. These tests drive the stand-in's ``ChaosBotApi`` in-process, with
every send arriving at once (a bot faster than any poll) and a recorded ``kill``; the last
one, the harness's graceful stop of a bot still starting.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

from bench.crash import RUNNING, Bot
from bench.crash_standin import ChaosBotApi

WATCHED = range(1000, 1100)
PID = 4242


class Signals:
    """``os.kill`` stand-in: who was signalled, and how many sends were accepted by then."""

    def __init__(self) -> None:
        self.api: ChaosBotApi | None = None
        self.sent: list[tuple[int, int, int]] = []  # (pid, signal, watched sends)
        self.gone = False

    def kill(self, pid: int, signum: int) -> None:
        assert self.api is not None
        self.sent.append((pid, signum, self.api.watched_sends))
        if self.gone:
            raise ProcessLookupError(pid)


def standin(signals: Signals) -> ChaosBotApi:
    api = ChaosBotApi(kill=signals.kill)
    api.watch_range = WATCHED
    signals.api = api
    return api


async def send_all(api: ChaosBotApi, count: int) -> list[int]:
    answers = await asyncio.gather(
        *(
            api.handle("sendMessage", {"chat_id": WATCHED[i], "text": "Directive"})
            for i in range(count)
        )
    )
    return [status for status, _ in answers]


async def test_the_bot_is_signalled_as_the_send_that_meets_the_share_is_accepted() -> None:
    signals = Signals()
    api = standin(signals)
    api.arm(5, PID, signal.SIGKILL)
    assert await send_all(api, 20) == [200] * 20  # the rest: in flight as the bot dies
    assert signals.sent == [(PID, signal.SIGKILL, 5)]
    assert api.signalled_at is not None and api.stop_at is None


async def test_a_stop_armed_past_its_count_signals_at_once_and_only_once() -> None:
    signals = Signals()
    api = standin(signals)
    await send_all(api, 3)
    api.arm(2, PID, signal.SIGTERM)
    assert signals.sent == [(PID, signal.SIGTERM, 3)]
    await send_all(api, 3)
    assert len(signals.sent) == 1


async def test_sends_to_other_chats_do_not_count_and_a_dead_bot_does_not_break_the_answer() -> None:
    signals = Signals()
    signals.gone = True  # the bot died by itself: the harness's wait_for says so
    api = standin(signals)
    api.arm(1, PID, signal.SIGKILL)
    status, _ = await api.handle("sendMessage", {"chat_id": 7, "text": "a notice"})
    assert (status, signals.sent) == (200, [])
    assert await send_all(api, 1) == [200]
    assert signals.sent == [(PID, signal.SIGKILL, 1)]


def test_a_graceful_stop_waits_for_a_run_still_starting(tmp_path: Path) -> None:
    """Members all checked in before the restarted bot was up, and the harness's next
    SIGTERM (the switch to webhook mode) reached it before its handler: exit -15, "a
    graceful stop exited with -15". A stand-in for the bot that takes a while to start."""
    log = tmp_path / "bot.log"
    starting = (
        "import signal, sys, time\n"
        "time.sleep(0.3)  # importing, building the application\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
        f"print('… {RUNNING} as @muster_test_bot', file=sys.stderr, flush=True)\n"
        "time.sleep(60)\n"
    )
    bot = Bot.__new__(Bot)
    bot.log = log.open("a", encoding="utf-8")
    bot.log_path, bot.log_from = log, 0
    bot.process = subprocess.Popen([sys.executable, "-c", starting], stderr=bot.log)
    _, _, code = bot.terminate(within=30.0)
    assert code == 0
