"""unthreaded news: the announced events recorded before the announcement existed, still to be told under it

Revision ID: 0010_unthreaded_news
Revises: 0009_lease_holders
Create Date: 2026-11-26 00:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_unthreaded_news"
down_revision: str | None = "0009_lease_holders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unthreaded_through", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("unthreaded_through")
