"""Who may do what where, in one table: every privileged command and button, tried by
seven people, each in their own language:

    stranger · member (of RIV-1) · secretary elsewhere (HIL) · secretary in scope (RIV)
    · coordinator elsewhere (HIL) · coordinator in scope (RIV) · admin

Each row is tried by all seven against a fresh object in RIV-1 (or RIV). A row passes when
exactly its allowed people got the effect (a row stored, a message or file sent), every
other one was refused in their own language with one of the row's refusals, was shown
nothing of the object, and left a 'denied' entry in the audit log where the row says so.
A second table revokes the secretary's role just before the last press of each long
conversation: refused, nothing stored, and audited.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from functools import cache

import pytest
from fluent.syntax import FluentParser, ast, visitor

from bot.checkins.buttons import CancelLeave, LeaveFirst, LeaveLast, LeaveReason
from bot.directives.buttons import (
    Acknowledge,
    CancelDirective,
    ExportCsv,
    ExportXlsx,
    NeedAck,
    OpenDirective,
    RemindDirective,
    SendDirective,
    TargetsDone,
    ToggleTarget,
    When,
)
from bot.directives.drafting import Draft
from bot.duty.buttons import (
    AssignDay,
    AssignGrid,
    AssignMember,
    AssignRepeat,
    AssignSave,
    ConfirmShift,
    DeclineShift,
    EndDuty,
    GridAdd,
    GridOff,
    ReportIncident,
    RosterCancel,
    RosterCancelAsk,
    RosterUnit,
    SendIncident,
    SkipCentre,
    StartDuty,
    SubmitReport,
    TakeShift,
    UploadConfirm,
)
from bot.kit.callbacks import Payload
from bot.kit.i18n import read_catalogue, translator
from bot.kit.people import Person
from bot.org.authz import Actor
from bot.org.buttons import (
    InviteApproval,
    InviteExpiry,
    InviteRole,
    InviteUnit,
    InviteUses,
    JoinDecision,
    RevokeInvite,
)
from bot.org.invites import CreatedInvite
from fakeapi import FakeUser, Replies
from fakeapi._html import parse_html
from handlers.duty.assign import ASSIGN_UNITS
from handlers.duty.on_duty import REPORT_FORM
from storage.db import to_db_time
from storage.directives import Target
from storage.models import Member, Role, Unit
from tests.conftest import ADMIN_ID
from tests.flows.conftest import Harness
from tests.flows.test_checkin import local

CONSOLE = Actor.console()
NOW = "2026-12-05 10:00"  # a Saturday: no check-in reminders join what people are sent
TOMORROW = "2026-12-06"
GRID = "G-RIV-1"


class Who(StrEnum):
    STRANGER = "stranger"
    MEMBER = "member"
    SEC_ELSEWHERE = "secretary elsewhere"
    SEC = "secretary in scope"
    COORD_ELSEWHERE = "coordinator elsewhere"
    COORD = "coordinator in scope"
    ADMIN = "admin"


@dataclass(frozen=True)
class Persona:
    telegram_id: int
    name: str
    language: str
    unit: str | None = None
    role: Role = Role.MEMBER


PERSONAS = {
    Who.STRANGER: Persona(7101, "Stan", "zh"),
    Who.MEMBER: Persona(7102, "Mei", "zh", "RIV-1"),
    Who.SEC_ELSEWHERE: Persona(7103, "Hua", "zh", "HIL", Role.SECRETARY),
    Who.SEC: Persona(7104, "Sam", "en", "RIV", Role.SECRETARY),
    Who.COORD_ELSEWHERE: Persona(7105, "Hal", "en", "HIL", Role.COORDINATOR),
    Who.COORD: Persona(7106, "Cai", "zh", "RIV", Role.COORDINATOR),
    Who.ADMIN: Persona(ADMIN_ID, "Ada", "en"),
}
NOBODY: frozenset[Who] = frozenset()


# What people read, checked against the catalogue ----------------------------------------

_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
_HOLE = "\ue000"  # stands for an argument while a message is turned into a pattern


class _Variables(visitor.Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: ast.VariableReference) -> None:
        self.names.add(node.id.name)


@cache
def _variables(language: str) -> dict[str, frozenset[str]]:
    found = {}
    for entry in FluentParser().parse(read_catalogue(language)).body:
        if isinstance(entry, ast.Message):
            names = _Variables()
            names.visit(entry)
            found[entry.id.name] = frozenset(names.names)
    return found


@cache
def pattern(language: str, key: str) -> re.Pattern[str]:
    """The message as Telegram shows it, any argument matching anything."""
    holes = dict.fromkeys(_variables(language)[key], _HOLE)
    text, _ = parse_html(translator().t(language, key, **holes))
    return re.compile(re.escape(text).replace(_HOLE, "(?s:.*)"))


def says(language: str, key: str, text: str) -> bool:
    """``text`` is the message ``key`` (with "…" after the key: begins with it)."""
    if key.endswith("…"):
        return pattern(language, key.removesuffix("…")).match(text) is not None
    return pattern(language, key).fullmatch(text) is not None


def in_language(language: str, text: str) -> bool:
    """Chinese readers get Chinese, others none (no test here puts Chinese in names)."""
    return bool(_CJK.search(text)) == (language == "zh")


# One person's side of a row ---------------------------------------------------------------

SPOKEN = {"sendMessage", "editMessageText", "sendDocument", "sendPhoto", "editMessageCaption"}


class Talk:
    """Sends one person's updates and keeps everything the bot said to them, in order:
    messages (or captions) in ``chat`` and button notices."""

    def __init__(self, harness: Harness, user: FakeUser, language: str) -> None:
        self.harness = harness
        self.user = user
        self.language = language
        self.chat = user.id
        self.said: list[str] = []
        self.documents = 0

    async def send(self, update: dict[str, object]) -> Replies:
        replies = await self.harness.send(self.user, update)
        for call in replies.calls:
            if not call.ok:
                continue
            if call.method == "answerCallbackQuery":
                if call.params.get("text"):
                    self.said.append(str(call.params["text"]))
            elif call.method in SPOKEN and call.message and call.message.chat_id == self.chat:
                self.documents += call.method == "sendDocument"
                if call.message.text:
                    self.said.append(call.message.text)
        return replies

    async def command(self, name: str, *args: str) -> Replies:
        if self.chat != self.user.id:
            return await self.send(self.user.command_in_group(self.chat, name, *args))
        return await self.send(self.user.command(name, *args))

    async def type(self, text: str) -> Replies:
        return await self.send(self.user.message(text))

    async def press(self, data: Payload | str) -> Replies:
        """A button with this data, on the newest bot message in the chat: the real one
        for those shown it, forged for the others (a str: data no button carries)."""
        shown = self.harness.api.sent_to(self.chat)
        message_id = shown[-1].message_id if shown else 1
        raw = data if isinstance(data, str) else data.pack()
        return await self.send(self.user.press_data(message_id, raw, chat_id=self.chat))


# The organisation every row starts from ----------------------------------------------------


@dataclass
class Ctx:
    """What a row's arrange step made for one attempt."""

    id: int = 0
    member: Member | None = None
    user: FakeUser | None = None
    secret: str = ""  # shown to nobody who is refused
    before: int = 0


