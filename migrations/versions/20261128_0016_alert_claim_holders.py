"""alert claim holders: who tells an alert group's triage message (so a restart on the same host takes over
a dead predecessor's claim at once)

Revision ID: 0016_alert_claim_holders
Revises: 0015_resolve_fields
Create Date: 2026-11-28 00:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_alert_claim_holders"
down_revision: str | None = "0015_resolve_fields"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_groups", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
