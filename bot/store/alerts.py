"""The coach alerts outbox: one row per alert about a safety flag to one address.

Table ``coach_alerts``, created by ``migrations/versions/0013_alerts.py`` (keep it in
step): one row per (safety flag, reason, channel, address). The UNIQUE constraint is the
claim of *creating* an alert (two instances planning at once make one row);
``UPDATE ... WHERE status IN (...)`` is the claim of *sending* it. A row left in
``sending`` by a crash is taken again after a lease, so nothing is lost. Where a coach is
reached (linked Telegram, e-mail, on call) is in :mod:`bot.store.coach_contacts`.

Store functions take a ``Session``; the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from bot.store import coaches as _coaches  # noqa: F401  (the coaches table)
from bot.store.models import Base, Patient, SafetyFlag, UTCDateTime, add_if_new

ALERT_REASONS = ("new", "high", "escalation")
ALERT_CHANNELS = ("telegram", "email")
ALERT_STATUSES = ("pending", "sending", "sent", "failed", "cancelled")
TELEGRAM, EMAIL = ALERT_CHANNELS
MAX_ERROR_TEXT = 500


def _in(column: str, values: tuple[str, ...]) -> str:
    """SQL ``column IN ('a', 'b')`` for a CHECK constraint."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class CoachAlert(Base):
    """One alert about one safety flag to one address (a Telegram chat or an e-mail)."""

    __tablename__ = "coach_alerts"
    __table_args__ = (
        UniqueConstraint("flag_id", "reason", "channel", "address", name="uq_coach_alerts_claim"),
        CheckConstraint(_in("status", ALERT_STATUSES), name="status"),
        CheckConstraint(_in("channel", ALERT_CHANNELS), name="channel"),
        CheckConstraint(_in("reason", ALERT_REASONS), name="reason"),
        Index("ix_coach_alerts_due", "status", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    flag_id = Column(Integer, ForeignKey("safety_flags.id", ondelete="CASCADE"), nullable=False)
    patient_id = Column(String(64), nullable=False)
    reason = Column(String(16), nullable=False)
    level = Column(String(16), nullable=True)
    channel = Column(String(16), nullable=False)
    address = Column(String(254), nullable=False)
    coach_id = Column(Integer, ForeignKey("coaches.id", ondelete="SET NULL"), nullable=True)
    created_at = Column(UTCDateTime, nullable=False)
    status = Column(String(16), nullable=False, default="pending")
    claimed_at = Column(UTCDateTime, nullable=True)
    sent_at = Column(UTCDateTime, nullable=True)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text, nullable=True)


# --- the outbox ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """One address an alert goes to."""

    channel: str
    address: str
    coach_id: int | None = None


@dataclass(frozen=True)
class DueAlert:
    """A claimed-or-claimable alert with what its message needs."""

    id: int
    flag_id: int
    patient_id: str
    reason: str
    level: str | None
    channel: str
    address: str
    flag_kind: str
    flag_created_at: datetime
    attempts: int
    acknowledged: bool


def insert_alert(
    session: Session, flag: SafetyFlag, reason: str, recipient: Recipient, now: datetime,
    level: str | None,
) -> bool:
    """INSERT one alert row; False if it exists already (SAVEPOINT keeps the caller usable)."""
    row = CoachAlert(flag_id=flag.id, patient_id=flag.patient_id, reason=reason, level=level,
                     channel=recipient.channel, address=recipient.address,
                     coach_id=recipient.coach_id, created_at=now, status="pending", attempts=0)
    return add_if_new(session, row)


def alerts_of(session: Session, flag_ids: list[int]) -> list[CoachAlert]:
    """Every alert row of the given flags."""
    if not flag_ids:
        return []
    return list(session.execute(
        select(CoachAlert).where(CoachAlert.flag_id.in_(flag_ids)).order_by(CoachAlert.id)
    ).scalars())


def open_flags_since(session: Session, since: datetime) -> list[SafetyFlag]:
    """Unacknowledged flags created since ``since``, of patients who are not deleted."""
    return list(session.execute(
        select(SafetyFlag)
        .join(Patient, Patient.id == SafetyFlag.patient_id)
        .where(SafetyFlag.acknowledged_at.is_(None), SafetyFlag.created_at >= since,
               Patient.deleted_at.is_(None))
        .order_by(SafetyFlag.created_at, SafetyFlag.id)
    ).scalars())


def _claimable(now: datetime, lease: timedelta, retry_after: timedelta) -> object:
    return or_(
        CoachAlert.status == "pending",
        and_(CoachAlert.status == "failed", CoachAlert.claimed_at < now - retry_after),
        and_(CoachAlert.status == "sending", CoachAlert.claimed_at < now - lease),
    )


def due_alerts(
    session: Session, now: datetime, *, lease: timedelta, retry_after: timedelta,
    max_attempts: int, limit: int = 200,
) -> list[DueAlert]:
    """Alerts waiting to be sent (pending, failed a while ago, or stuck past the lease)."""
    rows = session.execute(
        select(CoachAlert, SafetyFlag.kind, SafetyFlag.created_at, SafetyFlag.acknowledged_at)
        .join(SafetyFlag, SafetyFlag.id == CoachAlert.flag_id)
        .where(_claimable(now, lease, retry_after), CoachAlert.attempts < max_attempts)
        .order_by(CoachAlert.created_at, CoachAlert.id)
        .limit(limit)
    ).all()
    return [
        DueAlert(a.id, a.flag_id, a.patient_id, a.reason, a.level, a.channel, a.address, kind,
                 created, a.attempts, acknowledged is not None)
        for a, kind, created, acknowledged in rows
    ]


def claim_alert(
    session: Session, alert_id: int, now: datetime, *, lease: timedelta, retry_after: timedelta
) -> bool:
    """Atomically take one alert for sending; True only for the single winner."""
    result = session.execute(
        update(CoachAlert)
        .where(CoachAlert.id == alert_id, _claimable(now, lease, retry_after))
        .values(status="sending", claimed_at=now, attempts=CoachAlert.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def finish_alert(
    session: Session, alert_id: int, claimed_at: datetime, now: datetime,
    error: str | None = None, *, cancelled: bool = False,
) -> bool:
    """Record the outcome of this claim: sent, failed (retried later) or cancelled.

    Cancelled: the flag was acknowledged before the alert went out, so it is not sent.
    """
    values: dict[str, object]
    if cancelled:
        values = {"status": "cancelled"}
    elif error is None:
        values = {"status": "sent", "sent_at": now, "last_error": None}
    else:
        values = {"status": "failed", "last_error": error[:MAX_ERROR_TEXT]}
    result = session.execute(
        update(CoachAlert)
        .where(CoachAlert.id == alert_id, CoachAlert.status == "sending",
               CoachAlert.claimed_at == claimed_at)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
