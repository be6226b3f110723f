"""The wall clock: one ``utcnow()`` for the gateway, the actions, the dashboard and the scheduler.

Code that needs the time takes a clock (a callable or :class:`bot.scheduler.clock.Clock`)
defaulting to this function, so tests can fix the time.
"""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)
