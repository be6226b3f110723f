"""The gateway's own decision kept on an inbound message until its answer is sent.

Revision ID: 0016_inbound_decision
Revises: 0014_unsent_replies
Create Date: 2026-12-03

Mirrors ``Message.decision`` in ``bot/store/messages.py``; keep both in step. A command,
a safety-plan step or a fixed answer is stored ``received`` with what the gateway will do
(``{"next": ..., "detail": ...}``), so a worker that dies before answering leaves it for
the retry loop instead of losing the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_inbound_decision"
down_revision: str | Sequence[str] | None = "0014_unsent_replies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the column (NULL for every existing row and for messages that go to Rasa)."""
    op.add_column("messages", sa.Column("decision", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("decision")
