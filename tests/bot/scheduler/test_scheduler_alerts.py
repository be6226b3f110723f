"""Coach alerts: who is told, when, and exactly once (fake clock, both databases)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.store.alerts import CoachAlert
from bot.store.db import Database
from tests.bot.scheduler.alert_support import (
    PATIENT_WORDS,
    FakeAlertChannels,
    add_coach,
    add_flag,
    alert_rows,
    clear_alert_tables,
    dispatcher,
    update_flag,
)
from tests.bot.scheduler.scheduler_support import World

COACH_CHAT = 9001
ONCALL_CHAT = 9100


@pytest.fixture
def alerts_world(world: World) -> World:
    """The scheduler world with empty coach tables and one patient, "p1"."""
    clear_alert_tables(world.db)
    world.add_patient("p1")
    return world


async def test_crisis_flag_alerts_the_coach_at_once_with_level_and_link_only(
    alerts_world: World,
) -> None:
    world, channels = alerts_world, FakeAlertChannels()
    add_coach(world, "ann", chat_id=COACH_CHAT, email="ann@example.org", patients=("p1",))
    flag_id = add_flag(world, "p1", "crisis", "pending")
    counts = await dispatcher(world, channels).tick()
    assert counts["telegram:sent"] == 1 and counts["email:sent"] == 1
    (telegram,) = channels.to(str(COACH_CHAT))
    assert f"https://coach.example.org/safety#flag-{flag_id}" in telegram.text
    assert "not triaged yet" in telegram.text  # the level
    (mail,) = channels.to("ann@example.org")
    assert mail.subject is not None and "level" in mail.subject
    for sent in channels.sent:  # never the patient's words, nor the pseudonym
        assert PATIENT_WORDS not in sent.text and "p1" not in sent.text
    assert await dispatcher(world, channels).tick() == Counter()  # nothing more to send
    assert len(channels.sent) == 2


@pytest.mark.parametrize(
    ("kind", "level", "alerted"),
    [
        ("red_flag", "emergency", True),
        ("red_flag", None, True),  # unknown tier counts as emergency
        ("red_flag", "urgent", False),
        ("despair_check", "pending", False),  # only a "yes" (its crisis flag) alerts
        ("third_party", "third_party", False),
        ("crisis", "low", True),
    ],
)
async def test_which_flags_alert(
    alerts_world: World, kind: str, level: str | None, alerted: bool
) -> None:
    world, channels = alerts_world, FakeAlertChannels()
    add_coach(world, "ann", chat_id=COACH_CHAT, patients=("p1",))
    add_flag(world, "p1", kind, level)
    await dispatcher(world, channels, email=False).tick()
    assert len(channels.sent) == (1 if alerted else 0)


async def test_level_rising_to_high_alerts_again_once(alerts_world: World) -> None:
    world, channels = alerts_world, FakeAlertChannels()
    add_coach(world, "ann", chat_id=COACH_CHAT, patients=("p1",))
    flag_id = add_flag(world, "p1", "crisis", "pending")
    first = dispatcher(world, channels, email=False)
    await first.tick()
    update_flag(world, flag_id, level="moderate")
    world.clock.advance(timedelta(seconds=30))
    await first.tick()
    assert len(channels.sent) == 1  # moderate is not a new alert
    update_flag(world, flag_id, level="high")
    world.clock.advance(timedelta(seconds=30))
    await first.tick()
    await first.tick()
    texts = [s.text for s in channels.to(str(COACH_CHAT))]
    assert len(texts) == 2 and "HIGH" in texts[1]


async def test_flag_created_high_alerts_once(alerts_world: World) -> None:
    world, channels = alerts_world, FakeAlertChannels()
    add_coach(world, "ann", chat_id=COACH_CHAT, patients=("p1",))
    add_flag(world, "p1", "crisis", "high")
    for _ in range(3):
        await dispatcher(world, channels, email=False).tick()
        world.clock.advance(timedelta(seconds=10))
    assert len(channels.sent) == 1 and "HIGH" in channels.sent[0].text


async def test_unacknowledged_flag_escalates_to_on_call_after_the_delay(
    alerts_world: World,
) -> None:
    world, channels = alerts_world, FakeAlertChannels()
    add_coach(world, "ann", chat_id=COACH_CHAT, patients=("p1",))
    add_coach(world, "olu", chat_id=ONCALL_CHAT, on_call=True)
    add_flag(world, "p1", "crisis", "moderate")
    alerts = dispatcher(world, channels, escalate_after=timedelta(minutes=10))
    for _ in range(10):  # minutes 0-9: only the coach has been told
        await alerts.tick()
        world.clock.advance(timedelta(minutes=1))
    assert [s.address for s in channels.sent] == [str(COACH_CHAT)]
    await alerts.tick()  # 10 minutes
    await alerts.tick()
    escalated = channels.to(str(ONCALL_CHAT))
    assert len(escalated) == 1 and "10 minutes" in escalated[0].text
    (mail,) = channels.to("oncall@example.org")
    assert mail.subject is not None and "Escalated" in mail.subject
    assert len(channels.sent) == 3


async def test_acknowledged_flag_does_not_escalate(alerts_world: World) -> None:
    world, channels = alerts_world, FakeAlertChannels()
    add_coach(world, "ann", chat_id=COACH_CHAT, patients=("p1",))
    add_coach(world, "olu", chat_id=ONCALL_CHAT, on_call=True)
    flag_id = add_flag(world, "p1", "crisis", "moderate")
    alerts = dispatcher(world, channels)
    await alerts.tick()
    world.clock.advance(timedelta(minutes=5))
    update_flag(world, flag_id, acknowledged_at=world.clock.now(), acknowledged_by="ann")
    world.clock.advance(timedelta(minutes=30))
    await alerts.tick()
    assert [s.address for s in channels.sent] == [str(COACH_CHAT)]


async def test_patient_without_a_reachable_coach_goes_to_on_call_at_once(
    alerts_world: World,
) -> None:
    world, channels = alerts_world, FakeAlertChannels()
    add_coach(world, "olu", chat_id=ONCALL_CHAT, on_call=True)
    add_flag(world, "p1", "red_flag", "emergency")
    await dispatcher(world, channels).tick()
    assert {s.address for s in channels.sent} == {str(ONCALL_CHAT), "oncall@example.org"}


async def test_failed_send_is_retried_until_sent_once(alerts_world: World) -> None:
    world, channels = alerts_world, FakeAlertChannels(failing={str(COACH_CHAT)})
    add_coach(world, "ann", chat_id=COACH_CHAT, patients=("p1",))
    add_flag(world, "p1", "crisis", "pending")
    alerts = dispatcher(world, channels, email=False, retry_after=timedelta(seconds=20))
    assert (await alerts.tick())["telegram:failed"] == 1
    world.clock.advance(timedelta(seconds=5))
    assert await alerts.tick() == Counter()  # waits before retrying
    channels.failing.clear()
    world.clock.advance(timedelta(seconds=20))
    assert (await alerts.tick())["telegram:sent"] == 1
    world.clock.advance(timedelta(minutes=5))
    await alerts.tick()
    assert len(channels.sent) == 1
    (row,) = alert_rows(world)
    assert row.status == "sent" and row.attempts == 2


async def test_alert_acknowledged_before_sending_is_cancelled(alerts_world: World) -> None:
    world, channels = alerts_world, FakeAlertChannels(failing={str(COACH_CHAT)})
    add_coach(world, "ann", chat_id=COACH_CHAT, patients=("p1",))
    flag_id = add_flag(world, "p1", "crisis", "pending")
    alerts = dispatcher(world, channels, email=False)
    await alerts.tick()  # fails
    update_flag(world, flag_id, acknowledged_at=world.clock.now(), acknowledged_by="ann")
    channels.failing.clear()
    world.clock.advance(timedelta(minutes=1))
    assert (await alerts.tick())["telegram:cancelled"] == 1
    assert channels.sent == []


async def test_restart_loses_nothing_pending_or_stuck_and_repeats_nothing_sent(
    alerts_world: World,
) -> None:
    world, channels = alerts_world, FakeAlertChannels()
    add_coach(world, "ann", chat_id=COACH_CHAT, patients=("p1",))
    add_coach(world, "bob", chat_id=COACH_CHAT + 1, patients=("p1",))
    add_flag(world, "p1", "crisis", "pending")
    first = dispatcher(world, channels, email=False, lease=timedelta(minutes=2))
    with world.db.sessions.begin() as session:  # plan only, then "crash" mid-send
        from bot.scheduler.alert_plan import plan_alerts
        plan_alerts(session, world.clock.now(), first.policy)
    rows = alert_rows(world)
    assert len(rows) == 2
    with world.db.sessions.begin() as session:  # ann's row was claimed when the process died
        session.execute(update(CoachAlert).where(CoachAlert.id == rows[0].id)
                        .values(status="sending", claimed_at=world.clock.now(), attempts=1))
    restarted = dispatcher(world, channels, email=False, lease=timedelta(minutes=2))
    await restarted.tick()
    assert [s.address for s in channels.sent] == [str(COACH_CHAT + 1)]  # bob's pending one
    world.clock.advance(timedelta(minutes=3))  # past the lease: ann's is taken again
    await restarted.tick()
    again = dispatcher(world, channels, email=False)
    world.clock.advance(timedelta(minutes=3))
    await again.tick()
    assert Counter(s.address for s in channels.sent) == {
        str(COACH_CHAT): 1, str(COACH_CHAT + 1): 1,
    }


async def test_two_instances_send_each_alert_once(alerts_world: World, database_url: str) -> None:
    world, channels = alerts_world, FakeAlertChannels()
    patients = [f"q{n}" for n in range(8)]
    for patient_id in patients:
        world.add_patient(patient_id)
    add_coach(world, "ann", chat_id=COACH_CHAT, email="ann@example.org", patients=tuple(patients))
    add_coach(world, "olu", chat_id=ONCALL_CHAT, on_call=True)
    second_db = Database.from_url(database_url)
    try:
        one = dispatcher(world, channels, escalate_after=timedelta(minutes=3))
        two = dispatcher(world, channels, second_db, escalate_after=timedelta(minutes=3))
        for minute in range(8):
            if minute < len(patients):
                add_flag(world, patients[minute], "crisis", "pending")
            await asyncio.gather(one.tick(), two.tick(), one.tick(), two.tick())
            world.clock.advance(timedelta(minutes=1))
        for _ in range(4):
            await asyncio.gather(one.tick(), two.tick())
            world.clock.advance(timedelta(minutes=1))
    finally:
        second_db.dispose()
    sent = Counter((s.channel, s.address) for s in channels.sent)
    # Each of 8 flags: coach by Telegram and e-mail, then escalation to on call (both ways).
    assert sent == {
        ("telegram", str(COACH_CHAT)): 8, ("email", "ann@example.org"): 8,
        ("telegram", str(ONCALL_CHAT)): 8, ("email", "oncall@example.org"): 8,
    }
    assert all(row.status == "sent" and row.attempts == 1 for row in alert_rows(world))


def test_two_instances_in_two_threads_send_each_alert_once(
    alerts_world: World, database_url: str
) -> None:
    """Two dispatchers, each with its own engine, event loop and thread, race on every flag."""
    import threading

    world, channels = alerts_world, FakeAlertChannels()
    patients = [f"t{n}" for n in range(12)]
    for patient_id in patients:
        world.add_patient(patient_id)
        add_flag(world, patient_id, "crisis", "pending")
    add_coach(world, "ann", chat_id=COACH_CHAT, email="ann@example.org", patients=tuple(patients))
    start = threading.Barrier(2)

    def instance() -> None:
        database = Database.from_url(database_url)
        try:
            alerts = dispatcher(world, channels, database)
            start.wait()
            for _ in range(5):
                asyncio.run(alerts.tick())
        finally:
            database.dispose()

    threads = [threading.Thread(target=instance) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    sent = Counter((s.channel, s.address) for s in channels.sent)
    assert sent == {("telegram", str(COACH_CHAT)): 12, ("email", "ann@example.org"): 12}
    assert len(alert_rows(world)) == 24


async def test_with_nobody_on_call_the_admins_get_the_escalation(alerts_world: World) -> None:
    world, channels = alerts_world, FakeAlertChannels()
    add_coach(world, "ann", chat_id=COACH_CHAT, patients=("p1",))
    admin = add_coach(world, "root", chat_id=ONCALL_CHAT)
    with world.db.sessions.begin() as session:
        from bot.store.coaches import Coach

        coach = session.get(Coach, admin)
        assert coach is not None
        coach.is_admin = True
    add_flag(world, "p1", "crisis", "moderate")
    alerts = dispatcher(world, channels, email=False, oncall_email=None)
    await alerts.tick()
    world.clock.advance(timedelta(minutes=15))
    await alerts.tick()
    assert [s.address for s in channels.sent] == [str(COACH_CHAT), str(ONCALL_CHAT)]


async def test_run_forever_survives_a_failing_alert_pass(
    alerts_world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    alerts = dispatcher(alerts_world, FakeAlertChannels())
    alerts.tick_seconds = 0.01
    stop = asyncio.Event()
    passes = 0

    async def flaky_tick() -> Counter[str]:
        nonlocal passes
        passes += 1
        if passes == 1:
            raise ConnectionError("database went away")
        stop.set()
        return Counter()

    monkeypatch.setattr(alerts, "tick", flaky_tick)
    with caplog.at_level("ERROR", logger="bot.scheduler"):
        await asyncio.wait_for(alerts.run_forever(stop), timeout=30)
    assert passes == 2
    failed = [r for r in caplog.records if "alert pass failed" in r.getMessage()]
    assert len(failed) == 1 and failed[0].exc_info is not None