@dataclass
class World:
    harness: Harness
    users: dict[Who, FakeUser]
    units: dict[str, Unit]
    tom: Member  # a plain member of RIV-1 who is none of the seven
    grid: int  # G-RIV-1, a grid of RIV-1
    numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def riv1(self) -> int:
        return self.units["RIV-1"].id

    def talk(self, who: Who) -> Talk:
        return Talk(self.harness, self.users[who], PERSONAS[who].language)

    async def member(self, who: Who) -> Member:
        found = await self.harness.services.storage.members.by_telegram_id(self.users[who].id)
        assert found is not None
        return found

    async def newcomer(self, code: str = "RIV-1") -> Ctx:
        """A fresh member, "Tess <n>" (@tess<n>): a target nobody has touched yet."""
        n = next(self.numbers)
        user = self.harness.person(7300 + n, f"Tess {n}", username=f"tess{n}")
        member = await self.harness.join(user, code)
        return Ctx(member.id, member, user, secret=member.display_name)

    async def shift(
        self, owner: Member | None, start: str, end: str, status: str = "assigned"
    ) -> int:
        """A shift on G-RIV-1 (local times), put straight into ``status``."""
        owner_id = owner.id if owner else None
        return await insert_shift(self.harness, self.grid, owner_id, start, end, status)

    async def directive(self, *, ack: bool = False, later: bool = False) -> Ctx:
        """A directive from the RIV secretary to RIV-1 (Mei and Tom), delivered unless
        ``later``; its text is unique, so whoever is shown it can be told."""
        services = self.harness.services
        now = services.clock.now()
        text = f"Sandbags {next(self.numbers)} to the levee"
        author = await services.authz.actor(self.users[Who.SEC].id)
        draft = Draft(
            targets=(Target(self.riv1, True),),
            text=text,
            attachment=None,
            ack_required=ack,
            ack_deadline=now + timedelta(hours=3) if ack else None,
            send_at=now + timedelta(hours=1) if later else None,
        )
        directive = await services.directives.create(author, draft)
        await self.harness.run_due()
        return Ctx(directive.id, secret=text)

    async def count(self, sql: str, *params: object) -> int:
        row = await self.harness.services.storage.db.fetchone(sql, params)
        assert row is not None
        return int(row[0])

    async def audit_mark(self) -> int:
        return await self.count("SELECT COALESCE(MAX(id), 0) FROM audit_log")

    async def denials(self, telegram_id: int, since: int) -> int:
        return await self.count(
            "SELECT COUNT(*) FROM audit_log WHERE id > ? AND actor_telegram_id = ?"
            " AND outcome = 'denied'",
            since,
            telegram_id,
        )


def stamp(local_text: str) -> str:
    """A local Shanghai time as the database stores it."""
    return to_db_time(local(local_text))


