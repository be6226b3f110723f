"""Tables of the coach dashboard: coaches, assignments, audit log, notes, invite codes.

Created by ``migrations/versions/0004_dashboard.py``; keep both in step. The tables are
declared on the episode log's ``Base`` so foreign keys to ``patients`` and ``episodes``
resolve.

The audit log keeps plain ``patient_id`` / ``episode_id`` values without foreign keys: the
trail of who looked at what must survive a patient erasing their data.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from bot.store.models import Base, UTCDateTime

USERNAME_LENGTH = 64
MAX_NOTE_CHARS = 5000
MAX_DETAIL_CHARS = 500


class Coach(Base):
    """A coach (or admin) who logs in to the dashboard."""

    __tablename__ = "coaches"

    id = Column(Integer, primary_key=True)
    username = Column(String(USERNAME_LENGTH), nullable=False, unique=True)
    password_hash = Column(String(128), nullable=False)
    is_admin = Column(Boolean, nullable=False, default=False)
    created_at = Column(UTCDateTime, nullable=False)
    password_changed_at = Column(UTCDateTime, nullable=False)  # older sessions are void
    disabled = Column(Boolean, nullable=False, default=False)


class CoachPatient(Base):
    """A patient assigned to a coach."""

    __tablename__ = "coach_patients"
    __table_args__ = (UniqueConstraint("coach_id", "patient_id", name="uq_coach_patients"),)

    id = Column(Integer, primary_key=True)
    coach_id = Column(
        Integer, ForeignKey("coaches.id", ondelete="CASCADE"), nullable=False, index=True
    )
    patient_id = Column(
        String(64), ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at = Column(UTCDateTime, nullable=False)


class AuditEntry(Base):
    """One action of a coach, above all every view of a patient's data."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_patient_at", "patient_id", "at"),)

    id = Column(Integer, primary_key=True)
    coach_id = Column(Integer, ForeignKey("coaches.id"), nullable=True, index=True)
    action = Column(String(32), nullable=False)
    patient_id = Column(String(64), nullable=True)
    episode_id = Column(Integer, nullable=True)
    at = Column(UTCDateTime, nullable=False)
    detail = Column(String(MAX_DETAIL_CHARS), nullable=True)


class CoachNote(Base):
    """A coach's note on an episode (removed with the episode)."""

    __tablename__ = "coach_notes"

    id = Column(Integer, primary_key=True)
    episode_id = Column(
        Integer, ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    coach_id = Column(Integer, ForeignKey("coaches.id"), nullable=False)
    text = Column(Text, nullable=False)
    at = Column(UTCDateTime, nullable=False)


class InviteCode(Base):
    """A one-time code a patient sends with /start to be assigned to a coach.

    Only the SHA-256 of the code is stored (``code_hash``), like a password.
    """

    __tablename__ = "invite_codes"

    id = Column(Integer, primary_key=True)
    code_hash = Column(String(64), nullable=False, unique=True)
    coach_id = Column(Integer, ForeignKey("coaches.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    used_at = Column(UTCDateTime, nullable=True)
    patient_id = Column(
        String(64), ForeignKey("patients.id", ondelete="SET NULL"), nullable=True
    )
