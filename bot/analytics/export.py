"""Export a patient's data for a date range as JSON or CSV, and read exports back.

Tables: episodes, fear_statements, safety_flags, checkins, messages. The range is by UTC
calendar day (check-ins by their local date), both ends included.

CSV, one table per file, is safe to open in a spreadsheet: a text cell that is empty or
starts with ``= + - @ '``, a blank (space, tab, return, newline) or a full-width or
Unicode look-alike of those signs gets a leading ``'`` (so it never runs as a formula);
an empty cell means NULL. :func:`read_csv` undoes both, so an export reads back exactly.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.messages import Message
from bot.store.models import CheckIn, Episode, FearStatement, SafetyFlag

INT, TEXT, TIME, DATE, BOOL, LIST = "int", "text", "datetime", "date", "bool", "json"
TABLES: dict[str, tuple[Any, str, list[tuple[str, str]]]] = {
    "episodes": (Episode, "started_at", [
        ("id", INT), ("started_at", TIME), ("last_activity_at", TIME), ("ended_at", TIME),
        ("close_reason", TEXT), ("severity_start", INT), ("severity_end", INT),
        ("triggers", LIST), ("locations", LIST), ("tools_offered", LIST),
        ("tools_used", LIST), ("first_message", TEXT),
    ]),
    "fear_statements": (FearStatement, "created_at", [
        ("id", INT), ("episode_id", INT), ("created_at", TIME), ("kind", TEXT), ("text", TEXT),
    ]),
    "safety_flags": (SafetyFlag, "created_at", [
        ("id", INT), ("episode_id", INT), ("created_at", TIME), ("kind", TEXT), ("text", TEXT),
        ("reasons", LIST), ("acknowledged_at", TIME), ("acknowledged_by", TEXT),
        ("coach_note", TEXT),
    ]),
    "checkins": (CheckIn, "local_date", [
        ("id", INT), ("local_date", DATE), ("created_at", TIME), ("updated_at", TIME),
        ("pain", INT), ("sleep", INT), ("stress", INT), ("paced", BOOL),
        ("practice_minutes", INT), ("note", TEXT),
    ]),
    "messages": (Message, "created_at", [
        ("id", INT), ("created_at", TIME), ("direction", TEXT), ("channel", TEXT),
        ("kind", TEXT), ("text", TEXT), ("payload", TEXT), ("buttons", LIST),
        ("status", TEXT), ("reply_to_id", INT),
    ]),
}
# Spreadsheets treat these as a formula start, also after leading blanks or line breaks,
# and some map the full-width forms (＝ ＋ － ＠) and the minus sign to the ASCII ones.
_FORMULA_START = (
    "=", "+", "-", "@", "'", "\t", "\r", "\n", " ", "\u00a0", "\u3000",
    "\uff1d", "\uff0b", "\uff0d", "\uff20", "\u2212", "\ufe62", "\ufe63", "\ufe66",
)


class ExportError(ValueError):
    """Unknown table or format, or a malformed date range."""


def _rows(session: Session, table: str, patient_id: str, first: date | None,
          last: date | None) -> list[Any]:
    model, time_column, _ = TABLES[table]
    column = getattr(model, time_column)
    if model is FearStatement:
        statement = select(model).join(Episode, Episode.id == FearStatement.episode_id).where(
            Episode.patient_id == patient_id
        )
    else:
        statement = select(model).where(model.patient_id == patient_id)
    if time_column == "local_date":
        if first is not None:
            statement = statement.where(column >= first)
        if last is not None:
            statement = statement.where(column <= last)
    else:
        if first is not None:
            statement = statement.where(column >= datetime.combine(first, time(), timezone.utc))
        if last is not None:
            end = datetime.combine(last + timedelta(days=1), time(), timezone.utc)
            statement = statement.where(column < end)
    return list(session.execute(statement.order_by(column, model.id)).scalars())


def _to_json_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind in (TIME, DATE):
        return value.isoformat()
    if kind == LIST:
        return list(value)
    return value


def export_tables(
    session: Session, patient_id: str, first: date | None, last: date | None
) -> dict[str, list[dict[str, Any]]]:
    """Every exported table as JSON-ready rows (ISO dates, lists as lists)."""
    if first is not None and last is not None and first > last:
        raise ExportError("the start date is after the end date")
    return {
        table: [
            {name: _to_json_value(getattr(row, name), kind) for name, kind in columns}
            for row in _rows(session, table, patient_id, first, last)
        ]
        for table, (_, _, columns) in TABLES.items()
    }


def to_json(patient_id: str, first: date | None, last: date | None,
            tables: dict[str, list[dict[str, Any]]]) -> str:
    """The JSON export document."""
    document = {
        "patient_id": patient_id,
        "from": first.isoformat() if first else None,
        "to": last.isoformat() if last else None,
        "tables": tables,
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == BOOL:
        return "true" if value else "false"
    if kind == LIST:
        return json.dumps(value, ensure_ascii=False)
    if kind == TEXT and (value == "" or value.startswith(_FORMULA_START)):
        return "'" + value
    return str(value)


def to_csv(table: str, rows: Sequence[dict[str, Any]]) -> str:
    """One table as CSV (header row first), from :func:`export_tables` rows."""
    if table not in TABLES:
        raise ExportError(f"unknown table {table!r}")
    columns = TABLES[table][2]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for name, _ in columns])
    for row in rows:
        writer.writerow([_cell(row[name], kind) for name, kind in columns])
    return buffer.getvalue()


_PARSERS: dict[str, Callable[[str], Any]] = {
    INT: int,
    TIME: datetime.fromisoformat,
    DATE: date.fromisoformat,
    BOOL: lambda v: {"true": True, "false": False}[v],
    LIST: json.loads,
    TEXT: lambda v: v[1:] if v.startswith("'") else v,
}


def read_csv(table: str, text: str) -> list[dict[str, Any]]:
    """Parse a CSV export back into typed rows (datetimes aware, dates, ints, lists)."""
    columns = dict(TABLES[table][2])
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return [
        {name: None if raw == "" else _PARSERS[columns[name]](raw) for name, raw in row.items()}
        for row in reader
    ]


def read_json(text: str) -> dict[str, list[dict[str, Any]]]:
    """Parse a JSON export back into typed rows, like :func:`read_csv`."""
    tables = json.loads(text)["tables"]
    parsed: dict[str, list[dict[str, Any]]] = {}
    for table, rows in tables.items():
        columns = dict(TABLES[table][2])
        parsed[table] = [
            {
                name: value
                if value is None or columns[name] not in (TIME, DATE)
                else _PARSERS[columns[name]](value)
                for name, value in row.items()
            }
            for row in rows
        ]
    return parsed
