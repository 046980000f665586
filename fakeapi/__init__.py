"""In-process fake Telegram Bot API for driving the real PTB ``Application`` in tests."""

from fakeapi.core import (
    ApiCall,
    ApiError,
    CallbackAnswer,
    FakeBotApi,
    SentMessage,
    UploadedFile,
    decode_params,
)
from fakeapi.driver import ChatDriver, Replies
from fakeapi.people import FakeUser
from fakeapi.request import FakeRequest
from fakeapi.server import BotApiServer

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiServer",
    "CallbackAnswer",
    "ChatDriver",
    "FakeBotApi",
    "FakeRequest",
    "FakeUser",
    "Replies",
    "SentMessage",
    "UploadedFile",
    "decode_params",
]
