"""Settings: ``config.toml`` read into pydantic models, any key overridable from ``MUSTER_…``.

The file path comes from ``--config`` or ``MUSTER_CONFIG``.  Environment variables use
``__`` between levels (``MUSTER_ORGANISATION__TIMEZONE=Asia/Shanghai``).  The bot token is
accepted only from the environment (``MUSTER_TELEGRAM__TOKEN``) or from a file named by
``telegram.token_file``, so that it never sits in a config file that gets copied around.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from bot.checkins.config import CheckinSettings, checkin_problems
from bot.dashboard.config import DashboardSettings
from bot.delivery.cluster_config import ClusterSettings
from bot.directives.config import LadderStep, ladder_problems
from bot.duty.config import DutySettings, duty_problems
from bot.fallback.config import FallbackSettings, secrets_in_file
from bot.kit.daily import ClockTime, Weekday
from bot.kit.durations import Duration
from bot.kit.i18n import Language
from bot.reports.config import ReportSettings, report_problems
from storage.postgres import DEFAULT_POOL_SIZE, check_url

CONFIG_ENV = "MUSTER_CONFIG"
TOKEN_ENV = "MUSTER_TELEGRAM__TOKEN"
# The round trip to Telegram the paid rate's workers are sized for, in seconds.
PAID_ROUND_TRIP = 0.1
# Telegram's paid broadcasts: messages beyond the free 30 a second cost 0.1 Star each.
FREE_PER_SECOND = 30
MESSAGES_PER_STAR = 10


class FeatureName(StrEnum):
    """The features, as ``organisation.features_off`` names them (each has a wing of the
    same name in ``handlers/`` and ``bot/``)."""

    ORG = "org"
    DIRECTIVES = "directives"
    FALLBACK = "fallback"
    CHECKINS = "checkins"
    DUTY = "duty"
    REPORTS = "reports"
    SUMMARIES = "summaries"
    DASHBOARD = "dashboard"


# Every other feature stands on these: members, units and roles.
CORE_FEATURES = frozenset({FeatureName.ORG})


def core_switched_off(off: Iterable[FeatureName]) -> str | None:
    """What is wrong with switching off ``off``, when it holds a core feature."""
    if core := sorted(CORE_FEATURES.intersection(off)):
        return f"{', '.join(core)} cannot be switched off: every other feature needs it"
    return None


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` holds one readable line per fault."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _check_timezone(value: object) -> object:
    if isinstance(value, str):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not a known IANA timezone (e.g. Asia/Shanghai)"
            ) from None
    return value


TimeZoneName = Annotated[str, BeforeValidator(_check_timezone)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrganisationSettings(_Section):
    name: str = Field(default="Muster", min_length=1, max_length=100)
    timezone: TimeZoneName = "UTC"
    default_language: Language = Language.EN
    admins: list[int] = Field(default_factory=list)
    # Where phone numbers without a country code are (member register), e.g. "CN".
    phone_region: str = Field(default="CN", pattern=r"^[A-Z]{2}$")
    # Features this organisation does not use (e.g. ["duty"] without street grids): their
    # commands, buttons, menus and scheduled messages are gone. "org" cannot be switched off.
    features_off: list[FeatureName] = Field(default_factory=list)

    @field_validator("features_off")
    @classmethod
    def _core_stays(cls, value: list[FeatureName]) -> list[FeatureName]:
        if problem := core_switched_off(value):
            raise ValueError(problem)
        return value

    def uses(self, feature: FeatureName) -> bool:
        return feature not in self.features_off


class TelegramSettings(_Section):
    token: SecretStr | None = None
    token_file: Path | None = None
    api_base_url: str = "https://api.telegram.org/bot"
    api_file_url: str = "https://api.telegram.org/file/bot"
    # Used to build invite links when the bot cannot be asked (CLI without a token).
    bot_username: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
    # PTB writes persistence in batches (60 s by default); a short interval keeps a
    # half-finished conversation across a crash.
    persistence_flush_seconds: float = Field(default=1.0, gt=0, le=60)
    # Updates of different chats handled at once (one chat's, and one person's, always in
    # order, see app/updates.py); 1 handles every update after the one before. 256, as
    # PTB's stock setup: a press holds its slot for at least one Bot API round trip, so 64
    # capped a burst of presses at a few hundred a second whatever the CPU could do.
    concurrent_updates: int = Field(default=256, ge=1, le=1024)
    # Webhook mode (``muster run --webhook``): Telegram posts updates to ``webhook_url``
    # (public, HTTPS, usually a reverse proxy in front of ``webhook_listen:webhook_port``),
    # each with the secret token, which comes from MUSTER_TELEGRAM__WEBHOOK_SECRET or
    # ``webhook_secret_file`` like the bot token (never from this file).
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_secret_file: Path | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=0, le=65535)
    webhook_path: str = Field(default="/telegram", pattern=r"^/[A-Za-z0-9_/.-]{0,200}$")

    @field_validator("api_base_url", "api_file_url", "webhook_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    def resolve_token(self) -> str | None:
        """The token from the environment, else from ``token_file``; never from config."""
        if self.token is not None:
            return self.token.get_secret_value().strip() or None
        if self.token_file is not None:
            try:
                return self.token_file.read_text(encoding="utf-8").strip() or None
            except OSError as exc:
                raise ConfigError(
                    [f"telegram.token_file: cannot read {str(self.token_file)!r} ({exc.strerror})"]
                ) from None
        return None

    def webhook(self) -> tuple[str, str]:
        """(public URL, secret token) for webhook mode, or ConfigError naming what is
        missing or wrong."""
        problems = []
        secret = None
        if self.webhook_secret is not None:
            secret = self.webhook_secret.get_secret_value().strip()
        elif self.webhook_secret_file is not None:
            try:
                secret = self.webhook_secret_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                problems.append(
                    f"telegram.webhook_secret_file: cannot read"
                    f" {str(self.webhook_secret_file)!r} ({exc.strerror})"
                )
        if self.webhook_url is None:
            problems.append("telegram.webhook_url: not set; the public URL Telegram posts to")
        if secret is None and not problems:
            problems.append(
                "telegram.webhook_secret: not set; set MUSTER_TELEGRAM__WEBHOOK_SECRET or"
                " telegram.webhook_secret_file"
            )
        elif secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
            problems.append(
                "telegram.webhook_secret: use 16 to 256 characters of A-Z, a-z, 0-9, _ and -"
            )
        if problems:
            raise ConfigError(problems)
        assert self.webhook_url is not None and secret is not None
        return self.webhook_url, secret


class StorageSettings(_Section):
    # One store: SQLite's file, or PostgreSQL's address (docs/postgresql.md).
    database: Path = Path("muster.db")
    url: str | None = None
    pool_size: int = Field(default=DEFAULT_POOL_SIZE, ge=1, le=200)

    @field_validator("url")
    @classmethod
    def _postgresql(cls, value: str | None) -> str | None:
        if value is not None and (problem := check_url(value)):
            raise ValueError(problem)
        return value

    @property
    def target(self) -> str | Path:
        """What ``Storage.open`` opens: the address when set, else the file."""
        return self.url or self.database


class InviteSettings(_Section):
    default_expiry: Duration = timedelta(days=7)
    max_expiry: Duration = timedelta(days=90)
    default_uses: int = Field(default=1, ge=1, le=100_000)


class DirectiveSettings(_Section):
    # Without a ladder: reminders go out at the deadline (a question's before it, see
    # question_reminder_lead); secretaries get their lists this much later.
    escalation_grace: Duration = timedelta(hours=1)
    # A question's silent are reminded this long before its answers close (at the
    # deadline); one sent less than twice this before, halfway between.
    question_reminder_lead: Duration = timedelta(minutes=30)
    # The chase, step by step from when a directive starts sending (bot/directives/
    # ladder.py); unset: the two steps above.
    ladder: list[LadderStep] | None = None
    # A directive marked urgent (paid) runs its ladder this much faster (0.5: twice).
    urgent_factor: float = Field(default=1.0, gt=0, le=1)
    # How many directives /directives lists.
    recent: int = Field(default=10, ge=1, le=50)


class DeliverySettings(_Section):
    """How the outbox worker paces itself under Telegram's flood limits."""

    # Sends per second overall (Telegram allows about 30); whole sends per 1-s window.
    rate_per_second: float = Field(default=28.0, gt=0, le=30)
    # Seconds between two sends to the same chat (Telegram: about one per second).
    private_chat_interval: float = Field(default=1.0, ge=0, le=60)
    # Sends per sliding minute to one group chat (Telegram: 20).
    group_per_minute: int = Field(default=20, ge=1, le=60)
    # Sends in flight at once.
    concurrency: int = Field(default=8, ge=1, le=64)
    # Network failures tolerated per message before it is marked failed.
    max_attempts: int = Field(default=20, ge=1, le=1000)
    # Longest wait between two retries of one message (back-off doubles from 2 s).
    max_backoff_seconds: float = Field(default=300.0, ge=0, le=86_400)
    # Paid broadcasts (Telegram's allow_paid_broadcast): a directive marked urgent goes out
    # at up to paid_rate_per_second, each message beyond the free 30/s costing 0.1 Star
    # from the bot's balance, at most paid_budget_stars per directive.
    paid_broadcast: bool = False
    paid_rate_per_second: int = Field(default=1000, ge=31, le=1000)
    paid_budget_stars: int = Field(default=500, ge=1, le=1_000_000)

    @property
    def workers(self) -> int:
        """Sends in flight: ``concurrency``, or, with paid broadcasts on, enough to keep
        the paid rate over a round trip of up to 100 ms (1,000/s needs 100 in flight)."""
        if not self.paid_broadcast:
            return self.concurrency
        return max(self.concurrency, math.ceil(self.paid_rate_per_second * PAID_ROUND_TRIP))


