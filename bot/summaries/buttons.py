"""The summaries wing's button: a committee's summary of a day (``sm``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from bot.kit.callbacks import Day, Family, Id, Payload

SUMMARY = Family("sm", owner=__name__)


class ShowSummary(Payload, family=SUMMARY):
    unit: Id
    day: Annotated[date | None, Day(compact=False, none="-")]  # None: today
