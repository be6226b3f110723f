"""Fixtures for the scheduler tests: a migrated database per backend, a fake clock, fakes.

``db`` is parametrized over SQLite (a file, so several engines can share it) and the local
PostgreSQL server, where a throwaway database is created, migrated with
``alembic upgrade heads`` and dropped at the end of the session.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, delete, text
from sqlalchemy.exc import OperationalError

from bot.scheduler.clock import FakeClock
from bot.store.db import Database, migrate
from bot.store.models import CheckIn, Episode, Patient
from bot.store.schedule import PacingReminder, ScheduledSend
from tests.bot.scheduler.scheduler_support import FakeDelivery, World
from tests.postgres_flag import postgres_unreachable

PG_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"
START = datetime(2024, 6, 3, 12, 0, tzinfo=timezone.utc)


def _migrated_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Create and migrate a database for ``backend``; drop it afterwards (PostgreSQL)."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("scheduler") / "schedule.db"
        url = f"sqlite:///{path}"
        migrate(url)
        yield url
        return
    admin = create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT", future=True)
    name = f"sched_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        postgres_unreachable(f"PostgreSQL not reachable at 127.0.0.1:5432: {exc}")
    try:
        url = f"{PG_SERVER}/{name}"
        migrate(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated SQLite file shared by the test session."""
    yield from _migrated_url("sqlite", tmp_path_factory)


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated throwaway PostgreSQL database shared by the test session."""
    yield from _migrated_url("postgres", tmp_path_factory)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of a migrated database, once per backend."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A :class:`Database` whose tables are emptied before the test."""
    database = Database.from_url(database_url)
    with database.sessions.begin() as session:
        for table in (PacingReminder, ScheduledSend, CheckIn, Episode, Patient):
            session.execute(delete(table))
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at a quiet summer noon (UTC)."""
    return FakeClock(START)


@pytest.fixture
def world(db: Database, clock: FakeClock) -> World:
    """Database, clock and fake deliveries together."""
    return World(db, clock, FakeDelivery(clock))
