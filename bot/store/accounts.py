"""Coach accounts and patient assignment (store functions; the caller owns the session).

Visibility rule used by every page: a coach sees the patients assigned to them, an admin
sees every patient; soft-deleted patients are seen by nobody.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.store.coach_sessions import revoke_all
from bot.store.coaches import USERNAME_LENGTH, Coach, CoachPatient
from bot.store.models import Patient
from bot.store.passwords import DEFAULT_ROUNDS, hash_password
from bot.store.validation import require_aware

_USERNAME = re.compile(rf"^[a-z0-9][a-z0-9._-]{{1,{USERNAME_LENGTH - 1}}}$")


class AccountError(ValueError):
    """A coach or patient does not exist, or a name is taken or malformed."""


def normalise_username(username: str) -> str:
    """Lower-case, stripped username; 2-64 characters from a-z 0-9 . _ -.

    Raises:
        AccountError: the name has other characters or a wrong length.
    """
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise AccountError(
            "a username has 2-64 characters from a-z, 0-9, '.', '_' and '-' (letter or digit first)"
        )
    return name


def coach_by_username(session: Session, username: str) -> Coach | None:
    """The coach with this username (any case), or ``None``."""
    try:
        name = normalise_username(username)
    except AccountError:
        return None
    return session.execute(select(Coach).where(Coach.username == name)).scalar_one_or_none()


def require_coach(session: Session, username: str) -> Coach:
    """The coach with this username.

    Raises:
        AccountError: no such coach.
    """
    coach = coach_by_username(session, username)
    if coach is None:
        raise AccountError(f"no coach named {username!r}")
    return coach


def add_coach(
    session: Session,
    username: str,
    password: str,
    now: datetime,
    *,
    is_admin: bool = False,
    rounds: int = DEFAULT_ROUNDS,
) -> Coach:
    """Create a coach account.

    Raises:
        AccountError: the username is malformed or taken.
        bot.store.passwords.PasswordError: the password is too short or too long.
    """
    name = normalise_username(username)
    require_aware("now", now)
    if coach_by_username(session, name) is not None:
        raise AccountError(f"a coach named {name!r} already exists")
    coach = Coach(
        username=name,
        password_hash=hash_password(password, rounds),
        is_admin=is_admin,
        created_at=now,
        password_changed_at=now,
        disabled=False,
    )
    session.add(coach)
    session.flush()
    return coach


def set_password(
    session: Session, username: str, password: str, now: datetime, rounds: int = DEFAULT_ROUNDS
) -> Coach:
    """Replace a coach's password; every open session of the coach is revoked."""
    coach = require_coach(session, username)
    coach.password_hash = hash_password(password, rounds)
    coach.password_changed_at = require_aware("now", now)
    session.flush()
    revoke_all(session, int(coach.id), now)
    return coach


def set_disabled(
    session: Session, username: str, disabled: bool, now: datetime | None = None
) -> Coach:
    """Disable (or enable again) a coach account; disabling revokes its sessions."""
    coach = require_coach(session, username)
    coach.disabled = disabled
    session.flush()
    if disabled:
        revoke_all(session, int(coach.id), now or datetime.now(timezone.utc))
    return coach


def assign(session: Session, coach: Coach, patient_id: str, now: datetime) -> CoachPatient:
    """Assign a patient to a coach (idempotent).

    Raises:
        AccountError: the patient does not exist or was deleted.
    """
    patient = session.get(Patient, patient_id)
    if patient is None or patient.deleted_at is not None:
        raise AccountError(f"no patient {patient_id!r}")
    existing = session.execute(
        select(CoachPatient).where(
            CoachPatient.coach_id == coach.id, CoachPatient.patient_id == patient_id
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    link = CoachPatient(coach_id=coach.id, patient_id=patient_id, created_at=now)
    session.add(link)
    session.flush()
    return link


def visible_patients(coach: Coach, *, include_erased: bool = False) -> Select:
    """``SELECT patients.id`` of the patients ``coach`` may see (for ``IN`` clauses).

    ``include_erased`` adds patients who erased their data while a safety flag was open
    (only their safety record is left; the safety queue shows it until acknowledged).
    """
    statement = select(Patient.id)
    if not include_erased:
        statement = statement.where(Patient.deleted_at.is_(None))
    if coach.is_admin:
        return statement
    return statement.join(CoachPatient, CoachPatient.patient_id == Patient.id).where(
        CoachPatient.coach_id == coach.id
    )


def can_see(session: Session, coach: Coach, patient_id: str) -> bool:
    """Whether ``coach`` may see the patient's data."""
    statement = visible_patients(coach).where(Patient.id == patient_id)
    return session.execute(statement).first() is not None


def visible_patient(session: Session, coach: Coach, patient_id: str) -> Patient | None:
    """The patient if ``coach`` may see them, else ``None`` (pages answer 404)."""
    if not can_see(session, coach, patient_id):
        return None
    return session.get(Patient, patient_id)
