"""Everything stored about one patient: export it (/mydata) or erase it (/delete).

What each table contributes is decided in one place, :mod:`bot.store.data_policy`
(erase, scrub or keep; exported or not), including Rasa's tracker ``events`` for the
patient's sender id when the tracker store shares the database. The export starts with
a short explanation of what ``/delete`` erases and what it keeps.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

import bot.store  # noqa: F401  (imports every table module: one registry, TABLE_MODULES)
from bot.gateway import texts
from bot.store import data_policy

PATIENTS = "patients"



def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def export_patient(session: Session, patient_id: str) -> dict[str, Any]:
    """A JSON-ready dict: what /delete does, then every exported row by table name."""
    rows = data_policy.export_rows(session, patient_id)
    found = rows.pop(PATIENTS, [])
    data: dict[str, Any] = {
        "about_this_file": texts.MYDATA_ABOUT,
        "patient": {k: _jsonable(v) for k, v in found[0].items()} if found else None,
    }
    for name, table_rows in rows.items():
        data[name] = [{k: _jsonable(v) for k, v in row.items()} for row in table_rows]
    return data


def export_json(session: Session, patient_id: str) -> bytes:
    """The export as pretty-printed UTF-8 JSON."""
    return json.dumps(export_patient(session, patient_id), indent=2, ensure_ascii=False).encode()


def erase_patient(session: Session, patient_id: str, now: datetime | None = None) -> bool:
    """Erase (or scrub) every row about the patient by the data policy.

    Returns True when a minimal safety record was kept because a crisis flag is still
    waiting for a coach (see :mod:`bot.store.data_policy`).
    """
    return data_policy.erase_patient(session, patient_id, now or datetime.now(timezone.utc))
