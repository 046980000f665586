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
  bot says the check-in is saved, whatever restarts happen in between;
- stops at an exact count: the bot's process signalled (SIGKILL or SIGTERM) by the
  stand-in itself as it accepts the directive send that meets the harness's share, before
  answering it. A harness polling from outside stops the bot late, by however many sends
  it made meanwhile, and an unpaced bot sends hundreds a second: on a loaded machine a
  late stop found the whole directive sent, and the next stop waited for a send that could
  never come;
- webhook delivery: once the bot has called ``setWebhook``, pending updates are posted to
  its URL as Telegram does (JSON, the secret token in a header, in ``update_id`` order, one
  at a time), each sent again after a short pause until the bot answers 200, whether the
  bot is down (connection refused), dies mid-request, answers something else or times out;
  or, for several instances, spread among them as a load balancer does (``/balance``).

The control API (JSON): ``GET /stats``, ``GET /calls?since=N``, ``GET /webhook``,
``POST /watch``, ``POST /stop_at``, ``POST /checkins``, ``POST /push``, ``POST /fault``,
``POST /offline``, ``POST /balance``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from fakeapi import ApiCall, BotApiServer, FakeBotApi, FakeUser, SentMessage
from fakeapi.core import JSON, ApiError

# A member whose chat has not changed for this long after their last step looks again at
# the bot's latest message and may press the same button a second time (a person would).
PATIENCE_SECONDS = 20.0
# Webhook delivery: how long a post may take before it counts as timed out, and the pause
# before the same update is posted again (Telegram's own pauses are longer and unpublished).
WEBHOOK_TIMEOUT_SECONDS = 10.0
WEBHOOK_RETRY_SECONDS = (0.2, 0.5)
# Telegram's header, spelled out here rather than imported from app.webhook: the stand-in
# plays Telegram, and must not take the bot's word for it.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class FaultWindow:
    """Until ``until`` (monotonic), answer matching calls with ``error`` at ``probability``."""

    until: float
    error: ApiError
    probability: float
    everything: bool  # getUpdates too (network-like faults), not only sends


