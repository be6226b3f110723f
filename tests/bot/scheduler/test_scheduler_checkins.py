"""Evening check-ins against a real database (SQLite and PostgreSQL) with a fake clock."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.content import get_content
from bot.store.db import Database
from bot.store.schedule import insert_send
from tests.bot.scheduler.scheduler_support import World, utc


def local(zone: str, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A wall-clock time in ``zone`` (first occurrence if repeated), converted to UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)


def local_times(world: World, patient_id: str, zone: str, kind: str) -> list[datetime]:
    """Naive local times at which ``patient_id`` got deliveries of ``kind``."""
    return [
        call.at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        for call in world.delivery.of(patient_id, kind)
    ]


ZONES = [
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
]


async def test_each_zone_gets_its_own_evening_once_per_day(world: World) -> None:
    for zone in ZONES:
        world.add_patient(zone, zone)
    start = utc(2024, 6, 3, 0, 0)
    end = start + timedelta(hours=48)
    world.clock.set(start)
    await world.run(until=end, step=timedelta(minutes=30))

    for zone in ZONES:
        tz = ZoneInfo(zone)
        expected = [
            datetime(day.year, day.month, day.day, 20, 0)
            for day in (date(2024, 6, 2) + timedelta(days=n) for n in range(5))
            if start <= datetime(day.year, day.month, day.day, 20, tzinfo=tz) <= end
        ]
        assert local_times(world, zone, zone, "checkin") == expected, zone
        # Nobody answered: exactly one gentle reminder 90 minutes after each check-in.
        last_local = end.astimezone(tz).replace(tzinfo=None)
        assert local_times(world, zone, zone, "text") == [
            at + timedelta(minutes=90)
            for at in expected
            if at + timedelta(minutes=90) <= last_local
        ], zone
        texts = {call.text for call in world.delivery.of(zone, "text")}
        assert texts == {get_content().phrase("checkin_reminder")}
        rows = world.sends(zone)
        statuses = {(row.kind, row.status) for row in rows if row.due_at >= start}
        assert statuses == {("checkin", "sent"), ("checkin_reminder", "sent")}
        # An evening that had passed before the first pass is recorded, not sent late.
        assert {row.status for row in rows if row.due_at < start} <= {"missed"}


DST_CASES = [
    # zone, change date, odd local time on that date, its expected UTC instant
    ("America/New_York", date(2024, 3, 10), time(2, 30), utc(2024, 3, 10, 7, 30)),  # gap
    ("America/New_York", date(2024, 11, 3), time(1, 30), utc(2024, 11, 3, 5, 30)),  # overlap
    ("Europe/London", date(2024, 3, 31), time(1, 30), utc(2024, 3, 31, 1, 30)),  # gap
    ("Europe/London", date(2024, 10, 27), time(1, 30), utc(2024, 10, 27, 0, 30)),  # overlap
]


@pytest.mark.parametrize(("zone", "change", "odd", "odd_utc"), DST_CASES)
async def test_daylight_saving_change(
    world: World, zone: str, change: date, odd: time, odd_utc: datetime
) -> None:
    before = change - timedelta(days=1)
    world.clock.set(local(zone, before.year, before.month, before.day, 0, 0))
    world.add_patient("evening", zone, "20:00")
    world.add_patient("night", zone, odd.strftime("%H:%M"))
    after = change + timedelta(days=1)
    await world.run(
        until=local(zone, after.year, after.month, after.day, 23, 30), step=timedelta(minutes=30)
    )

    days = [before, change, after]
    assert local_times(world, "evening", zone, "checkin") == [
        datetime.combine(day, time(20, 0)) for day in days
    ]
    night = [call.at for call in world.delivery.of("night", "checkin")]
    assert len(night) == 3  # once a day, the change day included
    assert night[1] == odd_utc  # skipped time: shifted by the gap; repeated: first one
    sent_days = [
        r.local_date for r in world.sends("night") if (r.kind, r.status) == ("checkin", "sent")
    ]
    assert sent_days == days


async def test_restart_does_not_send_twice(world: World, database_url: str) -> None:
    world.add_patient("p1", "Europe/London")
    world.clock.set(utc(2024, 6, 3, 19, 0))  # 20:00 BST
    await world.scheduler().tick()
    assert len(world.delivery.of("p1", "checkin")) == 1

    restarted_db = Database.from_url(database_url)  # a new process, same database
    try:
        restarted = world.scheduler(restarted_db)
        for minutes in (0, 5, 30, 60, 119):
            world.clock.set(utc(2024, 6, 3, 19, 0) + timedelta(minutes=minutes))
            await restarted.tick()
        assert len(world.delivery.of("p1", "checkin")) == 1
        world.clock.set(utc(2024, 6, 4, 19, 0))
        await restarted.tick()
        assert len(world.delivery.of("p1", "checkin")) == 2
    finally:
        restarted_db.dispose()


async def test_a_claim_left_by_a_crashed_instance_is_not_resent(world: World) -> None:
    world.add_patient("p1", "Europe/London")
    due = utc(2024, 6, 3, 19, 0)
    with world.db.sessions.begin() as session:
        assert insert_send(session, "p1", "checkin", date(2024, 6, 3), due, "sending", due)
    world.clock.set(due + timedelta(minutes=1))
    await world.run(until=due + timedelta(hours=3))
    assert world.delivery.calls == []  # at most once: an unknown outcome is not repeated


async def test_paused_and_deleted_patients_get_nothing_until_resumed(world: World) -> None:
    world.add_patient("paused", "Europe/London", paused=True)
    world.add_patient("deleted", "Europe/London")
    world.update_patient("deleted", deleted_at=utc(2024, 6, 1))
    world.clock.set(utc(2024, 6, 3, 18, 0))
    await world.run(until=utc(2024, 6, 3, 20, 0))
    assert world.delivery.calls == []

    world.update_patient("paused", checkins_paused=False)  # resumed at 21:15 BST
    await world.run(until=utc(2024, 6, 3, 20, 30))
    assert [c.at for c in world.delivery.of("paused", "checkin")] == [utc(2024, 6, 3, 20, 15)]
    assert world.delivery.of("deleted") == []


async def test_mid_flare_delays_the_checkin_until_the_flare_is_over(world: World) -> None:
    world.add_patient("p1", "Europe/London")
    due = utc(2024, 6, 3, 19, 0)
    world.add_episode("p1", last_activity_at=due - timedelta(minutes=30))
    world.clock.set(due - timedelta(minutes=15))
    await world.run(until=due + timedelta(hours=1))
    assert world.delivery.calls == []  # still active within the 120-minute idle window

    await world.run(until=due + timedelta(hours=2))
    # Idle for over 120 minutes after 21:30 BST: the flare is over; the first pass after
    # that (21:45) sends the check-in, still within the grace window.
    assert [c.at for c in world.delivery.of("p1", "checkin")] == [due + timedelta(minutes=105)]


async def test_a_flare_that_outlasts_the_evening_means_no_checkin(world: World) -> None:
    world.add_patient("p1", "Europe/London")
    due = utc(2024, 6, 3, 19, 0)
    world.add_episode("p1", last_activity_at=due + timedelta(hours=1))
    world.clock.set(due)
    await world.run(until=due + timedelta(hours=4))
    assert world.delivery.calls == []
    assert [(r.kind, r.status) for r in world.sends("p1")] == [("checkin", "missed")]


async def test_an_ended_episode_does_not_delay(world: World) -> None:
    world.add_patient("p1", "Europe/London")
    due = utc(2024, 6, 3, 19, 0)
    world.add_episode("p1", last_activity_at=due - timedelta(minutes=5), ended=True)
    world.clock.set(due)
    await world.scheduler().tick()
    assert len(world.delivery.of("p1", "checkin")) == 1


async def test_after_downtime_stale_checkins_are_missed_not_burst(world: World) -> None:
    world.add_patient("p1", "Europe/London")
    world.add_patient("p2", "America/New_York")
    world.clock.set(utc(2024, 6, 3, 12, 0))
    await world.scheduler().tick()
    # Down for days; back at 23:30 BST on 5 June (= 18:30 in New York).
    world.clock.set(utc(2024, 6, 5, 22, 30))
    await world.scheduler().tick()
    assert world.delivery.of("p1") == []  # 20:00 BST was 3.5 h ago: past the grace window
    assert [(r.local_date, r.status) for r in world.sends("p1")] == [(date(2024, 6, 5), "missed")]
    # New York's 20:00 is still ahead: it goes out on time, once.
    await world.run(until=utc(2024, 6, 6, 0, 30))
    assert [c.at for c in world.delivery.of("p2", "checkin")] == [utc(2024, 6, 6, 0, 0)]


async def test_back_within_grace_sends_once_late(world: World) -> None:
    world.add_patient("p1", "Europe/London")
    world.clock.set(utc(2024, 6, 3, 20, 40))  # back at 21:40 BST, 100 minutes late
    scheduler = world.scheduler()
    await scheduler.tick()
    await scheduler.tick()
    assert [c.at for c in world.delivery.of("p1", "checkin")] == [utc(2024, 6, 3, 20, 40)]


async def test_one_reminder_only_and_none_once_answered(world: World) -> None:
    world.add_patient("silent", "Europe/London")
    world.add_patient("answers", "Europe/London")
    world.clock.set(utc(2024, 6, 3, 19, 0))
    scheduler = world.scheduler()
    await scheduler.tick()
    world.add_checkin("answers", date(2024, 6, 3))
    await world.run(until=utc(2024, 6, 4, 12, 0), schedulers=[scheduler])
    reminders = world.delivery.of("silent", "text")
    assert [c.at for c in reminders] == [utc(2024, 6, 3, 20, 30)]
    assert world.delivery.of("answers", "text") == []


async def test_already_checked_in_today_gets_no_evening_prompt(world: World) -> None:
    world.add_patient("p1", "Europe/London")
    world.add_checkin("p1", date(2024, 6, 3))  # used /checkin in the afternoon
    world.clock.set(utc(2024, 6, 3, 18, 0))
    await world.run(until=utc(2024, 6, 3, 23, 0))
    assert world.delivery.calls == []
    assert [(r.kind, r.status) for r in world.sends("p1")] == [("checkin", "skipped")]


async def test_failed_delivery_is_retried_and_does_not_stop_others(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    for patient_id in ("broken", "flaky", "fine"):
        world.add_patient(patient_id, "Europe/London")
    world.delivery.failing.add("broken")
    world.delivery.fail_times["flaky"] = 2
    due = utc(2024, 6, 3, 19, 0)
    world.clock.set(due)
    scheduler = world.scheduler()
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        counts = await scheduler.tick()
    assert counts["checkin:sent"] == 1 and counts["checkin:failed"] == 2
    assert len(world.delivery.of("fine", "checkin")) == 1
    failures = [r for r in caplog.records if "not delivered" in r.getMessage()]
    assert {r.exc_info is not None for r in failures} == {True}
    assert len(failures) == 2

    world.clock.advance(timedelta(seconds=30))
    await scheduler.tick()  # flaky fails a second time
    world.clock.advance(timedelta(seconds=30))
    await scheduler.tick()
    assert [c.at for c in world.delivery.of("flaky", "checkin")] == [due + timedelta(minutes=1)]
    flaky = [r for r in world.sends("flaky") if r.kind == "checkin"][0]
    assert (flaky.status, flaky.attempts) == ("sent", 3)

    await world.run(until=due + timedelta(hours=2, minutes=15), schedulers=[scheduler])
    broken = [r for r in world.sends("broken") if r.kind == "checkin"][0]
    assert broken.status == "missed"
    assert "cannot reach broken" in (broken.last_error or "")
    assert world.delivery.of("broken") == []
    assert len(world.delivery.of("fine", "checkin")) == 1
