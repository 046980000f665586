"""The dashboard's directive view and "Remind now" on the bot's web server (issue #19).

``GET /dashboard/api/directives`` lists the person's recent directives (the chat's
``/directives`` list), ``GET /dashboard/api/directive?id=N[&unit=M]`` opens one at a unit
(``bot/dashboard/directive.py``), and ``POST /dashboard/api/directive/remind`` with
``{"directive": N, "unit": M}`` reminds that unit's silent members. Each carries the launch
data in its header (``DashboardWeb.person``: a bare 401 without it) and is checked by the
chat's own services on every request.

The POST is safe from cross-site requests without any token: nothing authenticates by
cookie; a foreign page cannot set the launch data header without a CORS preflight, which
this server never grants; and it is refused unless its body is JSON and its ``Origin``
(when the browser sends one) is this server's or the configured public address."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.dashboard.directive import Board, BoardError, BoardLine, Refusal, done
from bot.directives.headcount import tally_words
from bot.directives.render import DELIVERY_KEYS, STATE_KEYS
from bot.directives.service import Totals
from bot.kit.i18n import first_words, format_date_iso
from bot.kit.reach import entry_words
from bot.org.authz import Actor, PermissionDeniedError
from handlers.dashboard.web import DashboardWeb, level, share, unit_ref
from storage.answers import Tally
from storage.directives import Directive, Straggler
from storage.reach import EntryReach

API_DIRECTIVES = "/dashboard/api/directives"
API_DIRECTIVE = "/dashboard/api/directive"
API_REMIND = "/dashboard/api/directive/remind"
TEXT_WORDS = 200  # characters of a directive's text shown, as its chat detail
LINE_WORDS = 60  # in the list
LABELS = {
    "open": "dashboard-directives-open",
    "heading": "dashboard-directives",
    "none": "dashboard-directives-none",
    "today": "dashboard-directive-today",
    "all": "dashboard-directive-all",
    "silent": "dashboard-directive-silent",
    "none_silent": "dashboard-directive-none-silent",
    "entries": "dashboard-directive-entries",
    "remind": "watch-remind",
}
REFUSALS = {
    Refusal.UNKNOWN: (404, "dashboard-directive-unknown"),
    Refusal.WITHDRAWN: (409, "dashboard-remind-withdrawn"),
    Refusal.CLOSED: (409, "dashboard-remind-closed"),
    Refusal.NOT_NOW: (409, "dashboard-remind-not-now"),
}


def _number(value: Any) -> int | None:
    """A whole number given as a query value or in a JSON body, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


