"""The duty wing's buttons: a shift's (``dt``), declining one (``dd``), the end-of-duty report
and incidents (``od``), the roster upload (``ru``), assigning shifts (``as``), the roster
(``rs``), grids (``gr``) and adding one (``ga``). The flows adopt their Back / Cancel, pickers
and form answers."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from bot.kit.callbacks import Among, Chosen, Day, Digits, Family, Id, Page, Payload, Turned

SHIFT = Family("dt", owner=__name__)
DECLINE = Family("dd", owner=__name__)  # a declined shift's reason
ON_DUTY = Family("od", owner=__name__)
UPLOAD = Family("ru", owner=__name__)
ASSIGN = Family("as", owner=__name__)
ROSTER = Family("rs", owner=__name__)
GRIDS = Family("gr", owner=__name__)
ADD_GRID = Family("ga", owner=__name__)

Compact = Annotated[date, Day(compact=True)]


class ShiftButton(Payload):
    """Template: a button about one shift (``ShiftButton.parse`` reads any of them)."""

    shift: Id


class ConfirmShift(ShiftButton, family=SHIFT, tag="ok"):
    pass


class DeclineShift(ShiftButton, family=SHIFT, tag="no"):
    pass


class StartDuty(ShiftButton, family=SHIFT, tag="go"):
    pass


class EndDuty(ShiftButton, family=SHIFT, tag="end"):
    pass


class ReportIncident(ShiftButton, family=SHIFT, tag="inc"):
    pass


class TakeShift(ShiftButton, family=SHIFT, tag="cv"):
    pass


class SubmitReport(Payload, family=ON_DUTY, tag="ok"):
    pass


class RestartReport(Payload, family=ON_DUTY, tag="r"):
    pass


class SendIncident(Payload, family=ON_DUTY, tag="send"):
    pass


class UploadConfirm(Payload, family=UPLOAD, tag="ok"):
    pass


class UploadCancel(Payload, family=UPLOAD, tag="x"):
    pass


class AssignGrid(Payload, family=ASSIGN, tag="g"):
    grid: Id


class AssignGrids(Payload, family=ASSIGN, tag="gp"):
    page: Page


class AssignMember(Payload, family=ASSIGN, tag="m"):
    member: Id


class AssignMembers(Payload, family=ASSIGN, tag="mp"):
    page: Page


class AssignDay(Payload, family=ASSIGN, tag="d"):
    days: Annotated[int, Among(0, 1)]  # from today


class AssignRepeat(Payload, family=ASSIGN, tag="r"):
    days: Annotated[int, Digits(2)]


class AssignSave(Payload, family=ASSIGN, tag="ok"):
    pass


RosterUnits = ROSTER.adopt(Turned, "p")
RosterUnit = ROSTER.adopt(Chosen, "u")


class RosterDay(Payload, family=ROSTER, tag="d"):
    unit: Id
    day: Compact


class RosterCancelList(Payload, family=ROSTER, tag="cl"):
    unit: Id
    day: Compact
    page: Page | None = None


class RosterShift(Payload):
    """Template: a shift, seen from a unit's day."""

    shift: Id
    unit: Id


class RosterCancelAsk(RosterShift, family=ROSTER, tag="c"):
    pass


class RosterCancel(RosterShift, family=ROSTER, tag="k"):
    pass


GridUnits = GRIDS.adopt(Turned, "p")


class GridUnit(Payload, family=GRIDS, tag="u"):
    unit: Id
    page: Page | None = None


class GridAdd(Payload, family=GRIDS, tag="a"):
    unit: Id


class GridOffAsk(Payload, family=GRIDS, tag="d"):
    grid: Id


class GridOff(Payload, family=GRIDS, tag="k"):
    grid: Id


class SkipCentre(Payload, family=ADD_GRID, tag="s"):
    pass


class GridRadius(Payload, family=ADD_GRID, tag="r"):
    metres: Annotated[int, Digits(6)]
