"""Asking a configured form one question at a time, inside a flow: buttons for choices, a
typed number, text, location or photo otherwise, each answer checked by
``bot.kit.forms.check_answer`` and re-asked with the reason when it is wrong. Used by the daily
check-in and the end-of-duty report; each owns what happens once every question is
answered (``finish``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.kit import forms
from bot.kit.callbacks import Index, Payload, Slug
from bot.kit.forms import AnswerError, check_answer
from bot.kit.i18n import Html
from bot.kit.questions import CHOICE_KINDS, Kind, Question, Text
from handlers.kit.common import PRIVATE, MusterContext, Reply
from handlers.kit.flow import DraftFlow

# reason -> the message saying what is wrong, with what the person can do
ERRORS = {
    "required": "form-error-required",
    "unknown_choice": "form-error-choice",
    "not_a_number": "form-error-number",
    "out_of_range": "form-error-range",
    "too_long": "form-error-too-long",
    "expected_text": "form-error-text",
    "expected_location": "form-error-location",
    "expected_photo": "form-error-photo",
}
_HINTS = {
    Kind.SINGLE_CHOICE: "form-hint-single",
    Kind.MULTIPLE_CHOICE: "form-hint-multi",
    Kind.NUMBER: "form-hint-number",
    Kind.TEXT: "form-hint-text",
    Kind.LOCATION: "form-hint-location",
    Kind.PHOTO: "form-hint-photo",
}
# Something sent that is not the kind of answer asked for (a photo for a number …).
_NOT_AN_ANSWER = object()

Questions = Callable[[MusterContext], Sequence[Question]]
Finish = Callable[[Reply, bool], Awaitable[int]]  # (reply, new message?) -> next state
Guard = Callable[[Reply], Awaitable[int | None]]  # a state to go to instead, or None


class Choose(Payload):
    """Template: a single choice (``<family>:c:<question>:<choice>``)."""

    index: Index
    choice: Slug


class Toggle(Payload):
    """Template: a multiple choice ticked or unticked (``<family>:m:…``)."""

    index: Index
    choice: Slug


class Done(Payload):
    """Template: a multiple choice finished (``<family>:d:<question>``)."""

    index: Index


class Skip(Payload):
    """Template: an optional question skipped (``<family>:s:<question>``)."""

    index: Index


def error_args(details: dict[str, Any]) -> dict[str, Any]:
    """An AnswerError's details as its message takes them: "—" for an open bound, and the
    unit with its leading space (so a number without one reads "0 to 10.")."""
    args = {k: ("—" if v is None else v) for k, v in details.items()}
    if args.get("unit"):
        args["unit"] = f" {args['unit']}"
    return args


def text_in(reply: Reply, text: Text) -> str:
    """A bilingual configured text in the person's language."""
    return forms.text_in(reply.language, text)


@dataclass
class FormDraft:
    """The ``FormWalker``'s part of a flow's draft, so a form half filled survives a
    restart."""

    i: int = 0  # the question being asked
    answers: dict[str, Any] = field(default_factory=dict)  # by question id
    picked: list[str] = field(default_factory=list)  # a multiple choice in progress


F = TypeVar("F", bound=FormDraft)