class DirectiveWeb:
    def __init__(self, pages: DashboardWeb, wake: Callable[[], None]) -> None:
        """``wake``: tells the outbox worker reminders were queued (as the chat's button)."""
        self.pages = pages
        self.wake = wake
        services = pages.services
        self.services = services
        self.i18n = services.i18n
        self.board = services.dashboard_directives

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(API_DIRECTIVES, self.pages.signed(self.recent)),
            web.get(API_DIRECTIVE, self.pages.signed(self.directive)),
            web.post(API_REMIND, self.pages.signed(self.remind)),
        ]

    def _labels(self, language: str) -> dict[str, str]:
        return {name: self.i18n.plain(language, key) for name, key in LABELS.items()}

    async def recent(self, request: web.Request, actor: Actor, language: str) -> web.Response:
        listed = await self.board.recent(actor)
        body = {
            "lang": language,
            "texts": self._labels(language),
            "directives": [self._entry(d, t, language) for d, t in listed],
        }
        return web.json_response(body, headers=self.pages.headers)

    async def directive(self, request: web.Request, actor: Actor, language: str) -> web.Response:
        directive_id = _number(request.query.get("id"))
        given = request.query.get("unit")
        unit_id = _number(given)
        if directive_id is None or (given is not None and unit_id is None):
            return self.pages.refusal(language, 404, "dashboard-directive-unknown")
        try:
            board = await self.board.board(actor, directive_id, unit_id)
        except PermissionDeniedError:
            return self.pages.refusal(language, 403, "dashboard-out-of-scope")
        except BoardError:
            return self.pages.refusal(language, 404, "dashboard-directive-unknown")
        body = self._board(board, language, self.services.clock.now())
        return web.json_response(body, headers=self.pages.headers)

    async def remind(self, request: web.Request, actor: Actor, language: str) -> web.Response:
        if request.content_type != "application/json":
            return self.pages.refusal(language, 415, "dashboard-remind-bad")
        if not self._same_origin(request):
            return self.pages.refusal(language, 403, "dashboard-remind-bad")
        try:
            asked = json.loads(await request.text())
        except ValueError:
            asked = None
        if not isinstance(asked, dict):
            return self.pages.refusal(language, 400, "dashboard-remind-bad")
        directive_id, unit_id = _number(asked.get("directive")), _number(asked.get("unit"))
        if directive_id is None or unit_id is None:
            return self.pages.refusal(language, 400, "dashboard-remind-bad")
        try:
            count = await self.board.remind(actor, directive_id, unit_id)
        except PermissionDeniedError:
            return self.pages.refusal(language, 403, "dashboard-remind-refused")
        except BoardError as refused:
            return self.pages.refusal(language, *REFUSALS[refused.refusal])
        self.wake()
        body = {
            "lang": language,
            "reminded": count,
            "message": self.i18n.plain(language, "watch-reminded", count=count),
        }
        return web.json_response(body, headers=self.pages.headers)

    def _same_origin(self, request: web.Request) -> bool:
        """No ``Origin`` (not a browser's cross-site request), or this server's, or the
        public address Telegram opens the page at (behind the reverse proxy)."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        public = urlsplit(self.services.settings.dashboard.public_url or "")
        ours = {f"{request.scheme}://{request.host}", f"{public.scheme}://{public.netloc}"}
        return origin in ours

    def _when(self, directive: Directive) -> str:
        local = directive.send_at.astimezone(self.services.settings.zone)
        return f"{format_date_iso(local)} {local:%H:%M}"

    def _entry(self, directive: Directive, totals: Totals, language: str) -> dict[str, Any]:
        """A line of the list: when, the opening words, its state, delivery and answers."""
        return {
            "id": directive.id,
            "when": self._when(directive),
            "text": first_words(directive.text, LINE_WORDS),
            "state": self.i18n.plain(language, STATE_KEYS[directive.status]),
            **self._numbers(directive, totals, language),
        }

    def _numbers(self, directive: Directive, totals: Totals, language: str) -> dict[str, Any]:
        """The chat's totals, the response rate lines are ranked by, and in words: ``Sent
        5/5 · failed 0 · unreachable 0 · to go 0 · Acknowledged 2/5 (40%)``."""
        plain = self.i18n.plain
        parts = [
            plain(
                language,
                "dashboard-directive-delivery",
                sent=totals.sent,
                total=totals.recipients,
                failed=totals.failed,
                unreachable=totals.unreachable,
                pending=totals.pending,
            )
        ]
        if totals.withdrawn:
            parts.append(plain(language, "dashboard-directive-withdrawn", count=totals.withdrawn))
        rate = share(done(directive, totals), totals.recipients)
        if directive.question is not None:
            key = "dashboard-directive-answered"
        elif directive.ack_required:
            key = "dashboard-directive-acked"
        else:
            key = ""
        if key:
            percent = round(100 * (rate or 0))
            parts.append(plain(language, key, done=totals.acked, total=totals.recipients,
                               percent=percent))  # fmt: skip
        return {
            "recipients": totals.recipients,
            "sent": totals.sent,
            "failed": totals.failed,
            "unreachable": totals.unreachable,
            "pending": totals.pending,
            "withdrawn": totals.withdrawn,
            "acked": totals.acked,
            "rate": rate,
            "level": level(rate),
            "figures": " · ".join(parts),
        }

    def _board(self, board: Board, language: str, now: datetime) -> dict[str, Any]:
        i18n = self.i18n
        directive = board.view.directive
        headcount = board.headcount

        def choices(tally: Tally | None) -> str:
            if headcount is None or tally is None:
                return ""
            return " · ".join(tally_words(i18n, language, headcount, tally))

        def line(entry: BoardLine) -> dict[str, Any]:
            name = i18n.plain(language, "dashboard-own", unit=entry.unit.name)
            return {
                **unit_ref(entry.unit),
                "name": name if entry.own else entry.unit.name,
                "own": entry.own,
                **self._numbers(directive, entry.totals, language),
                "answers": choices(entry.answers),
            }

        def silent(person: Straggler) -> dict[str, Any]:
            how = DELIVERY_KEYS.get(person.delivery or "pending", "delivery-pending")
            return {"name": person.display_name, "how": i18n.plain(language, how)}

        def entry(found: EntryReach) -> dict[str, Any]:
            telegram, how = entry_words(i18n, language, found)
            return {"name": found.name, "how": f"{telegram} · {how}"}

        local = now.astimezone(self.services.summaries.zone_of(board.unit))
        state = i18n.plain(language, STATE_KEYS[directive.status])
        if board.closed and directive.ack_deadline is not None:
            closed_at = directive.ack_deadline.astimezone(local.tzinfo)
            state += " · " + i18n.plain(
                language, "dashboard-directive-closed", time=f"{closed_at:%H:%M}"
            )
        return {
            "lang": language,
            "texts": self._labels(language),
            "updated": i18n.plain(language, "dashboard-updated", time=f"{local:%H:%M:%S}"),
            "directive": {
                "id": directive.id,
                "when": self._when(directive),
                "from": board.view.from_unit.name,
                "text": first_words(directive.text, TEXT_WORDS),
                "state": state,
                "question": directive.question is not None,
                "closed": board.closed,
            },
            "unit": unit_ref(board.unit),
            "path": self.pages.path(language, board.path),
            "total": {
                **self._numbers(directive, board.totals, language),
                "answers": choices(headcount.total if headcount else None),
            },
            "lines": [line(entry) for entry in board.lines],
            "silent": [silent(person) for person in board.silent],
            "more": (
                i18n.plain(language, "dashboard-more", count=board.silent_more)
                if board.silent_more
                else ""
            ),
            "entries": [entry(found) for found in board.entries],
            "entries_more": (
                i18n.plain(language, "dashboard-more", count=board.entries_more)
                if board.entries_more
                else ""
            ),
            "can_remind": board.can_remind,
        }
