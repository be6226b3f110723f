"""The flare episode log: open, update and close episodes; fears, safety flags, reframes.

Store functions take a ``Session`` and never commit; the caller owns the transaction.
All ``now`` arguments must be timezone-aware. Lists (triggers, locations, tools) are
merged in order without duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import SAFETY_FLAG_KINDS, Episode, FearStatement, ReframeUse, SafetyFlag
from bot.store.validation import check_score, merged, require_aware, require_text

IDLE_TIMEOUT = timedelta(hours=2)
CLOSE_REASONS = (
    "closed",
    "goodbye",
    "timeout",
    "crisis",
    "red_flag",
    "superseded",
    "deleted",
)


def _require_open(episode: Episode) -> None:
    """Refuse to change an episode that has ended."""
    if episode.ended_at is not None:
        raise ValueError(f"episode {episode.id} is closed")


def current_episode(
    session: Session, patient_id: str, now: datetime, idle: timedelta = IDLE_TIMEOUT
) -> Episode | None:
    """The patient's open episode, if it has seen activity within ``idle``.

    Open episodes idle for longer are closed with reason ``"timeout"`` and ``ended_at`` set
    to their last activity (so durations are not inflated by the silence).
    """
    require_aware("now", now)
    statement = (
        select(Episode)
        .where(Episode.patient_id == patient_id, Episode.ended_at.is_(None))
        .order_by(Episode.last_activity_at.desc(), Episode.id.desc())
    )
    current: Episode | None = None
    for episode in session.execute(statement).scalars():
        if now - episode.last_activity_at > idle:
            episode.ended_at = episode.last_activity_at
            episode.close_reason = "timeout"
        elif current is None:
            current = episode
        else:  # an older open episode that is still fresh: should not happen
            episode.ended_at = now
            episode.close_reason = "superseded"
    session.flush()
    return current


def touch(session: Session, episode: Episode, now: datetime) -> None:
    """Record activity on the episode (never moves ``last_activity_at`` backwards)."""
    require_aware("now", now)
    if now > episode.last_activity_at:
        episode.last_activity_at = now
    session.flush()


def open_episode(
    session: Session,
    patient_id: str,
    now: datetime,
    *,
    text: str | None,
    severity: int | None = None,
    locations: Iterable[str] = (),
    triggers: Iterable[str] = (),
    idle: timedelta = IDLE_TIMEOUT,
) -> Episode:
    """Start an episode, or continue the current one and merge the new details into it.

    On a continued episode a new ``severity`` fills ``severity_start`` if still empty,
    otherwise it becomes ``severity_end`` (the latest reading). The patient must exist.
    """
    severity = check_score("severity", severity)
    text = text.strip() if text and text.strip() else None
    episode = current_episode(session, patient_id, now, idle)
    if episode is None:
        episode = Episode(
            patient_id=patient_id,
            started_at=now,
            last_activity_at=now,
            severity_start=severity,
            triggers=merged((), triggers),
            locations=merged((), locations),
            tools_offered=[],
            tools_used=[],
            first_message=text,
        )
        session.add(episode)
        session.flush()
        return episode
    episode.triggers = merged(episode.triggers, triggers)
    episode.locations = merged(episode.locations, locations)
    if severity is not None:
        if episode.severity_start is None:
            episode.severity_start = severity
        else:
            episode.severity_end = severity
    if episode.first_message is None:
        episode.first_message = text
    touch(session, episode, now)
    return episode


def set_severity(
    session: Session, episode: Episode, value: int, phase: Literal["start", "end"]
) -> None:
    """Set the 0-10 severity at the start or the end of the episode."""
    checked = check_score("severity", value)
    if checked is None:
        raise ValueError("severity must be an integer 0-10")
    if phase == "start":
        episode.severity_start = checked
    elif phase == "end":
        episode.severity_end = checked
    else:
        raise ValueError(f"phase must be 'start' or 'end', got {phase!r}")
    session.flush()


def offer_tools(
    session: Session, episode: Episode, tools: Iterable[str], now: datetime | None = None
) -> None:
    """Remember which tools (e.g. "breathing", "pacing") were offered; touch if ``now``."""
    _require_open(episode)
    episode.tools_offered = merged(episode.tools_offered, tools)
    if now is not None:
        touch(session, episode, now)
    session.flush()


def use_tool(session: Session, episode: Episode, tool: str, now: datetime | None = None) -> None:
    """Remember that the patient took up a tool; touch if ``now``."""
    _require_open(episode)
    episode.tools_used = merged(episode.tools_used, [tool])
    if now is not None:
        touch(session, episode, now)
    session.flush()


def add_fear_statement(
    session: Session, episode: Episode, text: str, kind: str, now: datetime
) -> FearStatement:
    """Log a fear-laden statement with its kind (see ``bot.nlu.fear_kind``)."""
    statement = FearStatement(
        episode_id=episode.id,
        created_at=require_aware("now", now),
        text=require_text("text", text),
        kind=require_text("kind", kind, 32),
    )
    session.add(statement)
    touch(session, episode, now)
    return statement


def add_safety_flag(
    session: Session,
    patient_id: str,
    kind: str,
    text: str,
    now: datetime,
    reasons: Iterable[str] = (),
    episode: Episode | None = None,
) -> SafetyFlag:
    """Log a crisis, red-flag or despair-check message for a coach to review.

    A flag on an open episode is activity on it: the episode's transcript and idle time
    then include the message that raised the flag.
    """
    if kind not in SAFETY_FLAG_KINDS:
        raise ValueError(f"kind must be one of {SAFETY_FLAG_KINDS}, got {kind!r}")
    flag = SafetyFlag(
        patient_id=patient_id,
        episode_id=episode.id if episode is not None else None,
        created_at=require_aware("now", now),
        kind=kind,
        text=require_text("text", text),
        reasons=merged((), reasons),
    )
    session.add(flag)
    if episode is not None and episode.ended_at is None:
        touch(session, episode, now)
    session.flush()
    return flag


def close_episode(
    session: Session, episode: Episode, now: datetime, reason: str = "closed"
) -> Episode:
    """End the episode; closing an already closed episode changes nothing."""
    require_aware("now", now)
    if reason not in CLOSE_REASONS:
        raise ValueError(f"reason must be one of {CLOSE_REASONS}, got {reason!r}")
    if episode.ended_at is None:
        touch(session, episode, now)
        episode.ended_at = now
        episode.close_reason = reason
        session.flush()
    return episode


def record_reframe_use(
    session: Session, patient_id: str, reframe_id: str, kind: str, now: datetime
) -> ReframeUse:
    """Remember that a reframe (or other content item of ``kind``) was shown."""
    use = ReframeUse(
        patient_id=patient_id,
        reframe_id=require_text("reframe_id", reframe_id, 64),
        kind=require_text("kind", kind, 32),
        used_at=require_aware("now", now),
    )
    session.add(use)
    session.flush()
    return use


def used_reframe_ids(
    session: Session, patient_id: str, kind: str, since: datetime | None = None
) -> set[str]:
    """Ids of the items of ``kind`` already shown to the patient (optionally since a time)."""
    statement = select(ReframeUse.reframe_id).where(
        ReframeUse.patient_id == patient_id, ReframeUse.kind == kind
    )
    if since is not None:
        statement = statement.where(ReframeUse.used_at >= require_aware("since", since))
    return set(session.execute(statement).scalars())
