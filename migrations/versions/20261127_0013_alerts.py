"""alerts: alert groups (one triage message each) and alerts (one row per firing of a fingerprint)

Revision ID: 0013_alerts
Revises: 0012_reminders
Create Date: 2026-11-27 00:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db import UTCDateTime

revision: str = "0013_alerts"
down_revision: str | None = "0012_reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("group_key", sa.String(length=255), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=True),
        sa.Column("service", sa.String(length=200), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("alert_count", sa.Integer(), nullable=False),
        sa.Column("firing_count", sa.Integer(), nullable=False),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=32), nullable=True),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("dismissed_by", sa.String(length=32), nullable=True),
        sa.Column("dismissed_at", UTCDateTime(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("declare_severity", sa.String(length=32), nullable=True),
        sa.Column("notice_owed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("told_version", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_alert_groups_incident_id_incidents"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_groups")),
        sa.UniqueConstraint("source", "group_key", "current", name=op.f("uq_alert_groups_source_group_key_current")),
    )
    op.create_index("ix_alert_groups_pending", "alert_groups", ["told_version", "version"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=255), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("annotations", sa.JSON(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["alert_groups.id"], name=op.f("fk_alerts_group_id_alert_groups"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("source", "fingerprint", "open", name=op.f("uq_alerts_source_fingerprint_open")),
    )
    op.create_index("ix_alerts_fingerprint_starts_at", "alerts", ["fingerprint", "starts_at"])
    op.create_index("ix_alerts_group_id", "alerts", ["group_id"])


def downgrade() -> None:
    op.drop_index("ix_alerts_group_id", table_name="alerts")
    op.drop_index("ix_alerts_fingerprint_starts_at", table_name="alerts")
    op.drop_table("alerts")
    op.drop_index("ix_alert_groups_pending", table_name="alert_groups")
    op.drop_table("alert_groups")
