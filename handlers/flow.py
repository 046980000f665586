"""What every multi-step conversation shares: its draft in ``user_data`` (persisted, so a
half-finished flow survives a restart) and its Back / Cancel buttons."""

from __future__ import annotations

from typing import Any

from telegram.ext import ConversationHandler

from handlers.common import MusterContext, Reply


class Flow:
    def __init__(self, key: str, prefix: str) -> None:
        self.key = key  # where the draft lives in user_data
        self.prefix = prefix  # callback data prefix: "<prefix>:b" is Back, "<prefix>:x" Cancel

    def draft(self, context: MusterContext) -> dict[str, Any]:
        assert context.user_data is not None
        draft: dict[str, Any] = context.user_data.setdefault(self.key, {})
        return draft

    def end(self, context: MusterContext) -> int:
        if context.user_data is not None:
            context.user_data.pop(self.key, None)
        return ConversationHandler.END

    def controls(self, reply: Reply, back: bool = True) -> list[tuple[str, str]]:
        row = [(reply.t("button-back"), f"{self.prefix}:b")] if back else []
        return [*row, (reply.t("button-cancel"), f"{self.prefix}:x")]

    @property
    def back_pattern(self) -> str:
        return rf"^{self.prefix}:b$"

    @property
    def cancel_pattern(self) -> str:
        return rf"^{self.prefix}:x$"
