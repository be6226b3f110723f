"""Safety flags: a triage level, and the "third_party" kind (someone else is at risk).

Revision ID: 0006_triage_level
Revises: 0001_core
Create Date: 2026-12-01

Mirrors ``SAFETY_FLAG_KINDS`` and ``SAFETY_LEVELS`` in ``bot/store/models.py``. SQLite
rebuilds the table (batch mode) to change the CHECK constraint on ``kind``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_triage_level"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind IN ('crisis', 'red_flag', 'despair_check')"
NEW_KINDS = "kind IN ('crisis', 'red_flag', 'despair_check', 'third_party')"
LEVELS = (
    "level IS NULL OR level IN "
    "('pending', 'low', 'moderate', 'high', 'emergency', 'urgent', 'third_party')"
)


def upgrade() -> None:
    """Add ``level`` and allow the new kind."""
    with op.batch_alter_table("safety_flags") as batch:
        batch.drop_constraint(op.f("ck_safety_flags_kind"), type_="check")
        batch.create_check_constraint("kind", NEW_KINDS)
        batch.add_column(sa.Column("level", sa.String(16), nullable=True))
        batch.create_check_constraint("level", LEVELS)


def downgrade() -> None:
    """Drop ``level`` and the new kind (third-party flags are removed first)."""
    op.execute("DELETE FROM safety_flags WHERE kind = 'third_party'")
    with op.batch_alter_table("safety_flags") as batch:
        batch.drop_constraint(op.f("ck_safety_flags_level"), type_="check")
        batch.drop_column("level")
        batch.drop_constraint(op.f("ck_safety_flags_kind"), type_="check")
        batch.create_check_constraint("kind", OLD_KINDS)
