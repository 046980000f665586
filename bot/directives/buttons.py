"""The directives wing's buttons: acknowledging one (``ack``), watching them (``dw``) and
composing one (``dc``; its flow adopts Back / Cancel)."""

from __future__ import annotations

from typing import Annotated

from bot.kit.callbacks import Bit, Digits, Family, Id, Page, Payload

ACKNOWLEDGE = Family("ack", owner=__name__)
WATCH = Family("dw", owner=__name__)
COMPOSE = Family("dc", owner=__name__)


class Acknowledge(Payload, family=ACKNOWLEDGE):
    directive: Id


class DirectiveButton(Payload):
    """Template: a button about one directive (``DirectiveButton.parse`` reads any)."""

    directive: Id


class OpenDirective(DirectiveButton, family=WATCH, tag="v"):
    pass


class DirectiveList(Payload, family=WATCH, tag="l"):
    pass


class RemindDirective(DirectiveButton, family=WATCH, tag="r"):
    pass


class ExportCsv(DirectiveButton, family=WATCH, tag="c"):
    pass


class ExportXlsx(DirectiveButton, family=WATCH, tag="x"):
    pass


class AskCancelDirective(DirectiveButton, family=WATCH, tag="k"):
    pass


class CancelDirective(DirectiveButton, family=WATCH, tag="K"):
    pass


class ToggleTarget(Payload, family=COMPOSE, tag="t"):
    unit: Id


class TargetPage(Payload, family=COMPOSE, tag="p"):
    page: Page


class TargetsDone(Payload, family=COMPOSE, tag="n"):
    pass


class NeedAck(Payload, family=COMPOSE, tag="a"):
    ack: Bit


class When(Payload, family=COMPOSE, tag="w"):
    """A deadline or a send time (a Unix timestamp), or "now" for sending at once."""

    at: Annotated[int | None, Digits(12, none="now")]


class SendDirective(Payload, family=COMPOSE, tag="s"):
    pass


class Urgent(Payload, family=COMPOSE, tag="u"):
    paid: Bit