class SummarySettings(_Section):
    """When coordinators get their committees' summaries (each committee's local time)."""

    daily_at: ClockTime = time(20, 0)
    # The weekly summary (7 days per day, trend per child unit) on this weekday, at daily_at.
    weekly_on: Weekday = "sun"
    # A summary sent this long after it fell due (the bot was down) is marked late.
    late_after: Duration = timedelta(minutes=30)
    # /export covers at most this many days.
    max_export_days: int = Field(default=31, ge=1, le=366)


class RetentionSettings(_Section):
    """How long personal details are kept: check-in answers, duty reports and locations,
    decline reasons, incident texts and photos. Older days keep only their counts (who
    checked in, which shifts were done), so summaries of them still add up."""

    # 0 keeps everything.
    details_days: int = Field(default=0, ge=0, le=36_500)


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


class LoggingSettings(_Section):
    level: LogLevel = LogLevel.INFO


_file_data: ContextVar[dict[str, Any] | None] = ContextVar("muster_config_file", default=None)


class _FileSource(PydanticBaseSettingsSource):
    """The parsed TOML file, ranked below the environment."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return (_file_data.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_file_data.get() or {})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MUSTER_",
        env_nested_delimiter="__",
        extra="forbid",
        nested_model_default_partial_update=True,
    )

    organisation: OrganisationSettings = Field(default_factory=OrganisationSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    invites: InviteSettings = Field(default_factory=InviteSettings)
    directives: DirectiveSettings = Field(default_factory=DirectiveSettings)
    checkin: CheckinSettings = Field(default_factory=CheckinSettings)
    duty: DutySettings = Field(default_factory=DutySettings)
    summaries: SummarySettings = Field(default_factory=SummarySettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    fallback: FallbackSettings = Field(default_factory=FallbackSettings)
    dashboard: DashboardSettings = Field(default_factory=DashboardSettings)
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _FileSource(settings_cls))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.organisation.timezone)


def setup_warnings(settings: Settings) -> list[str]:
    """``key: problem`` for what a valid configuration lacks to be used in earnest.

    Reads the token file (a ConfigError if it cannot be read)."""
    warnings = []
    if not settings.organisation.admins:
        warnings.append(
            "organisation.admins: empty; nobody can grant roles in chat (add your Telegram user id)"
        )
    if settings.telegram.resolve_token() is None:
        warnings.append(
            f"telegram.token: not set; `muster run` will refuse to start (set {TOKEN_ENV}"
            " or telegram.token_file)"
        )
    if settings.telegram.bot_username is None:
        warnings.append(
            "telegram.bot_username: not set; invite links can be printed only by asking"
            " Telegram with the token"
        )
    return warnings


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(file)"


def _format_error(error: Mapping[str, Any]) -> str:
    loc = _format_loc(tuple(error["loc"]))
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{loc}: unknown key"
    if kind == "missing":
        return f"{loc}: required but missing"
    message = str(error["msg"])
    if kind == "value_error":
        return f"{loc}: {message.removeprefix('Value error, ')}"
    value = error.get("input")
    shown = f"{value!r}" if isinstance(value, (str, int, float, bool)) else type(value).__name__
    return f"{loc}: {message[0].lower()}{message[1:]} (got {shown})"


def default_config_path(env: Mapping[str, str] | None = None) -> Path | None:
    env = os.environ if env is None else env
    value = env.get(CONFIG_ENV)
    return Path(value) if value else None


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such config file"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read ({exc.strerror})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    telegram = data.get("telegram")
    if isinstance(telegram, dict) and "webhook_secret" in telegram:
        raise ConfigError(
            [
                "telegram.webhook_secret: the secret must not be in the config file; set "
                "MUSTER_TELEGRAM__WEBHOOK_SECRET or point telegram.webhook_secret_file at a file"
            ]
        )
    if problems := secrets_in_file(data):
        raise ConfigError(problems)
    if isinstance(telegram, dict) and "token" in telegram:
        raise ConfigError(
            [
                "telegram.token: the token must not be in the config file; set "
                f"{TOKEN_ENV} or point telegram.token_file at a file"
            ]
        )
    return data


@contextmanager
def _file_layer(data: dict[str, Any]) -> Iterator[None]:
    marker = _file_data.set(data)
    try:
        yield
    finally:
        _file_data.reset(marker)


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Read the file (if any) and the environment; raise ConfigError naming each bad key."""
    data = read_config_file(path) if path is not None else {}
    try:
        with _file_layer(data):
            settings = Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError([_format_error(e) for e in exc.errors()]) from None
    except SettingsError as exc:
        # pydantic-settings could not even parse an environment value (lists need JSON).
        field = re.search(r'field "([^"]+)"', str(exc))
        name = field.group(1) if field else "environment"
        raise ConfigError(
            [
                f"{name}: a MUSTER_{name.upper()}__… environment value cannot be read"
                " (lists are written as JSON, e.g. '[123, 456]')"
            ]
        ) from None
    problems = checkin_problems(settings.checkin) + duty_problems(settings.duty)
    problems += report_problems(settings.reports)
    problems += ladder_problems(settings.directives.ladder, fallback=settings.fallback.configured)
    if settings.invites.default_expiry > settings.invites.max_expiry:
        problems.append("invites.default_expiry: longer than invites.max_expiry")
    if settings.storage.url and "database" in settings.storage.model_fields_set:
        problems.append(
            "storage.url: set, and storage.database too; Muster uses one store (keep url for"
            " PostgreSQL, or database for SQLite)"
        )
    if problems:
        raise ConfigError(problems)
    return settings


def dashboard_url(settings: Settings) -> str | None:
    """The dashboard Mini App's address when it is served (enabled, with its public URL,
    and not switched off); None when no button should offer it."""
    if not settings.organisation.uses(FeatureName.DASHBOARD):
        return None
    return settings.dashboard.url
