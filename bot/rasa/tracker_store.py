"""Rasa tracker store kept in the episode-log database (``DATABASE_URL``).

In ``endpoints.yml``::

    tracker_store:
      type: bot.rasa.tracker_store.DatabaseUrlTrackerStore

Rasa 3.6 imports the class named by ``type`` and calls it with ``host=<url or None>``,
``domain``, ``event_broker`` and the remaining keys. Without a ``url`` key the database is
``DATABASE_URL`` (through :class:`bot.settings.Settings`), so Rasa, the action server and
the gateway share one database. Rasa creates its own ``events`` table there; the Alembic
migrations leave that table alone.

Fast path (measured with ``scripts/bench.py --ab``): Rasa's ``SQLTrackerStore`` counts the
session's rows on every save (to find the new events) and rebuilds the tracker by
replaying every event of the session on every retrieve. Here the tracker handed out by
``retrieve`` is remembered with how many of its events are stored and the id and
timestamp of the newest row; ``save`` then inserts only the events after that count, and
the next ``retrieve`` hands the same tracker back when the newest row of the conversation
is still the one it wrote (one indexed query, no replay). Anything unexpected (another
server wrote, rows were deleted, a new session started, the tracker changed without a
save) falls back to Rasa's own full load, so the fast path can only skip work, never
change what Rasa sees.

Careful: Rasa silently falls back to an in-memory store when the class raises
``ImportError`` or ``AttributeError``; such errors are re-raised here as ``RuntimeError``
so a broken configuration stops Rasa instead of losing conversations.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
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
            self.engine = sa.create_engine(old.url, hide_parameters=True, **sqlite_file_pool())
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
            old.dispose()
        elif old.dialect.name != "sqlite":
            # A pooled connection left over from a database restart is tested before use
            # (SELECT 1) and replaced, instead of failing the next conversation turn.
            # Both new engines: a failed statement's error (Rasa logs it) shows no values, the
            # events being what the patient wrote.
            self.engine = sa.create_engine(old.url, pool_pre_ping=True, hide_parameters=True,
                                           **create_engine_kwargs(old.url))
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
            old.dispose()


@dataclass
class _Known:
    """A tracker handed out or saved, and the newest stored row it corresponds to."""

    tracker: DialogueStateTracker
    stored: int  # how many of tracker.events are in the database
    last_id: int | None
    last_timestamp: float | None


class FastSQLTrackerStore(DatabaseUrlTrackerStore):
    """:class:`DatabaseUrlTrackerStore` without the COUNT per save and the replay per turn.

    Args:
        max_cached: trackers kept in memory at most (oldest dropped first).
        kwargs: as for :class:`DatabaseUrlTrackerStore`.
    """

    def __init__(self, *args: Any, max_cached: int = 2000, **kwargs: Any) -> None:
        """Open the store (see the class docstring)."""
        super().__init__(*args, **kwargs)
        self._known: dict[str, _Known] = {}
        self._max_cached = int(max_cached)
        self.fast_hits = 0  # trackers handed back without a replay (tests, benchmarks)

    def _newest_row(self, session: Any, sender_id: str) -> tuple[int | None, float | None]:
        event = self.SQLEvent
        row = (
            session.query(event.id, event.timestamp)
            .filter(event.sender_id == sender_id)
            .order_by(event.id.desc())
            .limit(1)
            .one_or_none()
        )
        return (None, None) if row is None else (int(row[0]), row[1])

    def _remember(
        self, tracker: DialogueStateTracker, stored: int, newest: tuple[Any, Any]
    ) -> None:
        self._known.pop(tracker.sender_id, None)
        while len(self._known) >= self._max_cached:
            self._known.pop(next(iter(self._known)))
        self._known[tracker.sender_id] = _Known(tracker, stored, newest[0], newest[1])

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker of the latest session; the remembered one when nothing changed."""
        known = self._known.pop(sender_id, None)
        with self.session_scope() as session:
            newest = self._newest_row(session, sender_id)
        if (
            known is not None
            and newest == (known.last_id, known.last_timestamp)
            and len(known.tracker.events) == known.stored
        ):
            self.fast_hits += 1
            # The caller now owns it: remembered again only when it is saved.
            self._known[sender_id] = known
            return known.tracker
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._remember(tracker, len(tracker.events), newest)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert the events not stored yet, without counting the stored ones."""
        known = self._known.pop(tracker.sender_id, None)
        if known is None or known.tracker is not tracker:
            await super().save(tracker)
            self._known.pop(tracker.sender_id, None)
            return
        await self.stream_events(tracker)
        new_events = list(tracker.events)[known.stored:]
        with self.session_scope() as session:
            unchanged = self._newest_row(session, tracker.sender_id) == (
                known.last_id, known.last_timestamp
            )
            newest: tuple[Any, Any] = (known.last_id, known.last_timestamp)
            if unchanged and new_events:
                rows = [self._row(tracker.sender_id, event) for event in new_events]
                session.add_all(rows)
                session.flush()
                newest = (rows[-1].id, rows[-1].timestamp)
                session.commit()
        if not unchanged:
            # Someone else wrote in between: let Rasa count, and forget this tracker.
            await super().save(tracker)
            return
        if any(isinstance(event, SessionStarted) for event in new_events):
            return  # a new session began inside this tracker: reload it from the database
        self._remember(tracker, len(tracker.events), newest)

    def _row(self, sender_id: str, event: Any) -> Any:
        """The ``events`` row for one event, exactly as Rasa's ``save`` builds it."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )
