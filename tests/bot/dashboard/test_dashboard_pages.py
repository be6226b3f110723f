"""Pages: patients list order, transcript with intents, safety queue, search, audit rows."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from starlette.testclient import TestClient

from bot.store import audit
from bot.store import episodes as episode_store
from bot.store import messages as message_store
from bot.store.coach_queries import like_pattern
from bot.store.coaches import AuditEntry, Coach
from bot.store.db import Database
from bot.store.models import SafetyFlag
from tests.bot.dashboard.dashboard_support import NOW, Seeded, login


def _audit_rows(database: Database) -> list[tuple[str, str | None, int | None, str]]:
    with database.sessions() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.patient_id, AuditEntry.episode_id,
                   Coach.username).join(Coach, Coach.id == AuditEntry.coach_id)
            .order_by(AuditEntry.id)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_patients_list_puts_open_flags_first(client: TestClient, seeded: Seeded,
                                             database: Database) -> None:
    with database.sessions.begin() as session:
        flag = session.get(SafetyFlag, seeded.flags["p-bob"])
        assert flag is not None
        flag.acknowledged_at = NOW
        # p-bob: newest activity, and flares this week and the week before
        episode_store.open_episode(session, "p-bob", NOW - timedelta(days=10), text="old")
        message_store.log_inbound(session, "p-bob", channel="telegram", kind="text",
                                  text="hi", now=NOW + timedelta(minutes=1), status="processed")
    login(client, "root")
    html = client.get("/patients").text
    rows = re.findall(r'<tr(?: class="flagged")?>\s*<td><a href="/patients/(p-\w+)">', html)
    assert rows == ["p-alice", "p-bob"]  # alice has an open flag, bob is more recent
    bob_row = html[html.index('href="/patients/p-bob"'):]
    cells = re.findall(r"<td>([^<]*)</td>", bob_row)[:4]
    assert cells == [(NOW + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M UTC"), "1", "1", "0"]
    alice_row = html[html.index('href="/patients/p-alice"'):]
    assert re.findall(r"<td>([^<]*)</td>", alice_row)[:4] == ["2024-05-20 12:00 UTC", "1", "0", "1"]


def test_episode_page_shows_transcript_with_intents(client: TestClient,
                                                    seeded: Seeded) -> None:
    login(client, "alice")
    html = client.get(f"/episodes/{seeded.episodes['p-alice']}").text
    transcript = html[html.index('id="transcript"'):html.index('id="notes"')]
    assert transcript.count('<tr class="in">') == 2
    assert transcript.count('<tr class="out">') == 1
    assert "report_flare" in transcript and "0.93" in transcript
    assert "express_despair" in transcript and "0.61" in transcript
    assert "Your alarm system is loud right now." in transcript
    assert "my back is on fire" not in html  # bob's message, same time window
    assert "reframe" in html and "breathing" in html  # tools offered/used
    assert "start 7, end 4" in html


def test_acknowledge_empties_the_queue(client: TestClient, seeded: Seeded,
                                       database: Database) -> None:
    token = login(client, "alice")
    assert "flagged text of p-alice" in client.get("/safety").text
    response = client.post(f"/safety/{seeded.flags['p-alice']}/acknowledge",
                           data={"csrf_token": token, "note": "phoned, safe"})
    assert response.status_code == 303
    assert "flagged text of p-alice" not in client.get("/safety").text
    with database.sessions() as session:
        flag = session.get(SafetyFlag, seeded.flags["p-alice"])
        assert flag is not None
        assert (flag.acknowledged_by, flag.coach_note) == ("alice", "phoned, safe")
        assert flag.acknowledged_at == NOW
    assert ("acknowledge_flag", "p-alice", seeded.episodes["p-alice"], "alice") in _audit_rows(
        database)


def test_search_treats_percent_and_underscore_literally(client: TestClient, seeded: Seeded,
                                                        database: Database) -> None:
    with database.sessions.begin() as session:
        message_store.log_inbound(session, "p-alice", channel="telegram", kind="text",
                                  text="100 percent doneXwith", now=NOW, status="processed")
    login(client, "alice")
    found = client.get("/search?q=" + "100%25").text
    assert "100% done_with_this" in found and "100 percent" not in found
    found = client.get("/search?q=done_with").text
    assert "100% done_with_this" in found and "doneXwith" not in found
    assert "doneXwith" in client.get("/search?q=DONEX").text  # any case
    assert like_pattern("a%b_c\\") == "%a\\%b\\_c\\\\%"
    assert "Type at least two characters" in client.get("/search?q=x").text


def test_every_view_of_patient_data_is_audited(client: TestClient, seeded: Seeded,
                                               database: Database) -> None:
    token = login(client, "alice")
    episode = seeded.episodes["p-alice"]
    client.get("/patients")
    client.get("/patients/p-alice")
    client.get("/patients/p-alice/charts/pain.png")
    client.get(f"/episodes/{episode}")
    client.post(f"/episodes/{episode}/notes", data={"csrf_token": token, "text": "ok"})
    client.get("/safety")
    client.get("/search?q=done")
    client.get("/patients/p-alice/export?format=json")
    client.get("/patients/p-bob")  # refused: nothing about bob is written
    rows = _audit_rows(database)
    assert rows == [
        (audit.LOGIN, None, None, "alice"),
        (audit.VIEW_PATIENTS, None, None, "alice"),  # the page login() opens
        (audit.VIEW_PATIENTS, None, None, "alice"),
        (audit.VIEW_PATIENT, "p-alice", None, "alice"),
        (audit.VIEW_CHART, "p-alice", None, "alice"),
        (audit.VIEW_EPISODE, "p-alice", episode, "alice"),
        (audit.ADD_NOTE, "p-alice", episode, "alice"),
        (audit.VIEW_SAFETY, None, None, "alice"),
        (audit.VIEW_SAFETY, "p-alice", None, "alice"),
        (audit.SEARCH, "p-alice", None, "alice"),
        (audit.EXPORT, "p-alice", None, "alice"),
    ]


def test_failed_login_is_audited_without_the_password(client: TestClient, seeded: Seeded,
                                                      database: Database) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": "alice", "password": "hunter2-wrong",
                                "csrf_token": token})
    with database.sessions() as session:
        entry = session.execute(select(AuditEntry)).scalar_one()
    assert entry.action == audit.LOGIN_FAILED
    assert "alice" in (entry.detail or "") and "hunter2" not in (entry.detail or "")


def test_patient_page_shows_goals_and_charts(client: TestClient, seeded: Seeded) -> None:
    login(client, "alice")
    html = client.get("/patients/p-alice").text
    goals = re.findall(r"<tr><td>([^<]+)</td><td>(\d+) of (\d+)</td><td>(\d+)</td>", html)
    assert goals == [
        ("Reframe used in the last 5 flares", "1", "1", "4"),
        ("Paced days in the last 7", "3", "7", "4"),
        ("Practice days in the last 7", "3", "7", "5"),
    ]
    for name in ("pain", "flares", "episodes"):
        assert f'src="/patients/p-alice/charts/{name}.png"' in html
        response = client.get(f"/patients/p-alice/charts/{name}.png")
        assert response.headers["content-type"] == "image/png"
        assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert client.get("/patients/p-alice/charts/other.png").status_code == 404
