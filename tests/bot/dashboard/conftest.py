"""Dashboard fixtures: a migrated database per test (SQLite, or PostgreSQL where asked),
the app with a fixed clock and cheap bcrypt, and a TestClient."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.analytics.transcript import rasa_events
from bot.dashboard.app import create_app
from bot.dashboard.config import DashboardConfig
from bot.settings import Settings
from bot.store.db import Database, migrate
from tests.bot.dashboard.dashboard_support import Clock, Seeded, seed

# Every table a dashboard test may fill; emptied between PostgreSQL tests.
_PG_TABLES = ("audit_log", "coach_notes", "invite_codes", "coach_patients", "coaches",
              "messages", "safety_flags", "fear_statements", "checkins", "episodes",
              "reframe_uses", "channel_identities", "patients", "events")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for every test."""
    path = tmp_path_factory.mktemp("dashboard") / "template.db"
    database = Database.from_url(f"sqlite:///{path}")
    database.migrate()
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_dashboard_url(pg_databases: object) -> str:
    """A migrated throwaway PostgreSQL database shared by the dashboard tests."""
    url = pg_databases.create()  # type: ignore[attr-defined]
    migrate(url)
    database = Database.from_url(url)
    rasa_events.metadata.create_all(database.engine)
    database.dispose()
    return str(url)


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on (override with indirect parametrization)."""
    return str(request.param)


@pytest.fixture
def database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated database."""
    if backend == "sqlite":
        path = tmp_path / "dashboard.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        db = Database.from_url(f"sqlite:///{path}")
    else:
        db = Database.from_url(request.getfixturevalue("pg_dashboard_url"))
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {', '.join(_PG_TABLES)} RESTART IDENTITY CASCADE"))
    yield db
    db.dispose()


@pytest.fixture
def seeded(database: Database) -> Seeded:
    """Two coaches with one patient each, an admin, and a flare per patient."""
    return seed(database)


@pytest.fixture
def clock() -> Clock:
    """The app's clock."""
    return Clock()


@pytest.fixture
def app(database: Database, clock: Clock) -> Starlette:
    """The dashboard on ``database``."""
    config = DashboardConfig(secret_key="k" * 48, bcrypt_rounds=4, clock=clock)
    return create_app(Settings(), database, config)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    """A browser-like client (cookies kept, redirects not followed)."""
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``browser`` marker (headless Chromium tests)."""
    config.addinivalue_line("markers", "browser: drives headless Chromium (Debian chromium)")
