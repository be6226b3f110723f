"""Coach dashboard: coaches, coach_patients, audit_log, coach_notes, invite_codes.

Revision ID: 0004_dashboard
Revises: 0001_core
Create Date: 2026-11-22

Mirrors ``bot/store/coaches.py``; keep both in step.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_dashboard"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    """A timestamp with time zone (UTC)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _coach_fk(ondelete: str | None = "CASCADE", nullable: bool = False) -> sa.Column:
    """The coach_id column of a child table."""
    return sa.Column(
        "coach_id",
        sa.Integer(),
        sa.ForeignKey("coaches.id", ondelete=ondelete),
        nullable=nullable,
    )


def upgrade() -> None:
    """Create the dashboard tables."""
    op.create_table(
        "coaches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(128), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        _ts("created_at"),
        _ts("password_changed_at"),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("username", name="uq_coaches_username"),
    )
    op.create_table(
        "coach_patients",
        sa.Column("id", sa.Integer(), primary_key=True),
        _coach_fk(),
        sa.Column(
            "patient_id",
            sa.String(64),
            sa.ForeignKey("patients.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _ts("created_at"),
        sa.UniqueConstraint("coach_id", "patient_id", name="uq_coach_patients"),
    )
    op.create_index("ix_coach_patients_coach_id", "coach_patients", ["coach_id"])
    op.create_index("ix_coach_patients_patient_id", "coach_patients", ["patient_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        _coach_fk(ondelete=None, nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("patient_id", sa.String(64), nullable=True),
        sa.Column("episode_id", sa.Integer(), nullable=True),
        _ts("at"),
        sa.Column("detail", sa.String(500), nullable=True),
    )
    op.create_index("ix_audit_log_coach_id", "audit_log", ["coach_id"])
    op.create_index("ix_audit_log_patient_at", "audit_log", ["patient_id", "at"])
    op.create_table(
        "coach_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "episode_id",
            sa.Integer(),
            sa.ForeignKey("episodes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _coach_fk(ondelete=None),
        sa.Column("text", sa.Text(), nullable=False),
        _ts("at"),
    )
    op.create_index("ix_coach_notes_episode_id", "coach_notes", ["episode_id"])
    op.create_table(
        "invite_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        _coach_fk(),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("used_at", nullable=True),
        sa.Column(
            "patient_id",
            sa.String(64),
            sa.ForeignKey("patients.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.UniqueConstraint("code_hash", name="uq_invite_codes_code_hash"),
    )


def downgrade() -> None:
    """Drop the dashboard tables, children first."""
    op.drop_table("invite_codes")
    op.drop_index("ix_coach_notes_episode_id", table_name="coach_notes")
    op.drop_table("coach_notes")
    op.drop_index("ix_audit_log_patient_at", table_name="audit_log")
    op.drop_index("ix_audit_log_coach_id", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_coach_patients_patient_id", table_name="coach_patients")
    op.drop_index("ix_coach_patients_coach_id", table_name="coach_patients")
    op.drop_table("coach_patients")
    op.drop_table("coaches")
