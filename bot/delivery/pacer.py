"""Pacing sends under Telegram's flood limits: :class:`Pacer` grants each send a
:class:`Slot` so that Telegram never has to say 429; the delivery engine and the reply
pacing (:mod:`bot.delivery.reply_pacing`) share one."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

from bot.config import FREE_PER_SECOND, DeliverySettings

log = logging.getLogger(__name__)

# Telegram's 429 does not say whether it is that chat's flood limit or the bot's overall
# one. A 429 holds back its own chat only; 429s from this many different chats within
# FLOOD_WINDOW seconds are taken for an overall flood and pause every send. Per-chat floods
# hit a few chats now and then (2% of chats at 28/s: three in a second about once in 16 s,
# five about once in 13 min), while an overall flood refuses every chat the workers try.
FLOOD_CHATS = 5
FLOOD_WINDOW = 1.0
# The share of the shortest round trip that counts as the floor of every round trip (see
# Pacer): the rest covers a request that happens to be faster on one leg than any yet.
FLOOR_SHARE = 0.75
DISTRUST_SECONDS = 60.0  # after a 429 to a send the floor let through, count from answers


class Slot:
    """One granted send and the moment it counts against the limits.

    Telegram counts a message when the request reaches it, somewhere between the grant and
    the answer. Once answered, a slot counts from its answer less the pacer's *floor* (a
    share of the shortest round trip seen, see :class:`Pacer`): every request spends at
    least that long on the way to Telegram and back, so no send paced from there can land
    within a second of this one. A failed request counts from when it failed; one still in
    flight, from its grant (as before it counted from its answer: a round trip longer than
    the window itself is left to the 429 it may meet)."""

    __slots__ = ("_pacer", "answered", "charged", "early", "granted", "returned")

    def __init__(self, granted: float, pacer: Pacer) -> None:
        self.granted = granted
        self.returned: float | None = None  # when its request was over
        self.answered = False  # whether Telegram answered it
        self._pacer = pacer
        # A paid send beyond the free 30 in its second: Telegram charges it 0.1 Star.
        self.charged = False
        # Granted only thanks to the floor: a 429 to it means the floor is not to be trusted.
        self.early = False

    def begin(self) -> None:
        """The request starts only now, after waiting elsewhere since the grant (for the
        budget shared with other instances): its round trip, and its count while in
        flight, run from here. A round trip counted from the grant would hold that wait,
        and the floor learnt from it (see :class:`Pacer`) could exceed a real one."""
        self.granted = self._pacer.monotonic()

    def finish(self, *, answered: bool = True) -> None:
        """The request is over: Telegram ``answered`` it (a round trip to learn from and to
        count back from), or it failed or never went (it counts from now)."""
        self._pacer.finished(self, answered=answered)

    def __enter__(self) -> Slot:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """Finish the slot as the request ends: answered unless it raised (an error is no
        round trip to learn from: it may never have left)."""
        self.finish(answered=kind is None)


class Pacer:
    """Spaces sends so that Telegram never has to say 429.

    Limits: at most ``rate_per_second`` sends in any sliding second overall (a whole
    number of sends; below 1, one send per ``1/rate`` seconds), at least ``chat_interval``
    seconds between two sends to one chat, at most ``group_per_minute`` sends to one group
    (chat id < 0) in any sliding minute; nothing to a chat Telegram asked to wait
    (:meth:`flood`), and nothing at all during a :meth:`pause`.

    A slot is recorded the moment it is granted, so concurrent callers each get their own,
    and counts from when Telegram may have counted it, which the pacer learns from the
    round trips (``Slot.finish()``). Telegram counts a message when the request reaches it;
    the pacer knows only when it sent the request and when the answer came back. Counting
    from the answer is always safe, but stretches every window by a round trip (a paid
    second of 1,000 sends by 50 ms and more). Every round trip, though, contains a part
    that no request skips, on the way there and back: the *floor*, taken as
    ``FLOOR_SHARE`` of the shortest round trip seen. A send granted a second after another's
    answer less the floor reaches Telegram at least ``floor`` later than that answer less
    its own return, so at least a second after the other arrived, however the rest of
    either round trip spread (a request that waited in the client, or in a busy server,
    simply came back later). Until a round trip is known the floor is 0; a 429 to a send
    that only the floor let through (``Slot.early``) sets it to 0 for
    ``DISTRUST_SECONDS``, after which it is learnt afresh.
    Time and sleep are injected: tests run on a fake timeline and never really wait.

    Interactive traffic (``reply=True``: what answers a person's own action) comes first:
    a reply waiting for the overall budget alone has first claim on the next free slot,
    and bulk sends yield while one waits, so a reply waits at most one slot however busy
    the outbox is, and the total stays within the overall limit. An edit answering a
    person (``overall=False``) is held to its chat's limits only: Telegram counts edits
    per chat, and the overall ~30/s is about new messages to many users (see
    docs/reliability.md, "What counts toward which limit").
    """

    def __init__(
        self,
        *,
        rate_per_second: float,
        chat_interval: float,
        group_per_minute: int,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        enabled: bool = True,
        flood_chats: int = FLOOD_CHATS,
        flood_window: float = FLOOD_WINDOW,
        paid_rate_per_second: int = 0,
    ) -> None:
        """``flood_chats`` and ``flood_window``: see :meth:`flood` (``flood_chats=1`` is the
        old rule, every 429 pauses everything; the benchmark compares the two).
        ``paid_rate_per_second``: the overall limit of paid broadcasts (0: none), see
        :meth:`take`."""
        if rate_per_second <= 0 or chat_interval < 0 or group_per_minute < 1:
            raise ValueError("rate and group limit must be positive, interval not negative")
        if flood_chats < 1 or flood_window < 0:
            raise ValueError("flood_chats must be positive, flood_window not negative")
        self.monotonic = monotonic
        self.sleep = sleep
        self.enabled = enabled
        self.chat_interval = chat_interval
        self._window_sends = max(1, math.floor(rate_per_second))
        self._window = max(1.0, 1.0 / rate_per_second)
        self._group_limit = group_per_minute
        self._recent: list[Slot] = []
        self._last_in_chat: dict[int, Slot] = {}
        self._group_recent: dict[int, list[Slot]] = {}
        self._paused_until = -math.inf
        self._held_until: dict[int, float] = {}  # chats that answered 429
        self._floods: deque[tuple[float, int]] = deque()  # (when, chat) of recent 429s
        self._flood_chats = flood_chats
        self._flood_window = flood_window
        self._granted = 0
        # The shortest round trip of the slots granted since _learn_from (see the class).
        self._shortest = math.inf
        self._learn_from = -math.inf
        # Paid broadcasts: every send while they are on, in grant order, within the paid
        # rate; and the sends of the current second (from its first send), of which the
        # first 30 are free and the rest charged.
        self._paid_sends = paid_rate_per_second
        self._paid_recent: deque[Slot] = deque()
        self._second_ends = -math.inf
        self._second_sends = 0
        # Replies waiting now for the overall budget alone: bulk sends yield to them.
        self._claims = 0

    @classmethod
    def from_settings(
        cls,
        settings: DeliverySettings,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        flood_chats: int = FLOOD_CHATS,
    ) -> Pacer:
        return cls(
            rate_per_second=settings.rate_per_second,
            chat_interval=settings.private_chat_interval,
            group_per_minute=settings.group_per_minute,
            monotonic=monotonic,
            sleep=sleep,
            flood_chats=flood_chats,
            paid_rate_per_second=settings.paid_rate_per_second if settings.paid_broadcast else 0,
        )

    @classmethod
    def unlimited(cls, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> Pacer:
        """Grants every slot at once and ignores pauses: for tests and benchmarks that
        measure everything but Telegram's limits. ``sleep`` still serves whoever waits out
        a 429 (a reply, see bot/delivery/reply_pacing.py)."""
        return cls(
            rate_per_second=30, chat_interval=0, group_per_minute=20, sleep=sleep, enabled=False
        )

    async def acquire(
        self, chat_id: int, *, reply: bool = False, overall: bool = True, paid: bool = False
    ) -> Slot:
        """Wait until a send to ``chat_id`` is allowed, and take that slot; call its
        ``finish()`` when the send returns (or use it as a context manager around the
        request). See :meth:`take` for ``reply``, ``overall`` and
        ``paid``."""
        while isinstance(
            taken := self.take(chat_id, reply=reply, overall=overall, paid=paid), float
        ):
            # A reply that waits only for the overall budget claims the next free slot.
            now = self.monotonic()
            ready = self._chat_delay(chat_id, now, self.floor, reply=True) <= 0
            claims = int(reply and overall and ready)
            self._claims += claims
            try:
                await self.sleep(taken)
            finally:
                self._claims -= claims
        return taken

    def try_acquire(self, chat_id: int) -> float:
        """Take a slot if one is free now and return 0, else return seconds to wait."""
        taken = self.take(chat_id)
        return taken if isinstance(taken, float) else 0.0

    def take(
        self, chat_id: int, *, reply: bool = False, overall: bool = True, paid: bool = False
    ) -> Slot | float:
        """The slot if one is free now, else the seconds to wait.

        A ``reply`` answers what a person just did: it keeps the overall and group limits
        but not the interval between two messages to one person (Telegram allows short
        bursts there, and a conversation often edits one message and sends the next); a
        chat Telegram asked to wait waits for a reply too. A bulk send (not ``reply``)
        yields while a reply waits for the overall budget (see :meth:`acquire`).
        ``overall=False`` (an edit) leaves the overall limit out: its slot binds only its
        chat and group.

        A ``paid`` send (``allow_paid_broadcast``) keeps the chat's limits but takes the
        paid rate instead of the free one; free sends count towards the paid rate too, so
        that all together stay within it, and keep their own rate besides. A paid send
        does not yield to waiting replies: it takes nothing from the free budget they wait
        for."""
        now = self.monotonic()
        if not self.enabled:
            return Slot(now, self)
        paid = paid and self._paid_sends > 0
        floor = self.floor
        delay = self._delay(chat_id, now, floor, reply=reply, overall=overall, paid=paid)
        if delay > 0:
            return delay
        slot = Slot(now, self)
        slot.early = floor > 0 and (
            self._delay(chat_id, now, 0.0, reply=reply, overall=overall, paid=paid) > 0
        )
        if overall and self._paid_sends:
            self._count_paid(slot, now, paid)
        if overall and not paid:
            self._record(self._recent, slot, self._window_sends, floor)
        self._last_in_chat[chat_id] = slot
        if chat_id < 0:
            group = self._group_recent.setdefault(chat_id, [])
            self._record(group, slot, self._group_limit, floor)
        self._granted += 1
        if self._granted % 4096 == 0:
            self._forget(now)
        return slot

    def chat_ready_in(self, chat_id: int) -> float:
        """Seconds until ``chat_id``'s own limits allow a send (0 if they do now)."""
        if not self.enabled:
            return 0.0
        return max(0.0, self._chat_delay(chat_id, self.monotonic(), self.floor))

    @property
    def floor(self) -> float:
        """Seconds of every round trip counted as spent outside Telegram's count (see the
        class): ``FLOOR_SHARE`` of the shortest round trip learnt, 0 before the first."""
        shortest = self._shortest
        return 0.0 if shortest == math.inf else FLOOR_SHARE * shortest

    def finished(self, slot: Slot, *, answered: bool) -> None:
        """``slot``'s request is over (see ``Slot.finish``): learn its round trip."""
        now = self.monotonic()
        slot.returned, slot.answered = now, answered
        if answered and slot.granted >= self._learn_from:
            self._shortest = min(self._shortest, now - slot.granted)

    def hold(self, chat_id: int, seconds: float) -> None:
        """Send nothing to ``chat_id`` for ``seconds``: another instance sent to it (the
        store's word, see DeliveryEngine._claim), which this pacer never saw."""
        if self.enabled and seconds > 0:
            until = self.monotonic() + seconds
            self._held_until[chat_id] = max(self._held_until.get(chat_id, -math.inf), until)

    def pause(self, seconds: float) -> None:
        """Hold every send for ``seconds``."""
        if self.enabled and seconds > 0:
            self._paused_until = max(self._paused_until, self.monotonic() + seconds)

    def flood(self, chat_id: int, seconds: float, slot: Slot | None = None) -> bool:
        """Telegram answered a request to ``chat_id`` with 429 and ``retry_after=seconds``:
        hold that chat back for ``seconds``. If 429s came from ``flood_chats`` different
        chats within ``flood_window`` seconds (or the request named no chat: ``chat_id``
        0), the flood is the bot's, not the chat's: pause every send and return True.
        When ``slot`` (the request's) went early, stop trusting the floor for a while."""
        if not self.enabled or seconds <= 0:
            return False
        now = self.monotonic()
        if slot is not None and slot.early:
            log.warning(
                "flood control: a 429 to a send paced from the shortest round trip;"
                " counting every send from its answer for %.0f s",
                DISTRUST_SECONDS,
            )
            self._shortest, self._learn_from = math.inf, now + DISTRUST_SECONDS
        if chat_id == 0:
            self.pause(seconds)
            return True
        self._held_until[chat_id] = max(self._held_until.get(chat_id, -math.inf), now + seconds)
        floods = self._floods
        floods.append((now, chat_id))
        while floods and floods[0][0] <= now - self._flood_window:
            floods.popleft()
        if len({chat for _, chat in floods}) < self._flood_chats:
            return False
        self.pause(seconds)
        return True

    def _delay(
        self, chat_id: int, now: float, floor: float, *, reply: bool, overall: bool, paid: bool
    ) -> float:
        """Seconds until this send may go (0 or less: now), counting slots with ``floor``."""
        delay = max(self._paused_until - now, self._chat_delay(chat_id, now, floor, reply=reply))
        if overall:
            if self._paid_sends:
                delay = max(delay, self._paid_delay(now, floor))
            if not paid:
                delay = max(delay, self._global_delay(now, floor))
                if self._claims and not reply:
                    # Yield one slot's time; the waiting reply takes the slot meanwhile.
                    delay = max(delay, self._window / self._window_sends)
        return delay

    def _global_delay(self, now: float, floor: float) -> float:
        if len(self._recent) < self._window_sends:
            return 0.0
        return _earliest(self._recent, floor) + self._window - now

    def _paid_delay(self, now: float, floor: float) -> float:
        # The earliest granted send stands for the window's oldest: at a thousand sends a
        # second a search would cost more than the send, and a send that came back late
        # only makes the wait longer, never too short.
        if len(self._paid_recent) < self._paid_sends:
            return 0.0
        return _counts_from(self._paid_recent[0], floor) + 1.0 - now

    def _count_paid(self, slot: Slot, now: float, paid: bool) -> None:
        """Record a send within the paid rate; a paid one is charged when the free 30 of
        its second are used up (seconds counted from their first send, as the composer's
        estimate counts them: a sliding second would charge every send past the 30th
        once the rate is above 30/s)."""
        recent = self._paid_recent
        if len(recent) >= self._paid_sends:
            recent.popleft()
        recent.append(slot)
        if now >= self._second_ends:
            self._second_ends, self._second_sends = now + 1.0, 0
        slot.charged = paid and self._second_sends >= FREE_PER_SECOND
        self._second_sends += 1

    def _chat_delay(self, chat_id: int, now: float, floor: float, *, reply: bool = False) -> float:
        delay = self._held_until.get(chat_id, -math.inf) - now
        last = self._last_in_chat.get(chat_id)
        if last is not None and not (reply and chat_id >= 0):
            delay = max(delay, _counts_from(last, floor) + self.chat_interval - now)
        group = self._group_recent.get(chat_id)
        if group is not None and len(group) >= self._group_limit:
            delay = max(delay, _earliest(group, floor) + 60.0 - now)
        return delay

    def _forget(self, now: float) -> None:
        """Drop chats whose limits no longer bind, so memory follows recent activity."""
        floor = self.floor
        self._last_in_chat = {
            c: s
            for c, s in self._last_in_chat.items()
            if _counts_from(s, floor) + self.chat_interval > now
        }
        self._group_recent = {
            c: g
            for c, g in self._group_recent.items()
            if max(_counts_from(s, floor) for s in g) + 60.0 > now
        }
        self._held_until = {c: t for c, t in self._held_until.items() if t > now}

    @staticmethod
    def _record(window: list[Slot], slot: Slot, size: int, floor: float) -> None:
        """Add ``slot`` to a window of the last ``size`` sends, dropping the one that left
        the window first (the earliest to count, not necessarily the earliest granted)."""
        if len(window) >= size:
            window.remove(min(window, key=lambda s: _counts_from(s, floor)))
        window.append(slot)


def _counts_from(slot: Slot, floor: float) -> float:
    """When ``slot`` counts against the limits (see :class:`Slot`), with ``floor``."""
    if slot.returned is None:  # in flight: from its grant, as before it was learnt
        return slot.granted
    return max(slot.granted, slot.returned - floor) if slot.answered else slot.returned


def _earliest(slots: list[Slot], floor: float) -> float:
    return min(_counts_from(slot, floor) for slot in slots)
