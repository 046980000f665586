"""``/directive``, step 3 when members answer instead of ✅ (issue #16): the choices (the
presets in one tap, or typed one by one), then for each what follows a tap — a reason
(optional or required) and a number with its bounds.

The choices live in the draft (``DirectiveDraft.ask``, persisted, so a restart
mid-question keeps them); ``questions.py`` checks each as it is typed and words nothing
itself.
"""

from __future__ import annotations

import re

from telegram import Update

from bot.directives import buttons as b
from bot.directives.questions import (
    MAX_CHOICES,
    MAX_LABEL,
    MIN_CHOICES,
    Choice,
    NumberQuestion,
    Problem,
    ProblemKind,
    Question,
    Reason,
    check_label,
    check_number,
    presets,
)
from bot.kit.i18n import Html, join_html, join_list
from bot.kit.typed import parse_whole, typed
from handlers.directives.compose.draft import (
    BOUNDS,
    CHOICE,
    FLOW,
    PROMPT,
    QUESTION,
    DirectiveDraft,
    ask_ack,
    show,
)
from handlers.kit.common import Buttons, MusterContext, Reply

# "0-20", "0 20", "0–20", "0~20", "0至20", "0到20" (full-width forms after ``typed``).
_RANGE = re.compile(r"^(\d{1,6})\s*(?:[-–—~,，至到]|\s)\s*(\d{1,6})$", re.ASCII)


# The draft's choices ------------------------------------------------------------------


def _editing(draft: DirectiveDraft) -> tuple[int, Choice] | None:
    """The choice whose follow-ups are being set, if it still exists."""
    choices, index = draft.ask or [], draft.edit
    if index is None or not 0 <= index < len(choices):
        return None
    return index, choices[index]


def extras(reply: Reply, choice: Choice) -> Html:
    """ " — reason optional · then “How many …?” (0–20)", or nothing."""
    parts = []
    if choice.reason is not Reason.NONE:
        parts.append(reply.t("directive-choice-reason", reason=choice.reason.value))
    if choice.number is not None:
        number = choice.number
        parts.append(
            reply.t(
                "directive-choice-number", prompt=number.prompt, low=number.low, high=number.high
            )
        )
    return Html(" — " + join_html(" · ", parts)) if parts else Html("")


def followups(reply: Reply, question: Question) -> Html:
    """What follows a tap, for the preview: "“I cannot” — reason optional", or nothing."""
    shown = [
        reply.t("directive-preview-followup", label=choice.label, extras=extras(reply, choice))
        for choice in question.choices
        if choice.reason is not Reason.NONE or choice.number is not None
    ]
    if not shown:
        return Html("")
    return reply.t("directive-preview-followups", followups=join_list(reply.language, shown))


# Screens -------------------------------------------------------------------------------


async def ask_choices(reply: Reply) -> int:
    draft = FLOW.state(reply.context)
    draft.edit = None
    choices = draft.ask or []
    rows: list[list[tuple[str, str]]] = []
    if not choices:
        text = reply.t("directive-ask-choices-first", limit=MAX_LABEL)
        ready = " · ".join(c.label for c in presets(reply.context.services.i18n, reply.language))
        rows.append([(reply.label("directive-use-presets", choices=ready), b.UsePresets().pack())])
    else:
        lines = [
            reply.t("directive-choice-line", number=n, label=c.label, extras=extras(reply, c))
            for n, c in enumerate(choices, start=1)
        ]
        text = reply.t("directive-ask-choices", choices=join_html("\n", lines), most=MAX_CHOICES)
        rows.extend(
            [(f"{n}. {c.label}", b.EditChoice(n - 1).pack())]
            for n, c in enumerate(choices, start=1)
        )
    if len(choices) >= MIN_CHOICES:
        rows.append([(reply.label("button-continue"), b.ChoicesDone().pack())])
    rows.append(list(FLOW.controls(reply)))
    await show(reply, text, rows)
    return QUESTION


async def ask_choice(reply: Reply) -> int:
    """One choice: a reason after it (none / optional / required), a number or not."""
    draft = FLOW.state(reply.context)
    editing = _editing(draft)
    if editing is None:
        return await ask_choices(reply)
    index, choice = editing
    draft.prompt = draft.low = None

    def reason(kind: Reason, key: str) -> tuple[str, str]:
        mark = "● " if choice.reason is kind else ""
        return mark + reply.label(key), b.ChoiceReason(kind.value).pack()

    number = (
        (reply.label("directive-number-remove"), b.ChoiceNumber(False).pack())
        if choice.number
        else (reply.label("directive-number-add"), b.ChoiceNumber(True).pack())
    )
    rows: Buttons = [
        [reason(Reason.NONE, "directive-reason-none")],
        [
            reason(Reason.OPTIONAL, "directive-reason-optional"),
            reason(Reason.REQUIRED, "directive-reason-required"),
        ],
        [number],
        [(reply.label("directive-choice-remove"), b.RemoveChoice().pack())],
        FLOW.controls(reply),
    ]
    text = reply.t(
        "directive-choice", number=index + 1, label=choice.label, extras=extras(reply, choice)
    )
    await show(reply, text, rows)
    return CHOICE


async def ask_prompt(reply: Reply) -> int:
    editing = _editing(FLOW.state(reply.context))
    if editing is None:
        return await ask_choices(reply)
    rows: Buttons = [
        [(reply.label("directive-number-preset"), b.NumberPreset().pack())],
        FLOW.controls(reply),
    ]
    await show(reply, reply.t("directive-ask-number-prompt", label=editing[1].label), rows)
    return PROMPT


