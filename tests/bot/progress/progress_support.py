"""A seeded fortnight of flares and check-ins, with the numbers a summary must show.

Everything is placed relative to ``now`` so the same seed serves the unit tests (fixed
clock) and the gateway tests (real clock).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.store.models import CheckIn, Episode, Patient

# What the seed below must produce for "the last 7 days".
EXPECTED_LINES = [
    "- Flares logged: 4 (the week before: 2)",
    "- Pain at check-ins: 5 out of 10 on average (the week before: 7)",
    "- Flares settled in about 47 minutes on average",
    "- What seemed to help most: 5-4-3-2-1 grounding (pain eased by 4 points on average, "
    "in 1 flare)",
]


def add_patient(
    session: Session,
    patient_id: str,
    now: datetime,
    zone: str = "Europe/London",
    checkin_time: str = "20:00",
) -> Patient:
    """A consenting patient created a month before ``now``."""
    patient = Patient(
        id=patient_id,
        created_at=now - timedelta(days=30),
        country="GB",
        timezone=zone,
        checkin_time=checkin_time,
        checkins_paused=False,
        weekly_summary=True,
        consent_given_at=now - timedelta(days=30),
    )
    session.add(patient)
    session.flush()
    return patient


def add_flare(
    session: Session,
    patient_id: str,
    started_at: datetime,
    minutes: float | None,
    severity: tuple[int | None, int | None],
    tools: list[str],
) -> Episode:
    """A flare; closed after ``minutes`` unless that is None."""
    ended = started_at + timedelta(minutes=minutes) if minutes is not None else None
    episode = Episode(
        patient_id=patient_id,
        started_at=started_at,
        last_activity_at=ended or started_at,
        ended_at=ended,
        close_reason="closed" if ended else None,
        severity_start=severity[0],
        severity_end=severity[1],
        triggers=[],
        locations=[],
        tools_offered=list(tools),
        tools_used=list(tools),
    )
    session.add(episode)
    session.flush()
    return episode


def add_checkin(
    session: Session, patient_id: str, now: datetime, days_ago: int, pain: int | None, zone: str
) -> None:
    """A check-in on the patient's local date ``days_ago`` days before ``now``."""
    day = now.astimezone(ZoneInfo(zone)).date() - timedelta(days=days_ago)
    session.add(
        CheckIn(patient_id=patient_id, local_date=day, created_at=now, updated_at=now, pain=pain)
    )


def seed_fortnight(
    session: Session, patient_id: str, now: datetime, zone: str = "Europe/London"
) -> None:
    """Flares and check-ins behind :data:`EXPECTED_LINES` (patient must exist)."""
    day = timedelta(days=1)
    # This week: four flares, three closed (30, 90 and 20 minutes).
    add_flare(session, patient_id, now - 5 * day, 30, (7, 4), ["breathing", "reframe"])
    add_flare(session, patient_id, now - 3 * day, 90, (8, 7), ["breathing"])
    add_flare(session, patient_id, now - 1 * day, 20, (6, 2), ["grounding"])
    add_flare(session, patient_id, now - timedelta(hours=3), None, (5, None), ["breathing"])
    # The week before: two flares; one more three weeks ago that no window includes.
    add_flare(session, patient_id, now - 10 * day, 60, (5, 3), ["pacing"])
    add_flare(session, patient_id, now - 12 * day, 45, (6, 6), [])
    add_flare(session, patient_id, now - 20 * day, 600, (9, 1), ["pacing"])
    # Pain at check-ins: 6, 5, 4 this week (one skipped), 7 and 7 the week before.
    for days_ago, pain in [(5, 6), (3, 5), (1, 4), (2, None), (8, 7), (10, 7), (20, 9)]:
        add_checkin(session, patient_id, now, days_ago, pain, zone)
    session.flush()
