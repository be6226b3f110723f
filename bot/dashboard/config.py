"""Dashboard settings read from the environment (next to :class:`bot.settings.Settings`).

``DASHBOARD_SECRET_KEY`` signs session cookies. When it is unset a random key is made for
this process only, with a warning: sessions then end when the dashboard restarts. There is
never a fixed default key.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import utcnow
from bot.dashboard.ratelimit import Network, parse_proxies
from bot.settings import SettingsError
from bot.store.passwords import DEFAULT_ROUNDS

logger = logging.getLogger(__name__)

DASHBOARD_SECRET_KEY = "DASHBOARD_SECRET_KEY"
DASHBOARD_SECURE_COOKIES = "DASHBOARD_SECURE_COOKIES"
DASHBOARD_HOST = "DASHBOARD_HOST"
DASHBOARD_PORT = "DASHBOARD_PORT"
DASHBOARD_TRUSTED_PROXIES = "DASHBOARD_TRUSTED_PROXIES"
MIN_SECRET_CHARS = 32
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _secret_key(raw: str) -> str:
    if not raw:
        logger.warning(
            "%s is not set: using a random key for this process; coaches must log in "
            "again after every restart",
            DASHBOARD_SECRET_KEY,
        )
        return secrets.token_urlsafe(48)
    if len(raw) < MIN_SECRET_CHARS:
        raise SettingsError(
            f"{DASHBOARD_SECRET_KEY} must have at least {MIN_SECRET_CHARS} characters"
        )
    return raw


def _flag(name: str, raw: str) -> bool:
    if raw.lower() in _TRUE:
        return True
    if not raw or raw.lower() in _FALSE:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _port(raw: str) -> int:
    if not raw:
        return 8000
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise SettingsError(f"{DASHBOARD_PORT} must be a port number 1-65535, got {raw!r}")
    return int(raw)


def _proxies(raw: str) -> tuple[Network, ...]:
    try:
        return parse_proxies(raw)
    except ValueError as exc:
        raise SettingsError(
            f"{DASHBOARD_TRUSTED_PROXIES} must list IP addresses or networks "
            f"(e.g. 127.0.0.1, 10.0.0.0/8): {exc}"
        ) from exc


@dataclass(frozen=True)
class DashboardConfig:
    """Validated dashboard settings. The secret key is kept out of ``repr``."""

    secret_key: str = field(repr=False)
    secure_cookies: bool = False  # also Secure whenever the request came over https
    host: str = "127.0.0.1"
    port: int = 8000
    session_lifetime: timedelta = timedelta(hours=8)  # absolute, from login
    session_idle: timedelta = timedelta(minutes=30)
    bcrypt_rounds: int = DEFAULT_ROUNDS
    login_attempts: int = 5  # per address, before delays start
    account_login_attempts: int = 10  # per account, before (short) delays start
    login_window: timedelta = timedelta(minutes=15)
    trusted_proxies: tuple[Network, ...] = ()  # peers whose X-Forwarded-For is believed
    password_check_workers: int = 2  # bcrypt checks running at once
    password_check_queue: int = 32  # more waiting than this: answer 503
    max_body_bytes: int = 1024 * 1024
    require_admin_totp: bool = True  # admins set up TOTP before they see patient data
    clock: Callable[[], datetime] = utcnow

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] = os.environ, *, for_server: bool = True
    ) -> DashboardConfig:
        """Read and validate the ``DASHBOARD_*`` variables.

        With ``for_server=False`` (account commands) a missing secret key stays empty.

        Raises:
            bot.settings.SettingsError: a variable is malformed; the message names it.
        """

        def get(name: str) -> str:
            return env.get(name, "").strip()

        return cls(
            secret_key=_secret_key(get(DASHBOARD_SECRET_KEY))
            if for_server or get(DASHBOARD_SECRET_KEY)
            else "",
            secure_cookies=_flag(DASHBOARD_SECURE_COOKIES, get(DASHBOARD_SECURE_COOKIES)),
            host=get(DASHBOARD_HOST) or "127.0.0.1",
            port=_port(get(DASHBOARD_PORT)),
            trusted_proxies=_proxies(get(DASHBOARD_TRUSTED_PROXIES)),
        )
