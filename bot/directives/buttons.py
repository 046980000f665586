"""The directives wing's buttons: acknowledging one (``ack``), answering a question
(``qa``, the choice by its index, never its label; ``qc``, changing the answer given),
watching them (``dw``), recording a silent member's answer on their behalf (``ob``) and
composing one (``dc``; its flow adopts Back / Cancel)."""

from __future__ import annotations

from typing import Annotated

from bot.directives.questions import Reason
from bot.kit.callbacks import Bit, Digits, Family, Id, OneOf, Page, Payload, Tap, Turned

ACKNOWLEDGE = Family("ack", owner=__name__)
ANSWER = Family("qa", owner=__name__)
CHANGE = Family("qc", owner=__name__)  # the one button under an answer: the choices again
FOLLOW_UP = Family("qf", owner=__name__)  # a choice's number / reason; its Cancel skips
WATCH = Family("dw", owner=__name__)
PHONE = Family("ob", owner=__name__)  # "📞 Reached by phone": recorded on behalf
COMPOSE = Family("dc", owner=__name__)


class Acknowledge(Payload, family=ACKNOWLEDGE):
    directive: Id


class AnswerChoice(Payload, family=ANSWER):
    """A question's choice by its index (at most 6 choices, so one digit)."""

    directive: Id
    choice: Annotated[int, Digits(1)]


class ChangeAnswer(Payload, family=CHANGE):
    """Under an answered question: show its choices again, the current one marked."""

    directive: Id


class DirectiveButton(Payload):
    """Template: a button about one directive (``DirectiveButton.parse`` reads any)."""

    directive: Id


OpenDirective = WATCH.adopt(DirectiveButton, "v")
DirectiveList = WATCH.adopt(Tap, "l")
RemindDirective = WATCH.adopt(DirectiveButton, "r")
ExportCsv = WATCH.adopt(DirectiveButton, "c")
ExportXlsx = WATCH.adopt(DirectiveButton, "x")
AskCancelDirective = WATCH.adopt(DirectiveButton, "k")
CancelDirective = WATCH.adopt(DirectiveButton, "K")


class MessageChosen(Payload, family=WATCH, tag="m"):
    """From a question's detail: a follow-up directive to those who chose ``choice`` in
    ``unit`` and below; its flow is ``/directive``'s from the text on."""

    directive: Id
    choice: Annotated[int, Digits(1)]
    unit: Id


class HeadcountPage(Payload, family=WATCH, tag="h"):
    """A question's detail, with its units' buttons from page ``page``."""

    directive: Id
    page: Page


class WhoAnswered(Payload, family=WATCH, tag="a"):
    """Who answered what under ``unit`` (``own``: its own members only), page by page."""

    directive: Id
    unit: Id
    own: Bit
    page: Page


class ToggleTarget(Payload, family=COMPOSE, tag="t"):
    unit: Id


TargetPage = COMPOSE.adopt(Turned, "p")
TargetsDone = COMPOSE.adopt(Tap, "n")


class NeedAck(Payload, family=COMPOSE, tag="a"):
    ack: Bit


# Asking a question instead of ✅ (handlers/directives/compose/question.py).
AskAnswers = COMPOSE.adopt(Tap, "q")
UsePresets = COMPOSE.adopt(Tap, "r")
ChoicesDone = COMPOSE.adopt(Tap, "o")
RemoveChoice = COMPOSE.adopt(Tap, "d")
NumberPreset = COMPOSE.adopt(Tap, "h")  # "How many people can you bring?"


class EditChoice(Payload, family=COMPOSE, tag="c"):
    """One of the choices typed so far, by its index, to set what follows it."""

    choice: Annotated[int, Digits(1)]


class PreviewChoice(Payload, family=COMPOSE, tag="v"):
    """A choice's button as the preview shows it: pressing it records nothing."""

    choice: Annotated[int, Digits(1)]


class ChoiceReason(Payload, family=COMPOSE, tag="e"):
    reason: Annotated[str, OneOf.of(Reason)]


class ChoiceNumber(Payload, family=COMPOSE, tag="m"):
    """Ask a number after the choice (or stop asking it)."""

    ask: Bit


class When(Payload, family=COMPOSE, tag="w"):
    """A deadline or a send time (a Unix timestamp), or "now" for sending at once."""

    at: Annotated[int | None, Digits(12, none="now")]


SendDirective = COMPOSE.adopt(Tap, "s")


class Urgent(Payload, family=COMPOSE, tag="u"):
    paid: Bit


# "📞 Reached by phone" (handlers/directives/phone.py; its flow adopts Back / Cancel).
class ReachedByPhone(Payload, family=PHONE, tag="p"):
    """From a secretary's list of silent members: record what ``member`` said."""

    directive: Id
    member: Id


PhoneAcknowledged = PHONE.adopt(Tap, "a")
PhoneUnreached = PHONE.adopt(Tap, "u")
PhoneSkipReason = PHONE.adopt(Tap, "s")


class PhoneChoice(Payload, family=PHONE, tag="c"):
    """The question's choice the member gave on the phone, by its index."""

    choice: Annotated[int, Digits(1)]
