"""Scheduler tables: evening check-in sends and pacing reminders.

Revision ID: 0002_scheduler
Revises: 0001_core
Create Date: 2026-11-21

Mirrors ``bot/store/schedule.py``. The UNIQUE (patient_id, kind, local_date) constraint on
``scheduled_sends`` is what makes each check-in go out at most once per local day.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_scheduler"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    """A timestamp with time zone (UTC)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _patient_fk() -> sa.Column:
    """The patient_id column, removed with the patient."""
    return sa.Column(
        "patient_id",
        sa.String(64),
        sa.ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    """Create scheduled_sends and pacing_reminders."""
    op.create_table(
        "scheduled_sends",
        sa.Column("id", sa.Integer(), primary_key=True),
        _patient_fk(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        _ts("due_at"),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("claimed_at", nullable=True),
        _ts("sent_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.UniqueConstraint("patient_id", "kind", "local_date", name="uq_scheduled_sends_claim"),
        sa.CheckConstraint("kind IN ('checkin', 'checkin_reminder')", name="kind"),
        sa.CheckConstraint(
            "status IN ('sending', 'sent', 'failed', 'missed', 'skipped')", name="status"
        ),
    )
    op.create_index("ix_scheduled_sends_local_date", "scheduled_sends", ["local_date"])
    op.create_table(
        "pacing_reminders",
        sa.Column("id", sa.Integer(), primary_key=True),
        _patient_fk(),
        _ts("created_at"),
        _ts("due_at"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("claimed_at", nullable=True),
        _ts("sent_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'cancelled', 'missed')", name="status"
        ),
    )
    op.create_index("ix_pacing_reminders_due", "pacing_reminders", ["status", "due_at"])
    op.create_index("ix_pacing_reminders_patient", "pacing_reminders", ["patient_id"])


def downgrade() -> None:
    """Drop the scheduler tables."""
    op.drop_table("pacing_reminders")
    op.drop_table("scheduled_sends")
