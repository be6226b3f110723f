"""What the safety queue and the alerts page read about alerts and acknowledgements."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.accounts import visible_patients
from bot.store.alerts import CoachAlert
from bot.store.coaches import Coach
from bot.store.models import SafetyFlag

ACK_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class AckTime:
    """How quickly one coach acknowledged flags (minutes from the flag)."""

    username: str
    count: int
    median_minutes: float
    longest_minutes: float


@dataclass(frozen=True)
class AlertState:
    """What happened to the alerts of one flag."""

    sent: int = 0
    waiting: int = 0
    failed: int = 0
    escalated: bool = False
    first_sent_at: datetime | None = None


def ack_times(session: Session, coach: Coach, now: datetime,
              window: timedelta = ACK_WINDOW) -> list[AckTime]:
    """Per coach, the time from flag to acknowledgement over the last ``window``.

    Only flags of patients this coach may see count; slowest median first.
    """
    rows = session.execute(
        select(SafetyFlag.acknowledged_by, SafetyFlag.created_at, SafetyFlag.acknowledged_at)
        .where(
            SafetyFlag.patient_id.in_(visible_patients(coach).scalar_subquery()),
            SafetyFlag.acknowledged_at.is_not(None),
            SafetyFlag.acknowledged_at >= now - window,
        )
    ).all()
    minutes: dict[str, list[float]] = defaultdict(list)
    for who, created, acknowledged in rows:
        minutes[who or "?"].append(max(0.0, (acknowledged - created).total_seconds() / 60))
    found = [
        AckTime(who, len(values), statistics.median(values), max(values))
        for who, values in minutes.items()
    ]
    found.sort(key=lambda row: (-row.median_minutes, row.username))
    return found


def alert_states(session: Session, flag_ids: list[int]) -> dict[int, AlertState]:
    """The alert outcome of each flag (flags without alerts are left out)."""
    if not flag_ids:
        return {}
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    escalated: set[int] = set()
    first: dict[int, datetime] = {}
    for row in session.execute(
        select(CoachAlert.flag_id, CoachAlert.status, CoachAlert.reason, CoachAlert.sent_at)
        .where(CoachAlert.flag_id.in_(flag_ids))
    ):
        bucket = {"sent": "sent", "failed": "failed"}.get(row.status, "waiting")
        if row.status != "cancelled":
            counts[row.flag_id][bucket] += 1
        if row.reason == "escalation":
            escalated.add(row.flag_id)
        earliest = first.get(row.flag_id)
        if row.sent_at is not None and (earliest is None or row.sent_at < earliest):
            first[row.flag_id] = row.sent_at
    return {
        flag_id: AlertState(c["sent"], c["waiting"], c["failed"], flag_id in escalated,
                            first.get(flag_id))
        for flag_id, c in counts.items()
    }
