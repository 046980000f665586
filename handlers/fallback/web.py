"""The web side of the fallback: the page behind an email's acknowledge link (GET shows
it, POST records the acknowledgement or the chosen answer, once) and the gateway's inbound
replies (``POST /fallback/gateway/inbound``, signed like the messages it is sent)."""

from __future__ import annotations

import html
import json
import logging

from aiohttp import web

from bot.delivery.channels.gateway import SIGNATURE_HEADER, signed
from bot.fallback.links import ACK_PATH, LinkProblem
from bot.fallback.render import plain_text
from bot.fallback.service import AckStatus, Pending
from bot.kit.i18n import Translator
from bot.services import Services

log = logging.getLogger(__name__)
INBOUND_PATH = "/fallback/gateway/inbound"
# Each outcome: the page's HTTP status and words, and the words of a reply by SMS.
_OUTCOMES = {
    AckStatus.RECORDED: (200, "fallback-page-recorded", "fallback-sms-recorded"),
    AckStatus.ALREADY: (409, "fallback-page-already", "fallback-sms-already"),
    AckStatus.WITHDRAWN: (410, "fallback-page-withdrawn", "fallback-sms-withdrawn"),
    AckStatus.LATE: (410, "fallback-page-late", "fallback-sms-late"),
    AckStatus.NO_SUCH_CHOICE: (400, "fallback-page-no-such-choice", "fallback-sms-no-such-choice"),
    AckStatus.REFUSED: (403, "fallback-page-refused", "fallback-sms-refused"),
}


def _page(language: str, body: str, status: int = 200) -> web.Response:
    document = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex"><title>Muster</title></head>'
        f'<body style="font-family:sans-serif;max-width:40em;margin:1em auto;padding:0 1em">'
        f"{body}</body></html>"
    )
    return web.Response(text=document, status=status, content_type="text/html")


class FallbackWeb:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.fallback = services.fallback
        self.i18n: Translator = services.i18n

    def routes(self) -> list[web.RouteDef]:
        routes = [web.post(INBOUND_PATH, self.inbound)] if self.fallback.settings.gateway else []
        if self.fallback.settings.link_secret is not None:
            routes += [
                web.get(ACK_PATH + "{token}", self.show),
                web.post(ACK_PATH + "{token}", self.ack),
            ]
        return routes

    def _language(self, pending: Pending | None) -> str:
        return self.i18n.language(pending.recipient.language if pending else None)

    def _outcome(self, status: AckStatus, pending: Pending | None) -> web.Response:
        language = self._language(pending)
        code, key, _ = _OUTCOMES[status]
        return _page(language, f"<p>{self.i18n.t(language, key)}</p>", code)

    async def show(self, request: web.Request) -> web.Response:
        opened = await self.fallback.opened(request.match_info["token"])
        if isinstance(opened, LinkProblem):
            return self._outcome(AckStatus.REFUSED, None)
        if isinstance(opened, AckStatus):
            return self._outcome(opened, None)
        i18n, language = self.i18n, self._language(opened)
        heading = i18n.t(language, "fallback-page-heading", unit=opened.origin)
        text = html.escape(plain_text(opened.directive.text)).replace("\n", "<br>")
        if opened.question is None:
            buttons = f'<button type="submit">{i18n.t(language, "fallback-page-ack")}</button>'
        else:
            buttons = "".join(
                f'<p><button type="submit" name="choice" value="{n}">'
                f"{html.escape(choice.label)}</button></p>"
                for n, choice in enumerate(opened.question.choices)
            )
        return _page(
            language,
            f"<h1>{heading}</h1><p>{text}</p><form method=post>{buttons}</form>",
        )

    async def ack(self, request: web.Request) -> web.Response:
        form = await request.post()
        given = form.get("choice")
        choice = int(given) if isinstance(given, str) and given.isdigit() else None
        status, pending = await self.fallback.by_link(request.match_info["token"], choice)
        return self._outcome(status, pending)

    async def inbound(self, request: web.Request) -> web.Response:
        """A reply the gateway received: ``{"from": "+86…", "text": "4821 2"}``."""
        gateway = self.fallback.settings.gateway
        assert gateway is not None
        body = await request.read()
        secret = gateway.secret.get_secret_value().encode()
        if not signed(secret, body, request.headers.get(SIGNATURE_HEADER, "")):
            log.warning("gateway reply without the right signature from %s", request.remote)
            return web.json_response({"status": "forbidden"}, status=403)
        try:
            fields = json.loads(body)
            phone, text = str(fields["from"]), str(fields["text"])
        except (ValueError, KeyError, TypeError):
            return web.json_response({"status": "not a reply"}, status=400)
        status, pending = await self.fallback.by_reply(phone, text)
        language = self._language(pending)
        # What the gateway may send back to the person, in their language.
        reply = self.i18n.plain(language, _OUTCOMES[status][2])
        return web.json_response({"status": status.value, "reply": reply})
