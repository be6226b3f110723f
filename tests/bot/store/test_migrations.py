"""Alembic migrations: up to every head, down to base, and in step with the models."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Table, inspect
from sqlalchemy.engine import Engine

from bot.store.db import (
    alembic_config,
    current_revisions,
    downgrade,
    make_engine,
    migrate,
)
from bot.store.models import Base

CORE_TABLES = {
    "patients",
    "channel_identities",
    "episodes",
    "fear_statements",
    "safety_flags",
    "checkins",
    "reframe_uses",
}


def _tables(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def _table_name(diff: Any) -> str | None:
    """The table an autogenerate diff is about."""
    operation = diff[0] if isinstance(diff, list) else diff
    for part in operation[1:]:
        if isinstance(part, Table):
            return str(part.name)
        table = getattr(part, "table", None)
        if isinstance(table, Table):
            return str(table.name)
    return operation[2] if len(operation) > 2 and isinstance(operation[2], str) else None


def _heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_core_revision_is_the_root() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    core = script.get_revision("0001_core")
    assert core is not None
    assert core.down_revision is None
    assert script.get_bases() == ["0001_core"]


def test_upgrade_to_heads_and_back_down(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            assert current_revisions(connection) == _heads()
        assert _tables(engine) >= CORE_TABLES

        migrate(engine)  # already up to date: nothing happens
        downgrade(engine, "base")
        assert _tables(engine) <= {"alembic_version"}
        with engine.connect() as connection:
            assert current_revisions(connection) == set()

        migrate(fresh_database_url)  # from a URL, after a full downgrade
        assert _tables(engine) >= CORE_TABLES
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()

    core_diffs = [diff for diff in diffs if _table_name(diff) in CORE_TABLES]
    assert core_diffs == []


def test_alembic_command_reads_database_url(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    command.upgrade(alembic_config(), "heads")
    engine = make_engine(fresh_database_url)
    try:
        assert _tables(engine) >= CORE_TABLES
        command.downgrade(alembic_config(), "base")
        assert _tables(engine) <= {"alembic_version"}
    finally:
        engine.dispose()
