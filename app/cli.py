"""``muster``: the command line for administrators.

Every failure ends in one readable line on stderr and a non-zero exit: 2 for bad usage
or configuration, 1 for a refused operation.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from telegram.error import TelegramError

from app.backup import BackupError, backup
from app.dbcopy import CopyError, DbCopyFailed, db_copy, db_migrate
from app.polling import PollingLost
from app.register import member_import, member_invites, print_register, register_erase
from bot.config import (
    ConfigError,
    Settings,
    default_config_path,
    load_settings,
    setup_warnings,
)
from bot.duty.reading import MAX_FILE_BYTES, Problem, RosterFileError, describe
from bot.kit.clock import SystemClock
from bot.kit.durations import format_duration, parse_duration
from bot.kit.tables import text_table
from bot.org.authz import Actor, PermissionDeniedError
from bot.org.invites import MAX_USES, InviteError, invite_link, write_qr_png
from bot.org.membership import MembershipError
from bot.org.reach import Reach
from bot.org.service import OrgFileError
from bot.services import Services
from storage import STORE_ERRORS, SchemaTooNewError, StoreUnavailableError
from storage.models import Member, Role, Unit

EXIT_USAGE = 2
EXIT_FAILED = 1


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """Every (sub)command takes the global options too: people type
    ``muster config check --config X`` as often as ``muster --config X config check``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # SUPPRESS: a subcommand that was not given --config leaves the global one alone.
        self.add_argument(
            "--config",
            type=Path,
            default=argparse.SUPPRESS,
            help="config file (default: $MUSTER_CONFIG)",
        )

    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block.
        self.exit(EXIT_USAGE, f"muster: {message} (see 'muster --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="muster", description="Muster: mobilise your organisation in Telegram")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="run the bot (long polling, or --webhook)")
    run.add_argument(
        "--webhook", action="store_true", help="receive updates on telegram.webhook_url instead"
    )

    config = commands.add_parser("config", help="check the configuration")
    config.add_subparsers(dest="action", required=True, parser_class=_Parser).add_parser(
        "check", help="validate the config file and environment"
    )

    org = commands.add_parser("org", help="the organisation tree")
    org_actions = org.add_subparsers(dest="action", required=True, parser_class=_Parser)
    org_import = org_actions.add_parser("import", help="load units from a TOML or CSV file")
    org_import.add_argument("file", type=Path)
    org_actions.add_parser("show", help="print the tree with member counts and reach")

    invite = commands.add_parser("invite", help="invite links")
    invite_actions = invite.add_subparsers(dest="action", required=True, parser_class=_Parser)
    create = invite_actions.add_parser("create", help="create an invite link")
    create.add_argument("--unit", required=True, help="unit code")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--uses", type=int, help="how many people may use it (default: config)")
    create.add_argument("--unlimited", action="store_true", help="no limit on uses")
    create.add_argument("--expires", help="how long it works, e.g. 12h, 7d (default: config)")
    create.add_argument("--approval", action="store_true", help="a secretary approves each join")
    create.add_argument(
        "--qr", type=Path, metavar="FILE", help="also write the link as a QR code (PNG)"
    )
    revoke = invite_actions.add_parser("revoke", help="withdraw an invite")
    revoke.add_argument("invite_id", type=int)
    invite_actions.add_parser("list", help="usable invites")

    role = commands.add_parser("role", help="secretaries and coordinators")
    role_actions = role.add_subparsers(dest="action", required=True, parser_class=_Parser)
    for verb in ("grant", "revoke"):
        sub = role_actions.add_parser(verb, help=f"{verb} a role")
        sub.add_argument("--member", required=True, help="@username or Telegram id")
        sub.add_argument("--unit", required=True, help="unit code")
        sub.add_argument("--role", required=True, choices=["secretary", "coordinator"])

    member = commands.add_parser("member", help="members")
    member_actions = member.add_subparsers(dest="action", required=True, parser_class=_Parser)
    member_list = member_actions.add_parser(
        "list", help="active members: name, @username, unit, roles, joined, reachable"
    )
    member_list.add_argument("--unit", help="only this unit and the units below it")
    member_list.add_argument(
        "--not-joined", action="store_true", help="only the register's entries not joined yet"
    )
    member_import = member_actions.add_parser(
        "import", help="load the register of expected members from a CSV or XLSX file"
    )
    member_import.add_argument("file", type=Path)
    member_import.add_argument(
        "--prune", action="store_true", help="deactivate entries no longer in the file"
    )
    invites = member_actions.add_parser(
        "invites", help="per unit: an XLSX call list and QR sheets of personal invites"
    )
    invites.add_argument("--unit", required=True, help="unit code (and the units below it)")
    invites.add_argument("--out", required=True, type=Path, help="directory to write to")
    move = member_actions.add_parser("move", help="move a member to another unit")
    move.add_argument("--member", required=True, help="@username or Telegram id")
    move.add_argument("--unit", required=True, help="unit code")
    for verb in ("deactivate", "reactivate"):
        sub = member_actions.add_parser(verb, help=f"{verb} a member")
        sub.add_argument("--member", required=True, help="@username or Telegram id")
    erase = member_actions.add_parser(
        "erase",
        help="forget a member who asks for it (names, answers, reports; audited), or a"
        " register entry of someone who never joined (name, phone, email)",
    )
    who = erase.add_mutually_exclusive_group(required=True)
    who.add_argument("--member", help="@username or Telegram id")
    who.add_argument("--external-id", help="the register entry with this external id")
    who.add_argument("--name", help="the register entry of this name in --unit")
    erase.add_argument("--unit", help="unit code (with --name)")
    erase.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")

    backup = commands.add_parser(
        "backup", help="copy the database to FILE, consistently, while the bot runs"
    )
    backup.add_argument("file", type=Path)

    grid = commands.add_parser("grid", help="duty grids")
    grid_actions = grid.add_subparsers(dest="action", required=True, parser_class=_Parser)
    grid_import = grid_actions.add_parser("import", help="load grids from a CSV or TOML file")
    grid_import.add_argument("file", type=Path)

    shift = commands.add_parser("shift", help="the duty roster")
    shift_actions = shift.add_subparsers(dest="action", required=True, parser_class=_Parser)
    shift_import = shift_actions.add_parser("import", help="load shifts from a CSV file")
    shift_import.add_argument("file", type=Path)
    shift_import.add_argument(
        "--partial", action="store_true", help="store the good rows even when some are bad"
    )

    demo = commands.add_parser(
        "demo", help="play one day of a made-up organisation against a local Bot API stand-in"
    )
    demo.add_argument("--members", type=int, default=300, help="branch members (default 300)")
    demo.add_argument("--seed", type=int, default=1, help="the same seed plays the same day")
    demo.add_argument(
        "--out", type=Path, help="keep the summary, chart, workbook and database here"
    )
    demo.add_argument("--language", choices=["en", "zh"], default="en", help="people's language")

    db = commands.add_parser("db", help="the database itself: copy it to another store")
    db_actions = db.add_subparsers(dest="action", required=True, parser_class=_Parser)
    copy = db_actions.add_parser(
        "copy",
        help="copy every table into a new, empty store and check it (SQLite to PostgreSQL"
        " and back)",
    )
    copy.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="sqlite:///path/to/muster.db (sqlite:////absolute/path) or postgresql://…",
    )
    copy.add_argument("--to", dest="target", required=True, metavar="URL", help="the same kinds")
    migrate = db_actions.add_parser("migrate", help="bring a store to this Muster's schema")
    migrate.add_argument("url", metavar="URL", help="sqlite:///path/to/muster.db or postgresql://…")

    audit = commands.add_parser("audit", help="print the audit log")
    audit.add_argument("--limit", type=int, default=100, help="newest N entries (default 100)")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "config", None) or default_config_path())


