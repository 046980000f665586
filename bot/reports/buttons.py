"""The reports wing's buttons (``rp``): the reminder's button, naming the form and the
unit it is for (checked against the presser's roles, so a forged one does nothing), and
the report flow's own. The flow's Back / Cancel and its form's answers are adopted into
``rp`` by the flow and form kits."""

from __future__ import annotations

from bot.kit.callbacks import Family, Id, Payload, Slug, Tap

REPORT = Family("rp", owner=__name__)


class OpenReport(Payload, family=REPORT, tag="go"):
    form: Slug
    unit: Id


ChangeReport = REPORT.adopt(Tap, "change")
KeepReport = REPORT.adopt(Tap, "keep")
SubmitReport = REPORT.adopt(Tap, "ok")
RestartReport = REPORT.adopt(Tap, "r")
