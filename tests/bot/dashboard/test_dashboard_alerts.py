"""The safety queue (levels, waiting time, order, time to acknowledge) and the alerts page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from bot.store import coach_contacts
from bot.store.coaches import AuditEntry
from bot.store.db import Database
from bot.store.models import SafetyFlag
from tests.bot.dashboard.dashboard_support import NOW, Clock, Seeded, login

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def _flag(database: Database, kind: str, level: str | None, minutes_ago: int,
          patient: str = "p-alice") -> int:
    with database.sessions.begin() as session:
        flag = SafetyFlag(patient_id=patient, created_at=NOW - timedelta(minutes=minutes_ago),
                          kind=kind, level=level, text=f"{kind} {level} text", reasons=[])
        session.add(flag)
        session.flush()
        return int(flag.id)


def _queue_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="flag-(\d+)"', html)]


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
def test_queue_shows_despair_flags_levels_and_waiting_sorted_by_level_then_age(
    client: TestClient, seeded: Seeded, database: Database
) -> None:
    old_pending = seeded.flags["p-alice"]  # crisis, no level, 23 h old
    despair = _flag(database, "despair_check", "pending", 30)
    high_new = _flag(database, "crisis", "high", 5)
    high_old = _flag(database, "crisis", "high", 50)
    red = _flag(database, "red_flag", "emergency", 10)
    urgent = _flag(database, "red_flag", "urgent", 90)
    low = _flag(database, "crisis", "low", 600)
    _flag(database, "crisis", "high", 1, patient="p-bob")  # not alice's patient
    login(client, "alice")
    html = client.get("/safety").text
    assert _queue_ids(html) == [high_old, red, high_new, urgent, old_pending, despair, low]
    assert "despair_check pending text" in html
    row = html.split(f'id="flag-{high_old}"')[1].split("</tr>")[0]
    assert '<td class="level">high</td>' in row and '<td class="waited">50 min</td>' in row
    row = html.split(f'id="flag-{low}"')[1].split("</tr>")[0]
    assert '<td class="waited">10.0 h</td>' in row


def test_time_to_acknowledge_per_coach(
    client: TestClient, seeded: Seeded, database: Database, clock: Clock
) -> None:
    token = login(client, "alice")
    quick = _flag(database, "crisis", "high", 4)
    for flag_id in (quick, seeded.flags["p-alice"]):
        response = client.post(f"/safety/{flag_id}/acknowledge", data={"csrf_token": token})
        assert response.status_code == 303
    with database.sessions() as session:
        flag = session.get(SafetyFlag, quick)
        assert flag is not None and (flag.acknowledged_by, flag.acknowledged_at) == ("alice", NOW)
    html = client.get("/safety").text
    table = html.split('id="ack-times"')[1].split("</table>")[0]
    # 4 minutes and 23 h 59 min (the seeded flag): median 12.0 h, longest 24.0 h.
    assert "<td>alice</td><td>2</td><td>12.0 h</td><td>24.0 h</td>" in table.replace("\n", "")
    clock.now = NOW + timedelta(days=31)  # outside the 30-day window
    login(client, "alice")
    assert "No flags acknowledged in the last 30 days." in client.get("/safety").text


def test_link_telegram_code_email_and_on_call(
    client: TestClient, seeded: Seeded, database: Database
) -> None:
    token = login(client, "alice")
    assert "Not linked." in client.get("/alerts").text
    page = client.post("/alerts/telegram-code", data={"csrf_token": token})
    assert page.status_code == 200
    code = re.search(r"/coach ([A-Z0-9]{8})", page.text)
    assert code is not None
    with database.sessions.begin() as session:
        coach_id = coach_contacts.redeem_link_code(session, code.group(1), 424242, "424242", NOW)
        assert coach_id is not None
    assert "Linked since" in client.get("/alerts").text
    response = client.post("/alerts/contact", data={"csrf_token": token,
                                                   "email": "alice@example.org",
                                                   "on_call": "yes"})
    assert response.status_code == 303
    with database.sessions() as session:
        row = coach_contacts.contact(session, coach_id)
        assert row is not None and (row.email, row.on_call) == ("alice@example.org", True)
    bad = client.post("/alerts/contact", data={"csrf_token": token, "email": "not an address"})
    assert bad.status_code == 400
    assert client.post("/alerts/telegram-unlink", data={"csrf_token": token}).status_code == 303
    assert "Not linked." in client.get("/alerts").text
    with database.sessions() as session:
        actions = set(session.execute(select(AuditEntry.action)).scalars())
    assert {"alerts_link_code", "alerts_contact", "alerts_unlink"} <= actions