async def _with_services(settings: Settings, work: Callable[[Services], Awaitable[int]]) -> int:
    from app.build import open_storage

    storage = await open_storage(settings)
    try:
        return await work(Services.build(settings, storage, SystemClock()))
    finally:
        await storage.close()


async def _find_member(services: Services, who: str) -> Member:
    member = await services.membership.find(who)
    if member is None:
        raise CliError(f"no member {who!r} (name them by @username or Telegram id)")
    return member


async def _org_import(services: Services, path: Path) -> int:
    changes = await services.org.import_file(Actor.console(), path)
    if changes.empty:
        print(f"{path}: no changes")
    else:
        print(
            f"{path}: {len(changes.added)} added, {len(changes.renamed)} renamed,"
            f" {len(changes.moved)} moved, {len(changes.retimed)} timezone changed"
        )
    return 0


async def _org_show(services: Services) -> int:
    lines = await services.org.tree()
    if not lines:
        print("no units yet: load them with 'muster org import FILE'")
        return 0
    reach = await services.reach.of_units([line.unit for line in lines])
    for line in lines:
        zone = f" [{line.unit.timezone}]" if line.unit.timezone else ""
        print(
            f"{'  ' * line.unit.depth}{line.unit.code}  {line.unit.name}{zone}"
            f"  — {line.total_members} members ({line.own_members} in unit)"
            f" · {_reach(reach.total_of(line.unit))}"
        )
    return 0


