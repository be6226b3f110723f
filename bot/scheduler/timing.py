"""Pure local-time arithmetic for the evening schedule (no database, no I/O)."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

logger = logging.getLogger(__name__)

DEFAULT_CHECKIN_TIME = time(20, 0)
"""Local time of the evening check-in when the patient has not chosen one."""


@lru_cache(maxsize=1024)
def load_zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """Return the IANA zone ``name``, or ``fallback`` if unknown or empty.

    Cached, so an unknown name is logged once rather than on every pass.
    """
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            logger.warning("unknown time zone %r, using %s", name, fallback)
    return ZoneInfo(fallback)


def parse_local_time(value: time | str | None, default: time = DEFAULT_CHECKIN_TIME) -> time:
    """Turn a stored check-in time (``time`` or ``"HH:MM"``) into a naive ``time``.

    Args:
        value: The stored value; ``None`` or an empty string means the default.
        default: Used when ``value`` is empty or malformed (malformed values are logged).
    """
    if value is None or value == "":
        return default
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        logger.warning("malformed check-in time %r, using %s", value, default)
        return default


def local_due_at(local_date: date, at: time, zone: ZoneInfo) -> datetime:
    """Return the UTC instant of wall-clock ``at`` on ``local_date`` in ``zone``.

    Daylight saving: a wall time skipped by a spring-forward change (02:30 on the day
    clocks jump from 02:00 to 03:00) is moved forward by the size of the jump (03:30), so it
    still happens once that day. A wall time that happens twice at a fall-back change
    resolves to its first occurrence (``fold=0``).
    """
    wall = datetime.combine(local_date, at.replace(tzinfo=None))
    # fold=0 uses the offset in force before a transition, which for a gap moves the
    # instant forward and for an overlap picks the earlier instant.
    return wall.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)


def local_dates(start: datetime, end: datetime, zone: ZoneInfo) -> list[date]:
    """Return every local date in ``zone`` touched by the instant range [start, end]."""
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    days = (last - first).days
    return [first + timedelta(days=offset) for offset in range(days + 1)]
