"""Settings read from the environment once at start and validated.

Use ``Settings.from_env()`` in entry points (never at import time) and pass the object
down. Empty values count as unset. A malformed value raises :class:`SettingsError` naming
the variable.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parents[1]

DATABASE_URL = "DATABASE_URL"
RASA_URL = "RASA_URL"
RASA_TOKEN = "RASA_TOKEN"
RASA_URLS = "RASA_URLS"
TELEGRAM_WEBHOOK_PORT = "TELEGRAM_WEBHOOK_PORT"
TELEGRAM_WEBHOOK_HOST = "TELEGRAM_WEBHOOK_HOST"
RATE_LIMIT_REDIS_URL = "RATE_LIMIT_REDIS_URL"
TELEGRAM_SEND_LIMITS = "TELEGRAM_SEND_LIMITS"
TELEGRAM_SEND_LOG = "TELEGRAM_SEND_LOG"
SCHEDULER_SHIFT_DAYS = "SCHEDULER_SHIFT_DAYS"
ACTION_SERVER_URL = "ACTION_SERVER_URL"
TELEGRAM_BOT_TOKEN = "TELEGRAM_BOT_TOKEN"
TELEGRAM_API_BASE_URL = "TELEGRAM_API_BASE_URL"
TELEGRAM_WEBHOOK_URL = "TELEGRAM_WEBHOOK_URL"
TELEGRAM_WEBHOOK_SECRET = "TELEGRAM_WEBHOOK_SECRET"
DEFAULT_COUNTRY = "DEFAULT_COUNTRY"
DEFAULT_TIMEZONE = "DEFAULT_TIMEZONE"
DEFAULT_CHECKIN_TIME = "DEFAULT_CHECKIN_TIME"
EPISODE_IDLE_MINUTES = "EPISODE_IDLE_MINUTES"
LOG_LEVEL = "LOG_LEVEL"
# Coach alerts (issue #8): e-mail over SMTP, the on-call address, escalation, links.
SMTP_HOST = "SMTP_HOST"
SMTP_PORT = "SMTP_PORT"
SMTP_USER = "SMTP_USER"
SMTP_PASSWORD = "SMTP_PASSWORD"
SMTP_FROM = "SMTP_FROM"
SMTP_SECURITY = "SMTP_SECURITY"
ALERT_ONCALL_EMAIL = "ALERT_ONCALL_EMAIL"
ALERT_ESCALATE_MINUTES = "ALERT_ESCALATE_MINUTES"
DASHBOARD_URL = "DASHBOARD_URL"

DEFAULT_DATABASE_URL = "sqlite:///var/flare.db"
SUPPORTED_DATABASES = ("sqlite", "postgresql")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_IDLE_MINUTES = 7 * 24 * 60

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_TELEGRAM_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
SMTP_SECURITY_MODES = ("starttls", "ssl", "none")

T = TypeVar("T")


class SettingsError(ValueError):
    """An environment variable is missing or malformed."""


def resolve_database_url(raw: str, root: Path = PROJECT_ROOT) -> str:
    """Validate a database URL; make a relative SQLite file path absolute under ``root``.

    Every process (Rasa, action server, gateway) then opens the same file whatever its
    working directory.

    Raises:
        SettingsError: the URL cannot be parsed or names an unsupported database.
    """
    try:
        url: URL = make_url(raw)
    except ArgumentError as exc:
        # not echoed: a malformed URL may still hold a password
        raise SettingsError(f"{DATABASE_URL} is not a valid database URL") from exc
    backend = url.get_backend_name()
    if backend not in SUPPORTED_DATABASES:
        raise SettingsError(
            f"{DATABASE_URL} must be a sqlite or postgresql URL, got backend {backend!r}"
        )
    if backend == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        if not path.is_absolute():
            url = url.set(database=str(root / path))
    return url.render_as_string(hide_password=False)


def _http_url(name: str, value: str, *, https_only: bool = False) -> str:
    """Check that ``value`` is an absolute http(s) URL."""
    parts = urlsplit(value)
    schemes = ("https",) if https_only else ("http", "https")
    if parts.scheme not in schemes or not parts.netloc:
        wanted = "an https URL" if https_only else "an http(s) URL"
        raise SettingsError(f"{name} must be {wanted}, got {value!r}")
    return value


def _pattern(name: str, pattern: re.Pattern[str], what: str) -> Callable[[str], str]:
    """Build a validator that matches ``pattern``; never echoes the value (may be secret)."""

    def check(value: str) -> str:
        if not pattern.match(value):
            raise SettingsError(f"{name} must be {what}")
        return value

    return check


def _timezone(value: str) -> str:
    """Check an IANA time zone name."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"{DEFAULT_TIMEZONE} must be an IANA time zone such as Europe/Berlin, got {value!r}"
        ) from exc
    return value