def _reach(reach: Reach) -> str:
    """The unit's subtree's reach figures, as README "Reach per unit" defines them."""
    return (
        f"joined {reach.joined} / {reach.expected} · on Telegram {reach.telegram}"
        f" · fallback only {reach.fallback} · unreachable {reach.unreachable}"
    )


def _read_upload(path: Path) -> bytes:
    """The file, or as much of it as shows that it is too large."""
    try:
        with path.open("rb") as file:
            return file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except OSError as exc:
        raise CliError(f"{path}: cannot read ({exc.strerror})") from None


def _print_problems(services: Services, path: Path, problems: Sequence[Problem]) -> None:
    for problem in problems:
        text = describe(services.i18n, "en", replace(problem, line=0), plain=True)
        where = f" line {problem.line}" if problem.line else ""
        print(f"{path.name}{where}: {text}", file=sys.stderr)


async def _grid_import(services: Services, path: Path) -> int:
    try:
        changes = await services.roster.import_grids(Actor.console(), _read_upload(path), path.name)
    except RosterFileError as exc:
        _print_problems(services, path, exc.problems)
        print("nothing was changed", file=sys.stderr)
        return EXIT_FAILED
    if changes.empty:
        print(f"{path}: no changes")
    else:
        print(f"{path}: {len(changes.added)} added, {len(changes.updated)} updated")
    return 0


async def _shift_import(services: Services, path: Path, partial: bool) -> int:
    done = await services.roster.import_file(
        Actor.console(), _read_upload(path), path.name, partial=partial
    )
    check = done.check
    _print_problems(services, path, check.problems)
    if not done.written:
        print("nothing was changed", file=sys.stderr)
        return EXIT_FAILED
    skipped = f", {_count(check.bad_rows, 'row')} skipped" if check.problems else ""
    rows = _count(len(check.good), "row")
    print(f"{path}: {_count(done.written, 'shift')} from {rows} imported{skipped}")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


async def _bot_username(settings: Settings) -> str | None:
    if settings.telegram.bot_username:
        return settings.telegram.bot_username
    token = settings.telegram.resolve_token()
    if token is None:
        return None
    from telegram import Bot

    async with Bot(token, base_url=settings.telegram.api_base_url) as bot:
        return bot.username


def _local_time(services: Services, unit: Unit, at: datetime) -> str:
    """An instant as the unit's people read it: its local time, zone named."""
    zone = services.directives.zone_of(unit)
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"


