"""The command menu and ``/help``: one table says which commands each kind of person has."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import CommandHandler

from bot.kit.i18n import LANGUAGES, Translator, join_html
from bot.org.authz import Actor
from bot.services import Services
from handlers.kit.common import PRIVATE, MusterApp, MusterContext, Reply, actor_of
from storage.models import Role

log = logging.getLogger(__name__)


def _stranger(actor: Actor) -> bool:
    return actor.member is None and not actor.is_admin


def _member(actor: Actor) -> bool:
    return actor.member is not None and actor.member.active


def _secretary(actor: Actor) -> bool:
    return actor.is_admin or Role.SECRETARY in actor.roles


def _watcher(actor: Actor) -> bool:
    return actor.is_admin or bool({Role.SECRETARY, Role.COORDINATOR} & actor.roles)


def _admin(actor: Actor) -> bool:
    return actor.is_admin


def _anyone(actor: Actor) -> bool:
    return True


# (command, catalogue key of its one-line description, who sees it)
COMMANDS: list[tuple[str, str, Callable[[Actor], bool]]] = [
    ("start", "cmd-start", _stranger),
    ("checkin", "cmd-checkin", _member),
    ("leave", "cmd-leave", _member),
    ("duty", "cmd-duty", _member),
    ("me", "cmd-me", _member),
    ("directive", "cmd-directive", _secretary),
    ("directives", "cmd-directives", _watcher),
    ("members", "cmd-members", _watcher),
    ("summary", "cmd-summary", _watcher),
    ("export", "cmd-export", _watcher),
    ("roster", "cmd-roster", _watcher),
    ("assign", "cmd-assign", _secretary),
    ("grids", "cmd-grids", _secretary),
    ("invite", "cmd-invite", _secretary),
    ("invites", "cmd-invites", _secretary),
    ("grant", "cmd-grant", _admin),
    ("ungrant", "cmd-ungrant", _admin),
    ("move", "cmd-move", _admin),
    ("deactivate", "cmd-deactivate", _admin),
    ("reactivate", "cmd-reactivate", _admin),
    ("language", "cmd-language", _anyone),
    ("help", "cmd-help", _anyone),
    ("cancel", "cmd-cancel", _anyone),
]

_NOBODY = Actor(telegram_id=None, member=None, grants=(), is_admin=False)


def commands_for(i18n: Translator, language: str, actor: Actor) -> list[BotCommand]:
    return [
        BotCommand(name, i18n.t(language, key)) for name, key, allowed in COMMANDS if allowed(actor)
    ]


async def set_default_menus(bot: Bot, i18n: Translator) -> None:
    """The menu strangers see, once per language (English also as the fallback)."""
    for language in LANGUAGES:
        commands = commands_for(i18n, language, _NOBODY)
        await bot.set_my_commands(commands, language_code=language)
        if language == i18n.default_language:
            await bot.set_my_commands(commands)


async def refresh_menu_for(bot: Bot, services: Services, telegram_id: int) -> bool:
    """Give this person's private chat the menu their roles allow, in their language, and
    clear any stale mark; False when Telegram could not be reached (worth another try)."""
    actor = await services.authz.actor(telegram_id)
    language = actor.member.language if actor.member else services.i18n.default_language
    try:
        await bot.set_my_commands(
            commands_for(services.i18n, language, actor), scope=BotCommandScopeChat(telegram_id)
        )
    except (BadRequest, Forbidden) as exc:  # no such chat, or blocked: no retry helps
        log.info("menu for %s not set: %s", telegram_id, exc)
    except TelegramError as exc:
        log.info("menu for %s not set yet: %s", telegram_id, exc)
        return False
    if actor.member is not None:
        await services.membership.menu_refreshed(actor.member.id)
    return True


async def refresh_stale_menus(bot: Bot, services: Services) -> int:
    """Set the menus marked stale by role changes made outside the chat (the CLI); part of
    the schedule's tick. Returns the menus set."""
    done = 0
    for member_id, telegram_id in await services.membership.stale_menus():
        if telegram_id is None:  # erased since: no chat to set
            await services.membership.menu_refreshed(member_id)
        elif await refresh_menu_for(bot, services, telegram_id):
            done += 1
    return done


async def refresh_menu(context: MusterContext, telegram_id: int) -> None:
    await refresh_menu_for(context.bot, context.services, telegram_id)


async def help_command(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    actor = await actor_of(update, context)
    lines = [
        f"/{c.command} — {c.description}"
        for c in commands_for(context.services.i18n, reply.language, actor)
    ]
    await reply.send("help-text", commands=join_html("\n", lines))


def register(app: MusterApp) -> None:
    app.add_handler(CommandHandler("help", help_command, filters=PRIVATE))
