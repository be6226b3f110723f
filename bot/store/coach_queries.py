"""What the dashboard pages read, always limited to the patients a coach may see.

Patient text is only ever passed as bound parameters (``LIKE`` patterns are escaped too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.store.accounts import visible_patients
from bot.store.coaches import Coach
from bot.store.messages import Message
from bot.store.models import CheckIn, Episode, SafetyFlag

QUEUE_KINDS = ("crisis", "red_flag", "despair_check", "third_party")
# Order of the safety queue: most urgent level first, then the longest waiting. A flag
# without a level counts as "pending" (a red flag without one as "emergency").
LEVEL_RANK = {"high": 0, "emergency": 0, "urgent": 1, "moderate": 2, "pending": 3, "low": 4,
              "third_party": 5}


def queue_rank(flag: SafetyFlag) -> int:
    """Where a flag's level puts it in the safety queue (0 = most urgent)."""
    level = flag.level or ("emergency" if flag.kind == "red_flag" else "pending")
    return LEVEL_RANK.get(level, LEVEL_RANK["pending"])
MAX_SEARCH_RESULTS = 100
MIN_SEARCH_CHARS = 2
LIKE_ESCAPE = "\\"


@dataclass(frozen=True)
class PatientRow:
    """One line of the patients list."""

    patient_id: str
    last_activity: datetime | None
    flares_this_week: int
    flares_last_week: int
    open_flags: int


@dataclass(frozen=True)
class SearchHit:
    """A message that matched a search, with the episode it belongs to (if any)."""

    message: Message
    episode_id: int | None


def _latest(session: Session, column: object, patient_column: object, ids: object,
            into: dict[str, datetime]) -> None:
    rows = session.execute(
        select(patient_column, func.max(column)).where(patient_column.in_(ids))  # type: ignore[attr-defined]
        .group_by(patient_column)
    ).all()
    for patient_id, moment in rows:
        if moment is not None and (patient_id not in into or moment > into[patient_id]):
            into[patient_id] = moment


def patient_rows(session: Session, coach: Coach, now: datetime) -> list[PatientRow]:
    """The coach's patients: open safety flags first, then the most recently active."""
    ids = [row[0] for row in session.execute(visible_patients(coach)).all()]
    if not ids:
        return []
    latest: dict[str, datetime] = {}
    _latest(session, Message.created_at, Message.patient_id, ids, latest)
    _latest(session, Episode.last_activity_at, Episode.patient_id, ids, latest)
    _latest(session, CheckIn.updated_at, CheckIn.patient_id, ids, latest)
    week, fortnight = now - timedelta(days=7), now - timedelta(days=14)
    flares = {
        patient_id: (int(this or 0), int(last or 0))
        for patient_id, this, last in session.execute(
            select(
                Episode.patient_id,
                func.sum(case((Episode.started_at >= week, 1), else_=0)),
                func.sum(case((Episode.started_at < week, 1), else_=0)),
            )
            .where(Episode.patient_id.in_(ids), Episode.started_at >= fortnight,
                   Episode.started_at <= now)
            .group_by(Episode.patient_id)
        ).all()
    }
    flags = dict(
        session.execute(
            select(SafetyFlag.patient_id, func.count(SafetyFlag.id))
            .where(SafetyFlag.patient_id.in_(ids), SafetyFlag.kind.in_(QUEUE_KINDS),
                   SafetyFlag.acknowledged_at.is_(None))
            .group_by(SafetyFlag.patient_id)
        ).all()
    )
    rows = [
        PatientRow(pid, latest.get(pid), *flares.get(pid, (0, 0)), int(flags.get(pid, 0)))
        for pid in ids
    ]
    rows.sort(key=lambda r: r.patient_id)
    rows.sort(key=lambda r: r.last_activity.timestamp() if r.last_activity else 0.0,
              reverse=True)
    rows.sort(key=lambda r: r.open_flags > 0, reverse=True)
    return rows


