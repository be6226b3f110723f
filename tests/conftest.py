"""Shared database fixtures (SQLite and the local PostgreSQL server).

- ``db_engine``: a migrated engine, parametrized over ``sqlite`` and ``postgres`` (the
  latter marked ``postgres``); one database per backend and test session.
- ``db_session``: a ``Session`` inside an outer transaction that is rolled back after the
  test (SQLAlchemy docs, "Joining a Session into an External Transaction"); store
  functions may use ``begin_nested()`` and tests may ``commit()`` freely.
- ``fresh_database_url``: an empty database per test (for migration tests).

PostgreSQL databases are named ``flare_test_<random>`` and dropped at the end. Set
``FLARE_TEST_PG_ADMIN_URL`` to use another server (default: postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, SessionTransaction

from bot.store.db import make_engine, migrate
from tests.postgres_flag import postgres_unreachable

PG_ADMIN_URL = os.environ.get(
    "FLARE_TEST_PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
DB_BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


class PostgresDatabases:
    """Creates throwaway PostgreSQL databases and drops them again."""

    def __init__(self, admin_url: str) -> None:
        self._admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
        self._admin_url = make_url(admin_url)
        self._names: list[str] = []

    def create(self) -> str:
        """Create an empty database and return its URL; skip the test if no server."""
        name = f"flare_test_{uuid.uuid4().hex[:12]}"
        try:
            with self._admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        except OperationalError as exc:
            postgres_unreachable(f"PostgreSQL not reachable at {self._admin_url.host}: {exc}")
        self._names.append(name)
        return self._admin_url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        """Drop the database behind ``url`` (closing other sessions on it)."""
        name = make_url(url).database
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self._names:
            self._names.remove(name)

    def drop_all(self) -> None:
        """Drop every database still left and close the admin engine."""
        for name in list(self._names):
            self.drop(self._admin_url.set(database=name).render_as_string(hide_password=False))
        self._admin.dispose()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PostgresDatabases]:
    """Factory for throwaway PostgreSQL databases, all dropped at the end of the session."""
    databases = PostgresDatabases(PG_ADMIN_URL)
    try:
        yield databases
    finally:
        databases.drop_all()


def _new_url(backend: str, directory: Path, request: pytest.FixtureRequest) -> str:
    """An empty database URL on ``backend``."""
    if backend == "sqlite":
        return f"sqlite:///{directory / f'flare-{uuid.uuid4().hex[:8]}.db'}"
    databases: PostgresDatabases = request.getfixturevalue("pg_databases")
    return databases.create()


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated SQLite file database for the whole session."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'flare.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine(pg_databases: PostgresDatabases) -> Iterator[Engine]:
    """A migrated throwaway PostgreSQL database for the whole session."""
    engine = make_engine(pg_databases.create())
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=DB_BACKENDS)
def db_engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated engine on each backend (shared; use ``db_session`` to stay isolated)."""
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture
def db_session(db_engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test."""
    connection = db_engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, future=True, expire_on_commit=False)
    nested = connection.begin_nested()

    @event.listens_for(session, "after_transaction_end")
    def _restart_savepoint(_session: Session, _transaction: SessionTransaction) -> None:
        nonlocal nested
        if not nested.is_active:
            nested = connection.begin_nested()

    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture(params=DB_BACKENDS)
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database on each backend, dropped after the test."""
    url = _new_url(request.param, tmp_path, request)
    yield url
    if request.param == "postgres":
        request.getfixturevalue("pg_databases").drop(url)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Undo the uvloop event-loop policy that importing Rasa installs.

    Rasa sets ``uvloop.EventLoopPolicy`` as a side effect of being imported (the NLU tests
    import it while collecting). The gateway runs on the standard asyncio loop in its own
    process (``python -m bot``), so its tests must too: under uvloop the teardown of the
    gateway harness hangs when a test module that imports Rasa was collected first.
    """
    import asyncio

    asyncio.set_event_loop_policy(None)
