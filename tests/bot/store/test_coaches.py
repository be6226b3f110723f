"""Dashboard tables: schema in step with the migration, accounts, assignment, invites, audit."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.orm import Session

from bot.store.accounts import (
    AccountError,
    add_coach,
    assign,
    can_see,
    coach_by_username,
    set_disabled,
    set_password,
)
from bot.store.audit import VIEW_PATIENT, add_note, audit, audit_entries, notes_for
from bot.store.coaches import Coach, CoachPatient, InviteCode
from bot.store.db import make_engine, migrate
from bot.store.episodes import open_episode
from bot.store.invites import InviteError, create_invite, redeem_invite
from bot.store.models import Base
from bot.store.passwords import PasswordError, verify_password
from bot.store.patients import get_or_create_patient

NOW = datetime(2024, 3, 4, 9, 0, tzinfo=timezone.utc)
DASHBOARD_TABLES = {"coaches", "coach_patients", "audit_log", "coach_notes", "invite_codes"}
PASSWORD = "correct horse battery"


def _table_of(diff: object) -> str | None:
    operation = diff[0] if isinstance(diff, list) else diff
    for part in operation[1:]:  # type: ignore[index]
        name = getattr(part, "name", None) if hasattr(part, "columns") else None
        table = getattr(part, "table", None)
        if name:
            return str(name)
        if table is not None:
            return str(table.name)
    return operation[2] if isinstance(operation[2], str) else None  # type: ignore[index]


def test_migration_creates_tables_matching_the_models(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, Base.metadata)
            reflected = MetaData()
            reflected.reflect(connection)
    finally:
        engine.dispose()
    assert set(reflected.tables) >= DASHBOARD_TABLES
    assert [d for d in diffs if _table_of(d) in DASHBOARD_TABLES] == []


def test_add_coach_hashes_the_password(db_session: Session) -> None:
    coach = add_coach(db_session, "Alice", PASSWORD, NOW, rounds=4)
    assert coach.username == "alice"
    assert PASSWORD not in coach.password_hash
    assert verify_password(PASSWORD, coach.password_hash, rounds=4)
    assert not verify_password(PASSWORD + "x", coach.password_hash, rounds=4)
    assert coach_by_username(db_session, "ALICE") is coach
    with pytest.raises(AccountError):
        add_coach(db_session, "alice", PASSWORD, NOW, rounds=4)
    with pytest.raises(PasswordError):
        add_coach(db_session, "bob", "short", NOW, rounds=4)
    with pytest.raises(AccountError):
        add_coach(db_session, "bad name!", PASSWORD, NOW, rounds=4)


def test_set_password_and_disable(db_session: Session) -> None:
    add_coach(db_session, "alice", PASSWORD, NOW, rounds=4)
    later = NOW + timedelta(hours=1)
    coach = set_password(db_session, "alice", "another long secret", later, rounds=4)
    assert coach.password_changed_at == later
    assert verify_password("another long secret", coach.password_hash, rounds=4)
    assert not verify_password(PASSWORD, coach.password_hash, rounds=4)
    assert set_disabled(db_session, "alice", True).disabled is True
    with pytest.raises(AccountError):
        set_password(db_session, "nobody", PASSWORD, later, rounds=4)


def test_visibility_assigned_and_admin(db_session: Session) -> None:
    for pid in ("p-1", "p-2"):
        get_or_create_patient(db_session, pid, now=NOW)
    coach = add_coach(db_session, "alice", PASSWORD, NOW, rounds=4)
    admin = add_coach(db_session, "root", PASSWORD, NOW, is_admin=True, rounds=4)
    assign(db_session, coach, "p-1", NOW)
    assign(db_session, coach, "p-1", NOW)  # idempotent
    assert db_session.query(CoachPatient).filter_by(coach_id=coach.id).count() == 1
    assert can_see(db_session, coach, "p-1")
    assert not can_see(db_session, coach, "p-2")
    assert can_see(db_session, admin, "p-2")
    with pytest.raises(AccountError):
        assign(db_session, coach, "p-missing", NOW)


def test_invite_is_used_once(db_session: Session) -> None:
    get_or_create_patient(db_session, "p-1", now=NOW)
    get_or_create_patient(db_session, "p-2", now=NOW)
    coach = add_coach(db_session, "alice", PASSWORD, NOW, rounds=4)
    code = create_invite(db_session, coach, NOW)
    stored = db_session.query(InviteCode).one()
    assert code not in stored.code_hash
    assert redeem_invite(db_session, code.lower(), "p-1", NOW + timedelta(minutes=1)) is coach
    assert can_see(db_session, coach, "p-1")
    with pytest.raises(InviteError):
        redeem_invite(db_session, code, "p-2", NOW + timedelta(minutes=2))
    assert not can_see(db_session, coach, "p-2")
    with pytest.raises(InviteError):
        redeem_invite(db_session, "NOSUCHCODE", "p-2", NOW)


def test_invite_expires_and_needs_an_active_coach(db_session: Session) -> None:
    get_or_create_patient(db_session, "p-1", now=NOW)
    coach = add_coach(db_session, "alice", PASSWORD, NOW, rounds=4)
    old = create_invite(db_session, coach, NOW)
    with pytest.raises(InviteError):
        redeem_invite(db_session, old, "p-1", NOW + timedelta(days=8))
    fresh = create_invite(db_session, coach, NOW)
    set_disabled(db_session, "alice", True)
    with pytest.raises(InviteError):
        redeem_invite(db_session, fresh, "p-1", NOW)


def test_audit_and_notes(db_session: Session) -> None:
    get_or_create_patient(db_session, "p-1", now=NOW)
    coach = add_coach(db_session, "alice", PASSWORD, NOW, rounds=4)
    episode = open_episode(db_session, "p-1", NOW, text="flare")
    audit(db_session, coach.id, VIEW_PATIENT, NOW, patient_id="p-1", detail="x" * 900)
    (entry,) = audit_entries(db_session, "p-1")
    assert (entry.coach_id, entry.action, len(entry.detail or "")) == (coach.id, VIEW_PATIENT, 500)
    add_note(db_session, coach, episode.id, "  called her, doing better  ", NOW)
    ((note, author),) = notes_for(db_session, episode.id)
    assert (note.text, author) == ("called her, doing better", "alice")
    assert isinstance(db_session.get(Coach, coach.id), Coach)
