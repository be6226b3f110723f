"""Evening check-ins: one row per local date, later answers replace earlier ones."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.checkins import checkins_between, save_checkin
from bot.store.models import CheckIn
from bot.store.patients import get_or_create_patient

NOW = datetime(2024, 4, 2, 19, 0, tzinfo=timezone.utc)
DAY = date(2024, 4, 2)


@pytest.fixture
def patient_id(db_session: Session) -> str:
    """A patient that exists in the database."""
    return get_or_create_patient(db_session, "p-ci", now=NOW).id


def test_save_checkin(db_session: Session, patient_id: str) -> None:
    checkin = save_checkin(
        db_session,
        patient_id,
        NOW,
        DAY,
        pain=6,
        sleep=3,
        stress=7,
        paced=True,
        practice_minutes=10,
        note="  long day  ",
    )
    db_session.commit()
    db_session.expire_all()
    loaded = db_session.get(CheckIn, checkin.id)
    assert loaded is not None
    assert (loaded.pain, loaded.sleep, loaded.stress) == (6, 3, 7)
    assert loaded.paced is True
    assert loaded.practice_minutes == 10
    assert loaded.note == "long day"
    assert loaded.local_date == DAY
    assert loaded.created_at == loaded.updated_at == NOW


def test_skipped_questions_are_none(db_session: Session, patient_id: str) -> None:
    checkin = save_checkin(db_session, patient_id, NOW, DAY, pain=0)
    assert (checkin.pain, checkin.sleep, checkin.stress, checkin.paced) == (0, None, None, None)
    assert checkin.note is None


def test_second_checkin_same_day_replaces_the_first(db_session: Session, patient_id: str) -> None:
    first = save_checkin(db_session, patient_id, NOW, DAY, pain=8, sleep=2, note="rough")
    later = NOW + timedelta(hours=2)
    second = save_checkin(db_session, patient_id, later, DAY, pain=5, stress=4)
    assert second.id == first.id
    assert (second.pain, second.sleep, second.stress, second.note) == (5, None, 4, None)
    assert second.created_at == NOW
    assert second.updated_at == later
    assert len(db_session.execute(select(CheckIn)).all()) == 1


def test_other_days_get_their_own_rows(db_session: Session, patient_id: str) -> None:
    for offset in (2, 0, 1):
        save_checkin(
            db_session,
            patient_id,
            NOW + timedelta(days=offset),
            DAY + timedelta(days=offset),
            pain=offset,
        )
    save_checkin(db_session, patient_id, NOW, DAY - timedelta(days=10), pain=9)
    rows = checkins_between(db_session, patient_id, DAY, DAY + timedelta(days=2))
    assert [(row.local_date, row.pain) for row in rows] == [
        (DAY, 0),
        (DAY + timedelta(days=1), 1),
        (DAY + timedelta(days=2), 2),
    ]


@pytest.mark.parametrize(
    "answers",
    [
        {"pain": 11},
        {"sleep": -1},
        {"stress": 3.5},
        {"pain": True},
        {"practice_minutes": -1},
        {"practice_minutes": 2.5},
        {"paced": "yes"},
    ],
)
def test_bad_answers_are_rejected(
    db_session: Session, patient_id: str, answers: dict[str, object]
) -> None:
    with pytest.raises(ValueError):
        save_checkin(db_session, patient_id, NOW, DAY, **answers)  # type: ignore[arg-type]
    assert db_session.execute(select(CheckIn)).first() is None


def test_local_date_must_be_a_date(db_session: Session, patient_id: str) -> None:
    with pytest.raises(ValueError, match="local_date"):
        save_checkin(db_session, patient_id, NOW, NOW, pain=3)
