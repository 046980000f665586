"""How the chase reads (issue #18): the secretaries' lists of their silent members, the
coordinators' units under a response rate, and the line on the author's live message that
says which steps ran and which is next."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.delivery.outgoing import notice_message
from bot.directives.buttons import OpenDirective
from bot.directives.escalation import Escalation
from bot.directives.ladder import ChaseState, CoordinatorList, UnitRate
from bot.directives.onbehalf import phone_rows
from bot.kit.i18n import Html, Translator, join_html
from bot.services import Services
from storage.directives import Directive, Straggler
from storage.models import Member
from storage.outbox import NewMessage

LISTED = 20  # names (or units) in one notice before "…and N more"


def names(i18n: Translator, language: str, people: list[Straggler]) -> Html:
    return i18n.names(
        language, people, lambda p: p.display_name + (" ⚠️" if p.unreachable else ""), count=LISTED
    )


class ChaseNotices:
    """The messages of a step, worded in each reader's language (``ChaseWording``)."""

    def __init__(self, services: Services, now: datetime) -> None:
        self.services = services
        self.now = now

    def _notice(
        self,
        directive: Directive,
        reader: Member,
        text: str,
        rows: list[list[tuple[str, str]]] | None = None,
    ) -> NewMessage:
        language = reader.language
        assert reader.telegram_id is not None
        label = self.services.i18n.t(language, "escalation-open")
        return notice_message(
            reader.telegram_id,
            text,
            not_before=self.now,
            member_id=reader.id,
            directive_id=directive.id,
            buttons=[*(rows or []), [(label, OpenDirective(directive.id).pack())]],
        )

    def secretaries(self, directive: Directive, lists: list[Escalation]) -> list[NewMessage]:
        return [self._secretary(directive, escalation) for escalation in lists]

    def _secretary(self, directive: Directive, escalation: Escalation) -> NewMessage:
        i18n = self.services.i18n
        language = escalation.secretary.language
        lines = [
            i18n.t(
                language,
                "escalation-unit",
                unit=unit.name,
                count=len(people),
                names=names(i18n, language, people),
            )
            for unit, people in escalation.groups
        ]
        total = sum(len(people) for _, people in escalation.groups)
        # A question is chased for an answer, not an acknowledgement; a ladder's step may
        # come before the deadline.
        early = directive.ack_deadline is not None and self.now < directive.ack_deadline
        if directive.question:
            key = "escalation-list-answer-early" if early else "escalation-list-answer"
        else:
            key = "escalation-list-early" if early else "escalation-list"
        text = i18n.t(language, key, count=total, lines=join_html("\n", lines))
        # "📞 Reached by phone" for the first few of them: their own secretary's list.
        people = [(p.member_id, p.display_name) for _, group in escalation.groups for p in group]
        rows = phone_rows(i18n, language, directive.id, people)
        return self._notice(directive, escalation.secretary, text, rows)

    def coordinators(self, directive: Directive, lists: list[CoordinatorList]) -> list[NewMessage]:
        return [self._coordinator(directive, found) for found in lists]

    def _coordinator(self, directive: Directive, found: CoordinatorList) -> NewMessage:
        i18n = self.services.i18n
        language = found.coordinator.language

        def line(rate: UnitRate) -> str:
            unit = rate.unit.name
            if rate.unit.id == found.committee.id:  # its own members, not the whole tree
                unit = i18n.t(language, "summary-own-unit", unit=unit)
            return i18n.t(
                language,
                "ladder-coordinator-unit",
                unit=unit,
                percent=int(rate.rate * 100),
                silent=rate.silent,
                total=rate.recipients,
            )

        text = i18n.t(
            language,
            "ladder-coordinators-answer" if directive.question else "ladder-coordinators",
            count=len(found.units),
            committee=found.committee.name,
            percent=round(found.below * 100),
            lines=join_html("\n", i18n.fold(language, found.units, line, count=LISTED)),
        )
        return self._notice(directive, found.coordinator, text)


def chase_line(i18n: Translator, language: str, state: ChaseState, zone: ZoneInfo) -> str:
    """ "Chase: reminded 08:15 · secretaries 08:30 · next: coordinators at 09:00"."""
    parts = []
    for step in state.done:
        at = step.done_at.astimezone(zone).strftime("%H:%M")
        key = "ladder-skipped" if step.skipped else "ladder-done"
        parts.append(i18n.t(language, key, step=step.step, time=at))
    if state.next is not None:
        kind, due = state.next
        at = due.astimezone(zone).strftime("%H:%M")
        parts.append(i18n.t(language, "ladder-next", step=kind.value, time=at))
    return i18n.t(language, "ladder-line", steps=join_html(" · ", parts)) if parts else ""
