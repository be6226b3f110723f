"""The patient's safety plan as the coach sees it on the patient page (read only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.content.sos import get_sos_content
from bot.store import safety_plans as plans


@dataclass(frozen=True)
class PlanSection:
    """What the template shows: when it changed, whether it is finished, each step."""

    updated_at: datetime
    completed: bool
    steps: list[tuple[str, str | None]]  # (step title, what the patient wrote or None)


def plan_section(session: Session, patient_id: str) -> PlanSection | None:
    """The plan of ``patient_id`` for the page, or None if they have not started one."""
    plan = plans.get_plan(session, patient_id)
    if plan is None or not plans.has_content(plan):
        return None
    content = get_sos_content().plan
    steps = [(content.step(e.step).title, e.text) for e in plans.entries(plan)]
    return PlanSection(plan.updated_at, plan.completed_at is not None, steps)
