"""The patient-data policy covers every table, and the registry knows every table."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, inspect

from bot.store import data_policy
from bot.store.data_policy import POLICY, missing_policies
from bot.store.db import Database
from bot.store.registry import load_all_tables


def test_every_table_with_patient_data_has_a_policy() -> None:
    assert missing_policies(load_all_tables()) == []


def test_a_new_table_with_patient_data_and_no_policy_is_caught() -> None:
    metadata = MetaData()
    Table("patients", metadata, Column("id", String(64), primary_key=True))
    Table("episodes", metadata, Column("id", Integer, primary_key=True),
          Column("patient_id", ForeignKey("patients.id")))
    Table("mood_diary", metadata, Column("id", Integer, primary_key=True),
          Column("patient_id", String(64)))  # no foreign key, still patient data
    Table("episode_photos", metadata, Column("id", Integer, primary_key=True),
          Column("episode_id", ForeignKey("episodes.id")))  # patient data through episodes
    Table("rasa_like", metadata, Column("id", Integer, primary_key=True),
          Column("sender_id", String(64)))
    Table("app_settings", metadata, Column("key", String(16), primary_key=True))
    assert missing_policies(metadata) == ["episode_photos", "mood_diary", "rasa_like"]


def test_every_policy_names_a_known_table_and_real_columns() -> None:
    metadata = load_all_tables()
    for name, policy in POLICY.items():
        if name == data_policy.RASA_EVENTS_TABLE:
            continue
        table = metadata.tables[name]
        assert policy.link in table.c, name
        for column in (*policy.scrub, *policy.hide):
            assert column in table.c, (name, column)
            assert table.c[column].nullable or column in policy.hide, (name, column)


def test_the_registry_knows_every_migrated_table(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path / 'schema.db'}")
    database.migrate()
    with database.engine.connect() as connection:
        migrated = set(inspect(connection).get_table_names()) - {"alembic_version"}
    database.dispose()
    assert migrated <= set(load_all_tables().tables), migrated - set(load_all_tables().tables)


def test_sqlite_secure_delete_is_on(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path / 'x.db'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar_one() == 1
    database.dispose()
