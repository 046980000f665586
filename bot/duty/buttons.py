"""The duty wing's buttons: a shift's (``dt``), declining one (``dd``), the end-of-duty report
and incidents (``od``), the roster upload (``ru``), assigning shifts (``as``), the roster
(``rs``), grids (``gr``) and adding one (``ga``). The flows adopt their Back / Cancel, pickers
and form answers."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from bot.kit.callbacks import Among, Chosen, Day, Digits, Family, Id, Page, Payload, Tap, Turned

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


ConfirmShift = SHIFT.adopt(ShiftButton, "ok")
DeclineShift = SHIFT.adopt(ShiftButton, "no")
StartDuty = SHIFT.adopt(ShiftButton, "go")
EndDuty = SHIFT.adopt(ShiftButton, "end")
ReportIncident = SHIFT.adopt(ShiftButton, "inc")
TakeShift = SHIFT.adopt(ShiftButton, "cv")

SubmitReport = ON_DUTY.adopt(Tap, "ok")
RestartReport = ON_DUTY.adopt(Tap, "r")
SendIncident = ON_DUTY.adopt(Tap, "send")

UploadConfirm = UPLOAD.adopt(Tap, "ok")
UploadCancel = UPLOAD.adopt(Tap, "x")


class AssignGrid(Payload, family=ASSIGN, tag="g"):
    grid: Id


AssignGrids = ASSIGN.adopt(Turned, "gp")


class AssignMember(Payload, family=ASSIGN, tag="m"):
    member: Id


AssignMembers = ASSIGN.adopt(Turned, "mp")


class AssignDay(Payload, family=ASSIGN, tag="d"):
    days: Annotated[int, Among(0, 1)]  # from today


class AssignRepeat(Payload, family=ASSIGN, tag="r"):
    days: Annotated[int, Digits(2)]


AssignSave = ASSIGN.adopt(Tap, "ok")

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


RosterCancelAsk = ROSTER.adopt(RosterShift, "c")
RosterCancel = ROSTER.adopt(RosterShift, "k")
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


SkipCentre = ADD_GRID.adopt(Tap, "s")


class GridRadius(Payload, family=ADD_GRID, tag="r"):
    metres: Annotated[int, Digits(6)]