async def insert_shift(
    harness: Harness, grid_id: int, member_id: int | None, start: str, end: str, status: str
) -> int:
    """A shift on a grid of RIV-1 from ``start`` to ``end`` (local times), put straight
    into ``status`` with the times that go with it."""
    storage = harness.services.storage
    confirmed = stamp(start) if status in ("confirmed", "started") else None
    started = stamp(start) if status == "started" else None
    async with storage.db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO shifts (grid_id, unit_id, member_id, starts_at, ends_at, day, status,"
            " created_at, confirmed_at, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            (
                grid_id,
                (await harness.unit("RIV-1")).id,
                member_id,
                stamp(start),
                stamp(end),
                start[:10],
                status,
                to_db_time(harness.clock.now()),
                confirmed,
                started,
            ),
        )
        inserted = await cursor.fetchone()
    assert inserted is not None
    return int(inserted[0])


@pytest.fixture
async def world(harness: Harness) -> World:
    harness.clock.set(local(NOW))
    users = {
        who: harness.person(p.telegram_id, p.name, username=p.name.lower(), language=p.language)
        for who, p in PERSONAS.items()
    }
    for who, persona in PERSONAS.items():
        if persona.unit is not None:
            await harness.join(users[who], persona.unit, persona.role)
    tom = await harness.join(harness.person(7200, "Tom", username="tom"), "RIV-1")
    units = {code: await harness.unit(code) for code in ("CITY", "RIV", "RIV-1", "HIL", "HIL-1")}
    storage = harness.services.storage
    async with storage.db.transaction() as conn:
        grid = await storage.grids.add(
            conn,
            unit_id=units["RIV-1"].id,
            code=GRID,
            name="Elm Street",
            lat=31.23,
            lon=121.47,
            radius_m=500,
            now=harness.clock.now(),
        )
    return World(harness, users, units, tom, grid)


# The rows -----------------------------------------------------------------------------------

Arrange = Callable[[World], Awaitable[Ctx]]
Act = Callable[[World, Talk, Ctx], Awaitable[object]]
Done = Callable[[World, Talk, Ctx], Awaitable[bool]]


async def nothing(world: World) -> Ctx:
    return Ctx()


@dataclass(frozen=True)
class Row:
    name: str
    act: Act
    done: Done
    allowed: frozenset[Who]
    refusals: tuple[str, ...]
    arrange: Arrange = nothing
    # Refused people who leave a 'denied' audit entry; None: every refused one.
    audited: frozenset[Who] | None = None


Param = Callable[[World, Talk, Ctx], object]


def ctx_id(world: World, talk: Talk, ctx: Ctx) -> object:
    return ctx.id


def user_id(world: World, talk: Talk, ctx: Ctx) -> object:
    return talk.user.id


def found(sql: str, *params: Param) -> Done:
    """The effect is a row: ``sql`` counts at least one (``?`` filled by ``params``)."""

    async def done(world: World, talk: Talk, ctx: Ctx) -> bool:
        return await world.count(sql, *(param(world, talk, ctx) for param in params)) > 0

    return done


def shift_is(status: str) -> Done:
    return found(
        "SELECT COUNT(*) FROM shifts WHERE id = ? AND status = ?", ctx_id, lambda *_: status
    )


def request_decided(status: str) -> Done:
    return found(
        "SELECT COUNT(*) FROM join_requests WHERE id = ? AND status = ?", ctx_id, lambda *_: status
    )


def invite_made(role: str) -> Done:
    return found(
        "SELECT COUNT(*) FROM invites WHERE id > ? AND unit_id = ? AND role = ?",
        lambda world, talk, ctx: ctx.before,
        lambda world, talk, ctx: world.riv1,
        lambda *_: role,
    )


directive_stored = found("SELECT COUNT(*) FROM directives WHERE author_telegram_id = ?", user_id)
reminders_queued = found(
    "SELECT COUNT(*) FROM outbox WHERE directive_id = ? AND kind = 'directive_reminder'", ctx_id
)
directive_cancelled = found(
    "SELECT COUNT(*) FROM directives WHERE id = ? AND status = 'cancelled'", ctx_id
)
acknowledged = found(
    "SELECT COUNT(*) FROM directive_recipients r JOIN members m ON m.id = r.member_id"
    " WHERE r.directive_id = ? AND m.telegram_id = ? AND r.acked_at IS NOT NULL",
    ctx_id,
    user_id,
)
invite_revoked = found(
    "SELECT COUNT(*) FROM invites WHERE id = ? AND revoked_at IS NOT NULL", ctx_id
)
leave_recorded = found("SELECT COUNT(*) FROM leave WHERE member_id = ?", ctx_id)
leave_cancelled = found(
    "SELECT COUNT(*) FROM leave WHERE id = ? AND cancelled_at IS NOT NULL", ctx_id
)
made_secretary = found(
    "SELECT COUNT(*) FROM roles WHERE member_id = ? AND role = 'secretary'", ctx_id
)
no_longer_secretary = found(
    "SELECT COUNT(*) FROM members WHERE id = ? AND id NOT IN"
    " (SELECT member_id FROM roles WHERE role = 'secretary')",
    ctx_id,
)
moved_to_hil1 = found(
    "SELECT COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id"
    " WHERE m.id = ? AND u.code = 'HIL-1'",
    ctx_id,
)
deactivated = found("SELECT COUNT(*) FROM members WHERE id = ? AND active = 0", ctx_id)
reactivated = found("SELECT COUNT(*) FROM members WHERE id = ? AND active = 1", ctx_id)
newcomer_has_shift = found("SELECT COUNT(*) FROM shifts WHERE member_id = ?", ctx_id)
grid_added = found(
    "SELECT COUNT(*) FROM grids WHERE code = ?", lambda world, talk, ctx: f"NEW-{ctx.id}"
)
grid_inactive = found("SELECT COUNT(*) FROM grids WHERE id = ? AND active = 0", ctx_id)
chat_registered = found("SELECT COUNT(*) FROM summary_chats WHERE chat_id = ?", ctx_id)
incident_stored = found("SELECT COUNT(*) FROM incidents WHERE shift_id = ?", ctx_id)
covered_by_them = found(
    "SELECT COUNT(*) FROM shifts s JOIN members m ON m.id = s.member_id"
    " WHERE s.id = ? AND m.telegram_id = ?",
    ctx_id,
    user_id,
)


