"""The ``/directive`` flow's steps, its draft and how a step shows itself; the questions
of the text and acknowledgement steps, which the step before each asks."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram.error import TelegramError
from telegram.ext import filters

from bot.directives import buttons as b
from bot.directives.drafting import MAX_TEXT, Refusal, TargetMode
from bot.directives.questions import Choice, NumberQuestion, Question, Reason, validate
from handlers.kit.common import PRIVATE, Buttons, Reply, actor_of
from handlers.kit.flow import DraftFlow
from storage.directives import FollowUp, Target
from storage.models import AttachmentKind, Unit

TARGETS, TEXT, ACK, DEADLINE, SCHEDULE, PREVIEW = range(6)
QUESTION, CHOICE, PROMPT, BOUNDS = range(6, 10)  # answers instead of ✅ (compose/question)
KEY = "directive"
MARK = {TargetMode.ALL: "☑", TargetMode.ONE: "◉"}
ERRORS = {
    Refusal.EMPTY_TEXT: "directive-text-empty",
    Refusal.TEXT_TOO_LONG: "directive-text-too-long",
    Refusal.BAD_TIME: "directive-bad-time",
    Refusal.PAST_TIME: "directive-past-time",
    Refusal.DEADLINE_PAST: "directive-deadline-past",
    Refusal.DEADLINE_BEFORE_SEND: "directive-deadline-before-send",
    Refusal.NO_RECIPIENTS: "directive-no-recipients",
    Refusal.UNKNOWN_UNIT: "directive-not-allowed",
    Refusal.NO_SUCH_ANSWER: "follow-up-stale",
}
TEXT_INPUT = PRIVATE & filters.TEXT & ~filters.COMMAND


@dataclass
class DirectiveDraft:
    """What the author has composed so far. The field names are the keys of the dict older
    versions kept, so a draft one of them left still loads after an upgrade."""

    sel: dict[str, TargetMode] = field(default_factory=dict)  # unit id (JSON keys are str)
    page: int = 0  # of the target list
    query: str | None = None  # what the target list was searched for
    msg: int | None = None  # the flow's message: its keyboard goes when a new one is sent
    text: str = ""
    attachment: list[str | None] | None = None  # AttachmentKind, file id, name (JSON: a list)
    ack: bool = False
    ask: list[Choice] | None = None  # the question's choices; None: ✅ or nothing asked
    deadline: str | None = None  # aware ISO time
    send_at: str | None = None  # aware ISO time; None: now
    urgent: bool = False  # a paid broadcast
    edit: int | None = None  # the choice whose follow-ups are being set
    prompt: str | None = None  # its number question, before the bounds
    low: int | None = None  # the smallest number, when typed alone
    # A follow-up to those who chose an answer (compose/follow): question, choice, label.
    follow: list[int | str] | None = None

    def __post_init__(self) -> None:
        # Persistence hands back plain JSON (and older versions kept it so): typed again
        # here, a value that no longer fits raising ValueError (the draft is then stale).
        self.sel = {str(unit): TargetMode(mode) for unit, mode in self.sel.items()}
        if self.ask is not None:
            self.ask = [_choice(c) for c in self.ask]
        self.deadline_time(), self.send_time(), self.attached(), self.follow_up()

    def targets(self) -> list[Target]:
        return [Target(int(uid), mode is TargetMode.ALL) for uid, mode in self.sel.items()]

    def question(self) -> Question | None:
        """The question composed, or None when the directive asks for ✅ (or nothing)."""
        if self.ask is None:
            return None
        question, _ = validate(self.ask)
        return question

    def follow_up(self) -> FollowUp | None:
        if not self.follow:
            return None
        question, choice, _ = self.follow
        return FollowUp(int(question), int(choice))

    def follow_label(self) -> str | None:
        return str(self.follow[2]) if self.follow else None

    def attached(self) -> tuple[AttachmentKind, str, str | None] | None:
        """The photo or document: its kind, file id and file name."""
        if not self.attachment:
            return None
        kind, file_id, name = self.attachment
        if kind is None or file_id is None:
            raise ValueError(self.attachment)
        return AttachmentKind(kind), file_id, name

    def deadline_time(self) -> datetime | None:
        return datetime.fromisoformat(self.deadline) if self.deadline else None

    def send_time(self) -> datetime | None:
        return datetime.fromisoformat(self.send_at) if self.send_at else None


def _choice(stored: object) -> Choice:
    """A choice as kept in the draft: a Choice, or its fields as JSON; the number as
    ``[prompt, low, high]`` (older versions) or its fields."""
    if isinstance(stored, Choice):
        return stored
    if not isinstance(stored, dict):
        raise ValueError(stored)
    number = stored.get("number")
    return Choice(
        str(stored["label"]),
        Reason(stored.get("reason", Reason.NONE)),
        NumberQuestion(*number)
        if isinstance(number, list)
        else NumberQuestion(**number)
        if isinstance(number, dict)
        else None,
    )


FLOW = DraftFlow(KEY, b.COMPOSE, "directive-cancelled", DirectiveDraft)


async def show(reply: Reply, text: str, rows: Buttons) -> None:
    """Edit the flow's message after a button; after typed input, send a new one and take
    the keyboard off the old one."""
    draft = FLOW.state(reply.context)
    if reply.update.callback_query is not None:
        await reply.edit_text(text, rows)
        return
    old = draft.msg
    sent = await reply.send_text(text, rows)
    draft.msg = sent.message_id
    if old and old != sent.message_id:
        chat = reply.update.effective_chat
        assert chat is not None
        # Already gone or unchanged: nothing to tidy.
        with contextlib.suppress(TelegramError):
            await reply.context.bot.edit_message_reply_markup(chat.id, old, reply_markup=None)


def included_by(unit: Unit, units: dict[int, Unit], selected: dict[str, TargetMode]) -> Unit | None:
    """The selected unit above ``unit`` that takes everything below it (☑), if any."""
    for uid, mode in selected.items():
        above = units.get(int(uid))
        if (
            mode is TargetMode.ALL
            and above is not None
            and above.id != unit.id
            and above.contains(unit)
        ):
            return above
    return None


async def author_zone(reply: Reply) -> ZoneInfo:
    actor = await actor_of(reply.update, reply.context)
    return await reply.context.services.directives.author_zone(actor)


# What the first steps ask, used by the step before them too -----------------------


async def ask_text(reply: Reply) -> int:
    attachment = FLOW.state(reply.context).attachment
    key = "directive-ask-text-attached" if attachment else "directive-ask-text"
    name = (attachment or [None, None, None])[2] or ""
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
