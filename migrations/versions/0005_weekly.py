"""Scheduler: allow the "weekly_summary" kind of scheduled send (the Sunday summary).

Revision ID: 0005_weekly
Revises: 0002_scheduler
Create Date: 2026-11-23

Mirrors ``SEND_KINDS`` in ``bot/store/schedule.py``. Only the CHECK constraint on
``scheduled_sends.kind`` changes; the UNIQUE (patient_id, kind, local_date) claim makes the
summary go out at most once per local Sunday. SQLite rebuilds the table (batch mode) from
the full definition below, so its other constraints survive the copy.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_weekly"
down_revision: str | Sequence[str] | None = "0002_scheduler"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind IN ('checkin', 'checkin_reminder')"
NEW_KINDS = "kind IN ('checkin', 'checkin_reminder', 'weekly_summary')"
STATUSES = "status IN ('sending', 'sent', 'failed', 'missed', 'skipped')"


def _table(kinds: str) -> sa.Table:
    """The scheduled_sends table as 0002 created it, with the given kind check."""
    return sa.Table(
        "scheduled_sends",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "patient_id",
            sa.String(64),
            sa.ForeignKey(
                "patients.id", ondelete="CASCADE", name="fk_scheduled_sends_patient_id_patients"
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_scheduled_sends"),
        sa.UniqueConstraint(
            "patient_id", "kind", "local_date", name="uq_scheduled_sends_claim"
        ),
        sa.CheckConstraint(kinds, name="ck_scheduled_sends_kind"),
        sa.CheckConstraint(STATUSES, name="ck_scheduled_sends_status"),
        sa.Index("ix_scheduled_sends_local_date", "local_date"),
    )


def _swap(old: str, new: str) -> None:
    with op.batch_alter_table("scheduled_sends", copy_from=_table(old)) as batch:
        batch.drop_constraint(op.f("ck_scheduled_sends_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_scheduled_sends_kind"), sa.text(new))


def upgrade() -> None:
    """Allow weekly_summary sends."""
    _swap(OLD_KINDS, NEW_KINDS)


def downgrade() -> None:
    """Forbid weekly_summary sends again (their rows are deleted first)."""
    op.execute("DELETE FROM scheduled_sends WHERE kind = 'weekly_summary'")
    _swap(NEW_KINDS, OLD_KINDS)
