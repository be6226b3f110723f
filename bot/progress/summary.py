"""The numbers behind /progress and the Sunday summary, read from the episode log.

"This week" is the last 7 days up to ``now`` (check-ins: the patient's last 7 calendar
days), "the week before" the 7 days before that. Counting and charting reuse
:mod:`bot.analytics.metrics`; what is new here is the weekly roll-up and "what helped most".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.analytics.metrics import (
    episode_outcomes,
    flare_counts,
    flares_per_week,
    local_today,
    pain_series,
)
from bot.store.models import CheckIn, Episode, Patient

WEEK = timedelta(days=7)
CHART_WEEKS = 8


@dataclass(frozen=True)
class ToolEffect:
    """How much the severity fell, on average, in the flares where a tool was used."""

    tool: str
    average_drop: float
    flares: int


@dataclass(frozen=True)
class WeekSummary:
    """One week of a patient's log in a few numbers (None: nothing to say)."""

    flares: int
    flares_before: int
    pain_average: float | None
    pain_average_before: float | None
    recovery_minutes: float | None
    helped_most: ToolEffect | None
    has_any_data: bool

    @property
    def harder_week(self) -> bool:
        """More flares, or more pain at check-ins, than the week before."""
        more_pain = (
            self.pain_average is not None
            and self.pain_average_before is not None
            and self.pain_average > self.pain_average_before
        )
        return self.flares > self.flares_before or more_pain


@dataclass(frozen=True)
class ProgressData:
    """Everything /progress shows: the summary and the two chart series."""

    summary: WeekSummary
    pain_points: list[tuple[date, int]]
    flare_weeks: list[tuple[date, int]]


def _average(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def helped_most(episodes: list[Episode]) -> ToolEffect | None:
    """The tool with the largest average severity drop across closed flares.

    A flare counts for every tool used in it, when it has both a start and an end severity.
    Ties go to the tool used in more flares, then by name. None if no tool lowered the
    severity on average (nothing is claimed to have helped then).
    """
    drops: dict[str, list[int]] = defaultdict(list)
    for episode in episodes:
        if episode.ended_at is None or episode.severity_start is None:
            continue
        if episode.severity_end is None:
            continue
        for tool in set(episode.tools_used or []):
            drops[tool].append(episode.severity_start - episode.severity_end)
    effects = [ToolEffect(tool, sum(d) / len(d), len(d)) for tool, d in drops.items()]
    effects.sort(key=lambda e: (-e.average_drop, -e.flares, e.tool))
    if not effects or effects[0].average_drop <= 0:
        return None
    return effects[0]


def _has_any_data(session: Session, patient_id: str) -> bool:
    episode = session.execute(
        select(Episode.id).where(Episode.patient_id == patient_id).limit(1)
    ).first()
    checkin = session.execute(
        select(CheckIn.id).where(CheckIn.patient_id == patient_id).limit(1)
    ).first()
    return episode is not None or checkin is not None


def week_summary(session: Session, patient: Patient, now: datetime) -> WeekSummary:
    """Flares, pain, recovery time and what helped most in the week up to ``now``."""
    current, previous = flare_counts(session, patient.id, now)
    today = local_today(patient, now)
    pain = pain_series(session, patient.id, today - timedelta(days=13), today)
    week_start = today - timedelta(days=6)
    closed = [
        outcome.minutes
        for outcome in episode_outcomes(session, patient.id, since=now - WEEK)
        if outcome.minutes is not None and outcome.started_at <= now
    ]
    episodes = list(
        session.execute(
            select(Episode).where(
                Episode.patient_id == patient.id,
                Episode.started_at >= now - WEEK,
                Episode.started_at <= now,
            )
        ).scalars()
    )
    return WeekSummary(
        flares=current,
        flares_before=previous,
        pain_average=_average([value for day, value in pain if day >= week_start]),
        pain_average_before=_average([value for day, value in pain if day < week_start]),
        recovery_minutes=sum(closed) / len(closed) if closed else None,
        helped_most=helped_most(episodes),
        has_any_data=_has_any_data(session, patient.id),
    )


def progress_data(session: Session, patient_id: str, now: datetime) -> ProgressData:
    """The summary and chart series for one patient (read only)."""
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise LookupError(f"patient {patient_id} not found")
    today = local_today(patient, now)
    first = today - timedelta(weeks=CHART_WEEKS) + timedelta(days=1)
    return ProgressData(
        summary=week_summary(session, patient, now),
        pain_points=pain_series(session, patient.id, first, today),
        flare_weeks=flares_per_week(session, patient, now, weeks=CHART_WEEKS),
    )
