"""Directives: the rules for sending, acknowledging, chasing and watching them. The draft
and its checks are ``drafting.py``; the secretaries' lists past the deadline,
``escalation.py``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.config import DeliverySettings
from bot.directives.answers import ExportRow, answers_closed, chosen_answer
from bot.directives.drafting import DirectiveError, Draft, PaidQuote, check_text, paid_estimate
from bot.kit.clock import Clock
from bot.kit.people import require_active
from bot.kit.zones import unit_zone, zone_named
from bot.org.authz import Action, Actor, Authorizer, can
from storage import Storage
from storage.answers import Answer
from storage.directives import Directive, FollowUp, PaidTerms, Straggler, Target, UnitTally
from storage.fallback import ChannelTally
from storage.models import DirectiveStatus, Member, Role, Unit
from storage.outbox import Priority
from storage.reach import MemberReach


class AckStatus(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    ALREADY = "already"
    CANCELLED = "cancelled"
    NOT_REQUIRED = "not_required"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class AckResult:
    status: AckStatus
    directive: Directive | None = None
    at: datetime | None = None
    # What the button's handler needs to re-render the directive for this member.
    origin: str = ""
    zone: ZoneInfo | None = None
    delivered_message_id: int | None = None


@dataclass(frozen=True, slots=True)
class Totals:
    recipients: int
    sent: int
    acked: int
    unreachable: int
    failed: int
    pending: int
    withdrawn: int

    @classmethod
    def of(cls, tallies: list[UnitTally]) -> Totals:
        return cls(
            sum(t.recipients for t in tallies),
            sum(t.sent for t in tallies),
            sum(t.acked for t in tallies),
            sum(t.unreachable for t in tallies),
            sum(t.failed for t in tallies),
            sum(t.pending for t in tallies),
            sum(t.withdrawn for t in tallies),
        )


@dataclass(frozen=True, slots=True)
class DirectiveView:
    """A directive as a viewer may see it: only their scope's recipients are counted."""

    directive: Directive
    from_unit: Unit
    totals: Totals
    units: list[tuple[Unit, UnitTally]]  # worst acknowledgement (or delivery) rate first
    stragglers: list[tuple[Straggler, Unit]]
    can_cancel: bool
    can_remind: bool
    # Each fallback channel's messages (email, SMS), once the fallback fired.
    channels: tuple[ChannelTally, ...] = ()
    # The viewer's scope as paths, which the view counts (empty: everything).
    scope: tuple[str, ...] = ()


