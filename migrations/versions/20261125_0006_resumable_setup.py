"""resumable set-up: per-step progress of a declaration and a lease on it

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 01:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STEPS = ("topic_set", "purpose_set", "declarer_invited", "card_pinned")


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        for step in STEPS:
            batch_op.add_column(sa.Column(step, sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("claimed_until", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")
        for step in reversed(STEPS):
            batch_op.drop_column(step)
