"""Where a bot process's time goes while it runs: stalls of its event loop, the cyclic
garbage collector's pauses, and waits for a free connection of the Bot API transport.

A benchmark installs a ``LoopProbe`` in the bot's process and asks it for a summary of a
window (the burst): a callback answer late by a second is late because the loop did
something else, and these say what.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Coroutine
from typing import Any

from bot.delivery import transport

TICK = 0.005  # the lag probe's sleep: a stall shows as the sleep overrunning
STALL = 0.05  # overruns of at least this much are noted (a twentieth of the 1 s target)


class LoopProbe:
    """Loop stalls, GC pauses (per generation) and transport pool waits, with the
    monotonic instant each happened."""

    def __init__(self) -> None:
        self.stalls: list[tuple[float, float]] = []  # (at, seconds late)
        self.collections: list[tuple[float, int, float]] = []  # (at, generation, seconds)
        self.pool_waits: list[tuple[float, float]] = []  # (at, seconds waited for a slot)
        self._gc_started = 0.0
        self._task: asyncio.Task[None] | None = None
        self._original = transport._acquire

    def install(self) -> None:
        """The probe on: the lag task running, the GC callback and the pool timer in place
        (from a coroutine: the lag task needs the running loop)."""
        self._task = asyncio.get_running_loop().create_task(self._lag(), name="lag probe")
        gc.callbacks.append(self._on_gc)
        self._original = transport._acquire
        vars(transport)["_acquire"] = self._timed(self._original)

    def remove(self) -> None:
        vars(transport)["_acquire"] = self._original
        gc.callbacks.remove(self._on_gc)
        if self._task is not None:
            self._task.cancel()

    async def _lag(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(TICK)
            late = time.monotonic() - before - TICK
            if late >= STALL:
                self.stalls.append((before, late))

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._gc_started = now
        else:
            self.collections.append(
                (time.monotonic(), int(info["generation"]), now - self._gc_started)
            )

    def _timed(
        self, acquire: Callable[[asyncio.Semaphore, float | None], Coroutine[Any, Any, None]]
    ) -> Callable[[asyncio.Semaphore, float | None], Coroutine[Any, Any, None]]:
        async def timed(slots: asyncio.Semaphore, wait: float | None) -> None:
            if not slots.locked():
                await acquire(slots, wait)
                return
            started = time.monotonic()
            await acquire(slots, wait)
            self.pool_waits.append((started, time.monotonic() - started))

        return timed

    def summary(self, start: float, end: float) -> dict[str, float]:
        """What happened between ``start`` and ``end`` (monotonic seconds)."""
        stalls = [late for at, late in self.stalls if start <= at < end]
        full = [s for at, gen, s in self.collections if start <= at < end and gen == 2]
        young = [s for at, gen, s in self.collections if start <= at < end and gen < 2]
        waits = [s for at, s in self.pool_waits if start <= at < end]
        return {
            "stalls": len(stalls),
            "stall_max": max(stalls, default=0.0),
            "stall_sum": sum(stalls),
            "gc_full": len(full),
            "gc_full_max": max(full, default=0.0),
            "gc_full_sum": sum(full),
            "gc_young": len(young),
            "gc_young_sum": sum(young),
            "pool_waits": len(waits),
            "pool_wait_max": max(waits, default=0.0),
            "tracked": len(gc.get_objects()),
            "frozen": gc.get_freeze_count(),
        }
