"""Persistent schedule: evening check-in sends and pacing reminders.

Two tables, both created by ``migrations/versions/0002_scheduler.py`` (keep them in step):

* ``scheduled_sends``: one row per (patient, kind, local date) for the evening check-in and
  its single reminder. The UNIQUE constraint is the claim: an instance INSERTs the row
  *before* delivering, so a restart or a second instance can never send the same one twice.
* ``pacing_reminders``: "rest in 25 minutes" reminders, claimed with
  ``UPDATE ... WHERE status = 'pending'`` so exactly one instance sends each.

Store functions take a ``Session``; the caller owns the transaction, except where a
docstring says the function must run in a transaction of its own.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timezone

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    update,
)
from sqlalchemy.orm import Session

from bot.store.models import Base, UTCDateTime, add_if_new

SEND_KINDS = ("checkin", "checkin_reminder", "weekly_summary", "aftercare", "aftercare_check")


class SendStatus(str, enum.Enum):
    """Life cycle of one row of the sends table (the column stores ``.value``)."""

    SENDING = "sending"  # claimed by an instance, delivery in flight (never sent twice)
    SENT = "sent"
    FAILED = "failed"  # last delivery raised; retried while the window is open
    MISSED = "missed"  # the window closed before it could be sent
    SKIPPED = "skipped"  # not needed: the patient had already checked in that day


class ReminderStatus(str, enum.Enum):
    """Life cycle of one pacing reminder (the column stores ``.value``)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"
    MISSED = "missed"


SEND_STATUSES = tuple(status.value for status in SendStatus)
REMINDER_STATUSES = tuple(status.value for status in ReminderStatus)
MAX_REMINDER_TEXT = 1000
MAX_ERROR_TEXT = 500


def _in(column: str, values: tuple[str, ...]) -> str:
    """SQL for ``column IN (...)`` over fixed literals."""
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class ScheduledSend(Base):
    """An evening check-in or its reminder, claimed for one patient and local date."""

    __tablename__ = "scheduled_sends"
    __table_args__ = (
        UniqueConstraint("patient_id", "kind", "local_date", name="uq_scheduled_sends_claim"),
        CheckConstraint(_in("kind", SEND_KINDS), name="kind"),
        CheckConstraint(_in("status", SEND_STATUSES), name="status"),
        Index("ix_scheduled_sends_local_date", "local_date"),
    )

    id = Column(Integer, primary_key=True)
    patient_id = Column(String(64), ForeignKey("patients.id", ondelete="CASCADE"), nullable=False)
    kind = Column(String(16), nullable=False)
    local_date = Column(Date, nullable=False)
    due_at = Column(UTCDateTime, nullable=False)
    status = Column(String(16), nullable=False)
    claimed_at = Column(UTCDateTime, nullable=True)
    sent_at = Column(UTCDateTime, nullable=True)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text, nullable=True)


