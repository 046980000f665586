"""The ``/directive`` flow's steps, its draft and how a step shows itself; the questions
of the text and acknowledgement steps, which the step before each asks."""

from __future__ import annotations

import contextlib
from typing import Any
from zoneinfo import ZoneInfo

from telegram.error import TelegramError
from telegram.ext import filters

from bot.directives import buttons as b
from bot.directives.drafting import MAX_TEXT
from bot.directives.questions import Choice, NumberQuestion, Question, Reason, validate
from handlers.kit.common import PRIVATE, Buttons, Reply, actor_of
from handlers.kit.flow import Flow
from storage.directives import Target
from storage.models import Unit

TARGETS, TEXT, ACK, DEADLINE, SCHEDULE, PREVIEW = range(6)
QUESTION, CHOICE, PROMPT, BOUNDS = range(6, 10)  # answers instead of ✅ (compose/question)
KEY = "directive"
MARK = {"all": "☑", "one": "◉"}
ERRORS = {
    "empty_text": "directive-text-empty",
    "text_too_long": "directive-text-too-long",
    "bad_time": "directive-bad-time",
    "past_time": "directive-past-time",
    "deadline_past": "directive-deadline-past",
    "deadline_before_send": "directive-deadline-before-send",
    "no_recipients": "directive-no-recipients",
    "unknown_unit": "directive-not-allowed",
    "no_such_answer": "follow-up-stale",
}
TEXT_INPUT = PRIVATE & filters.TEXT & ~filters.COMMAND


FLOW = Flow(KEY, b.COMPOSE, "directive-cancelled")


async def show(reply: Reply, text: str, rows: Buttons) -> None:
    """Edit the flow's message after a button; after typed input, send a new one and take
    the keyboard off the old one."""
    draft = FLOW.draft(reply.context)
    if reply.update.callback_query is not None:
        await reply.edit_text(text, rows)
        return
    old = draft.get("msg")
    sent = await reply.send_text(text, rows)
    draft["msg"] = sent.message_id
    if old and old != sent.message_id:
        chat = reply.update.effective_chat
        assert chat is not None
        # Already gone or unchanged: nothing to tidy.
        with contextlib.suppress(TelegramError):
            await reply.context.bot.edit_message_reply_markup(chat.id, old, reply_markup=None)


def chosen_targets(draft: dict[str, Any]) -> list[Target]:
    return [Target(int(uid), mode == "all") for uid, mode in draft.get("sel", {}).items()]


def included_by(unit: Unit, units: dict[int, Unit], selected: dict[str, str]) -> Unit | None:
    """The selected unit above ``unit`` that takes everything below it (☑), if any."""
    for uid, mode in selected.items():
        above = units.get(int(uid))
        if mode == "all" and above is not None and above.id != unit.id and above.contains(unit):
            return above
    return None


def choices_of(draft: dict[str, Any]) -> list[Choice]:
    """The choices typed so far (kept as plain JSON, so a restart mid-question keeps them)."""
    return [
        Choice(
            c["label"], Reason(c["reason"]), NumberQuestion(*c["number"]) if c["number"] else None
        )
        for c in draft.get("ask") or []
    ]


def keep_choices(draft: dict[str, Any], choices: list[Choice]) -> None:
    draft["ask"] = [
        {
            "label": c.label,
            "reason": c.reason.value,
            "number": [c.number.prompt, c.number.low, c.number.high] if c.number else None,
        }
        for c in choices
    ]


def question_of(draft: dict[str, Any]) -> Question | None:
    """The question composed, or None when the directive asks for ✅ (or nothing)."""
    if draft.get("ask") is None:
        return None
    question, _ = validate(choices_of(draft))
    return question


async def author_zone(reply: Reply) -> ZoneInfo:
    actor = await actor_of(reply.update, reply.context)
    return await reply.context.services.directives.author_zone(actor)


# What the first steps ask, used by the step before them too -----------------------


async def ask_text(reply: Reply) -> int:
    draft = FLOW.draft(reply.context)
    key = "directive-ask-text-attached" if draft.get("attachment") else "directive-ask-text"
    name = (draft.get("attachment") or [None, None, None])[2] or ""
    await show(reply, reply.t(key, limit=MAX_TEXT, name=name), [FLOW.controls(reply)])
    return TEXT


async def ask_ack(reply: Reply) -> int:
    rows: Buttons = [
        [
            (reply.t("directive-ack-yes"), b.NeedAck(True).pack()),
            (reply.t("directive-ack-no"), b.NeedAck(False).pack()),
        ],
        [(reply.t("directive-ack-answers"), b.AskAnswers().pack())],
        FLOW.controls(reply),
    ]
    await show(reply, reply.t("directive-ask-ack"), rows)
    return ACK