def _checkin_time(value: str) -> str:
    """Check an HH:MM 24-hour time."""
    if not _HHMM.match(value):
        raise SettingsError(f"{DEFAULT_CHECKIN_TIME} must be HH:MM (24 h), got {value!r}")
    return value


def _idle_minutes(value: str) -> int:
    """Check a whole number of minutes between 1 and a week."""
    try:
        minutes = int(value)
    except ValueError as exc:
        raise SettingsError(
            f"{EPISODE_IDLE_MINUTES} must be a whole number, got {value!r}"
        ) from exc
    if not 1 <= minutes <= MAX_IDLE_MINUTES:
        raise SettingsError(
            f"{EPISODE_IDLE_MINUTES} must be between 1 and {MAX_IDLE_MINUTES}, got {minutes}"
        )
    return minutes


def _log_level(value: str) -> str:
    """Check a standard logging level name."""
    level = value.upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"{LOG_LEVEL} must be one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return level


def _url_list(value: str) -> tuple[str, ...]:
    """Check a comma-separated list of http(s) URLs (``RASA_URLS``)."""
    return tuple(_http_url(RASA_URLS, part.strip()) for part in value.split(",") if part.strip())


def _port(value: str) -> int:
    """Check a TCP port number (``TELEGRAM_WEBHOOK_PORT``)."""
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise SettingsError(f"{TELEGRAM_WEBHOOK_PORT} must be a port 1-65535, got {value!r}")
    return int(value)


def _listen_host(value: str) -> str:
    """Check a listen address (``TELEGRAM_WEBHOOK_HOST``): an IP address or ``localhost``."""
    if value == "localhost":
        return value
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise SettingsError(
            f"{TELEGRAM_WEBHOOK_HOST} must be an IP address to listen on (127.0.0.1, 0.0.0.0, "
            f"::), got {value!r}") from None


def _redis_url(value: str) -> str:
    """Check a ``redis://`` URL (``RATE_LIMIT_REDIS_URL``)."""
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(  # the value is not echoed: it may hold a password
            f"{RATE_LIMIT_REDIS_URL} must be a redis://, rediss:// or unix:// URL")
    return value


def _country(value: str) -> str:
    """Check a two-letter ISO 3166 country code (upper-cased)."""
    code = value.upper()
    if not _COUNTRY.match(code):
        raise SettingsError(f"{DEFAULT_COUNTRY} must be a two-letter country code, got {value!r}")
    return code


MIN_WEBHOOK_SECRET_CHARS = 32


def require_webhook_secret(secret: str | None) -> str:
    """The webhook secret if it is long enough and Telegram accepts it.

    Raises:
        SettingsError: missing, shorter than 32 characters or with characters other than
            A-Z a-z 0-9 _ - (the message says how to generate one).
    """
    if not secret or len(secret) < MIN_WEBHOOK_SECRET_CHARS or not _WEBHOOK_SECRET.match(secret):
        raise SettingsError(
            f"webhook mode (TELEGRAM_WEBHOOK_URL) needs {TELEGRAM_WEBHOOK_SECRET} with at "
            f"least {MIN_WEBHOOK_SECRET_CHARS} characters from A-Z, a-z, 0-9, '_' and '-'; "
            "make one with: python -c \"import secrets; print(secrets.token_urlsafe(32))\""
        )
    return secret