class PacingReminder(Base):
    """A one-off reminder text due at a given instant (e.g. "time to rest")."""

    __tablename__ = "pacing_reminders"
    __table_args__ = (
        CheckConstraint(_in("status", REMINDER_STATUSES), name="status"),
        Index("ix_pacing_reminders_due", "status", "due_at"),
        Index("ix_pacing_reminders_patient", "patient_id"),
    )

    id = Column(Integer, primary_key=True)
    patient_id = Column(String(64), ForeignKey("patients.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    due_at = Column(UTCDateTime, nullable=False)
    text = Column(Text, nullable=False)
    status = Column(String(16), nullable=False, default=ReminderStatus.PENDING.value)
    claimed_at = Column(UTCDateTime, nullable=True)
    sent_at = Column(UTCDateTime, nullable=True)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text, nullable=True)


# --- pacing reminders: the API other parts call -----------------------------------------


def schedule_reminder(
    session: Session, patient_id: str, due_at: datetime, text: str, *, now: datetime | None = None
) -> int:
    """Store a pacing reminder and return its id.

    Args:
        session: Session in a transaction owned by the caller.
        patient_id: The patient's pseudonym.
        due_at: When to send it (timezone-aware).
        text: The message, already written for the patient.
        now: Creation time; defaults to the system clock.

    Raises:
        ValueError: ``due_at`` is naive or ``text`` is empty or too long.
    """
    if due_at.tzinfo is None or due_at.utcoffset() is None:
        raise ValueError("due_at must be timezone-aware")
    if not text.strip():
        raise ValueError("reminder text is empty")
    if len(text) > MAX_REMINDER_TEXT:
        raise ValueError(f"reminder text is longer than {MAX_REMINDER_TEXT} characters")
    reminder = PacingReminder(
        patient_id=patient_id,
        created_at=now or datetime.now(timezone.utc),
        due_at=due_at,
        text=text,
        status=ReminderStatus.PENDING.value,
        attempts=0,
    )
    session.add(reminder)
    session.flush()
    return int(reminder.id)


def cancel_reminder(session: Session, reminder_id: int) -> bool:
    """Cancel one pending reminder; return False if it was already sent, missed or cancelled."""
    result = session.execute(
        update(PacingReminder)
        .where(
            PacingReminder.id == reminder_id,
            PacingReminder.status == ReminderStatus.PENDING.value,
        )
        .values(status=ReminderStatus.CANCELLED.value)
    )
    return result.rowcount == 1


def cancel_reminders(session: Session, patient_id: str) -> int:
    """Cancel every pending reminder of a patient; return how many were cancelled."""
    result = session.execute(
        update(PacingReminder)
        .where(
            PacingReminder.patient_id == patient_id,
            PacingReminder.status == ReminderStatus.PENDING.value,
        )
        .values(status=ReminderStatus.CANCELLED.value)
    )
    return int(result.rowcount)


def claim_reminder(session: Session, reminder_id: int, now: datetime) -> bool:
    """Atomically take a pending reminder for sending; True only for the one winner."""
    result = session.execute(
        update(PacingReminder)
        .where(
            PacingReminder.id == reminder_id,
            PacingReminder.status == ReminderStatus.PENDING.value,
        )
        .values(
            status=ReminderStatus.SENDING.value,
            claimed_at=now,
            attempts=PacingReminder.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def finish_reminder(
    session: Session, reminder_id: int, now: datetime, error: str | None = None
) -> None:
    """Record the outcome of a claimed reminder: sent, or back to pending for a retry."""
    values: dict[str, object]
    if error is None:
        values = {"status": ReminderStatus.SENT.value, "sent_at": now, "last_error": None}
    else:
        values = {"status": ReminderStatus.PENDING.value, "last_error": error[:MAX_ERROR_TEXT]}
    session.execute(
        update(PacingReminder)
        .where(
            PacingReminder.id == reminder_id,
            PacingReminder.status == ReminderStatus.SENDING.value,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def miss_stale_reminders(session: Session, due_before: datetime) -> int:
    """Mark pending reminders due before ``due_before`` as missed; return how many."""
    result = session.execute(
        update(PacingReminder)
        .where(
            PacingReminder.status == ReminderStatus.PENDING.value,
            PacingReminder.due_at < due_before,
        )
        .values(status=ReminderStatus.MISSED.value)
    )
    return int(result.rowcount)


# --- evening check-in sends ---------------------------------------------------------------


def insert_send(
    session: Session,
    patient_id: str,
    kind: str,
    local_date: date,
    due_at: datetime,
    status: str,
    now: datetime,
) -> bool:
    """INSERT the row for (patient, kind, local date); False if one already exists.

    The INSERT runs in a SAVEPOINT, so a conflict leaves the caller's transaction usable.
    The caller must commit before delivering: the committed row is the claim.
    """
    row = ScheduledSend(
        patient_id=patient_id,
        kind=kind,
        local_date=local_date,
        due_at=due_at,
        status=status,
        claimed_at=now if status == SendStatus.SENDING.value else None,
        attempts=1 if status == SendStatus.SENDING.value else 0,
    )
    return add_if_new(session, row)


def transition_send(
    session: Session,
    patient_id: str,
    kind: str,
    local_date: date,
    from_status: str,
    to_status: str,
    now: datetime,
    error: str | None = None,
) -> bool:
    """Move a send row from one status to another; True if this call made the change.

    Used to re-claim a failed send (``failed -> sending``), to record the outcome of a
    delivery (``sending -> sent`` / ``sending -> failed``) and to close a failed one
    (``failed -> missed``).
    """
    values: dict[str, object] = {"status": to_status}
    if to_status == SendStatus.SENDING.value:
        values.update(claimed_at=now, attempts=ScheduledSend.attempts + 1)
    elif to_status == SendStatus.SENT.value:
        values.update(sent_at=now, last_error=None)
    if error is not None:
        values["last_error"] = error[:MAX_ERROR_TEXT]
    result = session.execute(
        update(ScheduledSend)
        .where(
            ScheduledSend.patient_id == patient_id,
            ScheduledSend.kind == kind,
            ScheduledSend.local_date == local_date,
            ScheduledSend.status == from_status,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
