"""``/grids``: a unit's grids, deactivating one and adding one. Rules live in
``bot/duty/grids.py``."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.duty import buttons as b
from bot.duty.grids import name_problem
from bot.duty.reading import RosterError, parse_radius
from bot.duty.wording import grid_label
from bot.kit.forms import on_earth
from bot.kit.i18n import Html, join_html
from bot.org.authz import Action, PermissionDeniedError
from handlers.duty.kit import (
    FOLD_AT,
    TYPED,
    UnitScreen,
    allowed,
    paged,
    say_problem,
    with_back,
)
from handlers.kit.common import (
    PRIVATE,
    Buttons,
    MusterApp,
    MusterContext,
    Reply,
    actor_of,
)
from handlers.kit.flow import DraftFlow
from storage.models import Grid, Unit

SHOWN_GRIDS = 30
RADIUS_CHOICES = (200, 500, 1000)


# /grids: the list and deactivating are plain buttons (nothing waits for typing); adding
# a grid is a short conversation that ends back at the list.

G_CODE, G_NAME, G_CENTRE, G_RADIUS = range(1, 5)


@dataclass
class GridDraft:
    unit: int | None = None
    code: str | None = None
    name: str | None = None
    lat: float | None = None  # the centre, when shared
    lon: float | None = None


ADD_GRID = DraftFlow("grid_add", b.ADD_GRID, "grids-add-cancelled", GridDraft)


async def grids_unit(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    pressed = reply.pressed(b.GridUnit)
    unit = await context.services.org.unit(pressed.unit)
    if unit is None:
        await reply.toast("button-stale")
        return
    await _grid_list(reply, unit, pressed.page or 0)


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
    buttons = [
        (reply.label("grids-off-button", grid=grid_label(g)), b.GridOffAsk(g.id).pack())
        for g in grids
    ]
    rows: list[list[tuple[str, str]]] = [
        *paged(buttons, page, lambda n: b.GridUnit(unit.id, n), reply),
        [(reply.t("grids-add-button"), b.GridAdd(unit.id).pack())],
    ]
    if await GRID_UNITS.several(reply):
        rows.append([(reply.t("roster-units-button"), b.GridUnits(0).pack())])
    await reply.show_text(text, rows, new=reply.update.callback_query is None)


GRID_UNITS = UnitScreen(
    Action.MANAGE_ROSTER,
    b.GridUnit,
    b.GridUnits,
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
        grid, unit = await roster.grid_for(
            await actor_of(update, context), reply.pressed(b.GridOffAsk).grid
        )
    except (PermissionDeniedError, RosterError):
        await reply.toast("button-stale")
        return
    if not grid.active:
        await reply.toast("button-stale")
        return
    await reply.toast("")
    rows: Buttons = [
        [(reply.t("grids-off-confirm"), b.GridOff(grid.id).pack())],
        [(reply.t("button-back"), b.GridUnit(unit.id).pack())],
    ]
    upcoming = await roster.upcoming_shifts(grid)
    await reply.edit("grids-off-ask", rows, grid=grid_label(grid), count=upcoming)


async def grid_off(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    actor = await actor_of(update, context)
    roster = context.services.roster
    try:
        grid = await roster.deactivate_grid(actor, reply.pressed(b.GridOff).grid)
    except (PermissionDeniedError, RosterError):
        await reply.toast("button-stale")
        return
    unit = await context.services.org.unit(grid.unit_id)
    assert unit is not None
    await _grid_list(reply, unit, 0, reply.t("grids-off-done", grid=grid_label(grid)))


async def _add_unit(reply: Reply) -> Unit | None:
    """The unit a grid is being added to, if the person may still do that."""
    unit_id = ADD_GRID.state(reply.context).unit
    unit = await reply.context.services.org.unit(unit_id) if unit_id else None
    return await allowed(reply, Action.MANAGE_ROSTER, unit, "add grid")


async def grid_add(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    ADD_GRID.fresh(context).unit = reply.pressed(b.GridAdd).unit
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
    ADD_GRID.state(context).code = code
    return await _ask_name(reply, new=True)


async def _ask_name(reply: Reply, *, new: bool) -> int:
    code = ADD_GRID.state(reply.context).code or ""
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
    ADD_GRID.state(context).name = name
    return await _ask_centre(reply, new=True)


async def _ask_centre(reply: Reply, *, new: bool) -> int:
    rows: Buttons = [[(reply.t("grids-skip"), b.SkipCentre().pack())], ADD_GRID.controls(reply)]
    await reply.show_text(reply.t("grids-ask-centre"), rows, new=new)
    return G_CENTRE


async def grid_centre(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    message = update.message
    location = message.location if message else None
    if location is None or not on_earth(location.latitude, location.longitude):
        await reply.send("grids-centre-expected")
        return G_CENTRE
    draft = ADD_GRID.state(context)
    draft.lat, draft.lon = location.latitude, location.longitude
    return await _ask_radius(reply, new=True)


async def _ask_radius(reply: Reply, *, new: bool) -> int:
    choices = [(reply.label("grids-metres", n=n), b.GridRadius(n).pack()) for n in RADIUS_CHOICES]
    rows: Buttons = [choices, ADD_GRID.controls(reply)]
    await reply.show_text(reply.t("grids-ask-radius"), rows, new=new)
    return G_RADIUS


async def grid_radius(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    if update.callback_query is not None:
        await reply.toast("")
        radius = parse_radius(str(reply.pressed(b.GridRadius).metres))
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
    ADD_GRID.state(context).lat = None
    return await _save_grid(reply, None)


async def _save_grid(reply: Reply, radius: int | None) -> int:
    context = reply.context
    draft = ADD_GRID.state(context)
    unit = await _add_unit(reply)
    if unit is None or draft.code is None or draft.name is None:
        await reply.show_text(reply.t("roster-not-allowed"), None, new=True)
        return ADD_GRID.end(context)
    try:
        grid = await context.services.roster.add_grid(
            await actor_of(reply.update, context),
            unit,
            draft.code,
            draft.name,
            lat=draft.lat,
            lon=draft.lon,
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


def register(app: MusterApp) -> None:
    app.add_handler(
        ADD_GRID.conversation(
            entry_points=[CallbackQueryHandler(grid_add, pattern=b.GridAdd.pattern)],
            states=with_back(
                ADD_GRID,
                _add_back,
                {
                    G_CODE: [MessageHandler(TYPED, grid_code)],
                    G_NAME: [MessageHandler(TYPED, grid_name)],
                    G_CENTRE: [
                        MessageHandler(PRIVATE & ~filters.COMMAND, grid_centre),
                        CallbackQueryHandler(grid_skip_centre, pattern=b.SkipCentre.pattern),
                    ],
                    G_RADIUS: [
                        MessageHandler(TYPED, grid_radius),
                        CallbackQueryHandler(grid_radius, pattern=b.GridRadius.pattern),
                    ],
                },
            ),
        )
    )
    app.add_handler(CommandHandler("grids", GRID_UNITS.command, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(GRID_UNITS.turn, pattern=b.GridUnits.pattern))
    app.add_handler(CallbackQueryHandler(grids_unit, pattern=b.GridUnit.pattern))
    app.add_handler(CallbackQueryHandler(grid_off_ask, pattern=b.GridOffAsk.pattern))
    app.add_handler(CallbackQueryHandler(grid_off, pattern=b.GridOff.pattern))
