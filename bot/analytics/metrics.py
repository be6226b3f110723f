"""Numbers behind the charts and the treatment-plan goals (reusable by /progress).

Goals from the seeds' treatment plan (SMART objectives):
- reframe: a reframe used in 4 of the last 5 logged flares;
- pacing: a paced activity plan followed on 4 of the last 7 days (evening check-in
  "paced" answer);
- practice: a short grounding or attention practice on 5 days a week. A day counts when
  the check-in reports practice minutes, or a breathing, grounding or desensitization
  exercise was used in a flare that started that day.
Days are the patient's own calendar days (their time zone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.checkins import checkins_between
from bot.store.models import Episode, Patient

PRACTICE_TOOLS = frozenset({"breathing", "grounding", "desensitization"})


@dataclass(frozen=True)
class Goal:
    """Progress on one goal: ``value`` of ``out_of`` against ``target``."""

    key: str
    label: str
    value: int
    out_of: int
    target: int

    @property
    def met(self) -> bool:
        """Whether the target is reached."""
        return self.value >= self.target


@dataclass(frozen=True)
class EpisodeOutcome:
    """Severity at start and end of a flare and how long it lasted."""

    episode_id: int
    started_at: datetime
    severity_start: int | None
    severity_end: int | None
    minutes: float | None  # None while the episode is open

    @property
    def drop(self) -> int | None:
        """Points the severity fell (negative if it rose); None without both readings."""
        if self.severity_start is None or self.severity_end is None:
            return None
        return self.severity_start - self.severity_end


def local_today(patient: Patient, now: datetime) -> date:
    """The patient's calendar date at ``now``."""
    return now.astimezone(ZoneInfo(patient.timezone)).date()


def _episodes_since(session: Session, patient_id: str, since: datetime | None) -> list[Episode]:
    statement = select(Episode).where(Episode.patient_id == patient_id)
    if since is not None:
        statement = statement.where(Episode.started_at >= since)
    return list(session.execute(statement.order_by(Episode.started_at, Episode.id)).scalars())


def goal_progress(session: Session, patient: Patient, now: datetime) -> list[Goal]:
    """The three treatment-plan goals for ``patient`` at ``now``."""
    recent = list(
        session.execute(
            select(Episode)
            .where(Episode.patient_id == patient.id, Episode.started_at <= now)
            .order_by(Episode.started_at.desc(), Episode.id.desc())
            .limit(5)
        ).scalars()
    )
    reframed = sum(1 for episode in recent if "reframe" in (episode.tools_used or []))
    today = local_today(patient, now)
    first = today - timedelta(days=6)
    checkins = checkins_between(session, patient.id, first, today)
    paced = sum(1 for checkin in checkins if checkin.paced)
    practice_days = {c.local_date for c in checkins if c.practice_minutes}
    zone = ZoneInfo(patient.timezone)
    since = datetime.combine(first, datetime.min.time(), zone) - timedelta(days=1)
    for episode in _episodes_since(session, patient.id, since):
        day = episode.started_at.astimezone(zone).date()
        if first <= day <= today and PRACTICE_TOOLS & set(episode.tools_used or []):
            practice_days.add(day)
    return [
        Goal("reframe", "Reframe used in the last 5 flares", reframed, len(recent), 4),
        Goal("pacing", "Paced days in the last 7", paced, 7, 4),
        Goal("practice", "Practice days in the last 7", len(practice_days), 7, 5),
    ]


def pain_series(
    session: Session, patient_id: str, first: date, last: date
) -> list[tuple[date, int]]:
    """Pain at the evening check-ins between two dates (skipped answers left out)."""
    return [
        (checkin.local_date, checkin.pain)
        for checkin in checkins_between(session, patient_id, first, last)
        if checkin.pain is not None
    ]


def flares_per_week(
    session: Session, patient: Patient, now: datetime, weeks: int = 12
) -> list[tuple[date, int]]:
    """Flares started per week (Monday first, patient's time zone), oldest week first."""
    zone = ZoneInfo(patient.timezone)
    today = local_today(patient, now)
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    counts = dict.fromkeys(mondays, 0)
    since = datetime.combine(mondays[0], datetime.min.time(), zone)
    for episode in _episodes_since(session, patient.id, since):
        day = episode.started_at.astimezone(zone).date()
        monday = day - timedelta(days=day.weekday())
        if monday in counts:
            counts[monday] += 1
    return list(counts.items())


def episode_outcomes(
    session: Session, patient_id: str, since: datetime | None = None
) -> list[EpisodeOutcome]:
    """Severity drop and duration of each flare since ``since``, oldest first."""
    return [
        EpisodeOutcome(
            episode_id=episode.id,
            started_at=episode.started_at,
            severity_start=episode.severity_start,
            severity_end=episode.severity_end,
            minutes=(episode.ended_at - episode.started_at).total_seconds() / 60
            if episode.ended_at is not None
            else None,
        )
        for episode in _episodes_since(session, patient_id, since)
    ]


def flare_counts(
    session: Session, patient_id: str, now: datetime
) -> tuple[int, int]:
    """Flares started in the last 7 days and in the 7 days before."""
    this_week = now - timedelta(days=7)
    episodes = _episodes_since(session, patient_id, now - timedelta(days=14))
    current = sum(1 for e in episodes if this_week <= e.started_at <= now)
    previous = sum(1 for e in episodes if e.started_at < this_week)
    return current, previous
