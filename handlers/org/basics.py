"""Everyday basics: ``/me``, ``/language``, ``/cancel`` outside a flow, and the catch-alls
that make sure nobody is met with silence."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.checkins.service import WindowState
from bot.kit.i18n import LANGUAGES, Language, format_date_iso, format_day, join_html
from bot.org.buttons import PickLanguage
from handlers.kit.common import (
    PRIVATE,
    MusterApp,
    MusterContext,
    Reply,
    person_of,
    say,
    toast,
)
from handlers.kit.menu import refresh_menu

LANGUAGE_NAMES = {Language.EN: "English", Language.ZH: "简体中文"}


async def me(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    services = context.services
    profile = await services.membership.profile(person_of(update).telegram_id)
    if profile is None:
        await reply.send("not-a-member", org=services.settings.organisation.name)
        return
    checkins = services.checkins
    window = checkins.window(profile.unit)
    today = window.day
    done = await checkins.today(profile.member)
    if not profile.member.active:
        checkin = reply.t("me-checkin-inactive")
    elif done is not None:
        at = done.updated_at.astimezone(checkins.zone_of(profile.unit))
        checkin = reply.t("me-checkin-done", time=f"{at:%H:%M}")
    elif (leave := await checkins.on_leave(profile.member, today)) is not None:
        checkin = reply.t("me-checkin-leave", until=format_day(leave.last_day, reply.language))
    elif window.state is WindowState.DAY_OFF:
        checkin = reply.t("me-checkin-day-off")
    else:
        checkin = reply.t("me-checkin-missing")
    roles = join_html(
        "\n",
        [
            reply.t("me-role-line", role=reply.role(role), unit=unit.name)
            for role, unit in profile.grants
        ],
    )
    await reply.send(
        "me-card",
        name=profile.member.display_name,
        unit=profile.unit.name,
        roles=roles or reply.t("me-no-roles"),
        since=format_date_iso(profile.member.joined_at),
        today=format_day(today, reply.language),
        checkin=checkin,
        status=reply.t("me-active" if profile.member.active else "me-inactive"),
    )


async def language(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    buttons = [[(LANGUAGE_NAMES[code], PickLanguage(code).pack()) for code in LANGUAGES]]
    await reply.send("language-choose", buttons)


async def language_chosen(update: Update, context: MusterContext) -> None:
    query = update.callback_query
    pressed = PickLanguage.parse(query.data if query else None)
    assert pressed is not None  # matched on its pattern
    code = Language(pressed.code)
    person = person_of(update)
    member = await context.services.membership.member(person.telegram_id)
    reply = Reply(update, context, code)
    if member is None:
        # Strangers have no stored preference; their Telegram client's language rules.
        await reply.toast("")
        await reply.edit("language-not-member")
        return
    await context.services.membership.set_language(member, code)
    await reply.toast("")
    await reply.edit("language-set", language=LANGUAGE_NAMES[code])
    await refresh_menu(context, person.telegram_id)


def register(app: MusterApp) -> None:
    app.add_handler(CommandHandler("me", me, filters=PRIVATE))
    app.add_handler(CommandHandler("language", language, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(language_chosen, pattern=PickLanguage.pattern))
    app.add_handler(CommandHandler("cancel", say("cancel-nothing"), filters=PRIVATE))


def register_fallbacks(app: MusterApp) -> None:
    """Registered last in the default group, so they see only what nothing else took."""
    # A button whose moment has passed, or forged data: say so, change nothing.
    app.add_handler(CallbackQueryHandler(toast("button-stale")))
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, say("unknown-command")))
    app.add_handler(MessageHandler(PRIVATE & ~filters.COMMAND, say("free-text-hint")))
