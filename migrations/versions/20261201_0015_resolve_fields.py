"""resolve fields: the resolve form's summary, impact window, detection, trigger, users and tickets affected;
follow-ups' type and priority

Revision ID: 0015_resolve_fields
Revises: 0014_reporting
Create Date: 2026-12-01 00:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db import UTCDateTime

revision: str = "0015_resolve_fields"
down_revision: str | None = "0014_reporting"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overview", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("impact_started_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("impact_ended_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("detection", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("trigger", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("users_affected", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("tickets", sa.Integer(), nullable=True))
    with op.batch_alter_table("followups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action_type", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("priority", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("followups", schema=None) as batch_op:
        batch_op.drop_column("priority")
        batch_op.drop_column("action_type")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        for column in ("tickets", "users_affected", "trigger", "detection", "impact_ended_at",
                       "impact_started_at", "overview"):
            batch_op.drop_column(column)
