"""Tables of the episode log (SQLAlchemy 1.4 declarative, 2.0 style).

Every timestamp is stored and returned as a UTC-aware ``datetime`` (see
:class:`UTCDateTime`). Scores are integers 0-10 guarded by CHECK constraints; lists are
JSON columns that store functions replace (never mutate in place).

The schema is created by the Alembic migration ``migrations/versions/0001_core.py``;
keep both in step.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeMeta, Session, registry, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

mapper_registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


class Base(metaclass=DeclarativeMeta):
    """Declarative base of every table (explicit class form, so type checkers see a class)."""

    __abstract__ = True
    registry = mapper_registry
    metadata = mapper_registry.metadata
    __init__ = mapper_registry.constructor


class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp that always comes back as an aware UTC datetime.

    Naive datetimes are rejected on write. SQLite has no time zone support, so values are
    stored there as naive UTC and made aware again on read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        """Check awareness and convert to UTC before writing."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime: pass a timezone-aware datetime (UTC)")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def add_if_new(session: Session, row: Base) -> bool:
    """Insert ``row`` in a savepoint; False (and nothing written) when a row with its key
    exists already, e.g. one another worker inserted a moment ago."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def _score_check(column: str) -> CheckConstraint:
    """CHECK that a nullable 0-10 score column is in range."""
    return CheckConstraint(f"{column} IS NULL OR ({column} >= 0 AND {column} <= 10)", name=column)


class Patient(Base):
    """A person using the bot, known only by a pseudonym (also the Rasa sender id)."""

    __tablename__ = "patients"

    id = Column(String(64), primary_key=True)
    created_at = Column(UTCDateTime, nullable=False)
    country = Column(String(2), nullable=False)
    timezone = Column(String(64), nullable=False)
    checkin_time = Column(String(5), nullable=False)  # "HH:MM" in the patient's time zone
    checkins_paused = Column(Boolean, nullable=False, default=False)
    weekly_summary = Column(Boolean, nullable=False, default=True)
    consent_given_at = Column(UTCDateTime, nullable=True)
    deleted_at = Column(UTCDateTime, nullable=True)

    identities = relationship(
        "ChannelIdentity",
        back_populates="patient",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class ChannelIdentity(Base):
    """Link between a chat account (e.g. a Telegram chat id) and a patient pseudonym."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_channel_identities"),)

    id = Column(Integer, primary_key=True)
    patient_id = Column(
        String(64), ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True
    )
    channel = Column(String(32), nullable=False)
    external_id = Column(String(128), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)

    patient = relationship("Patient", back_populates="identities")


class Episode(Base):
    """One flare conversation, from the first report until closed or idle too long."""

    __tablename__ = "episodes"
    __table_args__ = (
        _score_check("severity_start"),
        _score_check("severity_end"),
        Index("ix_episodes_patient_open", "patient_id", "ended_at"),
    )

    id = Column(Integer, primary_key=True)
    patient_id = Column(String(64), ForeignKey("patients.id", ondelete="CASCADE"), nullable=False)
    started_at = Column(UTCDateTime, nullable=False)
    last_activity_at = Column(UTCDateTime, nullable=False)
    ended_at = Column(UTCDateTime, nullable=True)
    close_reason = Column(String(32), nullable=True)
    severity_start = Column(Integer, nullable=True)
    severity_end = Column(Integer, nullable=True)
    triggers = Column(JSON, nullable=False, default=list)
    locations = Column(JSON, nullable=False, default=list)
    tools_offered = Column(JSON, nullable=False, default=list)
    tools_used = Column(JSON, nullable=False, default=list)
    first_message = Column(Text, nullable=True)

    fear_statements = relationship(
        "FearStatement",
        back_populates="episode",
        order_by="FearStatement.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class FearStatement(Base):
    """A fear-laden statement made during an episode, with its kind (e.g. "damage")."""

    __tablename__ = "fear_statements"

    id = Column(Integer, primary_key=True)
    episode_id = Column(
        Integer, ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at = Column(UTCDateTime, nullable=False)
    text = Column(Text, nullable=False)
    kind = Column(String(32), nullable=False)

    episode = relationship("Episode", back_populates="fear_statements")


# What a safety flag is about, and how urgent it is (migration 0006_triage_level).
SAFETY_FLAG_KINDS = ("crisis", "red_flag", "despair_check", "third_party")
# Triage levels. Risk to the patient: "pending" (not triaged yet), "low" (passive wish),
# "moderate" (active thoughts), "high" (method with intent, a plan, an act taken, or unable
# to keep safe). Medical red flags: "emergency" (call the emergency number now) or "urgent"
# (same-day care). "third_party": someone else is at risk.
SAFETY_LEVELS = ("pending", "low", "moderate", "high", "emergency", "urgent", "third_party")


def _in(column: str, values: tuple[str, ...]) -> str:
    """SQL ``column IN ('a', 'b')`` for a CHECK constraint."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class SafetyFlag(Base):
    """A crisis, medical red flag, despair check or third-party risk, for a coach to see."""

    __tablename__ = "safety_flags"
    __table_args__ = (
        CheckConstraint(_in("kind", SAFETY_FLAG_KINDS), name="kind"),
        CheckConstraint(f"level IS NULL OR {_in('level', SAFETY_LEVELS)}", name="level"),
        Index("ix_safety_flags_open", "acknowledged_at", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    patient_id = Column(
        String(64), ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True
    )
    episode_id = Column(
        Integer, ForeignKey("episodes.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at = Column(UTCDateTime, nullable=False)
    kind = Column(String(16), nullable=False)
    level = Column(String(16), nullable=True)
    text = Column(Text, nullable=False)
    reasons = Column(JSON, nullable=False, default=list)
    acknowledged_at = Column(UTCDateTime, nullable=True)
    acknowledged_by = Column(String(128), nullable=True)
    coach_note = Column(Text, nullable=True)


class CheckIn(Base):
    """The evening check-in: one row per patient and local date.

    A second check-in on the same local date replaces the answers of the first (see
    ``bot.store.checkins.save_checkin``); ``created_at`` keeps the first time,
    ``updated_at`` the last. A ``None`` score means the question was skipped.
    """

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("patient_id", "local_date", name="uq_checkins_patient_day"),
        _score_check("pain"),
        _score_check("sleep"),
        _score_check("stress"),
        CheckConstraint(
            "practice_minutes IS NULL OR practice_minutes >= 0", name="practice_minutes"
        ),
    )

    id = Column(Integer, primary_key=True)
    patient_id = Column(String(64), ForeignKey("patients.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)
    local_date = Column(Date, nullable=False)
    pain = Column(Integer, nullable=True)
    sleep = Column(Integer, nullable=True)
    stress = Column(Integer, nullable=True)
    paced = Column(Boolean, nullable=True)
    practice_minutes = Column(Integer, nullable=True)
    note = Column(Text, nullable=True)


class ReframeUse(Base):
    """A reframe (or other content item) shown to a patient, to avoid repeating it."""

    __tablename__ = "reframe_uses"
    __table_args__ = (Index("ix_reframe_uses_patient_kind", "patient_id", "kind"),)

    id = Column(Integer, primary_key=True)
    patient_id = Column(String(64), ForeignKey("patients.id", ondelete="CASCADE"), nullable=False)
    reframe_id = Column(String(64), nullable=False)
    kind = Column(String(32), nullable=False)
    used_at = Column(UTCDateTime, nullable=False)
