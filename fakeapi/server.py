"""Serves a :class:`FakeBotApi` over real HTTP, for end-to-end tests and the demo.

PTB talks to it through a real transport (Muster's ``AiohttpRequest``, or PTB's HTTPX) via
``ApplicationBuilder().base_url(...)``, so the wire format (form, multipart, JSON bodies,
status codes) is exercised too.
"""

from __future__ import annotations

from types import TracebackType

from aiohttp import web

from fakeapi.core import JSON, FakeBotApi, UploadedFile, decode_params, split_api_path

_MAX_UPLOAD = 50 * 1024 * 1024  # the Bot API's own upload limit


def _error(status: int, description: str) -> web.Response:
    body: JSON = {"ok": False, "error_code": status, "description": description}
    return web.json_response(body, status=status)


class BotApiServer:
    """``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` on 127.0.0.1."""

    def __init__(self, api: FakeBotApi, token: str, *, host: str = "127.0.0.1") -> None:
        self.api = api
        self.token = token
        self.host = host
        self.port = 0
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """What ``ApplicationBuilder().base_url()`` takes (PTB appends the token)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self, port: int = 0) -> None:
        """Bind (port 0: an ephemeral one, see ``.port``) and start serving."""
        app = web.Application(client_max_size=_MAX_UPLOAD)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        # handler_cancellation: a client dropping a long poll must not keep stop() waiting
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        parts = split_api_path(request.path)
        if parts is None:
            return _error(404, "Not Found")
        is_file, token, name = parts
        if token != self.token:
            return _error(401, "Unauthorized")
        if is_file:
            content = self.api.file_content(name)
            return _error(404, "Not Found") if content is None else web.Response(body=content)
        fields: dict[str, object] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if request.content_type == "application/json" and request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                return _error(400, "Bad Request: can't parse JSON object")
            if not isinstance(body, dict):
                return _error(400, "Bad Request: JSON object expected")
            fields.update(body)
        elif request.can_read_body:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(value.filename, value.file.read(), value.content_type)
                else:
                    fields[key] = value.decode() if isinstance(value, bytes) else value
        status, body = await self.api.handle(name, decode_params(fields, files))
        return web.json_response(body, status=status)
