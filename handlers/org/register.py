"""``/register``: a secretary sends the member register of their units as a CSV or XLSX
file; it is checked whole (``bot/org/register.py``), previewed, and imported on Confirm.
Nothing is written before Confirm, nor on any problem; /cancel leaves at any step."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Document, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.kit.i18n import Html
from bot.org import buttons as b
from bot.org.authz import Action
from bot.org.register import RegisterChangedError, RegisterChanges
from bot.org.register_file import RegisterFileError, RegisterSource, describe
from handlers.kit.common import (
    PRIVATE,
    MusterApp,
    MusterContext,
    Reply,
    actor_of,
    units_or_refuse,
)
from handlers.kit.files import download, problems_text
from handlers.kit.flow import DraftFlow

FILE, CONFIRM = range(2)
# What a bot may download from Telegram (the Bot API's limit for getFile).
MAX_CHAT_BYTES = 20_000_000
MAX_CHAT_TEXT = "20 MB"


@dataclass
class RegisterDraft:
    file: str = ""  # Telegram's file id, fetched again on Confirm
    name: str = ""
    added: int = 0  # the preview, which Confirm must still match
    updated: int = 0
    kept: int = 0
    absent: int = 0

    def preview(self) -> RegisterChanges:
        return RegisterChanges(self.added, self.updated, 0, self.kept, self.absent)


FLOW = DraftFlow("register", b.REGISTER, "register-cancelled", RegisterDraft)


async def start(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    if not await units_or_refuse(reply, Action.INVITE_MEMBER, "/register", "register-not-allowed"):
        return FLOW.end(context)
    FLOW.fresh(context)
    await reply.send("register-ask", limit=MAX_CHAT_TEXT)
    return FILE


async def ask_again(update: Update, context: MusterContext) -> int:
    """Text where the file was expected."""
    reply = await Reply.to(update, context)
    await reply.send("register-ask", limit=MAX_CHAT_TEXT)
    return FILE


async def received(update: Update, context: MusterContext) -> int:
    """A document: checked whole; its problems, or the preview with Confirm / Cancel."""
    reply = await Reply.to(update, context)
    document = update.message.document if update.message else None
    assert document is not None
    name = document.file_name or "register"
    if not _spreadsheet(document, name):
        await reply.send("register-wrong-type", name=name)
        return FILE
    if (document.file_size or 0) > MAX_CHAT_BYTES:
        await reply.send("register-too-big", name=name, limit=MAX_CHAT_TEXT)
        return FILE
    draft = FLOW.state(context)
    draft.file, draft.name = document.file_id, name
    data = await download(reply, document.file_id)
    if data is None:
        return FILE
    try:
        preview = await context.services.register.check(
            await actor_of(update, context), RegisterSource.of_bytes(name, data)
        )
    except RegisterFileError as exc:
        return await _problems(reply, name, exc)
    return await _offer(reply, preview, new=True)


def _spreadsheet(document: Document, name: str) -> bool:
    lower = name.lower()
    return lower.endswith((".csv", ".xlsx")) or (
        document.mime_type == "text/csv" and not lower.endswith(".xls")
    )


async def _problems(reply: Reply, name: str, exc: RegisterFileError) -> int:
    """Every problem (as many as fit), nothing written; another file may follow."""
    i18n = reply.context.services.i18n
    listed = problems_text(
        reply, exc.problems, lambda p: describe(i18n, reply.language, p, plain=False)
    )
    await reply.send_text(reply.t("register-problems", name=name, problems=listed))
    return FILE


async def _offer(reply: Reply, preview: RegisterChanges, *, new: bool, note: str = "") -> int:
    draft = FLOW.state(reply.context)
    draft.added, draft.updated = preview.added, preview.updated
    draft.kept, draft.absent = preview.kept, preview.absent
    if preview.empty and not preview.absent:
        text = reply.t("register-no-changes", name=draft.name, kept=preview.kept)
        await reply.show_text(Html(f"{note}{text}"), None, new=new)
        return FLOW.end(reply.context)
    text = reply.t(
        "register-preview",
        name=draft.name,
        added=preview.added,
        updated=preview.updated,
        kept=preview.kept,
        absent=preview.absent,
    )
    rows = [[(reply.label("register-confirm"), b.RegisterConfirm(prune=False).pack())]]
    if preview.absent:
        label = reply.label("register-confirm-prune", count=preview.absent)
        rows.append([(label, b.RegisterConfirm(prune=True).pack())])
    rows.append([(reply.label("button-cancel"), FLOW.cancel_button().pack())])
    await reply.show_text(Html(f"{note}{text}"), rows, new=new)
    return CONFIRM


async def confirm(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    pressed = reply.pressed(b.RegisterConfirm)
    draft = FLOW.state(context)
    await reply.toast("")
    data = await download(reply, draft.file)
    if data is None:
        return CONFIRM
    try:
        done = await context.services.register.import_source(
            await actor_of(update, context),
            RegisterSource.of_bytes(draft.name, data),
            prune=pressed.prune,
            expect=draft.preview(),
        )
    except RegisterChangedError as exc:
        note = reply.t("register-changed") + "\n"
        return await _offer(reply, exc.changes, new=False, note=note)
    except RegisterFileError as exc:  # the units or the scope changed since the preview
        return await _problems(reply, draft.name, exc)
    await reply.edit(
        "register-done",
        name=draft.name,
        added=done.added,
        updated=done.updated,
        deactivated=done.deactivated,
        kept=done.kept,
    )
    return FLOW.end(context)


def register(app: MusterApp) -> None:
    document = PRIVATE & filters.Document.ALL
    app.add_handler(
        FLOW.conversation(
            entry_points=[CommandHandler("register", start, filters=PRIVATE)],
            states={
                FILE: [
                    MessageHandler(document, received),
                    MessageHandler(PRIVATE & ~filters.COMMAND, ask_again),
                ],
                CONFIRM: [
                    CallbackQueryHandler(confirm, pattern=b.RegisterConfirm.pattern),
                    MessageHandler(document, received),  # another file instead
                ],
            },
        )
    )
