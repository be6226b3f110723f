"""The scheduler's writes, each in a short transaction of its own (run in worker threads).

A claim is committed before the delivery starts, so whoever commits the claim first is the
only one who delivers; the others see a conflict (INSERT) or zero updated rows (UPDATE).
"""

from __future__ import annotations

from datetime import datetime

from bot.scheduler.planning import Action, Step
from bot.store import schedule
from bot.store.db import Database
from bot.store.schedule import SendStatus


class ScheduleStore:
    """Transactional wrappers around :mod:`bot.store.schedule` for the scheduler."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def claim_send(self, action: Action, now: datetime) -> bool:
        """Claim a check-in or reminder for delivery; True only for the single winner."""
        with self._database.sessions.begin() as session:
            if action.step is Step.RETRY:
                return schedule.transition_send(
                    session,
                    action.patient_id,
                    action.kind,
                    action.local_date,
                    SendStatus.FAILED.value,
                    SendStatus.SENDING.value,
                    now,
                )
            return schedule.insert_send(
                session,
                action.patient_id,
                action.kind,
                action.local_date,
                action.due_at,
                SendStatus.SENDING.value,
                now,
            )

    def close_send(self, action: Action, status: str, now: datetime) -> bool:
        """Record a send as missed or skipped (new row, or a failed one closed)."""
        with self._database.sessions.begin() as session:
            inserted = schedule.insert_send(
                session,
                action.patient_id,
                action.kind,
                action.local_date,
                action.due_at,
                status,
                now,
            )
            if inserted:
                return True
            return schedule.transition_send(
                session,
                action.patient_id,
                action.kind,
                action.local_date,
                SendStatus.FAILED.value,
                status,
                now,
            )

    def finish_send(self, action: Action, now: datetime) -> None:
        """Mark a claimed send as delivered."""
        with self._database.sessions.begin() as session:
            schedule.transition_send(
                session,
                action.patient_id,
                action.kind,
                action.local_date,
                SendStatus.SENDING.value,
                SendStatus.SENT.value,
                now,
            )

    def fail_send(self, action: Action, now: datetime, error: str) -> None:
        """Mark a claimed send as failed, so a later pass may retry it within the window."""
        with self._database.sessions.begin() as session:
            schedule.transition_send(
                session,
                action.patient_id,
                action.kind,
                action.local_date,
                SendStatus.SENDING.value,
                SendStatus.FAILED.value,
                now,
                error,
            )

    def claim_reminder(self, reminder_id: int, now: datetime) -> bool:
        """Claim a pending pacing reminder; True only for the single winner."""
        with self._database.sessions.begin() as session:
            return schedule.claim_reminder(session, reminder_id, now)

    def finish_reminder(self, reminder_id: int, now: datetime, error: str | None = None) -> None:
        """Record a pacing reminder as sent, or back to pending after a failure."""
        with self._database.sessions.begin() as session:
            schedule.finish_reminder(session, reminder_id, now, error)

    def miss_stale_reminders(self, due_before: datetime) -> int:
        """Mark pending pacing reminders due before ``due_before`` as missed."""
        with self._database.sessions.begin() as session:
            return schedule.miss_stale_reminders(session, due_before)
