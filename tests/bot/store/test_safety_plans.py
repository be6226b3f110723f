"""The safety-plan store: the step-by-step flow state, answers, edits, lapses; the migration."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store import safety_plans as plans
from bot.store.db import make_engine, migrate
from bot.store.models import Base
from bot.store.patients import get_or_create_patient
from bot.store.safety_plans import SafetyPlan

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def patient_id(db_session: Session) -> str:
    return get_or_create_patient(db_session, "p-plan", now=NOW).id


def test_a_build_walks_every_step_in_order(db_session: Session, patient_id: str) -> None:
    assert plans.asking(db_session, patient_id, NOW) is None
    assert plans.start(db_session, patient_id, NOW) == "warning_signs"
    seen = []
    for step in plans.STEPS:
        assert plans.asking(db_session, patient_id, NOW) == step
        seen.append(plans.answer(db_session, patient_id, f"  answer   for {step} ", NOW))
    assert seen == [*plans.STEPS[1:], plans.DONE]
    plan = plans.get_plan(db_session, patient_id)
    assert plan is not None and plan.completed_at == NOW and plan.asking is None
    assert plan.coping == "answer for coping"  # whitespace collapsed
    assert [e.step for e in plans.entries(plan)] == list(plans.STEPS)


def test_skip_stop_edit_clear_and_stale(db_session: Session, patient_id: str) -> None:
    plans.start(db_session, patient_id, NOW)
    assert plans.skip(db_session, patient_id, "coping", NOW) == plans.STALE  # not asked
    assert plans.skip(db_session, patient_id, "warning_signs", NOW) == "coping"
    assert plans.stop(db_session, patient_id, "coping", NOW) == plans.PAUSED
    assert plans.asking(db_session, patient_id, NOW) is None
    assert not plans.has_content(plans.get_plan(db_session, patient_id))
    assert plans.edit(db_session, patient_id, "helpers", NOW) == "helpers"
    assert plans.answer(db_session, patient_id, "my sister", NOW) == plans.EDITED
    assert plans.has_content(plans.get_plan(db_session, patient_id))
    plans.edit(db_session, patient_id, "helpers", NOW)
    assert plans.skip(db_session, patient_id, "helpers", NOW, clear=True) == plans.EDITED
    plan = plans.get_plan(db_session, patient_id)
    assert plan is not None and plan.helpers is None and plan.completed_at is None
    with pytest.raises(ValueError):
        plans.edit(db_session, patient_id, "nonsense", NOW)
    with pytest.raises(LookupError):
        plans.answer(db_session, patient_id, "nobody asked", NOW)


def test_long_answers_are_cut_and_questions_lapse(db_session: Session, patient_id: str) -> None:
    plans.start(db_session, patient_id, NOW)
    later = NOW + plans.ASK_TIMEOUT + timedelta(seconds=1)
    assert plans.asking(db_session, patient_id, later) is None
    plans.refresh(db_session, patient_id, later)
    assert plans.asking(db_session, patient_id, later) == "warning_signs"
    plans.answer(db_session, patient_id, "x" * 5000, later)
    plan = plans.get_plan(db_session, patient_id)
    assert plan is not None and len(plan.warning_signs or "") == plans.MAX_ANSWER_CHARS
    plans.pause(db_session, patient_id)
    db_session.expire_all()
    assert plans.asking(db_session, patient_id, later) is None


def test_one_plan_per_patient(db_session: Session, patient_id: str) -> None:
    db_session.add(SafetyPlan(patient_id=patient_id, created_at=NOW, updated_at=NOW))
    db_session.flush()
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(SafetyPlan(patient_id=patient_id, created_at=NOW, updated_at=NOW))
        db_session.flush()


def test_migration_matches_the_model(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    ours = [d for d in diffs if "safety_plans" in repr(d)]
    assert ours == []