def _invite_limits(services: Services, args: argparse.Namespace) -> tuple[int | None, timedelta]:
    """(uses, lifetime) from the options, refused with the allowed range when outside it."""
    defaults = services.settings.invites
    try:
        expires = parse_duration(args.expires) if args.expires else defaults.default_expiry
    except ValueError as exc:
        raise CliError(f"--expires: {exc}", EXIT_USAGE) from None
    if expires > defaults.max_expiry:
        raise CliError(
            f"--expires: {args.expires} is longer than the maximum,"
            f" {format_duration(defaults.max_expiry)} (invites.max_expiry)",
            EXIT_USAGE,
        )
    if args.unlimited:
        return None, expires
    # 0 is a number, not "not given": it must not fall back to the default.
    uses = defaults.default_uses if args.uses is None else args.uses
    if not 1 <= uses <= MAX_USES:
        raise CliError(
            f"--uses: {uses} is not between 1 and {MAX_USES} (or use --unlimited)", EXIT_USAGE
        )
    return uses, expires


async def _invite_create(services: Services, args: argparse.Namespace) -> int:
    unit = await _unit_option(services, args.unit)
    uses, expires = _invite_limits(services, args)
    # Before the invite exists: a link that cannot be printed must not leave one behind.
    username = await _bot_username(services.settings)
    if args.qr is not None:
        if username is None:
            raise CliError("--qr: set telegram.bot_username (or a token) to make the link")
        if not args.qr.parent.is_dir():
            raise CliError(f"--qr: {args.qr.parent} is not a directory", EXIT_USAGE)
    created = await services.invites.create(
        Actor.console(),
        unit,
        Role(args.role),
        uses=uses,
        expires_in=expires,
        approval=args.approval,
    )
    invite = created.invite
    print(f"invite {invite.id}: {args.role} of {unit.code} ({unit.name})")
    print(
        f"  uses: {invite.max_uses or 'unlimited'},"
        f" expires {_local_time(services, unit, invite.expires_at)}"
        + (", needs approval" if invite.requires_approval else "")
    )
    if username:
        link = invite_link(username, created.token)
        print(f"  link:  {link}")
        if args.qr is not None:
            try:
                write_qr_png(link, args.qr)
            except OSError as exc:
                raise CliError(
                    f"--qr: cannot write {args.qr} ({exc.strerror}); invite {invite.id} was"
                    " created: revoke it or print its link from the token"
                ) from None
            print(f"  QR:    {args.qr}")
    else:
        print("  link:  (set telegram.bot_username to print the link)")
    print(f"  token: {created.token}")
    return 0


async def _invite_list(services: Services) -> int:
    invites = await services.invites.active(Actor.console())
    if not invites:
        print("no usable invites")
    for invite, unit in invites:
        print(
            f"{invite.id}  {unit.code}  {invite.role}  used {invite.uses}/"
            f"{invite.max_uses or '∞'}  until {_local_time(services, unit, invite.expires_at)}"
            + ("  approval" if invite.requires_approval else "")
        )
    return 0


def _reachable(unreachable_since: datetime | None, zone: ZoneInfo) -> str:
    """Whether the bot can write to them: "no" since a send found the chat blocked or gone."""
    if unreachable_since is None:
        return "yes"
    return f"no, since {unreachable_since.astimezone(zone):%Y-%m-%d}"


async def _unit_option(services: Services, code: str) -> Unit:
    unit = await services.storage.units.by_code(code)
    if unit is None:
        raise CliError(f"--unit: no unit with code {code!r}")
    return unit


async def _member_invites(services: Services, code: str, out: Path) -> int:
    unit = await _unit_option(services, code)
    username = await _bot_username(services.settings)
    if username is None:
        raise CliError("set telegram.bot_username (or a token) to make the invite links")
    try:
        out.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (a console command: nothing else waits)
    except OSError as exc:
        raise CliError(f"--out: cannot make {out} ({exc.strerror})", EXIT_USAGE) from None
    return await member_invites(services, unit, out, username)


