"""The check-in wing's buttons: the daily check-in (``ci``), leave (``lv``), flag cases
(``fl``, ``fn``) and check-ins by phone (``cp``). The check-in flow's Back / Cancel and its
form's answers are adopted into ``ci`` by the flow and form kits."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from bot.kit.callbacks import Among, Day, Family, Id, Payload, Slug, Tap, Turned

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


# Flagged answers as cases: the flag notice's and /flags' buttons (``fl``); the note flow's
# Skip, Back / Cancel are adopted into ``fn``.
FLAGS = Family("fl", owner=__name__)
FLAG_NOTE = Family("fn", owner=__name__)


class HandleFlag(Payload, family=FLAGS, tag="h"):
    case: Id


class EscalateFlag(Payload, family=FLAGS, tag="e"):
    case: Id


FlagsPage = FLAGS.adopt(Turned, "p")
SkipNote = FLAG_NOTE.adopt(Tap, "s")


# A check-in recorded by phone (issue #18): /members' "📞 Name" (``cp``), carrying the
# member, the unit they were listed in and the day, so a press after either changed is
# refused; the flow's Back / Cancel are adopted into ``cp`` too.
CHECKIN_PHONE = Family("cp", owner=__name__)
Compact = Annotated[date, Day(compact=True)]


class CheckinByPhone(Payload, family=CHECKIN_PHONE, tag="p"):
    member: Id
    unit: Id
    day: Compact


PhoneCheckedIn = CHECKIN_PHONE.adopt(Tap, "in")
PhoneNotReached = CHECKIN_PHONE.adopt(Tap, "nr")
