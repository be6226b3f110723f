"""Export round trip: what is exported (CSV and JSON) reads back equal to what is stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from bot.analytics.export import TABLES, read_csv, read_json
from bot.store import episodes as episode_store
from bot.store import messages as message_store
from bot.store.checkins import save_checkin
from bot.store.db import Database
from bot.store.models import Episode, FearStatement
from tests.bot.dashboard.dashboard_support import NOW, Seeded, login

TRICKY_TEXTS = ["=HYPERLINK(\"http://x\")", "'quoted", "", "-1", "line one\r\nline, two \"q\"",
                "@sum", "\ttab", "ünïcödé ✓"]


def _stored(database: Database, table: str, patient_id: str) -> list[dict[str, Any]]:
    """Rows as the ORM returns them (the reference the export must equal)."""
    model, time_column, columns = TABLES[table]
    with database.sessions() as session:
        statement = select(model)
        if model is FearStatement:
            statement = statement.join(Episode).where(Episode.patient_id == patient_id)
        else:
            statement = statement.where(model.patient_id == patient_id)
        rows = session.execute(statement.order_by(getattr(model, time_column), model.id))
        return [{name: getattr(row, name) for name, _ in columns} for row in rows.scalars()]


@pytest.fixture
def tricky(seeded: Seeded, database: Database) -> Seeded:
    """Messages, fears and a check-in note whose text is hard for CSV."""
    with database.sessions.begin() as session:
        episode = session.get(Episode, seeded.episodes["p-alice"])
        assert episode is not None
        for n, text in enumerate(TRICKY_TEXTS):
            message_store.log_inbound(session, "p-alice", channel="telegram", kind="text",
                                      text=text, now=NOW - timedelta(hours=n),
                                      status="processed")
        message_store.log_outbound(session, "p-alice", channel="telegram", kind="text",
                                   text=None, now=NOW,
                                   buttons=[{"title": "Yes", "payload": "/affirm"}])
        episode_store.add_fear_statement(session, episode, "=what if it's damage", "damage",
                                         NOW - timedelta(days=1))
        save_checkin(session, "p-alice", NOW, NOW.date(), pain=None, paced=False,
                     note="+ tired")
    return seeded


def test_csv_round_trip_every_table(client: TestClient, tricky: Seeded,
                                    database: Database) -> None:
    login(client, "alice")
    for table in TABLES:
        response = client.get(f"/patients/p-alice/export?format=csv&table={table}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = read_csv(table, response.text)
        assert rows == _stored(database, table, "p-alice"), table
        assert rows, table
    csv_text = client.get("/patients/p-alice/export?format=csv&table=messages").text
    assert "\n=HYPERLINK" not in csv_text and ",=HYPERLINK" not in csv_text


def test_json_round_trip(client: TestClient, tricky: Seeded, database: Database) -> None:
    login(client, "alice")
    response = client.get("/patients/p-alice/export?format=json")
    assert response.headers["content-type"].startswith("application/json")
    tables = read_json(response.text)
    assert set(tables) == set(TABLES)
    for table in TABLES:
        assert tables[table] == _stored(database, table, "p-alice"), table
    assert not any(m["text"] == "my back is on fire" for m in tables["messages"])


def test_date_range(client: TestClient, tricky: Seeded, database: Database) -> None:
    login(client, "alice")
    day = NOW.date()
    response = client.get(f"/patients/p-alice/export?format=json&from={day}&to={day}")
    tables = read_json(response.text)
    assert tables["messages"] and all(m["created_at"].date() == day
                                      for m in tables["messages"])
    assert [c["local_date"] for c in tables["checkins"]] == [day]
    assert tables["episodes"] == []  # the flare started the day before
    stored = _stored(database, "messages", "p-alice")
    assert len(tables["messages"]) == sum(1 for m in stored if m["created_at"].date() == day)


@pytest.mark.parametrize("query", ["format=xml", "format=csv&table=coaches",
                                   "format=json&from=2024-13-01",
                                   "format=json&from=2024-05-02&to=2024-05-01"])
def test_bad_export_requests(client: TestClient, seeded: Seeded, query: str) -> None:
    login(client, "alice")
    assert client.get(f"/patients/p-alice/export?{query}").status_code == 400
