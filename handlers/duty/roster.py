"""Secretaries' roster work in chat: ``/grids``, ``/assign``, ``/roster`` and a roster CSV
sent as a document. Rules live in ``bot/duty/roster.py``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, time, timedelta
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.delivery.engine import notice_message
from bot.duty.roster import (
    CANCELLABLE,
    MAX_FILE_BYTES,
    MAX_FILE_TEXT,
    Assignment,
    DayRoster,
    GridDay,
    PlannedShift,
    Problem,
    RosterEntry,
    RosterError,
    ShiftCheck,
    UnitCoverage,
    describe,
    name_problem,
    parse_radius,
    parse_span,
)
from bot.duty.wording import status_key
from bot.kit.days import plausible, typed_day
from bot.kit.forms import on_earth
from bot.kit.i18n import Html, format_day, join_html
from bot.kit.typed import parse_whole
from bot.org.authz import Action, Actor, PermissionDeniedError, can
from bot.org.service import TreeLine, search_units
from handlers.kit import pickers
from handlers.kit.common import (
    PRIVATE,
    Buttons,
    MusterApp,
    MusterContext,
    Reply,
    actor_of,
    units_for,
    wake_delivery,
)
from handlers.kit.flow import Flow
from handlers.kit.pickers import unit_rows
from storage.models import Grid, Member, Shift, Unit
from storage.outbox import NewMessage

TYPED = PRIVATE & filters.TEXT & ~filters.COMMAND
# Only files that look like a roster: other documents belong to other flows (an incident
# report, a directive's attachment) registered after this module.
SPREADSHEET = (
    filters.Document.FileExtension("csv")
    | filters.Document.MimeType("text/csv")
    | filters.Document.FileExtension("xlsx")
    | filters.Document.FileExtension("xls")
)
# Telegram's limit is 4096; room is left for the "…and N more" line.
FOLD_AT = 3800
SHOWN_PROBLEMS = 20
SHOWN_GRIDS = 30
RADIUS_CHOICES = (200, 500, 1000)
REPEAT_CHOICES = (0, 1, 4, 8, 12)


# Shared pieces --------------------------------------------------------------------------


def fold(parts: Sequence[str], reply: Reply, *, limit: int = FOLD_AT) -> Html:
    """Lines joined while they fit one message; the rest counted as "…and N more"."""
    return join_html("\n", reply.fold(parts, lambda part: part, chars=limit))


def paged(
    items: Sequence[tuple[str, str]], page: int, turn: str, reply: Reply
) -> list[list[tuple[str, str]]]:
    """One button per item, a page of them, then ‹ › to ``turn`` + page."""
    previous, more = reply.t("button-previous"), reply.t("button-more")
    return pickers.paged(items, page, button=lambda b: b, turn=turn, previous=previous, more=more)


def problems_text(reply: Reply, problems: Sequence[Problem]) -> Html:
    i18n = reply.context.services.i18n

    def line(problem: Problem) -> str:
        return describe(i18n, reply.language, problem)

    return join_html("\n", reply.fold(problems, line, count=SHOWN_PROBLEMS, chars=FOLD_AT))


async def say_problem(reply: Reply, problem: Problem) -> None:
    await reply.send_text(describe(reply.context.services.i18n, reply.language, problem))


def grid_label(grid: Grid) -> str:
    return f"{grid.code} {grid.name}"


def span_text(plan: PlannedShift, reply: Reply) -> str:
    first = plan.spans[0]
    starts, ends = first.starts_at.astimezone(plan.zone), first.ends_at.astimezone(plan.zone)
    return f"{format_day(first.day, reply.language)} {starts:%H:%M}–{ends:%H:%M}"


def shift_time(shift: Shift, unit: Unit, reply: Reply) -> str:
    zone = reply.context.services.roster.zone_of(unit)
    return f"{shift.starts_at.astimezone(zone):%H:%M}–{shift.ends_at.astimezone(zone):%H:%M}"


async def _allowed(reply: Reply, action: Action, unit: Unit | None, detail: str) -> Unit | None:
    """``unit`` if it exists and the person may take ``action`` on it; a refusal is
    audited."""
    if unit is None:
        return None
    actor = await actor_of(reply.update, reply.context)
    return unit if await reply.context.services.authz.allows(actor, action, unit, detail) else None


async def _refuse(reply: Reply, action: Action, detail: str) -> None:
    """No scope for ``action`` anywhere: audited, and said."""
    actor = await actor_of(reply.update, reply.context)
    await reply.context.services.authz.refuse(actor, action, detail)
    await reply.send("roster-not-allowed")


class Picker:
    """A flow's first step: units in scope for ``action``, page by page, or found by typing
    part of a name or a code (as ``/invite`` does)."""

    def __init__(self, flow: Flow, action: Action, prompt: str) -> None:
        self.flow = flow
        self.action = action
        self.prompt = prompt

    async def lines(self, reply: Reply) -> list[TreeLine]:
        lines = await units_for(reply.update, reply.context, self.action)
        query = self.flow.draft(reply.context).get("query")
        return search_units(lines, query) if query else lines

    async def ask(self, reply: Reply, *, new: bool) -> None:
        lines = await self.lines(reply)
        draft = self.flow.draft(reply.context)
        prefix = self.flow.prefix
        rows: Buttons = [
            *unit_rows(
                lines,
                int(draft.get("page", 0)),
                choose=f"{prefix}:u:",
                turn=f"{prefix}:p:",
                previous=reply.t("button-previous"),
                more=reply.t("button-more"),
            ),
            self.flow.controls(reply, back=False),
        ]
        await reply.show_text(reply.t(self.prompt, count=len(lines)), rows, new=new)

    async def turn(self, reply: Reply) -> None:
        await reply.toast("")
        self.flow.draft(reply.context)["page"] = int(reply.choice)
        await self.ask(reply, new=False)

    async def search(self, reply: Reply) -> bool:
        """Typed text narrows the list; False (and a message) when nothing matches."""
        message = reply.update.message
        text = (message.text or "").strip()[:64] if message else ""
        found = search_units(await units_for(reply.update, reply.context, self.action), text)
        if not found:
            await reply.send("invite-unit-not-found", query=text)
            return False
        self.flow.draft(reply.context).update(query=text, page=0)
        await self.ask(reply, new=True)
        return True

    async def unit(self, reply: Reply) -> Unit | None:
        """The drafted unit, if it exists and the person may still act on it (a refusal
        is audited)."""
        unit_id = self.flow.draft(reply.context).get("unit")
        unit = await reply.context.services.org.unit(int(unit_id)) if unit_id else None
        return await _allowed(reply, self.action, unit, self.flow.key)

    async def start(self, reply: Reply, then: Callable[[Reply, bool], Awaitable[int]]) -> int:
        """Begin the flow: straight on when there is one unit, else the unit list."""
        lines = await units_for(reply.update, reply.context, self.action)
        draft = self.flow.draft(reply.context)
        draft.clear()
        if not lines:
            await _refuse(reply, self.action, f"/{self.flow.key}")
            return self.flow.end(reply.context)
        draft["single"] = len(lines) == 1
        if len(lines) == 1:
            draft["unit"] = lines[0].unit.id
            return await then(reply, True)
        await self.ask(reply, new=True)
        return UNIT

    async def chosen(self, reply: Reply, then: Callable[[Reply, bool], Awaitable[int]]) -> int:
        self.flow.draft(reply.context)["unit"] = int(reply.choice)
        if await self.unit(reply) is None:
            await reply.toast("access-denied")
            return UNIT
        await reply.toast("")
        return await then(reply, False)


UNIT = 0  # the Picker's state


# /grids: the list and deactivating are plain buttons (nothing waits for typing); adding
# a grid is a short conversation that ends back at the list.

G_CODE, G_NAME, G_CENTRE, G_RADIUS = range(1, 5)
ADD_GRID = Flow("grid_add", "ga", "grids-add-cancelled")


class UnitScreen:
    """A screen about one unit, reached by a command: straight to it when the person has
    one unit in scope for ``action``, else a list of them page by page
    (``<prefix>:u:<id>`` to open one, ``<prefix>:p:<page>`` to turn). Nothing waits for
    typing, so no other flow's text is taken."""

    def __init__(
        self,
        action: Action,
        prefix: str,
        prompt: str,
        show: Callable[[Reply, Unit], Awaitable[None]],
    ) -> None:
        self.action, self.prefix, self.prompt, self.show = action, prefix, prompt, show

    async def command(self, update: Update, context: MusterContext) -> None:
        reply = await Reply.to(update, context)
        lines = await units_for(update, context, self.action)
        if not lines:
            assert update.message is not None and update.message.text is not None
            await _refuse(reply, self.action, update.message.text.split()[0])
        elif len(lines) == 1:
            await self.show(reply, lines[0].unit)
        else:
            await self.units(reply, lines, 0)

    async def turn(self, update: Update, context: MusterContext) -> None:
        reply = await Reply.to(update, context)
        await reply.toast("")
        lines = await units_for(update, context, self.action)
        await self.units(reply, lines, int(reply.choice))

    async def units(self, reply: Reply, lines: list[TreeLine], page: int) -> None:
        rows = unit_rows(
            lines,
            page,
            choose=f"{self.prefix}:u:",
            turn=f"{self.prefix}:p:",
            previous=reply.t("button-previous"),
            more=reply.t("button-more"),
        )
        text = reply.t(self.prompt, count=len(lines))
        await reply.show_text(text, rows, new=reply.update.callback_query is None)

    async def several(self, reply: Reply) -> bool:
        """Whether the person has more than one unit (a way back to the list is useful)."""
        return len(await units_for(reply.update, reply.context, self.action)) > 1


