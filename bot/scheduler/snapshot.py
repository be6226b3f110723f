"""Read what the scheduler needs from the database in a few set-based queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.scheduler.planning import PatientView, Policy, SendRecord
from bot.scheduler.timing import load_zone, parse_local_time
from bot.store.models import CheckIn, Episode, Patient, SafetyFlag
from bot.store.schedule import PacingReminder, ReminderStatus, ScheduledSend, SendStatus

AFTER_CRISIS = timedelta(hours=48)
"""How long after a crisis flag the evening check-in stays gentle and the summary waits."""


@dataclass(frozen=True)
class DueReminder:
    """A pending pacing reminder whose time has come."""

    id: int
    patient_id: str
    due_at: datetime
    text: str


def load_patient_views(
    session: Session,
    now: datetime,
    policy: Policy,
    *,
    flare_idle: timedelta,
    default_timezone: str = "UTC",
    default_checkin_time: time = time(20, 0),
) -> list[PatientView]:
    """Build a :class:`PatientView` for every patient who can get check-ins.

    Deleted patients and patients who paused check-ins are left out entirely.

    Args:
        session: An open session (read only).
        now: The instant of this pass.
        policy: Timing rules (decide how many past days matter).
        flare_idle: An open episode counts as a flare while its last activity is this recent.
        default_timezone: Used for patients whose stored zone is unknown.
        default_checkin_time: Used for patients whose stored time is malformed.
    """
    patients = session.execute(
        select(
            Patient.id,
            Patient.timezone,
            Patient.checkin_time,
            Patient.created_at,
            Patient.weekly_summary,
        )
        .where(Patient.deleted_at.is_(None), Patient.checkins_paused.is_(False))
        .order_by(Patient.id)
    ).all()
    if not patients:
        return []
    # Local dates differ by at most a day or so between zones; two days of slack is plenty.
    since = (now - policy.lookback() - timedelta(days=2)).date()
    sends: dict[str, dict[tuple[str, date], SendRecord]] = defaultdict(dict)
    for row in session.execute(
        select(
            ScheduledSend.patient_id,
            ScheduledSend.kind,
            ScheduledSend.local_date,
            ScheduledSend.status,
            ScheduledSend.due_at,
            ScheduledSend.sent_at,
        ).where(ScheduledSend.local_date >= since)
    ):
        record = SendRecord(SendStatus(row.status), row.due_at, row.sent_at)
        sends[row.patient_id][(row.kind, row.local_date)] = record
    answered: dict[str, set[date]] = defaultdict(set)
    for patient_id, local_date in session.execute(
        select(CheckIn.patient_id, CheckIn.local_date).where(CheckIn.local_date >= since)
    ):
        answered[patient_id].add(local_date)
    in_flare = set(
        session.execute(
            select(Episode.patient_id)
            .where(Episode.ended_at.is_(None), Episode.last_activity_at >= now - flare_idle)
            .distinct()
        ).scalars()
    )
    after_crisis = set(
        session.execute(
            select(SafetyFlag.patient_id)
            .where(SafetyFlag.kind == "crisis", SafetyFlag.created_at >= now - AFTER_CRISIS,
                   SafetyFlag.created_at <= now)
            .distinct()
        ).scalars()
    )
    return [
        PatientView(
            patient_id=row.id,
            zone=load_zone(row.timezone, default_timezone),
            checkin_time=parse_local_time(row.checkin_time, default_checkin_time),
            sends=sends.get(row.id, {}),
            answered=answered.get(row.id, set()),
            in_flare=row.id in in_flare,
            not_before=row.created_at,
            weekly_summary=bool(row.weekly_summary),
            after_crisis=row.id in after_crisis,
        )
        for row in patients
    ]


def load_due_reminders(session: Session, now: datetime, limit: int = 500) -> list[DueReminder]:
    """Pending pacing reminders due at or before ``now`` for patients not deleted."""
    rows = session.execute(
        select(
            PacingReminder.id, PacingReminder.patient_id, PacingReminder.due_at, PacingReminder.text
        )
        .join(Patient, Patient.id == PacingReminder.patient_id)
        .where(
            PacingReminder.status == ReminderStatus.PENDING.value,
            PacingReminder.due_at <= now,
            Patient.deleted_at.is_(None),
        )
        .order_by(PacingReminder.due_at, PacingReminder.id)
        .limit(limit)
    ).all()
    return [DueReminder(row.id, row.patient_id, row.due_at, row.text) for row in rows]
