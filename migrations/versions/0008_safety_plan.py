"""Safety plans: one personal safety plan per patient, built step by step in chat.

Revision ID: 0008_safety_plan
Revises: 0006_triage_level
Create Date: 2026-12-01

Mirrors ``bot/store/safety_plans.py`` (``STEPS`` and the flow modes).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_safety_plan"
down_revision: str | Sequence[str] | None = "0006_triage_level"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STEPS = ("warning_signs", "coping", "distractions", "helpers", "professionals", "environment")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IS NULL OR {column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    """Create safety_plans."""
    op.create_table(
        "safety_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "patient_id",
            sa.String(64),
            sa.ForeignKey("patients.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        *(sa.Column(step, sa.Text(), nullable=True) for step in STEPS),
        sa.Column("asking", sa.String(32), nullable=True),
        sa.Column("asking_mode", sa.String(8), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("patient_id"),
        sa.CheckConstraint(_in("asking", STEPS), name="asking"),
        sa.CheckConstraint(_in("asking_mode", ("build", "edit")), name="asking_mode"),
    )


def downgrade() -> None:
    """Drop safety_plans."""
    op.drop_table("safety_plans")
