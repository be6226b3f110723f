"""Pure check-in rules: when to send, wait, skip, retry, record as missed, and remind."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.scheduler.planning import (
    CHECKIN,
    CHECKIN_REMINDER,
    Action,
    PatientView,
    Policy,
    SendRecord,
    SendStatus,
    Step,
    plan_patient,
)

LONDON = ZoneInfo("Europe/London")
DAY = date(2024, 6, 3)
DUE = datetime(2024, 6, 3, 19, 0, tzinfo=timezone.utc)  # 20:00 BST
POLICY = Policy()


def view(**changes: object) -> PatientView:
    """A London patient with a 20:00 check-in, changed by ``changes``."""
    values: dict[str, object] = {
        "patient_id": "p1",
        "zone": LONDON,
        "checkin_time": time(20, 0),
        "sends": {},
        "answered": set(),
        "in_flare": False,
        "not_before": None,
    }
    values.update(changes)
    return PatientView(**values)  # type: ignore[arg-type]


def steps(patient: PatientView, now: datetime) -> list[tuple[str, date, Step]]:
    """The plan, reduced to (kind, date, step)."""
    return [(a.kind, a.local_date, a.step) for a in plan_patient(patient, now, POLICY)]


def sent(at: datetime = DUE) -> dict[tuple[str, date], SendRecord]:
    """Sends where today's check-in went out at ``at``."""
    return {(CHECKIN, DAY): SendRecord(SendStatus.SENT, DUE, at)}


def test_nothing_before_the_due_time() -> None:
    assert steps(view(), DUE - timedelta(seconds=1)) == []


def test_send_at_and_within_the_grace_window() -> None:
    assert steps(view(), DUE) == [(CHECKIN, DAY, Step.SEND)]
    assert steps(view(), DUE + timedelta(hours=2)) == [(CHECKIN, DAY, Step.SEND)]


def test_after_the_grace_window_the_day_is_recorded_missed() -> None:
    assert steps(view(), DUE + timedelta(hours=2, seconds=1)) == [(CHECKIN, DAY, Step.MISS)]


def test_claimed_or_finished_sends_are_left_alone() -> None:
    for status in (SendStatus.SENDING, SendStatus.MISSED, SendStatus.SKIPPED):
        sends = {(CHECKIN, DAY): SendRecord(status, DUE)}
        assert steps(view(sends=sends), DUE + timedelta(minutes=5)) == []


def test_mid_flare_waits_then_sends_within_the_window_else_missed() -> None:
    assert steps(view(in_flare=True), DUE + timedelta(minutes=30)) == []
    assert steps(view(in_flare=False), DUE + timedelta(minutes=30)) == [(CHECKIN, DAY, Step.SEND)]
    late = DUE + timedelta(hours=3)
    assert steps(view(in_flare=True), late) == [(CHECKIN, DAY, Step.MISS)]


def test_already_answered_today_is_skipped() -> None:
    assert steps(view(answered={DAY}), DUE) == [(CHECKIN, DAY, Step.SKIP)]


def test_failed_send_is_retried_within_the_window_then_missed() -> None:
    sends = {(CHECKIN, DAY): SendRecord(SendStatus.FAILED, DUE)}
    assert steps(view(sends=sends), DUE + timedelta(minutes=1)) == [(CHECKIN, DAY, Step.RETRY)]
    assert steps(view(sends=sends, in_flare=True), DUE + timedelta(minutes=1)) == []
    assert steps(view(sends=sends), DUE + timedelta(hours=2, minutes=1)) == [
        (CHECKIN, DAY, Step.MISS)
    ]


def test_due_before_the_patient_joined_is_ignored() -> None:
    joined = DUE + timedelta(minutes=10)
    assert steps(view(not_before=joined), DUE + timedelta(minutes=20)) == []
    tomorrow = DUE + timedelta(days=1)
    assert steps(view(not_before=joined), tomorrow) == [
        (CHECKIN, DAY + timedelta(days=1), Step.SEND)
    ]


def test_one_reminder_90_minutes_after_an_unanswered_checkin() -> None:
    assert steps(view(sends=sent()), DUE + timedelta(minutes=89)) == []
    actions = plan_patient(view(sends=sent()), DUE + timedelta(minutes=90), POLICY)
    assert actions == [Action("p1", CHECKIN_REMINDER, DAY, DUE + timedelta(minutes=90), Step.SEND)]


def test_no_reminder_once_answered_or_already_reminded() -> None:
    later = DUE + timedelta(minutes=100)
    assert steps(view(sends=sent(), answered={DAY}), later) == []
    for status in SendStatus:
        if status is SendStatus.FAILED:
            continue
        sends = dict(sent())
        sends[(CHECKIN_REMINDER, DAY)] = SendRecord(status, DUE + timedelta(minutes=90))
        assert steps(view(sends=sends), later) == []


def test_no_reminder_mid_flare_or_after_the_evening_cutoff() -> None:
    assert steps(view(sends=sent(), in_flare=True), DUE + timedelta(minutes=95)) == []
    # Check-in at 22:00 local: the reminder would fall at 23:30, after the 23:00 cutoff.
    late_due = DUE + timedelta(hours=2)
    late = view(checkin_time=time(22, 0), sends=sent(late_due))
    assert steps(late, late_due + timedelta(minutes=90)) == []


def test_reminder_window_closes_after_grace() -> None:
    assert (
        steps(view(sends=sent()), DUE + timedelta(minutes=90) + timedelta(hours=2, seconds=1)) == []
    )
    failed = dict(sent())
    failed[(CHECKIN_REMINDER, DAY)] = SendRecord(SendStatus.FAILED, DUE + timedelta(minutes=90))
    assert steps(view(sends=failed), DUE + timedelta(minutes=100)) == [
        (CHECKIN_REMINDER, DAY, Step.RETRY)
    ]
    # The 23:00 local cutoff (22:00 UTC) closes a failed reminder's window.
    assert steps(view(sends=failed), datetime(2024, 6, 3, 22, 1, tzinfo=timezone.utc)) == [
        (CHECKIN_REMINDER, DAY, Step.MISS)
    ]


def test_a_late_evening_checkin_is_still_found_after_midnight() -> None:
    # 23:30 local check-in; at 00:30 local next day it is still in its window.
    patient = view(checkin_time=time(23, 30))
    now = datetime(2024, 6, 3, 23, 30, tzinfo=timezone.utc)  # 00:30 BST on 4 June
    assert steps(patient, now) == [(CHECKIN, DAY, Step.SEND)]
