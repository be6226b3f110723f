"""Patients (pseudonymous) and the chat accounts linked to them."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.store.messages import set_stopped
from bot.store.models import ChannelIdentity, Patient
from bot.store.schedule import cancel_reminders
from bot.store.validation import require_aware, require_text

PATIENT_ID_LENGTH = 64


class IdentityConflictError(ValueError):
    """The chat account is already linked to another patient."""


def new_patient_id() -> str:
    """A fresh random pseudonym (used as the Rasa sender id); says nothing about the person."""
    return f"p-{secrets.token_hex(8)}"


def get_or_create_patient(
    session: Session, patient_id: str, *, now: datetime, defaults: Settings | None = None
) -> Patient:
    """Return the patient, creating it with the default country/time zone/check-in time.

    A soft-deleted patient (``deleted_at`` set) is returned as it is; the caller decides.
    """
    patient_id = require_text("patient_id", patient_id, PATIENT_ID_LENGTH)
    require_aware("now", now)
    patient = session.get(Patient, patient_id)
    if patient is not None:
        return patient
    settings = defaults or Settings()
    patient = Patient(
        id=patient_id,
        created_at=now,
        country=settings.default_country,
        timezone=settings.default_timezone,
        checkin_time=settings.default_checkin_time,
        checkins_paused=False,
        weekly_summary=True,
    )
    try:
        with session.begin_nested():
            session.add(patient)
    except IntegrityError:
        # Another process created it between our read and our insert.
        existing = session.get(Patient, patient_id, populate_existing=True)
        if existing is None:
            raise
        return existing
    return patient


def patient_for_identity(session: Session, channel: str, external_id: str | int) -> Patient | None:
    """The patient linked to a chat account, or ``None``."""
    statement = (
        select(Patient)
        .join(ChannelIdentity, ChannelIdentity.patient_id == Patient.id)
        .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == str(external_id))
    )
    return session.execute(statement).scalar_one_or_none()


def link_identity(
    session: Session,
    patient_id: str,
    channel: str,
    external_id: str | int,
    *,
    now: datetime | None = None,
) -> ChannelIdentity:
    """Link a chat account to a patient (idempotent).

    Raises:
        IdentityConflictError: the account is already linked to a different patient.
    """
    channel = require_text("channel", channel, 32)
    external = require_text("external_id", str(external_id), 128)
    created_at = require_aware("now", now) if now is not None else datetime.now(timezone.utc)
    statement = select(ChannelIdentity).where(
        ChannelIdentity.channel == channel, ChannelIdentity.external_id == external
    )
    identity = session.execute(statement).scalar_one_or_none()
    if identity is None:
        identity = ChannelIdentity(
            patient_id=patient_id, channel=channel, external_id=external, created_at=created_at
        )
        try:
            with session.begin_nested():
                session.add(identity)
        except IntegrityError:
            identity = session.execute(statement).scalar_one_or_none()
            if identity is None:  # not a race on the unique key: e.g. unknown patient
                raise
    if identity.patient_id != patient_id:
        raise IdentityConflictError(f"{channel} account is linked to another patient")
    return identity


def ensure_patient_for_identity(
    session: Session,
    channel: str,
    external_id: str | int,
    *,
    now: datetime,
    defaults: Settings | None = None,
) -> Patient:
    """The patient for a chat account, creating a new pseudonymous patient on first contact."""
    patient = patient_for_identity(session, channel, external_id)
    if patient is not None:
        return patient
    patient = get_or_create_patient(session, new_patient_id(), now=now, defaults=defaults)
    try:
        link_identity(session, patient.id, channel, external_id, now=now)
    except IdentityConflictError:
        # A concurrent first message won the race: use its patient, drop ours.
        session.delete(patient)
        session.flush()
        existing = patient_for_identity(session, channel, external_id)
        if existing is None:
            raise
        return existing
    return patient


def require_patient(session: Session, patient_id: str) -> Patient:
    """The patient with ``patient_id``; LookupError if there is none (erased meanwhile)."""
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise LookupError(f"patient {patient_id} vanished")
    return patient


def set_patient_field(session: Session, patient_id: str, column: str, value: object) -> Patient:
    """Set one of the patient's own settings (a column of ``patients``)."""
    patient = require_patient(session, patient_id)
    setattr(patient, column, value)
    return patient


def stop_messages(session: Session, patient_id: str, now: datetime) -> None:
    """/stop: pause check-ins, mark the patient stopped, cancel pending pacing reminders."""
    require_patient(session, patient_id).checkins_paused = True
    set_stopped(session, patient_id, now)
    cancel_reminders(session, patient_id)


def identities_of(session: Session, patient_id: str) -> list[tuple[str, str]]:
    """The patient's chat accounts as ``(channel, external id)`` pairs."""
    rows = session.execute(
        select(ChannelIdentity).where(ChannelIdentity.patient_id == patient_id)
    ).scalars()
    return [(row.channel, row.external_id) for row in rows]