async def grids_unit(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    _, _, unit_id, *page = _pressed(reply)
    unit = await context.services.org.unit(int(unit_id))
    if unit is None:
        await reply.toast("button-stale")
        return
    await _grid_list(reply, unit, int(page[0]) if page else 0)


async def _grid_list(
    reply: Reply, unit: Unit, page: int, note: str = "", *, answered: bool = False
) -> None:
    """A unit's active grids, with a button to deactivate each and one to add one.
    ``answered``: the pressed button was answered already (it can be only once)."""
    context = reply.context
    try:
        grids = await context.services.roster.grids_of(await actor_of(reply.update, context), unit)
    except PermissionDeniedError:
        if reply.update.callback_query is None or answered:
            await reply.send("roster-not-allowed")
        else:
            await reply.toast("access-denied")
        return
    if not answered:
        await reply.toast("")

    def line(g: Grid) -> Html:
        return reply.t("grids-line", code=g.code, name=g.name, where=_centre(reply, g))

    lines = reply.fold(grids, line, count=SHOWN_GRIDS, chars=FOLD_AT)
    body = join_html("\n", lines) if grids else reply.t("grids-none")
    text = reply.t("grids-list", unit=unit.name, count=len(grids), lines=body)
    if note:
        text = Html(f"{note}\n\n{text}")
    buttons = [(reply.label("grids-off-button", grid=grid_label(g)), f"gr:d:{g.id}") for g in grids]
    rows: list[list[tuple[str, str]]] = [
        *paged(buttons, page, f"gr:u:{unit.id}:", reply),
        [(reply.t("grids-add-button"), f"gr:a:{unit.id}")],
    ]
    if await GRID_UNITS.several(reply):
        rows.append([(reply.t("roster-units-button"), "gr:p:0")])
    await reply.show_text(text, rows, new=reply.update.callback_query is None)


GRID_UNITS = UnitScreen(
    Action.MANAGE_ROSTER,
    "gr",
    "grids-choose-unit",
    lambda reply, unit: _grid_list(reply, unit, 0),
)


def _centre(reply: Reply, grid: Grid) -> str:
    if grid.lat is None or grid.lon is None:
        return ""
    where = {"lat": f"{grid.lat:.4f}", "lon": f"{grid.lon:.4f}"}
    if grid.radius_m is None:
        return reply.label("grids-centre", **where)
    return reply.label("grids-centre-radius", radius=grid.radius_m, **where)


async def grid_off_ask(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    roster = context.services.roster
    try:
        grid, unit = await roster.grid_for(await actor_of(update, context), int(reply.choice))
    except (PermissionDeniedError, RosterError):
        await reply.toast("button-stale")
        return
    if not grid.active:
        await reply.toast("button-stale")
        return
    await reply.toast("")
    rows: Buttons = [
        [(reply.t("grids-off-confirm"), f"gr:k:{grid.id}")],
        [(reply.t("button-back"), f"gr:u:{unit.id}")],
    ]
    upcoming = await roster.upcoming_shifts(grid)
    await reply.edit("grids-off-ask", rows, grid=grid_label(grid), count=upcoming)


async def grid_off(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    actor = await actor_of(update, context)
    roster = context.services.roster
    try:
        grid = await roster.deactivate_grid(actor, int(reply.choice))
    except (PermissionDeniedError, RosterError):
        await reply.toast("button-stale")
        return
    unit = await context.services.org.unit(grid.unit_id)
    assert unit is not None
    await _grid_list(reply, unit, 0, reply.t("grids-off-done", grid=grid_label(grid)))


async def _add_unit(reply: Reply) -> Unit | None:
    """The unit a grid is being added to, if the person may still do that."""
    unit_id = ADD_GRID.draft(reply.context).get("unit")
    unit = await reply.context.services.org.unit(int(unit_id)) if unit_id else None
    return await _allowed(reply, Action.MANAGE_ROSTER, unit, "add grid")


async def grid_add(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    draft = ADD_GRID.draft(context)
    draft.clear()
    draft["unit"] = int(reply.choice)
    if await _add_unit(reply) is None:
        await reply.toast("access-denied")
        return ADD_GRID.end(context)
    await reply.toast("")
    return await _ask_code(reply, new=False)


async def _ask_code(reply: Reply, *, new: bool) -> int:
    unit = await _add_unit(reply)
    name = unit.name if unit else ""
    await reply.show_text(reply.t("grids-ask-code", unit=name), [ADD_GRID.controls(reply)], new=new)
    return G_CODE


async def grid_code(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    assert update.message is not None
    code = (update.message.text or "").strip()
    problem = await context.services.roster.code_problem(code)
    if problem is not None:
        await say_problem(reply, problem)
        return G_CODE
    ADD_GRID.draft(context)["code"] = code
    return await _ask_name(reply, new=True)


async def _ask_name(reply: Reply, *, new: bool) -> int:
    code = ADD_GRID.draft(reply.context).get("code", "")
    rows: Buttons = [ADD_GRID.controls(reply)]
    await reply.show_text(reply.t("grids-ask-name", code=code), rows, new=new)
    return G_NAME


async def grid_name(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    assert update.message is not None
    name = (update.message.text or "").strip()
    problem = name_problem(name)
    if problem is not None:
        await say_problem(reply, problem)
        return G_NAME
    ADD_GRID.draft(context)["name"] = name
    return await _ask_centre(reply, new=True)


async def _ask_centre(reply: Reply, *, new: bool) -> int:
    rows: Buttons = [[(reply.t("grids-skip"), "ga:s")], ADD_GRID.controls(reply)]
    await reply.show_text(reply.t("grids-ask-centre"), rows, new=new)
    return G_CENTRE


async def grid_centre(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    message = update.message
    location = message.location if message else None
    if location is None or not on_earth(location.latitude, location.longitude):
        await reply.send("grids-centre-expected")
        return G_CENTRE
    draft = ADD_GRID.draft(context)
    draft["lat"], draft["lon"] = location.latitude, location.longitude
    return await _ask_radius(reply, new=True)


async def _ask_radius(reply: Reply, *, new: bool) -> int:
    choices = [(reply.label("grids-metres", n=n), f"ga:r:{n}") for n in RADIUS_CHOICES]
    rows: Buttons = [choices, ADD_GRID.controls(reply)]
    await reply.show_text(reply.t("grids-ask-radius"), rows, new=new)
    return G_RADIUS


async def grid_radius(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    if update.callback_query is not None:
        await reply.toast("")
        radius = parse_radius(reply.choice)
    else:
        assert update.message is not None
        radius = parse_radius(update.message.text or "")
        if radius is None:
            await reply.send("grids-radius-expected")
            return G_RADIUS
    return await _save_grid(reply, radius)


async def grid_skip_centre(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    ADD_GRID.draft(context).pop("lat", None)
    return await _save_grid(reply, None)


async def _save_grid(reply: Reply, radius: int | None) -> int:
    context = reply.context
    draft = ADD_GRID.draft(context)
    unit = await _add_unit(reply)
    if unit is None or "code" not in draft or "name" not in draft:
        await reply.show_text(reply.t("roster-not-allowed"), None, new=True)
        return ADD_GRID.end(context)
    try:
        grid = await context.services.roster.add_grid(
            await actor_of(reply.update, context),
            unit,
            draft["code"],
            draft["name"],
            lat=draft.get("lat"),
            lon=draft.get("lon"),
            radius_m=radius,
        )
    except PermissionDeniedError:
        await reply.show_text(reply.t("access-denied"), None, new=True)
        return ADD_GRID.end(context)
    except RosterError as exc:  # the code was taken meanwhile
        await say_problem(reply, exc.problem)
        return await _ask_code(reply, new=True)
    note = reply.t("grids-added", grid=grid_label(grid))
    await _grid_list(reply, unit, 0, note, answered=True)
    return ADD_GRID.end(context)


async def _add_back(reply: Reply, state: int) -> int:
    if state == G_RADIUS:
        return await _ask_centre(reply, new=False)
    if state == G_CENTRE:
        return await _ask_name(reply, new=False)
    if state == G_NAME:
        return await _ask_code(reply, new=False)
    unit = await _add_unit(reply)
    if unit is not None:
        await _grid_list(reply, unit, 0, answered=True)
    return ADD_GRID.end(reply.context)


# /assign --------------------------------------------------------------------------------

A_GRID, A_MEMBER, A_DATE, A_TIME, A_REPEAT, A_PREVIEW = range(1, 7)
ASSIGN = Flow("assign", "as", "assign-cancelled")
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
    draft = ASSIGN.draft(reply.context)
    actor = await actor_of(reply.update, reply.context)
    grids = await reply.context.services.roster.grids_of(actor, unit)
    buttons = [(grid_label(g), f"as:g:{g.id}") for g in grids]
    rows: Buttons = [
        *paged(buttons, int(draft.get("gpage", 0)), "as:gp:", reply),
        ASSIGN.controls(reply, back=not draft.get("single")),
    ]
    key = "assign-choose-grid" if grids else "assign-no-grids"
    await reply.show_text(reply.t(key, unit=unit.name), rows, new=new)
    return A_GRID


async def assign_grid_page(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    ASSIGN.draft(context)["gpage"] = int(reply.choice)
    return await _ask_grid(reply, False)


async def _grid(reply: Reply) -> Grid | None:
    """The drafted grid, if the person may still put shifts on it."""
    grid_id = ASSIGN.draft(reply.context).get("grid")
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
    ASSIGN.draft(context).update(grid=int(reply.choice), mpage=0, mquery=None)
    if await _grid(reply) is None:
        await reply.toast("button-stale")
        return A_GRID
    await reply.toast("")
    return await _ask_member(reply, new=False)


async def _members(reply: Reply, grid: Grid) -> list[Member]:
    members = await reply.context.services.roster.members_for(grid)
    query = ASSIGN.draft(reply.context).get("mquery")
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
    draft = ASSIGN.draft(reply.context)
    members = await _members(reply, grid)
    buttons = [(m.display_name, f"as:m:{m.id}") for m in members]
    rows: Buttons = [
        *paged(buttons, int(draft.get("mpage", 0)), "as:mp:", reply),
        ASSIGN.controls(reply),
    ]
    query = draft.get("mquery")
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
    ASSIGN.draft(context)["mpage"] = int(reply.choice)
    return await _ask_member(reply, new=False)


async def assign_member_search(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    assert update.message is not None
    text = (update.message.text or "").strip()[:64]
    grid = await _grid(reply)
    draft = ASSIGN.draft(context)
    previous = draft.get("mquery")
    draft["mquery"] = text
    if grid is not None and not await _members(reply, grid):
        draft["mquery"] = previous
        await reply.send("assign-member-not-found", query=text)
        return A_MEMBER
    draft["mpage"] = 0
    return await _ask_member(reply, new=True)


async def assign_member(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    grid = await _grid(reply)
    member_id = int(reply.choice)
    if grid is None or member_id not in {m.id for m in await _members(reply, grid)}:
        await reply.toast("button-stale")
        return A_MEMBER
    await reply.toast("")
    ASSIGN.draft(context)["member"] = member_id
    return await _ask_date(reply, new=False)


async def _today(reply: Reply) -> date:
    unit = await ASSIGN_UNITS.unit(reply)
    return reply.context.services.roster.today(unit)


async def _ask_date(reply: Reply, *, new: bool) -> int:
    rows: Buttons = [
        [(reply.t("assign-today"), "as:d:0"), (reply.t("assign-tomorrow"), "as:d:1")],
        ASSIGN.controls(reply),
    ]
    await reply.show_text(reply.t("assign-ask-date"), rows, new=new)
    return A_DATE


async def assign_date(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    today = await _today(reply)
    if update.callback_query is not None:
        await reply.toast("")
        day = today + timedelta(days=int(reply.choice))
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
    ASSIGN.draft(context)["day"] = day.isoformat()
    return await _ask_time(reply, new=update.callback_query is None)


async def _ask_time(reply: Reply, *, new: bool) -> int:
    day = date.fromisoformat(ASSIGN.draft(reply.context)["day"])
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
    draft = ASSIGN.draft(reply.context)
    roster = reply.context.services.roster
    wanted = Assignment(
        int(draft["grid"]),
        int(draft["member"]),
        date.fromisoformat(draft["day"]),
        time.fromisoformat(draft["start"]),
        time.fromisoformat(draft["end"]),
        repeat,
    )
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
    draft = ASSIGN.draft(context)
    draft["start"], draft["end"] = span[0].isoformat(), span[1].isoformat()
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
    buttons = [(label, f"as:r:{n}") for label, n in labels]
    rows: Buttons = [buttons[:3], buttons[3:], ASSIGN.controls(reply)]
    await reply.show_text(reply.t("assign-ask-repeat", max=most), [r for r in rows if r], new=new)
    return A_REPEAT


async def assign_repeat(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    if update.callback_query is not None:
        await reply.toast("")
        text = reply.choice
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
    ASSIGN.draft(context)["repeat"] = repeat
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
    rows: Buttons = [[(reply.t("assign-save"), "as:ok")], ASSIGN.controls(reply)]
    await reply.show_text(text, rows, new=new)
    return A_PREVIEW


async def assign_save(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    draft = ASSIGN.draft(context)
    if not {"grid", "member", "day", "start", "end"} <= set(draft):
        await reply.edit("button-stale")
        return ASSIGN.end(context)
    if await _grid(reply) is None:  # no longer in scope, or the grid was deactivated
        await reply.edit("roster-not-allowed")
        return ASSIGN.end(context)
    found = await _check(reply, int(draft.get("repeat", 0)), save=True)
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
    draft = ASSIGN.draft(reply.context)
    if state == A_PREVIEW:
        return await _ask_repeat(reply, new=False)
    if state == A_REPEAT:
        return await _ask_time(reply, new=False)
    if state == A_TIME:
        return await _ask_date(reply, new=False)
    if state == A_DATE:
        return await _ask_member(reply, new=False)
    if state == A_MEMBER:
        draft.pop("grid", None)
        return await _ask_grid(reply, False)
    draft.pop("unit", None)
    await ASSIGN_UNITS.ask(reply, new=False)
    return UNIT


# A roster file sent as a document. Nothing waits for typing here: the file's id is kept
# in user_data, and "import the good rows" fetches and checks it again.

UPLOAD_KEY = "roster_upload"


def _upload(context: MusterContext) -> dict[str, Any]:
    assert context.user_data is not None
    pending: dict[str, Any] = context.user_data.setdefault(UPLOAD_KEY, {})
    return pending


async def upload(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    document = update.message.document if update.message else None
    assert document is not None
    if not await units_for(update, context, Action.MANAGE_ROSTER):
        # Nothing else takes files outside a flow: as before this handler existed.
        await context.services.authz.refuse(
            await actor_of(update, context), Action.MANAGE_ROSTER, "roster file"
        )
        await reply.send("free-text-hint")
        return
    name = document.file_name or "roster.csv"
    if not (name.lower().endswith(".csv") or document.mime_type == "text/csv"):
        await say_problem(reply, Problem("not_csv"))
        return
    if (document.file_size or 0) > MAX_FILE_BYTES:
        await say_problem(reply, Problem("too_big", details={"limit": MAX_FILE_TEXT}))
        return
    pending = _upload(context)
    pending.clear()
    pending.update(file=document.file_id, name=name)
    data = await _download(reply)
    if data is None:
        return
    roster = context.services.roster
    actor = await actor_of(update, context)
    check = await roster.check_file(actor, data)
    if not check.problems:
        done = await roster.import_file(actor, data, name)
        check = done.check
        if done.written:
            pending.clear()
            await reply.send("upload-done", name=name, shifts=done.written, rows=check.rows)
            return
    await _offer(reply, check)


async def _download(reply: Reply) -> bytes | None:
    try:
        file = await reply.context.bot.get_file(_upload(reply.context)["file"])
        return bytes(await file.download_as_bytearray())
    except TelegramError:
        await reply.send("upload-failed")
        return None


async def _offer(reply: Reply, check: ShiftCheck, note: str = "") -> None:
    """The problems, and (when some rows are good) the choice to import just those."""
    pending = _upload(reply.context)
    name = pending.get("name", "")
    problems = problems_text(reply, check.problems)
    new = reply.update.callback_query is None
    if not check.readable:
        text = reply.t("upload-unreadable", name=name, problems=problems)
        await reply.show_text(text, None, new=new)
        return
    text = reply.t(
        "upload-problems", name=name, bad=check.bad_rows, rows=check.rows, problems=problems
    )
    if note:
        text = Html(f"{note}\n{text}")
    if not check.good:
        pending.clear()
        await reply.show_text(Html(f"{text}\n{reply.t('upload-nothing-good')}"), None, new=new)
        return
    pending["good"] = len(check.good)
    label = reply.label("upload-import-good", count=len(check.good), shifts=check.shifts)
    rows: Buttons = [[(label, "ru:ok")], [(reply.t("button-cancel"), "ru:x")]]
    await reply.show_text(text, rows, new=new)


async def upload_confirm(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    pending = _upload(context)
    if "good" not in pending:
        await reply.toast("button-stale")
        return
    await reply.toast("")
    data = await _download(reply)
    if data is None:
        return
    # Checked again as it is written: scope and the roster may have changed since.
    done = await context.services.roster.import_file(
        await actor_of(update, context),
        data,
        str(pending.get("name", "")),
        partial=True,
        expect=int(pending["good"]),
    )
    if not done.written:
        await _offer(reply, done.check, reply.t("upload-changed"))
        return
    pending.clear()
    await reply.edit(
        "upload-partial-done",
        shifts=done.written,
        rows=len(done.check.good),
        skipped=done.check.bad_rows,
    )


async def upload_cancel(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    if not _upload(context).pop("good", None):
        await reply.toast("button-stale")
        return
    _upload(context).clear()
    await reply.toast("")
    await reply.edit("upload-cancelled")


# /roster ---------------------------------------------------------------------------------


def _day_data(unit_id: int, day: date) -> str:
    return f"{unit_id}:{day:%Y%m%d}"


def _pressed(reply: Reply) -> list[str]:
    """The pressed button's data, field by field (``rs:d:12:20261201``)."""
    query = reply.update.callback_query
    return (query.data or "").split(":") if query else []


def _parse_day_data(text: str) -> date | None:
    try:
        day = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:  # forged or damaged data
        return None
    return day if plausible(day) else None


async def roster_unit(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    unit = await context.services.org.unit(int(reply.choice))
    if unit is None:
        await reply.toast("button-stale")
        return
    await _show_day(reply, unit, context.services.roster.today(unit))


async def roster_day(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    _, _, unit_id, day_text = _pressed(reply)
    unit = await context.services.org.unit(int(unit_id))
    day = _parse_day_data(day_text)
    if unit is None or day is None:
        await reply.toast("button-stale")
        return
    await _show_day(reply, unit, day)


async def _show_day(reply: Reply, unit: Unit, day: date, toast: str = "") -> None:
    """The day's roster of ``unit``'s subtree, answering a pressed button with ``toast``."""
    context = reply.context
    actor = await actor_of(reply.update, context)
    try:
        roster = await context.services.roster.day_roster(actor, unit, day)
    except PermissionDeniedError:
        if reply.update.callback_query is not None:
            await reply.toast("access-denied")
        else:
            await reply.send("roster-not-allowed")
        return
    await reply.toast(toast)
    lang = reply.language
    earlier, later = day - timedelta(days=1), day + timedelta(days=1)
    rows: list[list[tuple[str, str]]] = [
        [
            (f"‹ {format_day(earlier, lang)}", f"rs:d:{_day_data(unit.id, earlier)}"),
            (f"{format_day(later, lang)} ›", f"rs:d:{_day_data(unit.id, later)}"),
        ]
    ]
    if _cancellable(roster, actor):
        rows.append([(reply.t("roster-cancel-button"), f"rs:cl:{_day_data(unit.id, day)}")])
    if await ROSTER_UNITS.several(reply):
        rows.append([(reply.t("roster-units-button"), "rs:p:0")])
    await reply.show_text(_day_text(reply, roster), rows, new=reply.update.callback_query is None)


ROSTER_UNITS = UnitScreen(
    Action.VIEW_UNIT,
    "rs",
    "roster-choose-unit",
    lambda reply, unit: _show_day(reply, unit, reply.context.services.roster.today(unit)),
)


def _cancellable(roster: DayRoster, actor: Actor) -> list[tuple[GridDay, RosterEntry]]:
    """Shifts of the day the actor may cancel."""
    return [
        (grid_day, entry)
        for grid_day in roster.grids
        if can(actor, Action.MANAGE_ROSTER, grid_day.unit)
        for entry in grid_day.entries
        if entry.shift.status in CANCELLABLE
    ]


def _day_text(reply: Reply, roster: DayRoster) -> Html:
    now = reply.context.services.clock.now()
    counted = [c for c in roster.coverage if c.grids or c.shifts or c.cancelled]
    parts: list[str] = [_coverage_line(reply, c) for c in counted]
    if parts:
        parts.append("")  # a blank line between the counts and the grids
    if not roster.grids:
        parts.append(reply.t("roster-no-grids"))
    for grid_day in roster.grids:
        grid = grid_day.grid
        below = grid_day.unit.id != roster.unit.id
        where = reply.t("roster-in-unit", unit=grid_day.unit.name) if below else ""
        if not grid_day.entries:
            parts.append(reply.t("roster-grid-empty", code=grid.code, name=grid.name, unit=where))
            continue
        shifts = [
            reply.t(
                "roster-shift-line",
                time=shift_time(e.shift, grid_day.unit, reply),
                name=e.member_name or "—",
                status=reply.t(status_key(e.shift.status, started=e.shift.starts_at <= now)),
            )
            for e in grid_day.entries
        ]
        head = reply.t("roster-grid", code=grid.code, name=grid.name, unit=where)
        parts.append(join_html("\n", [head, *shifts]))
    header = reply.t(
        "roster-day", unit=roster.unit.name, day=format_day(roster.day, reply.language)
    )
    return Html(f"{header}\n{fold(parts, reply)}")


def _coverage_line(reply: Reply, c: UnitCoverage) -> str:
    counts = [
        ("roster-count-assigned", c.assigned),
        ("roster-count-confirmed", c.confirmed),
        ("roster-count-open", c.open),
        ("roster-count-uncovered", c.unfilled),
        ("roster-count-started", c.started),
        ("roster-count-completed", c.completed),
        ("roster-count-no-show", c.no_show),
    ]
    shown = [reply.t(key, n=n) for key, n in counts if n]
    return reply.t(
        "roster-coverage",
        unit=c.unit.name,
        grids=c.grids,
        uncovered=c.uncovered,
        counts=join_html(" · ", shown) if shown else reply.t("roster-count-none"),
    )


async def roster_cancel_list(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    _, _, unit_id, day_text, *page = _pressed(reply)
    unit = await context.services.org.unit(int(unit_id))
    day = _parse_day_data(day_text)
    if unit is None or day is None:
        await reply.toast("button-stale")
        return
    actor = await actor_of(update, context)
    try:
        roster = await context.services.roster.day_roster(actor, unit, day)
    except PermissionDeniedError:
        await reply.toast("access-denied")
        return
    await reply.toast("")
    buttons = [
        (
            f"{shift_time(e.shift, g.unit, reply)} {g.grid.code} {e.member_name or '—'}",
            f"rs:c:{e.shift.id}:{unit.id}",
        )
        for g, e in _cancellable(roster, actor)
    ]
    turn = f"rs:cl:{_day_data(unit.id, day)}:"
    back = [(reply.t("button-back"), f"rs:d:{_day_data(unit.id, day)}")]
    rows: Buttons = [*paged(buttons, int(page[0]) if page else 0, turn, reply), back]
    await reply.edit("roster-cancel-choose", rows, day=format_day(day, reply.language))


async def _shift_of(reply: Reply) -> tuple[Shift, Grid, Unit, Unit] | None:
    """The pressed shift, its grid and unit, and the unit whose day is being viewed."""
    _, _, shift_id, view_id = _pressed(reply)
    services = reply.context.services
    found = await services.roster.shift(int(shift_id))
    view = await services.org.unit(int(view_id))
    if found is None or view is None:
        return None
    return *found, view


async def roster_cancel_ask(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    found = await _shift_of(reply)
    if found is None or found[0].status not in CANCELLABLE:
        await reply.toast("button-stale")
        return
    shift, grid, unit, view = found
    if await _allowed(reply, Action.MANAGE_ROSTER, unit, f"cancel shift {shift.id}") is None:
        await reply.toast("access-denied")
        return
    await reply.toast("")
    day = date.fromisoformat(shift.day)
    member = await context.services.membership.by_id(shift.member_id) if shift.member_id else None
    rows: Buttons = [
        [(reply.t("roster-cancel-confirm"), f"rs:k:{shift.id}:{view.id}")],
        [(reply.t("button-back"), f"rs:d:{_day_data(view.id, day)}")],
    ]
    text = reply.t(
        "roster-cancel-ask",
        grid=grid_label(grid),
        when=f"{format_day(day, reply.language)} {shift_time(shift, unit, reply)}",
        name=member.display_name if member else "—",
    )
    if member is not None:
        text = Html(f"{text}\n{reply.t('roster-cancel-told', name=member.display_name)}")
    await reply.edit_text(text, rows)


async def roster_cancel(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    found = await _shift_of(reply)
    if found is None:
        await reply.toast("button-stale")
        return
    shift, _, unit, view = found
    services = context.services

    async def notice(shift: Shift, grid: Grid, member: Member) -> NewMessage | None:
        if member.telegram_id is None:
            return None
        text = services.i18n.t(
            member.language,
            "roster-cancelled-notice",
            grid=grid_label(grid),
            day=format_day(date.fromisoformat(shift.day), member.language),
            time=shift_time(shift, unit, reply),
        )
        return notice_message(
            member.telegram_id, text, not_before=services.clock.now(), member_id=member.id
        )

    try:
        await services.roster.cancel_shift(await actor_of(update, context), shift.id, notice)
    except PermissionDeniedError:
        await reply.toast("access-denied")
        return
    except RosterError:
        toast = "button-stale"
    else:
        toast = "roster-cancel-done"
        wake_delivery(context)
    await _show_day(reply, view, date.fromisoformat(shift.day), toast)


# Registration ------------------------------------------------------------------------------


def _back(go: Callable[[Reply, int], Awaitable[int]], state: int) -> Any:
    async def handler(update: Update, context: MusterContext) -> int:
        reply = await Reply.to(update, context)
        await reply.toast("")
        return await go(reply, state)

    return handler


def _with_back(
    flow: Flow, go: Callable[[Reply, int], Awaitable[int]], states: dict[object, list[Any]]
) -> dict[object, list[Any]]:
    """Every state but the first gets the flow's Back button."""
    for state, handlers in states.items():
        if isinstance(state, int) and state != UNIT:
            handlers.append(CallbackQueryHandler(_back(go, state), pattern=flow.back_pattern))
    return states


def register(app: MusterApp) -> None:
    ident = r"\d{1,12}"
    page = r"\d{1,6}"
    app.add_handler(
        ADD_GRID.conversation(
            entry_points=[CallbackQueryHandler(grid_add, pattern=rf"^gr:a:{ident}$")],
            states=_with_back(
                ADD_GRID,
                _add_back,
                {
                    G_CODE: [MessageHandler(TYPED, grid_code)],
                    G_NAME: [MessageHandler(TYPED, grid_name)],
                    G_CENTRE: [
                        MessageHandler(PRIVATE & ~filters.COMMAND, grid_centre),
                        CallbackQueryHandler(grid_skip_centre, pattern=r"^ga:s$"),
                    ],
                    G_RADIUS: [
                        MessageHandler(TYPED, grid_radius),
                        CallbackQueryHandler(grid_radius, pattern=r"^ga:r:\d{1,6}$"),
                    ],
                },
            ),
        )
    )
    app.add_handler(
        ASSIGN.conversation(
            entry_points=[CommandHandler("assign", assign_start, filters=PRIVATE)],
            states=_with_back(
                ASSIGN,
                _assign_back,
                {
                    UNIT: [
                        CallbackQueryHandler(assign_unit, pattern=rf"^as:u:{ident}$"),
                        CallbackQueryHandler(assign_unit_page, pattern=rf"^as:p:{page}$"),
                        MessageHandler(TYPED, assign_unit_search),
                    ],
                    A_GRID: [
                        CallbackQueryHandler(assign_grid, pattern=rf"^as:g:{ident}$"),
                        CallbackQueryHandler(assign_grid_page, pattern=rf"^as:gp:{page}$"),
                    ],
                    A_MEMBER: [
                        CallbackQueryHandler(assign_member, pattern=rf"^as:m:{ident}$"),
                        CallbackQueryHandler(assign_member_page, pattern=rf"^as:mp:{page}$"),
                        MessageHandler(TYPED, assign_member_search),
                    ],
                    A_DATE: [
                        CallbackQueryHandler(assign_date, pattern=r"^as:d:[01]$"),
                        MessageHandler(TYPED, assign_date),
                    ],
                    A_TIME: [MessageHandler(TYPED, assign_time)],
                    A_REPEAT: [
                        CallbackQueryHandler(assign_repeat, pattern=r"^as:r:\d{1,2}$"),
                        MessageHandler(TYPED, assign_repeat),
                    ],
                    A_PREVIEW: [CallbackQueryHandler(assign_save, pattern=r"^as:ok$")],
                },
            ),
        )
    )
    app.add_handler(CommandHandler("grids", GRID_UNITS.command, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(GRID_UNITS.turn, pattern=rf"^gr:p:{page}$"))
    app.add_handler(CallbackQueryHandler(grids_unit, pattern=rf"^gr:u:{ident}(:{page})?$"))
    app.add_handler(CallbackQueryHandler(grid_off_ask, pattern=rf"^gr:d:{ident}$"))
    app.add_handler(CallbackQueryHandler(grid_off, pattern=rf"^gr:k:{ident}$"))
    app.add_handler(MessageHandler(PRIVATE & SPREADSHEET, upload))
    app.add_handler(CallbackQueryHandler(upload_confirm, pattern=r"^ru:ok$"))
    app.add_handler(CallbackQueryHandler(upload_cancel, pattern=r"^ru:x$"))
    app.add_handler(CommandHandler("roster", ROSTER_UNITS.command, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(ROSTER_UNITS.turn, pattern=rf"^rs:p:{page}$"))
    app.add_handler(CallbackQueryHandler(roster_unit, pattern=rf"^rs:u:{ident}$"))
    app.add_handler(CallbackQueryHandler(roster_day, pattern=rf"^rs:d:{ident}:\d{{8}}$"))
    app.add_handler(
        CallbackQueryHandler(roster_cancel_list, pattern=rf"^rs:cl:{ident}:\d{{8}}(:{page})?$")
    )
    app.add_handler(CallbackQueryHandler(roster_cancel_ask, pattern=rf"^rs:c:{ident}:{ident}$"))
    app.add_handler(CallbackQueryHandler(roster_cancel, pattern=rf"^rs:k:{ident}:{ident}$"))
