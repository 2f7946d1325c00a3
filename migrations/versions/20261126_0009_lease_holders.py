"""lease holders: who holds a set-up lease (host, boot, pid namespace, pid, start time)

Revision ID: 0009_lease_holders
Revises: 0008_counters
Create Date: 2026-11-26 00:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_lease_holders"
down_revision: str | None = "0008_counters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