async def shown(world: World, talk: Talk, ctx: Ctx) -> bool:
    """The object's secret (a directive's text, a name) was shown to them."""
    return any(ctx.secret in text for text in talk.said)


# Directives


async def compose(world: World, talk: Talk, ctx: Ctx) -> None:
    """/directive to RIV-1, up to the preview."""
    await talk.command("directive")
    await talk.press(ToggleTarget(world.riv1))
    await talk.press(TargetsDone())
    await talk.type("Evacuate the east bank.")
    await talk.press(NeedAck(False))
    await talk.press(When(None))


async def sent_directive(world: World) -> Ctx:
    return await world.directive()


async def directive_with_ack(world: World) -> Ctx:
    return await world.directive(ack=True)


async def scheduled_directive(world: World) -> Ctx:
    return await world.directive(later=True)


async def open_directive(world: World, talk: Talk, ctx: Ctx) -> None:
    await talk.command("directives")
    await talk.press(OpenDirective(ctx.id))


class Arranged(Enum):
    """A button field filled in when the row runs: the arranged object, or Riverside 1."""

    ID = "id"
    RIV1 = "riv1"


ID, RIV1 = Arranged.ID, Arranged.RIV1


def press(kind: Callable[..., Payload], *fields: object) -> Act:
    """Press one ``kind`` button; ``ID`` and ``RIV1`` among its fields name the arranged
    object and Riverside 1."""

    async def act(world: World, talk: Talk, ctx: Ctx) -> None:
        named = {ID: ctx.id, RIV1: world.riv1}
        await talk.press(kind(*(named.get(f, f) if isinstance(f, Arranged) else f for f in fields)))

    return act


def then(*acts: Act) -> Act:
    async def act(world: World, talk: Talk, ctx: Ctx) -> None:
        for each in acts:
            await each(world, talk, ctx)

    return act


async def file_sent(world: World, talk: Talk, ctx: Ctx) -> bool:
    return talk.documents > 0


# Check-ins


async def members_today(world: World, talk: Talk, ctx: Ctx) -> None:
    await talk.command("members", NOW[:10])


async def riv1_shown(world: World, talk: Talk, ctx: Ctx) -> bool:
    return any(world.units["RIV-1"].name in text for text in talk.said)


# Invites and joining


def invite_as(role: str) -> Act:
    """/invite to RIV-1 with ``role``, up to the last question (approval)."""

    async def act(world: World, talk: Talk, ctx: Ctx) -> None:
        await talk.command("invite")
        await talk.press(InviteUnit(world.riv1))
        await talk.press(InviteRole(role))
        await talk.press(InviteUses(1))
        await talk.press(InviteExpiry("1d"))

    return act


async def invites_before(world: World) -> Ctx:
    return Ctx(before=await world.count("SELECT COUNT(*) FROM invites"))


async def _invite(world: World, *, approval: bool) -> CreatedInvite:
    return await world.harness.services.invites.create(
        CONSOLE,
        world.units["RIV-1"],
        Role.MEMBER,
        uses=5,
        expires_in=timedelta(days=7),
        approval=approval,
    )


async def invite_to_riv1(world: World) -> Ctx:
    return Ctx((await _invite(world, approval=False)).invite.id)


async def list_and_revoke(world: World, talk: Talk, ctx: Ctx) -> None:
    await talk.command("invites")
    await talk.press(RevokeInvite(ctx.id))


async def join_request(world: World) -> Ctx:
    """A stranger asked to join RIV-1 through a link that needs approval."""
    created = await _invite(world, approval=True)
    n = next(world.numbers)
    person = Person(7400 + n, f"Wen {n}", None, "en")
    outcome = await world.harness.services.invites.redeem(person, created.token)
    assert outcome.request is not None
    return Ctx(outcome.request.id)


# Leave


async def leave_for(world: World, talk: Talk, ctx: Ctx) -> None:
    """/leave @newcomer, up to the last day."""
    assert ctx.user is not None
    await talk.command("leave", f"@{ctx.user.username}")
    await talk.press(LeaveReason("annual"))
    await talk.press(LeaveFirst(1))