async def _ask_bounds(reply: Reply) -> int:
    draft = FLOW.state(reply.context)
    if draft.low is not None:
        text = reply.t("directive-ask-number-high", low=draft.low)
    else:
        text = reply.t("directive-ask-number-bounds", prompt=draft.prompt or "")
    await show(reply, text, [FLOW.controls(reply)])
    return BOUNDS


async def _problem(reply: Reply, problem: Problem) -> None:
    await reply.send(problem.message, **problem.arguments)


# Handlers ------------------------------------------------------------------------------


async def answers_chosen(update: Update, context: MusterContext) -> int:
    """❓ Ask for an answer: the choices typed so far stay (Back and forth keeps them)."""
    reply = await Reply.to(update, context)
    await reply.toast("")
    draft = FLOW.state(context)
    draft.ack = True  # an answer acknowledges: the deadline and the chase are ✅'s
    if draft.ask is None:
        draft.ask = []
    return await ask_choices(reply)


async def presets_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    FLOW.state(context).ask = list(presets(context.services.i18n, reply.language))
    return await ask_choices(reply)


async def choice_typed(update: Update, context: MusterContext) -> int:
    """A choice typed: added after the others, or its problem worded and re-asked."""
    reply = await Reply.to(update, context)
    assert update.message is not None
    draft = FLOW.state(context)
    choices = draft.ask or []
    label, problem = check_label(
        update.message.text or "", [c.label for c in choices], len(choices) + 1
    )
    if problem is None and len(choices) >= MAX_CHOICES:
        problem = Problem(ProblemKind.TOO_MANY, args={"most": MAX_CHOICES})
    if problem is not None:
        await _problem(reply, problem)
        return QUESTION
    draft.ask = [*choices, Choice(label)]
    return await ask_choices(reply)


async def choice_opened(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    FLOW.state(context).edit = reply.pressed(b.EditChoice).choice
    return await ask_choice(reply)


def _changed(draft: DirectiveDraft, index: int, choice: Choice) -> None:
    assert draft.ask is not None  # _editing found the choice
    draft.ask[index] = choice


async def reason_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    draft = FLOW.state(context)
    if (editing := _editing(draft)) is not None:
        index, choice = editing
        reason = Reason(reply.pressed(b.ChoiceReason).reason)
        _changed(draft, index, Choice(choice.label, reason, choice.number))
    return await ask_choice(reply)


async def number_chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    draft = FLOW.state(context)
    editing = _editing(draft)
    if editing is not None and reply.pressed(b.ChoiceNumber).ask:
        return await ask_prompt(reply)
    if editing is not None:
        index, choice = editing
        _changed(draft, index, Choice(choice.label, choice.reason))
    return await ask_choice(reply)


async def choice_removed(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    draft = FLOW.state(context)
    if (editing := _editing(draft)) is not None and draft.ask is not None:
        del draft.ask[editing[0]]
    return await ask_choices(reply)


async def prompt_given(update: Update, context: MusterContext) -> int:
    """The number question, typed or the usual one pressed; then its bounds."""
    reply = await Reply.to(update, context)
    draft = FLOW.state(context)
    editing = _editing(draft)
    if editing is None:
        await reply.toast("button-stale")
        return await ask_choices(reply)
    if update.callback_query is not None:
        await reply.toast("")
        prompt = reply.label("directive-number-preset")
    else:
        assert update.message is not None
        prompt = (update.message.text or "").strip()
        if (problem := check_number(prompt, 0, 0, editing[0] + 1)) is not None:
            await _problem(reply, problem)
            return PROMPT
    draft.prompt = prompt
    return await _ask_bounds(reply)


async def bounds_given(update: Update, context: MusterContext) -> int:
    """ "0-20" at once, or the smallest and then the largest; re-asked until they make a
    range ``questions.py`` accepts."""
    reply = await Reply.to(update, context)
    assert update.message is not None
    draft = FLOW.state(context)
    editing = _editing(draft)
    if editing is None or draft.prompt is None:
        return await ask_choices(reply)
    text = typed(update.message.text or "")
    if draft.low is not None:
        high = parse_whole(text)
        if high is None:
            await reply.send("directive-number-not-whole")
            return BOUNDS
        low, draft.low = draft.low, None
    elif (match := _RANGE.match(text)) is not None:
        low, high = int(match.group(1)), int(match.group(2))
    elif (single := parse_whole(text)) is not None:
        draft.low = single
        return await _ask_bounds(reply)
    else:
        await reply.send("directive-number-not-range")
        return BOUNDS
    index, choice = editing
    if (problem := check_number(draft.prompt, low, high, index + 1)) is not None:
        await _problem(reply, problem)
        return await _ask_bounds(reply)
    number = NumberQuestion(draft.prompt, low, high)
    draft.prompt = None
    _changed(draft, index, Choice(choice.label, choice.reason, number))
    return await ask_choice(reply)


async def back(reply: Reply, step: int) -> int:
    """Back from one of this module's steps (or from the deadline of a question)."""
    if step == QUESTION:
        return await ask_ack(reply)
    if step == BOUNDS:
        return await ask_prompt(reply)
    if step == PROMPT:
        return await ask_choice(reply)
    return await ask_choices(reply)
