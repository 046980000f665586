"""``/checkin``: today's form, one question at a time, a summary to confirm, and one
check-in per day that running ``/checkin`` again edits. The rules live in
``bot/services/checkins.py``; this module only asks and answers."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.checkin_config import CHOICE_KINDS, Kind, Question
from bot.delivery import notice_message
from bot.i18n import Html, format_day, join_html
from bot.services.checkins import CheckinError, WindowState
from handlers.common import PRIVATE, Buttons, MusterApp, MusterContext, Reply
from handlers.flow import Flow
from storage.checkins import Checkin
from storage.models import Member

ASK, CONFIRM, EXISTING = range(3)
# Something sent that is not the kind of answer asked for (a photo for a number …).
_NOT_AN_ANSWER = object()
FLOW = Flow("checkin", "ci", "checkin-cancelled")
_ERRORS = {
    "required": "checkin-error-required",
    "unknown_choice": "checkin-error-choice",
    "not_a_number": "checkin-error-number",
    "out_of_range": "checkin-error-range",
    "too_long": "checkin-error-too-long",
    "expected_text": "checkin-error-text",
    "expected_location": "checkin-error-location",
    "expected_photo": "checkin-error-photo",
}
_HINTS = {
    Kind.SINGLE_CHOICE: "checkin-hint-single",
    Kind.MULTIPLE_CHOICE: "checkin-hint-multi",
    Kind.NUMBER: "checkin-hint-number",
    Kind.TEXT: "checkin-hint-text",
    Kind.LOCATION: "checkin-hint-location",
    Kind.PHOTO: "checkin-hint-photo",
}


def _fingerprint(context: MusterContext) -> str:
    """Changes when the configured form does, so a half-filled draft can tell."""
    form = [q.model_dump(mode="json") for q in context.services.checkins.form.questions]
    return hashlib.sha1(json.dumps(form, sort_keys=True).encode()).hexdigest()[:12]


def _text(reply: Reply, text: Any) -> str:
    """A bilingual configured text in the person's language."""
    return str(text.zh if reply.language == "zh" else text.en)


async def _member(reply: Reply) -> Member | None:
    return reply.member


