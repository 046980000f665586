"""``/directives``: recent directives in the viewer's scope, one opened with its per-unit
breakdown, the silent members, "remind now", exports, and cancelling."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.config import dashboard_url
from bot.directives import buttons as b
from bot.directives.answers import ExportRow
from bot.directives.drafting import DirectiveError
from bot.directives.onbehalf import phone_rows
from bot.directives.render import DELIVERY_KEYS, STATE_KEYS, channel_lines
from bot.directives.service import DirectiveView, Totals
from bot.kit.i18n import Html, first_words, format_date_iso, format_day, join_html
from bot.kit.reach import entry_words, reached_word
from bot.kit.tables import Cell, csv_bytes, xlsx_bytes
from bot.kit.webapp import web_app_button
from bot.org.authz import Action, PermissionDeniedError
from handlers.directives import headcount
from handlers.directives.chosen import answer_columns, follow_up_rows
from handlers.kit.common import (
    PRIVATE,
    Buttons,
    MusterApp,
    MusterContext,
    Reply,
    actor_of,
    wake_delivery,
)
from storage.answers import Answer
from storage.directives import Directive, UnitTally
from storage.fallback import ChannelTally
from storage.models import Unit
from storage.reach import Lines

SHOWN = 10
# Characters of a directive's opening: in a list line, on its button, in its detail.
LINE_WORDS, BUTTON_WORDS, DETAIL_WORDS = 40, 24, 200
EXPORT_COLUMNS = (
    "export-unit-code",
    "export-unit",
    "export-member",
    "export-delivery",
    "export-sent",
    "export-acknowledged",
)


def _status(
    reply: Reply, directive: Directive, totals: Totals, channels: Sequence[ChannelTally] = ()
) -> str:
    status = reply.t(
        "watch-status",
        state=reply.t(STATE_KEYS[directive.status]),
        sent=totals.sent,
        total=totals.recipients,
        # A question's answers are in its headcount, not counted as acknowledgements.
        acked=totals.acked if directive.ack_required and not directive.question else -1,
        # A question's first answer sets acked_at: those are the members who answered.
        answered=totals.acked if directive.question else -1,
        unreachable=totals.unreachable,
    )
    lines = channel_lines(reply.context.services.i18n, reply.language, directive, list(channels))
    return "\n".join([status, *lines])


def _dashboard(reply: Reply) -> Buttons:
    """The dashboard's button under the list, while it is served (the list's viewers are
    its viewers: secretaries, coordinators, admins)."""
    if (url := dashboard_url(reply.context.services.settings)) is None:
        return []
    return [[web_app_button(reply.label("dashboard-button"), url)]]


async def _listing(reply: Reply) -> tuple[str, Buttons]:
    context = reply.context
    actor = await actor_of(reply.update, context)
    recent = await context.services.directives.recent(actor)
    if not recent:
        return reply.t("watch-none"), _dashboard(reply)
    zone = context.services.settings.zone
    lines: list[str] = []
    rows: list[list[tuple[str, str]]] = []
    for number, (directive, totals) in enumerate(recent, start=1):
        when = directive.send_at.astimezone(zone)
        lines.append(
            reply.t(
                "watch-line",
                number=str(number),
                when=f"{format_date_iso(when)} {when:%H:%M}",
                text=first_words(directive.text, LINE_WORDS),
                status=_status(reply, directive, totals),
            )
        )
        label = reply.label(
            "watch-button",
            number=str(number),
            day=format_day(when, reply.language),
            text=first_words(directive.text, BUTTON_WORDS),
        )
        rows.append([(label, b.OpenDirective(directive.id).pack())])
    return reply.t("watch-list", lines=join_html("\n", lines)), [*rows, *_dashboard(reply)]


async def list_directives(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    actor = await actor_of(update, context)
    if not actor.is_admin and not actor.scopes(*[r for r, _ in actor.grants]):
        await context.services.authz.refuse(actor, Action.VIEW_UNIT, "/directives")
        await reply.send("watch-not-allowed")
        return
    await reply.send_text(*await _listing(reply))


def _detail(reply: Reply, view: DirectiveView) -> tuple[str, Buttons]:
    directive, totals = view.directive, view.totals
    zone = reply.context.services.settings.zone

    def line(pair: tuple[Unit, UnitTally]) -> Html:
        unit, tally = pair
        done = tally.acked if directive.ack_required else tally.sent
        percent = round(100 * done / tally.recipients) if tally.recipients else 0
        key = "watch-unit-acked" if directive.ack_required else "watch-unit-sent"
        return reply.t(key, unit=unit.name, done=done, total=tally.recipients, percent=percent)

    units = reply.fold(view.units, line, count=SHOWN)
    silent = [s.display_name + (" ⚠️" if s.unreachable else "") for s, _ in view.stragglers]
    names = reply.context.services.i18n.names(reply.language, silent, str, count=SHOWN)
    when = directive.send_at.astimezone(zone)
    text = reply.t(
        "watch-detail",
        unit=view.from_unit.name,
        when=f"{format_date_iso(when)} {when:%H:%M}",
        text=first_words(directive.text, DETAIL_WORDS),
        status=_status(reply, directive, totals, view.channels),
        units=join_html("\n", units) or "—",
        silent=names if directive.ack_required else "",
        silent_count=len(silent) if directive.ack_required else -1,
    )
    return text, _actions(reply, view)


def _actions(reply: Reply, view: DirectiveView) -> Buttons:
    """Remind now, the exports, withdrawing, and back to the list."""
    directive = view.directive
    rows: list[list[tuple[str, str]]] = []
    if view.can_remind and any(not s.unreachable for s, _ in view.stragglers):
        rows.append([(reply.t("watch-remind"), b.RemindDirective(directive.id).pack())])
    if view.can_remind:  # may send there: may message those who chose an answer
        rows += follow_up_rows(reply, directive, view.from_unit, drilled=False)
    rows.append(
        [("CSV", b.ExportCsv(directive.id).pack()), ("XLSX", b.ExportXlsx(directive.id).pack())]
    )
    if view.can_cancel:
        rows.append([(reply.t("watch-cancel"), b.AskCancelDirective(directive.id).pack())])
    rows.append([(reply.t("watch-back"), b.DirectiveList().pack())])
    return rows


async def _screen(reply: Reply, view: DirectiveView, page: int = 0) -> tuple[str, Buttons]:
    """A directive's detail; a question's shows its headcount instead (headcount.py)."""
    directive = view.directive
    on_behalf = reply.context.services.on_behalf
    entries = headcount.entries_block(reply, await on_behalf.entries(directive.id, view.scope))
    if directive.question is None:
        text, rows = _detail(reply, view)
        reach = await on_behalf.lines(directive.id, "/", Lines.UNIT)
        block = headcount.reach_block(
            reply, [(unit, reach.get(unit.path)) for unit, _ in view.units]
        )
        shown = join_html("\n\n", [part for part in (text, block, entries) if part])
        return shown, [*await _phone(reply, view), *rows]
    when = directive.send_at.astimezone(reply.context.services.settings.zone)
    heading = reply.t(
        "watch-detail-question",
        unit=view.from_unit.name,
        when=f"{format_date_iso(when)} {when:%H:%M}",
        text=first_words(directive.text, DETAIL_WORDS),
        status=_status(reply, directive, view.totals, view.channels),
    )
    return await headcount.question_detail(
        reply, directive, heading, _actions(reply, view), page, below=entries
    )


async def _phone(reply: Reply, view: DirectiveView) -> Buttons:
    """ "📞 Reached by phone" for the silent the viewer is a secretary of."""
    if not view.directive.ack_required:
        return []
    actor = await actor_of(reply.update, reply.context)
    services = reply.context.services
    silent = [
        (s.member_id, s.display_name)
        for s, unit in view.stragglers
        if services.on_behalf.may_record(actor, unit)
    ]
    return phone_rows(services.i18n, reply.language, view.directive.id, silent)


async def _view(reply: Reply, directive_id: int) -> DirectiveView | None:
    actor = await actor_of(reply.update, reply.context)
    try:
        return await reply.context.services.directives.view(actor, directive_id)
    except PermissionDeniedError:
        await reply.toast("access-denied")
    except DirectiveError:
        await reply.toast("button-stale")
    return None


async def open_directive(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    await _open(reply, reply.pressed(b.DirectiveButton).directive)


async def turn_headcount(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    pressed = reply.pressed(b.HeadcountPage)
    await _open(reply, pressed.directive, pressed.page)


async def _open(reply: Reply, directive_id: int, page: int = 0) -> None:
    view = await _view(reply, directive_id)
    if view is not None:
        await reply.toast("")
        await reply.edit_text(*await _screen(reply, view, page))


async def back_to_list(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    await reply.toast("")
    await reply.edit_text(*await _listing(reply))


async def remind(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    actor = await actor_of(update, context)
    directive_id = reply.pressed(b.DirectiveButton).directive
    try:
        count = await context.services.directives.remind_now(actor, directive_id)
    except PermissionDeniedError:
        await reply.toast("access-denied")
        return
    except DirectiveError:
        await reply.toast("button-stale")
        return
    await reply.toast("watch-reminded", count=count)
    wake_delivery(context)


async def confirm_cancel(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    view = await _view(reply, reply.pressed(b.DirectiveButton).directive)
    if view is None:
        return
    if not view.can_cancel:
        await reply.toast("button-stale")
        return
    await reply.toast("")
    rows: Buttons = [
        [
            (reply.t("watch-cancel-yes"), b.CancelDirective(view.directive.id).pack()),
            (reply.t("button-back"), b.OpenDirective(view.directive.id).pack()),
        ]
    ]
    await reply.edit(
        "watch-cancel-confirm",
        rows,
        unit=view.from_unit.name,
        text=first_words(view.directive.text, LINE_WORDS),
        pending=view.totals.pending,
    )


async def cancel_directive(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    actor = await actor_of(update, context)
    directive_id = reply.pressed(b.DirectiveButton).directive
    try:
        held = await context.services.directives.cancel(actor, directive_id)
    except (PermissionDeniedError, DirectiveError):
        await reply.toast("button-stale")
        return
    await reply.toast("watch-cancelled", count=held)
    view = await _view(reply, directive_id)
    if view is not None:
        await reply.edit_text(*await _screen(reply, view))


async def export(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    pressed = reply.pressed(b.DirectiveButton)
    view = await _view(reply, pressed.directive)
    if view is None:
        return
    await reply.toast("")
    header, rows = await _export_table(reply, view, sheet=isinstance(pressed, b.ExportXlsx))
    name = f"directive-{format_date_iso(view.directive.send_at)}-{view.directive.id}"
    if isinstance(pressed, b.ExportXlsx):
        data, filename = xlsx_bytes({"recipients": (header, rows)}), f"{name}.xlsx"
    else:
        data, filename = csv_bytes(header, rows), f"{name}.csv"
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(
        chat.id,
        InputFile(data, filename=filename),
        caption=reply.t("watch-export-caption", unit=view.from_unit.name, rows=len(rows)),
    )


async def _export_table(
    reply: Reply, view: DirectiveView, *, sheet: bool = False
) -> tuple[list[str], list[list[Cell]]]:
    """Everyone the viewer may see: unit, member, delivery, acknowledgement (local times:
    text in a CSV, spreadsheet datetimes in a ``sheet``), and their answer when it asks."""
    services = reply.context.services
    actor = await actor_of(reply.update, reply.context)
    zone = services.settings.zone

    def local(moment: datetime | None) -> str | datetime | None:
        if moment is None:
            return None
        here = moment.astimezone(zone).replace(second=0, microsecond=0)
        # Spreadsheets have no timezones: the local time, naive (bot/kit/tables.py).
        return here.replace(tzinfo=None) if sheet else here.strftime("%Y-%m-%d %H:%M")

    asked, answer = answer_columns(reply, view.directive, local)
    answers = await services.answers.for_export(actor, view.directive) if asked else None
    reached = await services.on_behalf.members(view.directive.id)
    listed = await services.directives.export_rows(actor, view.directive.id, answers, reached)
    rows: list[tuple[str, list[Cell]]] = [
        (r.unit.path,
         [r.unit.code, r.unit.name, r.name, reply.label(DELIVERY_KEYS[r.delivery or "pending"]),
          local(r.sent), local(r.acked), *answer(r),
          reached_word(services.i18n, reply.language, r.reached)])
        for r in listed
    ]  # fmt: skip
    # The register's people not among the recipients, each unit's after its members:
    # "not on Telegram" in the delivery column, how the fallback reached them last.
    for e in await services.on_behalf.entries(view.directive.id, view.scope):
        telegram, how = entry_words(services.i18n, reply.language, e)
        # A question answered on the link's page: the choice, at the acknowledgement.
        given = None if e.choice is None or e.acked is None else (
            Answer(e.choice, None, None, e.acked))  # fmt: skip
        row = ExportRow(e.unit, e.name, None, e.sent, e.acked, given)
        rows.append((e.unit.path, [e.unit.code, e.unit.name, e.name, telegram, local(e.sent),
                                   local(e.acked), *answer(row), how]))  # fmt: skip
    # How each was reached: a column of its own, last, so earlier columns keep their place.
    header = [reply.label(column) for column in EXPORT_COLUMNS] + asked
    header.append(reply.label("export-reached"))
    rows.sort(key=lambda row: row[0])  # stable: each unit's recipients, then its entries
    return header, [cells for _, cells in rows]


def register(app: MusterApp) -> None:
    app.add_handler(CommandHandler("directives", list_directives, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(open_directive, pattern=b.OpenDirective.pattern))
    app.add_handler(CallbackQueryHandler(turn_headcount, pattern=b.HeadcountPage.pattern))
    headcount.register(app)
    app.add_handler(CallbackQueryHandler(back_to_list, pattern=b.DirectiveList.pattern))
    app.add_handler(CallbackQueryHandler(remind, pattern=b.RemindDirective.pattern))
    app.add_handler(CallbackQueryHandler(export, pattern=b.ExportCsv.pattern))
    app.add_handler(CallbackQueryHandler(export, pattern=b.ExportXlsx.pattern))
    app.add_handler(CallbackQueryHandler(confirm_cancel, pattern=b.AskCancelDirective.pattern))
    app.add_handler(CallbackQueryHandler(cancel_directive, pattern=b.CancelDirective.pattern))
