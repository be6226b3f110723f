"""Messages owed to a chat with no patient row to carry them: the /delete confirmation.

Revision ID: 0018_outgoing_notices
Revises: 0017_rasa_answers
Create Date: 2026-12-02

Mirrors ``OutgoingNotice`` in ``bot/store/notices.py``; keep both in step. The
confirmation of an erasure is written in the erasing transaction and deleted once sent,
so a worker that dies in between leaves it for another worker or a restart.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_outgoing_notices"
down_revision: str | Sequence[str] | None = "0017_rasa_answers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the table (empty)."""
    op.create_table(
        "outgoing_notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("outgoing_notices")
