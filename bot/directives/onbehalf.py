"""On behalf (issue #18): a secretary who reached a silent member by phone records what
they said — acknowledged, answered (the choice, with its number and reason) — or that
they could not be reached, with a reason.

It counts as the member's answer in every count, marked *on behalf by* the secretary,
and is audited. The rules, decided here:

- Only the member's own secretaries (``Action.RECORD_ON_BEHALF`` on the unit where the
  member was asked; default deny) — the same ``Authorizer.check`` the drill-down asks.
- After answers closed (the deadline) it is still accepted: a call made during the
  emergency is often written down after it, and its real time shows in the reach time.
  A withdrawn directive takes nothing.
- Only the silent: a member already heard from (by any path, or an earlier record of
  this same call) is refused, so a double press records once.
- The member's own later answer to a question replaces the one recorded for them (the
  history keeps both); a phone acknowledgement stands, as a first ✅ does.
- The member is told the next time they write to the bot (``untold``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.directives.answers import checked_number, question_of
from bot.directives.buttons import ReachedByPhone
from bot.directives.questions import Question, Reason
from bot.kit.clock import Clock
from bot.kit.i18n import Translator
from bot.kit.reach import phone_button
from bot.org.authz import Action, Actor, Authorizer, can
from storage import Storage
from storage.directives import Directive
from storage.models import DirectiveStatus, Unit
from storage.reach import EntryReach, Lines, MemberReach, Outcome, Reached, Recipient, Told

PHONE_BUTTONS = 10  # silent members with a button in one list; the rest: open the detail


def phone_rows(
    i18n: Translator, language: str, directive_id: int, people: list[tuple[int, str]]
) -> list[list[tuple[str, str]]]:
    """A "📞 Name" button per silent member (id, name), at most ``PHONE_BUTTONS``: in a
    secretary's lists (the ladder's, ``/directives``)."""
    return [
        [phone_button(i18n, language, name, ReachedByPhone(directive_id, m).pack())]
        for m, name in people[:PHONE_BUTTONS]
    ]


class PhoneStatus(StrEnum):
    RECORDED = "recorded"
    ALREADY = "already"  # heard from meanwhile: nothing written
    WITHDRAWN = "withdrawn"
    NOTHING_ASKED = "nothing_asked"  # a directive that asks no acknowledgement
    NO_SUCH_CHOICE = "no_such_choice"
    BAD_NUMBER = "bad_number"
    REASON_EMPTY = "reason_empty"
    UNKNOWN = "unknown"  # no such directive, or the member is not its recipient


@dataclass(frozen=True, slots=True)
class PhoneCall:
    """A call a secretary may record: the directive, its question, the member."""

    directive: Directive
    question: Question | None
    member: Recipient
    unit: Unit


@dataclass(frozen=True, slots=True)
class PhoneResult:
    status: PhoneStatus
    call: PhoneCall | None = None
    number: int | None = None  # as checked
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ToldCall:
    """A phone record to tell the member of, with the label of the choice recorded."""

    told: Told
    choice: str | None


class OnBehalfService:
    def __init__(self, storage: Storage, clock: Clock, authz: Authorizer) -> None:
        self.storage = storage
        self.clock = clock
        self.authz = authz

    async def open(self, actor: Actor, directive_id: int, member_id: int) -> PhoneResult:
        """The call to record, or why not; PermissionDeniedError (audited) for anyone but
        the member's own secretaries."""
        directive = await self.storage.directives.get(directive_id)
        member = await self.storage.reach.recipient(directive_id, member_id)
        unit = await self.storage.units.get(member.unit_id) if member else None
        if directive is None or member is None or unit is None:
            return PhoneResult(PhoneStatus.UNKNOWN)
        await self.authz.check(
            actor, Action.RECORD_ON_BEHALF, unit, f"on behalf {directive_id}/{member_id}"
        )
        call = PhoneCall(directive, question_of(directive), member, unit)
        if directive.status is DirectiveStatus.CANCELLED:
            return PhoneResult(PhoneStatus.WITHDRAWN, call)
        if not directive.ack_required and call.question is None:
            return PhoneResult(PhoneStatus.NOTHING_ASKED, call)
        heard = member.answered if call.question else member.acked_at is not None
        return PhoneResult(PhoneStatus.ALREADY if heard else PhoneStatus.RECORDED, call)

    @staticmethod
    def number(call: PhoneCall, choice: int, text: str) -> PhoneResult:
        """The number the member gave for ``choice``, checked as their own would be."""
        question = call.question
        if question is None or not 0 <= choice < len(question.choices):
            return PhoneResult(PhoneStatus.NO_SUCH_CHOICE, call)
        number = checked_number(question.choices[choice], text)
        if number is None:
            return PhoneResult(PhoneStatus.BAD_NUMBER, call)
        return PhoneResult(PhoneStatus.RECORDED, call, number=number)

    async def record(
        self,
        actor: Actor,
        directive_id: int,
        member_id: int,
        outcome: Outcome,
        *,
        choice: int | None = None,
        number: int | None = None,
        reason: str | None = None,
    ) -> PhoneResult:
        """Record the call (checked again: the flow may have sat a while), and audit it."""
        opened = await self.open(actor, directive_id, member_id)
        call = opened.call
        if opened.status is not PhoneStatus.RECORDED or call is None:
            return opened
        question = call.question
        if outcome is Outcome.ANSWERED:
            if question is None or choice is None or not 0 <= choice < len(question.choices):
                return PhoneResult(PhoneStatus.NO_SUCH_CHOICE, call)
            picked = question.choices[choice]
            if picked.number is not None and number is None:
                return PhoneResult(PhoneStatus.BAD_NUMBER, call)
            if picked.reason is Reason.REQUIRED and not reason:
                return PhoneResult(PhoneStatus.REASON_EMPTY, call)
        elif outcome is Outcome.ACKNOWLEDGED and question is not None:
            return PhoneResult(PhoneStatus.NO_SUCH_CHOICE, call)  # a question is answered
        elif outcome is Outcome.UNREACHED and not reason:
            return PhoneResult(PhoneStatus.REASON_EMPTY, call)
        by = actor.member.id if actor.member else None
        written = await self.storage.reach.record(
            directive_id,
            member_id,
            by,
            outcome,
            self.clock.now(),
            choice=choice if outcome is Outcome.ANSWERED else None,
            number=number,
            reason=reason,
        )
        if not written:
            return PhoneResult(PhoneStatus.ALREADY, call)
        await self.authz.audit(
            actor,
            f"{Action.RECORD_ON_BEHALF}",
            call.unit,
            f"directive {directive_id} member {member_id}: {outcome}"
            + (f" {choice}" if outcome is Outcome.ANSWERED else ""),
        )
        return PhoneResult(PhoneStatus.RECORDED, call, number=number, reason=reason)

    def may_record(self, actor: Actor, unit: Unit) -> bool:
        """Whether to show "Reached by phone" for a member of ``unit`` (no audit: the
        press is checked again)."""
        return can(actor, Action.RECORD_ON_BEHALF, unit)

    async def untold(self, telegram_id: int) -> list[ToldCall]:
        """What secretaries recorded for the member ``telegram_id`` that they have not
        been told, marked told now (a chat's updates are handled in order: told once)."""
        found = await self.storage.reach.untold(telegram_id)
        if not found:
            return []
        await self.storage.reach.mark_told([t.id for t in found], self.clock.now())
        calls = []
        for told in found:
            directive = await self.storage.directives.get(told.directive_id)
            question = question_of(directive) if directive else None
            index = told.choice
            label = None
            if question is not None and index is not None and 0 <= index < len(question.choices):
                label = question.choices[index].label
            calls.append(ToldCall(told, label))
        return calls

    async def lines(self, directive_id: int, root: str, by: Lines) -> dict[str, Reached]:
        """How the recipients under the path ``root`` were reached, and the reach time,
        per line (the caller checked the viewer may see them)."""
        return await self.storage.reach.lines(directive_id, root, by)

    async def members(self, directive_id: int) -> dict[int, MemberReach]:
        return await self.storage.reach.members(directive_id)

    async def entries(self, directive_id: int, scope: Sequence[str]) -> list[EntryReach]:
        """The register entries of its audience who are not its recipients (never joined,
        or joined after it was sent) within ``scope`` (a view's: empty is everything), with
        how its fallback reached them; the caller checked the viewer may see them."""
        return await self.storage.reach.entries(directive_id, scope)
