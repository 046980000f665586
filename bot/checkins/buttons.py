"""The check-in wing's buttons: the daily check-in (``ci``) and leave (``lv``). The check-in
flow's Back / Cancel and its form's answers are adopted into ``ci`` by the flow and form kits."""

from __future__ import annotations

from typing import Annotated

from bot.kit.callbacks import Among, Family, Id, Payload, Slug

CHECKIN = Family("ci", owner=__name__)
LEAVE = Family("lv", owner=__name__)


class CheckInNow(Payload, family=CHECKIN, tag="go"):
    """The reminder's button: start today's check-in."""


class ChangeCheckIn(Payload, family=CHECKIN, tag="change"):
    pass


class KeepCheckIn(Payload, family=CHECKIN, tag="keep"):
    pass


class SubmitCheckIn(Payload, family=CHECKIN, tag="ok"):
    pass


class RestartCheckIn(Payload, family=CHECKIN, tag="r"):
    pass


class CancelLeave(Payload, family=LEAVE, tag="k"):
    leave: Id


class AddLeave(Payload, family=LEAVE, tag="add"):
    pass


class LeaveReason(Payload, family=LEAVE, tag="r"):
    reason: Slug


class LeaveFirst(Payload, family=LEAVE, tag="f"):
    days: Annotated[int, Among(0, 1)]  # from today


class LeaveLast(Payload, family=LEAVE, tag="l"):
    days: Annotated[int, Among(0, 2, 6)]  # after the first day