async def _member_list(services: Services, code: str | None, not_joined: bool) -> int:
    unit = None if code is None else await _unit_option(services, code)
    register = await services.register.listing(Actor.console(), unit, not_joined=not_joined)
    if not_joined:
        print_register(register, not_joined=True)
        return 0
    listed = await services.membership.listing(Actor.console(), unit)
    if not listed:
        print(f"no members in {unit.code}" if unit else "no members yet")
        print_register(register, not_joined=False)
        return 0
    zone = services.settings.zone
    rows = [
        (
            entry.member.display_name,
            f"@{entry.member.username}" if entry.member.username else "-",
            entry.unit_code,
            ", ".join(f"{role} {code}" for role, code in entry.roles) or "-",
            f"{entry.member.joined_at.astimezone(zone):%Y-%m-%d}",
            _reachable(entry.member.unreachable_since, zone),
        )
        for entry in listed
    ]
    header = ("name", "username", "unit", "roles", "joined", "reachable")
    for line in text_table(header, rows):
        print(line)
    print_register(register, not_joined=False)
    return 0


# No Telegram id: the operator at this console; 0: a member since erased.
_ACTORS: dict[int | None, str] = {None: "console", 0: "erased"}


async def _audit(services: Services, limit: int) -> int:
    units = {u.id: u.code for u in await services.storage.units.all()}
    for entry in await services.storage.audit.recent(limit):
        actor = _ACTORS.get(entry.actor_telegram_id, entry.actor_telegram_id)
        unit = units.get(entry.unit_id, "-") if entry.unit_id else "-"
        print(
            f"{entry.at:%Y-%m-%d %H:%M:%S}Z  {entry.outcome:6}  {actor}  {entry.action}"
            f"  {unit}  {entry.detail}"
        )
    return 0


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:  # noqa: C901 (a branch per subcommand)
    console = Actor.console()

    async def work(services: Services) -> int:  # noqa: C901 (a branch per subcommand)
        match (args.command, getattr(args, "action", None)):
            case ("org", "import"):
                return await _org_import(services, args.file)
            case ("org", "show"):
                return await _org_show(services)
            case ("invite", "create"):
                return await _invite_create(services, args)
            case ("invite", "revoke"):
                invite, unit = await services.invites.revoke(console, args.invite_id)
                print(f"invite {invite.id} for {unit.code} revoked")
                return 0
            case ("invite", "list"):
                return await _invite_list(services)
            case ("role", verb):
                member = await _find_member(services, args.member)
                change = (
                    services.membership.grant if verb == "grant" else services.membership.revoke
                )
                unit = await change(console, member, args.unit, Role(args.role))
                done = "is now" if verb == "grant" else "is no longer"
                print(f"{member.display_name} {done} {args.role} of {unit.code}")
                return 0
            case ("member", "list"):
                return await _member_list(services, args.unit, args.not_joined)
            case ("member", "import"):
                return await member_import(services, args.file, args.prune)
            case ("member", "invites"):
                return await _member_invites(services, args.unit, args.out)
            case ("member", "move"):
                member = await _find_member(services, args.member)
                unit = await services.membership.move(console, member, args.unit)
                print(f"{member.display_name} moved to {unit.code}")
                return 0
            case ("member", "erase") if args.member is None:
                return await register_erase(
                    services, args.external_id, args.unit, args.name, confirmed=args.yes
                )
            case ("member", "erase"):
                member = await _find_member(services, args.member)
                if not args.yes:
                    raise CliError(
                        f"erasing {member.display_name} cannot be undone; add --yes", EXIT_USAGE
                    )
                await services.privacy.erase_member(console, member)
                print(f"member {member.id} erased")
                return 0
            case ("member", verb):
                member = await _find_member(services, args.member)
                await services.membership.set_active(console, member, verb == "reactivate")
                print(f"{member.display_name} {verb}d")
                return 0
            case ("grid", "import"):
                return await _grid_import(services, args.file)
            case ("shift", "import"):
                return await _shift_import(services, args.file, args.partial)
            case ("audit", _):
                return await _audit(services, args.limit)
            case ("backup", _):
                try:
                    size = await backup(services.storage.db, args.file)
                except BackupError as exc:
                    raise CliError(str(exc)) from None
                print(
                    f"{args.file}: {size:,} bytes, a consistent copy of {settings.storage.database}"
                )
                return 0
        raise CliError(f"unknown command {args.command}", EXIT_USAGE)

    return await _with_services(settings, work)


