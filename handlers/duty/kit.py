"""What the roster screens (``/grids``, ``/assign``, ``/roster``, a roster file) share:
unit pickers, problem lists, labels, scope checks and the Back button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from telegram import Update
from telegram.ext import CallbackQueryHandler, filters

from bot.duty.plans import PlannedShift
from bot.duty.reading import Problem, describe
from bot.kit.callbacks import Chosen, Turned
from bot.kit.i18n import Html, format_day, join_html
from bot.org.authz import Action
from bot.org.service import TreeLine, search_units
from handlers.kit import files, pickers
from handlers.kit.common import (
    PRIVATE,
    Buttons,
    MusterContext,
    Reply,
    actor_of,
    units_for,
    units_or_refuse,
)
from handlers.kit.flow import DraftFlow, Flow
from handlers.kit.pickers import Make, unit_rows
from storage.models import Shift, Unit

TYPED = PRIVATE & filters.TEXT & ~filters.COMMAND
# Telegram's limit is 4096; room is left for the "…and N more" line.
FOLD_AT = files.FOLD_AT


def fold(parts: Sequence[str], reply: Reply, *, limit: int = FOLD_AT) -> Html:
    """Lines joined while they fit one message; the rest counted as "…and N more"."""
    return join_html("\n", reply.fold(parts, lambda part: part, chars=limit))


def paged(
    items: Sequence[tuple[str, str]], page: int, turn: Make, reply: Reply
) -> list[list[tuple[str, str]]]:
    """One button per item, a page of them, then ‹ › to ``turn(page)``."""
    previous, more = reply.t("button-previous"), reply.t("button-more")
    return pickers.paged(items, page, button=lambda b: b, turn=turn, previous=previous, more=more)


def problems_text(reply: Reply, problems: Sequence[Problem]) -> Html:
    i18n = reply.context.services.i18n
    return files.problems_text(reply, problems, lambda p: describe(i18n, reply.language, p))


async def say_problem(reply: Reply, problem: Problem) -> None:
    await reply.send_text(describe(reply.context.services.i18n, reply.language, problem))


def span_text(plan: PlannedShift, reply: Reply) -> str:
    first = plan.spans[0]
    starts, ends = first.starts_at.astimezone(plan.zone), first.ends_at.astimezone(plan.zone)
    return f"{format_day(first.day, reply.language)} {starts:%H:%M}–{ends:%H:%M}"


def shift_time(shift: Shift, unit: Unit, reply: Reply) -> str:
    zone = reply.context.services.roster.zone_of(unit)
    return f"{shift.starts_at.astimezone(zone):%H:%M}–{shift.ends_at.astimezone(zone):%H:%M}"


async def allowed(reply: Reply, action: Action, unit: Unit | None, detail: str) -> Unit | None:
    """``unit`` if it exists and the person may take ``action`` on it; a refusal is
    audited."""
    if unit is None:
        return None
    actor = await actor_of(reply.update, reply.context)
    return unit if await reply.context.services.authz.allows(actor, action, unit, detail) else None


@dataclass
class PickedUnit:
    """The ``Picker``'s part of a flow's draft."""

    unit: int | None = None
    page: int = 0
    query: str | None = None  # what the unit list was narrowed to
    single: bool = False  # the person has one unit in scope: no list, no Back to it


P = TypeVar("P", bound=PickedUnit)


class Picker(Generic[P]):
    """A flow's first step: units in scope for ``action``, page by page, or found by typing
    part of a name or a code (as ``/invite`` does)."""

    def __init__(self, flow: DraftFlow[P], action: Action, prompt: str) -> None:
        self.flow = flow
        self.choose = flow.family.adopt(Chosen, "u")
        self.turn_page = flow.family.adopt(Turned, "p")
        self.action = action
        self.prompt = prompt

    async def lines(self, reply: Reply) -> list[TreeLine]:
        lines = await units_for(reply.update, reply.context, self.action)
        query = self.flow.state(reply.context).query
        return search_units(lines, query) if query else lines

    async def ask(self, reply: Reply, *, new: bool) -> None:
        lines = await self.lines(reply)
        draft = self.flow.state(reply.context)
        rows: Buttons = [
            *unit_rows(
                lines,
                draft.page,
                choose=self.choose,
                turn=self.turn_page,
                previous=reply.t("button-previous"),
                more=reply.t("button-more"),
            ),
            self.flow.controls(reply, back=False),
        ]
        await reply.show_text(reply.t(self.prompt, count=len(lines)), rows, new=new)

    async def turn(self, reply: Reply) -> None:
        await reply.toast("")
        self.flow.state(reply.context).page = reply.pressed(self.turn_page).page
        await self.ask(reply, new=False)

    async def search(self, reply: Reply) -> bool:
        """Typed text narrows the list; False (and a message) when nothing matches."""
        message = reply.update.message
        text = (message.text or "").strip()[:64] if message else ""
        found = search_units(await units_for(reply.update, reply.context, self.action), text)
        if not found:
            await reply.send("invite-unit-not-found", query=text)
            return False
        draft = self.flow.state(reply.context)
        draft.query, draft.page = text, 0
        await self.ask(reply, new=True)
        return True

    async def unit(self, reply: Reply) -> Unit | None:
        """The drafted unit, if it exists and the person may still act on it (a refusal
        is audited)."""
        unit_id = self.flow.state(reply.context).unit
        unit = await reply.context.services.org.unit(unit_id) if unit_id else None
        return await allowed(reply, self.action, unit, self.flow.key)

    async def start(self, reply: Reply, then: Callable[[Reply, bool], Awaitable[int]]) -> int:
        """Begin the flow: straight on when there is one unit, else the unit list."""
        lines = await units_or_refuse(reply, self.action, f"/{self.flow.key}", "roster-not-allowed")
        draft = self.flow.fresh(reply.context)
        if not lines:
            return self.flow.end(reply.context)
        draft.single = len(lines) == 1
        if len(lines) == 1:
            draft.unit = lines[0].unit.id
            return await then(reply, True)
        await self.ask(reply, new=True)
        return UNIT

    async def chosen(self, reply: Reply, then: Callable[[Reply, bool], Awaitable[int]]) -> int:
        self.flow.state(reply.context).unit = reply.pressed(self.choose).id
        if await self.unit(reply) is None:
            await reply.toast("access-denied")
            return UNIT
        await reply.toast("")
        return await then(reply, False)


UNIT = 0  # the Picker's state


class UnitScreen:
    """A screen about one unit, reached by a command: straight to it when the person has
    one unit in scope for ``action``, else a list of them page by page (``choose(id)`` to
    open one, ``turn`` to another page). Nothing waits for typing, so no other flow's text
    is taken."""

    def __init__(
        self,
        action: Action,
        choose: Make,
        turn: type[Turned],
        prompt: str,
        show: Callable[[Reply, Unit], Awaitable[None]],
    ) -> None:
        self.action, self.choose, self.turn_page = action, choose, turn
        self.prompt, self.show = prompt, show

    async def command(self, update: Update, context: MusterContext) -> None:
        reply = await Reply.to(update, context)
        assert update.message is not None and update.message.text is not None
        command = update.message.text.split()[0]
        lines = await units_or_refuse(reply, self.action, command, "roster-not-allowed")
        if not lines:
            return
        if len(lines) == 1:
            await self.show(reply, lines[0].unit)
        else:
            await self.units(reply, lines, 0)

    async def turn(self, update: Update, context: MusterContext) -> None:
        reply = await Reply.to(update, context)
        await reply.toast("")
        lines = await units_for(update, context, self.action)
        await self.units(reply, lines, reply.pressed(self.turn_page).page)

    async def units(self, reply: Reply, lines: list[TreeLine], page: int) -> None:
        rows = unit_rows(
            lines,
            page,
            choose=self.choose,
            turn=self.turn_page,
            previous=reply.t("button-previous"),
            more=reply.t("button-more"),
        )
        text = reply.t(self.prompt, count=len(lines))
        await reply.show_text(text, rows, new=reply.update.callback_query is None)

    async def several(self, reply: Reply) -> bool:
        """Whether the person has more than one unit (a way back to the list is useful)."""
        return len(await units_for(reply.update, reply.context, self.action)) > 1


def _back(go: Callable[[Reply, int], Awaitable[int]], state: int) -> Any:
    async def handler(update: Update, context: MusterContext) -> int:
        reply = await Reply.to(update, context)
        await reply.toast("")
        return await go(reply, state)

    return handler


def with_back(
    flow: Flow, go: Callable[[Reply, int], Awaitable[int]], states: dict[object, list[Any]]
) -> dict[object, list[Any]]:
    """Every state but the first gets the flow's Back button."""
    for state, handlers in states.items():
        if isinstance(state, int) and state != UNIT:
            handlers.append(CallbackQueryHandler(_back(go, state), pattern=flow.back.pattern))
    return states
