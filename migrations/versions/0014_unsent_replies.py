"""Rasa's answer kept on the inbound message until all of it is sent (crash-safe replies).

Revision ID: 0014_unsent_replies
Revises: 0003_messages
Create Date: 2026-12-01

Mirrors ``Message.unsent_replies`` and ``ix_messages_unsent`` in ``bot/store/messages.py``;
keep both in step. The partial index holds only the rows still being sent, so the retry
loop's look for them stays cheap however long the log grows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_unsent_replies"
down_revision: str | Sequence[str] | None = "0003_messages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNSENT = sa.text("unsent_replies IS NOT NULL")


def upgrade() -> None:
    """Add the column and its partial index."""
    op.add_column("messages", sa.Column("unsent_replies", sa.JSON(none_as_null=True),
                                        nullable=True))
    op.create_index("ix_messages_unsent", "messages", ["patient_id", "id"],
                    sqlite_where=UNSENT, postgresql_where=UNSENT)


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("ix_messages_unsent", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("unsent_replies")
