"""Server-side dashboard sessions, TOTP secrets and recovery codes.

Revision ID: 0009_security
Revises: 0004_dashboard (the coaches table)
Create Date: 2026-12-01

Mirrors ``bot/dashboard/sessions.py`` and ``bot/dashboard/totp.py``; keep them in step.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_security"
down_revision: str | Sequence[str] | None = "0004_dashboard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    """A timestamp with time zone (UTC)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _coach(primary_key: bool = False) -> sa.Column:
    return sa.Column(
        "coach_id",
        sa.Integer(),
        sa.ForeignKey("coaches.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def upgrade() -> None:
    """Create the session and second-factor tables."""
    op.create_table(
        "coach_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        _coach(),
        sa.Column("stage", sa.String(16), nullable=False),
        _ts("created_at"),
        _ts("last_seen_at"),
        _ts("revoked_at", nullable=True),
        sa.Column("code_failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("address", sa.String(64), nullable=True),
    )
    op.create_index("ix_coach_sessions_coach_id", "coach_sessions", ["coach_id"])
    op.create_table(
        "coach_totp",
        _coach(primary_key=True),
        sa.Column("secret", sa.String(64), nullable=False),
        _ts("enabled_at", nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=True),
    )
    op.create_table(
        "coach_recovery_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _coach(),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        _ts("used_at", nullable=True),
    )
    op.create_index("ix_coach_recovery_codes_coach_id", "coach_recovery_codes", ["coach_id"])


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_coach_recovery_codes_coach_id", "coach_recovery_codes")
    op.drop_table("coach_recovery_codes")
    op.drop_table("coach_totp")
    op.drop_index("ix_coach_sessions_coach_id", "coach_sessions")
    op.drop_table("coach_sessions")
