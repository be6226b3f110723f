"""Coach alerts: Telegram link codes, coach contacts, the alerts outbox; aftercare sends.

Revision ID: 0013_alerts
Revises: 0006_triage_level, 0004_dashboard (coaches), 0005_weekly (the kind check)
Create Date: 2026-12-01

Mirrors ``bot/store/alerts.py`` and ``bot/store/coach_contacts.py`` (tables) and
``SEND_KINDS`` in ``bot/store/schedule.py`` (the "aftercare" and "aftercare_check" kinds of
scheduled send: the next-day check-back after a crisis and after a medical red flag).
SQLite rebuilds scheduled_sends (batch mode) from the full definition, as in 0005.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_alerts"
# A merge point: the alert tables refer to coaches (0004), and the kind check replaced here
# is the one 0005 wrote, so both must run first (``depends_on`` would leave them as heads).
down_revision: str | Sequence[str] | None = (
    "0006_triage_level", "0004_dashboard", "0005_weekly",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind IN ('checkin', 'checkin_reminder', 'weekly_summary')"
NEW_KINDS = (
    "kind IN ('checkin', 'checkin_reminder', 'weekly_summary', 'aftercare', 'aftercare_check')"
)
STATUSES = "status IN ('sending', 'sent', 'failed', 'missed', 'skipped')"
ALERT_STATUSES = "status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')"
ALERT_CHANNELS = "channel IN ('telegram', 'email')"
ALERT_REASONS = "reason IN ('new', 'high', 'escalation')"


def _sends(kinds: str) -> sa.Table:
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
    with op.batch_alter_table("scheduled_sends", copy_from=_sends(old)) as batch:
        batch.drop_constraint(op.f("ck_scheduled_sends_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_scheduled_sends_kind"), sa.text(new))


def upgrade() -> None:
    """Create the alert tables and allow the aftercare sends."""
    op.create_table(
        "coach_contacts",
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("telegram_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("telegram_user_id", sa.String(128), nullable=True),
        sa.Column("telegram_linked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("on_call", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coach_id"], ["coaches.id"], ondelete="CASCADE",
            name=op.f("fk_coach_contacts_coach_id_coaches"),
        ),
        sa.PrimaryKeyConstraint("coach_id", name=op.f("pk_coach_contacts")),
        sa.UniqueConstraint("telegram_user_id", name=op.f("uq_coach_contacts_telegram_user_id")),
    )
    op.create_table(
        "coach_link_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["coach_id"], ["coaches.id"], ondelete="CASCADE",
            name=op.f("fk_coach_link_codes_coach_id_coaches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coach_link_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_coach_link_codes_code_hash")),
    )
    op.create_table(
        "coach_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("level", sa.String(16), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(254), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["safety_flags.id"], ondelete="CASCADE",
            name=op.f("fk_coach_alerts_flag_id_safety_flags"),
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"], ["coaches.id"], ondelete="SET NULL",
            name=op.f("fk_coach_alerts_coach_id_coaches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coach_alerts")),
        sa.UniqueConstraint(
            "flag_id", "reason", "channel", "address", name="uq_coach_alerts_claim"
        ),
        sa.CheckConstraint(ALERT_STATUSES, name=op.f("ck_coach_alerts_status")),
        sa.CheckConstraint(ALERT_CHANNELS, name=op.f("ck_coach_alerts_channel")),
        sa.CheckConstraint(ALERT_REASONS, name=op.f("ck_coach_alerts_reason")),
    )
    op.create_index("ix_coach_alerts_due", "coach_alerts", ["status", "created_at"])
    _swap(OLD_KINDS, NEW_KINDS)


def downgrade() -> None:
    """Drop the alert tables and the aftercare sends."""
    op.execute("DELETE FROM scheduled_sends WHERE kind IN ('aftercare', 'aftercare_check')")
    _swap(NEW_KINDS, OLD_KINDS)
    op.drop_index("ix_coach_alerts_due", table_name="coach_alerts")
    op.drop_table("coach_alerts")
    op.drop_table("coach_link_codes")
    op.drop_table("coach_contacts")
