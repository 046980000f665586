"""The Bot API stand-in for the crash and fault runs, in a process of its own, with a
control port the harness drives it through.

    python -m bench.crash_standin --token T

Prints ``<bot api base url> <control url>`` as one line once both accept connections, and
serves until SIGTERM. It is ``FakeBotApi`` over real HTTP (``BotApiServer``), so it keeps
its record of every call while the bot it talks to is killed and restarted, plus:

- faults: every matching call answered with an error for a while (429 storms with
  ``retry_after``, 5xx at some probability), the next sends held past the bot's read
  timeout (the bot times out; the send is never delivered), and the whole Bot API port
  closed for a while (network loss: connections refused, long polls cut);
- members who check in: each is walked through ``/checkin`` the way a person does it,
  pressing the answer and then Submit on the bot's latest message in their chat, until the
  bot says the check-in is saved, whatever restarts happen in between.

The control API (JSON): ``GET /stats``, ``GET /calls?since=N``, ``POST /watch``,
``POST /checkins``, ``POST /push``, ``POST /fault``, ``POST /offline``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.fakeapi import ApiCall, BotApiServer, FakeBotApi, FakeUser, SentMessage
from bot.fakeapi.core import JSON, ApiError

# A member whose chat has not changed for this long after their last step looks again at
# the bot's latest message and may press the same button a second time (a person would).
PATIENCE_SECONDS = 20.0


@dataclass
class FaultWindow:
    """Until ``until`` (monotonic), answer matching calls with ``error`` at ``probability``."""

    until: float
    error: ApiError
    probability: float
    everything: bool  # getUpdates too (network-like faults), not only sends


class ChaosBotApi(FakeBotApi):
    """``FakeBotApi`` with time-boxed faults, held sends, and a wake-up per watched chat."""

    def __init__(self, *, seed: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.windows: list[FaultWindow] = []
        self.hold_sends = 0  # the next sends that are held past the client's timeout
        self.hold_seconds = 0.0
        self.held = 0
        self.injected: Counter[str] = Counter()
        self.watchers: dict[int, asyncio.Event] = {}
        self.watch_range = range(0)
        self.watched_sends = 0  # accepted sendMessage calls to chats in watch_range
        self._rng = random.Random(seed)

    async def handle(self, method: str, params: Mapping[str, Any]) -> tuple[int, JSON]:
        key = method.lower()
        sending = key.startswith(("send", "edit", "copy", "forward"))
        if sending and key != "sendchataction" and self.hold_sends > 0:
            self.hold_sends -= 1
            self.held += 1
            # The client gives up first; aiohttp then cancels this handler, so the send is
            # never delivered, as when a request is lost on the way.
            await asyncio.sleep(self.hold_seconds)
        fault = self._fault(key, sending)
        if fault is not None:
            self.injected[str(fault.error_code)] += 1
            if fault.error_code == 429:
                self.too_many_requests += 1
            self.calls.append(
                ApiCall(method, dict(params), self.now(), fault.error_code, fault.body())
            )
            return fault.error_code, fault.body()
        status, body = await super().handle(method, params)
        chat_id = self.calls[-1].chat_id
        if status == 200 and key == "sendmessage" and chat_id in self.watch_range:
            self.watched_sends += 1
        if key == "answercallbackquery":  # the id starts with the presser's user id
            chat_id = _presser(str(params.get("callback_query_id", "")), self.watchers)
        watcher = self.watchers.get(chat_id) if chat_id is not None else None
        if watcher is not None:
            watcher.set()
        return status, body

    def _fault(self, key: str, sending: bool) -> ApiError | None:
        now = time.monotonic()
        self.windows = [w for w in self.windows if w.until > now]
        for window in self.windows:
            if (sending or window.everything) and self._rng.random() < window.probability:
                return window.error
        return None


def _presser(query_id: str, watchers: Mapping[int, asyncio.Event]) -> int | None:
    """``FakeUser`` callback ids are the user id followed by six digits."""
    user_id = query_id[:-6]
    return int(user_id) if user_id.isdigit() and int(user_id) in watchers else None


@dataclass
class CheckinDriver:
    """People checking in at once, each reacting to what the bot shows them."""

    api: ChaosBotApi
    answer: dict[str, str]  # language -> the label pressed for the first question
    submit: dict[str, str]  # language -> Submit's label
    done_marks: tuple[str, ...]  # the start of "checked in" / "updated" in each language
    members: list[FakeUser] = field(default_factory=list)
    done: set[int] = field(default_factory=set)
    steps = 0  # updates pushed
    repeats = 0  # presses repeated after PATIENCE_SECONDS without a change
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self, people: Sequence[tuple[int, str, str]]) -> None:
        for user_id, name, language in people:
            person = FakeUser(user_id, name, language_code=language, api=self.api)
            self.members.append(person)
            self.api.watchers[user_id] = asyncio.Event()
            self.tasks.append(asyncio.create_task(self._walk(person)))

    def status(self) -> JSON:
        return {
            "members": len(self.members),
            "done": len(self.done),
            "steps": self.steps,
            "repeats": self.repeats,
        }

    def _finished(self, chat_id: int) -> bool:
        return any((m.text or "").startswith(self.done_marks) for m in self.api.sent_to(chat_id))

    async def _walk(self, person: FakeUser) -> None:
        """Send /checkin, then press what the bot offers for the next step, trying the
        newest message first and older ones after (a restart may have asked twice, and
        the newer question's buttons then no longer apply), until a message says done."""
        api, changed = self.api, self.api.watchers[person.id]
        labels = (self.answer[person.language_code], self.submit[person.language_code])
        pressed: set[tuple[int, str, str]] = set()
        changed.clear()
        api.push_update(person.command("checkin"))
        self.steps += 1
        while not self._finished(person.id):
            patient = True
            try:
                await asyncio.wait_for(changed.wait(), PATIENCE_SECONDS)
            except TimeoutError:
                patient = False
                pressed.clear()  # nothing happened for long: look again, press again
            changed.clear()
            choice = self._next_press(api.sent_to(person.id), labels, pressed)
            if choice is not None:
                message, label = choice
                pressed.add((message.message_id, label, message.text or ""))
                update = person.press(message, label)
            elif not patient:  # nothing left to press: start again, as a person would
                update = person.command("checkin")
            else:
                continue
            self.repeats += not patient
            api.push_update(update)
            self.steps += 1
        self.done.add(person.id)

    @staticmethod
    def _next_press(
        messages: Sequence[SentMessage],
        labels: tuple[str, str],
        pressed: set[tuple[int, str, str]],
    ) -> tuple[SentMessage, str] | None:
        for message in reversed(messages):
            for label in reversed(labels):  # Submit before the answer
                seen = (message.message_id, label, message.text or "")
                if seen not in pressed and _has_button(message, label):
                    return message, label
        return None


def _has_button(message: SentMessage, label: str) -> bool:
    return any(text == label for text, _ in message.buttons)


class Control:
    """The harness's handle on the stand-in."""

    def __init__(self, api: ChaosBotApi, server: BotApiServer) -> None:
        self.api = api
        self.server = server
        self.driver: CheckinDriver | None = None
        self.offline_seconds = 0.0
        self.reopened_at = 0.0  # unix time the port last reopened
        self._offline: asyncio.Task[None] | None = None

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/stats", self.stats)
        app.router.add_get("/calls", self.calls)
        app.router.add_post("/watch", self.watch)
        app.router.add_post("/checkins", self.checkins)
        app.router.add_post("/fault", self.fault)
        app.router.add_post("/offline", self.offline)
        app.router.add_post("/push", self.push)
        return app

    async def stats(self, request: web.Request) -> web.Response:
        api = self.api
        return web.json_response(
            {
                "calls": len(api.calls),
                "watched_sends": api.watched_sends,
                "checkins": self.driver.status() if self.driver else None,
                "held": api.held,
                "injected": dict(api.injected),
                "too_many_requests": api.too_many_requests,
                "offline": self._offline is not None and not self._offline.done(),
                "offline_seconds": self.offline_seconds,
                "reopened_at": self.reopened_at,
            }
        )

    async def calls(self, request: web.Request) -> web.Response:
        """Every call from ``since`` on: ``[method, status, chat_id, unix time, text]``,
        the text (or caption) being that of the message sent or edited, if any."""
        since = int(request.query.get("since", "0"))
        rows = [
            [c.method, c.status, c.chat_id, c.at.timestamp(), c.message.text if c.message else None]
            for c in self.api.calls[since:]
        ]
        return web.json_response(rows)

    async def watch(self, request: web.Request) -> web.Response:
        """Count the accepted sendMessage calls to chats ``[lo, hi)`` (a directive's)."""
        body = await request.json()
        self.api.watch_range = range(int(body["lo"]), int(body["hi"]))
        self.api.watched_sends = 0
        return web.json_response({"ok": True})

    async def checkins(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.driver = CheckinDriver(
            self.api, body["answer"], body["submit"], tuple(body["done_marks"])
        )
        self.driver.start([(int(i), str(n), str(lang)) for i, n, lang in body["members"]])
        return web.json_response({"ok": True})

    async def push(self, request: web.Request) -> web.Response:
        """A person sends the bot a text: ``{"user": id, "name", "language", "text"}``."""
        body = await request.json()
        person = FakeUser(
            int(body["user"]), str(body["name"]), language_code=body["language"], api=self.api
        )
        update = self.api.push_update(person.message(str(body["text"])))
        return web.json_response({"update_id": update["update_id"]})

    async def fault(self, request: web.Request) -> web.Response:
        """``{"kind": "window", "seconds", "code", "description", "retry_after",
        "probability", "everything"}`` or ``{"kind": "hold", "sends", "seconds"}``."""
        body = await request.json()
        if body["kind"] == "hold":
            self.api.hold_sends = int(body["sends"])
            self.api.hold_seconds = float(body["seconds"])
        else:
            error = ApiError(int(body["code"]), str(body["description"]), body.get("retry_after"))
            self.api.windows.append(
                FaultWindow(
                    time.monotonic() + float(body["seconds"]),
                    error,
                    float(body.get("probability", 1.0)),
                    bool(body.get("everything", False)),
                )
            )
        return web.json_response({"ok": True})

    async def offline(self, request: web.Request) -> web.Response:
        """Close the Bot API port for ``seconds`` (connections refused), then reopen it."""
        body = await request.json()
        if self._offline is not None and not self._offline.done():
            return web.json_response({"ok": False, "error": "already offline"}, status=409)
        self._offline = asyncio.create_task(self._go_offline(float(body["seconds"])))
        return web.json_response({"ok": True})

    async def _go_offline(self, seconds: float) -> None:
        port = self.server.port
        await self.server.stop()
        closed = time.time()
        await asyncio.sleep(seconds)
        await self.server.start(port)
        self.reopened_at = time.time()
        self.offline_seconds += self.reopened_at - closed


async def serve(args: argparse.Namespace) -> None:
    api = ChaosBotApi(seed=args.seed)
    if args.enforce_limits:  # Telegram's: 30 a second, 1 a second per chat, 20 a minute a group
        api.enforce_limits()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with BotApiServer(api, args.token) as server:
        control = Control(api, server)
        runner = web.AppRunner(control.app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        control_port = int(runner.addresses[0][1])
        print(f"{server.base_url} http://127.0.0.1:{control_port}", flush=True)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.crash_standin", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--token", required=True)
    parser.add_argument("--seed", type=int, default=0, help="for the 5xx coin tosses")
    parser.add_argument("--enforce-limits", action="store_true", help="429 past flood limits")
    asyncio.run(serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
