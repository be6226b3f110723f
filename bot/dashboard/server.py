"""Run the dashboard with uvicorn (``python -m bot.dashboard serve``)."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import uvicorn

from bot.dashboard.app import create_app
from bot.dashboard.config import DashboardConfig
from bot.http_limits import uvicorn_config
from bot.logs import configure_logging
from bot.settings import Settings
from bot.store.db import Database

logger = logging.getLogger(__name__)
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def serve(
    settings: Settings,
    config: DashboardConfig,
    *,
    host: str | None = None,
    port: int | None = None,
    stdout: TextIO = sys.stdout,
) -> int:
    """Migrate the database, print the address and serve until stopped; return 0."""
    configure_logging(settings.log_level, "%(levelname)s %(name)s: %(message)s")
    host = host or config.host
    port = port or config.port
    if host not in LOCAL_HOSTS and not config.secure_cookies:
        logger.warning(
            "Serving on %s without DASHBOARD_SECURE_COOKIES: put it behind https", host
        )
    database = Database.from_settings(settings)
    try:
        database.migrate()
        app = create_app(settings, database, config)
        shown = f"[{host}]" if ":" in host else host
        print(f"Coach dashboard at http://{shown}:{port}/", file=stdout, flush=True)
        # h11 with a header-size cap; X-Forwarded-For is read by the app, and only from
        # DASHBOARD_TRUSTED_PROXIES (bot.dashboard.ratelimit.client_address).
        uvicorn.Server(uvicorn_config(app, host, port)).run()
    finally:
        database.dispose()
    return 0