class FormWalker(Generic[F]):
    """Asks a form's questions one by one, in the flow's draft (a ``FormDraft``)."""

    def __init__(
        self,
        flow: DraftFlow[F],
        state: int,
        questions: Questions,
        title: str,
        finish: Finish,
        guard: Guard | None = None,
    ) -> None:
        self.flow = flow
        # The form's buttons, in the flow's family. Each carries its question's number.
        self.choose = flow.family.adopt(Choose, "c")
        self.toggle = flow.family.adopt(Toggle, "m")
        self.done_button = flow.family.adopt(Done, "d")
        self.skip = flow.family.adopt(Skip, "s")
        self.state = state  # the conversation state in which questions are answered
        self.questions = questions
        self.title = title  # message id; gets number, total, prompt and hint
        self.finish = finish
        self.guard = guard  # runs before each answer is taken (a day turned, a form changed)

    def start(self, context: MusterContext, answers: dict[str, Any] | None = None) -> None:
        draft = self.flow.state(context)
        draft.i, draft.answers, draft.picked = 0, dict(answers or {}), []

    async def again(self, update: Update, context: MusterContext) -> int:
        """A "Change it" button: the form from its first question, the answers kept."""
        reply = await Reply.to(update, context)
        await reply.toast("")
        self.flow.state(context).i = 0
        return await self.ask(reply, new=False)

    async def restart(self, update: Update, context: MusterContext) -> int:
        """A "Start over" button: the form from its first question, the answers gone."""
        reply = await Reply.to(update, context)
        await reply.toast("")
        self.start(context)
        return await self.ask(reply, new=False)

    async def confirm(
        self, reply: Reply, new: bool, key: str, submit: tuple[str, str], restart: tuple[str, str]
    ) -> None:
        """The answers to submit (message ``key``), with the Submit and Start over buttons
        given as (label key, callback data), and Cancel."""
        rows: list[list[tuple[str, str]]] = [
            [(reply.t(submit[0]), submit[1])],
            [(reply.t(restart[0]), restart[1]), *self.flow.controls(reply, back=False)],
        ]
        summary = self.summary(reply, self.answers(reply.context))
        await reply.show_text(reply.t(key, summary=summary), rows, new=new)

    async def answer_refused(
        self, reply: Reply, reason: str, details: dict[str, Any]
    ) -> int | None:
        """At submit, an answer the service refused (the form changed under it): say why
        and ask the form again from the first question; None for any other reason."""
        if reason not in ERRORS:
            return None
        await reply.send(ERRORS[reason], **error_args(details))
        self.flow.state(reply.context).i = 0
        return await self.ask(reply, new=True)

    def answers(self, context: MusterContext) -> dict[str, Any]:
        return self.flow.state(context).answers

    def summary(self, reply: Reply, answers: dict[str, Any]) -> Html:
        services = reply.context.services
        questions = self.questions(reply.context)
        return forms.answers_summary(services.i18n, reply.language, questions, answers)

    def _current(self, context: MusterContext) -> Question | None:
        questions = self.questions(context)
        index = self.flow.state(context).i
        return questions[index] if index < len(questions) else None

    async def ask(self, reply: Reply, *, new: bool) -> int:
        context = reply.context
        question = self._current(context)
        if question is None:
            return await self.finish(reply, new)
        draft = self.flow.state(context)
        # Buttons carry their question's number: a double tap lands on the next question
        # and must not answer it.
        index = draft.i
        rows: list[list[tuple[str, str]]] = []
        if question.kind is Kind.SINGLE_CHOICE:
            rows += [
                [(text_in(reply, c.label), self.choose(index, c.id).pack())]
                for c in question.choices
            ]
        elif question.kind is Kind.MULTIPLE_CHOICE:
            picked = set(draft.picked)
            rows += [
                [
                    (
                        ("☑ " if c.id in picked else "☐ ") + text_in(reply, c.label),
                        self.toggle(index, c.id).pack(),
                    )
                ]
                for c in question.choices
            ]
            rows.append([(reply.label("form-done"), self.done_button(index).pack())])
        skip = (
            [(reply.label("form-skip"), self.skip(index).pack())] if not question.required else []
        )
        rows.append([*skip, *self.flow.controls(reply, back=False)])
        hint = reply.t(
            _HINTS[question.kind],
            min=question.min if question.min is not None else "—",
            max=question.max if question.max is not None else "—",
            unit=f" {question.unit}" if question.unit else "",
        )
        text = reply.t(
            self.title,
            number=index + 1,
            total=len(self.questions(context)),
            prompt=text_in(reply, question.prompt),
            hint=hint,
        )
        await reply.show_text(text, rows, new=new)
        return self.state

    async def take(self, reply: Reply, raw: Any) -> int:
        """Check one answer; on to the next question, or say what was wrong and ask again."""
        context = reply.context
        new = reply.update.callback_query is None
        if self.guard is not None:
            instead = await self.guard(reply)
            if instead is not None:
                return instead
        question = self._current(context)
        if question is None:
            return await self.finish(reply, new)
        try:
            # _NOT_AN_ANSWER fails every kind's check with that kind's own reason.
            value = check_answer(question, raw)
        except AnswerError as exc:
            await reply.send(ERRORS[exc.reason], **error_args(exc.details))
            return self.state
        draft = self.flow.state(context)
        draft.answers[question.id] = value
        draft.i += 1
        draft.picked = []
        return await self.ask(reply, new=new)

    async def _stale(self, reply: Reply, pressed: Choose | Toggle | Done | Skip) -> bool:
        """A button from a question already answered (a double tap, an old message)."""
        if pressed.index != self.flow.state(reply.context).i:
            await reply.toast("button-stale")
            return True
        await reply.toast("")
        return False

    async def chosen(self, update: Update, context: MusterContext) -> int:
        reply = await Reply.to(update, context)
        pressed = reply.pressed(self.choose)
        if await self._stale(reply, pressed):
            return self.state
        return await self.take(reply, pressed.choice)

    async def toggled(self, update: Update, context: MusterContext) -> int:
        reply = await Reply.to(update, context)
        pressed = reply.pressed(self.toggle)
        if await self._stale(reply, pressed):
            return self.state
        picked = self.flow.state(context).picked
        if pressed.choice in picked:
            picked.remove(pressed.choice)
        else:
            picked.append(pressed.choice)
        return await self.ask(reply, new=False)

    async def done(self, update: Update, context: MusterContext) -> int:
        reply = await Reply.to(update, context)
        if await self._stale(reply, reply.pressed(self.done_button)):
            return self.state
        return await self.take(reply, list(self.flow.state(context).picked))

    async def skipped(self, update: Update, context: MusterContext) -> int:
        reply = await Reply.to(update, context)
        if await self._stale(reply, reply.pressed(self.skip)):
            return self.state
        return await self.take(reply, None)

    async def typed(self, update: Update, context: MusterContext) -> int:
        reply = await Reply.to(update, context)
        question = self._current(context)
        if question is not None and question.kind in CHOICE_KINDS:
            await reply.send("use-buttons")
            return self.state
        message = update.message
        assert message is not None
        raw: Any = _NOT_AN_ANSWER
        if question is not None and question.kind is Kind.LOCATION:
            if message.location is not None:
                raw = {"lat": message.location.latitude, "lon": message.location.longitude}
        elif question is not None and question.kind is Kind.PHOTO:
            if message.photo:
                raw = message.photo[-1].file_id
        elif message.text is not None:
            raw = message.text
        return await self.take(reply, raw)

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        """The handlers of the answering state."""
        answers = PRIVATE & (filters.TEXT | filters.LOCATION | filters.PHOTO) & ~filters.COMMAND
        return [
            CallbackQueryHandler(self.chosen, pattern=self.choose.pattern),
            CallbackQueryHandler(self.toggled, pattern=self.toggle.pattern),
            CallbackQueryHandler(self.done, pattern=self.done_button.pattern),
            CallbackQueryHandler(self.skipped, pattern=self.skip.pattern),
            MessageHandler(answers, self.typed),
        ]
