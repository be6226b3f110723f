"""Core episode-log tables: patients, identities, episodes, fears, safety flags, check-ins.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-21

Later migrations (0002_scheduler, 0003_messages) branch from this one; run
``alembic upgrade heads``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_core"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    """A timestamp with time zone (UTC)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _patient_fk() -> sa.Column:
    """The patient_id column of a child table."""
    return sa.Column(
        "patient_id",
        sa.String(64),
        sa.ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
    )


def _score(name: str) -> tuple[sa.Column, sa.CheckConstraint]:
    """A nullable 0-10 score column and its CHECK constraint."""
    return (
        sa.Column(name, sa.Integer(), nullable=True),
        sa.CheckConstraint(f"{name} IS NULL OR ({name} >= 0 AND {name} <= 10)", name=name),
    )


def upgrade() -> None:
    """Create the core tables."""
    op.create_table(
        "patients",
        sa.Column("id", sa.String(64), primary_key=True),
        _ts("created_at"),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("checkin_time", sa.String(5), nullable=False),
        sa.Column("checkins_paused", sa.Boolean(), nullable=False),
        sa.Column("weekly_summary", sa.Boolean(), nullable=False),
        _ts("consent_given_at", nullable=True),
        _ts("deleted_at", nullable=True),
    )
    op.create_table(
        "channel_identities",
        sa.Column("id", sa.Integer(), primary_key=True),
        _patient_fk(),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        _ts("created_at"),
        sa.UniqueConstraint("channel", "external_id", name="uq_channel_identities"),
    )
    op.create_index("ix_channel_identities_patient_id", "channel_identities", ["patient_id"])
    op.create_table(
        "episodes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _patient_fk(),
        _ts("started_at"),
        _ts("last_activity_at"),
        _ts("ended_at", nullable=True),
        sa.Column("close_reason", sa.String(32), nullable=True),
        *_score("severity_start"),
        *_score("severity_end"),
        sa.Column("triggers", sa.JSON(), nullable=False),
        sa.Column("locations", sa.JSON(), nullable=False),
        sa.Column("tools_offered", sa.JSON(), nullable=False),
        sa.Column("tools_used", sa.JSON(), nullable=False),
        sa.Column("first_message", sa.Text(), nullable=True),
    )
    op.create_index("ix_episodes_patient_open", "episodes", ["patient_id", "ended_at"])
    op.create_table(
        "fear_statements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "episode_id",
            sa.Integer(),
            sa.ForeignKey("episodes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _ts("created_at"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
    )
    op.create_index("ix_fear_statements_episode_id", "fear_statements", ["episode_id"])
    op.create_table(
        "safety_flags",
        sa.Column("id", sa.Integer(), primary_key=True),
        _patient_fk(),
        sa.Column(
            "episode_id",
            sa.Integer(),
            sa.ForeignKey("episodes.id", ondelete="SET NULL"),
            nullable=True,
        ),
        _ts("created_at"),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        _ts("acknowledged_at", nullable=True),
        sa.Column("acknowledged_by", sa.String(128), nullable=True),
        sa.Column("coach_note", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('crisis', 'red_flag', 'despair_check')", name="kind"),
    )
    op.create_index("ix_safety_flags_patient_id", "safety_flags", ["patient_id"])
    op.create_index("ix_safety_flags_episode_id", "safety_flags", ["episode_id"])
    op.create_index("ix_safety_flags_open", "safety_flags", ["acknowledged_at", "created_at"])
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), primary_key=True),
        _patient_fk(),
        _ts("created_at"),
        _ts("updated_at"),
        sa.Column("local_date", sa.Date(), nullable=False),
        *_score("pain"),
        *_score("sleep"),
        *_score("stress"),
        sa.Column("paced", sa.Boolean(), nullable=True),
        sa.Column("practice_minutes", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("patient_id", "local_date", name="uq_checkins_patient_day"),
        sa.CheckConstraint(
            "practice_minutes IS NULL OR practice_minutes >= 0", name="practice_minutes"
        ),
    )
    op.create_table(
        "reframe_uses",
        sa.Column("id", sa.Integer(), primary_key=True),
        _patient_fk(),
        sa.Column("reframe_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        _ts("used_at"),
    )
    op.create_index("ix_reframe_uses_patient_kind", "reframe_uses", ["patient_id", "kind"])


def downgrade() -> None:
    """Drop the core tables, children first."""
    op.drop_table("reframe_uses")
    op.drop_table("checkins")
    op.drop_table("safety_flags")
    op.drop_table("fear_statements")
    op.drop_table("episodes")
    op.drop_table("channel_identities")
    op.drop_table("patients")
