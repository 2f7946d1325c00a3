"""reminders: scheduled jobs (reminders, escalation, SLA checks, follow-up nudges), the next update's due
time and the SLA targets missed on incidents, who closed a follow-up and how

Revision ID: 0012_reminders
Revises: 0011_public_updates
Create Date: 2026-11-27 00:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db import UTCDateTime

revision: str = "0012_reminders"
down_revision: str | None = "0011_public_updates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=255), nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"],
                                name=op.f("fk_scheduled_jobs_incident_id_incidents"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_scheduled_jobs_key")),
    )
    op.create_index("ix_scheduled_jobs_state_due_at", "scheduled_jobs", ["state", "due_at"])
    op.create_index("ix_scheduled_jobs_incident_id", "scheduled_jobs", ["incident_id"])
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("update_due_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("sla_breaches", sa.String(length=64), nullable=True))
    with op.batch_alter_table("followups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("done_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("followups", schema=None) as batch_op:
        batch_op.drop_column("outcome")
        batch_op.drop_column("done_by")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("sla_breaches")
        batch_op.drop_column("update_due_at")
    op.drop_index("ix_scheduled_jobs_incident_id", table_name="scheduled_jobs")
    op.drop_index("ix_scheduled_jobs_state_due_at", table_name="scheduled_jobs")
    op.drop_table("scheduled_jobs")