async def newcomer_on_leave(world: World) -> Ctx:
    ctx = await world.newcomer()
    assert ctx.member is not None
    services = world.harness.services
    today = services.checkins.window(world.units["RIV-1"]).day
    leave = await services.checkins.record_leave(
        CONSOLE, ctx.member, today + timedelta(days=2), today + timedelta(days=4), "sick"
    )
    ctx.id = leave.id
    return ctx


async def see_and_cancel_leave(world: World, talk: Talk, ctx: Ctx) -> None:
    assert ctx.user is not None
    await talk.command("leave", f"@{ctx.user.username}")
    await talk.press(CancelLeave(ctx.id))


# Administration


def admin_command(name: str, *args: str) -> Act:
    async def act(world: World, talk: Talk, ctx: Ctx) -> None:
        assert ctx.user is not None
        await talk.command(name, f"@{ctx.user.username}", *args)

    return act


async def secretary_newcomer(world: World) -> Ctx:
    ctx = await world.newcomer()
    assert ctx.member is not None
    await world.harness.services.membership.grant(CONSOLE, ctx.member, "RIV-1", Role.SECRETARY)
    return ctx


async def inactive_newcomer(world: World) -> Ctx:
    ctx = await world.newcomer()
    assert ctx.member is not None
    await world.harness.services.membership.set_active(CONSOLE, ctx.member, False)
    return ctx


# The roster


async def open_roster(world: World, talk: Talk, ctx: Ctx) -> None:
    await talk.command("roster")
    await talk.press(RosterUnit(world.riv1))


async def grid_shown(world: World, talk: Talk, ctx: Ctx) -> bool:
    return any(GRID in text for text in talk.said)


async def toms_shift_tomorrow(world: World) -> Ctx:
    return Ctx(await world.shift(world.tom, f"{TOMORROW} 18:00", f"{TOMORROW} 20:00"))


async def assign_newcomer(world: World, talk: Talk, ctx: Ctx) -> None:
    """/assign the newcomer to G-RIV-1 tomorrow, up to the preview."""
    await talk.command("assign")
    await talk.press(ASSIGN_UNITS.choose(world.riv1))
    await talk.press(AssignGrid(world.grid))
    await talk.press(AssignMember(ctx.id))
    await talk.press(AssignDay(1))
    await talk.type("18:00-20:00")
    await talk.press(AssignRepeat(0))


async def add_grid(world: World, talk: Talk, ctx: Ctx) -> None:
    """/grids, add one to RIV-1, up to its centre."""
    await talk.command("grids")
    await talk.press(GridAdd(world.riv1))
    await talk.type(f"NEW-{ctx.id}")
    await talk.type("New Road")


async def numbered(world: World) -> Ctx:
    return Ctx(next(world.numbers))


async def fresh_grid(world: World) -> Ctx:
    storage = world.harness.services.storage
    async with storage.db.transaction() as conn:
        grid = await storage.grids.add(
            conn,
            unit_id=world.riv1,
            code=f"OLD-{next(world.numbers)}",
            name="Old Road",
            lat=None,
            lon=None,
            radius_m=None,
            now=world.harness.clock.now(),
        )
    return Ctx(grid)


async def deactivate_grid(world: World, talk: Talk, ctx: Ctx) -> None:
    await talk.command("grids")
    await talk.press(GridOff(ctx.id))


async def upload_roster(world: World, talk: Talk, ctx: Ctx) -> None:
    assert ctx.user is not None
    data = f"grid,member,date,start,end\n{GRID},@{ctx.user.username},{TOMORROW},18:00,20:00\n"
    await talk.send(talk.user.document("roster.csv", data.encode(), mime_type="text/csv"))


# Summaries


async def summary_of_riv(world: World, talk: Talk, ctx: Ctx) -> None:
    await talk.command("summary", "RIV")


async def riv_summarised(world: World, talk: Talk, ctx: Ctx) -> bool:
    return any(world.units["RIV"].name in text for text in talk.said)


async def export_riv(world: World, talk: Talk, ctx: Ctx) -> None:
    await talk.command("export", "2026-12-01", "2026-12-05", "RIV")


async def group_chat(world: World) -> Ctx:
    return Ctx(-1_000_000_000_000 - next(world.numbers))


async def summaries_here(world: World, talk: Talk, ctx: Ctx) -> None:
    talk.chat = ctx.id
    await talk.command("summaries_here", "RIV")


# A member's own buttons, pressed by others


def shift_of(owner: Who | None, start: str, status: str) -> Arrange:
    """A shift of ``owner`` (Tom when None) starting ``start`` (local) for two hours."""

    async def arrange(world: World) -> Ctx:
        member = await world.member(owner) if owner else world.tom
        end = datetime.fromisoformat(start) + timedelta(hours=2)
        return Ctx(await world.shift(member, start, f"{end:%Y-%m-%d %H:%M}", status))

    return arrange


async def open_shift(world: World) -> Ctx:
    return Ctx(await world.shift(None, f"{TOMORROW} 18:00", f"{TOMORROW} 20:00", "open"))


async def decline(world: World, talk: Talk, ctx: Ctx) -> None:
    await talk.press(DeclineShift(ctx.id))
    await talk.type("My child is ill")


