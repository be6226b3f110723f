"""Engine, session factory and the Database helper."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.store.db import Database, make_engine, migrate
from bot.store.models import Patient
from bot.store.patients import get_or_create_patient

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _pragma(engine: Engine, name: str) -> object:
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_sqlite_engine_creates_the_folder_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deeper" / "flare.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert _pragma(engine, "foreign_keys") == 1
        assert _pragma(engine, "journal_mode") == "wal"
        assert int(_pragma(engine, "busy_timeout")) >= 1000  # type: ignore[call-overload]
        assert path.exists()
    finally:
        engine.dispose()


def test_sqlite_foreign_keys_stay_on_after_migrating(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'flare.db'}")
    try:
        migrate(engine)
        assert _pragma(engine, "foreign_keys") == 1
    finally:
        engine.dispose()


def test_in_memory_sqlite_keeps_one_database(tmp_path: Path) -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
    finally:
        engine.dispose()


def test_database_sessions_commit_and_keep_objects_loaded(db_engine: Engine) -> None:
    database = Database.from_url(db_engine.url)
    try:
        assert database.ping()
        with database.sessions.begin() as session:
            patient = get_or_create_patient(session, "p-db-helper", now=NOW)
        # expire_on_commit=False: attributes stay readable after the transaction.
        assert patient.country == "US"
        with database.sessions() as session:
            assert session.get(Patient, "p-db-helper") is not None
    finally:
        with database.sessions.begin() as session:
            found = session.get(Patient, "p-db-helper")
            if found is not None:
                session.delete(found)
        database.dispose()


def test_two_engines_share_a_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    migrate(url)
    writer, reader = Database.from_url(url), Database.from_url(url)
    try:
        with writer.sessions.begin() as session:
            get_or_create_patient(session, "p-shared", now=NOW)
        with reader.sessions() as session:
            assert session.get(Patient, "p-shared") is not None
    finally:
        writer.dispose()
        reader.dispose()


def test_a_failed_statement_does_not_show_its_parameters(db_engine: Engine) -> None:
    # A database error is logged with its text (logger.exception): the parameters are what
    # the patient wrote (message log, flags, tracker events), so they must not be in it.
    words = "my own words that must stay out of the log"
    with db_engine.connect() as connection:
        try:
            connection.execute(text("SELECT no_such_column FROM patients WHERE id = :w"),
                               {"w": words})
        except Exception as exc:  # noqa: BLE001 - the driver's error, whatever its class
            shown = str(exc)
        else:
            raise AssertionError("the statement should have failed")
    assert "no_such_column" in shown and words not in shown
