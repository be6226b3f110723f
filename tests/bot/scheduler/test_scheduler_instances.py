"""Two scheduler instances on one database never send the same thing twice."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from bot.store.db import Database
from bot.store.schedule import schedule_reminder
from tests.bot.scheduler.scheduler_support import World, utc

ZONES = ["Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]
PATIENTS = [f"p{n:02d}" for n in range(24)]


def populate(world: World) -> None:
    """24 patients over four zones, each with two pacing reminders."""
    for n, patient_id in enumerate(PATIENTS):
        world.add_patient(patient_id, ZONES[n % len(ZONES)])
    start = world.clock.now()
    with world.db.sessions.begin() as session:
        for patient_id in PATIENTS:
            for minutes in (25, 50):
                schedule_reminder(session, patient_id, start + timedelta(minutes=minutes), "rest")


def assert_each_sent_once(world: World) -> None:
    """Every check-in, check-in reminder and pacing reminder went out exactly once."""
    calls = world.delivery.calls
    checkins = Counter(c.patient_id for c in calls if c.kind == "checkin")
    nudges = Counter(c.patient_id for c in calls if c.kind == "text" and c.text != "rest")
    rests = Counter(c.patient_id for c in calls if c.text == "rest")
    for patient_id in PATIENTS:
        sent = Counter(r.kind for r in world.sends(patient_id) if r.status == "sent")
        # Two evenings in the 48 hours; one delivery per claimed row, one row per day.
        assert checkins[patient_id] == sent["checkin"] == 2, patient_id
        assert nudges[patient_id] == sent["checkin_reminder"] == 2, patient_id
        assert rests[patient_id] == 2, patient_id


async def test_two_instances_in_one_loop(world: World, database_url: str) -> None:
    world.clock.set(utc(2024, 6, 3, 0, 0))
    populate(world)
    second_db = Database.from_url(database_url)
    try:
        first, second = world.scheduler(), world.scheduler(second_db)
        end = world.clock.now() + timedelta(hours=48)
        while world.clock.now() < end:
            await asyncio.gather(first.tick(), second.tick())
            world.clock.advance(timedelta(minutes=30))
    finally:
        second_db.dispose()
    assert_each_sent_once(world)


async def test_two_instances_in_two_threads(world: World, database_url: str) -> None:
    """Each instance has its own engine and event loop, like two processes."""
    world.clock.set(utc(2024, 6, 3, 0, 0))
    populate(world)
    databases = [Database.from_url(database_url) for _ in range(2)]
    schedulers = [world.scheduler(database) for database in databases]
    barrier = threading.Barrier(2)

    def one_pass(index: int) -> Counter[str]:
        barrier.wait()
        return asyncio.run(schedulers[index].tick())

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            end = world.clock.now() + timedelta(hours=48)
            while world.clock.now() < end:
                list(pool.map(one_pass, range(2)))
                world.clock.advance(timedelta(minutes=30))
    finally:
        for database in databases:
            database.dispose()
    assert_each_sent_once(world)
    assert {r.status for p in PATIENTS for r in world.sends(p)} <= {"sent", "missed"}
    assert date(2024, 6, 3) in {r.local_date for r in world.sends("p00")}
