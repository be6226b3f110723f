"""Aftercare: the next-day check-back (once, in the daytime) and the 48 hours after a crisis."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.content.alerts import get_alert_content
from bot.scheduler.aftercare import Aftercare
from bot.scheduler.service import Scheduler
from bot.store.db import Database
from tests.bot.scheduler.alert_support import add_flag, clear_alert_tables
from tests.bot.scheduler.scheduler_support import Delivered, World, utc
from tests.bot.scheduler.test_scheduler_weekly import weekly_recorder

LONDON = ZoneInfo("Europe/London")
MONDAY = utc(2024, 6, 3, 14, 0)  # 15:00 in London


@pytest.fixture
def care_world(world: World) -> World:
    """The scheduler world with empty alert tables, a London and a Tokyo patient."""
    clear_alert_tables(world.db)
    world.add_patient("london", "Europe/London")
    world.add_patient("tokyo", "Asia/Tokyo")
    world.clock.set(MONDAY)
    return world


def with_aftercare(world: World, database: Database | None = None, **options: object) -> Scheduler:
    """A scheduler whose passes include the check-backs."""
    aftercare = Aftercare(database or world.db, world.clock, world.delivery.send_text)
    return world.scheduler(database, aftercare=aftercare, **options)


def texts(world: World, patient_id: str) -> list[Delivered]:
    return world.delivery.of(patient_id, "text")


async def test_crisis_gets_one_check_back_next_morning_with_sos(care_world: World) -> None:
    world = care_world
    add_flag(world, "london", "crisis", "moderate")
    await world.run(until=MONDAY + timedelta(days=3), step=timedelta(minutes=30),
                    schedulers=[with_aftercare(world)])
    content = get_alert_content()
    backs = [c for c in texts(world, "london") if c.text == content.checkback_text("crisis", "GB")]
    (back,) = backs
    assert back.at.astimezone(LONDON).date() == datetime(2024, 6, 4).date()
    assert 10 <= back.at.astimezone(LONDON).hour < 11
    assert back.text is not None and "/sos" in back.text and "999" in back.text
    sent = [r for r in world.sends("london") if r.kind == "aftercare"]
    assert [(r.status, r.attempts) for r in sent] == [("sent", 1)]


async def test_red_flag_asks_whether_they_got_checked_in_their_morning(
    care_world: World,
) -> None:
    world = care_world
    add_flag(world, "tokyo", "red_flag", "urgent")  # 23:00 in Tokyo
    await world.run(until=MONDAY + timedelta(days=2), step=timedelta(minutes=30),
                    schedulers=[with_aftercare(world)])
    (back,) = [c for c in texts(world, "tokyo") if c.text and "get checked" in c.text]
    local = back.at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (local.day, local.hour) == (4, 10)  # the next local morning, not at 23:30


async def test_failed_check_back_is_retried_then_missed_when_the_window_closes(
    care_world: World,
) -> None:
    world = care_world
    add_flag(world, "london", "crisis", "low")
    add_flag(world, "tokyo", "crisis", "low")
    scheduler = with_aftercare(world)
    await world.run(until=utc(2024, 6, 3, 23, 0), step=timedelta(minutes=30),
                    schedulers=[scheduler])  # past both evenings; no check-back due yet
    world.delivery.fail_times["london"] = 2  # two failures, then it gets through
    world.delivery.failing.add("tokyo")  # never reachable
    await world.run(until=MONDAY + timedelta(days=2), step=timedelta(minutes=30),
                    schedulers=[scheduler])
    london = [r for r in world.sends("london") if r.kind == "aftercare"]
    tokyo = [r for r in world.sends("tokyo") if r.kind == "aftercare"]
    assert [(r.status, r.attempts) for r in london] == [("sent", 3)]
    assert [r.status for r in tokyo] == ["missed"]


async def test_two_instances_and_a_restart_send_it_once(
    care_world: World, database_url: str
) -> None:
    world = care_world
    add_flag(world, "london", "crisis", "moderate")
    add_flag(world, "london", "red_flag", "emergency")
    second = Database.from_url(database_url)
    try:
        until = MONDAY + timedelta(hours=21)  # Tuesday 11:00 in London
        await world.run(until=until, step=timedelta(minutes=10),
                        schedulers=[with_aftercare(world), with_aftercare(world, second)])
        await world.run(until=until + timedelta(days=1), step=timedelta(minutes=10),
                        schedulers=[with_aftercare(world), with_aftercare(world, second)])
    finally:
        second.dispose()
    content = get_alert_content()
    crisis = content.checkback_text("crisis", "GB")
    red = content.checkback_text("red_flag", "GB")
    got = [c.text for c in texts(world, "london")]
    assert got.count(crisis) == 1 and got.count(red) == 1


async def test_after_a_crisis_the_evening_asks_gently_and_the_summary_waits(
    care_world: World,
) -> None:
    world = care_world
    world.clock.set(utc(2024, 6, 8, 9, 0))  # Saturday morning
    add_flag(world, "london", "crisis", "moderate")
    scheduler = with_aftercare(world, send_weekly=weekly_recorder(world))
    await world.run(until=utc(2024, 6, 10, 23, 0), step=timedelta(minutes=30),
                    schedulers=[scheduler])
    gentle = get_alert_content().evening_gentle
    calls = world.delivery.of("london")
    saturday_sunday = [c for c in calls if c.at < utc(2024, 6, 10, 9, 0)]
    # Saturday and Sunday evening (within 48 hours): the gentle message, no pain scores,
    # no reminder, no Sunday summary.
    assert [c.text for c in saturday_sunday if c.kind == "text" and c.text == gentle] == [
        gentle, gentle]
    assert not [c for c in saturday_sunday if c.kind in ("checkin", "weekly")]
    assert not [c for c in saturday_sunday if c.text and "nudge" in c.text]
    # Monday evening (past 48 hours): the usual check-in again.
    monday = [c for c in calls if c.at >= utc(2024, 6, 10, 9, 0)]
    assert [c.kind for c in monday if c.kind == "checkin"] == ["checkin"]
    # The other patient had the usual Sunday.
    assert [c.kind for c in world.delivery.of("tokyo") if c.kind == "weekly"] == ["weekly"]
