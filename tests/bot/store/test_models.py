"""Schema guarantees: aware timestamps, CHECK constraints, foreign keys, uniqueness."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from bot.store.models import (
    ChannelIdentity,
    CheckIn,
    Episode,
    FearStatement,
    Patient,
    ReframeUse,
    SafetyFlag,
)

NOW = datetime(2024, 3, 10, 18, 30, tzinfo=timezone.utc)


def _patient(session: Session, patient_id: str = "p-1") -> Patient:
    patient = Patient(
        id=patient_id,
        created_at=NOW,
        country="US",
        timezone="UTC",
        checkin_time="20:00",
        checkins_paused=False,
        weekly_summary=True,
    )
    session.add(patient)
    session.flush()
    return patient


def _episode(session: Session, patient_id: str = "p-1", **values: object) -> Episode:
    fields: dict[str, object] = {
        "patient_id": patient_id,
        "started_at": NOW,
        "last_activity_at": NOW,
        "triggers": [],
        "locations": [],
        "tools_offered": [],
        "tools_used": [],
    }
    episode = Episode(**{**fields, **values})
    session.add(episode)
    session.flush()
    return episode


def test_timestamps_come_back_aware_in_utc(db_session: Session) -> None:
    berlin = timezone(timedelta(hours=1))
    patient = _patient(db_session)
    patient.consent_given_at = datetime(2024, 3, 10, 20, 0, tzinfo=berlin)
    db_session.commit()
    db_session.expire_all()

    loaded = db_session.execute(select(Patient)).scalar_one()

    assert loaded.created_at == NOW
    assert loaded.created_at.utcoffset() == timedelta(0)
    assert loaded.consent_given_at == datetime(2024, 3, 10, 19, 0, tzinfo=timezone.utc)
    assert loaded.consent_given_at.tzinfo is not None


def test_naive_timestamp_is_rejected(db_session: Session) -> None:
    patient = _patient(db_session)
    patient.deleted_at = datetime(2024, 3, 10, 12, 0)
    with pytest.raises(StatementError, match="naive datetime"):
        db_session.flush()


def test_timestamps_compare_in_sql(db_session: Session) -> None:
    _patient(db_session)
    _episode(db_session, last_activity_at=NOW + timedelta(hours=1))
    later = NOW + timedelta(minutes=30)
    found = db_session.execute(
        select(Episode).where(Episode.last_activity_at > later)
    ).scalar_one_or_none()
    assert found is not None


@pytest.mark.parametrize("column", ["severity_start", "severity_end"])
@pytest.mark.parametrize("value", [-1, 11])
def test_episode_scores_are_checked_by_the_database(
    db_session: Session, column: str, value: int
) -> None:
    _patient(db_session)
    with pytest.raises(IntegrityError), db_session.begin_nested():
        _episode(db_session, **{column: value})


@pytest.mark.parametrize("column", ["pain", "sleep", "stress"])
def test_checkin_scores_are_checked_by_the_database(db_session: Session, column: str) -> None:
    _patient(db_session)
    checkin = CheckIn(
        patient_id="p-1", created_at=NOW, updated_at=NOW, local_date=date(2024, 3, 10)
    )
    setattr(checkin, column, 11)
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(checkin)


def test_boundary_scores_are_accepted(db_session: Session) -> None:
    _patient(db_session)
    episode = _episode(db_session, severity_start=0, severity_end=10)
    assert (episode.severity_start, episode.severity_end) == (0, 10)


def test_negative_practice_minutes_are_refused(db_session: Session) -> None:
    _patient(db_session)
    checkin = CheckIn(
        patient_id="p-1",
        created_at=NOW,
        updated_at=NOW,
        local_date=date(2024, 3, 10),
        practice_minutes=-5,
    )
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(checkin)


def test_safety_flag_kind_is_checked(db_session: Session) -> None:
    _patient(db_session)
    flag = SafetyFlag(patient_id="p-1", created_at=NOW, kind="worry", text="x", reasons=[])
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(flag)


def test_foreign_keys_are_enforced(db_session: Session) -> None:
    with pytest.raises(IntegrityError), db_session.begin_nested():
        _episode(db_session, patient_id="nobody")


def test_channel_identity_is_unique_per_channel(db_session: Session) -> None:
    _patient(db_session, "p-1")
    _patient(db_session, "p-2")
    db_session.add(
        ChannelIdentity(patient_id="p-1", channel="telegram", external_id="42", created_at=NOW)
    )
    db_session.flush()
    db_session.add(
        ChannelIdentity(patient_id="p-2", channel="terminal", external_id="42", created_at=NOW)
    )
    db_session.flush()
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(
            ChannelIdentity(patient_id="p-2", channel="telegram", external_id="42", created_at=NOW)
        )


def test_one_checkin_row_per_day(db_session: Session) -> None:
    _patient(db_session)
    day = date(2024, 3, 10)
    db_session.add(CheckIn(patient_id="p-1", created_at=NOW, updated_at=NOW, local_date=day))
    db_session.flush()
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(CheckIn(patient_id="p-1", created_at=NOW, updated_at=NOW, local_date=day))


def test_json_lists_round_trip(db_session: Session) -> None:
    _patient(db_session)
    episode = _episode(db_session, triggers=["stress", "poor_sleep"], locations=["lower back"])
    db_session.commit()
    db_session.expire_all()
    loaded = db_session.get(Episode, episode.id)
    assert loaded is not None
    assert loaded.triggers == ["stress", "poor_sleep"]
    assert loaded.locations == ["lower back"]


def test_deleting_a_patient_cascades_in_the_database(db_session: Session) -> None:
    _patient(db_session)
    episode = _episode(db_session)
    db_session.add(FearStatement(episode_id=episode.id, created_at=NOW, text="t", kind="damage"))
    db_session.add(
        SafetyFlag(
            patient_id="p-1",
            episode_id=episode.id,
            created_at=NOW,
            kind="crisis",
            text="t",
            reasons=[],
        )
    )
    db_session.add(ReframeUse(patient_id="p-1", reframe_id="r1", kind="reframe", used_at=NOW))
    db_session.add(
        ChannelIdentity(patient_id="p-1", channel="telegram", external_id="7", created_at=NOW)
    )
    db_session.flush()

    db_session.execute(delete(Patient).where(Patient.id == "p-1"))
    db_session.expire_all()

    for table in (
        "episodes",
        "fear_statements",
        "safety_flags",
        "reframe_uses",
        "channel_identities",
    ):
        count = db_session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        assert count == 0, table


def test_orm_delete_of_a_patient_works(db_session: Session) -> None:
    patient = _patient(db_session)
    db_session.add(
        ChannelIdentity(patient_id="p-1", channel="telegram", external_id="7", created_at=NOW)
    )
    db_session.flush()
    db_session.delete(patient)
    db_session.flush()
    assert db_session.execute(select(ChannelIdentity)).first() is None
