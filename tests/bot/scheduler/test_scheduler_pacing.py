"""Pacing reminders: store API, sending on time, cancelling, missing, retrying."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.store.schedule import (
    PacingReminder,
    cancel_reminder,
    cancel_reminders,
    schedule_reminder,
)
from tests.bot.scheduler.scheduler_support import World, utc

NOW = utc(2024, 6, 3, 14, 0)
REST = "Time for the rest you planned. Even a few minutes counts."


def add(world: World, patient_id: str, due_at: datetime, text: str = REST) -> int:
    """Schedule a reminder in its own transaction."""
    with world.db.sessions.begin() as session:
        return schedule_reminder(session, patient_id, due_at, text, now=world.clock.now())


def status_of(world: World, reminder_id: int) -> PacingReminder:
    """The stored reminder."""
    with world.db.sessions() as session:
        reminder = session.get(PacingReminder, reminder_id)
        assert reminder is not None
        return reminder


async def test_reminder_is_sent_once_when_due(world: World) -> None:
    world.add_patient("p1")
    world.clock.set(NOW)
    reminder_id = add(world, "p1", NOW + timedelta(minutes=25))
    await world.run(until=NOW + timedelta(minutes=20), step=timedelta(minutes=5))
    assert world.delivery.calls == []
    await world.run(until=NOW + timedelta(hours=3), step=timedelta(minutes=5))
    calls = world.delivery.of("p1", "text")
    assert [(c.at, c.text) for c in calls] == [(NOW + timedelta(minutes=25), REST)]
    stored = status_of(world, reminder_id)
    assert (stored.status, stored.sent_at) == ("sent", NOW + timedelta(minutes=25))


async def test_cancelled_reminders_are_not_sent(world: World) -> None:
    world.add_patient("p1")
    world.add_patient("p2")
    world.clock.set(NOW)
    first = add(world, "p1", NOW + timedelta(minutes=10))
    add(world, "p1", NOW + timedelta(minutes=20))
    add(world, "p1", NOW + timedelta(minutes=30))
    other = add(world, "p2", NOW + timedelta(minutes=10))
    with world.db.sessions.begin() as session:
        assert cancel_reminder(session, first) is True
        assert cancel_reminder(session, first) is False  # already cancelled
        assert cancel_reminders(session, "p1") == 2
        assert cancel_reminders(session, "p1") == 0
    await world.run(until=NOW + timedelta(hours=1), step=timedelta(minutes=5))
    assert world.delivery.of("p1") == []
    assert len(world.delivery.of("p2")) == 1
    with world.db.sessions.begin() as session:
        assert cancel_reminder(session, other) is False  # already sent
    assert status_of(world, other).status == "sent"
    assert status_of(world, first).status == "cancelled"


async def test_reminder_too_late_after_downtime_is_missed(world: World) -> None:
    world.add_patient("p1")
    world.clock.set(NOW)
    stale = add(world, "p1", NOW + timedelta(minutes=25))
    late_ok = add(world, "p1", NOW + timedelta(hours=1))
    world.clock.set(NOW + timedelta(hours=2, minutes=30))  # back after downtime
    counts = await world.scheduler().tick()
    assert counts["pacing:missed"] == 1 and counts["pacing:sent"] == 1
    assert status_of(world, stale).status == "missed"
    assert status_of(world, late_ok).status == "sent"
    assert [c.text for c in world.delivery.of("p1")] == [REST]


async def test_failed_reminder_is_retried_then_missed(world: World) -> None:
    world.add_patient("flaky")
    world.add_patient("broken")
    world.clock.set(NOW)
    flaky = add(world, "flaky", NOW)
    broken = add(world, "broken", NOW)
    world.delivery.fail_times["flaky"] = 1
    world.delivery.failing.add("broken")
    scheduler = world.scheduler()
    await scheduler.tick()
    assert status_of(world, flaky).status == "pending"
    world.clock.advance(timedelta(seconds=30))
    await scheduler.tick()
    assert status_of(world, flaky).status == "sent"
    assert status_of(world, flaky).attempts == 2
    await world.run(until=NOW + timedelta(hours=2, minutes=10), schedulers=[scheduler])
    stored = status_of(world, broken)
    assert stored.status == "missed"
    assert "cannot reach broken" in (stored.last_error or "")


async def test_paused_checkins_do_not_stop_pacing_but_deletion_does(world: World) -> None:
    world.add_patient("paused", paused=True)
    world.add_patient("gone")
    world.update_patient("gone", deleted_at=NOW)
    world.clock.set(NOW)
    add(world, "paused", NOW)
    add(world, "gone", NOW)
    await world.scheduler().tick()
    assert [c.patient_id for c in world.delivery.calls] == ["paused"]


async def test_schedule_reminder_validates_its_input(world: World) -> None:
    world.add_patient("p1")
    with world.db.sessions.begin() as session:
        with pytest.raises(ValueError, match="timezone-aware"):
            schedule_reminder(session, "p1", datetime(2024, 6, 3, 14, 25), REST)
        with pytest.raises(ValueError, match="empty"):
            schedule_reminder(session, "p1", NOW, "   ")
        with pytest.raises(ValueError, match="longer"):
            schedule_reminder(session, "p1", NOW, "x" * 1001)
        reminder_id = schedule_reminder(session, "p1", NOW, REST)
    assert status_of(world, reminder_id).status == "pending"
