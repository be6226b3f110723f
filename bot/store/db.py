"""Engine and session factory for the episode log, and Alembic migrations.

Nothing here runs at import time: build a :class:`Database` (or an engine) in the entry
point and pass its session factory down. Callers own the transaction::

    db = Database.from_url(settings.database_url)
    with db.sessions.begin() as session:
        episode = open_episode(session, patient_id, now, text=text)

SQLite gets WAL, ``busy_timeout``, ``foreign_keys=ON`` and ``secure_delete=ON`` (what
``/delete`` erases is zeroed on disk, not left in free pages); every transaction starts with
``BEGIN IMMEDIATE`` so that two processes writing the same file wait for each other (up to
the busy timeout) instead of failing half-way, and so that SAVEPOINTs work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool, StaticPool

from bot.settings import PROJECT_ROOT, Settings

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_POOL_SIZE = 4


def sqlite_file_pool() -> dict[str, Any]:
    """Engine arguments for a SQLite file: a small pool of connections kept open.

    SQLAlchemy 1.4 defaults to NullPool for SQLite files: reopening per transaction re-ran
    the pragmas and checkpointed the WAL each time. Used here and by Rasa's tracker store.
    """
    return {
        "poolclass": QueuePool,
        "pool_size": SQLITE_POOL_SIZE,
        "connect_args": {"check_same_thread": False},
    }


def _sqlite_engine(url: URL) -> Engine:
    """Create a SQLite engine with sane pragmas and real transactions."""
    in_memory = url.database in (None, "", ":memory:")
    kwargs: dict[str, Any] = {"future": True, "hide_parameters": True}
    if in_memory:
        kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.update(sqlite_file_pool())
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Erased rows are overwritten with zeros, not left readable in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_engine(url: str | URL) -> Engine:
    """Create an engine for a SQLite or PostgreSQL URL (2.0-style, ``future=True``).

    ``hide_parameters``: a failed statement's error (logged with ``logger.exception``)
    shows the SQL, not its values, which are what patients wrote.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return create_engine(parsed, future=True, pool_pre_ping=True, hide_parameters=True)


def make_session_factory(engine: Engine) -> sessionmaker:
    """Session factory; objects stay readable after commit (``expire_on_commit=False``)."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


def alembic_config(connection: Connection | None = None) -> Config:
    """The project's Alembic config, optionally bound to an open connection."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["configure_logger"] = False  # keep the application's logging setup
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _set_sqlite_pragma(connection: Connection, pragma: str) -> None:
    """Run a PRAGMA outside any transaction (SQLite ignores some pragmas inside one)."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(pragma)
    finally:
        cursor.close()


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for running migrations, committed at the end.

    On SQLite, foreign keys are switched off while migrating (batch mode rebuilds tables,
    and a rebuild must not cascade deletes) and checked before committing.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _set_sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                _set_sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def _run_alembic(target: str | URL | Engine, run: Callable[[Config], None]) -> None:
    """Run an Alembic command against a URL or an engine."""
    engine = target if isinstance(target, Engine) else make_engine(target)
    try:
        with migration_connection(engine) as connection:
            run(alembic_config(connection))
    finally:
        if engine is not target:
            engine.dispose()


def migrate(target: str | URL | Engine, revision: str = "heads") -> None:
    """Upgrade the database to ``revision`` (default: every head, as branches may exist)."""
    _run_alembic(target, lambda config: command.upgrade(config, revision))


def downgrade(target: str | URL | Engine, revision: str = "base") -> None:
    """Downgrade the database to ``revision`` (default: drop everything)."""
    _run_alembic(target, lambda config: command.downgrade(config, revision))


def current_revisions(connection: Connection) -> set[str]:
    """The revisions the database is at (empty before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    return set(MigrationContext.configure(connection).get_current_heads())


@dataclass(frozen=True)
class Database:
    """An engine and its session factory."""

    engine: Engine
    sessions: sessionmaker

    @classmethod
    def from_url(cls, url: str | URL) -> Database:
        """Build the engine and session factory for ``url``."""
        engine = make_engine(url)
        return cls(engine=engine, sessions=make_session_factory(engine))

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """Build from ``settings.database_url``."""
        return cls.from_url(settings.database_url)

    def migrate(self) -> None:
        """Upgrade the schema to every head."""
        migrate(self.engine)

    def ping(self) -> bool:
        """True when a trivial query succeeds."""
        with self.engine.connect() as connection:
            return connection.execute(text("SELECT 1")).scalar_one() == 1

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