class DirectiveService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        authz: Authorizer,
        *,
        zone: ZoneInfo,
        recent_limit: int = 10,
        paid: DeliverySettings | None = None,
    ) -> None:
        """``paid``: the delivery settings, whose paid broadcast part applies here."""
        self.storage = storage
        self.clock = clock
        self.authz = authz
        self.zone = zone
        self.recent_limit = recent_limit
        self.paid = paid if paid is not None and paid.paid_broadcast else None

    def zone_of(self, unit: Unit | None) -> ZoneInfo:
        return unit_zone(unit, self.zone)

    def zone_named(self, timezone: str | None) -> ZoneInfo:
        """A unit's own timezone, else the organisation's."""
        return zone_named(timezone, self.zone)

    # Composing ---------------------------------------------------------------

    async def audience(
        self,
        actor: Actor,
        targets: tuple[Target, ...] | list[Target],
        follow: FollowUp | None = None,
    ) -> int:
        """How many would receive it (the author does not receive their own)."""
        return await self.storage.directives.count_audience(targets, actor.telegram_id or 0, follow)

    def may_pay(self, actor: Actor) -> bool:
        """Whether paid broadcasts are on and ``actor`` may spend the bot's Stars."""
        return self.paid is not None and can(actor, Action.PAID_BROADCAST, None)

    async def paid_quote(self, actor: Actor, targets: tuple[Target, ...]) -> PaidQuote | None:
        """The estimated cost of sending a draft to ``targets`` as a paid broadcast, or
        None when paid broadcasts are off."""
        if self.paid is None:
            return None
        members = await self.audience(actor, targets)
        rate = self.paid.paid_rate_per_second
        return PaidQuote(members, rate, paid_estimate(members, rate), self.paid.paid_budget_stars)

    async def from_unit(self, actor: Actor, units: list[Unit]) -> Unit:
        """The unit the directive is "from": the author's smallest secretary scope holding
        every target; for an admin outside any, the targets' common ancestor."""
        scopes = [u for role, u in actor.grants if role is Role.SECRETARY]
        holding = [s for s in scopes if all(s.contains(u) for u in units)]
        if holding:
            return max(holding, key=lambda s: s.depth)
        ids = [u.path.strip("/").split("/") for u in units]
        common: list[str] = []
        for parts in zip(*ids, strict=False):
            if len(set(parts)) != 1:
                break
            common.append(parts[0])
        found = await self.storage.units.get(int(common[-1])) if common else None
        return found or units[0]

    async def author_zone(self, actor: Actor) -> ZoneInfo:
        """Times are typed and shown in the author's own unit's timezone."""
        unit = await self.storage.units.get(actor.member.unit_id) if actor.member else None
        return self.zone_of(unit)

    async def origin(self, actor: Actor, targets: tuple[Target, ...]) -> Unit:
        """The unit a draft with these targets would come from."""
        units = await self.storage.units.many([t.unit_id for t in targets])
        return await self.from_unit(actor, units)

    async def track_progress(
        self, directive_id: int, *, chat_id: int, message_id: int, text: str
    ) -> None:
        """The author's message that shows progress (edited by the schedule as it goes)."""
        await self.storage.directives.set_progress(
            directive_id, chat_id=chat_id, message_id=message_id, text=text
        )

    async def export_rows(
        self,
        actor: Actor,
        directive_id: int,
        answers: Mapping[int, tuple[Answer | None, int]] | None = None,
        reached: Mapping[int, MemberReach] | None = None,
    ) -> list[ExportRow]:
        """Every recipient the viewer may see, with their answer and its changes from
        ``answers`` (``AnswerService.for_export``, by member id) if it asks, and how they
        were reached from ``reached`` (by member id)."""
        view = await self.view(actor, directive_id)
        visible = {unit.id: unit for unit, _ in view.units}
        answers = answers or {}
        reached = reached or {}
        return [
            ExportRow(
                visible[unit_id],
                name,
                status,
                sent,
                acked,
                *answers.get(member, (None, 0)),
                reached.get(member),
            )
            for member, name, unit_id, acked, status, sent in (
                await self.storage.directives.recipients(directive_id)
            )
            if unit_id in visible
        ]

    async def create(self, actor: Actor, draft: Draft) -> Directive:
        """Check everything again (scope may have shrunk while composing) and store it;
        send now or leave it scheduled."""
        now = self.clock.now()
        units = await self.storage.units.many([t.unit_id for t in draft.targets])
        if not units or len(units) != len({t.unit_id for t in draft.targets}):
            raise DirectiveError("unknown_unit")
        for unit in units:
            await self.authz.check(actor, Action.SEND_DIRECTIVE, unit, "directive")
        text = check_text(draft.text)
        send_at = draft.send_at if draft.send_at and draft.send_at > now else now
        if draft.ack_required or draft.question is not None:
            if draft.ack_deadline is None or draft.ack_deadline <= now:
                raise DirectiveError("deadline_past")
            if draft.ack_deadline <= send_at:
                raise DirectiveError("deadline_before_send")
        if (follow := draft.follow_up) is not None:
            parent = await self.storage.directives.get(follow.parent)
            if parent is None or chosen_answer(parent, follow.choice) is None:
                raise DirectiveError("no_such_answer")
        if await self.audience(actor, draft.targets, draft.follow_up) == 0:
            raise DirectiveError("no_recipients")
        origin = await self.from_unit(actor, units)
        quote = await self._urgent(actor, draft, origin)
        directive_id = await self.storage.directives.create(
            author_member_id=actor.member.id if actor.member else None,
            author_telegram_id=actor.telegram_id or 0,
            from_unit_id=origin.id,
            text=text,
            attachment=draft.attachment,
            ack_required=draft.ack_required or draft.question is not None,
            ack_deadline=draft.ack_deadline if draft.ack_required or draft.question else None,
            send_at=send_at,
            targets=draft.targets,
            now=now,
            paid=PaidTerms(quote.cap_stars, quote.estimate_stars) if quote else None,
            question=draft.question.to_json() if draft.question else None,
            follow_up=draft.follow_up,
        )
        if send_at <= now:
            await self.storage.directives.materialise(directive_id, now, draft.follow_up)
        directive = await self.storage.directives.get(directive_id)
        assert directive is not None
        await self.authz.audit(
            actor,
            "directive_create",
            origin,
            f"directive {directive_id}: {len(draft.targets)} targets, "
            f"{directive.recipients} recipients, {_asks(draft)}",
        )
        if quote is not None:
            await self.authz.audit(
                actor,
                "paid_broadcast",
                origin,
                f"directive {directive_id}: about {quote.estimate_stars} stars for"
                f" {quote.members} recipients at up to {quote.rate}/s, cap {quote.cap_stars}",
            )
        return directive

    async def _urgent(self, actor: Actor, draft: Draft, origin: Unit) -> PaidQuote | None:
        """The quote a paid draft goes out on (None for a free one); refused when paid
        broadcasts are off, the author may not pay, or the estimate exceeds the cap."""
        if not draft.urgent:
            return None
        quote = await self.paid_quote(actor, draft.targets)
        if quote is None:
            raise DirectiveError("paid_off")
        await self.authz.check(actor, Action.PAID_BROADCAST, None, "paid directive")
        if not quote.within_cap:
            await self.authz.audit(
                actor,
                "paid_broadcast",
                origin,
                f"about {quote.estimate_stars} stars for {quote.members} recipients,"
                f" over the cap of {quote.cap_stars}",
                "denied",
            )
            raise DirectiveError("paid_over_cap")
        return quote

    # Receiving ---------------------------------------------------------------

    async def acknowledge(self, directive_id: int, telegram_id: int) -> AckResult:
        directive = await self.storage.directives.get(directive_id)
        member = await self.storage.members.by_telegram_id(telegram_id)
        if directive is None or member is None:
            return AckResult(AckStatus.UNKNOWN)
        require_active(member)
        if directive.status is DirectiveStatus.CANCELLED:
            return await self._ack_result(AckStatus.CANCELLED, directive, member, None)
        if not directive.ack_required or directive.question is not None:
            # A question is acknowledged by answering it (bot/directives/answers.py).
            return AckResult(AckStatus.NOT_REQUIRED, directive)
        at, first = await self.storage.directives.acknowledge(
            directive_id, member.id, self.clock.now()
        )
        if at is None:
            return AckResult(AckStatus.UNKNOWN, directive)
        status = AckStatus.ACKNOWLEDGED if first else AckStatus.ALREADY
        return await self._ack_result(status, directive, member, at)

    async def _ack_result(
        self, status: AckStatus, directive: Directive, member: Member, at: datetime | None
    ) -> AckResult:
        origin = await self.storage.units.get(directive.from_unit_id)
        home = await self.storage.units.get(member.unit_id)
        delivered = await self.storage.directives.delivered_message(directive.id, member.id)
        return AckResult(
            status, directive, at, origin.name if origin else "", self.zone_of(home), delivered
        )

    # The schedule --------------------------------------------------------------

    async def start_due(self) -> list[int]:
        """Materialise scheduled directives whose time has come (late is fine)."""
        now = self.clock.now()
        started = []
        for directive_id in await self.storage.directives.due_scheduled(now):
            due = await self.storage.directives.get(directive_id)
            follow_up = due.follow_up if due else None
            if await self.storage.directives.materialise(directive_id, now, follow_up):
                started.append(directive_id)
        return started

    async def in_progress(self) -> list[Directive]:
        return await self.storage.directives.sending()

    async def totals(self, directive: Directive) -> Totals:
        return Totals.of(await self.storage.directives.tallies(directive.id))

    # Watching ----------------------------------------------------------------

    def _paths(self, actor: Actor) -> list[str] | None:
        """The viewer's scope as paths ([] = everything), or None when they have none."""
        if actor.is_admin:
            return []
        scopes = actor.scopes(Role.SECRETARY, Role.COORDINATOR)
        return [u.path for u in scopes] or None

    async def recent(self, actor: Actor) -> list[tuple[Directive, Totals]]:
        paths = self._paths(actor)
        if paths is None:
            return []
        directives = await self.storage.directives.recent(paths, self.recent_limit)
        return [
            (d, Totals.of(await self.storage.directives.tallies(d.id, paths))) for d in directives
        ]

    async def view(self, actor: Actor, directive_id: int) -> DirectiveView:
        directive = await self.storage.directives.get(directive_id)
        paths = self._paths(actor)
        if directive is None:
            raise DirectiveError("unknown_directive")
        origin = await self.storage.units.get(directive.from_unit_id)
        assert origin is not None
        tallies = await self.storage.directives.tallies(directive_id, paths or [])
        mine = directive.author_telegram_id == actor.telegram_id
        if paths is None or (not tallies and not mine and not actor.is_admin):
            await self.authz.check(actor, Action.VIEW_UNIT, origin, f"directive {directive_id}")
        units = {u.id: u for u in await self.storage.units.many([t.unit_id for t in tallies])}
        stragglers = await self.storage.directives.stragglers(directive_id, paths or [])

        def badness(tally: UnitTally) -> float:
            done = tally.acked if directive.ack_required else tally.sent
            return done / tally.recipients if tally.recipients else 1.0

        ordered = sorted(tallies, key=lambda t: (badness(t), units[t.unit_id].name))
        live = directive.status in ("scheduled", "sending")
        return DirectiveView(
            directive=directive,
            from_unit=origin,
            totals=Totals.of(tallies),
            units=[(units[t.unit_id], t) for t in ordered],
            stragglers=[(s, units[s.unit_id]) for s in stragglers if s.unit_id in units],
            can_cancel=live and (mine or actor.is_admin),
            can_remind=(
                directive.ack_required
                and directive.status in ("sending", "sent")
                # A question's silent can no longer answer once its answers closed.
                and not answers_closed(directive, self.clock.now())
                and any(can(actor, Action.SEND_DIRECTIVE, u) for u in units.values())
            ),
            channels=tuple(await self.storage.fallback.tally(directive_id)),
            scope=tuple(paths or ()),
        )

    async def remind_now(self, actor: Actor, directive_id: int, within: Unit | None = None) -> int:
        """Remind the viewer's silent recipients (those in their scope) at once; only
        those in ``within`` and below when given (the dashboard's unit), which the viewer
        must be able to send directives to."""
        view = await self.view(actor, directive_id)
        if within is not None:
            await self.authz.check(actor, Action.SEND_DIRECTIVE, within, "remind")
        if not view.can_remind:
            await self.authz.check(actor, Action.SEND_DIRECTIVE, view.from_unit, "remind")
            raise DirectiveError("cannot_remind")
        members = [
            s.member_id
            for s, unit in view.stragglers
            if not s.unreachable
            and can(actor, Action.SEND_DIRECTIVE, unit)
            and (within is None or within.contains(unit))
        ]
        queued = await self.storage.directives.queue_reminders(
            directive_id, self.clock.now(), priority=Priority.REMINDER, member_ids=members
        )
        where = "" if within is None else f" in {within.code}"
        await self.authz.audit(
            actor,
            "directive_remind",
            view.from_unit,
            f"directive {directive_id}: {queued} reminders{where}",
        )
        return queued

    async def cancel(self, actor: Actor, directive_id: int) -> int:
        """Withdraw it; returns how many unsent messages to its recipients were held back."""
        view = await self.view(actor, directive_id)
        if not actor.is_admin and view.directive.author_telegram_id != actor.telegram_id:
            await self.authz.audit(
                actor, "directive_cancel", view.from_unit, f"directive {directive_id}", "denied"
            )
            raise DirectiveError("cannot_cancel")
        if not view.can_cancel:
            raise DirectiveError("cannot_cancel")
        held = await self.storage.directives.cancel(directive_id, self.clock.now())
        if held is None:
            raise DirectiveError("cannot_cancel")
        await self.authz.audit(
            actor,
            "directive_cancel",
            view.from_unit,
            f"directive {directive_id}: {held} messages held back",
        )
        return held


def _asks(draft: Draft) -> str:
    """What the audit records a directive asks of its members."""
    if draft.question is not None:
        labels = " / ".join(choice.label for choice in draft.question.choices)
        return f"asks: {labels}"
    return f"ack {'yes' if draft.ack_required else 'no'}"
