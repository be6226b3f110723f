"""The patient's personal safety plan (Stanley-Brown style), built step by step in chat.

One row per patient, created by ``migrations/versions/0008_safety_plan.py`` (keep both in
step). Each step is a free-text column; ``None`` means not filled in (or skipped). The
chat flow's state lives on the same row: ``asking`` is the step whose answer the gateway
is waiting for, ``asking_mode`` says whether the flow then goes on to the next step
("build") or stops ("edit"), and ``asked_at`` lets a stale question lapse, so a message
written days later is not taken as an answer.

Store functions take a ``Session``; the caller owns the transaction. The table has a
``patient_id`` column, so ``/mydata`` exports it and ``/delete`` erases it
(``bot.gateway.records``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Session

from bot.store.models import Base, UTCDateTime
from bot.store.validation import require_aware

# The steps, in the order they are asked (content/safety_plan.yml has one entry each).
STEPS = (
    "warning_signs",
    "coping",
    "distractions",
    "helpers",
    "professionals",
    "environment",
)
BUILD = "build"
EDIT = "edit"
MAX_ANSWER_CHARS = 600
# A question left unanswered this long lapses: the next message goes to Rasa as usual.
ASK_TIMEOUT = timedelta(minutes=60)

# What a flow step led to (returned to the gateway, which says the matching text).
DONE = "done"  # the last step of a build was answered or skipped
EDITED = "edited"  # one step was changed (edit mode)
PAUSED = "paused"  # "stop for now"
STALE = "stale"  # a button for a question no longer asked


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IS NULL OR {column} IN ({', '.join(repr(v) for v in values)})"


class SafetyPlan(Base):
    """A patient's safety plan and where the chat flow that builds it stands."""

    __tablename__ = "safety_plans"
    __table_args__ = (
        CheckConstraint(_in("asking", STEPS), name="asking"),
        CheckConstraint(_in("asking_mode", (BUILD, EDIT)), name="asking_mode"),
    )

    id = Column(Integer, primary_key=True)
    patient_id = Column(
        String(64),
        ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    )
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)
    completed_at = Column(UTCDateTime, nullable=True)
    warning_signs = Column(Text, nullable=True)
    coping = Column(Text, nullable=True)
    distractions = Column(Text, nullable=True)
    helpers = Column(Text, nullable=True)
    professionals = Column(Text, nullable=True)
    environment = Column(Text, nullable=True)
    asking = Column(String(32), nullable=True)
    asking_mode = Column(String(8), nullable=True)
    asked_at = Column(UTCDateTime, nullable=True)


@dataclass(frozen=True)
class PlanEntry:
    """One step of a plan and what the patient wrote (None: empty)."""

    step: str
    text: str | None


def get_plan(session: Session, patient_id: str) -> SafetyPlan | None:
    """The patient's plan row, or None."""
    return session.execute(
        select(SafetyPlan).where(SafetyPlan.patient_id == patient_id)
    ).scalar_one_or_none()


def entries(plan: SafetyPlan | None) -> list[PlanEntry]:
    """Every step with its text, in order (all empty when there is no plan)."""
    return [PlanEntry(step, getattr(plan, step) if plan else None) for step in STEPS]


def has_content(plan: SafetyPlan | None) -> bool:
    """Whether any step has been filled in."""
    return any(entry.text for entry in entries(plan))


def asking(session: Session, patient_id: str, now: datetime) -> str | None:
    """The step waiting for an answer, unless the question has lapsed."""
    plan = get_plan(session, patient_id)
    if plan is None or plan.asking is None or plan.asked_at is None:
        return None
    if require_aware("now", now) - plan.asked_at > ASK_TIMEOUT:
        return None
    return str(plan.asking)


def _ask(plan: SafetyPlan, step: str | None, mode: str | None, now: datetime) -> None:
    plan.asking, plan.asking_mode = step, (mode if step else None)
    plan.asked_at = now if step else None


def _ensure(session: Session, patient_id: str, now: datetime) -> SafetyPlan:
    plan = get_plan(session, patient_id)
    if plan is None:
        plan = SafetyPlan(patient_id=patient_id, created_at=now, updated_at=now)
        session.add(plan)
        session.flush()
    return plan


def start(session: Session, patient_id: str, now: datetime) -> str:
    """Start building: ask the first step not filled in yet (the first step if all are)."""
    require_aware("now", now)
    plan = _ensure(session, patient_id, now)
    first = next((e.step for e in entries(plan) if not e.text), STEPS[0])
    _ask(plan, first, BUILD, now)
    return first


def edit(session: Session, patient_id: str, step: str, now: datetime) -> str:
    """Ask one step again, to change it; returns the step."""
    if step not in STEPS:
        raise ValueError(f"unknown safety-plan step {step!r}")
    plan = _ensure(session, patient_id, now)
    _ask(plan, step, EDIT, now)
    return step


def _advance(plan: SafetyPlan, now: datetime) -> str:
    """After the current step: the next step of a build, or DONE / EDITED."""
    current, mode = plan.asking, plan.asking_mode
    if mode == EDIT or current not in STEPS:
        _ask(plan, None, None, now)
        return EDITED
    index = STEPS.index(current) + 1
    if index >= len(STEPS):
        _ask(plan, None, None, now)
        plan.completed_at = plan.completed_at or now
        return DONE
    _ask(plan, STEPS[index], BUILD, now)
    return STEPS[index]


def answer(session: Session, patient_id: str, text: str, now: datetime) -> str:
    """Store ``text`` as the answer to the step being asked; return what comes next.

    Raises:
        LookupError: no step is being asked.
    """
    plan = get_plan(session, patient_id)
    if plan is None or plan.asking is None:
        raise LookupError("no safety-plan question is open")
    cleaned = " ".join(text.split())[:MAX_ANSWER_CHARS]
    setattr(plan, plan.asking, cleaned or None)
    plan.updated_at = now
    return _advance(plan, now)


def skip(
    session: Session, patient_id: str, step: str, now: datetime, *, clear: bool = False
) -> str:
    """Leave ``step`` as it is (or empty it, with ``clear``) and go on; STALE if not asked."""
    plan = get_plan(session, patient_id)
    if plan is None or plan.asking != step:
        return STALE
    if clear:
        setattr(plan, step, None)
        plan.updated_at = now
    return _advance(plan, now)


def stop(session: Session, patient_id: str, step: str, now: datetime) -> str:
    """Stop the flow for now (answers so far are kept); STALE if ``step`` is not asked."""
    plan = get_plan(session, patient_id)
    if plan is None or plan.asking != step:
        return STALE
    _ask(plan, None, None, now)
    return PAUSED


def refresh(session: Session, patient_id: str, now: datetime) -> None:
    """Ask the open question again from now (it lapses ``ASK_TIMEOUT`` later)."""
    plan = get_plan(session, patient_id)
    if plan is not None and plan.asking is not None:
        plan.asked_at = require_aware("now", now)


def pause(session: Session, patient_id: str) -> None:
    """Close any open question (the message went elsewhere, e.g. to the crisis path)."""
    session.execute(
        update(SafetyPlan)
        .where(SafetyPlan.patient_id == patient_id, SafetyPlan.asking.is_not(None))
        .values(asking=None, asking_mode=None, asked_at=None)
        .execution_options(synchronize_session=False)
    )
