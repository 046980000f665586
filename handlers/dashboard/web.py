"""The dashboard Mini App on the bot's web server (``app/web.py``).

``GET /dashboard/`` is the page Telegram opens and ``/dashboard/static/…`` its script and
style: they hold no data (a navigation cannot carry a header), so they are the same for
everyone. Every data request (``GET /dashboard/api/today``, ``…/duty``, ``…/trends``)
carries Telegram's signed launch data in the ``X-Telegram-Init-Data`` header (never in
the URL); without valid,
fresh data signed for this bot the answer is a bare 401. The person is taken from that
data only, and ``DashboardService`` checks their scope on every request (default deny).

Every answer is ``Cache-Control: no-store`` under a Content-Security-Policy that allows
only this server's own script, style and requests: no inline script or style at all (the
theme's colours are set through the CSSOM, which the policy does not restrict)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from importlib import resources
from typing import Any, TypeVar

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.dashboard.config import DashboardSettings
from bot.dashboard.initdata import InitDataProblem, validate
from bot.dashboard.service import Today, TodayLine
from bot.kit.i18n import LANGUAGES, format_date_iso, format_day
from bot.kit.people import language_for
from bot.org.authz import Actor, PermissionDeniedError
from bot.services import Services
from handlers.dashboard.duty import duty_answer
from handlers.dashboard.trends import trends_answer
from storage.checkins import Missing
from storage.models import Unit
from storage.summaries import DirectiveReach

log = logging.getLogger(__name__)
INIT_DATA_HEADER = "X-Telegram-Init-Data"
PAGE_PATH = "/dashboard/"
API_TODAY = "/dashboard/api/today"
API_DUTY = "/dashboard/api/duty"
API_TRENDS = "/dashboard/api/trends"
STATIC = {
    "dashboard.js": "application/javascript",
    "dashboard.css": "text/css",
    "duty.js": "application/javascript",
    "trends.js": "application/javascript",
    "directive.js": "application/javascript",  # the directive view (directive.py)
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{tiles};"
    " connect-src 'self'; base-uri 'none'; form-action 'none';"
    # Telegram's web client shows a Mini App in a frame; its apps in a web view.
    " frame-ancestors https://web.telegram.org"
)


def headers(settings: DashboardSettings) -> dict[str, str]:
    """Every answer's headers; the policy lets images come from the tile server too, when
    one is configured (``dashboard.tiles``), and from nowhere else."""
    origin = settings.tiles_origin
    return {
        "Cache-Control": "no-store, max-age=0",
        "Content-Security-Policy": CSP.format(tiles=f" {origin}" if origin else ""),
        "X-Content-Type-Options": "nosniff",
    }


# A line's colour by its check-in rate: below WARN is bad, below GOOD needs watching.
WARN, GOOD = 0.6, 0.9
# The words the page shows as they are (the rest come filled in with each answer).
LABELS = {
    "title": "dashboard-title",
    "checked_in": "dashboard-checked-in",
    "missing": "dashboard-missing",
    "acked": "dashboard-acked",
    "reach": "dashboard-reach",
    "missing_heading": "dashboard-missing-heading",
    "none_missing": "dashboard-none-missing",
    "no_directives": "dashboard-no-directives",
    "no_members": "dashboard-no-members",
    "failed": "dashboard-failed",
    "loading": "dashboard-loading",
}
# The views' tabs, as every answer names them.
TABS = {
    "today": "dashboard-tab-today",
    "duty": "dashboard-tab-duty",
    "trends": "dashboard-tab-trends",
}
T = TypeVar("T")
View = Callable[[Actor, int | None, str, datetime], Awaitable[dict[str, Any] | None]]
# A data request's answer for the person (``DashboardWeb.signed``): actor and language.
PersonView = Callable[[web.Request, Actor, str], Awaitable[web.Response]]
Handler = Callable[[web.Request], Awaitable[web.Response]]


def level(rate: float | None) -> str:
    """The colour class of a check-in rate."""
    if rate is None:
        return "none"
    return "bad" if rate < WARN else "warn" if rate < GOOD else "good"


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _reach(reach: DirectiveReach) -> dict[str, Any]:
    return {
        "recipients": reach.recipients,
        "sent": reach.sent,
        "asked": reach.asked,
        "acked": reach.acked,
        "reach_rate": share(reach.sent, reach.recipients),
        "ack_rate": share(reach.acked, reach.asked),
    }


def unit_ref(unit: Unit) -> dict[str, Any]:
    return {"id": unit.id, "name": unit.name}


class DashboardWeb:
    def __init__(self, services: Services, token: str) -> None:
        self.services = services
        self.i18n = services.i18n
        self._token = token
        self.headers = headers(services.settings.dashboard)
        self._pages = Environment(
            loader=PackageLoader("handlers.dashboard", "templates"),
            autoescape=select_autoescape(default=True),
        )

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(PAGE_PATH, self.page),
            web.get(PAGE_PATH + "static/{name}", self.static),
            web.get(API_TODAY, self.today),
            web.get(API_DUTY, self.duty),
            web.get(API_TRENDS, self.trends),
        ]

    async def page(self, request: web.Request) -> web.Response:
        """The shell the script fills in; its words load with the data, in the person's
        language, so until then (and when the launch data is refused) it says so in both."""

        def both(key: str) -> str:
            return " / ".join(self.i18n.plain(language, key) for language in LANGUAGES)

        text = self._pages.get_template("today.html").render(
            loading=both("dashboard-loading"), expired=both("dashboard-expired")
        )
        return web.Response(text=text, content_type="text/html", headers=self.headers)

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC:  # a fixed list: no path from the request reaches the disk
            raise web.HTTPNotFound(headers=self.headers)
        body = (resources.files("handlers.dashboard") / "static" / name).read_bytes()
        return web.Response(body=body, content_type=STATIC[name], headers=self.headers)

    async def today(self, request: web.Request) -> web.Response:
        return await self._serve(request, self._today_view)

    async def duty(self, request: web.Request) -> web.Response:
        return await self._serve(request, self._duty_view)

    async def trends(self, request: web.Request) -> web.Response:
        return await self._serve(request, self._trends_view)

    async def _serve(self, request: web.Request, view: View) -> web.Response:
        """A data request: the launch data checked (else a bare 401), the person and their
        language found, ``?unit=`` read; ``view`` answers, None when the unit is gone or
        there is none to show, ``PermissionDeniedError`` when it is out of scope."""
        now = self.services.clock.now()
        person = await self.person(request)
        if isinstance(person, web.Response):
            return person
        actor, language = person
        given = request.query.get("unit")
        try:
            unit_id = int(given) if given is not None else None
        except ValueError:
            return self.refusal(language, 404, "dashboard-not-found")
        try:
            found = await view(actor, unit_id, language, now)
        except PermissionDeniedError:
            return self.refusal(language, 403, "dashboard-out-of-scope")
        if found is None:
            missing = unit_id is not None
            return self.refusal(
                language, 404 if missing else 403,
                "dashboard-not-found" if missing else "dashboard-refused",
            )  # fmt: skip
        return web.json_response(found, headers=self.headers)

    async def person(self, request: web.Request) -> tuple[Actor, str] | web.Response:
        """Who is asking (from validated launch data only) and their language, or the
        bare 401 every data request without valid, fresh launch data gets."""
        services = self.services
        user = validate(
            request.headers.get(INIT_DATA_HEADER),
            self._token,
            now=services.clock.now(),
            max_age=services.settings.dashboard.max_age,
        )
        if isinstance(user, InitDataProblem):
            log.info("dashboard request refused (%s) from %s", user, request.remote)
            return web.Response(status=401, headers=self.headers)
        actor = await services.authz.actor(user.telegram_id)
        default = services.settings.organisation.default_language
        language = (
            actor.member.language if actor.member else language_for(user.language_code, default)
        )
        return actor, language

    def signed(self, view: PersonView) -> Handler:
        """``view`` for the person the request's launch data names (``person``)."""

        async def handler(request: web.Request) -> web.Response:
            person = await self.person(request)
            if isinstance(person, web.Response):
                return person
            return await view(request, *person)

        return handler

    def path(self, language: str, units: list[Unit]) -> list[dict[str, Any]]:
        """The units above the one shown, as buttons back up."""
        return [
            {**unit_ref(u), "label": self.i18n.plain(language, "dashboard-back", unit=u.name)}
            for u in units
        ]

    async def _today_view(
        self, actor: Actor, unit_id: int | None, language: str, now: datetime
    ) -> dict[str, Any] | None:
        found = await self.services.dashboard.today(actor, unit_id)
        return None if found is None else self._today(found, language, now) | self._common(language)

    async def _duty_view(
        self, actor: Actor, unit_id: int | None, language: str, now: datetime
    ) -> dict[str, Any] | None:
        tonight = self.services.dashboard.duty.tonight
        return await self._at_unit(actor, unit_id, language, now, tonight, duty_answer)

    async def _trends_view(
        self, actor: Actor, unit_id: int | None, language: str, now: datetime
    ) -> dict[str, Any] | None:
        last_days = self.services.dashboard.trends.last_days
        return await self._at_unit(actor, unit_id, language, now, last_days, trends_answer)

    async def _at_unit(
        self,
        actor: Actor,
        unit_id: int | None,
        language: str,
        now: datetime,
        read: Callable[[Actor, Unit], Awaitable[T]],
        answer: Callable[[Services, T, str, datetime], dict[str, Any]],
    ) -> dict[str, Any] | None:
        """A view of one unit (by default the first of the person's scope): ``read``
        checks the person may see it, ``answer`` words it."""
        dashboard = self.services.dashboard
        unit = await dashboard.unit_of(actor, unit_id, await dashboard.scopes(actor))
        if unit is None:
            return None
        found = await read(actor, unit)
        return answer(self.services, found, language, now) | self._common(language)

    def _common(self, language: str) -> dict[str, Any]:
        """What every view's answer carries for the page around it: the tabs' words."""
        return {
            "lang": language,
            "tabs": {k: self.i18n.plain(language, v) for k, v in TABS.items()},
        }

    def refusal(self, language: str, status: int, key: str) -> web.Response:
        body = {"lang": language, "message": self.i18n.plain(language, key)}
        return web.json_response(body, status=status, headers=self.headers)

    def _today(self, today: Today, language: str, now: datetime) -> dict[str, Any]:
        i18n = self.i18n
        local = now.astimezone(self.services.summaries.zone_of(today.unit))

        def line(entry: TodayLine) -> dict[str, Any]:
            counts = entry.counts
            name = i18n.plain(language, "dashboard-own", unit=entry.unit.name)
            return {
                **unit_ref(entry.unit),
                "name": name if entry.own else entry.unit.name,
                "own": entry.own,
                "members": counts.members,
                "expected": counts.expected,
                "checked_in": counts.checked_in,
                "missing": counts.missing,
                "rate": counts.rate,
                "level": level(counts.rate),
                "directives": _reach(entry.directives),
            }

        def missing(person: Missing) -> dict[str, Any]:
            if person.last_day is None:
                last = i18n.plain(language, "dashboard-never")
            else:
                day = format_day(person.last_day, language)
                last = i18n.plain(language, "dashboard-last-checkin", day=day)
            if person.blocked:  # how they are reached: not by the bot's messages
                last += " · " + i18n.plain(language, "dashboard-blocked")
            reach = "blocked" if person.blocked else "telegram"
            return {"name": person.display_name, "last": last, "reach": reach}

        total = today.total
        return {
            "lang": language,
            "texts": {name: i18n.plain(language, key) for name, key in LABELS.items()},
            "unit": unit_ref(today.unit),
            "day": format_date_iso(today.day),
            "updated": i18n.plain(language, "dashboard-updated", time=f"{local:%H:%M:%S}"),
            "total": {
                "members": total.members,
                "expected": total.expected,
                "checked_in": total.checked_in,
                "missing": total.missing,
                "rate": total.rate,
                "level": level(total.rate),
                "directives": _reach(today.directives),
            },
            "path": self.path(language, today.path),
            "scopes": [unit_ref(u) for u in today.scopes],
            "lines": [line(entry) for entry in today.lines],
            "missing": [missing(person) for person in today.missing],
            "more": (
                i18n.plain(language, "dashboard-more", count=today.missing_more)
                if today.missing_more
                else ""
            ),
        }
