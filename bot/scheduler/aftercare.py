"""Aftercare: the next-day check-back after a crisis or a medical red flag, sent once.

A crisis flag (including the one a "yes" to the despair question creates) gets "how are you
doing today?" with the /sos pointer; a red flag gets "were you able to get checked?". Each
goes out the next local day at a daytime hour (10:00 by default, never at night), through
the same claimed sends as the evening check-in: a ``scheduled_sends`` row per (patient,
kind, local date) is INSERTed and committed before the delivery, so a restart or a second
instance never sends it twice. A failed delivery is retried until the window closes (by
default 8 hours), then recorded as missed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.content.alerts import AlertContent, get_alert_content
from bot.scheduler.clock import Clock
from bot.scheduler.planning import Action, SendStatus, Step
from bot.scheduler.store_ops import ScheduleStore
from bot.scheduler.timing import load_zone, local_due_at
from bot.store.db import Database
from bot.store.models import Patient, SafetyFlag
from bot.store.schedule import ScheduledSend

logger = logging.getLogger(__name__)

AFTERCARE = "aftercare"  # after a crisis or a despair "yes"
AFTERCARE_CHECK = "aftercare_check"  # after a medical red flag
SEND_KIND = {"crisis": AFTERCARE, "red_flag": AFTERCARE_CHECK}
FLAG_KIND = {kind: flag for flag, kind in SEND_KIND.items()}
SendText = Callable[[str, str], Awaitable[None]]


@dataclass(frozen=True)
class CheckBack:
    """One check-back that may be due."""

    patient_id: str
    kind: str
    local_date: date
    due_at: datetime
    country: str | None
    status: SendStatus | None  # of its scheduled_sends row, if any


def load_checkbacks(
    session: Session, now: datetime, at: time, default_timezone: str = "UTC"
) -> list[CheckBack]:
    """The check-backs of crisis and red flags of the last three days (read only)."""
    since = now - timedelta(days=3)
    rows = session.execute(
        select(SafetyFlag.patient_id, SafetyFlag.kind, SafetyFlag.created_at,
               Patient.timezone, Patient.country)
        .join(Patient, Patient.id == SafetyFlag.patient_id)
        .where(SafetyFlag.kind.in_(tuple(SEND_KIND)), SafetyFlag.created_at >= since,
               Patient.deleted_at.is_(None))
        .order_by(SafetyFlag.created_at, SafetyFlag.id)
    ).all()
    wanted: dict[tuple[str, str, date], CheckBack] = {}
    for row in rows:
        zone = load_zone(row.timezone, default_timezone)
        day = row.created_at.astimezone(zone).date() + timedelta(days=1)
        key = (row.patient_id, SEND_KIND[row.kind], day)
        wanted.setdefault(key, CheckBack(row.patient_id, key[1], day,
                                         local_due_at(day, at, zone), row.country, None))
    if not wanted:
        return []
    statuses = {
        (r.patient_id, r.kind, r.local_date): SendStatus(r.status)
        for r in session.execute(
            select(ScheduledSend.patient_id, ScheduledSend.kind, ScheduledSend.local_date,
                   ScheduledSend.status)
            .where(ScheduledSend.kind.in_(tuple(FLAG_KIND)),
                   ScheduledSend.local_date >= since.date() - timedelta(days=1))
        )
    }
    return [
        CheckBack(c.patient_id, c.kind, c.local_date, c.due_at, c.country, statuses.get(key))
        for key, c in wanted.items()
    ]


def plan_checkback(check: CheckBack, now: datetime, window: timedelta) -> Step | None:
    """What to do about one check-back now (pure)."""
    if now < check.due_at:
        return None
    late = now > check.due_at + window
    if check.status is None:
        return Step.MISS if late else Step.SEND
    if check.status is SendStatus.FAILED:
        return Step.MISS if late else Step.RETRY
    return None  # being sent, sent, or closed


class Aftercare:
    """Sends next-day check-backs; call :meth:`tick` from the scheduler's pass.

    Args:
        database: The shared database.
        clock: Source of the current time.
        send_text: ``async send_text(patient_id, text)``; raising means "not delivered".
        at: Local time of the check-back on the day after the flag.
        window: How late it may still go out; later it is recorded as missed.
        default_timezone: For patients whose stored zone is unknown.
        content: The wording (default: ``content/aftercare.yml``).
    """

    def __init__(
        self,
        database: Database,
        clock: Clock,
        send_text: SendText,
        *,
        at: time = time(10, 0),
        window: timedelta = timedelta(hours=8),
        default_timezone: str = "UTC",
        content: AlertContent | None = None,
    ) -> None:
        self._database = database
        self._store = ScheduleStore(database)
        self._clock = clock
        self._send_text = send_text
        self.at, self.window, self.default_timezone = at, window, default_timezone
        self._content = content or get_alert_content()

    def _load(self, now: datetime) -> list[CheckBack]:
        with self._database.sessions() as session:
            return load_checkbacks(session, now, self.at, self.default_timezone)

    async def tick(self) -> Counter[str]:
        """Send, retry or close every check-back that needs it now."""
        now = self._clock.now()
        counts: Counter[str] = Counter()
        for check in await asyncio.to_thread(self._load, now):
            step = plan_checkback(check, now, self.window)
            if step is None:
                continue
            action = Action(check.patient_id, check.kind, check.local_date, check.due_at, step)
            outcome = await self._run(action, check)
            if outcome:
                counts[f"{check.kind}:{outcome}"] += 1
        return counts

    async def _run(self, action: Action, check: CheckBack) -> str | None:
        store = self._store
        if action.step is Step.MISS:
            done = await asyncio.to_thread(store.close_send, action, "missed", self._clock.now())
            return "missed" if done else None
        if not await asyncio.to_thread(store.claim_send, action, self._clock.now()):
            return None  # another instance (or an earlier pass) owns it
        text = self._content.checkback_text(FLAG_KIND[check.kind], check.country)
        try:
            await self._send_text(check.patient_id, text)
        except Exception as exc:
            logger.warning("%s check-back for patient %s not delivered; will retry until %s",
                           check.kind, check.patient_id,
                           (check.due_at + self.window).isoformat(), exc_info=True)
            await asyncio.to_thread(store.fail_send, action, self._clock.now(), repr(exc))
            return "failed"
        await asyncio.to_thread(store.finish_send, action, self._clock.now())
        return "sent"
