"""Pure decisions of the evening check-in schedule for one patient at one instant.

The scheduler loads what the database knows about a patient, asks :func:`plan_patient` what
to do now, and then carries the steps out with atomic claims. Nothing here touches the
database or the network, so every rule can be tested on its own.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.scheduler.timing import local_dates, local_due_at
from bot.store.schedule import SendStatus

CHECKIN = "checkin"
CHECKIN_REMINDER = "checkin_reminder"
PACING = "pacing"
WEEKLY = "weekly_summary"
SUNDAY = 6  # date.weekday()


class Step(str, enum.Enum):
    """What to do about one (kind, local date) now."""

    SEND = "send"  # claim by INSERT, then deliver
    RETRY = "retry"  # claim a failed row by UPDATE, then deliver
    MISS = "miss"  # record (or turn a failed row into) a missed send
    SKIP = "skip"  # record that it is not needed


@dataclass(frozen=True)
class Policy:
    """Timing rules shared by every patient.

    Attributes:
        grace: How late a send may still go out after its due time.
        reminder_after: Delay between a check-in nobody answered and its one reminder.
        reminder_cutoff: Local wall time after which no reminder is sent that evening.
    """

    grace: timedelta = timedelta(hours=2)
    reminder_after: timedelta = timedelta(minutes=90)
    reminder_cutoff: time = time(23, 0)

    def lookback(self) -> timedelta:
        """How far back a due time can lie and still need attention now."""
        return 2 * self.grace + self.reminder_after


@dataclass(frozen=True)
class SendRecord:
    """What the sends table says about one (kind, local date) of a patient."""

    status: SendStatus
    due_at: datetime
    sent_at: datetime | None = None


@dataclass(frozen=True)
class PatientView:
    """Everything the plan needs to know about one active patient.

    Attributes:
        patient_id: The patient's id.
        zone: The patient's time zone.
        checkin_time: Local wall time of the evening check-in.
        sends: Existing check-in and reminder rows, keyed by (kind, local date).
        answered: Local dates on which the patient has a check-in row.
        in_flare: Whether an episode is open and active right now.
        not_before: Ignore due times before this instant (e.g. when the patient joined).
        weekly_summary: Whether the patient wants the Sunday summary.
        after_crisis: A crisis flag in the last 48 hours: the evening check-in becomes a
            gentle "how are you?" (no pain scores, no reminder) and the Sunday summary waits.
    """

    patient_id: str
    zone: ZoneInfo
    checkin_time: time
    sends: Mapping[tuple[str, date], SendRecord]
    answered: Set[date]
    in_flare: bool
    not_before: datetime | None = None
    weekly_summary: bool = False
    after_crisis: bool = False


@dataclass(frozen=True)
class Action:
    """One thing to do now for one patient."""

    patient_id: str
    kind: str
    local_date: date
    due_at: datetime
    step: Step
    gentle: bool = False  # a check-in sent as the gentle after-crisis message


def candidate_dates(now: datetime, zone: ZoneInfo, policy: Policy) -> list[date]:
    """Local dates whose check-in or reminder could still need attention at ``now``."""
    return local_dates(now - policy.lookback(), now, zone)


def plan_patient(view: PatientView, now: datetime, policy: Policy) -> list[Action]:
    """Decide what to send, retry or record for one patient at ``now``."""
    actions: list[Action] = []
    for day in candidate_dates(now, view.zone, policy):
        weekly = _plan_weekly(view, day, now, policy)
        if weekly is not None:  # before the check-in, so its question stays last
            actions.append(weekly)
        checkin = _plan_checkin(view, day, now, policy)
        if checkin is not None:
            actions.append(checkin)
        reminder = _plan_reminder(view, day, now, policy)
        if reminder is not None:
            actions.append(reminder)
    return actions


def _plan_checkin(view: PatientView, day: date, now: datetime, policy: Policy) -> Action | None:
    """The check-in of ``day``: send it, wait, skip it or record it missed."""
    due = local_due_at(day, view.checkin_time, view.zone)
    if now < due or (view.not_before is not None and due < view.not_before):
        return None
    row = view.sends.get((CHECKIN, day))
    late = now > due + policy.grace
    step: Step | None = None
    if row is None:
        if late:
            step = Step.MISS
        elif day in view.answered:
            step = Step.SKIP
        elif not view.in_flare:
            step = Step.SEND
    elif row.status is SendStatus.FAILED:
        if late:
            step = Step.MISS
        elif day in view.answered:
            step = Step.SKIP
        elif not view.in_flare:
            step = Step.RETRY
    if step is None:
        return None
    return Action(view.patient_id, CHECKIN, day, due, step, gentle=view.after_crisis)


def _plan_reminder(view: PatientView, day: date, now: datetime, policy: Policy) -> Action | None:
    """The single gentle reminder after an unanswered check-in of ``day``."""
    checkin = view.sends.get((CHECKIN, day))
    if checkin is None or checkin.status is not SendStatus.SENT or checkin.sent_at is None:
        return None
    if day in view.answered or view.after_crisis:
        return None
    due = checkin.sent_at + policy.reminder_after
    if now < due:
        return None
    closes = min(due + policy.grace, local_due_at(day, policy.reminder_cutoff, view.zone))
    row = view.sends.get((CHECKIN_REMINDER, day))
    step: Step | None = None
    if row is None:
        # A reminder whose evening has passed is simply dropped, not recorded.
        if now <= closes and not view.in_flare:
            step = Step.SEND
    elif row.status is SendStatus.FAILED:
        if now > closes:
            step = Step.MISS
        elif not view.in_flare:
            step = Step.RETRY
    if step is None:
        return None
    return Action(view.patient_id, CHECKIN_REMINDER, day, due, step)


def _plan_weekly(view: PatientView, day: date, now: datetime, policy: Policy) -> Action | None:
    """The Sunday summary, at the check-in time of a local Sunday, once per local week.

    Held back during a flare like the check-in, and in the 48 hours after a crisis, and
    recorded as missed once the grace window has passed (no stale summary after downtime).
    """
    if day.weekday() != SUNDAY or not view.weekly_summary:
        return None
    due = local_due_at(day, view.checkin_time, view.zone)
    if now < due or (view.not_before is not None and due < view.not_before):
        return None
    row = view.sends.get((WEEKLY, day))
    if row is not None and row.status is not SendStatus.FAILED:
        return None  # being sent, sent or closed already
    if now > due + policy.grace:
        step = Step.MISS
    elif view.in_flare or view.after_crisis:
        return None
    else:
        step = Step.SEND if row is None else Step.RETRY
    return Action(view.patient_id, WEEKLY, day, due, step)
