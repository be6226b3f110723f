"""The Sunday summary: once per local Sunday at the check-in time, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.progress import WeeklySummaries, wording
from bot.scheduler import SendWeekly
from bot.scheduler.clock import ShiftedClock
from bot.scheduler.planning import WEEKLY, PatientView, Policy, Step, plan_patient
from bot.scheduler.service import Scheduler
from tests.bot.progress.progress_support import EXPECTED_LINES, seed_fortnight
from tests.bot.scheduler.scheduler_support import Delivered, World, utc

SATURDAY = utc(2024, 6, 8, 0, 0)
MONDAY_NOON = utc(2024, 6, 10, 12, 0)
ZONES = {"london": "Europe/London", "sydney": "Australia/Sydney"}


def weekly_recorder(world: World) -> SendWeekly:
    """A ``send_weekly`` that records into the world's delivery log as kind "weekly"."""

    async def send_weekly(patient_id: str, now: datetime) -> None:
        world.delivery._maybe_fail(patient_id)
        world.delivery.calls.append(Delivered(patient_id, now, "weekly"))

    return send_weekly


def local(call: Delivered, zone: str) -> datetime:
    return call.at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


async def test_once_on_sunday_evening_in_each_zone_across_a_restart(world: World) -> None:
    world.clock.set(SATURDAY)
    for patient, zone in ZONES.items():
        world.add_patient(patient, zone)
    send = weekly_recorder(world)
    # Two instances share the database, then both "restart" as fresh ones after London's send.
    first = [world.scheduler(send_weekly=send), world.scheduler(send_weekly=send)]
    await world.run(until=utc(2024, 6, 9, 19, 30), schedulers=first)
    second = [world.scheduler(send_weekly=send), world.scheduler(send_weekly=send)]
    await world.run(until=MONDAY_NOON, schedulers=second)

    for patient, zone in ZONES.items():
        (weekly,) = world.delivery.of(patient, "weekly")
        assert local(weekly, zone) == datetime(2024, 6, 9, 20, 0), patient
        calls = world.delivery.of(patient)
        sunday_checkin = next(
            c for c in calls if c.kind == "checkin" and local(c, zone).date() == date(2024, 6, 9)
        )
        assert calls.index(weekly) < calls.index(sunday_checkin)  # the question comes last
        rows = [r for r in world.sends(patient) if r.kind == WEEKLY]
        assert [(r.local_date, r.status, r.attempts) for r in rows] == [
            (date(2024, 6, 9), "sent", 1)
        ]


async def test_opted_out_paused_and_deleted_patients_get_none(world: World) -> None:
    world.clock.set(SATURDAY)
    for patient in ("wants", "opted_out", "paused", "deleted"):
        world.add_patient(patient)
    world.update_patient("opted_out", weekly_summary=False)
    world.update_patient("paused", checkins_paused=True)
    world.update_patient("deleted", deleted_at=SATURDAY)
    scheduler = world.scheduler(send_weekly=weekly_recorder(world))
    await world.run(until=MONDAY_NOON, schedulers=[scheduler])

    assert [c.patient_id for c in world.delivery.calls if c.kind == "weekly"] == ["wants"]
    assert len(world.delivery.of("opted_out", "checkin")) == 2  # check-ins carry on
    assert not world.delivery.of("paused") and not world.delivery.of("deleted")


async def test_after_downtime_past_the_grace_window_it_is_recorded_missed(world: World) -> None:
    world.clock.set(SATURDAY)
    world.add_patient("late")
    send = weekly_recorder(world)
    await world.run(until=utc(2024, 6, 9, 17, 0), schedulers=[world.scheduler(send_weekly=send)])
    world.clock.set(utc(2024, 6, 9, 21, 30))  # down over 20:00 London time, back 2.5 h later
    await world.run(until=MONDAY_NOON, schedulers=[world.scheduler(send_weekly=send)])

    assert not world.delivery.of("late", "weekly")
    assert [r.status for r in world.sends("late") if r.kind == WEEKLY] == ["missed"]