def _whole(name: str, low: int, high: int) -> Callable[[str], int]:
    """Build a validator for a whole number between ``low`` and ``high``."""

    def check(value: str) -> int:
        if not value.isdigit() or not low <= int(value) <= high:
            raise SettingsError(f"{name} must be a whole number {low}-{high}, got {value!r}")
        return int(value)

    return check


def _email(name: str) -> Callable[[str], str]:
    """Build a validator for one e-mail address."""

    def check(value: str) -> str:
        if not _EMAIL.match(value):
            raise SettingsError(f"{name} must be an e-mail address, got {value!r}")
        return value

    return check


def _smtp_security(value: str) -> str:
    mode = value.lower()
    if mode not in SMTP_SECURITY_MODES:
        raise SettingsError(
            f"{SMTP_SECURITY} must be one of {', '.join(SMTP_SECURITY_MODES)}, got {value!r}"
        )
    return mode


@dataclass(frozen=True)
class Settings:
    """Validated runtime settings. Secrets are kept out of ``repr``."""

    database_url: str = field(default_factory=lambda: resolve_database_url(DEFAULT_DATABASE_URL))
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str | None = field(default=None, repr=False)
    action_server_url: str = "http://127.0.0.1:5055/webhook"
    telegram_bot_token: str | None = field(default=None, repr=False)
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    default_country: str = "US"
    default_timezone: str = "UTC"
    default_checkin_time: str = "20:00"
    episode_idle_minutes: int = 120
    log_level: str = "INFO"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str | None = None
    smtp_security: str = "starttls"
    alert_oncall_email: str | None = None
    alert_escalate_minutes: int = 15
    dashboard_url: str = "http://127.0.0.1:8000"

    @property
    def smtp_enabled(self) -> bool:
        """Whether alert e-mails can be sent (SMTP_HOST and SMTP_FROM are set)."""
        return bool(self.smtp_host and self.smtp_from)

    @property
    def alert_escalate_after(self) -> timedelta:
        """How long an alerted flag may wait unacknowledged before the on-call person is told."""
        return timedelta(minutes=self.alert_escalate_minutes)
    # Several Rasa servers (comma-separated RASA_URLS); empty: just rasa_url.
    rasa_urls: tuple[str, ...] = ()
    # Where this gateway worker's webhook server listens (several workers: one port each).
    telegram_webhook_port: int = 8443
    # The address it listens on: loopback behind a local nginx; 0.0.0.0 inside a container.
    telegram_webhook_host: str = "127.0.0.1"
    # Telegram's send limits shared by all gateway workers (Redis); unset: in-process.
    rate_limit_redis_url: str | None = None
    # Off ("0") only for benchmarks against the fake Bot API, which has no limits.
    telegram_send_limits: bool = True
    # "1": the shared limiter logs every slot it grants in Redis (benchmarks only).
    telegram_send_log: bool = False
    # Drills and benchmarks only: the scheduler plans N days ahead of the real date (so the
    # Sunday summary can fall due on a weekday); aftercare and coach alerts keep real time.
    scheduler_shift_days: int = 0

    @property
    def rasa_servers(self) -> tuple[str, ...]:
        """The Rasa servers the gateway spreads patients over (at least ``rasa_url``)."""
        return self.rasa_urls or (self.rasa_url,)

    @property
    def episode_idle(self) -> timedelta:
        """How long an episode may stay quiet before it is closed as "timeout"."""
        return timedelta(minutes=self.episode_idle_minutes)

    @property
    def checkin_time(self) -> time:
        """The default check-in time as a ``datetime.time``."""
        hours, minutes = self.default_checkin_time.split(":")
        return time(int(hours), int(minutes))

    @property
    def log_level_number(self) -> int:
        """The log level as a ``logging`` constant."""
        return int(logging.getLevelName(self.log_level))

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Read and validate every setting from ``env``.

        Raises:
            SettingsError: a variable is malformed; the message names it.
        """

        def get(name: str, check: Callable[[str], T], default: T) -> T:
            raw = env.get(name, "").strip()
            return check(raw) if raw else default

        defaults = cls()
        settings = cls(
            database_url=get(DATABASE_URL, resolve_database_url, defaults.database_url),
            rasa_url=get(RASA_URL, lambda v: _http_url(RASA_URL, v), defaults.rasa_url),
            rasa_token=get(RASA_TOKEN, str, None),
            action_server_url=get(
                ACTION_SERVER_URL,
                lambda v: _http_url(ACTION_SERVER_URL, v),
                defaults.action_server_url,
            ),
            telegram_bot_token=get(
                TELEGRAM_BOT_TOKEN,
                _pattern(TELEGRAM_BOT_TOKEN, _TELEGRAM_TOKEN, "a bot token like 123456:ABC-def"),
                None,
            ),
            telegram_api_base_url=get(
                TELEGRAM_API_BASE_URL,
                lambda v: _http_url(TELEGRAM_API_BASE_URL, v),
                defaults.telegram_api_base_url,
            ),
            telegram_webhook_url=get(
                TELEGRAM_WEBHOOK_URL,
                lambda v: _http_url(TELEGRAM_WEBHOOK_URL, v, https_only=True),
                None,
            ),
            telegram_webhook_secret=get(
                TELEGRAM_WEBHOOK_SECRET,
                _pattern(
                    TELEGRAM_WEBHOOK_SECRET,
                    _WEBHOOK_SECRET,
                    "1-256 characters from A-Z, a-z, 0-9, _ and -",
                ),
                None,
            ),
            default_country=get(DEFAULT_COUNTRY, _country, defaults.default_country),
            default_timezone=get(DEFAULT_TIMEZONE, _timezone, defaults.default_timezone),
            default_checkin_time=get(
                DEFAULT_CHECKIN_TIME, _checkin_time, defaults.default_checkin_time
            ),
            episode_idle_minutes=get(
                EPISODE_IDLE_MINUTES, _idle_minutes, defaults.episode_idle_minutes
            ),
            log_level=get(LOG_LEVEL, _log_level, defaults.log_level),
            smtp_host=get(SMTP_HOST, str, None),
            smtp_port=get(SMTP_PORT, _whole(SMTP_PORT, 1, 65535), defaults.smtp_port),
            smtp_user=get(SMTP_USER, str, None),
            smtp_password=get(SMTP_PASSWORD, str, None),
            smtp_from=get(SMTP_FROM, _email(SMTP_FROM), None),
            smtp_security=get(SMTP_SECURITY, _smtp_security, defaults.smtp_security),
            alert_oncall_email=get(ALERT_ONCALL_EMAIL, _email(ALERT_ONCALL_EMAIL), None),
            alert_escalate_minutes=get(
                ALERT_ESCALATE_MINUTES,
                _whole(ALERT_ESCALATE_MINUTES, 1, 24 * 60),
                defaults.alert_escalate_minutes,
            ),
            dashboard_url=get(
                DASHBOARD_URL, lambda v: _http_url(DASHBOARD_URL, v), defaults.dashboard_url
            ).rstrip("/"),
            rasa_urls=get(RASA_URLS, _url_list, ()),
            telegram_webhook_port=get(TELEGRAM_WEBHOOK_PORT, _port, 8443),
            telegram_webhook_host=get(TELEGRAM_WEBHOOK_HOST, _listen_host, "127.0.0.1"),
            rate_limit_redis_url=get(RATE_LIMIT_REDIS_URL, _redis_url, None),
            telegram_send_limits=get(TELEGRAM_SEND_LIMITS, lambda v: v not in ("0", "false"),
                                     True),
            telegram_send_log=get(TELEGRAM_SEND_LOG, lambda v: v in ("1", "true"), False),
            scheduler_shift_days=get(SCHEDULER_SHIFT_DAYS, _whole(SCHEDULER_SHIFT_DAYS, 0, 6),
                                     0),
        )
        if settings.telegram_webhook_url:
            require_webhook_secret(settings.telegram_webhook_secret)
        return settings
