"""The audit log (who saw or did what, when) and coach notes on episodes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.coaches import MAX_DETAIL_CHARS, MAX_NOTE_CHARS, AuditEntry, Coach, CoachNote
from bot.store.validation import require_aware, require_text

# Actions written to the audit log.
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_SECOND_FACTOR = "login_second_factor"
TOTP_ENABLED = "totp_enabled"
LOGOUT = "logout"
VIEW_PATIENTS = "view_patients"
VIEW_PATIENT = "view_patient"
VIEW_EPISODE = "view_episode"
VIEW_CHART = "view_chart"
VIEW_SAFETY = "view_safety_queue"
SEARCH = "search"
EXPORT = "export"
ADD_NOTE = "add_note"
ACKNOWLEDGE = "acknowledge_flag"


def audit(
    session: Session,
    coach_id: int | None,
    action: str,
    now: datetime,
    *,
    patient_id: str | None = None,
    episode_id: int | None = None,
    detail: str | None = None,
) -> AuditEntry:
    """Append one row to the audit log (``detail`` is cut to 500 characters)."""
    entry = AuditEntry(
        coach_id=coach_id,
        action=action,
        patient_id=patient_id,
        episode_id=episode_id,
        at=require_aware("now", now),
        detail=detail[:MAX_DETAIL_CHARS] if detail else None,
    )
    session.add(entry)
    session.flush()
    return entry


def audit_entries(session: Session, patient_id: str | None = None) -> list[AuditEntry]:
    """Audit rows, oldest first, optionally only those about one patient."""
    statement = select(AuditEntry).order_by(AuditEntry.id)
    if patient_id is not None:
        statement = statement.where(AuditEntry.patient_id == patient_id)
    return list(session.execute(statement).scalars())


def add_note(
    session: Session, coach: Coach, episode_id: int, text: str, now: datetime
) -> CoachNote:
    """Add a coach's note to an episode (access is checked by the caller)."""
    note = CoachNote(
        episode_id=episode_id,
        coach_id=coach.id,
        text=require_text("note", text, MAX_NOTE_CHARS),
        at=require_aware("now", now),
    )
    session.add(note)
    session.flush()
    return note


def notes_for(session: Session, episode_id: int) -> list[tuple[CoachNote, str]]:
    """The notes on an episode with their authors' usernames, oldest first."""
    rows = session.execute(
        select(CoachNote, Coach.username)
        .join(Coach, Coach.id == CoachNote.coach_id)
        .where(CoachNote.episode_id == episode_id)
        .order_by(CoachNote.id)
    ).all()
    return [(row[0], str(row[1])) for row in rows]