def patient_episodes(session: Session, patient_id: str, limit: int = 200) -> list[Episode]:
    """The patient's latest episodes, newest first."""
    return list(
        session.execute(
            select(Episode).where(Episode.patient_id == patient_id)
            .order_by(Episode.started_at.desc(), Episode.id.desc()).limit(limit)
        ).scalars()
    )


def safety_flags(session: Session, patient_id: str | None = None,
                 episode_id: int | None = None, open_only: bool = False) -> list[SafetyFlag]:
    """Safety flags of a patient or an episode, oldest first."""
    statement = select(SafetyFlag).order_by(SafetyFlag.created_at, SafetyFlag.id)
    if patient_id is not None:
        statement = statement.where(SafetyFlag.patient_id == patient_id)
    if episode_id is not None:
        statement = statement.where(SafetyFlag.episode_id == episode_id)
    if open_only:
        statement = statement.where(SafetyFlag.acknowledged_at.is_(None))
    return list(session.execute(statement).scalars())


def safety_queue(session: Session, coach: Coach) -> list[SafetyFlag]:
    """Unacknowledged flags of the coach's patients: most urgent level first, then oldest."""
    flags = list(
        session.execute(
            select(SafetyFlag)
            .where(
                SafetyFlag.patient_id.in_(
                    visible_patients(coach, include_erased=True).scalar_subquery()),
                SafetyFlag.kind.in_(QUEUE_KINDS),
                SafetyFlag.acknowledged_at.is_(None),
            )
            .order_by(SafetyFlag.created_at, SafetyFlag.id)
        ).scalars()
    )
    flags.sort(key=queue_rank)  # stable: oldest first within a level
    return flags


def visible_flag(session: Session, coach: Coach, flag_id: int) -> SafetyFlag | None:
    """A safety flag if the coach may see its patient."""
    return session.execute(
        select(SafetyFlag).where(
            SafetyFlag.id == flag_id,
            SafetyFlag.patient_id.in_(
                    visible_patients(coach, include_erased=True).scalar_subquery()),
        )
    ).scalar_one_or_none()


def visible_episode(session: Session, coach: Coach, episode_id: int) -> Episode | None:
    """An episode if the coach may see its patient."""
    return session.execute(
        select(Episode).where(
            Episode.id == episode_id,
            Episode.patient_id.in_(visible_patients(coach).scalar_subquery()),
        )
    ).scalar_one_or_none()


def like_pattern(text: str) -> str:
    """``%text%`` for LIKE, with ``\\``, ``%`` and ``_`` in ``text`` matched literally."""
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def search_messages(session: Session, coach: Coach, text: str) -> list[SearchHit]:
    """Messages of the coach's patients containing ``text`` (any case), newest first.

    Control characters are dropped from the search text first: SQLite's LIKE stops at a
    NUL byte (so "a\\0b" matched every message) and PostgreSQL refuses one.
    """
    needle = "".join(ch for ch in text if ch >= " " and ch != "\x7f").strip()
    if len(needle) < MIN_SEARCH_CHARS:
        return []
    messages = session.execute(
        select(Message)
        .where(
            Message.patient_id.in_(visible_patients(coach).scalar_subquery()),
            func.lower(Message.text).like(like_pattern(needle.lower()), escape=LIKE_ESCAPE),
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(MAX_SEARCH_RESULTS)
    ).scalars()
    hits = []
    for message in messages:
        episode_id = session.execute(
            select(Episode.id)
            .where(
                Episode.patient_id == message.patient_id,
                Episode.started_at <= message.created_at + timedelta(minutes=10),
                func.coalesce(Episode.ended_at, Episode.last_activity_at)
                >= message.created_at - timedelta(minutes=10),
            )
            .order_by(Episode.started_at.desc())
            .limit(1)
        ).scalar_one_or_none()
        hits.append(SearchHit(message, episode_id))
    return hits
