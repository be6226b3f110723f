"""Clocks: the scheduler asks one of these for the current time, never the system directly."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from bot.clock import utcnow


class Clock(Protocol):
    """Source of the current time."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        return utcnow()


class ShiftedClock:
    """Another clock moved by a fixed ``shift`` (drills: a Tuesday that plans as a Sunday).

    Args:
        clock: The clock to read.
        shift: Added to every reading.
    """

    def __init__(self, clock: Clock, shift: timedelta) -> None:
        self._clock = clock
        self.shift = shift

    def now(self) -> datetime:
        """Return the shifted time as an aware UTC datetime."""
        return self._clock.now() + self.shift


class FakeClock:
    """A clock that only moves when told to (for tests and simulations).

    Args:
        start: The initial time; must be timezone-aware.
    """

    def __init__(self, start: datetime) -> None:
        self._lock = threading.Lock()
        self._now = _as_utc(start)

    def now(self) -> datetime:
        """Return the current fake time as an aware UTC datetime."""
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (aware), forwards or backwards."""
        with self._lock:
            self._now = _as_utc(when)

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock by ``delta`` and return the new time."""
        with self._lock:
            self._now = self._now + delta
            return self._now


def _as_utc(when: datetime) -> datetime:
    """Convert an aware datetime to UTC; reject naive ones."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("clock times must be timezone-aware")
    return when.astimezone(timezone.utc)


async def run_passes(
    tick: Callable[[], Awaitable[Any]],
    every: float,
    stop_event: asyncio.Event,
    log: logging.Logger,
    what: str,
) -> None:
    """Await ``tick()`` every ``every`` seconds until ``stop_event`` is set (the scheduler's
    and the alert dispatcher's ``run_forever``). A failing pass is logged with its cause
    (``"<what> pass failed"``) and the next one comes as usual: a database outage or a bug
    must not end the schedule or the alerts for good."""
    while not stop_event.is_set():
        try:
            await tick()
        except Exception:
            log.exception("%s pass failed; next try in %s s", what, every)
        try:
            await asyncio.wait_for(stop_event.wait(), timeout=every)
        except asyncio.TimeoutError:
            continue
