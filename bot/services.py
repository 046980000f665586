"""``Services``: every service wired to one storage, clock and settings."""

from __future__ import annotations

from dataclasses import dataclass

from bot.checkins.onbehalf import PhoneCheckins
from bot.checkins.service import CheckinService
from bot.config import Settings
from bot.dashboard.directive import DirectiveBoard
from bot.dashboard.service import DashboardService
from bot.directives.answers import AnswerService
from bot.directives.config import StepKind
from bot.directives.ladder import Ladder
from bot.directives.onbehalf import OnBehalfService
from bot.directives.service import DirectiveService
from bot.duty.on_duty import OnDutyService
from bot.duty.roster import RosterService
from bot.duty.service import DutyService
from bot.fallback.service import FallbackService
from bot.kit.clock import Clock
from bot.kit.i18n import Translator, translator
from bot.org.authz import Authorizer
from bot.org.invites import InviteService
from bot.org.membership import MembershipService
from bot.org.privacy import PrivacyService
from bot.org.reach import ReachService
from bot.org.register import RegisterService
from bot.org.service import OrgService
from bot.reports.service import ReportService
from bot.summaries.service import SummaryService
from storage import Storage
from storage.directives import Directive


@dataclass
class Services:
    settings: Settings
    storage: Storage
    clock: Clock
    i18n: Translator
    authz: Authorizer
    org: OrgService
    invites: InviteService
    membership: MembershipService
    register: RegisterService
    directives: DirectiveService
    answers: AnswerService
    on_behalf: OnBehalfService
    ladder: Ladder
    checkins: CheckinService
    checkin_phone: PhoneCheckins
    roster: RosterService
    duty: DutyService
    on_duty: OnDutyService
    summaries: SummaryService
    reports: ReportService
    privacy: PrivacyService
    fallback: FallbackService
    dashboard: DashboardService
    reach: ReachService
    dashboard_directives: DirectiveBoard

    @classmethod
    def build(cls, settings: Settings, storage: Storage, clock: Clock) -> Services:
        authz = Authorizer(storage, clock, set(settings.organisation.admins))
        checkins = CheckinService(storage, clock, settings.checkin, settings.zone, authz)
        roster = RosterService(storage, clock, authz, settings.duty, settings.zone)
        duty = DutyService(storage, clock, authz, settings.duty, settings.zone)
        answers = AnswerService(storage, clock, authz, settings.zone)
        reports = ReportService(storage, clock, authz, checkins, settings.reports)
        invites = InviteService(
            storage,
            clock,
            authz,
            default_language=settings.organisation.default_language,
            max_expiry=settings.invites.max_expiry,
        )
        directives = DirectiveService(
            storage,
            clock,
            authz,
            zone=settings.zone,
            recent_limit=settings.directives.recent,
            paid=settings.delivery,
        )
        fallback = FallbackService(
            storage,
            clock,
            settings.fallback,
            directives,
            answers,
            late=settings.directives.escalation_grace,
        )
        # The ladder's fallback step is the fallback channels', when any is configured.
        ladder = Ladder(
            storage,
            clock,
            authz,
            settings.directives,
            fallback=fallback.fallback_step if settings.fallback.configured else None,
        )
        fallback.by_ladder = ladder.has(StepKind.FALLBACK)
        register = RegisterService(
            storage, clock, authz, invites, region=settings.organisation.phone_region
        )
        # Whoever joins by a general invite: the register's link offers, queued with the join.
        invites.on_join = register.queue_link_offers
        reach = ReachService(
            storage,
            authz,
            register,
            email=settings.fallback.email is not None,
            phone=settings.fallback.gateway is not None,
        )
        summaries = SummaryService(
            storage,
            clock,
            authz,
            checkins,
            roster,
            settings.summaries,
            reports,
            asked=answers.asked,
            reach=reach,
        )
        return cls(
            settings=settings,
            storage=storage,
            clock=clock,
            i18n=translator(settings.organisation.default_language),
            authz=authz,
            org=OrgService(storage, clock, authz),
            invites=invites,
            membership=MembershipService(storage, clock, authz),
            register=register,
            directives=directives,
            checkins=checkins,
            checkin_phone=PhoneCheckins(checkins),
            roster=roster,
            duty=duty,
            on_duty=OnDutyService(storage, clock, settings.duty, duty),
            privacy=PrivacyService(storage, clock, authz, settings.retention, settings.zone),
            answers=answers,
            on_behalf=OnBehalfService(storage, clock, authz),
            ladder=ladder,
            summaries=summaries,
            reports=reports,
            fallback=fallback,
            dashboard=DashboardService(storage, authz, summaries),
            reach=reach,
            dashboard_directives=DirectiveBoard(storage, clock, authz, directives, answers),
        )

    async def fallback_step(self, directive: Directive | int) -> int:
        """The directive by email or SMS to its silent, blocked and never-joined people,
        once; how many were queued (0 with no channel configured)."""
        return await self.fallback.fallback_step(directive)