class ChaosBotApi(FakeBotApi):
    """``FakeBotApi`` with time-boxed faults, held sends, and a wake-up per watched chat."""

    def __init__(
        self, *, seed: int = 0, kill: Callable[[int, int], None] = os.kill, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.windows: list[FaultWindow] = []
        self.hold_sends = 0  # the next sends that are held past the client's timeout
        self.hold_seconds = 0.0
        self.held = 0
        self.injected: Counter[str] = Counter()
        self.watchers: dict[int, asyncio.Event] = {}
        self.watch_range = range(0)
        self.watched_sends = 0  # accepted sendMessage calls to chats in watch_range
        self.stop_at: tuple[int, int, signal.Signals] | None = None  # (sends, pid, signal)
        self.signalled_at: float | None = None  # unix time of the last stop_at signal
        self._kill = kill
        self.webhook_secret = ""
        self.webhook_wake = asyncio.Event()  # an update pushed, or the webhook set
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
            self._stop_if_due()
        if key == "answercallbackquery":  # the id starts with the presser's user id
            chat_id = _presser(str(params.get("callback_query_id", "")), self.watchers)
        watcher = self.watchers.get(chat_id) if chat_id is not None else None
        if watcher is not None:
            watcher.set()
        return status, body

    def arm(self, sends: int, pid: int, signum: signal.Signals) -> None:
        """Signal ``pid`` as the ``sends``-th watched send is accepted (at once if it was)."""
        self.stop_at = (sends, pid, signum)
        self._stop_if_due()

    def _stop_if_due(self) -> None:
        if self.stop_at is None or self.watched_sends < self.stop_at[0]:
            return
        _, pid, signum = self.stop_at
        self.stop_at = None
        self.signalled_at = time.time()
        with contextlib.suppress(ProcessLookupError):  # it died by itself: the harness sees
            self._kill(pid, signum)

    def push_update(self, update: Mapping[str, Any]) -> JSON:
        pushed = super().push_update(update)
        self.webhook_wake.set()
        return pushed

    def _set_webhook(self, params: JSON) -> bool:
        """Keep the secret token too: it goes with every post, as Telegram sends it."""
        self.webhook_secret = str(params.get("secret_token") or "")
        self.webhook_wake.set()
        return super()._set_webhook(params)

    def waiting(self) -> list[JSON]:
        """The pending updates, for the webhook to post. The queue is ``FakeBotApi``'s,
        the one getUpdates would serve: a subclass's to take from."""
        return list(self._queue)

    @property
    def pending_count(self) -> int:
        return len(self._queue)

    def delivered(self, update_id: int) -> None:
        """The bot answered 200: Telegram forgets the update."""
        self._queue = [u for u in self._queue if int(u["update_id"]) != update_id]

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


@dataclass
class WebhookSender:
    """Telegram's side of a webhook: post each pending update until the bot answers 200,
    ``connections`` at a time (one at a time by default), a chat's next update only after
    its last one's 200; keep a record of every attempt.

    With ``targets`` (``POST /balance``: several instances' URLs), the sender is Telegram
    and a load balancer in front of them: each post goes to a target picked at random,
    and a refused connection (the instance is down) to the next target at once; any other
    failure (the instance died mid-request, an error, a timeout) is a failed post that
    Telegram makes again after a pause."""

    api: ChaosBotApi
    rng: random.Random
    targets: list[str] = field(default_factory=list)
    connections: int = 1
    # [update_id, user id, callback query id or None, started, ended (unix), outcome,
    # target]: the outcome is the status, or "refused" (nobody listening), "cut" (the bot
    # died or hung up mid-request) or "timeout"; the target its index in ``targets`` (0
    # without them)
    attempts: list[list[Any]] = field(default_factory=list)
    _posting: dict[int, int | None] = field(default_factory=dict)  # update id -> its chat

    async def run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            tasks: set[asyncio.Task[None]] = set()
            try:
                while True:
                    update = self._next()
                    if update is None:
                        self.api.webhook_wake.clear()
                        await self.api.webhook_wake.wait()
                        continue
                    self._posting[int(update["update_id"])] = _origin(update)[0]
                    task = asyncio.create_task(self.deliver(session, update))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
            finally:
                for task in tasks:
                    task.cancel()

    def _next(self) -> JSON | None:
        """The oldest pending update not being posted whose chat has none being posted,
        while fewer than ``connections`` are."""
        if len(self._posting) >= self.connections or not self.api.webhook_url:
            return None
        busy = set(self._posting.values())
        waiting = sorted(self.api.waiting(), key=lambda update: int(update["update_id"]))
        for update in waiting:
            if int(update["update_id"]) not in self._posting and _origin(update)[0] not in busy:
                return update
        return None

    async def deliver(self, session: aiohttp.ClientSession, update: JSON) -> None:
        update_id = int(update["update_id"])
        try:
            # Telegram's pauses between tries, not a condition to wait for.
            while not await self.post_balanced(session, update):  # noqa: ASYNC110
                await asyncio.sleep(self.rng.uniform(*WEBHOOK_RETRY_SECONDS))
            self.api.delivered(update_id)
        finally:
            del self._posting[update_id]
            self.api.webhook_wake.set()

    async def post_balanced(self, session: aiohttp.ClientSession, update: JSON) -> bool:
        if not self.targets:
            return await self.post(session, update, self.api.webhook_url, 0) == 200
        first = self.rng.randrange(len(self.targets))
        for turn in range(len(self.targets)):
            which = (first + turn) % len(self.targets)
            outcome = await self.post(session, update, self.targets[which], which)
            if outcome != "refused":
                return outcome == 200
        return False

    async def post(
        self, session: aiohttp.ClientSession, update: JSON, url: str, target: int
    ) -> int | str:
        started = time.time()
        outcome: int | str
        try:
            async with session.post(
                url,
                json=update,
                headers={SECRET_HEADER: self.api.webhook_secret},
            ) as response:
                await response.read()
                outcome = response.status
        except aiohttp.ClientConnectorError:
            outcome = "refused"
        except TimeoutError:  # before ClientError: aiohttp's timeouts are both
            outcome = "timeout"
        except (aiohttp.ClientError, ConnectionError):
            outcome = "cut"
        sender, query = _origin(update)
        self.attempts.append(
            [int(update["update_id"]), sender, query, started, time.time(), outcome, target]
        )
        return outcome


def _origin(update: JSON) -> tuple[int | None, str | None]:
    """Who sent an update, and its callback query's id if it is a press."""
    query = update.get("callback_query")
    if query is not None:
        return int(query["from"]["id"]), str(query["id"])
    message = update.get("message") or {}
    sender = message.get("from")
    return (int(sender["id"]) if sender else None), None


class Control:
    """The harness's handle on the stand-in."""

    def __init__(self, api: ChaosBotApi, server: BotApiServer, sender: WebhookSender) -> None:
        self.api = api
        self.server = server
        self.sender = sender
        self.driver: CheckinDriver | None = None
        self.offline_seconds = 0.0
        self.reopened_at = 0.0  # unix time the port last reopened
        self._offline: asyncio.Task[None] | None = None

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/stats", self.stats)
        app.router.add_get("/calls", self.calls)
        app.router.add_get("/webhook", self.webhook)
        app.router.add_post("/watch", self.watch)
        app.router.add_post("/stop_at", self.stop_at)
        app.router.add_post("/checkins", self.checkins)
        app.router.add_post("/fault", self.fault)
        app.router.add_post("/offline", self.offline)
        app.router.add_post("/push", self.push)
        app.router.add_post("/balance", self.balance)
        return app

    async def stats(self, request: web.Request) -> web.Response:
        api = self.api
        return web.json_response(
            {
                "calls": len(api.calls),
                "watched_sends": api.watched_sends,
                "signalled_at": api.signalled_at,
                "checkins": self.driver.status() if self.driver else None,
                "held": api.held,
                "injected": dict(api.injected),
                "too_many_requests": api.too_many_requests,
                "offline": self._offline is not None and not self._offline.done(),
                "offline_seconds": self.offline_seconds,
                "reopened_at": self.reopened_at,
                "webhook": api.webhook_url,
                "webhook_pending": api.pending_count,
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

    async def webhook(self, request: web.Request) -> web.Response:
        """The webhook's URL, the updates still pending, every delivery attempt (see
        ``WebhookSender.attempts``) and every answer to a press (``[callback query id, unix
        time]``: how often the bot handled it)."""
        api = self.api
        answers = [
            [str(c.params.get("callback_query_id")), c.at.timestamp()]
            for c in api.calls
            if c.method == "answerCallbackQuery"
        ]
        return web.json_response(
            {
                "url": api.webhook_url,
                "pending": api.pending_count,
                "attempts": self.sender.attempts,
                "answers": answers,
            }
        )

    async def watch(self, request: web.Request) -> web.Response:
        """Count the accepted sendMessage calls to chats ``[lo, hi)`` (a directive's)."""
        body = await request.json()
        self.api.watch_range = range(int(body["lo"]), int(body["hi"]))
        self.api.watched_sends = 0
        return web.json_response({"ok": True})

    async def stop_at(self, request: web.Request) -> web.Response:
        """``{"sends", "pid", "signal": "SIGKILL" | "SIGTERM"}``: see ``ChaosBotApi.arm``."""
        body = await request.json()
        self.api.arm(int(body["sends"]), int(body["pid"]), signal.Signals[str(body["signal"])])
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

    async def balance(self, request: web.Request) -> web.Response:
        """``{"urls": [...], "connections": n}``: post the updates to these instances, as
        a load balancer in front of them would, ``n`` at a time (``WebhookSender``)."""
        body = await request.json()
        self.sender.targets = [str(url) for url in body["urls"]]
        self.sender.connections = int(body.get("connections", 1))
        self.api.webhook_wake.set()
        return web.json_response({"ok": True})

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
    sender = WebhookSender(api, random.Random(args.seed))
    async with BotApiServer(api, args.token) as server:
        control = Control(api, server, sender)
        runner = web.AppRunner(control.app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        control_port = int(runner.addresses[0][1])
        print(f"{server.base_url} http://127.0.0.1:{control_port}", flush=True)
        posting = asyncio.create_task(sender.run(), name="webhook sender")
        try:
            await stop.wait()
        finally:
            posting.cancel()
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