async def start(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    if update.callback_query is not None:
        await reply.toast("")
    member = await _member(reply)
    if member is None:
        await reply.send("not-a-member", org=context.services.settings.organisation.name)
        return FLOW.end(context)
    checkins = context.services.checkins
    unit = await context.services.org.unit(member.unit_id)
    window = checkins.window(unit)
    zone = checkins.zone_of(unit)
    if window.state is WindowState.DAY_OFF:
        await reply.send("checkin-day-off", day=format_day(window.day, reply.language))
        return FLOW.end(context)
    if window.state is WindowState.NOT_YET:
        await reply.send("checkin-not-yet", time=f"{window.opens.astimezone(zone):%H:%M}")
        return FLOW.end(context)
    if window.state is WindowState.CLOSED:
        opening = checkins.next_opening(unit).astimezone(zone)
        when = f"{format_day(opening, reply.language)} {opening:%H:%M}"
        await reply.send("checkin-closed", when=when)
        return FLOW.end(context)
    leave = await checkins.on_leave(member, window.day)
    if leave is not None:
        await reply.send("checkin-on-leave", until=format_day(leave.last_day, reply.language))
        return FLOW.end(context)
    draft = FLOW.draft(context)
    draft.clear()
    draft.update(day=window.day.isoformat(), form=_fingerprint(context), i=0, answers={})
    existing = await checkins.today(member)
    if existing is not None:
        draft["answers"] = dict(existing.answers)
        rows: Buttons = [
            [(reply.t("checkin-change"), "ci:change"), (reply.t("checkin-keep"), "ci:keep")]
        ]
        summary = _summary(reply, existing.answers)
        at = existing.updated_at.astimezone(zone)
        await reply.send_text(reply.t("checkin-current", time=f"{at:%H:%M}", summary=summary), rows)
        return EXISTING
    return await _ask(reply, new=True)


async def change(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    FLOW.draft(context)["i"] = 0
    return await _ask(reply, new=False)


async def keep(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    await reply.edit("checkin-kept")
    return FLOW.end(context)


def _current(context: MusterContext) -> Question | None:
    questions = context.services.checkins.form.questions
    index = int(FLOW.draft(context).get("i", 0))
    return questions[index] if index < len(questions) else None


async def _ask(reply: Reply, *, new: bool) -> int:
    context = reply.context
    question = _current(context)
    if question is None:
        return await _confirm(reply, new=new)
    draft = FLOW.draft(context)
    total = len(context.services.checkins.form.questions)
    # Buttons carry their question's number: a double tap lands on the next question
    # and must not answer it.
    index = int(draft.get("i", 0))
    rows: list[list[tuple[str, str]]] = []
    if question.kind is Kind.SINGLE_CHOICE:
        rows += [[(_text(reply, c.label), f"ci:c:{index}:{c.id}")] for c in question.choices]
    elif question.kind is Kind.MULTIPLE_CHOICE:
        picked = set(draft.get("picked", []))
        rows += [
            [
                (
                    ("☑ " if c.id in picked else "☐ ") + _text(reply, c.label),
                    f"ci:m:{index}:{c.id}",
                )
            ]
            for c in question.choices
        ]
        rows.append([(reply.label("checkin-done"), f"ci:d:{index}")])
    controls = [(reply.label("checkin-skip"), f"ci:s:{index}")] if not question.required else []
    rows.append([*controls, *FLOW.controls(reply, back=False)])
    hint = reply.t(
        _HINTS[question.kind],
        min=question.min if question.min is not None else "—",
        max=question.max if question.max is not None else "—",
        unit=question.unit or "",
    )
    text = reply.t(
        "checkin-question",
        number=int(draft.get("i", 0)) + 1,
        total=total,
        prompt=_text(reply, question.prompt),
        hint=hint,
    )
    await reply.show_text(text, rows, new=new)
    return ASK


async def _take(reply: Reply, raw: Any) -> int:
    """Check one answer; on to the next question, or say what was wrong and ask again."""
    context = reply.context
    draft = FLOW.draft(context)
    today = await _today(reply)
    if draft.get("form") != _fingerprint(context) or draft.get("day") != today:
        # The form was changed in the configuration, or the day turned, mid-way.
        await reply.send("checkin-restart")
        draft.update(i=0, answers={}, form=_fingerprint(context), day=today)
        return await _ask(reply, new=True)
    question = _current(context)
    if question is None:
        return await _confirm(reply, new=reply.update.callback_query is None)
    try:
        value = context.services.checkins.answer(question, raw)
    except CheckinError as exc:
        details = {k: ("—" if v is None else v) for k, v in exc.details.items()}
        await reply.send(_ERRORS[exc.reason], **details)
        return ASK
    draft.setdefault("answers", {})[question.id] = value
    draft["i"] = int(draft.get("i", 0)) + 1
    draft.pop("picked", None)
    return await _ask(reply, new=reply.update.callback_query is None)


async def _today(reply: Reply) -> str | None:
    """The member's local day now (their unit's timezone)."""
    member = await _member(reply)
    if member is None:
        return None
    services = reply.context.services
    return services.checkins.window(await services.org.unit(member.unit_id)).day.isoformat()


async def _stale(reply: Reply) -> bool:
    """A button from a question already answered (a double tap, an old message)."""
    parts = (
        (reply.update.callback_query.data or "").split(":") if reply.update.callback_query else []
    )
    if len(parts) >= 3 and parts[2] != str(FLOW.draft(reply.context).get("i", 0)):
        await reply.toast("button-stale")
        return True
    await reply.toast("")
    return False


async def chosen(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    if await _stale(reply):
        return ASK
    return await _take(reply, reply.choice)


async def toggled(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    if await _stale(reply):
        return ASK
    picked: list[str] = FLOW.draft(context).setdefault("picked", [])
    if reply.choice in picked:
        picked.remove(reply.choice)
    else:
        picked.append(reply.choice)
    return await _ask(reply, new=False)


async def done(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    if await _stale(reply):
        return ASK
    return await _take(reply, list(FLOW.draft(context).get("picked", [])))


async def skipped(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    if await _stale(reply):
        return ASK
    return await _take(reply, None)


async def typed(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    question = _current(context)
    if question is not None and question.kind in CHOICE_KINDS:
        await reply.send("use-buttons")
        return ASK
    message = update.message
    assert message is not None
    raw: Any = _NOT_AN_ANSWER
    if question is not None and question.kind is Kind.LOCATION:
        if message.location is not None:
            raw = {"lat": message.location.latitude, "lon": message.location.longitude}
    elif question is not None and question.kind is Kind.PHOTO:
        if message.photo:
            raw = message.photo[-1].file_id
    elif message.text is not None:
        raw = message.text
    return await _take(reply, raw)


def _summary(reply: Reply, answers: dict[str, Any]) -> Html:
    lines = []
    for question in reply.context.services.checkins.form.questions:
        lines.append(
            reply.t(
                "checkin-summary-line",
                prompt=_text(reply, question.prompt),
                answer=_shown(reply, question, answers.get(question.id)),
            )
        )
    return join_html("\n", lines)


def _shown(reply: Reply, question: Question, value: Any) -> str:
    if value is None:
        return "—"
    if question.kind in CHOICE_KINDS:
        labels = {c.id: _text(reply, c.label) for c in question.choices}
        chosen = [str(c) for c in (value if isinstance(value, list) else [value])]
        return ", ".join(labels.get(c, c) for c in chosen)
    if question.kind is Kind.NUMBER:
        return f"{value:g} {question.unit or ''}".strip()
    if question.kind is Kind.LOCATION:
        return f"📍 {value['lat']:.4f}, {value['lon']:.4f}"
    if question.kind is Kind.PHOTO:
        return "📷"
    return str(value)


async def _confirm(reply: Reply, *, new: bool) -> int:
    rows: Buttons = [
        [(reply.t("checkin-submit"), "ci:ok")],
        [(reply.t("checkin-start-over"), "ci:r"), *FLOW.controls(reply, back=False)],
    ]
    summary = _summary(reply, FLOW.draft(reply.context).get("answers", {}))
    await reply.show_text(reply.t("checkin-confirm", summary=summary), rows, new=new)
    return CONFIRM


async def submit(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    member = await _member(reply)
    if member is None:
        await reply.edit("not-a-member", org=context.services.settings.organisation.name)
        return FLOW.end(context)
    services = context.services
    try:
        checkin, first = await services.checkins.save(
            member, FLOW.draft(context).get("answers", {})
        )
    except CheckinError as exc:
        if exc.reason in _ERRORS:  # the form changed under an answer: ask again
            await reply.send(_ERRORS[exc.reason], **exc.details)
            FLOW.draft(context).update(i=0)
            return await _ask(reply, new=True)
        await reply.edit("checkin-window-passed")
        return FLOW.end(context)
    key = "checkin-saved" if first else "checkin-updated"
    await reply.edit(key, day=format_day(checkin.day, reply.language))
    if checkin.flagged and services.settings.checkin.flags_at_once:
        await _tell_secretaries(reply, member, checkin)
    return FLOW.end(context)


async def _tell_secretaries(reply: Reply, member: Member, checkin: Checkin) -> None:
    """A flagged answer goes to the unit's secretaries at once, through the outbox."""
    services = reply.context.services
    unit = await services.org.unit(member.unit_id)
    if unit is None:
        return
    now = services.clock.now()
    messages = []
    for secretary in await services.directives.nearest_secretaries(unit):
        if secretary.telegram_id is None:
            continue
        language = secretary.language
        asker = Reply(reply.update, reply.context, language)
        text = services.i18n.t(
            language,
            "checkin-flag-notice",
            name=member.display_name,
            unit=unit.name,
            summary=_summary(asker, checkin.answers),
        )
        messages.append(
            notice_message(secretary.telegram_id, text, not_before=now, member_id=secretary.id)
        )
    if messages:
        async with services.storage.db.transaction() as conn:
            await services.storage.outbox.enqueue_many(conn, messages, now)
        wake = reply.context.application.bot_data.get("wake_delivery")
        if callable(wake):
            wake()


async def restart(update: Update, context: MusterContext) -> int:
    reply = await Reply.to(update, context)
    await reply.toast("")
    FLOW.draft(context).update(i=0, answers={})
    return await _ask(reply, new=False)


def register(app: MusterApp) -> None:
    answers = PRIVATE & (filters.TEXT | filters.LOCATION | filters.PHOTO) & ~filters.COMMAND
    app.add_handler(
        FLOW.conversation(
            entry_points=[
                CommandHandler("checkin", start, filters=PRIVATE),
                CallbackQueryHandler(start, pattern=r"^ci:go$"),
            ],
            states={
                EXISTING: [
                    CallbackQueryHandler(change, pattern=r"^ci:change$"),
                    CallbackQueryHandler(keep, pattern=r"^ci:keep$"),
                ],
                ASK: [
                    CallbackQueryHandler(chosen, pattern=r"^ci:c:\d{1,3}:[a-z0-9_]{1,24}$"),
                    CallbackQueryHandler(toggled, pattern=r"^ci:m:\d{1,3}:[a-z0-9_]{1,24}$"),
                    CallbackQueryHandler(done, pattern=r"^ci:d:\d{1,3}$"),
                    CallbackQueryHandler(skipped, pattern=r"^ci:s:\d{1,3}$"),
                    MessageHandler(answers, typed),
                ],
                CONFIRM: [
                    CallbackQueryHandler(submit, pattern=r"^ci:ok$"),
                    CallbackQueryHandler(restart, pattern=r"^ci:r$"),
                ],
            },
        )
    )
