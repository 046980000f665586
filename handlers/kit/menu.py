"""The command menu and ``/help``: each feature's record says which commands it has and
who sees each; ``Menu`` gathers those of the features switched on."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    MenuButton,
    MenuButtonDefault,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import CommandHandler

from bot.config import dashboard_url
from bot.kit.i18n import LANGUAGES, Translator, join_html
from bot.org.authz import Actor
from bot.services import Services
from handlers.kit.common import PRIVATE, MusterApp, MusterContext, Reply, actor_of
from handlers.kit.feature import Audience, Feature, MenuCommand
from handlers.kit.slots import Slot

log = logging.getLogger(__name__)


# The kit's own commands, after every feature's.
KIT_COMMANDS = (
    MenuCommand("help", "cmd-help", Audience.ANYONE, 91),
    MenuCommand("cancel", "cmd-cancel", Audience.ANYONE, 92),
)

_NOBODY = Actor(telegram_id=None, member=None, grants=(), is_admin=False)


class Menu:
    """The commands of the features switched on, in the order of their ranks."""

    def __init__(self, features: Sequence[Feature]) -> None:
        listed = [c for feature in features for c in feature.commands] + list(KIT_COMMANDS)
        self.commands = tuple(sorted(listed, key=lambda c: c.rank))

    def names(self) -> set[str]:
        return {c.command for c in self.commands}

    def commands_for(self, i18n: Translator, language: str, actor: Actor) -> list[BotCommand]:
        return [
            BotCommand(c.command, i18n.t(language, c.description))
            for c in self.commands
            if c.audience.admits(actor)
        ]


MENU: Slot[Menu] = Slot("menu")


async def set_default_menus(bot: Bot, i18n: Translator, menu: Menu) -> None:
    """The menu strangers see, once per language (English also as the fallback)."""
    for language in LANGUAGES:
        commands = menu.commands_for(i18n, language, _NOBODY)
        await bot.set_my_commands(commands, language_code=language)
        if language == i18n.default_language:
            await bot.set_my_commands(commands)


async def refresh_menu_for(bot: Bot, services: Services, menu: Menu, telegram_id: int) -> bool:
    """Give this person's private chat the menu their roles allow (and the dashboard's menu
    button, ``dashboard_button``), in their language, and clear any stale mark; False when
    Telegram could not be reached (worth another try)."""
    actor = await services.authz.actor(telegram_id)
    language = actor.member.language if actor.member else services.i18n.default_language
    try:
        await bot.set_my_commands(
            menu.commands_for(services.i18n, language, actor),
            scope=BotCommandScopeChat(telegram_id),
        )
        if (button := dashboard_button(services, language, actor)) is not None:
            await bot.set_chat_menu_button(chat_id=telegram_id, menu_button=button)
    except (BadRequest, Forbidden) as exc:  # no such chat, or blocked: no retry helps
        log.info("menu for %s not set: %s", telegram_id, exc)
    except TelegramError as exc:
        log.info("menu for %s not set yet: %s", telegram_id, exc)
        return False
    if actor.member is not None:
        await services.membership.menu_refreshed(actor.member.id)
    return True


def dashboard_button(services: Services, language: str, actor: Actor) -> MenuButton | None:
    """The chat's menu button while the dashboard is served: "📊 Dashboard" for those who
    may watch a unit, Telegram's default (the commands) for everyone else, so a revoked
    role takes the button away; None (left as it is) when the dashboard is not served."""
    url = dashboard_url(services.settings)
    if url is None:
        return None
    if not Audience.WATCHER.admits(actor):
        return MenuButtonDefault()
    label = services.i18n.plain(language, "dashboard-button")
    return MenuButtonWebApp(label, WebAppInfo(url))


async def refresh_stale_menus(bot: Bot, services: Services, menu: Menu) -> int:
    """Set the menus marked stale by role changes made outside the chat (the CLI); part of
    the schedule's tick. Returns the menus set."""
    done = 0
    for member_id, telegram_id in await services.membership.stale_menus():
        if telegram_id is None:  # erased since: no chat to set
            await services.membership.menu_refreshed(member_id)
        elif await refresh_menu_for(bot, services, menu, telegram_id):
            done += 1
    return done


async def refresh_menu(context: MusterContext, telegram_id: int) -> None:
    await refresh_menu_for(context.bot, context.services, MENU.of(context.application), telegram_id)


async def help_command(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    actor = await actor_of(update, context)
    lines = [
        f"/{c.command} — {c.description}"
        for c in MENU.of(context.application).commands_for(
            context.services.i18n, reply.language, actor
        )
    ]
    await reply.send("help-text", commands=join_html("\n", lines))


def register(app: MusterApp) -> None:
    app.add_handler(CommandHandler("help", help_command, filters=PRIVATE))
