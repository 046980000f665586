"""A roster file (CSV or XLSX) sent as a document: checked, previewed, imported. Rules
live in ``bot/duty/roster.py``."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler

from bot.duty import buttons as b
from bot.duty.plans import ShiftCheck
from bot.duty.reading import MAX_FILE_BYTES, MAX_FILE_TEXT, Problem
from bot.kit.i18n import Html
from bot.org.authz import Action
from handlers.duty.kit import problems_text, say_problem
from handlers.kit.common import (
    PRIVATE,
    Buttons,
    MusterApp,
    MusterContext,
    Reply,
    actor_of,
    units_or_refuse,
)
from handlers.kit.files import SPREADSHEET, download
from handlers.kit.flow import restore

# A roster file sent as a document. Nothing waits for typing here: the file's id is kept
# in user_data, and "import the good rows" fetches and checks it again.

UPLOAD_KEY = "roster_upload"


@dataclass
class PendingUpload:
    file: str | None = None  # Telegram's file id
    name: str = ""
    good: int | None = None  # rows that passed the check, once offered to import them


def _upload(context: MusterContext) -> PendingUpload:
    """The file in hand; an empty one when none is, or the one stored no longer fits (its
    buttons then answer that they no longer apply)."""
    return restore(context, UPLOAD_KEY, PendingUpload) or _clear(context)


def _clear(context: MusterContext) -> PendingUpload:
    assert context.user_data is not None
    pending = context.user_data[UPLOAD_KEY] = PendingUpload()
    return pending


async def upload(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    document = update.message.document if update.message else None
    assert document is not None
    # Nothing else takes files outside a flow: one from someone without a roster to
    # manage is answered as before this handler existed.
    if not await units_or_refuse(reply, Action.MANAGE_ROSTER, "roster file", "free-text-hint"):
        return
    name = document.file_name or "roster.csv"
    if not (name.lower().endswith(".csv") or document.mime_type == "text/csv"):
        await say_problem(reply, Problem("not_csv"))
        return
    if (document.file_size or 0) > MAX_FILE_BYTES:
        await say_problem(reply, Problem("too_big", details={"limit": MAX_FILE_TEXT}))
        return
    pending = _clear(context)
    pending.file, pending.name = document.file_id, name
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
            _clear(context)
            await reply.send("upload-done", name=name, shifts=done.written, rows=check.rows)
            return
    await _offer(reply, check)


async def _download(reply: Reply) -> bytes | None:
    return await download(reply, _upload(reply.context).file or "")


async def _offer(reply: Reply, check: ShiftCheck, note: str = "") -> None:
    """The problems, and (when some rows are good) the choice to import just those."""
    pending = _upload(reply.context)
    name = pending.name
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
        _clear(reply.context)
        await reply.show_text(Html(f"{text}\n{reply.t('upload-nothing-good')}"), None, new=new)
        return
    pending.good = len(check.good)
    label = reply.label("upload-import-good", count=len(check.good), shifts=check.shifts)
    rows: Buttons = [
        [(label, b.UploadConfirm().pack())],
        [(reply.t("button-cancel"), b.UploadCancel().pack())],
    ]
    await reply.show_text(text, rows, new=new)


async def upload_confirm(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    pending = _upload(context)
    if pending.good is None:
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
        pending.name,
        partial=True,
        expect=pending.good,
    )
    if not done.written:
        await _offer(reply, done.check, reply.t("upload-changed"))
        return
    _clear(context)
    await reply.edit(
        "upload-partial-done",
        shifts=done.written,
        rows=len(done.check.good),
        skipped=done.check.bad_rows,
    )


async def upload_cancel(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    if not _upload(context).good:
        await reply.toast("button-stale")
        return
    _clear(context)
    await reply.toast("")
    await reply.edit("upload-cancelled")


def register(app: MusterApp) -> None:
    app.add_handler(MessageHandler(PRIVATE & SPREADSHEET, upload))
    app.add_handler(CallbackQueryHandler(upload_confirm, pattern=b.UploadConfirm.pattern))
    app.add_handler(CallbackQueryHandler(upload_cancel, pattern=b.UploadCancel.pattern))
