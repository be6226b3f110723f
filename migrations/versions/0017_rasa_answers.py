"""Give-up evidence shared by the gateway workers: Rasa's first empty answer to a message,
and when each Rasa server last answered a message non-empty.

Revision ID: 0017_rasa_answers
Revises: 0016_inbound_decision
Create Date: 2026-12-01

Mirrors ``Message.first_empty_at`` in ``bot/store/messages.py`` and ``RasaAnswer`` in
``bot/store/rasa_answers.py``; keep them in step. Both were in each worker's memory, so
with several workers one worker's evidence was invisible to the others.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_rasa_answers"
down_revision: str | Sequence[str] | None = "0016_inbound_decision"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the column (NULL: no empty answer yet) and the table (empty)."""
    op.add_column("messages",
                  sa.Column("first_empty_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "rasa_answers",
        sa.Column("server", sa.String(255), primary_key=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop the table and the column."""
    op.drop_table("rasa_answers")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("first_empty_at")
