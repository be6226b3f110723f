"""Per-patient claims: at most one gateway worker talks to Rasa for a patient at a time.

Rasa's open-source Redis lock store does not stop two Rasa servers from taking one
conversation's lock at the same moment (Rasa PR 11256), so the gateway serialises each
patient itself, across all its workers, with a lease row per patient: a worker holds the
claim while it sends the patient's waiting messages to Rasa and delivers the replies,
renews it while a paced reply is still going, and deletes it when done. A worker that dies
leaves a claim that expires after its time to live; the others then take the patient's
stale messages over. Claiming is one short transaction (an ``UPDATE`` of an expired or own
claim, else an ``INSERT`` that fails on a live one), the same on SQLite and PostgreSQL.

Table created by ``migrations/versions/0010_perf.py``; keep both in step.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Column, String, delete, select, update
from sqlalchemy.orm import Session

from bot.store import messages as log
from bot.store.models import Base, UTCDateTime, add_if_new


class PatientClaim(Base):
    """The worker currently serving one patient, until ``expires_at``."""

    __tablename__ = "patient_claims"

    patient_id = Column(String(64), primary_key=True)
    holder = Column(String(128), nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)


def try_claim(
    session: Session, patient_id: str, holder: str, now: datetime, ttl: timedelta
) -> bool:
    """Claim ``patient_id`` for ``holder``; False while another holder's claim is live."""
    taken = session.execute(
        update(PatientClaim)
        .where(
            PatientClaim.patient_id == patient_id,
            (PatientClaim.expires_at < now) | (PatientClaim.holder == holder),
        )
        .values(holder=holder, expires_at=now + ttl)
    )
    if taken.rowcount:
        return True
    if session.get(PatientClaim, patient_id) is not None:
        return False  # live and someone else's
    # False: another worker inserted it a moment ago
    return add_if_new(session, PatientClaim(patient_id=patient_id, holder=holder,
                                            expires_at=now + ttl))


def renew(session: Session, patient_id: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Extend ``holder``'s claim; False if it was lost (expired and taken over)."""
    result = session.execute(
        update(PatientClaim)
        .where(PatientClaim.patient_id == patient_id, PatientClaim.holder == holder)
        .values(expires_at=now + ttl)
    )
    return bool(result.rowcount)


def release(session: Session, patient_id: str, holder: str) -> None:
    """Give the claim up (only ``holder``'s own)."""
    session.execute(
        delete(PatientClaim).where(
            PatientClaim.patient_id == patient_id, PatientClaim.holder == holder
        )
    )


def live_claims(session: Session, now: datetime) -> set[str]:
    """Patients claimed by some worker right now."""
    rows = session.execute(select(PatientClaim.patient_id).where(PatientClaim.expires_at >= now))
    return set(rows.scalars())


def still_received(session: Session, message_id: int) -> bool:
    """Whether an inbound message still waits untouched (nobody took it to Rasa)."""
    status = session.execute(
        select(log.Message.status).where(log.Message.id == message_id)
    ).scalar_one_or_none()
    return status == log.RECEIVED


def orphaned_patients(session: Session, now: datetime, older_than: datetime) -> list[str]:
    """Patients whose messages were left received/processing by a worker that is gone.

    Their last change is older than ``older_than`` and nobody holds a live claim.
    """
    claimed = live_claims(session, now)
    return [p for p in log.stale_patients(session, older_than) if p not in claimed]
