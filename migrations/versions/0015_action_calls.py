"""The journal of custom-action calls (each call's writes once, even when it is resent).

Revision ID: 0015_action_calls
Revises: 0001_core
Create Date: 2026-12-02

Mirrors ``bot/store/action_calls.py``; keep both in step.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_action_calls"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the journal and its index on the time (old rows are purged)."""
    op.create_table(
        "action_calls",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(128), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
    )
    op.create_index("ix_action_calls_created_at", "action_calls", ["created_at"])


def downgrade() -> None:
    """Drop the journal."""
    op.drop_index("ix_action_calls_created_at", table_name="action_calls")
    op.drop_table("action_calls")
