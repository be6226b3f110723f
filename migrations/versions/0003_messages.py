"""Message log: messages, processed Telegram updates, /stop flags.

Revision ID: 0003_messages
Revises: 0001_core
Create Date: 2026-11-21

Mirrors ``bot/store/messages.py``; keep both in step.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_messages"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    """A timestamp with time zone (UTC)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _patient_fk(primary_key: bool = False) -> sa.Column:
    """The patient_id column of a child table."""
    return sa.Column(
        "patient_id",
        sa.String(64),
        sa.ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def upgrade() -> None:
    """Create the message-log tables."""
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        _patient_fk(),
        _ts("created_at"),
        _ts("updated_at"),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("buttons", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("update_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "reply_to_id",
            sa.Integer(),
            sa.ForeignKey("messages.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.CheckConstraint("direction IN ('in', 'out')", name="direction"),
        sa.CheckConstraint(
            "(direction = 'in' AND status IN "
            "('received', 'processing', 'processed', 'failed', 'pending_retry')) OR "
            "(direction = 'out' AND status IN ('sent', 'failed'))",
            name="status",
        ),
    )
    op.create_index(
        "ix_messages_patient_direction_status", "messages", ["patient_id", "direction", "status"]
    )
    op.create_index("ix_messages_direction_status", "messages", ["direction", "status"])
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        _ts("received_at"),
    )
    op.create_table(
        "message_stops",
        _patient_fk(primary_key=True),
        _ts("stopped_at"),
    )


def downgrade() -> None:
    """Drop the message-log tables."""
    op.drop_table("message_stops")
    op.drop_table("processed_updates")
    op.drop_index("ix_messages_direction_status", table_name="messages")
    op.drop_index("ix_messages_patient_direction_status", table_name="messages")
    op.drop_table("messages")
