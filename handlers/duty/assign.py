"""``/assign``: one member on one grid for a span, optionally repeated. Rules live in
``bot/duty/roster.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from bot.duty import buttons as b
from bot.duty.plans import Assignment, PlannedShift
from bot.duty.reading import Problem, RosterError, parse_span
from bot.duty.wording import grid_label
from bot.kit.days import typed_day
from bot.kit.i18n import Html, format_day
from bot.kit.typed import parse_whole
from bot.org.authz import Action, PermissionDeniedError
from handlers.duty.kit import (
    TYPED,
    UNIT,
    PickedUnit,
    Picker,
    paged,
    say_problem,
    span_text,
    with_back,
)
from handlers.kit.common import PRIVATE, Buttons, MusterApp, MusterContext, Reply, actor_of
from handlers.kit.flow import DraftFlow, StaleDraftError
from storage.models import Grid, Member

REPEAT_CHOICES = (0, 1, 4, 8, 12)


# /assign --------------------------------------------------------------------------------

A_GRID, A_MEMBER, A_DATE, A_TIME, A_REPEAT, A_PREVIEW = range(1, 7)


@dataclass
class AssignDraft(PickedUnit):
    gpage: int = 0  # of the grid list
    grid: int | None = None
    mpage: int = 0  # of the member list
    mquery: str | None = None  # what the member list was narrowed to
    member: int | None = None
    day: str | None = None  # ISO date
    start: str | None = None  # ISO times
    end: str | None = None
    repeat: int = 0  # weeks after the first

    def assignment(self, repeat: int) -> Assignment | None:
        """The shift as drafted, repeated ``repeat`` weeks, or None before each part is
        chosen."""
        grid, member, day, start, end = self.grid, self.member, self.day, self.start, self.end
        if grid is None or member is None or day is None or start is None or end is None:
            return None
        return Assignment(
            grid,
            member,
            date.fromisoformat(day),
            time.fromisoformat(start),
            time.fromisoformat(end),
            repeat,
        )


ASSIGN = DraftFlow("assign", b.ASSIGN, "assign-cancelled", AssignDraft)
ASSIGN_UNITS = Picker(ASSIGN, Action.MANAGE_ROSTER, "assign-choose-unit")


async def assign_start(update: Update, context: MusterContext) -> int:
    return await ASSIGN_UNITS.start(await Reply.to(update, context), _ask_grid)


async def assign_unit(update: Update, context: MusterContext) -> int:
    return await ASSIGN_UNITS.chosen(await Reply.to(update, context), _ask_grid)


async def assign_unit_page(update: Update, context: MusterContext) -> int:
    await ASSIGN_UNITS.turn(await Reply.to(update, context))
    return UNIT


async def assign_unit_search(update: Update, context: MusterContext) -> int:
    await ASSIGN_UNITS.search(await Reply.to(update, context))
    return UNIT


async def _ask_grid(reply: Reply, new: bool) -> int:
    unit = await ASSIGN_UNITS.unit(reply)
    if unit is None:
        await reply.show_text(reply.t("roster-not-allowed"), None, new=new)
        return ASSIGN.end(reply.context)
    draft = ASSIGN.state(reply.context)
    actor = await actor_of(reply.update, reply.context)
    grids = await reply.context.services.roster.grids_of(actor, unit)
    buttons = [(grid_label(g), b.AssignGrid(g.id).pack()) for g in grids]
    rows: Buttons = [
        *paged(buttons, draft.gpage, b.AssignGrids, reply),
        ASSIGN.controls(reply, back=not draft.single),
    ]
    key = "assign-choose-grid" if grids else "assign-no-grids"
    await reply.show_text(reply.t(key, unit=unit.name), rows, new=new)
    return A_GRID


async def assign_grid_page(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    ASSIGN.state(context).gpage = reply.pressed(b.AssignGrids).page
    return await _ask_grid(reply, False)


async def _grid(reply: Reply) -> Grid | None:
    """The drafted grid, if the person may still put shifts on it."""
    grid_id = ASSIGN.state(reply.context).grid
    if grid_id is None:
        return None
    try:
        grid, _ = await reply.context.services.roster.grid_for(
            await actor_of(reply.update, reply.context), int(grid_id)
        )
    except (PermissionDeniedError, RosterError):
        return None
    return grid if grid.active else None


async def assign_grid(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    draft = ASSIGN.state(context)
    draft.grid, draft.mpage, draft.mquery = reply.pressed(b.AssignGrid).grid, 0, None
    if await _grid(reply) is None:
        await reply.toast("button-stale")
        return A_GRID
    await reply.toast("")
    return await _ask_member(reply, new=False)


async def _members(reply: Reply, grid: Grid) -> list[Member]:
    members = await reply.context.services.roster.members_for(grid)
    query = ASSIGN.state(reply.context).mquery
    if not query:
        return members
    needle = query.casefold().lstrip("@")
    return [
        m
        for m in members
        if needle in m.display_name.casefold()
        or needle == (m.username or "").casefold()
        or needle == str(m.telegram_id)
    ]


async def _ask_member(reply: Reply, *, new: bool) -> int:
    grid = await _grid(reply)
    if grid is None:
        return await _ask_grid(reply, new)
    draft = ASSIGN.state(reply.context)
    members = await _members(reply, grid)
    buttons = [(m.display_name, b.AssignMember(m.id).pack()) for m in members]
    rows: Buttons = [
        *paged(buttons, draft.mpage, b.AssignMembers, reply),
        ASSIGN.controls(reply),
    ]
    query = draft.mquery
    if query:
        text = reply.t("assign-choose-member-search", grid=grid_label(grid), query=query)
    elif members:
        text = reply.t("assign-choose-member", grid=grid_label(grid), count=len(members))
    else:
        text = reply.t("assign-no-members", grid=grid_label(grid))
    await reply.show_text(text, rows, new=new)
    return A_MEMBER


async def assign_member_page(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    ASSIGN.state(context).mpage = reply.pressed(b.AssignMembers).page
    return await _ask_member(reply, new=False)


async def assign_member_search(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    assert update.message is not None
    text = (update.message.text or "").strip()[:64]
    grid = await _grid(reply)
    draft = ASSIGN.state(context)
    previous = draft.mquery
    draft.mquery = text
    if grid is not None and not await _members(reply, grid):
        draft.mquery = previous
        await reply.send("assign-member-not-found", query=text)
        return A_MEMBER
    draft.mpage = 0
    return await _ask_member(reply, new=True)


async def assign_member(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    grid = await _grid(reply)
    member_id = reply.pressed(b.AssignMember).member
    if grid is None or member_id not in {m.id for m in await _members(reply, grid)}:
        await reply.toast("button-stale")
        return A_MEMBER
    await reply.toast("")
    ASSIGN.state(context).member = member_id
    return await _ask_date(reply, new=False)


async def _today(reply: Reply) -> date:
    unit = await ASSIGN_UNITS.unit(reply)
    return reply.context.services.roster.today(unit)


async def _ask_date(reply: Reply, *, new: bool) -> int:
    rows: Buttons = [
        [
            (reply.t("assign-today"), b.AssignDay(0).pack()),
            (reply.t("assign-tomorrow"), b.AssignDay(1).pack()),
        ],
        ASSIGN.controls(reply),
    ]
    await reply.show_text(reply.t("assign-ask-date"), rows, new=new)
    return A_DATE


async def assign_date(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    today = await _today(reply)
    if update.callback_query is not None:
        await reply.toast("")
        day = today + timedelta(days=reply.pressed(b.AssignDay).days)
    else:
        assert update.message is not None
        typed = typed_day(update.message.text or "", today)
        if typed is None:
            await reply.send("assign-bad-date")
            return A_DATE
        day = typed
    if day < today:
        await reply.send("assign-past-date")
        return A_DATE
    ASSIGN.state(context).day = day.isoformat()
    return await _ask_time(reply, new=update.callback_query is None)


async def _ask_time(reply: Reply, *, new: bool) -> int:
    drafted = ASSIGN.state(reply.context).day
    if drafted is None:
        raise StaleDraftError(ASSIGN.key)
    day = date.fromisoformat(drafted)
    text = reply.t("assign-ask-time", day=format_day(day, reply.language))
    await reply.show_text(text, [ASSIGN.controls(reply)], new=new)
    return A_TIME


# Problems another time or repeat can solve; others (scope, a member gone) end the flow.
RETRY = {"past", "zero_length", "too_long", "overlap_existing", "already_there", "bad_repeat"}


async def _retry(reply: Reply, problem: Problem) -> bool:
    """Say what is wrong; True when asking again can help."""
    await say_problem(reply, problem)
    return problem.reason in RETRY


async def _check(reply: Reply, repeat: int, *, save: bool = False) -> PlannedShift | Problem:
    """The drafted shift checked (and with ``save`` stored) by the roster service."""
    draft = ASSIGN.state(reply.context)
    roster = reply.context.services.roster
    wanted = draft.assignment(repeat)
    if wanted is None:
        raise StaleDraftError(ASSIGN.key)
    action = roster.assign if save else roster.check_assignment
    try:
        return await action(await actor_of(reply.update, reply.context), wanted)
    except RosterError as exc:
        return exc.problem


async def assign_time(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    assert update.message is not None
    span = parse_span(update.message.text or "")
    if span is None:
        await reply.send("assign-bad-time")
        return A_TIME
    draft = ASSIGN.state(context)
    draft.start, draft.end = span[0].isoformat(), span[1].isoformat()
    found = await _check(reply, 0)
    if isinstance(found, Problem):
        return A_TIME if await _retry(reply, found) else ASSIGN.end(context)
    return await _ask_repeat(reply, new=True)


async def _ask_repeat(reply: Reply, *, new: bool) -> int:
    most = reply.context.services.settings.duty.max_repeat_weeks
    choices = [n for n in REPEAT_CHOICES if n <= most]
    labels = [
        (reply.label("assign-repeat-n", n=n) if n else reply.label("assign-repeat-none"), n)
        for n in choices
    ]
    buttons = [(label, b.AssignRepeat(n).pack()) for label, n in labels]
    rows: Buttons = [buttons[:3], buttons[3:], ASSIGN.controls(reply)]
    await reply.show_text(reply.t("assign-ask-repeat", max=most), [r for r in rows if r], new=new)
    return A_REPEAT


async def assign_repeat(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    if update.callback_query is not None:
        await reply.toast("")
        text = str(reply.pressed(b.AssignRepeat).days)
    else:
        assert update.message is not None
        text = update.message.text or ""
    repeat = parse_whole(text)
    most = context.services.settings.duty.max_repeat_weeks
    if repeat is None or repeat > most:
        await reply.send("assign-bad-repeat", max=most)
        return A_REPEAT
    found = await _check(reply, repeat)
    if isinstance(found, Problem):
        return A_REPEAT if await _retry(reply, found) else ASSIGN.end(context)
    ASSIGN.state(context).repeat = repeat
    return await _preview(reply, found, new=update.callback_query is None)


async def _preview(reply: Reply, plan: PlannedShift, *, new: bool) -> int:
    text = reply.t(
        "assign-preview",
        grid=grid_label(plan.grid),
        unit=plan.unit.name,
        name=plan.member.display_name,
        when=span_text(plan, reply),
    )
    if len(plan.spans) > 1:
        last = format_day(plan.spans[-1].day, reply.language)
        repeats = reply.t("assign-preview-repeats", until=last, count=len(plan.spans))
        text = Html(f"{text}\n{repeats}")
    rows: Buttons = [[(reply.t("assign-save"), b.AssignSave().pack())], ASSIGN.controls(reply)]
    await reply.show_text(text, rows, new=new)
    return A_PREVIEW


async def assign_save(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    draft = ASSIGN.state(context)
    if draft.assignment(draft.repeat) is None:
        await reply.edit("button-stale")
        return ASSIGN.end(context)
    if await _grid(reply) is None:  # no longer in scope, or the grid was deactivated
        await reply.edit("roster-not-allowed")
        return ASSIGN.end(context)
    found = await _check(reply, draft.repeat, save=True)
    if isinstance(found, Problem):  # something changed since the preview
        if await _retry(reply, found):
            return await _ask_time(reply, new=True)
        return ASSIGN.end(context)
    before = context.services.settings.duty.confirm_before
    await reply.edit(
        "assign-saved",
        name=found.member.display_name,
        grid=grid_label(found.grid),
        when=span_text(found, reply),
        count=len(found.spans),
        before=reply.duration(before),
    )
    return ASSIGN.end(context)


async def _assign_back(reply: Reply, state: int) -> int:
    draft = ASSIGN.state(reply.context)
    if state == A_PREVIEW:
        return await _ask_repeat(reply, new=False)
    if state == A_REPEAT:
        return await _ask_time(reply, new=False)
    if state == A_TIME:
        return await _ask_date(reply, new=False)
    if state == A_DATE:
        return await _ask_member(reply, new=False)
    if state == A_MEMBER:
        draft.grid = None
        return await _ask_grid(reply, False)
    draft.unit = None
    await ASSIGN_UNITS.ask(reply, new=False)
    return UNIT


def register(app: MusterApp) -> None:
    app.add_handler(
        ASSIGN.conversation(
            entry_points=[CommandHandler("assign", assign_start, filters=PRIVATE)],
            states=with_back(
                ASSIGN,
                _assign_back,
                {
                    UNIT: [
                        CallbackQueryHandler(assign_unit, pattern=ASSIGN_UNITS.choose.pattern),
                        CallbackQueryHandler(
                            assign_unit_page, pattern=ASSIGN_UNITS.turn_page.pattern
                        ),
                        MessageHandler(TYPED, assign_unit_search),
                    ],
                    A_GRID: [
                        CallbackQueryHandler(assign_grid, pattern=b.AssignGrid.pattern),
                        CallbackQueryHandler(assign_grid_page, pattern=b.AssignGrids.pattern),
                    ],
                    A_MEMBER: [
                        CallbackQueryHandler(assign_member, pattern=b.AssignMember.pattern),
                        CallbackQueryHandler(assign_member_page, pattern=b.AssignMembers.pattern),
                        MessageHandler(TYPED, assign_member_search),
                    ],
                    A_DATE: [
                        CallbackQueryHandler(assign_date, pattern=b.AssignDay.pattern),
                        MessageHandler(TYPED, assign_date),
                    ],
                    A_TIME: [MessageHandler(TYPED, assign_time)],
                    A_REPEAT: [
                        CallbackQueryHandler(assign_repeat, pattern=b.AssignRepeat.pattern),
                        MessageHandler(TYPED, assign_repeat),
                    ],
                    A_PREVIEW: [CallbackQueryHandler(assign_save, pattern=b.AssignSave.pattern)],
                },
            ),
        )
    )
