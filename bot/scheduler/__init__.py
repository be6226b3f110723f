"""Evening check-ins, pacing reminders and Sunday summaries, sent on time and at most once.

Typical wiring in the gateway::

    scheduler = Scheduler.from_settings(
        settings, database, SystemClock(), trigger_checkin=..., send_text=...
    )
    asyncio.create_task(scheduler.run_forever(stop_event))

Pacing reminders are stored with :func:`bot.store.schedule.schedule_reminder`. Sunday
summaries go out only when ``send_weekly=`` is given (e.g. ``bot.progress.WeeklySummaries``).
"""

from bot.scheduler.clock import Clock, FakeClock, SystemClock
from bot.scheduler.service import (
    Scheduler,
    SendText,
    SendWeekly,
    TriggerCheckin,
)

__all__ = [
    "Clock",
    "FakeClock",
    "Scheduler",
    "SendText",
    "SendWeekly",
    "SystemClock",
    "TriggerCheckin",
]
