"""``/roster``: a unit's shifts day by day, and cancelling one. Rules live in
``bot/duty/roster.py``."""

from __future__ import annotations

from datetime import date, timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.duty.buttons import (
    RosterCancel,
    RosterCancelAsk,
    RosterCancelList,
    RosterDay,
    RosterShift,
    RosterUnit,
    RosterUnits,
)
from bot.duty.plans import DayRoster, GridDay, RosterEntry, UnitCoverage
from bot.duty.reading import RosterError
from bot.duty.roster import CANCELLABLE
from bot.duty.wording import COVERAGE_COUNTS, grid_label, status_key
from bot.kit.i18n import Html, format_day, join_html
from bot.org.authz import Action, Actor, PermissionDeniedError, can
from handlers.duty.kit import UnitScreen, allowed, fold, paged, shift_time
from handlers.kit.common import (
    PRIVATE,
    Buttons,
    MusterApp,
    MusterContext,
    Reply,
    actor_of,
    wake_delivery,
)
from storage.models import Grid, Shift, Unit

# /roster ---------------------------------------------------------------------------------


def _unit_day(
    reply: Reply, kind: type[RosterDay] | type[RosterCancelList]
) -> RosterDay | RosterCancelList | None:
    """The pressed unit-and-day button, None if its day is not one (forged or damaged)."""
    query = reply.update.callback_query
    return kind.parse(query.data if query else None)


async def roster_unit(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    unit = await context.services.org.unit(reply.pressed(RosterUnit).id)
    if unit is None:
        await reply.toast("button-stale")
        return
    await _show_day(reply, unit, context.services.roster.today(unit))


async def roster_day(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    pressed = _unit_day(reply, RosterDay)
    unit = await context.services.org.unit(pressed.unit) if pressed else None
    if unit is None or pressed is None:
        await reply.toast("button-stale")
        return
    await _show_day(reply, unit, pressed.day)


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
            (f"‹ {format_day(earlier, lang)}", RosterDay(unit.id, earlier).pack()),
            (f"{format_day(later, lang)} ›", RosterDay(unit.id, later).pack()),
        ]
    ]
    if _cancellable(roster, actor):
        rows.append([(reply.t("roster-cancel-button"), RosterCancelList(unit.id, day).pack())])
    if await ROSTER_UNITS.several(reply):
        rows.append([(reply.t("roster-units-button"), RosterUnits(0).pack())])
    await reply.show_text(_day_text(reply, roster), rows, new=reply.update.callback_query is None)


ROSTER_UNITS = UnitScreen(
    Action.VIEW_UNIT,
    RosterUnit,
    RosterUnits,
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
    counts = [(key, getattr(c, name)) for key, name in COVERAGE_COUNTS]
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
    pressed = _unit_day(reply, RosterCancelList)
    unit = await context.services.org.unit(pressed.unit) if pressed else None
    if unit is None or pressed is None:
        await reply.toast("button-stale")
        return
    day = pressed.day
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
            RosterCancelAsk(e.shift.id, unit.id).pack(),
        )
        for g, e in _cancellable(roster, actor)
    ]
    page = (pressed.page or 0) if isinstance(pressed, RosterCancelList) else 0
    back = [(reply.t("button-back"), RosterDay(unit.id, day).pack())]
    rows: Buttons = [
        *paged(buttons, page, lambda n: RosterCancelList(unit.id, day, n), reply),
        back,
    ]
    await reply.edit("roster-cancel-choose", rows, day=format_day(day, reply.language))


async def _shift_of(reply: Reply) -> tuple[Shift, Grid, Unit, Unit] | None:
    """The pressed shift, its grid and unit, and the unit whose day is being viewed."""
    pressed = reply.pressed(RosterShift)
    services = reply.context.services
    found = await services.roster.shift(pressed.shift)
    view = await services.org.unit(pressed.unit)
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
    if await allowed(reply, Action.MANAGE_ROSTER, unit, f"cancel shift {shift.id}") is None:
        await reply.toast("access-denied")
        return
    await reply.toast("")
    day = date.fromisoformat(shift.day)
    member = await context.services.membership.by_id(shift.member_id) if shift.member_id else None
    rows: Buttons = [
        [(reply.t("roster-cancel-confirm"), RosterCancel(shift.id, view.id).pack())],
        [(reply.t("button-back"), RosterDay(view.id, day).pack())],
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
    shift, _, _, view = found
    try:
        await context.services.roster.cancel_shift(await actor_of(update, context), shift.id)
    except PermissionDeniedError:
        await reply.toast("access-denied")
        return
    except RosterError:
        toast = "button-stale"
    else:
        toast = "roster-cancel-done"
        wake_delivery(context)
    await _show_day(reply, view, date.fromisoformat(shift.day), toast)


def register(app: MusterApp) -> None:
    app.add_handler(CommandHandler("roster", ROSTER_UNITS.command, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(ROSTER_UNITS.turn, pattern=RosterUnits.pattern))
    app.add_handler(CallbackQueryHandler(roster_unit, pattern=RosterUnit.pattern))
    app.add_handler(CallbackQueryHandler(roster_day, pattern=RosterDay.pattern))
    app.add_handler(CallbackQueryHandler(roster_cancel_list, pattern=RosterCancelList.pattern))
    app.add_handler(CallbackQueryHandler(roster_cancel_ask, pattern=RosterCancelAsk.pattern))
    app.add_handler(CallbackQueryHandler(roster_cancel, pattern=RosterCancel.pattern))