_MEMBERSHIP_ERRORS = {
    "unknown_unit": "no unit with that code",
    "already_has_role": "the member already has that role",
    "has_no_role": "the member does not have that role there",
    "already_there": "the member is already in that unit",
    "already_active": "the member is already active",
    "already_inactive": "the member is already inactive",
    "bad_role": "only secretary and coordinator roles can be granted",
    "ambiguous_member": "several members have that username; name them by Telegram id",
}
_INVITE_ERRORS = {
    "bad_uses": "--uses must be between 1 and 100000",
    "bad_expiry": "--expires must be between 1 minute and invites.max_expiry",
    "unknown_invite": "no invite with that id",
    "already_revoked": "that invite was already revoked",
}


def _describe(exc: Exception) -> str:
    if isinstance(exc, MembershipError):
        return _MEMBERSHIP_ERRORS.get(exc.reason, exc.reason)
    if isinstance(exc, InviteError):
        return _INVITE_ERRORS.get(exc.reason, exc.reason)
    if isinstance(exc, PermissionDeniedError):
        return f"not allowed: {exc}"
    if isinstance(exc, TelegramError):
        return f"Telegram: {exc} (check telegram.api_base_url and the token)"
    if isinstance(exc, (OSError, *STORE_ERRORS)):
        return f"database error: {exc}"
    return str(exc)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL, and the URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # APScheduler logs "Running job" and "executed successfully" at INFO for every tick
    # (99 of 108 lines in two minutes); the tick logs what it did instead (app/build.py).
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


async def _run_bot(settings: Settings, webhook: bool) -> int:
    from app.build import build_application
    from app.runner import serve_polling
    from app.webhook import serve_webhook

    if webhook:
        settings.telegram.webhook()  # a missing URL or secret stops here, named
    configure_logging(settings.logging.level)
    app = await build_application(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await (serve_webhook(app, stop) if webhook else serve_polling(app, stop))
    return 0


async def _db(args: argparse.Namespace) -> int:
    """Needs no configuration: the addresses are the arguments."""
    if args.action == "copy":
        return await db_copy(args.source, args.target)
    return await db_migrate(args.url)


def _demo(args: argparse.Namespace) -> int:
    """Needs no configuration: the demo brings its own organisation and Bot API."""
    from app.demo import Options, main

    return main(Options(args.members, args.seed, args.out, args.language))


# What a command reports in one line (and exits non-zero) instead of a traceback.
_FAILURES: tuple[type[Exception], ...] = (
    SchemaTooNewError,
    TelegramError,
    PermissionDeniedError,
    MembershipError,
    InviteError,
    CliError,
    CopyError,
    DbCopyFailed,
    StoreUnavailableError,
    PollingLost,
    OSError,
    *STORE_ERRORS,
)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo":
        return _demo(args)
    try:
        if args.command == "db":
            return asyncio.run(_db(args))
        settings = _settings(args)
        if args.command == "config":
            # Usable but incomplete: say what is missing, and still pass (exit 0).
            for warning in setup_warnings(settings):
                print(f"warning: {warning}", file=sys.stderr)
            print("configuration ok")
            return 0
        if args.command == "run":
            return asyncio.run(_run_bot(settings, args.webhook))
        return asyncio.run(_dispatch(args, settings))
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    except OrgFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("nothing was changed", file=sys.stderr)
        return EXIT_USAGE
    except _FAILURES as exc:
        print(f"muster: {_describe(exc)}", file=sys.stderr)
        return exc.code if isinstance(exc, CliError) else EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
