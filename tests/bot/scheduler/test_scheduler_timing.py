"""Local-time arithmetic: ordinary days, daylight-saving gaps and overlaps."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.scheduler.clock import FakeClock, SystemClock
from bot.scheduler.timing import load_zone, local_dates, local_due_at, parse_local_time
from tests.bot.scheduler.scheduler_support import utc

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        # 20:00 local stays 20:00 local on both sides of each change.
        ("America/New_York", date(2024, 3, 9), utc(2024, 3, 10, 1)),  # EST
        ("America/New_York", date(2024, 3, 10), utc(2024, 3, 11, 0)),  # EDT from today
        ("America/New_York", date(2024, 11, 2), utc(2024, 11, 3, 0)),  # EDT
        ("America/New_York", date(2024, 11, 3), utc(2024, 11, 4, 1)),  # EST from today
        ("Europe/London", date(2024, 3, 30), utc(2024, 3, 30, 20)),  # GMT
        ("Europe/London", date(2024, 3, 31), utc(2024, 3, 31, 19)),  # BST
        ("Europe/London", date(2024, 10, 26), utc(2024, 10, 26, 19)),  # BST
        ("Europe/London", date(2024, 10, 27), utc(2024, 10, 27, 20)),  # GMT
        ("Asia/Tokyo", date(2024, 6, 3), utc(2024, 6, 3, 11)),
        ("Australia/Sydney", date(2024, 6, 3), utc(2024, 6, 3, 10)),
    ],
)
def test_evening_time_stays_local_across_dst(zone: str, day: date, expected: datetime) -> None:
    due = local_due_at(day, time(20, 0), ZoneInfo(zone))
    assert due == expected
    assert due.astimezone(ZoneInfo(zone)).time() == time(20, 0)


def test_time_skipped_by_spring_forward_moves_forward_by_the_gap() -> None:
    # 02:30 does not exist in New York on 2024-03-10 (02:00 -> 03:00).
    due = local_due_at(date(2024, 3, 10), time(2, 30), NEW_YORK)
    assert due == utc(2024, 3, 10, 7, 30)
    assert due.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2024, 3, 10, 3, 30)
    # London skips 01:00-02:00 on 2024-03-31.
    assert local_due_at(date(2024, 3, 31), time(1, 30), LONDON) == utc(2024, 3, 31, 1, 30)


def test_time_repeated_by_fall_back_resolves_to_first_occurrence() -> None:
    # 01:30 happens twice in New York on 2024-11-03 (05:30 and 06:30 UTC).
    assert local_due_at(date(2024, 11, 3), time(1, 30), NEW_YORK) == utc(2024, 11, 3, 5, 30)
    # ... and in London on 2024-10-27 (00:30 and 01:30 UTC).
    assert local_due_at(date(2024, 10, 27), time(1, 30), LONDON) == utc(2024, 10, 27, 0, 30)


def test_local_dates_cover_the_range_in_the_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    assert local_dates(utc(2024, 6, 3, 10), utc(2024, 6, 3, 16), tokyo) == [
        date(2024, 6, 3),
        date(2024, 6, 4),
    ]
    assert local_dates(utc(2024, 6, 3, 10), utc(2024, 6, 3, 11), tokyo) == [date(2024, 6, 3)]


def test_parse_local_time_accepts_stored_forms_and_falls_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert parse_local_time("07:45") == time(7, 45)
    assert parse_local_time(time(21, 0)) == time(21, 0)
    assert parse_local_time(None) == time(20, 0)
    assert parse_local_time("") == time(20, 0)
    with caplog.at_level(logging.WARNING):
        assert parse_local_time("25:99") == time(20, 0)
    assert "malformed check-in time" in caplog.text


def test_unknown_zone_falls_back() -> None:
    assert load_zone("Mars/Olympus_Mons") == ZoneInfo("UTC")
    assert load_zone("Not/AZone", "Europe/London") == LONDON
    assert load_zone("America/New_York") == NEW_YORK
    assert load_zone(None) == ZoneInfo("UTC")


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(datetime(2024, 6, 3, 14, 0, tzinfo=ZoneInfo("Europe/Paris")))
    assert clock.now() == utc(2024, 6, 3, 12)
    assert clock.now().tzinfo == timezone.utc
    assert clock.advance(timedelta(minutes=30)) == utc(2024, 6, 3, 12, 30)
    clock.set(utc(2024, 1, 1))
    assert clock.now() == utc(2024, 1, 1)
    with pytest.raises(ValueError):
        clock.set(datetime(2024, 1, 1))
    with pytest.raises(ValueError):
        FakeClock(datetime(2024, 1, 1))


def test_system_clock_is_aware_utc() -> None:
    now = SystemClock().now()
    assert now.utcoffset() == timedelta(0)
