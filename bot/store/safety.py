"""Safety flags for the triage (see docs/ARCHITECTURE.md, "Stepped triage").

One crisis flag per episode of risk: created at the first risk signal, its ``level``
raised on the same row as the answers make the risk clearer, never lowered. The caller
owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store import episodes as episode_store
from bot.store.coaches import CoachPatient
from bot.store.models import SAFETY_LEVELS, Episode, SafetyFlag

# Triage levels from lowest to highest; a flag's level only ever moves up this list.
LEVEL_ORDER = ("pending", "low", "moderate", "high")
# An unacknowledged crisis flag this recent is the same episode of risk.
RISK_EPISODE = timedelta(hours=24)


def create_flag(
    session: Session,
    patient_id: str,
    kind: str,
    text: str,
    now: datetime,
    *,
    level: str | None,
    reasons: Iterable[str] = (),
    episode: Episode | None = None,
) -> SafetyFlag:
    """A new flag with its level (``text`` is the patient's message, or a placeholder)."""
    if level is not None and level not in SAFETY_LEVELS:
        raise ValueError(f"level must be one of {SAFETY_LEVELS}, got {level!r}")
    flag = episode_store.add_safety_flag(
        session, patient_id, kind, text or "(button answer)", now, reasons, episode
    )
    flag.level = level
    session.flush()
    return flag


def raise_level(flag: SafetyFlag, level: str) -> bool:
    """Set the triage level if it is higher than the flag's; True when it changed."""
    if level not in LEVEL_ORDER:
        raise ValueError(f"level must be one of {LEVEL_ORDER}, got {level!r}")
    current = flag.level if flag.level in LEVEL_ORDER else "pending"
    if flag.level is not None and LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(current):
        return False
    flag.level = level
    return True


def open_crisis_flag(session: Session, patient_id: str, now: datetime) -> SafetyFlag | None:
    """The patient's latest unacknowledged crisis flag of the last 24 hours, if any."""
    return session.execute(
        select(SafetyFlag)
        .where(SafetyFlag.patient_id == patient_id)
        .where(SafetyFlag.kind == "crisis")
        .where(SafetyFlag.acknowledged_at.is_(None))
        .where(SafetyFlag.created_at >= now - RISK_EPISODE)
        .order_by(SafetyFlag.created_at.desc(), SafetyFlag.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def open_flags_for_patient(session: Session, patient_id: str) -> list[SafetyFlag]:
    """Every unacknowledged flag of the patient, oldest first."""
    return list(
        session.execute(
            select(SafetyFlag)
            .where(SafetyFlag.patient_id == patient_id)
            .where(SafetyFlag.acknowledged_at.is_(None))
            .order_by(SafetyFlag.created_at, SafetyFlag.id)
        ).scalars()
    )


def crisis_flag(
    session: Session,
    patient_id: str,
    text: str,
    now: datetime,
    level: str,
    *,
    reasons: Iterable[str] = (),
    episode: Episode | None = None,
) -> SafetyFlag:
    """The episode's crisis flag raised to ``level`` (created if there is none open)."""
    flag = open_crisis_flag(session, patient_id, now)
    if flag is None:
        return create_flag(
            session, patient_id, "crisis", text, now, level=level, reasons=reasons, episode=episode
        )
    raise_level(flag, level)
    session.flush()
    return flag


def has_coach(session: Session, patient_id: str) -> bool:
    """Whether a coach is assigned to the patient (so "I've told your coach" is true)."""
    found = session.execute(
        select(CoachPatient.id).where(CoachPatient.patient_id == patient_id).limit(1)
    ).first()
    return found is not None
