"""The check-in wing's buttons: the daily check-in (``ci``) and leave (``lv``). The check-in
flow's Back / Cancel and its form's answers are adopted into ``ci`` by the flow and form kits."""

from __future__ import annotations

from typing import Annotated

from bot.kit.callbacks import Among, Family, Id, Payload, Slug, Tap

CHECKIN = Family("ci", owner=__name__)
LEAVE = Family("lv", owner=__name__)


CheckInNow = CHECKIN.adopt(Tap, "go")  # the reminder's button
ChangeCheckIn = CHECKIN.adopt(Tap, "change")
KeepCheckIn = CHECKIN.adopt(Tap, "keep")
SubmitCheckIn = CHECKIN.adopt(Tap, "ok")
RestartCheckIn = CHECKIN.adopt(Tap, "r")


class CancelLeave(Payload, family=LEAVE, tag="k"):
    leave: Id


AddLeave = LEAVE.adopt(Tap, "add")


class LeaveReason(Payload, family=LEAVE, tag="r"):
    reason: Slug


class LeaveFirst(Payload, family=LEAVE, tag="f"):
    days: Annotated[int, Among(0, 1)]  # from today


class LeaveLast(Payload, family=LEAVE, tag="l"):
    days: Annotated[int, Among(0, 2, 6)]  # after the first day
