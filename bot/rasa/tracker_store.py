"""Rasa tracker store kept in the episode-log database (``DATABASE_URL``).

In ``endpoints.yml``::

    tracker_store:
      type: bot.rasa.tracker_store.DatabaseUrlTrackerStore

Rasa 3.6 imports the class named by ``type`` and calls it with ``host=<url or None>``,
``domain``, ``event_broker`` and the remaining keys. Without a ``url`` key the database is
``DATABASE_URL`` (through :class:`bot.settings.Settings`), so Rasa, the action server and
the gateway share one database. Rasa creates its own ``events`` table there; the Alembic
migrations leave that table alone.

Careful: Rasa silently falls back to an in-memory store when the class raises
``ImportError`` or ``AttributeError``; such errors are re-raised here as ``RuntimeError``
so a broken configuration stops Rasa instead of losing conversations.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy.engine import make_url

from bot.settings import Settings, resolve_database_url
from bot.store.db import SQLITE_BUSY_TIMEOUT_MS, sqlite_file_pool


def _prepare_sqlite_file(path: Path) -> None:
    """Create the folder and switch the file to WAL so readers never block writers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()


def tracker_store_url(database_url: str) -> str:
    """The SQLAlchemy URL Rasa should use for ``database_url``.

    Relative SQLite paths are resolved like :class:`Settings` does; SQLite files get their
    folder created, WAL mode and a busy timeout so Rasa waits for our writers.

    Raises:
        bot.settings.SettingsError: the URL is malformed or not SQLite/PostgreSQL.
    """
    url = make_url(resolve_database_url(database_url))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        _prepare_sqlite_file(Path(url.database))
        if "timeout" not in url.query:
            url = url.update_query_dict({"timeout": str(SQLITE_BUSY_TIMEOUT_MS / 1000)})
    return url.render_as_string(hide_password=False)


class DatabaseUrlTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on ``DATABASE_URL`` (or the endpoint's ``url``)."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        settings: Settings | None = None,
        **kwargs: Any,
    ) -> None:
        """Connect to the database and create Rasa's ``events`` table if needed.

        Args:
            domain: The assistant's domain.
            host: A full database URL from ``endpoints.yml`` (``url:``); overrides settings.
            event_broker: Optional Rasa event broker.
            settings: Settings to read ``database_url`` from; default ``Settings.from_env()``.
            kwargs: Other endpoint keys, passed on to ``SQLTrackerStore``.
        """
        raw_url = host or (settings or Settings.from_env()).database_url
        try:
            super().__init__(
                domain=domain, host=tracker_store_url(raw_url), event_broker=event_broker, **kwargs
            )
        except (ImportError, AttributeError) as exc:
            # Rasa would swallow these and keep conversations in memory only.
            raise RuntimeError(f"cannot open the tracker store database: {exc}") from exc
        # The engine Rasa built (mypy cannot see its type through Rasa).
        old: sa.engine.Engine = self.engine  # type: ignore[has-type]
        if old.dialect.name == "sqlite" and old.url.database not in (None, "", ":memory:"):
            # Rasa's engine uses NullPool for SQLite files: a new connection (and a WAL
            # checkpoint on close) for every message. Keep a small pool instead.
            self.engine = sa.create_engine(old.url, **sqlite_file_pool())
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
            old.dispose()
