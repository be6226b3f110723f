"""The scheduler: evening check-ins, their reminder, pacing reminders, the Sunday summary.

Every pass (:meth:`Scheduler.tick`) reads the schedule, claims each due send in the database
*before* delivering it, then delivers through the injected callbacks. Claims make every send
at most once, across restarts and across several instances sharing one database. Database
work runs in worker threads so the gateway's event loop is never blocked.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import Any

from bot.content import get_content
from bot.content.alerts import get_alert_content
from bot.scheduler.aftercare import Aftercare
from bot.scheduler.clock import Clock, run_passes
from bot.scheduler.planning import (
    CHECKIN,
    PACING,
    WEEKLY,
    Action,
    PatientView,
    Policy,
    Step,
    plan_patient,
)
from bot.scheduler.snapshot import DueReminder, load_due_reminders, load_patient_views
from bot.scheduler.store_ops import ScheduleStore
from bot.settings import Settings
from bot.store.db import Database
from bot.store.schedule import SendStatus

logger = logging.getLogger(__name__)

TriggerCheckin = Callable[[str], Awaitable[None]]
"""``async trigger_checkin(patient_id)``: start the evening check-in conversation."""
SendText = Callable[[str, str], Awaitable[None]]
"""``async send_text(patient_id, text)``: send one plain message."""
SendWeekly = Callable[[str, datetime], Awaitable[None]]
"""``async send_weekly(patient_id, now)``: build and send the summary of the week to ``now``."""

class Scheduler:
    """Sends evening check-ins and pacing reminders on time, once.

    Args:
        database: Where the schedule lives (shared by every instance).
        clock: Source of the current time (a ``FakeClock`` in tests).
        trigger_checkin: Starts the check-in for one patient; raising means "not delivered".
        send_text: Sends one text to one patient; raising means "not delivered".
        tick_seconds: Pause between passes in :meth:`run_forever`.
        grace: How late a check-in or reminder may still go out; later ones are recorded
            as missed instead (no burst of stale prompts after downtime).
        reminder_after: Delay before the one gentle reminder after an unanswered check-in.
        reminder_cutoff: Local time after which no reminder goes out that evening.
        reminder_text: The reminder's words (default: ``checkin_reminder`` of
            ``content/phrases.yml``).
        flare_idle: An open episode active within this long counts as mid-flare.
        default_timezone: Used for patients whose stored zone is unknown.
        default_checkin_time: Used for patients whose stored time is malformed.
        max_parallel: How many patients are delivered to at the same time.
        send_weekly: Sends the Sunday summary, e.g. a :class:`bot.progress.WeeklySummaries`
            (chart and caption, or text). Without it no Sunday summaries are planned.
        aftercare: Next-day check-backs after a crisis or red flag
            (:class:`bot.scheduler.aftercare.Aftercare`), run on every pass.
        gentle_text: The evening message instead of the check-in in the 48 hours after a
            crisis (default: ``content/aftercare.yml``).
    """

    def __init__(
        self,
        database: Database,
        clock: Clock,
        trigger_checkin: TriggerCheckin,
        send_text: SendText,
        *,
        tick_seconds: float = 30,
        grace: timedelta = timedelta(hours=2),
        reminder_after: timedelta = timedelta(minutes=90),
        reminder_cutoff: time = time(23, 0),
        reminder_text: str | None = None,
        flare_idle: timedelta = timedelta(minutes=120),
        default_timezone: str = "UTC",
        default_checkin_time: time = time(20, 0),
        max_parallel: int = 10,
        send_weekly: SendWeekly | None = None,
        aftercare: Aftercare | None = None,
        gentle_text: str | None = None,
    ) -> None:
        if tick_seconds <= 0 or grace <= timedelta(0) or max_parallel < 1:
            raise ValueError("tick_seconds, grace and max_parallel must be positive")
        self._database = database
        self._store = ScheduleStore(database)
        self._clock = clock
        self._trigger_checkin = trigger_checkin
        self._send_text = send_text
        self.tick_seconds = tick_seconds
        self.policy = Policy(
            grace=grace, reminder_after=reminder_after, reminder_cutoff=reminder_cutoff
        )
        self._reminder_text = reminder_text or get_content().phrase("checkin_reminder")
        self.flare_idle = flare_idle
        self.default_timezone = default_timezone
        self.default_checkin_time = default_checkin_time
        self._max_parallel = max_parallel
        self._send_weekly = send_weekly
        self._aftercare = aftercare
        self._gentle_text = gentle_text or get_alert_content().evening_gentle

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        database: Database,
        clock: Clock,
        trigger_checkin: TriggerCheckin,
        send_text: SendText,
        **options: Any,
    ) -> Scheduler:
        """Build a scheduler using the idle window and defaults from ``settings``."""
        options.setdefault("flare_idle", settings.episode_idle)
        options.setdefault("default_timezone", settings.default_timezone)
        options.setdefault("default_checkin_time", settings.checkin_time)
        return cls(database, clock, trigger_checkin, send_text, **options)

    async def tick(self) -> Counter[str]:
        """Run one pass and return counts such as ``{"checkin:sent": 3, "pacing:missed": 1}``."""
        now = self._clock.now()
        counts: Counter[str] = Counter()
        # Made per pass: asyncio primitives must not outlive the event loop that uses them.
        limit = asyncio.Semaphore(self._max_parallel)
        views = await asyncio.to_thread(self._load_views, now)
        by_patient: dict[str, list[Action]] = defaultdict(list)
        for view in views:
            actions = plan_patient(view, now, self.policy)
            if self._send_weekly is None:
                actions = [action for action in actions if action.kind != WEEKLY]
            by_patient[view.patient_id].extend(actions)
        await asyncio.gather(
            *(
                self._run_patient(actions, counts, limit)
                for actions in by_patient.values()
                if actions
            )
        )
        missed = await asyncio.to_thread(self._store.miss_stale_reminders, now - self.policy.grace)
        counts[f"{PACING}:missed"] += missed
        due = await asyncio.to_thread(self._load_due_reminders, now)
        await asyncio.gather(*(self._run_reminder(reminder, counts, limit) for reminder in due))
        if self._aftercare is not None:
            counts.update(await self._aftercare.tick())
        if +counts:
            logger.info("scheduler pass at %s: %s", now.isoformat(), dict(+counts))
        return +counts

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Run passes every ``tick_seconds`` until ``stop_event`` is set."""
        await run_passes(self.tick, self.tick_seconds, stop_event, logger, "scheduler")

    def _load_views(self, now: datetime) -> list[PatientView]:
        """Read the patients' schedules (runs in a worker thread)."""
        with self._database.sessions() as session:
            return load_patient_views(
                session,
                now,
                self.policy,
                flare_idle=self.flare_idle,
                default_timezone=self.default_timezone,
                default_checkin_time=self.default_checkin_time,
            )

    def _load_due_reminders(self, now: datetime) -> list[DueReminder]:
        """Read the pacing reminders that are due (runs in a worker thread)."""
        with self._database.sessions() as session:
            return load_due_reminders(session, now)

    async def _run_patient(
        self, actions: list[Action], counts: Counter[str], limit: asyncio.Semaphore
    ) -> None:
        """Carry out one patient's actions in order."""
        async with limit:
            for action in actions:
                outcome = await self._run_action(action)
                if outcome:
                    counts[f"{action.kind}:{outcome}"] += 1

    async def _run_action(self, action: Action) -> str | None:
        """Record, or claim and deliver, one check-in or reminder; return what happened."""
        store = self._store
        if action.step in (Step.MISS, Step.SKIP):
            status = (SendStatus.MISSED if action.step is Step.MISS else SendStatus.SKIPPED).value
            done = await asyncio.to_thread(store.close_send, action, status, self._clock.now())
            return status if done else None
        claimed = await asyncio.to_thread(store.claim_send, action, self._clock.now())
        if not claimed:
            return None  # another instance (or an earlier pass) owns it
        try:
            if action.kind == CHECKIN and action.gentle:
                await self._send_text(action.patient_id, self._gentle_text)
            elif action.kind == CHECKIN:
                await self._trigger_checkin(action.patient_id)
            elif action.kind == WEEKLY:
                assert self._send_weekly is not None  # only planned with a sender
                await self._send_weekly(action.patient_id, self._clock.now())
            else:
                await self._send_text(action.patient_id, self._reminder_text)
        except Exception as exc:
            logger.warning(
                "%s for patient %s (%s) not delivered; will retry until %s",
                action.kind,
                action.patient_id,
                action.local_date,
                (action.due_at + self.policy.grace).isoformat(),
                exc_info=True,
            )
            await asyncio.to_thread(store.fail_send, action, self._clock.now(), repr(exc))
            return SendStatus.FAILED.value
        await asyncio.to_thread(store.finish_send, action, self._clock.now())
        return SendStatus.SENT.value

    async def _run_reminder(
        self, reminder: DueReminder, counts: Counter[str], limit: asyncio.Semaphore
    ) -> None:
        """Claim and send one pacing reminder."""
        async with limit:
            claimed = await asyncio.to_thread(
                self._store.claim_reminder, reminder.id, self._clock.now()
            )
            if not claimed:
                return
            try:
                await self._send_text(reminder.patient_id, reminder.text)
            except Exception as exc:
                logger.warning(
                    "pacing reminder %s for patient %s not delivered; will retry",
                    reminder.id,
                    reminder.patient_id,
                    exc_info=True,
                )
                await asyncio.to_thread(
                    self._store.finish_reminder, reminder.id, self._clock.now(), repr(exc)
                )
                counts[f"{PACING}:failed"] += 1
                return
            await asyncio.to_thread(self._store.finish_reminder, reminder.id, self._clock.now())
            counts[f"{PACING}:sent"] += 1
