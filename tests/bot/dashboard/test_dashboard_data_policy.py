"""/delete and /mydata follow the data policy table by table (on the seeded dashboard data,
which has rows in every patient table, Rasa's events, coach notes and audit entries)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Column, Integer, String, Table, func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from bot.gateway.records import erase_patient, export_json
from bot.store import action_calls, alerts, audit, claims, data_policy, safety_plans
from bot.store.accounts import require_coach
from bot.store.coaches import AuditEntry
from bot.store.data_policy import ERASE, POLICY, SCRUB
from bot.store.db import Database
from bot.store.episodes import add_fear_statement
from bot.store.invites import create_invite, redeem_invite
from bot.store.messages import MessageStop
from bot.store.models import Base, Episode, Patient, ReframeUse, SafetyFlag
from bot.store.patients import link_identity
from bot.store.schedule import insert_send, schedule_reminder
from tests.bot.dashboard.dashboard_support import NOW, Seeded, csrf_from, login

SEARCH_TEXT = "q='secret coach search words'"


def _extra_rows(session: Session, seeded: Seeded) -> None:
    """Rows the seed does not make: a coach note, a search, an invite, a reminder."""
    alice = require_coach(session, "alice")
    audit.add_note(session, alice, seeded.episodes["p-alice"], "coach note about alice", NOW)
    audit.audit(session, alice.id, audit.SEARCH, NOW, patient_id="p-alice", detail=SEARCH_TEXT)
    code = create_invite(session, alice, NOW)
    redeem_invite(session, code, "p-alice", NOW)
    schedule_reminder(session, "p-alice", NOW + timedelta(hours=1), "walk", now=NOW)
    for pid in ("p-alice", "p-bob"):
        safety_plans.start(session, pid, NOW)
        safety_plans.answer(session, pid, "I stop answering messages", NOW)
        claims.try_claim(session, pid, "worker-1", NOW, timedelta(seconds=30))
        flag = session.get(SafetyFlag, seeded.flags[pid])
        alerts.insert_alert(session, flag, "new", alerts.Recipient(
            channel="email", address="coach@example.org", coach_id=None), NOW, "pending")
    for pid, user in (("p-alice", 5001), ("p-bob", 5002)):
        episode = session.get(Episode, seeded.episodes[pid])
        add_fear_statement(session, episode, "what if this is damage", "damage", NOW)
        link_identity(session, pid, "telegram", user, now=NOW)
        session.add(MessageStop(patient_id=pid, stopped_at=NOW))
        session.add(ReframeUse(patient_id=pid, reframe_id="r1", kind="flare", used_at=NOW))
        insert_send(session, pid, "checkin", NOW.date(), NOW, "sent", NOW)
        action_calls.record(session, f"call-{pid}", patient_id=pid, action="action_start_flare",
                            message_id=None, now=NOW, response={"events": [], "responses": []})


def _counts(session: Session, patient_id: str) -> dict[str, int]:
    counts = {}
    for table, policy in data_policy._tables(session):
        where = data_policy._where(table, policy, patient_id)
        counts[table.name] = int(session.execute(
            select(func.count()).select_from(table).where(where)).scalar_one())
    return counts


@pytest.fixture
def full(database: Database, seeded: Seeded) -> Database:
    with database.sessions.begin() as session:
        _extra_rows(session, seeded)
    return database


def test_erase_applies_the_policy_to_every_table(full: Database) -> None:
    with full.sessions.begin() as session:
        for flag in session.execute(select(SafetyFlag)).scalars():
            flag.acknowledged_at = NOW  # no open crisis: nothing is held back
        before, bob_before = _counts(session, "p-alice"), _counts(session, "p-bob")
    assert [name for name in before if before[name] == 0] == [], before
    with full.sessions.begin() as session:
        assert erase_patient(session, "p-alice", NOW) is False
    with full.sessions.begin() as session:
        after = _counts(session, "p-alice")
        for name, policy in POLICY.items():
            if name not in after:
                continue
            if policy.action is ERASE:
                assert after[name] == 0, name
            elif policy.action is SCRUB and policy.link == "patient_id" and name != "invite_codes":
                assert after[name] == before[name], name  # kept, under the pseudonym
        trail = session.execute(
            select(AuditEntry).where(AuditEntry.patient_id == "p-alice")).scalars().all()
        assert trail and all(entry.detail is None for entry in trail)
        assert _counts(session, "p-bob") == bob_before


def test_export_has_events_and_notes_but_no_coach_search_text(full: Database) -> None:
    with full.sessions.begin() as session:
        data = json.loads(export_json(session, "p-alice"))
    assert data["events"] and all(e["sender_id"] == "p-alice" for e in data["events"])
    assert [n["text"] for n in data["coach_notes"]] == ["coach note about alice"]
    assert data["audit_log"] and all("detail" not in e for e in data["audit_log"])
    assert "secret coach search words" not in json.dumps(data)
    assert "p-bob" not in json.dumps(data)
    assert "safety" in data["about_this_file"]
    for name, policy in POLICY.items():
        assert (name in data or name == "patients") is policy.export, name


def test_delete_with_an_open_crisis_keeps_a_minimal_safety_record(
    full: Database, client: TestClient, seeded: Seeded
) -> None:
    with full.sessions.begin() as session:
        assert erase_patient(session, "p-alice", NOW) is True
    with full.sessions.begin() as session:
        patient = session.get(Patient, "p-alice")
        assert patient is not None and patient.deleted_at is not None
        flags = session.execute(
            select(SafetyFlag).where(SafetyFlag.patient_id == "p-alice")).scalars().all()
        assert [f.kind for f in flags] == ["crisis"]
        assert flags[0].text == data_policy.ERASED_TEXT and flags[0].episode_id is None
        counts = _counts(session, "p-alice")
    kept = {name for name, count in counts.items() if count}
    assert kept <= {"patients", "safety_flags", "coach_patients", "audit_log", "coach_alerts"}, kept
    # the coach still sees it in the safety queue, without the text, and acknowledging it
    # erases the rest
    login(client, "alice")
    queue = client.get("/safety").text
    assert "p-alice" in queue and "flagged text of p-alice" not in queue
    token = csrf_from(queue)
    flag_id = seeded.flags["p-alice"]
    assert client.post(f"/safety/{flag_id}/acknowledge",
                       data={"csrf_token": token}).status_code == 303
    with full.sessions.begin() as session:
        assert session.get(Patient, "p-alice") is None
        left = {name for name, count in _counts(session, "p-alice").items() if count}
    assert left == {"audit_log"}
    assert client.get("/patients/p-alice").status_code == 404


def test_a_table_the_policy_forgot_is_still_erased_and_logged(
    full: Database, caplog: pytest.LogCaptureFixture
) -> None:
    table = Table("forgotten_diary", Base.metadata, Column("id", Integer, primary_key=True),
                  Column("patient_id", String(64)))
    try:
        table.create(full.engine)
        with full.sessions.begin() as session:
            session.execute(table.insert().values(patient_id="p-alice"))
            assert data_policy.missing_policies(Base.metadata) == ["forgotten_diary"]
            erase_patient(session, "p-alice", NOW)
        with full.sessions.begin() as session:
            assert session.execute(select(func.count()).select_from(table)).scalar_one() == 0
        assert "no patient-data policy for table forgotten_diary" in caplog.text
    finally:
        Base.metadata.remove(table)
