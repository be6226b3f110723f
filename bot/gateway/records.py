"""Everything stored about one patient: export it (/mydata) or erase it (/delete).

Tables are found through ``Base.metadata``: every table with a ``patient_id`` column, plus
fear statements through their episodes, plus Rasa's tracker ``events`` rows for the
patient's sender id when the tracker store shares the database. New tables with a
``patient_id`` column are therefore covered without changes here.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import MetaData, Table, delete, inspect, select
from sqlalchemy.orm import Session

import bot.store.messages  # noqa: F401  (registers the message-log tables on Base)
from bot.store.models import Base

RASA_EVENTS_TABLE = "events"
PATIENTS = "patients"
EPISODES = "episodes"
FEAR_STATEMENTS = "fear_statements"


def _load_all_models() -> None:
    """Import optional model modules so their tables are known to ``Base.metadata``."""
    import importlib

    for name in ("bot.store.schedule", "bot.store.safety_plans"):
        try:
            importlib.import_module(name)
        except ImportError:  # a part of the store that is not installed
            continue


def _patient_tables() -> list[Table]:
    """Tables with a patient_id column, children before parents."""
    _load_all_models()
    tables = [t for t in Base.metadata.sorted_tables if "patient_id" in t.c]
    return list(reversed(tables))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rows(session: Session, table: Table, column: Any, value: Any) -> list[dict[str, Any]]:
    result = session.execute(select(table).where(column == value).order_by(*table.primary_key))
    return [{k: _jsonable(v) for k, v in row._mapping.items()} for row in result]


def export_patient(session: Session, patient_id: str) -> dict[str, Any]:
    """A JSON-ready dict of every row about the patient, by table name."""
    patients = Base.metadata.tables[PATIENTS]
    found = _rows(session, patients, patients.c.id, patient_id)
    data: dict[str, Any] = {"patient": found[0] if found else None}
    for table in reversed(_patient_tables()):
        data[table.name] = _rows(session, table, table.c.patient_id, patient_id)
    episodes = Base.metadata.tables[EPISODES]
    fears = Base.metadata.tables[FEAR_STATEMENTS]
    episode_ids = select(episodes.c.id).where(episodes.c.patient_id == patient_id)
    data[FEAR_STATEMENTS] = [
        {k: _jsonable(v) for k, v in row._mapping.items()}
        for row in session.execute(
            select(fears).where(fears.c.episode_id.in_(episode_ids)).order_by(fears.c.id)
        )
    ]
    return data


def export_json(session: Session, patient_id: str) -> bytes:
    """The export as pretty-printed UTF-8 JSON."""
    return json.dumps(export_patient(session, patient_id), indent=2, ensure_ascii=False).encode()


def delete_tracker_rows(session: Session, sender_id: str) -> int:
    """Delete Rasa's tracker events of ``sender_id`` if the tracker lives in this database."""
    connection = session.connection()  # a second connection would wait for our write lock
    if not inspect(connection).has_table(RASA_EVENTS_TABLE):
        return 0
    events = Table(RASA_EVENTS_TABLE, MetaData(), autoload_with=connection)
    if "sender_id" not in events.c:
        return 0
    result = session.execute(delete(events).where(events.c.sender_id == sender_id))
    return int(result.rowcount or 0)


def erase_patient(session: Session, patient_id: str) -> None:
    """Erase the patient and every row about them (no foreign-key cascade relied on)."""
    episodes = Base.metadata.tables[EPISODES]
    fears = Base.metadata.tables[FEAR_STATEMENTS]
    episode_ids = select(episodes.c.id).where(episodes.c.patient_id == patient_id)
    session.execute(delete(fears).where(fears.c.episode_id.in_(episode_ids)))
    messages = Base.metadata.tables["messages"]
    session.execute(
        messages.update().where(messages.c.patient_id == patient_id).values(reply_to_id=None)
    )
    for table in _patient_tables():
        session.execute(delete(table).where(table.c.patient_id == patient_id))
    patients = Base.metadata.tables[PATIENTS]
    session.execute(delete(patients).where(patients.c.id == patient_id))
    delete_tracker_rows(session, patient_id)
