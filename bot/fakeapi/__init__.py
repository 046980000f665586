"""In-process fake Telegram Bot API for driving the real PTB ``Application`` in tests."""

from bot.fakeapi.core import (
    ApiCall,
    ApiError,
    CallbackAnswer,
    FakeBotApi,
    SentMessage,
    UploadedFile,
    decode_params,
)
from bot.fakeapi.driver import ChatDriver, Replies
from bot.fakeapi.people import FakeUser
from bot.fakeapi.request import FakeRequest
from bot.fakeapi.server import BotApiServer

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
