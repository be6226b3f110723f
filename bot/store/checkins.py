"""Evening check-ins: one row per patient and local date, the latest answers win."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.models import CheckIn
from bot.store.validation import check_score, require_aware


def _check_minutes(value: int | None) -> int | None:
    """Practice minutes: a whole number >= 0, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"practice_minutes must be a whole number >= 0, got {value!r}")
    return value


def save_checkin(
    session: Session,
    patient_id: str,
    now: datetime,
    local_date: date,
    *,
    pain: int | None = None,
    sleep: int | None = None,
    stress: int | None = None,
    paced: bool | None = None,
    practice_minutes: int | None = None,
    note: str | None = None,
) -> CheckIn:
    """Save the check-in for ``local_date`` (the patient's own calendar day).

    A later check-in on the same day replaces every answer of the earlier one (``None``
    means the question was skipped this time); ``created_at`` keeps the first time and
    ``updated_at`` records the last.
    """
    require_aware("now", now)
    if not isinstance(local_date, date) or isinstance(local_date, datetime):
        raise ValueError("local_date must be a date")
    if paced is not None and not isinstance(paced, bool):
        raise ValueError(f"paced must be True, False or None, got {paced!r}")
    answers = {
        "pain": check_score("pain", pain),
        "sleep": check_score("sleep", sleep),
        "stress": check_score("stress", stress),
        "paced": paced,
        "practice_minutes": _check_minutes(practice_minutes),
        "note": note.strip() if note and note.strip() else None,
    }
    statement = select(CheckIn).where(
        CheckIn.patient_id == patient_id, CheckIn.local_date == local_date
    )
    checkin = session.execute(statement).scalar_one_or_none()
    if checkin is None:
        checkin = CheckIn(
            patient_id=patient_id, local_date=local_date, created_at=now, updated_at=now, **answers
        )
        try:
            with session.begin_nested():
                session.add(checkin)
            return checkin
        except IntegrityError:
            # A concurrent check-in for the same day was saved first: update that one.
            checkin = session.execute(statement).scalar_one_or_none()
            if checkin is None:
                raise
    for name, value in answers.items():
        setattr(checkin, name, value)
    checkin.updated_at = now
    session.flush()
    return checkin


def checkins_between(session: Session, patient_id: str, first: date, last: date) -> list[CheckIn]:
    """The patient's check-ins with ``first <= local_date <= last``, oldest first."""
    statement = (
        select(CheckIn)
        .where(
            CheckIn.patient_id == patient_id,
            CheckIn.local_date >= first,
            CheckIn.local_date <= last,
        )
        .order_by(CheckIn.local_date)
    )
    return list(session.execute(statement).scalars())