async def test_a_failed_summary_is_retried_once_within_the_window(world: World) -> None:
    world.clock.set(SATURDAY)
    world.add_patient("flaky")
    send = weekly_recorder(world)
    scheduler = world.scheduler(send_weekly=send)
    await world.run(until=utc(2024, 6, 9, 18, 55), schedulers=[scheduler])
    world.delivery.fail_times["flaky"] = 1  # the Sunday summary goes first and fails once
    await world.run(until=MONDAY_NOON, schedulers=[scheduler])

    (weekly,) = world.delivery.of("flaky", "weekly")
    assert weekly.at == utc(2024, 6, 9, 19, 15)  # the next pass
    assert [(r.status, r.attempts) for r in world.sends("flaky") if r.kind == WEEKLY] == [
        ("sent", 2)
    ]


async def test_no_sender_no_sunday_summaries(world: World) -> None:
    world.clock.set(SATURDAY)
    world.add_patient("p")
    await world.run(until=MONDAY_NOON)
    assert all(r.kind != WEEKLY for r in world.sends("p"))


async def test_summary_text_is_computed_from_the_seeded_log(world: World) -> None:
    sunday_evening = utc(2024, 6, 9, 19, 0)  # 20:00 in London
    world.clock.set(sunday_evening - timedelta(hours=1))
    world.add_patient("seeded")
    with world.db.sessions.begin() as session:
        seed_fortnight(session, "seeded", sunday_evening)
    sender = WeeklySummaries(world.db, world.delivery.send_text)
    await world.run(
        until=sunday_evening + timedelta(minutes=30),
        step=timedelta(minutes=5),
        schedulers=[world.scheduler(send_weekly=sender)],
    )
    (summary,) = world.delivery.of("seeded", "text")
    assert summary.text is not None
    lines = summary.text.splitlines()
    assert lines[0] == wording.WEEKLY_HEADER and lines[1:5] == EXPECTED_LINES


def test_plan_holds_the_summary_during_a_flare_and_for_opted_out_patients() -> None:
    zone = ZoneInfo("America/New_York")
    now = datetime(2024, 6, 9, 20, 30, tzinfo=zone).astimezone(timezone.utc)

    def view(**kw: object) -> PatientView:
        base: dict = dict(patient_id="p", zone=zone, checkin_time=time(20, 0), sends={},
                          answered=set(), in_flare=False, weekly_summary=True)
        return PatientView(**{**base, **kw})

    weekly = [a for a in plan_patient(view(), now, Policy()) if a.kind == WEEKLY]
    assert [(a.local_date, a.step) for a in weekly] == [(date(2024, 6, 9), Step.SEND)]
    assert weekly[0].due_at == datetime(2024, 6, 10, 0, 0, tzinfo=timezone.utc)
    for held in (view(in_flare=True), view(weekly_summary=False)):
        assert all(a.kind != WEEKLY for a in plan_patient(held, now, Policy()))
    monday = now + timedelta(days=1)
    assert all(a.kind != WEEKLY for a in plan_patient(view(), monday, Policy()))


async def test_a_shifted_clock_plans_a_tuesday_as_sunday_once_across_two_instances(
    world: World,
) -> None:
    # SCHEDULER_SHIFT_DAYS (benchmarks): the summary falls due on a weekday, once.
    world.clock.set(utc(2024, 6, 4, 12, 0))  # a Tuesday
    world.add_patient("ann", "Europe/London")
    send = weekly_recorder(world)
    shifted = ShiftedClock(world.clock, timedelta(days=5))
    schedulers = [Scheduler(world.db, shifted, world.delivery.trigger_checkin,
                            world.delivery.send_text, send_weekly=send) for _ in range(2)]
    await world.run(until=utc(2024, 6, 4, 21, 0), schedulers=schedulers)
    (weekly,) = world.delivery.of("ann", "weekly")
    assert weekly.at == utc(2024, 6, 9, 19, 0)  # the shifted Sunday, 20:00 in London
    (checkin,) = world.delivery.of("ann", "checkin")
    assert checkin.at == utc(2024, 6, 4, 19, 0)  # delivered on the real Tuesday evening
