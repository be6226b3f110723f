"""Per-patient claims of the gateway workers (single flight to Rasa per patient).

Revision ID: 0010_perf
Revises: 0001_core
Create Date: 2026-12-01

Mirrors ``bot/store/claims.py``; keep both in step.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_perf"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the claims table."""
    op.create_table(
        "patient_claims",
        sa.Column("patient_id", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop the claims table."""
    op.drop_table("patient_claims")