async def start_duty(world: World, talk: Talk, ctx: Ctx) -> None:
    await talk.press(StartDuty(ctx.id))
    await talk.send(talk.user.location(31.23, 121.47))


async def end_duty(world: World, talk: Talk, ctx: Ctx) -> None:
    await talk.press(EndDuty(ctx.id))
    await talk.type("12")
    await talk.press(REPORT_FORM.skip(1))
    await talk.press(SubmitReport())


async def report_incident(world: World, talk: Talk, ctx: Ctx) -> None:
    await talk.press(ReportIncident(ctx.id))
    await talk.type("A fallen tree blocks the road")
    await talk.press(SendIncident())


SEC_ADMIN = frozenset({Who.SEC, Who.ADMIN})
VIEWERS = frozenset({Who.SEC, Who.COORD, Who.ADMIN})
SOON = "2026-12-05 10:10"  # "Start duty" may be pressed from 15 minutes before
NOW_ON = "2026-12-05 09:00"  # a shift under way
LATER = f"{TOMORROW} 18:00"
DUTY_REFUSALS = (
    "duty-not-yours",
    "duty-other-unit",
    "duty-taken",
    "onduty-error-not-yours",
    "not-a-member",
)

ROWS = [
    # /directive, and the buttons of /directives
    Row(
        "/directive compose and send to RIV-1",
        then(compose, press(SendDirective)),
        directive_stored,
        SEC_ADMIN,
        ("directive-not-allowed", "access-denied"),
    ),
    Row(
        "/directives: open one from RIV (dw:v)",
        open_directive,
        shown,
        VIEWERS,
        ("watch-not-allowed", "watch-none", "access-denied"),
        arrange=sent_directive,
    ),
    Row(
        "/directives: remind now (dw:r)",
        press(RemindDirective, ID),
        reminders_queued,
        SEC_ADMIN,
        ("access-denied",),
        arrange=directive_with_ack,
    ),
    Row(
        "/directives: withdraw (dw:K), only its author or an admin",
        press(CancelDirective, ID),
        directive_cancelled,
        SEC_ADMIN,
        ("button-stale",),
        arrange=scheduled_directive,
    ),
    Row(
        "/directives: export CSV (dw:c)",
        press(ExportCsv, ID),
        file_sent,
        VIEWERS,
        ("access-denied",),
        arrange=sent_directive,
    ),
    Row(
        "/directives: export XLSX (dw:x)",
        press(ExportXlsx, ID),
        file_sent,
        VIEWERS,
        ("access-denied",),
        arrange=sent_directive,
    ),
    Row(
        "acknowledge a directive (ack:), only its recipients",
        press(Acknowledge, ID),
        acknowledged,
        frozenset({Who.MEMBER}),
        ("button-stale",),
        arrange=directive_with_ack,
        audited=NOBODY,
    ),
    # /members [day]
    Row(
        "/members DAY shows RIV-1",
        members_today,
        riv1_shown,
        VIEWERS,
        ("members-not-allowed", "members-status"),
        audited=frozenset({Who.STRANGER, Who.MEMBER}),
    ),
    # /invite, /invites, join requests
    Row(
        "/invite a member to RIV-1",
        then(invite_as("member"), press(InviteApproval, False)),
        invite_made("member"),
        SEC_ADMIN,
        ("invite-not-allowed", "access-denied", "button-stale"),
        arrange=invites_before,
    ),
    Row(
        "/invite a coordinator to RIV-1 (iv:r:coordinator forged)",
        then(invite_as("coordinator"), press(InviteApproval, False)),
        invite_made("coordinator"),
        frozenset({Who.ADMIN}),
        ("invite-not-allowed", "access-denied", "button-stale"),
        arrange=invites_before,
    ),
    Row(
        "/invites: revoke one to RIV-1 (inv:rv)",
        list_and_revoke,
        invite_revoked,
        SEC_ADMIN,
        ("invite-not-allowed", "access-denied"),
        arrange=invite_to_riv1,
    ),
    Row(
        "join request to RIV-1: approve (jr:a)",
        press(JoinDecision, "a", ID),
        request_decided("approved"),
        SEC_ADMIN,
        ("access-denied",),
        arrange=join_request,
    ),
    Row(
        "join request to RIV-1: reject (jr:r)",
        press(JoinDecision, "r", ID),
        request_decided("rejected"),
        SEC_ADMIN,
        ("access-denied",),
        arrange=join_request,
    ),
    # /leave @member
    Row(
        "/leave @member of RIV-1: record",
        then(leave_for, press(LeaveLast, 0)),
        leave_recorded,
        SEC_ADMIN,
        ("access-denied",),
        arrange=World.newcomer,
    ),
    Row(
        "/leave @member of RIV-1: see and cancel theirs (lv:k)",
        see_and_cancel_leave,
        leave_cancelled,
        SEC_ADMIN,
        ("access-denied",),
        arrange=newcomer_on_leave,
    ),
    # Admin commands
    *(
        Row(
            " ".join([f"/{name} @member", *args]),
            admin_command(name, *args),
            done,
            frozenset({Who.ADMIN}),
            ("admin-only",),
            arrange=arrange,
        )
        for name, args, done, arrange in (
            ("grant", ("secretary", "RIV-1"), made_secretary, World.newcomer),
            ("ungrant", ("secretary", "RIV-1"), no_longer_secretary, secretary_newcomer),
            ("move", ("HIL-1",), moved_to_hil1, World.newcomer),
            ("deactivate", (), deactivated, World.newcomer),
            ("reactivate", (), reactivated, inactive_newcomer),
        )
    ),
    # /roster, /assign, /grids, a roster file
    Row(
        "/roster of RIV-1 (rs:u)",
        open_roster,
        grid_shown,
        VIEWERS,
        ("roster-not-allowed", "roster-choose-unit", "access-denied"),
    ),
    Row(
        "/roster: cancel a shift in RIV-1 (rs:k)",
        press(RosterCancel, ID, RIV1),
        shift_is("cancelled"),
        SEC_ADMIN,
        ("access-denied",),
        arrange=toms_shift_tomorrow,
    ),
    Row(
        "/assign a shift in RIV-1",
        then(assign_newcomer, press(AssignSave)),
        newcomer_has_shift,
        SEC_ADMIN,
        ("roster-not-allowed", "access-denied", "button-stale"),
        arrange=World.newcomer,
    ),
    Row(
        "/grids: add one to RIV-1 (gr:a)",
        then(add_grid, press(SkipCentre)),
        grid_added,
        SEC_ADMIN,
        ("roster-not-allowed", "access-denied"),
        arrange=numbered,
    ),
    Row(
        "/grids: deactivate one of RIV-1 (gr:k)",
        deactivate_grid,
        grid_inactive,
        SEC_ADMIN,
        ("roster-not-allowed", "button-stale"),
        arrange=fresh_grid,
    ),
    Row(
        "a roster CSV for RIV-1",
        upload_roster,
        newcomer_has_shift,
        SEC_ADMIN,
        ("free-text-hint", "upload-problems"),
        arrange=World.newcomer,
    ),
    # Summaries
    Row(
        "/summary RIV",
        summary_of_riv,
        riv_summarised,
        VIEWERS,
        ("summary-not-allowed",),
    ),
    Row(
        "/export FROM TO RIV",
        export_riv,
        file_sent,
        VIEWERS,
        ("summary-not-allowed",),
    ),
    Row(
        "/summaries_here RIV in a group",
        summaries_here,
        chat_registered,
        frozenset({Who.COORD, Who.ADMIN}),
        ("summary-chat-not-allowed",),
        arrange=group_chat,
    ),
    # A member's own shift buttons: theirs (Mei's) work, Tom's work for nobody here
    *(
        Row(
            f"{name} on {'her own' if owner else 'someone else’s'} shift",
            act,
            done,
            frozenset({Who.MEMBER}) if owner else NOBODY,
            DUTY_REFUSALS,
            arrange=shift_of(owner, start, status),
            audited=NOBODY,
        )
        for owner in (Who.MEMBER, None)
        for name, act, done, start, status in (
            ("confirm (dt:ok)", press(ConfirmShift, ID), shift_is("confirmed"), LATER, "assigned"),
            ("decline (dt:no)", decline, shift_is("open"), LATER, "assigned"),
            ("start duty (dt:go)", start_duty, shift_is("started"), SOON, "confirmed"),
            ("end duty (dt:end)", end_duty, shift_is("completed"), NOW_ON, "started"),
            ("report incident (dt:inc)", report_incident, incident_stored, NOW_ON, "started"),
        )
    ),
    Row(
        "take an open shift of RIV-1 (dt:cv), only its unit's members",
        press(TakeShift, ID),
        covered_by_them,
        frozenset({Who.MEMBER}),
        DUTY_REFUSALS,
        arrange=open_shift,
        audited=NOBODY,
    ),
    Row(
        "take someone else’s assigned shift (dt:cv)",
        press(TakeShift, ID),
        covered_by_them,
        NOBODY,
        DUTY_REFUSALS,
        arrange=toms_shift_tomorrow,
        audited=NOBODY,
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
async def test_access_matrix(world: World, row: Row) -> None:
    seen: dict[Who, str] = {}
    wanted: dict[Who, str] = {}
    for who in Who:
        ctx = await row.arrange(world)
        talk = world.talk(who)
        mark = await world.audit_mark()
        await row.act(world, talk, ctx)
        allowed = await row.done(world, talk, ctx)
        audited = await world.denials(talk.user.id, mark) > 0
        foreign = [text for text in talk.said if not in_language(talk.language, text)]
        if allowed:
            seen[who] = "allowed" + (", audited as denied" if audited else "")
        else:
            told = any(says(talk.language, key, text) for key in row.refusals for text in talk.said)
            leaked = bool(ctx.secret) and any(ctx.secret in text for text in talk.said)
            seen[who] = (
                "refused"
                + (", audited" if audited else "")
                + ("" if told else f", not told why: {talk.said}")
                + (", shown the object" if leaked else "")
            )
        if foreign:
            seen[who] += f", not in {talk.language}: {foreign}"
        audited_too = row.audited is None or who in row.audited
        wanted[who] = (
            "allowed" if who in row.allowed else "refused" + (", audited" if audited_too else "")
        )
    assert seen == wanted


async def test_commands_without_any_scope_are_refused_and_audited(world: World) -> None:
    """The gate of each privileged command, for those with no scope anywhere."""
    gates = [
        (("directive",), "directive-not-allowed"),
        (("directives",), "watch-not-allowed"),
        (("invite",), "invite-not-allowed"),
        (("invites",), "invite-not-allowed"),
        (("assign",), "roster-not-allowed"),
        (("grids",), "roster-not-allowed"),
        (("roster",), "roster-not-allowed"),
        (("members",), "members-not-allowed"),
        (("summary",), "summary-not-allowed"),
        (("export", "2026-12-01", "2026-12-05"), "summary-not-allowed"),
        (("grant", "@tom", "secretary", "RIV-1"), "admin-only"),
        (("ungrant", "@tom", "secretary", "RIV-1"), "admin-only"),
        (("move", "@tom", "HIL-1"), "admin-only"),
        (("deactivate", "@tom"), "admin-only"),
        (("reactivate", "@tom"), "admin-only"),
    ]
    wrong = []
    for who in (Who.STRANGER, Who.MEMBER):
        for words, refusal in gates:
            talk = world.talk(who)
            mark = await world.audit_mark()
            await talk.command(*words)
            told = [says(talk.language, refusal, text) for text in talk.said]
            if told != [True] or await world.denials(talk.user.id, mark) != 1:
                wrong.append((who, words, talk.said))
    assert wrong == []


# Long conversations: the role is checked again at the last press -------------------------


@dataclass(frozen=True)
class Recheck:
    name: str
    walk: Act  # everything up to the last press, as the secretary in scope
    last: Act
    done: Done
    refusal: str
    arrange: Arrange = nothing


async def one_good_one_bad_row(world: World, talk: Talk, ctx: Ctx) -> None:
    assert ctx.user is not None
    data = (
        "grid,member,date,start,end\n"
        f"{GRID},@{ctx.user.username},{TOMORROW},18:00,20:00\n"
        f"{GRID},@nobody,{TOMORROW},18:00,20:00\n"
    )
    await talk.send(talk.user.document("roster.csv", data.encode(), mime_type="text/csv"))


async def cancel_from_roster(world: World, talk: Talk, ctx: Ctx) -> None:
    await open_roster(world, talk, ctx)
    await talk.press(RosterCancelAsk(ctx.id, world.riv1))


async def approval_asked(world: World, talk: Talk, ctx: Ctx) -> None:
    """The request reached the secretary with its buttons when it was made."""


RECHECKS = [
    Recheck(
        "/directive: Send", compose, press(SendDirective), directive_stored, "directive-not-allowed"
    ),
    Recheck(
        "/assign: Save",
        assign_newcomer,
        press(AssignSave),
        newcomer_has_shift,
        "roster-not-allowed",
        arrange=World.newcomer,
    ),
    Recheck(
        "/invite: the last choice",
        invite_as("member"),
        press(InviteApproval, False),
        invite_made("member"),
        "invite-not-allowed",
        arrange=invites_before,
    ),
    Recheck(
        "/grids add: Skip the centre",
        add_grid,
        press(SkipCentre),
        grid_added,
        "roster-not-allowed",
        arrange=numbered,
    ),
    Recheck(
        "/leave @member: the last day",
        leave_for,
        press(LeaveLast, 0),
        leave_recorded,
        "access-denied",
        arrange=World.newcomer,
    ),
    Recheck(
        "a roster file: import the good rows",
        one_good_one_bad_row,
        press(UploadConfirm),
        newcomer_has_shift,
        "upload-changed…",
        arrange=World.newcomer,
    ),
    Recheck(
        "a join request: Approve",
        approval_asked,
        press(JoinDecision, "a", ID),
        request_decided("approved"),
        "access-denied",
        arrange=join_request,
    ),
    Recheck(
        "/directives: Remind now",
        open_directive,
        press(RemindDirective, ID),
        reminders_queued,
        "access-denied",
        arrange=directive_with_ack,
    ),
    Recheck(
        "/roster: Cancel the shift",
        cancel_from_roster,
        press(RosterCancel, ID, RIV1),
        shift_is("cancelled"),
        "access-denied",
        arrange=toms_shift_tomorrow,
    ),
]


@pytest.mark.parametrize("case", RECHECKS, ids=[case.name for case in RECHECKS])
async def test_role_rechecked_at_the_last_press(world: World, case: Recheck) -> None:
    ctx = await case.arrange(world)
    talk = world.talk(Who.SEC)
    await case.walk(world, talk, ctx)
    sam = await world.member(Who.SEC)
    await world.harness.services.membership.revoke(CONSOLE, sam, "RIV", Role.SECRETARY)
    talk.said.clear()
    mark = await world.audit_mark()
    await case.last(world, talk, ctx)
    assert not await case.done(world, talk, ctx)
    assert [says("en", case.refusal, text) for text in talk.said] == [True], talk.said
    assert await world.denials(talk.user.id, mark) >= 1
