"""``Services``: every service wired to one storage, clock and settings."""

from __future__ import annotations

from dataclasses import dataclass

from bot.checkins.service import CheckinService
from bot.config import Settings
from bot.directives.answers import AnswerService
from bot.directives.ladder import FallbackStep, Ladder
from bot.directives.service import DirectiveService
from bot.duty.on_duty import OnDutyService
from bot.duty.roster import RosterService
from bot.duty.service import DutyService
from bot.kit.clock import Clock
from bot.kit.i18n import Translator, translator
from bot.org.authz import Authorizer
from bot.org.invites import InviteService
from bot.org.membership import MembershipService
from bot.org.privacy import PrivacyService
from bot.org.register import RegisterService
from bot.org.service import OrgService
from bot.reports.service import ReportService
from bot.summaries.service import SummaryService
from storage import Storage


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
    ladder: Ladder
    checkins: CheckinService
    roster: RosterService
    duty: DutyService
    on_duty: OnDutyService
    summaries: SummaryService
    reports: ReportService
    privacy: PrivacyService

    @property
    def fallback_step(self) -> FallbackStep | None:
        """What a ladder's fallback step does (the fallback channels, when wired)."""
        return self.ladder.fallback

    @fallback_step.setter
    def fallback_step(self, step: FallbackStep | None) -> None:
        self.ladder.fallback = step

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
        return cls(
            settings=settings,
            storage=storage,
            clock=clock,
            i18n=translator(settings.organisation.default_language),
            authz=authz,
            org=OrgService(storage, clock, authz),
            invites=invites,
            membership=MembershipService(storage, clock, authz),
            register=RegisterService(
                storage, clock, authz, invites, region=settings.organisation.phone_region
            ),
            directives=DirectiveService(
                storage,
                clock,
                authz,
                zone=settings.zone,
                recent_limit=settings.directives.recent,
                paid=settings.delivery,
            ),
            checkins=checkins,
            roster=roster,
            duty=duty,
            on_duty=OnDutyService(storage, clock, settings.duty, duty),
            privacy=PrivacyService(storage, clock, authz, settings.retention, settings.zone),
            answers=answers,
            ladder=Ladder(storage, clock, authz, settings.directives),
            summaries=SummaryService(
                storage,
                clock,
                authz,
                checkins,
                roster,
                settings.summaries,
                reports,
                asked=answers.asked,
            ),
            reports=reports,
        )
