"""Patients and linked chat accounts."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.store.models import ChannelIdentity, Patient
from bot.store.patients import (
    IdentityConflictError,
    ensure_patient_for_identity,
    get_or_create_patient,
    link_identity,
    patient_for_identity,
)

NOW = datetime(2024, 2, 1, 8, 0, tzinfo=timezone.utc)


def test_new_patient_gets_the_defaults(db_session: Session) -> None:
    defaults = Settings(
        default_country="DE", default_timezone="Europe/Berlin", default_checkin_time="19:30"
    )
    patient = get_or_create_patient(db_session, "p-a", now=NOW, defaults=defaults)
    db_session.commit()
    db_session.expire_all()
    loaded = db_session.get(Patient, "p-a")
    assert loaded is not None
    assert (loaded.country, loaded.timezone, loaded.checkin_time) == (
        "DE",
        "Europe/Berlin",
        "19:30",
    )
    assert loaded.created_at == NOW
    assert loaded.checkins_paused is False
    assert loaded.weekly_summary is True
    assert loaded.consent_given_at is None
    assert patient.id == "p-a"


def test_get_or_create_is_idempotent(db_session: Session) -> None:
    first = get_or_create_patient(db_session, "p-a", now=NOW)
    first.country = "GB"
    again = get_or_create_patient(
        db_session, "p-a", now=NOW, defaults=Settings(default_country="FR")
    )
    assert again is first
    assert again.country == "GB"
    assert len(db_session.execute(select(Patient)).all()) == 1


@pytest.mark.parametrize("bad", ["", "   ", "x" * 65])
def test_patient_id_is_validated(db_session: Session, bad: str) -> None:
    with pytest.raises(ValueError, match="patient_id"):
        get_or_create_patient(db_session, bad, now=NOW)


def test_link_and_find_identity(db_session: Session) -> None:
    get_or_create_patient(db_session, "p-a", now=NOW)
    assert patient_for_identity(db_session, "telegram", 12345) is None
    identity = link_identity(db_session, "p-a", "telegram", 12345, now=NOW)
    assert identity.external_id == "12345"
    again = link_identity(db_session, "p-a", "telegram", "12345")
    assert again.id == identity.id
    found = patient_for_identity(db_session, "telegram", "12345")
    assert found is not None and found.id == "p-a"
    assert patient_for_identity(db_session, "terminal", "12345") is None
    assert len(db_session.execute(select(ChannelIdentity)).all()) == 1


def test_identity_cannot_move_to_another_patient(db_session: Session) -> None:
    get_or_create_patient(db_session, "p-a", now=NOW)
    get_or_create_patient(db_session, "p-b", now=NOW)
    link_identity(db_session, "p-a", "telegram", "9", now=NOW)
    with pytest.raises(IdentityConflictError):
        link_identity(db_session, "p-b", "telegram", "9", now=NOW)


def test_linking_to_an_unknown_patient_fails(db_session: Session) -> None:
    with pytest.raises(IntegrityError):
        link_identity(db_session, "p-ghost", "telegram", "9", now=NOW)


def test_ensure_patient_for_identity(db_session: Session) -> None:
    first = ensure_patient_for_identity(db_session, "telegram", 777, now=NOW)
    second = ensure_patient_for_identity(db_session, "telegram", "777", now=NOW)
    other = ensure_patient_for_identity(db_session, "telegram", 778, now=NOW)
    assert first.id == second.id
    assert other.id != first.id
    assert first.id.startswith("p-")
    assert "777" not in first.id
