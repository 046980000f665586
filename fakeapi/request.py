"""PTB request backend that hands every call to a :class:`FakeBotApi` in-process.

Plugged in with ``ApplicationBuilder().request(...).get_updates_request(...)`` it keeps PTB's
whole pipeline (parameter serialisation, error mapping, retries) but needs no sockets.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from telegram._utils.types import ODVInput  # the type BaseRequest.do_request is declared with
from telegram.request import BaseRequest, RequestData

from fakeapi.core import FakeBotApi, UploadedFile, decode_params, split_api_path


class FakeRequest(BaseRequest):
    def __init__(self, api: FakeBotApi, *, read_timeout: float | None = 5.0) -> None:
        self.api = api
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open: there is no connection pool."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        parts = split_api_path(urlsplit(url).path)
        if parts is None:
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        is_file, _token, name = parts
        if is_file:  # File.download_*: raw bytes, not JSON
            content = self.api.file_content(name)
            return (404, b"Not Found") if content is None else (200, content)
        fields = request_data.parameters if request_data else {}
        files = {
            part: UploadedFile(
                filename, content if isinstance(content, bytes) else content.read(), mime
            )
            for part, (filename, content, mime) in (
                request_data.multipart_data if request_data else {}
            ).items()
        }
        status, body = await self.api.handle(name, decode_params(fields, files))
        return status, json.dumps(body).encode()
